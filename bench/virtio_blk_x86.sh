#!/bin/sh
# Guest disk throughput through virtio-blk-pci on x86 `pc` under KVM, emu vs
# QEMU, with the same bare-metal guest (tests/guest/virtio/x86_virtio_blk.c,
# "bench" mode: queue depth 1, polled, 16 MiB sequential write + flush,
# 16 MiB sequential read in 64 KiB requests, 2048 random 4 KiB reads). The
# guest counts TSC ticks per phase, so QEMU's firmware start-up is not
# measured. Prints medians in MB/s (TSC rate from /proc/cpuinfo) and the
# ratio emu/qemu (> 1: emu is faster).
#   bench/virtio_blk_x86.sh [build-dir] [runs] [raw|qcow2]
set -eu
B="${1:-build}"
RUNS="${2:-3}"
FMT="${3:-raw}"
EMU="$B/system/emu-system-x86_64"
GUEST="$B/tests/guest/virtio/x86_virtio_blk.elf"
QEMU=$(command -v qemu-system-x86_64) || { echo "qemu-system-x86_64 not installed"; exit 1; }
[ -r /dev/kvm ] || { echo "/dev/kvm not usable"; exit 1; }
[ -x "$EMU" ] && [ -f "$GUEST" ] || { echo "build emu-system-x86_64 and virtio-guests first"; exit 1; }
MHZ=$(awk -F: '/^cpu MHz/ {print $2; exit}' /proc/cpuinfo)
D=$(mktemp -d "${BENCH_DIR:-/var/tmp}/emu-virtio-bench-XXXXXX")
trap 'rm -rf "$D"' EXIT
IMG="$D/disk.$FMT"
qemu-img create -q -f "$FMT" -o preallocation=full "$IMG" 64M

run_emu() {
    "$EMU" -M pc -m 256M -display none -serial stdio -kernel "$GUEST" -append bench \
        -device isa-debug-exit,iobase=0xf4,iosize=4 -drive file="$IMG",format="$FMT",if=virtio
}
run_qemu() {
    "$QEMU" -enable-kvm -M pc -m 256M -display none -serial stdio -kernel "$GUEST" -append bench \
        -device isa-debug-exit,iobase=0xf4,iosize=4 \
        -drive file="$IMG",format="$FMT",if=none,id=d0 -device virtio-blk-pci,drive=d0,disable-legacy=on
}
# MB/s of one phase from a run's output: bytes / (ticks / MHz) us.
rate() {  # output phase bytes
    echo "$1" | awk -v p="$2" -v b="$3" -v mhz="$MHZ" \
        '$2 == p {printf "%.1f\n", b / ($(NF-1) / mhz)}'
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

: >"$D/emu" ; : >"$D/qemu"
i=0
while [ $i -lt "$RUNS" ]; do
    for who in emu qemu; do
        out=$("run_$who" 2>/dev/null | tr -d "\r") || true
        case "$out" in *"TEST PASS"*) ;; *) echo "$who run failed:"; echo "$out"; exit 1 ;; esac
        echo "$(rate "$out" seq-write 16777216) $(rate "$out" seq-read 16777216)" \
             "$(rate "$out" rand-read 8388608)" >>"$D/$who"
    done
    i=$((i + 1))
done
printf "virtio-blk-pci, %s image, queue depth 1, %s runs (MB/s, median)\n" "$FMT" "$RUNS"
printf "%-22s %10s %10s %8s\n" phase emu qemu emu/qemu
n=1
for phase in "seq-write+flush 64K" "seq-read 64K" "rand-read 4K"; do
    e=$(cut -d' ' -f$n "$D/emu" | median)
    q=$(cut -d' ' -f$n "$D/qemu" | median)
    printf "%-22s %10s %10s %8.2f\n" "$phase" "$e" "$q" "$(echo "$e / $q" | bc -l)"
    n=$((n + 1))
done

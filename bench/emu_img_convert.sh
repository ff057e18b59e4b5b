#!/bin/sh
# emu-img convert vs qemu-img convert on the same 1 GiB raw image (a quarter
# each: holes, written zeroes, text, random data). Prints the median wall
# time of each conversion for both tools and the ratio qemu/emu (> 1: emu
# is faster).
#   bench/emu_img_convert.sh [build-dir] [runs]
# BENCH_DIR (default /var/tmp) holds the ~3 GiB of scratch files.
set -eu
B="${1:-build}"
RUNS="${2:-3}"
EMU_IMG="$B/tools/emu-img/emu-img"
QEMU_IMG=$(command -v qemu-img) || { echo "qemu-img not installed"; exit 1; }
D=$(mktemp -d "${BENCH_DIR:-/var/tmp}/emu-img-bench-XXXXXX")
trap 'rm -rf "$D"' EXIT

Q=$((256 * 1024 * 1024))
SRC="$D/src.raw"
truncate -s 1G "$SRC"
dd if=/dev/zero of="$SRC" bs=1M seek=256 count=256 conv=notrunc status=none
yes "The quick brown fox jumps over the lazy dog; emu block layer benchmark text." |
    head -c $Q | dd of="$SRC" bs=1M seek=512 conv=notrunc iflag=fullblock status=none
head -c $Q /dev/urandom | dd of="$SRC" bs=1M seek=768 conv=notrunc iflag=fullblock status=none
"$QEMU_IMG" convert -O qcow2 "$SRC" "$D/in.qcow2"
"$QEMU_IMG" convert -c -O qcow2 "$SRC" "$D/in-c.qcow2"
sync

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
# One run: "wall cpu" seconds (cpu = user + sys, all threads). On a loaded
# machine the CPU time is the steadier number; both are reported.
timeit() {
    /usr/bin/time -f "%e %U %S" -o "$D/t" "$@" >/dev/null
    awk '{printf "%s %.2f\n", $1, $2 + $3}' "$D/t"
}
bench() {  # tool, args... -> "wall cpu" medians
    tool="$1"; shift
    for _ in $(seq "$RUNS"); do
        rm -f "$D/out"
        timeit "$tool" convert "$@" "$D/out"
    done >"$D/runs"
    echo "$(cut -d' ' -f1 "$D/runs" | median) $(cut -d' ' -f2 "$D/runs" | median)"
}

printf "%-26s %18s %18s %16s\n" "" "qemu-img" "emu-img" "ratio qemu/emu"
printf "%-26s %9s %8s %9s %8s %8s %7s\n" "conversion" "wall" "cpu" "wall" "cpu" "wall" "cpu"
row() {  # label, args...
    label="$1"; shift
    set -- $(bench "$QEMU_IMG" "$@") $(bench "$EMU_IMG" "$@") "$@"
    qw=$1; qc=$2; ew=$3; ec=$4; shift 4
    # Verify the output of the last emu-img run.
    if ! "$QEMU_IMG" compare -q "$SRC" "$D/out"; then echo "emu-img output differs: $label"; exit 1; fi
    printf "%-26s %8.2fs %7.2fs %8.2fs %7.2fs %7.2fx %6.2fx\n" "$label" "$qw" "$qc" "$ew" "$ec" \
        "$(echo "$qw / $ew" | bc -l)" "$(echo "$qc / $ec" | bc -l)"
}
row "raw -> qcow2" -O qcow2 "$SRC"
row "qcow2 -> raw" -O raw "$D/in.qcow2"
row "raw -> qcow2 -c" -c -O qcow2 "$SRC"
row "compressed qcow2 -> raw" -O raw "$D/in-c.qcow2"
ls -l "$D/in-c.qcow2" | awk '{print "qemu-img -c output: " $5 " bytes"}'
"$EMU_IMG" convert -c -O qcow2 "$SRC" "$D/emu-c.qcow2"
ls -l "$D/emu-c.qcow2" | awk '{print "emu-img -c output:  " $5 " bytes"}'

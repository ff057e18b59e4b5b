#!/bin/sh
# In-guest CPU work on Debian's arm64 kernel + busybox initramfs, ours vs
# QEMU TCG side by side: busybox sha256sum over 64 MiB and gzip -6 over
# 32 MiB of data generated in the guest (/dev/urandom, in tmpfs). Each step
# is timed on the host between marker lines the guest prints. Medians of N
# runs and ratios.
#
#   bench/linux_guest_work_arm64.sh [runs] [extra emu/QEMU args, e.g. -cpu max]
set -eu
cd "$(dirname "$0")/.."
RUNS="${1:-3}"
[ $# -gt 0 ] && shift
CPU_ARGS="${*:--cpu cortex-a57}"
G=$(./scripts/fetch-guest.sh arm64)
EMU=./build/system/emu-system-aarch64
QEMU=$(command -v qemu-system-aarch64 || true)
CMD='sh -c "head -c 33554432 /dev/urandom > /tmp/d; cat /tmp/d /tmp/d > /tmp/d64; echo BENCH-A; sha256sum /tmp/d64 > /dev/null; echo BENCH-B; gzip -6 -c /tmp/d > /dev/null; echo BENCH-C"'

# One run: prints "<sha256 seconds> <gzip seconds>" (or "- -").
work_once() {
    python3 - "$@" <<'PY'
import subprocess, sys, time
p = subprocess.Popen(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                     stdin=subprocess.DEVNULL)
t = {}
buf = b""
t0 = time.monotonic()
while True:
    chunk = p.stdout.read1(4096)
    if not chunk:
        break
    buf += chunk
    for m in (b"BENCH-A", b"BENCH-B", b"BENCH-C"):
        if m not in t and m + b"\r\n" in buf:
            t[m] = time.monotonic()
    buf = buf[-64:]
    if time.monotonic() - t0 > 900:
        p.kill()
        break
p.wait()
if len(t) == 3:
    print("%.3f %.3f" % (t[b"BENCH-B"] - t[b"BENCH-A"], t[b"BENCH-C"] - t[b"BENCH-B"]))
else:
    print("- -")
PY
}

median() { sort -n | awk '{a[NR]=$1} END {if (NR==0) print "-"; else print a[int((NR+1)/2)]}'; }

run_set() {  # name, binary -> "name sha gzip"
    : > "/tmp/bench-work-$1.txt"
    i=0
    while [ "$i" -lt "$RUNS" ]; do
        # shellcheck disable=SC2086
        work_once "$2" -M virt $CPU_ARGS -m 1G -kernel "$G/vmlinuz" -initrd "$G/initramfs.cpio.gz" \
            -append "console=ttyAMA0 quiet -- $CMD" -nographic >> "/tmp/bench-work-$1.txt"
        i=$((i + 1))
    done
    s=$(awk '$1 != "-" {print $1}' "/tmp/bench-work-$1.txt" | median)
    z=$(awk '$2 != "-" {print $2}' "/tmp/bench-work-$1.txt" | median)
    echo "$1 $s $z"
}

echo "In-guest work ($CPU_ARGS), $RUNS runs, medians in seconds"
printf "%-8s %14s %14s\n" who sha256-64MiB gzip6-32MiB
Q=""; E=""
if [ -n "$QEMU" ]; then
    Q=$(run_set qemu "$QEMU"); set -- $Q
    printf "%-8s %14s %14s\n" qemu "$2" "$3"
fi
if [ -x "$EMU" ]; then
    E=$(run_set emu "$EMU"); set -- $E
    printf "%-8s %14s %14s\n" emu "$2" "$3"
fi
if [ -n "$Q" ] && [ -n "$E" ]; then
    # shellcheck disable=SC2086
    set -- $Q $E
    awk -v qs="$2" -v qz="$3" -v es="$5" -v ez="$6" 'BEGIN {
        if (qs == "-" || es == "-") { print "no ratio: a run did not finish"; exit }
        printf "ratio emu/qemu sha256: %.2f\n", es / qs;
        printf "ratio emu/qemu gzip:   %.2f\n", ez / qz }'
fi

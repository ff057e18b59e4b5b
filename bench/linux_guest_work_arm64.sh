#!/bin/sh
# In-guest CPU work on Debian's arm64 kernel + busybox initramfs, ours vs
# QEMU TCG side by side: busybox sha256sum over 64 MiB and gzip -6 over
# 32 MiB of data generated in the guest (/dev/urandom, in tmpfs). Each step
# is timed on the host between marker lines the guest prints. Medians of N
# runs and ratios, for wall time and for the emulator's CPU time (all its
# threads, from /proc; the machine is shared, so wall time is noisy). For
# emu the CPU time of the LLVM compile thread (emu-llvm) is also shown.
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

# One run: prints "<sha256 s> <gzip s> <sha256 cpu s> <gzip cpu s> <sha256
# compile-thread cpu s> <gzip compile-thread cpu s>" (or dashes).
work_once() {
    python3 - "$@" <<'PY'
import glob, os, subprocess, sys, time
p = subprocess.Popen(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                     stdin=subprocess.DEVNULL)
hz = os.sysconf("SC_CLK_TCK")
def cpu():
    tot = comp = 0.0
    for task in glob.glob("/proc/%d/task/*" % p.pid):
        try:
            name = open(task + "/comm").read().strip()
            f = open(task + "/stat").read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        c = (int(f[11]) + int(f[12])) / hz
        tot += c
        if name == "emu-llvm":
            comp += c
    return tot, comp
t = {}
c = {}
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
            c[m] = cpu()
    buf = buf[-64:]
    if time.monotonic() - t0 > 900:
        p.kill()
        break
p.wait()
A, B, C = b"BENCH-A", b"BENCH-B", b"BENCH-C"
if len(t) == 3:
    print("%.3f %.3f %.2f %.2f %.2f %.2f" % (t[B] - t[A], t[C] - t[B], c[B][0] - c[A][0],
          c[C][0] - c[B][0], c[B][1] - c[A][1], c[C][1] - c[B][1]))
else:
    print("- - - - - -")
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
    cs=$(awk '$3 != "-" {print $3}' "/tmp/bench-work-$1.txt" | median)
    cz=$(awk '$4 != "-" {print $4}' "/tmp/bench-work-$1.txt" | median)
    ks=$(awk '$5 != "-" {print $5}' "/tmp/bench-work-$1.txt" | median)
    kz=$(awk '$6 != "-" {print $6}' "/tmp/bench-work-$1.txt" | median)
    echo "$1 $s $z $cs $cz $ks $kz"
}

echo "In-guest work ($CPU_ARGS), $RUNS runs, medians in seconds (cpu: all threads; of which"
echo "llvm: the emu-llvm compile thread)"
printf "%-8s %14s %14s %10s %10s %10s %10s\n" who sha256-64MiB gzip6-32MiB sha-cpu gzip-cpu sha-llvm gzip-llvm
Q=""; E=""
if [ -n "$QEMU" ]; then
    Q=$(run_set qemu "$QEMU"); set -- $Q
    printf "%-8s %14s %14s %10s %10s %10s %10s\n" qemu "$2" "$3" "$4" "$5" - -
fi
if [ -x "$EMU" ]; then
    E=$(run_set emu "$EMU"); set -- $E
    printf "%-8s %14s %14s %10s %10s %10s %10s\n" emu "$2" "$3" "$4" "$5" "$6" "$7"
fi
if [ -n "$Q" ] && [ -n "$E" ]; then
    # shellcheck disable=SC2086
    set -- $Q $E
    awk -v qs="$2" -v qz="$3" -v qcs="$4" -v qcz="$5" -v es="$9" -v ez="${10}" -v ecs="${11}" \
        -v ecz="${12}" 'BEGIN {
        if (qs == "-" || es == "-") { print "no ratio: a run did not finish"; exit }
        printf "ratio emu/qemu sha256: %.2f wall, %.2f cpu\n", es / qs, ecs / qcs;
        printf "ratio emu/qemu gzip:   %.2f wall, %.2f cpu\n", ez / qz, ecz / qcz }'
fi

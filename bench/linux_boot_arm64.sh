#!/bin/sh
# Boot time of Debian's arm64 kernel + busybox initramfs, ours vs QEMU TCG,
# side by side in one run: process start -> EMU-GUEST-READY (init reached)
# and -> process exit after "poweroff -f". Medians of N runs and ratios.
#
#   bench/linux_boot_arm64.sh [runs] [extra emu/QEMU args, e.g. -cpu max]
set -eu
cd "$(dirname "$0")/.."
RUNS="${1:-5}"
[ $# -gt 0 ] && shift
CPU_ARGS="${*:--cpu cortex-a57}"
G=$(./scripts/fetch-guest.sh arm64)
EMU=./build/system/emu-system-aarch64
QEMU=$(command -v qemu-system-aarch64 || true)

# One timed boot: prints "<seconds to marker> <seconds to exit> <status>".
boot_once() {
    python3 - "$@" <<'PY'
import subprocess, sys, time
cmd = sys.argv[1:]
t0 = time.monotonic()
p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
marker = None
buf = b""
while True:
    chunk = p.stdout.read1(4096) if hasattr(p.stdout, "read1") else p.stdout.read(1)
    if not chunk:
        break
    buf += chunk
    if marker is None and b"EMU-GUEST-READY" in buf:
        marker = time.monotonic() - t0
    buf = buf[-64:]
    if time.monotonic() - t0 > 300:
        p.kill()
        break
st = p.wait()
end = time.monotonic() - t0
print("%s %.3f %d" % ("%.3f" % marker if marker is not None else "-", end, st))
PY
}

median() { sort -n | awk '{a[NR]=$1} END {if (NR==0) print "-"; else print a[int((NR+1)/2)]}'; }

run_set() {  # name, binary
    name="$1"; bin="$2"
    : > "/tmp/bench-$name.txt"
    i=0
    while [ "$i" -lt "$RUNS" ]; do
        # shellcheck disable=SC2086
        boot_once "$bin" -M virt $CPU_ARGS -m 1G -kernel "$G/vmlinuz" -initrd "$G/initramfs.cpio.gz" \
            -append "console=ttyAMA0 quiet -- poweroff -f" -nographic >> "/tmp/bench-$name.txt"
        i=$((i + 1))
    done
    m=$(awk '$1 != "-" {print $1}' "/tmp/bench-$name.txt" | median)
    e=$(awk '{print $2}' "/tmp/bench-$name.txt" | median)
    ok=$(awk '$1 != "-"' "/tmp/bench-$name.txt" | wc -l)
    echo "$name $m $e $ok"
}

echo "Linux arm64 boot ($CPU_ARGS), $RUNS runs, medians in seconds"
printf "%-8s %12s %12s %8s\n" who to-init to-exit reached
Q=""; E=""
if [ -n "$QEMU" ]; then
    Q=$(run_set qemu "$QEMU"); set -- $Q
    printf "%-8s %12s %12s %8s\n" qemu "$2" "$3" "$4/$RUNS"
fi
if [ -x "$EMU" ]; then
    E=$(run_set emu "$EMU"); set -- $E
    printf "%-8s %12s %12s %8s\n" emu "$2" "$3" "$4/$RUNS"
fi
if [ -n "$Q" ] && [ -n "$E" ]; then
    # shellcheck disable=SC2086
    set -- $Q $E
    awk -v qm="$2" -v qe="$3" -v em="$6" -v ee="$7" -v eok="$8" 'BEGIN {
        if (eok == 0 || em == "-" || qm == "-") { print "no ratio: emu did not reach init"; exit }
        printf "ratio emu/qemu to-init: %.2f\n", em / qm;
        printf "ratio emu/qemu to-exit: %.2f\n", ee / qe }'
fi

#!/bin/sh
# KVM x86 side by side: emu-system-x86_64 vs qemu-system-x86_64 -M microvm,
# both with -enable-kvm and the same bare-metal PVH guest
# (tests/guest/x86/pvh64.elf):
#   1. process start to exit of a minimal guest (test=quiet: no output,
#      straight to isa-debug-exit);
#   2. the round trip of a port I/O exit: (time with N outb to port 0x80 -
#      time with none) / N.
# Prints medians and ratios (emu / QEMU; below 1 means emu is faster).
#   bench/x86_kvm.sh [runs]      (EMU_BUILD_DIR, QEMU, N override)
set -eu
cd "$(dirname "$0")/.."
BUILD="${EMU_BUILD_DIR:-build}"
RUNS="${1:-15}"
N="${N:-200000}"
EMU="$BUILD/system/emu-system-x86_64"
GUEST="$BUILD/tests/guest/x86/pvh64.elf"
QEMU="${QEMU:-qemu-system-x86_64}"
if [ ! -r /dev/kvm ] || [ ! -w /dev/kvm ]; then
    echo "SKIP: /dev/kvm unusable"
    exit 0
fi
[ -x "$EMU" ] && [ -f "$GUEST" ] || {
    echo "build first: ninja -C $BUILD emu-system-x86_64 x86-guests" >&2
    exit 1
}
command -v "$QEMU" >/dev/null || { echo "SKIP: $QEMU not installed"; exit 0; }

python3 - "$EMU" "$QEMU" "$GUEST" "$RUNS" "$N" <<'PY'
import statistics, subprocess, sys, time
emu, qemu, guest, runs, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
dev = ["-device", "isa-debug-exit,iobase=0xf4,iosize=4"]
cmds = {
    "emu": [emu, "-M", "microvm", "-cpu", "host", "-m", "128", "-display", "none",
            "-serial", "null", "-kernel", guest] + dev,
    "qemu": [qemu, "-M", "microvm", "-enable-kvm", "-cpu", "host", "-m", "128", "-nodefaults",
             "-no-user-config", "-display", "none", "-serial", "null", "-kernel", guest] + dev,
}

def run(cmd, append):
    t0 = time.perf_counter()
    r = subprocess.run(cmd + ["-append", append], stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
    t = time.perf_counter() - t0
    if r.returncode != 1:
        sys.exit(f"{cmd[0]} -append {append}: exit status {r.returncode}, expected 1")
    return t

res = {k: {"start": [], "pio": [], "base": []} for k in cmds}
for _ in range(runs):          # interleaved, so drift hits both alike
    for k, c in cmds.items():
        res[k]["start"].append(run(c, "test=quiet"))
        res[k]["base"].append(run(c, "test=pio-bench n=0"))
        res[k]["pio"].append(run(c, f"test=pio-bench n={n}"))
med = {k: {m: statistics.median(v) for m, v in d.items()} for k, d in res.items()}
pio_us = {k: (med[k]["pio"] - med[k]["base"]) / n * 1e6 for k in cmds}
print(f"runs: {runs}, port I/O exits per run: {n}")
print(f"{'':32} {'emu':>10} {'qemu microvm':>14} {'emu/qemu':>9}")
print(f"{'start to exit (ms, median)':32} {med['emu']['start']*1e3:10.1f} "
      f"{med['qemu']['start']*1e3:14.1f} {med['emu']['start']/med['qemu']['start']:9.2f}")
print(f"{'port I/O exit round trip (us)':32} {pio_us['emu']:10.2f} {pio_us['qemu']:14.2f} "
      f"{pio_us['emu']/pio_us['qemu']:9.2f}")
PY

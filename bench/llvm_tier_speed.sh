#!/bin/sh
# Steady-state speed of the CPU-bound guest program bench_cpu.c
# (tests/guest/aarch64) under our interpreter, the x86 baseline tier, tier=auto
# (baseline first, LLVM for hot blocks; the "llvm" row)
# and qemu-system-aarch64 TCG, side by side. Each run is timed twice, at
# BENCH_SCALE=1 and at BENCH_SCALE=N; the difference is the steady state
# (start-up, translation and compilation cancel out). CPU time (user+sys)
# is used because these machines are shared; medians of RUNS runs.
#
# Until the virt board runs bare-metal programs end to end, our side runs
# in emu-llvm-arm-bench (one ArmCpu over RAM, a UART sink, semihosting and
# PSCI exits), built from tests/unit/llvm/arm_bench.cpp.
#
# Usage: bench/llvm_tier_speed.sh [build-dir]   (env: N=12 RUNS=3 GUEST_DIR)
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
N=${N:-12}
RUNS=${RUNS:-3}
gdir=${GUEST_DIR:-$root/tests/guest/aarch64}
out=$(mktemp -d /tmp/emu-llvm-bench.XXXXXX)
trap 'rm -rf "$out"' EXIT

command -v aarch64-linux-gnu-gcc >/dev/null || { echo "needs gcc-aarch64-linux-gnu"; exit 1; }
[ -f "$gdir/bench_cpu.c" ] || { echo "no $gdir/bench_cpu.c (set GUEST_DIR)"; exit 1; }
ninja -C "$build" emu-llvm-arm-bench >/dev/null

# -mgeneral-regs-only: the translator has no AdvSIMD MOVI yet, and the
# same binary must run everywhere.
for s in 1 "$N"; do
  aarch64-linux-gnu-gcc -O2 -ffreestanding -nostdlib -nostartfiles -fno-builtin \
    -fno-tree-loop-distribute-patterns -fno-stack-protector -fno-pic -static -mstrict-align \
    -mgeneral-regs-only -march=armv8.1-a+crc -T "$gdir/lib/link.ld" -Wl,--build-id=none \
    -Wl,-z,norelro -Wl,--no-warn-rwx-segments -DBENCH_SCALE="$s" -o "$out/b$s.elf" \
    "$gdir/lib/crt0.S" "$gdir/lib/vectors.S" "$gdir/lib/rt.c" "$gdir/bench_cpu.c"
  aarch64-linux-gnu-objcopy -O binary "$out/b$s.elf" "$out/b$s.bin"
done

# cpu seconds (user+sys) of one command; fails if the guest does not pass.
cpu_of() {
  /usr/bin/time -f "%U %S" -o "$out/t" "$@" >"$out/o" 2>&1 || { cat "$out/o"; exit 1; }
  grep -q "ALL PASSED" "$out/o" || { cat "$out/o"; exit 1; }
  awk '{ printf "%.3f\n", $1 + $2 }' "$out/t"
}
median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
measure() {  # name, command prefix (the binary is appended)
  name=$1; shift
  for s in 1 "$N"; do
    i=0
    while [ $i -lt "$RUNS" ]; do cpu_of "$@" "$out/b$s.$ext"; i=$((i + 1)); done | median >"$out/$name.$s"
  done
  awk -v a="$(cat "$out/$name.1")" -v b="$(cat "$out/$name.$N")" -v n="$name" \
    'BEGIN { printf "%-8s scale 1: %6.3f s  scale N: %6.3f s  steady state: %6.3f s\n", n, a, b, b - a }'
  awk -v a="$(cat "$out/$name.1")" -v b="$(cat "$out/$name.$N")" 'BEGIN { print b - a }' >"$out/$name.ss"
}

echo "bench_cpu.c, BENCH_SCALE 1 vs $N, median of $RUNS runs, CPU seconds (user+sys)"
ext=bin
measure interp "$build/tests/unit/llvm/emu-llvm-arm-bench" interp
measure baseline "$build/tests/unit/llvm/emu-llvm-arm-bench" baseline
measure llvm "$build/tests/unit/llvm/emu-llvm-arm-bench" auto
if command -v qemu-system-aarch64 >/dev/null; then
  ext=elf
  measure qemu qemu-system-aarch64 -M virt -cpu cortex-a57 -nographic -semihosting -kernel
  awk -v i="$(cat "$out/interp.ss")" -v l="$(cat "$out/llvm.ss")" -v q="$(cat "$out/qemu.ss")" \
    -v b="$(cat "$out/baseline.ss")" \
    'BEGIN { printf "steady-state ratios: llvm/qemu %.2f  baseline/qemu %.2f  interp/qemu %.2f  interp/llvm %.2f\n", l / q, b / q, i / q, i / l }'
else
  echo "qemu-system-aarch64 not installed: no QEMU column"
fi

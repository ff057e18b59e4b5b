#!/bin/sh
# Every bare-metal program of tests/guest/aarch64 gives the same output
# under the interpreter, under tier=llvm (every block compiled before it
# runs) and under tier=auto with hot-threshold 1 (blocks switch to compiled
# code while running, chaining and self loops included), and with
# hot-threshold 50 (loops of several blocks become LLVM regions,
# tcg/exec/region.cpp, while they run). Runs them in
# emu-llvm-arm-bench (RAM, a UART sink, semihosting/PSCI exits), so programs
# that need the board's other devices fail the same way in every tier.
# Usage: guest_tiers.sh <emu-llvm-arm-bench> <guest-dir>
set -eu
bench=$1
gdir=$2
out=$(mktemp -d /tmp/emu-llvm-guest.XXXXXX)
trap 'rm -rf "$out"' EXIT
cflags="-O2 -ffreestanding -nostdlib -nostartfiles -fno-builtin -fno-tree-loop-distribute-patterns
  -fno-stack-protector -fno-pic -static -mstrict-align -march=armv8.1-a+crc
  -T $gdir/lib/link.ld -Wl,--build-id=none -Wl,-z,norelro -Wl,--no-warn-rwx-segments"
fail=0
n=0
for src in "$gdir"/*.c; do
  name=$(basename "$src" .c)
  case "$name" in
    smp | tlbi_smp)
      # Spins until PSCI CPU_ON'd secondaries report; the bench has one CPU,
      # so it would only run into the timeouts (tests/functional/aarch64 runs it).
      echo "skip $name: needs secondary CPUs"
      continue
      ;;
  esac
  extra=""
  [ -f "$gdir/$name.S" ] && extra="$gdir/$name.S"
  # shellcheck disable=SC2086
  if ! aarch64-linux-gnu-gcc $cflags -o "$out/$name.elf" "$gdir/lib/crt0.S" "$gdir/lib/vectors.S" \
    "$gdir/lib/rt.c" "$src" $extra 2>/dev/null; then
    echo "skip $name: needs more than lib/ to build (generated data)"
    continue
  fi
  aarch64-linux-gnu-objcopy -O binary "$out/$name.elf" "$out/$name.bin"
  timeout 120 "$bench" interp "$out/$name.bin" >"$out/$name.interp" 2>/dev/null || true
  # -O0 for the every-block run: same lowering, a quarter of the compile time.
  EMU_LLVM_OPT=0 timeout 300 "$bench" llvm "$out/$name.bin" >"$out/$name.llvm" 2>/dev/null || true
  timeout 120 "$bench" auto "$out/$name.bin" 1 >"$out/$name.auto" 2>/dev/null || true
  timeout 120 "$bench" auto "$out/$name.bin" 50 >"$out/$name.region" 2>/dev/null || true
  for t in llvm auto region; do
    if ! cmp -s "$out/$name.interp" "$out/$name.$t"; then
      echo "FAIL $name: tier=$t output differs from the interpreter"
      diff "$out/$name.interp" "$out/$name.$t" | head -5
      fail=1
    fi
  done
  n=$((n + 1))
done
[ "$n" -gt 0 ] || { echo "no programs in $gdir"; exit 1; }
echo "$n programs, identical output in all tiers: $([ $fail = 0 ] && echo yes || echo no)"
exit $fail

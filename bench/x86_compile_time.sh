#!/bin/sh
# Compile time of the x86 baseline tier: CPU microseconds per block over
# random optimised IR blocks of typical size (the LLVM tier's test
# generator), medians of RUNS runs. CPU time of the compiling thread, so a
# shared machine's load does not distort it.
#
# Usage: bench/x86_compile_time.sh [build-dir]   (env: RUNS=3 BLOCKS=20000)
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
RUNS=${RUNS:-3}
BLOCKS=${BLOCKS:-20000}
ninja -C "$build" emu-x86-compile-bench >/dev/null
i=0
while [ $i -lt "$RUNS" ]; do
  "$build/tests/unit/tcg_x86/emu-x86-compile-bench" "$BLOCKS" | head -1
  i=$((i + 1))
done | tee /dev/stderr | awk '{ for (f = 1; f <= NF; f++) if ($f == "us/block") print $(f - 1) }' |
  sort -n | awk '{ a[NR] = $1 } END { printf "median: %s us/block (CPU)\n", a[int((NR + 1) / 2)] }'

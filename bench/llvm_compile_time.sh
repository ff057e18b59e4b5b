#!/bin/sh
# Compile time per block of the LLVM tier at -O0/-O1/-O2, one block per
# module and in batches of 8, on random translated-looking blocks (CPU time
# of the compile thread: wall time on a shared machine mostly measures the
# neighbours). Usage: bench/llvm_compile_time.sh [build-dir] [blocks] [ops]
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
ninja -C "$build" emu-llvm-compile-bench >/dev/null
exec "$build/tests/unit/llvm/emu-llvm-compile-bench" "${2:-200}" "${3:-40}"

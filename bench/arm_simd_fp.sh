#!/bin/bash
# AdvSIMD floating-point workload (tests/guest/aarch64/bench_simd_fp.bin:
# matrix products by element, FRSQRTE/FRSQRTS normalisation, double FMLA by
# element, fixed-point conversions) on -M virt: emu's translator tiers
# against qemu-system-aarch64 TCG, through the runner of bench/arm_crypto.sh
# (medians of user CPU and wall time, CPU-time ratio emu/QEMU, results must
# match between runners).
#
#   bench/arm_simd_fp.sh [build-dir] [runs]
build=${1:-build}
BENCH_PROG=bench_simd_fp exec "$(dirname "$0")/arm_crypto.sh" "$@"

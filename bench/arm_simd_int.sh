#!/bin/bash
# Integer AdvSIMD workload (tests/guest/aarch64/bench_simd_int.bin:
# fixed-point audio and video kernels with saturating, rounding, by-element
# and accumulate-long forms) on -M virt: emu's translator tiers against
# qemu-system-aarch64 TCG, measured as arm_crypto.sh does (medians of user
# CPU and wall time, CPU-time ratio emu/QEMU; the outputs must agree).
#
#   bench/arm_simd_int.sh [build-dir] [runs]
BENCH_PROG=bench_simd_int exec "$(dirname "$0")/arm_crypto.sh" "$@"

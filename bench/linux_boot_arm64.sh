#!/bin/sh
# Boot time of Debian's arm64 kernel + busybox initramfs, ours vs QEMU TCG
# (process start -> init marker, -> exit after poweroff -f), wall and CPU
# time, medians and ratios. Options: bench/linux_arm64_bench.py --help.
#
#   bench/linux_boot_arm64.sh [runs] [more options, e.g. --cpu max --smp 2]
cd "$(dirname "$0")/.." || exit 1
RUNS="${1:-5}"
[ $# -gt 0 ] && shift
exec python3 bench/linux_arm64_bench.py boot --runs "$RUNS" "$@"

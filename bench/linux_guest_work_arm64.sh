#!/bin/sh
# In-guest CPU work on Debian's arm64 kernel + busybox initramfs, ours vs
# QEMU TCG: busybox sha256sum over 64 MiB and gzip -6 over 32 MiB by
# default (--work sha256,gzip,bzip2,sort for all), wall and CPU time,
# medians and ratios. Options: bench/linux_arm64_bench.py --help.
#
#   bench/linux_guest_work_arm64.sh [runs] [more options, e.g. --cpu max]
cd "$(dirname "$0")/.." || exit 1
RUNS="${1:-3}"
[ $# -gt 0 ] && shift
exec python3 bench/linux_arm64_bench.py work --runs "$RUNS" "$@"

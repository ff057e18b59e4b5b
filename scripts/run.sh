#!/bin/sh
# The main job: installs dependencies, builds emu, fetches Debian's arm64
# kernel and busybox into the cache (~/.cache/emu) and boots it to an
# interactive shell on this terminal (Ctrl-a x quits, Ctrl-a c: monitor).
#
#   scripts/run.sh                 the Linux guest (extra args go to emu)
#   scripts/run.sh --bare-metal    a bare-metal aarch64 test program instead
set -eu
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
./scripts/build.sh
EMU=./build/system/emu-system-aarch64
if [ "${1:-}" = "--bare-metal" ]; then
    shift
    exec "$EMU" -M virt -cpu cortex-a57 -m 128M -nographic -semihosting \
        -kernel build/tests/guest/aarch64/hello.elf "$@"
fi
G=$(./scripts/fetch-guest.sh arm64)
exec "$EMU" -M virt -cpu cortex-a57 -m 1G -smp 2 \
    -kernel "$G/vmlinuz" -initrd "$G/initramfs.cpio.gz" \
    -append "console=ttyAMA0" -nographic "$@"

#!/bin/sh
# aarch64_virtio_blk_test.sh EMU GUEST_ELF
# On -M virt, a bare-metal guest checks a qcow2 disk through virtio-blk on a
# virtio-mmio slot and writes a pattern; the host checks the image with
# qemu-io and qemu-img check. Skips (77) without qemu-utils or while the virt
# board has no virtio devices.
set -u
emu=$1 guest=$2
for t in qemu-img qemu-io; do
    command -v $t >/dev/null 2>&1 || { echo "SKIP: $t not installed (qemu-utils)"; exit 77; }
done
[ -f "$guest" ] || { echo "SKIP: $guest not built (gcc-aarch64-linux-gnu)"; exit 77; }
"$emu" -device help 2>/dev/null | grep -q '"virtio-blk-device"' || {
    echo "SKIP: $emu has no virtio-blk-device yet"; exit 77; }
dir=$(mktemp -d /tmp/emu-virtio-a64-XXXXXX)
trap 'rm -rf "$dir"' EXIT
img=$dir/disk.qcow2
qemu-img create -q -f qcow2 "$img" 8M || exit 1
qemu-io -f qcow2 -c "write -P 0x5a 0 64k" "$img" >/dev/null || exit 1

out=$(timeout 120 "$emu" -M virt -cpu cortex-a57 -m 256M -nographic -semihosting \
    -kernel "$guest" -drive file="$img",format=qcow2,if=none,id=d0 \
    -device virtio-blk-device,drive=d0 2>&1)
rc=$?
echo "$out"
[ $rc -eq 0 ] || { echo "FAIL: exit status $rc"; exit 1; }
case "$out" in *"virtio-blk: TEST PASS"*) ;; *) echo "FAIL: no TEST PASS"; exit 1 ;; esac

out=$(qemu-io -f qcow2 -c "read -P 0xa5 64k 8k" -c "read -P 0x5a 0 64k" -c "read -P 0 72k 8k" "$img" 2>&1)
case "$out" in
    *"Pattern verification failed"*|*"error"*) echo "$out"; echo "FAIL: image content"; exit 1 ;;
esac
qemu-img check -q -f qcow2 "$img" || { echo "FAIL: qemu-img check"; exit 1; }
echo "PASS: the guest's writes are in the qcow2 image and it checks clean"

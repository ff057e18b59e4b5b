#!/bin/sh
# x86_virtio_blk_test.sh EMU GUEST_ELF RUN_GUEST_PY PYTHON
# The host prepares a qcow2 image (64 KiB of 0x5a at offset 0), the guest
# checks it through virtio-blk-pci and writes 8 KiB of 0xa5 at 64 KiB; the
# host then checks the image with qemu-io and qemu-img check.
set -u
emu=$1 guest=$2 run_guest=$3 python=$4
for t in qemu-img qemu-io; do
    command -v $t >/dev/null 2>&1 || { echo "SKIP: $t not installed (qemu-utils)"; exit 77; }
done
[ -f "$guest" ] || { echo "FAIL: guest $guest not built"; exit 1; }
dir=$(mktemp -d /tmp/emu-virtio-func-XXXXXX)
trap 'rm -rf "$dir"' EXIT
img=$dir/disk.qcow2
qemu-img create -q -f qcow2 "$img" 8M || exit 1
qemu-io -f qcow2 -c "write -P 0x5a 0 64k" "$img" >/dev/null || exit 1

"$python" "$run_guest" --status 1 --timeout 120 \
    --expect "virtio-blk: read OK" --expect "virtio-blk: write OK" --expect "INTx on GSI" --expect "TEST PASS" -- \
    "$emu" -M pc -m 256M -display none -serial stdio -kernel "$guest" \
    -device isa-debug-exit,iobase=0xf4,iosize=4 \
    -drive file="$img",format=qcow2,if=virtio
rc=$?
[ $rc -eq 0 ] || exit $rc

out=$(qemu-io -f qcow2 -c "read -P 0xa5 64k 8k" -c "read -P 0x5a 0 64k" -c "read -P 0 72k 8k" "$img" 2>&1)
case "$out" in
    *"Pattern verification failed"*|*"error"*) echo "$out"; echo "FAIL: image content"; exit 1 ;;
esac
qemu-img check -q -f qcow2 "$img" || { echo "FAIL: qemu-img check"; exit 1; }
echo "PASS: the guest's writes are in the qcow2 image and it checks clean"

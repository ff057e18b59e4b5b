#!/bin/sh
# Disk and network I/O of Debian's arm64 kernel on -M virt (guest from
# scripts/fetch-guest.sh arm64).
#
#   linux_arm64_io_test.sh <emu-system-aarch64> <emu-img> CASE
#
# disk-pci, disk-mmio, disk-default: emu-img makes a qcow2, qemu-io writes
# two patterns into it, the guest hashes them through /dev/vda
# (virtio-blk-pci, virtio-blk-device, or plain -drive which must become
# virtio-blk-pci as on QEMU; sysfs tells which transport the disk sits on)
# and copies them to another offset; after power-off the host checks the
# copy with qemu-io and the image with `qemu-img check`.
# net (-nic user), net-pci (-netdev user + virtio-net-pci), net-mmio
# (-netdev user + virtio-net-device): the guest configures eth0 by hand and
# fetches a random file from a python3 HTTP server on the host's 127.0.0.1
# through slirp's 10.0.2.2; the hashes must match. net-lowecam: -nic user on
# -M virt,highmem=off,gic-version=3 (the low 16-bus ECAM, the ITS).
# /proc/interrupts must show: disk-pci (GICv2, so the GICv2m frame) the
# disk's queue interrupt as an MSI that fired; net and net-pci the NIC's
# receive queue on MSI-X; net-lowecam the same through the ITS (ITS-MSI);
# disk-default runs on gic-version=3,its=off and must use INTx.
set -u
EMU="$1"
EMU_IMG="$2"
CASE="$3"
ROOT="$(cd "$(dirname "$0")/../../.." && pwd)"

. "$ROOT/tests/functional/lib/guest.sh"
G=$(fetch_guest_or_skip arm64) || exit $?

MACHINE=virt
DIR=$(mktemp -d)
OUT="$DIR/out.txt"
SERVER_PID=
cleanup() {
    [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null
    rm -rf "$DIR"
}
trap cleanup EXIT

fail() {
    echo "FAIL ($CASE): $1"
    if [ -f "$OUT" ]; then
        echo "--- guest output (last 40 lines) ---"
        tail -40 "$OUT"
    fi
    exit 1
}

sha() { python3 -c "import hashlib,sys;print(hashlib.sha256(sys.stdin.buffer.read()).hexdigest())"; }

# run_guest "<extra emulator args>" "<guest shell command>"
run_guest() {
    # shellcheck disable=SC2086
    timeout 120 "$EMU" -M "$MACHINE" -cpu cortex-a57 -m 512M -nographic \
        -kernel "$G/vmlinuz" -initrd "$G/initramfs.cpio.gz" $1 \
        -append "console=ttyAMA0 quiet -- sh -c \"$2\"" </dev/null >"$OUT" 2>&1
    STATUS=$?
    [ "$STATUS" -eq 124 ] && fail "timed out"
    grep -q EMU-GUEST-READY "$OUT" || fail "no EMU-GUEST-READY marker"
    [ "$STATUS" -eq 0 ] || fail "emulator exit status $STATUS"
    LINES=$(tr -d '\r' <"$OUT")
    echo "$LINES" | grep -qx "EMU-CMD-EXIT=0" || fail "guest command status is not 0"
}

case "$CASE" in
disk-pci | disk-mmio | disk-default)
    command -v qemu-io >/dev/null || { echo "SKIP: no qemu-io"; exit 77; }
    IMG="$DIR/disk.qcow2"
    "$EMU_IMG" create -f qcow2 "$IMG" 16M >/dev/null || fail "emu-img create failed"
    # Two 4 KiB patterns at 64 KiB (sectors 128..143).
    qemu-io -f qcow2 -c "write -P 0xa5 65536 4096" -c "write -P 0x3c 69632 4096" "$IMG" \
        >/dev/null || fail "qemu-io write failed"
    EXPECT=$(python3 -c "import sys;sys.stdout.buffer.write(b'\xa5'*4096+b'\x3c'*4096)" | sha)
    case "$CASE" in
        disk-pci) ARGS="-drive file=$IMG,if=none,id=d0 -device virtio-blk-pci,drive=d0" ;;
        disk-mmio) ARGS="-drive file=$IMG,if=none,id=d0 -device virtio-blk-device,drive=d0" ;;
        *) ARGS="-drive file=$IMG,format=qcow2" MACHINE=virt,gic-version=3,its=off ;;
    esac
    # Read sectors 128..143, then copy them to 2 MiB (sector 4096).
    run_guest "$ARGS" \
        "cat /proc/interrupts; readlink -f /sys/block/vda; dd if=/dev/vda bs=512 skip=128 count=16 2>/dev/null | sha256sum; dd if=/dev/vda bs=512 skip=128 count=16 2>/dev/null | dd of=/dev/vda bs=512 seek=4096 conv=fsync 2>/dev/null && echo WRITE-DONE"
    echo "$LINES" | grep -q "^$EXPECT  -\$" || fail "guest read hash differs from $EXPECT"
    if [ "$CASE" = disk-mmio ]; then
        echo "$LINES" | grep -q "^/sys/devices/platform/.*virtio_mmio.*/block/vda\$" ||
            fail "/dev/vda is not on virtio-mmio"
    else
        echo "$LINES" | grep -q "^/sys/devices/platform/.*pcie/pci0000:00/.*/block/vda\$" ||
            fail "/dev/vda is not on the PCIe host"
    fi
    echo "$LINES" | grep -qx "WRITE-DONE" || fail "guest write failed"
    if [ "$CASE" = disk-pci ]; then
        # e.g. " 20:   1   MSI 32769 Edge   virtio1-req.0" (count before the reads).
        echo "$LINES" | grep -Eq '^ *[0-9]+: +[1-9][0-9]* +MSI +[0-9]+ +Edge +virtio[0-9]+-req\.0$' ||
            fail "virtio-blk-pci queue interrupt is not a delivered MSI in /proc/interrupts"
    elif [ "$CASE" = disk-default ]; then
        echo "$LINES" | grep -Eq '^ *[0-9]+: +[1-9][0-9]* +GICv3 +3[5-8] +Level +virtio[0-9]+$' ||
            fail "with its=off virtio-blk-pci is not on a GICv3 INTx line"
    fi
    V=$(qemu-io -f qcow2 -c "read -P 0xa5 2097152 4096" -c "read -P 0x3c 2101248 4096" \
        -c "read -P 0 2105344 4096" -c "read -P 0 2093056 4096" "$IMG" 2>&1) ||
        fail "qemu-io read failed: $V"
    echo "$V" | grep -qi "fail\|error" && fail "guest write not found on the host: $V"
    [ "$(echo "$V" | grep -c '^read 4096/4096')" -eq 4 ] || fail "qemu-io reads: $V"
    C=$(qemu-img check "$IMG" 2>&1) || fail "qemu-img check: $C"
    echo "$C" | grep -q "No errors were found" || fail "qemu-img check: $C"
    ;;
net | net-pci | net-mmio | net-lowecam)
    head -c 262144 /dev/urandom >"$DIR/file.bin"
    EXPECT=$(sha <"$DIR/file.bin")
    python3 -c "
import http.server, functools, sys
h = functools.partial(http.server.SimpleHTTPRequestHandler, directory='$DIR')
class Quiet(h.func):
    def log_message(self, *a): pass
s = http.server.HTTPServer(('127.0.0.1', 0), functools.partial(Quiet, directory='$DIR'))
open('$DIR/port.tmp', 'w').write(str(s.server_address[1]))
import os; os.rename('$DIR/port.tmp', '$DIR/port')
s.serve_forever()
" &
    SERVER_PID=$!
    i=0
    while [ ! -f "$DIR/port" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
    [ -f "$DIR/port" ] || fail "HTTP server did not start"
    PORT=$(cat "$DIR/port")
    case "$CASE" in
        net) ARGS="-nic user" ;;
        net-lowecam) ARGS="-nic user" MACHINE=virt,highmem=off,gic-version=3 ;;
        net-pci) ARGS="-netdev user,id=n0 -device virtio-net-pci,netdev=n0" ;;
        *) ARGS="-netdev user,id=n0 -device virtio-net-device,netdev=n0" ;;
    esac
    run_guest "$ARGS" \
        "cat /proc/interrupts; readlink -f /sys/class/net/eth0; ifconfig eth0 10.0.2.15 netmask 255.255.255.0 up && route add default gw 10.0.2.2 && wget -q -O - http://10.0.2.2:$PORT/file.bin | sha256sum"
    echo "$LINES" | grep -q "^$EXPECT  -\$" || fail "downloaded file hash differs from $EXPECT"
    case "$CASE" in
        net-mmio) WANT='/sys/devices/platform/.*virtio_mmio/' ;;
        net-lowecam) WANT='/sys/devices/platform/3f000000.pcie/pci0000:00/' ;;
        *) WANT='/sys/devices/platform/4010000000.pcie/pci0000:00/' ;;
    esac
    echo "$LINES" | grep -q "^$WANT.*/net/eth0\$" || fail "eth0 is not under $WANT"
    case "$CASE" in
        net-mmio) ;;
        net-lowecam)
            echo "$LINES" | grep -Eq '^ *[0-9]+: +[0-9]+ +ITS-MSI +[0-9]+ +Edge +virtio[0-9]+-input\.0$' ||
                fail "virtio-net-pci does not use MSI-X through the ITS" ;;
        *)
            echo "$LINES" | grep -Eq '^ *[0-9]+: +[0-9]+ +MSI +[0-9]+ +Edge +virtio[0-9]+-input\.0$' ||
                fail "virtio-net-pci receive queue does not use MSI-X" ;;
    esac
    ;;
*)
    echo "unknown case $CASE"
    exit 2
    ;;
esac
echo "PASS ($CASE)"

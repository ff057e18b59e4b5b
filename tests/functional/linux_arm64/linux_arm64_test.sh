#!/bin/sh
# Boots Debian's arm64 kernel to the busybox /init of scripts/fetch-guest.sh
# and checks what the guest reports.
#
#   linux_arm64_test.sh <emu-system-aarch64> smp1|smp2|gic3|poweroff
#
# smp1/smp2/gic3: `uname -m` is aarch64, `nproc` is the -smp count, the
# sha256 of a generated file matches the host's, the command exits 0 and
# the emulator exits 0 after /init powers off. poweroff: `poweroff -f` as
# the command ends the emulator with status 0.
set -u
EMU="$1"
CASE="$2"
ROOT="$(cd "$(dirname "$0")/../../.." && pwd)"

. "$ROOT/tests/functional/lib/guest.sh"
G=$(fetch_guest_or_skip arm64) || exit $?

MACHINE=virt
SMP=1
case "$CASE" in
    smp1) ;;
    smp2) SMP=2 ;;
    gic3) SMP=2; MACHINE=virt,gic-version=3 ;;
    poweroff) ;;
    *) echo "unknown case $CASE"; exit 2 ;;
esac

# A generated file whose checksum the host computes the same way.
GEN='seq 1 200000 > /tmp/gen.txt'
EXPECT_SUM=$(seq 1 200000 | sha256sum | cut -d' ' -f1)
# smp1 also loads the Cryptographic Extension drivers (initramfs
# /etc/modules-crypto; an initramfs fetched before they were added lacks
# it) and lists each -ce driver's self-test result from /proc/crypto, and
# counts "alg: ... failed" lines (the pattern does not match itself).
CE=''
if [ "$CASE" = smp1 ]; then
    CE='grep -m1 Features /proc/cpuinfo; if [ -f /etc/modules-crypto ]; then echo CE-MODULES;'
    CE="$CE"' for m in $(cat /etc/modules-crypto); do insmod $m; done;'
    CE="$CE"" awk '/^driver/{d=\$3} /^selftest/{if (d ~ /-ce\$/) print d, \$3}' /proc/crypto;"
    CE="$CE"" echo ALG-FAILURES=\$(dmesg | grep -c 'alg:.*fai[l]'); fi;"
fi
if [ "$CASE" = poweroff ]; then
    CMD='poweroff -f'
else
    CMD="sh -c \"$CE uname -m; nproc; $GEN; sha256sum /tmp/gen.txt\""
fi

OUT=$(mktemp)
trap 'rm -f "$OUT"' EXIT
timeout 120 "$EMU" -M "$MACHINE" -cpu cortex-a57 -m 1G -smp "$SMP" -nographic \
    -kernel "$G/vmlinuz" -initrd "$G/initramfs.cpio.gz" \
    -append "console=ttyAMA0 quiet -- $CMD" </dev/null >"$OUT" 2>&1
STATUS=$?

fail() {
    echo "FAIL ($CASE): $1"
    echo "--- guest output (last 40 lines) ---"
    tail -40 "$OUT"
    exit 1
}

[ "$STATUS" -eq 124 ] && fail "timed out"
grep -q EMU-GUEST-READY "$OUT" || fail "no EMU-GUEST-READY marker"
[ "$STATUS" -eq 0 ] || fail "emulator exit status $STATUS"
if [ "$CASE" = poweroff ]; then
    # The command never returns: the guest is gone before /init reports.
    grep -q EMU-CMD-EXIT "$OUT" && fail "poweroff -f returned"
    echo "PASS ($CASE)"
    exit 0
fi
# Lines as the guest printed them (the serial console adds CRs).
LINES=$(tr -d '\r' <"$OUT")
echo "$LINES" | grep -qx aarch64 || fail "uname -m did not print aarch64"
echo "$LINES" | grep -qx "$SMP" || fail "nproc did not print $SMP"
echo "$LINES" | grep -q "^$EXPECT_SUM  /tmp/gen.txt\$" || fail "checksum differs from $EXPECT_SUM"
echo "$LINES" | grep -qx "EMU-CMD-EXIT=0" || fail "command status is not 0"
if [ "$CASE" = smp1 ]; then
    # /proc/cpuinfo as under QEMU's cortex-a57.
    FEAT=$(echo "$LINES" | grep -m1 '^Features')
    for f in aes pmull sha1 sha2 crc32; do
        echo "$FEAT" | grep -qw "$f" || fail "/proc/cpuinfo Features lacks $f: $FEAT"
    done
    echo "$LINES" | grep -qx CE-MODULES || fail "the initramfs has no /etc/modules-crypto"
    for d in aes-ce ecb-aes-ce cbc-aes-ce ctr-aes-ce xts-aes-ce gcm-aes-ce sha1-ce \
             sha224-ce sha256-ce crct10dif-arm64-ce; do
        echo "$LINES" | grep -qx "$d passed" || fail "crypto driver $d: self-test not passed"
    done
    echo "$LINES" | grep -qx "ALG-FAILURES=0" || fail "crypto self-test failures in dmesg"
fi
echo "PASS ($CASE)"

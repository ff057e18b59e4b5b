# Shared helpers for the block functional tests (sourced).
set -u
B="$1"
EMU_IMG="$B/tools/emu-img/emu-img"
BIO="$B/tests/functional/block/emu-block-io"
QEMU_IMG=$(command -v qemu-img || true)
QEMU_IO=$(command -v qemu-io || true)
T=$(mktemp -d /tmp/emu-block-func-XXXXXX)
trap 'rm -rf "$T"' EXIT
fail=0
pass() { echo "ok: $*"; }
bad() { echo "FAIL: $*"; fail=1; }
need_qemu() {
    if [ -z "$QEMU_IMG" ] || [ -z "$QEMU_IO" ]; then
        echo "SKIP: qemu-img/qemu-io not installed (Debian package qemu-utils)"
        exit 77
    fi
}
# run DESC CMD...: the command must succeed.
run() {
    desc="$1"; shift
    if out=$("$@" 2>&1); then pass "$desc"; else bad "$desc: $out"; fi
}
# qcheck DESC IMG: qemu-img check must find no errors and no leaks.
qcheck() {
    if out=$("$QEMU_IMG" check "$2" 2>&1); then pass "qemu-img check clean: $1"
    else bad "qemu-img check: $1: $out"; fi
}
# same DESC A B: the raw contents are identical (qemu-img compare as oracle).
same() {
    if out=$("$QEMU_IMG" compare "$2" "$3" 2>&1); then pass "$1"; else bad "$1: $out"; fi
}
# A raw file with data, written zeroes and holes.
make_pattern_raw() {  # file size_mib
    f="$1"; n="$2"
    rm -f "$f"; truncate -s "${n}M" "$f"
    head -c $((n * 256 * 1024)) /dev/urandom | dd of="$f" conv=notrunc bs=64k seek=0 2>/dev/null
    dd if=/dev/zero of="$f" conv=notrunc bs=64k seek=$((n * 4)) count=$((n * 2)) 2>/dev/null
    yes "emu block layer test text line" | head -c $((n * 256 * 1024)) |
        dd of="$f" conv=notrunc bs=64k seek=$((n * 8)) 2>/dev/null
}

#!/bin/sh
# Hostile images: every one gets a clear error naming the problem, never a
# crash or a hang; check reports and repairs refcount damage.
. "$(dirname "$0")/lib.sh"
need_qemu
P="$(dirname "$0")/patch_qcow2.py"

# expect_err DESC TEXT CMD...: the command fails (status 1..2), its output
# names the problem, and it did not die from a signal.
expect_err() {
    desc="$1"; text="$2"; shift 2
    out=$(timeout 20 "$@" 2>&1); st=$?
    if [ $st -ge 124 ]; then bad "$desc: status $st (crash or hang): $out"; return; fi
    if [ $st = 0 ]; then bad "$desc: succeeded: $out"; return; fi
    case "$out" in *"$text"*) pass "$desc" ;; *) bad "$desc: lacks '$text': $out" ;; esac
}
base() {  # a small valid image with data
    rm -f "$T/h.qcow2"
    "$QEMU_IMG" create -q -f qcow2 "$T/h.qcow2" 4M
    "$QEMU_IO" -c "write -P 0x5a 0 128k" "$T/h.qcow2" >/dev/null
}
hostile() {  # action, expected text
    base; python3 "$P" "$T/h.qcow2" "$1"
    expect_err "$1: info" "$2" "$EMU_IMG" info "$T/h.qcow2"
    expect_err "$1: open for I/O" "$2" "$BIO" "$T/h.qcow2" read 0x5a 0 4096
}
hostile truncate-header "truncated"
hostile truncate-tables "past the end of the file"
hostile l1-overlaps-refcount "overlaps the refcount table"
hostile l2-past-eof "past the end of the file"
hostile l2-unaligned "not cluster aligned"
hostile refcount-table-past-eof "Reference count table"
hostile refblock-past-eof "refcount block offset"
hostile huge-l1 "L1 table too large"
hostile huge-refcount-table "Reference count table too large"
hostile cluster-bits "Unsupported cluster size"
hostile unknown-feature "not supported yet: qcow2 feature(s): bit 10"
hostile too-many-snapshots "Too many snapshots"
hostile backing-name "Backing file name"

# A data cluster past the end of the file: an I/O error that says so.
base; python3 "$P" "$T/h.qcow2" data-past-eof
expect_err "data cluster past EOF" "past the end of the image" "$BIO" "$T/h.qcow2" read 0x5a 0 4096
expect_err "write to a data cluster past EOF" "past the end of the image" "$BIO" "$T/h.qcow2" write 1 0 512
[ "$(stat -c %s "$T/h.qcow2")" -lt 100000000 ] && pass "no write past EOF" || bad "image grew"
out=$("$EMU_IMG" check "$T/h.qcow2" 2>&1); st=$?
[ $st = 2 ] && echo "$out" | grep -q "exceeding the end of the file" && pass "check reports the data cluster past EOF" || bad "check past EOF: $st $out"
run "check -r all clears the entry" "$EMU_IMG" check -r all "$T/h.qcow2"
qcheck "after repairing the past-EOF entry" "$T/h.qcow2"

# Garbage where compressed data should be: an I/O error, not a crash.
"$QEMU_IMG" create -q -f qcow2 "$T/c.qcow2" 1M
head -c 1M /dev/urandom > "$T/rnd"; yes text | head -c 1M > "$T/txt"
"$QEMU_IMG" convert -c -O qcow2 "$T/txt" "$T/c.qcow2"
python3 "$P" "$T/c.qcow2" garbage-compressed
expect_err "garbage compressed data" "Input/output error" "$BIO" "$T/c.qcow2" read 0x74 0 4096

# Backing file loops.
"$QEMU_IMG" create -q -f qcow2 -u -b loop-b.qcow2 -F qcow2 "$T/loop-a.qcow2" 1M
"$QEMU_IMG" create -q -f qcow2 -u -b loop-a.qcow2 -F qcow2 "$T/loop-b.qcow2" 1M
expect_err "backing loop a->b->a" "Backing file loop" "$BIO" "$T/loop-a.qcow2" read 0 0 512
expect_err "backing loop (info --backing-chain)" "Backing file loop" "$EMU_IMG" info --backing-chain "$T/loop-a.qcow2"
"$QEMU_IMG" create -q -f qcow2 -u -b self.qcow2 -F qcow2 "$T/self.qcow2" 1M
expect_err "backing file is itself" "Backing file loop" "$EMU_IMG" convert -O raw "$T/self.qcow2" "$T/x.raw"
"$QEMU_IMG" create -q -f qcow2 -u -b nonexistent.qcow2 -F qcow2 "$T/nb.qcow2" 1M
expect_err "missing backing file" "Could not open backing file" "$BIO" "$T/nb.qcow2" read 0 0 1

# Refcount overflow: refcount_bits=1 allows no snapshot; a cluster at the
# 16-bit maximum cannot get another reference.
"$QEMU_IMG" create -q -f qcow2 -o refcount_bits=1 "$T/r1.qcow2" 1M
"$QEMU_IO" -c "write 0 64k" "$T/r1.qcow2" >/dev/null
expect_err "refcount_bits=1 snapshot" "refcount overflow" "$EMU_IMG" snapshot -c s "$T/r1.qcow2"
qcheck "image intact after refused snapshot" "$T/r1.qcow2"
base; python3 "$P" "$T/h.qcow2" data-refcount-max
expect_err "refcount at maximum" "refcount overflow" "$EMU_IMG" snapshot -c s "$T/h.qcow2"

# Refcount damage: check reports it (status 2 / 3), -r repairs it.
base; python3 "$P" "$T/h.qcow2" data-refcount-zero
out=$("$EMU_IMG" check "$T/h.qcow2" 2>&1); st=$?
[ $st = 2 ] && echo "$out" | grep -q "ERROR cluster" && pass "check finds refcount=0 corruption" || bad "check corruption: $st $out"
expect_err "writes refused? no: corrupt refcount reported by qemu-img too" "ERROR" "$QEMU_IMG" check "$T/h.qcow2"
run "check -r all repairs" "$EMU_IMG" check -r all "$T/h.qcow2"
qcheck "after emu-img check -r all" "$T/h.qcow2"
run "data intact after repair" "$QEMU_IO" -c "read -P 0x5a 0 128k" "$T/h.qcow2"
# The refcount table points into guest data: check -r all rebuilds the
# refcount structure instead of writing refcounts into the data.
base; python3 "$P" "$T/h.qcow2" refblock-on-data
out=$("$EMU_IMG" check "$T/h.qcow2" 2>&1); st=$?
[ $st = 2 ] && echo "$out" | grep -q "overlaps" && pass "check finds a refcount block on data" || bad "refblock on data: $st $out"
run "check -r all rebuilds refcounts" "$EMU_IMG" check -r all "$T/h.qcow2"
qcheck "after the rebuild" "$T/h.qcow2"
run "data intact after the rebuild" "$QEMU_IO" -c "read -P 0x5a 0 128k" "$T/h.qcow2"
base; python3 "$P" "$T/h.qcow2" leak
out=$("$EMU_IMG" check "$T/h.qcow2" 2>&1); st=$?
[ $st = 3 ] && echo "$out" | grep -q "Leaked cluster" && pass "check finds leak" || bad "check leak: $st $out"
run "check -r leaks repairs" "$EMU_IMG" check -r leaks "$T/h.qcow2"
qcheck "after emu-img check -r leaks" "$T/h.qcow2"

# The corrupt bit: read-only access only, until check -r all clears it.
base; python3 "$P" "$T/h.qcow2" corrupt-bit
expect_err "corrupt image opened writable" "marked corrupt" "$BIO" "$T/h.qcow2" write 1 0 512
run "corrupt image reads" "$BIO" -r "$T/h.qcow2" read 0x5a 0 4096
run "check -r all clears the corrupt bit" "$EMU_IMG" check -r all "$T/h.qcow2"
"$QEMU_IMG" info "$T/h.qcow2" | grep -q "corrupt: false" && pass "corrupt bit cleared" || bad "corrupt bit still set"
run "writable again" "$BIO" "$T/h.qcow2" write 1 0 512

# Not qcow2 at all / wrong format forced.
head -c 100000 /dev/urandom > "$T/junk"
expect_err "forced qcow2 on junk" "not in qcow2 format" "$EMU_IMG" info -f qcow2 "$T/junk"
exit $fail

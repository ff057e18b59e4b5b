#!/bin/sh
# Images written by qemu-img are read correctly by emu and vice versa;
# qemu-img check is clean on everything emu writes; snapshots and backing
# chains made by one tool work in the other.
. "$(dirname "$0")/lib.sh"
need_qemu

make_pattern_raw "$T/src.raw" 16

# --- qemu-img -> emu: every layout qemu-img can produce reads back right.
for opts in "compat=1.1" "compat=0.10" "cluster_size=512" "cluster_size=4096,refcount_bits=1" \
            "cluster_size=2M,refcount_bits=64" "compression_type=zstd" "lazy_refcounts=on"; do
    "$QEMU_IMG" convert -O qcow2 -o "$opts" "$T/src.raw" "$T/q.qcow2" || bad "qemu-img convert $opts"
    run "emu reads qemu-img image ($opts)" "$EMU_IMG" convert -O raw "$T/q.qcow2" "$T/back.raw"
    run "content matches ($opts)" cmp "$T/src.raw" "$T/back.raw"
    run "emu-img check clean on qemu-img image ($opts)" "$EMU_IMG" check "$T/q.qcow2"
done
for ct in zlib zstd; do
    "$QEMU_IMG" convert -c -O qcow2 -o compression_type=$ct "$T/src.raw" "$T/qc.qcow2"
    run "emu reads qemu-img compressed image ($ct)" "$EMU_IMG" convert -O raw "$T/qc.qcow2" "$T/back.raw"
    run "compressed content matches ($ct)" cmp "$T/src.raw" "$T/back.raw"
done

# --- emu -> qemu-img
for opts in "compat=1.1" "compat=0.10" "cluster_size=512" "cluster_size=4096,refcount_bits=1" \
            "cluster_size=2M,refcount_bits=64" "lazy_refcounts=on"; do
    rm -f "$T/e.qcow2"
    run "emu-img convert -o $opts" "$EMU_IMG" convert -O qcow2 -o "$opts" "$T/src.raw" "$T/e.qcow2"
    qcheck "convert $opts" "$T/e.qcow2"
    same "qemu-img reads emu image ($opts)" "$T/src.raw" "$T/e.qcow2"
done
for ct in zlib zstd; do
    run "emu-img convert -c ($ct)" "$EMU_IMG" convert -c -O qcow2 -o compression_type=$ct "$T/src.raw" "$T/ec.qcow2"
    qcheck "compressed $ct" "$T/ec.qcow2"
    same "qemu-img reads emu compressed image ($ct)" "$T/src.raw" "$T/ec.qcow2"
    run "emu reads its compressed image ($ct)" "$EMU_IMG" compare "$T/src.raw" "$T/ec.qcow2"
done

# Random writes through emu's driver into an empty image, checked by qemu-io.
"$EMU_IMG" create -q -f qcow2 -o cluster_size=4096 "$T/w.qcow2" 8M
run "emu writes" "$BIO" "$T/w.qcow2" write 0x11 0 10000 write 0x22 5000 70000 write 0x33 4194304 4096 \
    zero 4096 4096 discard 1048576 65536 write 0x44 8384512 4096
qcheck "after emu writes" "$T/w.qcow2"
run "qemu-io sees emu writes" "$QEMU_IO" -c "read -P 0x11 0 4096" -c "read -P 0 4096 4096" \
    -c "read -P 0x22 8192 66808" -c "read -P 0x33 4194304 4096" -c "read -P 0x44 8384512 4096" "$T/w.qcow2"

# qemu-io writes, emu reads.
"$QEMU_IMG" create -q -f qcow2 "$T/r.qcow2" 8M
"$QEMU_IO" -c "write -P 0x55 1000 300000" -c "write -z 65536 65536" "$T/r.qcow2" >/dev/null
run "emu reads qemu-io writes" "$BIO" "$T/r.qcow2" read 0x55 1000 64536 read 0 65536 65536 read 0x55 131072 169928

# --- info / map output shaped like qemu-img's.
for img in "$T/e.qcow2" "$T/ec.qcow2" "$T/w.qcow2"; do
    if python3 - "$EMU_IMG" "$QEMU_IMG" "$img" <<'PY'
import json, subprocess, sys
emu, qemu, img = sys.argv[1:4]
a = json.loads(subprocess.check_output([emu, "info", "--output=json", img]))
b = json.loads(subprocess.check_output([qemu, "info", "--output=json", img]))
for d in (a, b):
    d.pop("actual-size", None)
if a != b:
    print("emu:", a); print("qemu:", b); sys.exit(1)
m1 = json.loads(subprocess.check_output([emu, "map", "--output=json", img]))
m2 = json.loads(subprocess.check_output([qemu, "map", "--output=json", img]))
if m1 != m2:
    print("emu map:", m1[:5]); print("qemu map:", m2[:5]); sys.exit(1)
PY
    then pass "info/map json match qemu-img: $(basename "$img")"; else bad "info/map json: $img"; fi
done

# --- snapshots across tools
"$QEMU_IMG" create -q -f qcow2 "$T/s.qcow2" 4M
"$QEMU_IO" -c "write -P 0x01 0 1M" "$T/s.qcow2" >/dev/null
run "emu snapshot -c" "$EMU_IMG" snapshot -c first "$T/s.qcow2"
qcheck "after emu snapshot -c" "$T/s.qcow2"
"$QEMU_IMG" snapshot -l "$T/s.qcow2" | grep -q first && pass "qemu-img lists emu snapshot" || bad "qemu-img snapshot -l"
"$QEMU_IO" -c "write -P 0x02 0 512k" "$T/s.qcow2" >/dev/null
"$QEMU_IMG" snapshot -c second "$T/s.qcow2"
"$EMU_IMG" snapshot -l "$T/s.qcow2" | grep -q second && pass "emu-img lists qemu snapshot" || bad "emu-img snapshot -l"
run "emu writes after snapshots" "$BIO" "$T/s.qcow2" write 0x03 0 256k
qcheck "after writes over snapshots" "$T/s.qcow2"
run "emu snapshot -a first" "$EMU_IMG" snapshot -a first "$T/s.qcow2"
qcheck "after emu snapshot -a" "$T/s.qcow2"
run "content of snapshot first" "$QEMU_IO" -c "read -P 0x01 0 1M" "$T/s.qcow2"
run "emu snapshot -a second (made by qemu-img)" "$EMU_IMG" snapshot -a second "$T/s.qcow2"
run "content of snapshot second" "$BIO" "$T/s.qcow2" read 0x02 0 524288 read 0x01 524288 524288
run "emu snapshot -d first" "$EMU_IMG" snapshot -d first "$T/s.qcow2"
qcheck "after emu snapshot -d" "$T/s.qcow2"
"$QEMU_IMG" snapshot -d second "$T/s.qcow2"
run "emu-img check after qemu snapshot -d" "$EMU_IMG" check "$T/s.qcow2"
run "content survives snapshot deletion" "$BIO" "$T/s.qcow2" read 0x02 0 524288 read 0x01 524288 524288

# --- backing chains across tools
"$QEMU_IMG" create -q -f qcow2 "$T/base.qcow2" 4M
"$QEMU_IO" -c "write -P 0x0a 0 4M" "$T/base.qcow2" >/dev/null
run "emu create overlay -b -F" "$EMU_IMG" create -q -f qcow2 -b base.qcow2 -F qcow2 "$T/mid.qcow2"
"$QEMU_IO" -c "write -P 0x0b 1M 1M" "$T/mid.qcow2" >/dev/null
"$QEMU_IMG" create -q -f qcow2 -b mid.qcow2 -F qcow2 "$T/top.qcow2"
run "emu writes top of chain" "$BIO" "$T/top.qcow2" write 0x0c 3M 4096 write 0x0d 100 100
run "emu reads chain" "$BIO" "$T/top.qcow2" read 0x0a 0 100 read 0x0d 100 100 read 0x0a 200 1048376 \
    read 0x0b 1M 1M read 0x0a 2M 1M read 0x0c 3M 4096
qcheck "top after emu writes" "$T/top.qcow2"
run "qemu-io reads chain written by emu" "$QEMU_IO" -c "read -P 0x0d 100 100" -c "read -P 0x0c 3M 4096" -c "read -P 0x0b 1M 1M" "$T/top.qcow2"
"$EMU_IMG" info --backing-chain "$T/top.qcow2" | grep -c '^image:' | grep -q 3 && pass "info --backing-chain" || bad "info --backing-chain"
"$QEMU_IMG" convert -O raw "$T/top.qcow2" "$T/top.raw"
run "emu rebase top onto base" "$EMU_IMG" rebase -b base.qcow2 -F qcow2 "$T/top.qcow2"
same "rebase keeps content" "$T/top.raw" "$T/top.qcow2"
qcheck "after rebase" "$T/top.qcow2"
run "emu rebase -u" "$EMU_IMG" rebase -u -b mid.qcow2 -F qcow2 "$T/top.qcow2"
"$QEMU_IMG" info "$T/top.qcow2" | grep -q "backing file: mid.qcow2" && pass "rebase -u header" || bad "rebase -u header"

# --- resize, map, compare
"$EMU_IMG" create -q -f qcow2 "$T/rs.qcow2" 1M
run "resize +1G" "$EMU_IMG" resize "$T/rs.qcow2" +1G
[ "$("$QEMU_IMG" info --output=json "$T/rs.qcow2" | python3 -c 'import json,sys;print(json.load(sys.stdin)["virtual-size"])')" = $((1024*1024*1024 + 1024*1024)) ] \
    && pass "resize size" || bad "resize size"
run "write past old end" "$BIO" "$T/rs.qcow2" write 0x77 1000M 4096
qcheck "after resize" "$T/rs.qcow2"
run "shrink" "$EMU_IMG" resize --shrink "$T/rs.qcow2" 1M
qcheck "after shrink" "$T/rs.qcow2"
out=$("$EMU_IMG" compare "$T/src.raw" "$T/e.qcow2"); [ $? = 0 ] && pass "compare identical" || bad "compare: $out"
"$BIO" "$T/e.qcow2" write 0x99 5000000 1
out=$("$EMU_IMG" compare "$T/src.raw" "$T/e.qcow2"); st=$?
[ $st = 1 ] && echo "$out" | grep -q "Content mismatch at offset 4999680" && pass "compare mismatch" || bad "compare mismatch: $st $out"

# --- -snapshot: writes do not reach the image.
cp "$T/base.qcow2" "$T/snapon.qcow2"
run "snapshot=on writes" "$BIO" -s "$T/snapon.qcow2" write 0x66 0 4096 read 0x66 0 4096
run "image unchanged after snapshot=on" "$QEMU_IO" -c "read -P 0x0a 0 4096" "$T/snapon.qcow2"

# --- create options and preallocation
for opts in "preallocation=metadata" "preallocation=falloc" "preallocation=full" \
            "cluster_size=1M,lazy_refcounts=on,refcount_bits=8" "compression_type=zstd"; do
    rm -f "$T/p.qcow2"
    run "emu-img create -o $opts" "$EMU_IMG" create -q -f qcow2 -o "$opts" "$T/p.qcow2" 3M
    qcheck "create $opts" "$T/p.qcow2"
    run "empty image reads zero ($opts)" "$QEMU_IO" -c "read -P 0 0 3M" "$T/p.qcow2"
done
"$EMU_IMG" create -q -f qcow2 -o preallocation=full "$T/pf.qcow2" 3M
[ "$(stat -c %b "$T/pf.qcow2")" -ge 6144 ] && pass "preallocation=full allocates" || bad "preallocation=full"
out=$("$EMU_IMG" create -f qcow2 -o cluster_size=3000 "$T/bad.qcow2" 1M 2>&1); st=$?
[ $st = 1 ] && echo "$out" | grep -q "power of two" && pass "bad cluster_size rejected" || bad "cluster_size=3000: $out"
"$EMU_IMG" create -f qcow2 -o help x 2>&1 | grep -q lazy_refcounts && pass "create -o help" || bad "create -o help"

# --- convert variants
run "convert two sources concatenated" "$EMU_IMG" convert -O raw "$T/src.raw" "$T/src.raw" "$T/two.raw"
[ "$(stat -c %s "$T/two.raw")" = $((32 * 1024 * 1024)) ] && cmp -s -n 16777216 "$T/src.raw" "$T/two.raw" \
    && pass "concatenation content" || bad "concatenation"
"$EMU_IMG" create -q -f qcow2 "$T/n.qcow2" 16M
"$QEMU_IO" -c "write -P 0x77 0 16M" "$T/n.qcow2" >/dev/null
run "convert -n into an existing image" "$EMU_IMG" convert -n -O qcow2 "$T/src.raw" "$T/n.qcow2"
same "convert -n overwrote everything (zeroes too)" "$T/src.raw" "$T/n.qcow2"
run "convert -S 0 (no sparse detection)" "$EMU_IMG" convert -S 0 -O raw "$T/src.raw" "$T/full.raw"
run "-S 0 content" cmp "$T/src.raw" "$T/full.raw"
[ "$(stat -c %b "$T/full.raw")" -gt "$(stat -c %b "$T/back.raw")" ] && pass "-S 0 writes zeroes, default is sparse" || bad "sparse output"
"$EMU_IMG" convert -p -O raw "$T/src.raw" "$T/p.raw" | tr '\r' '\n' | grep -q "(100.00/100%)" && pass "convert -p progress" || bad "convert -p"
"$EMU_IMG" convert -O qcow2 "$T/top.qcow2" "$T/flat.qcow2" && same "convert flattens a backing chain" "$T/top.qcow2" "$T/flat.qcow2"
"$EMU_IMG" info "$T/flat.qcow2" | grep -q "backing file" && bad "flattened image has a backing file" || pass "flattened image has no backing file"

# --- sizes that are not whole sectors round up, as in qemu-img
head -c 1000001 /dev/urandom > "$T/odd.raw"
for o in "" "-c"; do
    rm -f "$T/odd.qcow2"
    run "convert $o of a 1000001-byte file" "$EMU_IMG" convert $o -O qcow2 "$T/odd.raw" "$T/odd.qcow2"
    same "odd size content ($o)" "$T/odd.raw" "$T/odd.qcow2"
done
"$EMU_IMG" create -q -f qcow2 "$T/odd2.qcow2" 1000001
[ "$("$EMU_IMG" info --output=json "$T/odd2.qcow2" | python3 -c 'import json,sys;print(json.load(sys.stdin)["virtual-size"])')" = \
  "$("$QEMU_IMG" info --output=json "$T/odd.raw" | python3 -c 'import json,sys;print(json.load(sys.stdin)["virtual-size"])')" ] \
    && pass "create rounds the size like qemu-img" || bad "odd create size"

# --- tools on raw images
out=$("$EMU_IMG" check "$T/src.raw" 2>&1); [ $? = 63 ] && pass "check on raw: status 63" || bad "check raw: $out"
"$EMU_IMG" info "$T/src.raw" | grep -q "file format: raw" && pass "info raw" || bad "info raw"
[ "$("$EMU_IMG" map --output=json "$T/src.raw")" = "$("$QEMU_IMG" map --output=json "$T/src.raw")" ] \
    && pass "map --output=json raw matches qemu-img" || bad "map raw"
exit $fail

#!/bin/sh
# Crash consistency: a writer doing random writes (each acknowledged after a
# flush) is killed with SIGKILL at random moments. Afterwards the image must
# be consistent (qemu-img check: no errors; leaks allowed) and every
# acknowledged write must read back.
. "$(dirname "$0")/lib.sh"
need_qemu
ROUNDS="${EMU_CRASH_ROUNDS:-5}"

rand_ms() { echo $(( $(od -An -N2 -tu2 /dev/urandom) % $1 + 20 )); }

crash_round() {  # label, create options, cache mode, round
    label="$1"; opts="$2"; cache="$3"; r="$4"
    img="$T/crash.qcow2"; log="$T/crash.log"
    rm -f "$img"
    "$EMU_IMG" create -q -f qcow2 -o "$opts" "$img" 8M
    "$BIO" -t "$cache" "$img" crash-writer "$r$(date +%N)" 1000000 >"$log" 2>/dev/null &
    pid=$!
    ms=$(rand_ms 400)
    sleep "$(echo "$ms / 1000" | bc -l)"
    kill -9 $pid 2>/dev/null
    wait $pid 2>/dev/null
    acks=$(grep -c '^ack' "$log")
    case "$opts" in
    *lazy_refcounts=on*)
        # A dirty lazy-refcount image is repaired on the next writable open.
        "$EMU_IMG" check -r all "$img" >/dev/null 2>&1
        ;;
    esac
    "$QEMU_IMG" check "$img" >"$T/qc.out" 2>&1; st=$?
    if [ $st != 0 ] && [ $st != 3 ]; then
        bad "$label round $r (killed after ${ms} ms, $acks acks): qemu-img check status $st: $(head -5 "$T/qc.out")"
        cp "$img" "/tmp/emu-crash-failed-$label-$r.qcow2" 2>/dev/null
        return
    fi
    "$EMU_IMG" check "$img" >"$T/ec.out" 2>&1; st=$?
    if [ $st != 0 ] && [ $st != 3 ]; then
        bad "$label round $r: emu-img check status $st: $(head -5 "$T/ec.out")"
        return
    fi
    if out=$("$BIO" -r "$img" crash-verify "$log" 2>&1); then
        pass "$label round $r: killed after ${ms} ms, $acks acknowledged writes intact"
    else
        bad "$label round $r: $out"
    fi
}

i=1
while [ $i -le "$ROUNDS" ]; do
    crash_round "v3" "cluster_size=65536" writeback $i
    crash_round "v3-4k-clusters" "cluster_size=4096" writeback $i
    crash_round "v2" "compat=0.10,cluster_size=4096" writeback $i
    crash_round "lazy-refcounts" "lazy_refcounts=on,cluster_size=4096" writeback $i
    crash_round "writethrough" "cluster_size=4096" writethrough $i
    # No fdatasync: many more kill points inside metadata updates (a killed
    # process loses nothing it wrote, so the ordering is what is tested).
    crash_round "unsafe-cache" "cluster_size=4096" unsafe $i
    i=$((i + 1))
done
exit $fail

#!/bin/bash
# Crypto-instruction workload (tests/guest/aarch64/bench_crypto.bin: AES-128
# CTR, SHA-256 blocks, PMULL folds, MMU on) on -M virt: emu's translator
# tiers against qemu-system-aarch64 TCG. The program's printed results must
# be identical on every runner. Prints the medians of N runs (default 5) of
# user CPU time and wall time, and the CPU-time ratio emu/QEMU (< 1: emu is
# faster). EMU_CRYPTO_HOST=0 in the environment measures the portable path.
#
#   bench/arm_crypto.sh [build-dir] [runs]
set -u
build=${1:-build}
runs=${2:-5}
emu=$build/system/emu-system-aarch64
# BENCH_PROG: another guest workload with the same contract (arm_simd_int.sh).
prog=$build/tests/guest/aarch64/${BENCH_PROG:-bench_crypto}.bin
qemu=$(command -v qemu-system-aarch64 || true)
[ -x "$emu" ] || { echo "no $emu (build emu-system-aarch64)"; exit 1; }
[ -f "$prog" ] || { echo "no $prog (ninja -C $build guest-aarch64)"; exit 1; }
common=(-M virt -cpu max -m 128M -display none -serial stdio -semihosting -kernel "$prog")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

median() { sort -g | awk '{a[NR]=$1} END {printf "%.2f", (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

# run <label> <cmd...>: prints "user wall" medians; checks the output.
run() {
    local label=$1; shift
    : > "$tmp/u"; : > "$tmp/w"
    for ((i = 0; i < runs; i++)); do
        /usr/bin/time -f "%U %e" -o "$tmp/t" "$@" > "$tmp/out" 2>/dev/null < /dev/null || {
            echo "$label: FAILED ($(tail -1 "$tmp/out"))" >&2; return 1; }
        grep -v '^INFO' "$tmp/out" | tr -d '\r' > "$tmp/res.$label"
        if [ -f "$tmp/res.ref" ] && ! cmp -s "$tmp/res.ref" "$tmp/res.$label"; then
            echo "$label: results differ from the first runner's" >&2; return 1
        fi
        [ -f "$tmp/res.ref" ] || cp "$tmp/res.$label" "$tmp/res.ref"
        read -r u w < "$tmp/t"
        echo "$u" >> "$tmp/u"; echo "$w" >> "$tmp/w"
    done
    echo "$(median < "$tmp/u") $(median < "$tmp/w")"
}

printf '%-22s %10s %10s %14s\n' runner "user s" "wall s" "user emu/qemu"
q=""
if [ -n "$qemu" ]; then
    read -r q qw <<< "$(run qemu "$qemu" "${common[@]}")" || exit 1
    printf '%-22s %10s %10s %14s\n' qemu-tcg "$q" "$qw" 1.00
fi
for tier in interp llvm auto; do
    r=$(run "$tier" "$emu" "${common[@]}" -accel tcg,tier=$tier) || exit 1
    read -r u w <<< "$r"
    ratio=-
    [ -n "$q" ] && ratio=$(echo "$u / $q" | bc -l | xargs printf '%.2f')
    printf '%-22s %10s %10s %14s\n' "emu tier=$tier" "$u" "$w" "$ratio"
done

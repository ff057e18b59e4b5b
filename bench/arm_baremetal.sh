#!/bin/bash
# Bare-metal aarch64 on -M virt: emu (each translator tier) against
# qemu-system-aarch64 TCG, side by side. Two measurements:
#   - start to exit of the smallest program (hello.bin; QEMU 7.2: ~0.072 s)
#   - a CPU-bound program (bench_cpu.bin: FNV checksum, quicksort, a small
#     bytecode interpreter), whose results are checked so a wrong
#     translation cannot look fast.
# Prints the median of N runs (default 5) and the ratio emu/QEMU (< 1 means
# emu is faster).
#
#   bench/arm_baremetal.sh [build-dir] [runs]
set -u
build=${1:-build}
runs=${2:-5}
emu=$build/system/emu-system-aarch64
guest=$build/tests/guest/aarch64
qemu=$(command -v qemu-system-aarch64 || true)
[ -x "$emu" ] || { echo "no $emu (build emu-system-aarch64)"; exit 1; }
[ -f "$guest/bench_cpu.bin" ] || { echo "no guest programs (ninja -C $build guest-aarch64)"; exit 1; }

common=(-M virt -cpu max -m 128M -display none -serial stdio -semihosting)

# median of the wall-clock seconds of `runs` executions; empty if a run fails
time_runs() {
    local times=() t0 t1
    for ((i = 0; i < runs; i++)); do
        t0=$(date +%s.%N)
        if ! "$@" > /tmp/arm_bench_out.$$ 2>&1 < /dev/null; then
            echo "FAILED: $* ($(tail -1 /tmp/arm_bench_out.$$))" >&2
            rm -f /tmp/arm_bench_out.$$
            return 1
        fi
        t1=$(date +%s.%N)
        times+=("$(echo "$t1 - $t0" | bc -l)")
    done
    rm -f /tmp/arm_bench_out.$$
    printf '%s\n' "${times[@]}" | sort -g | awk '{a[NR]=$1} END {printf "%.3f", (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'
}

printf '%-28s %10s %10s %8s\n' "program / runner" "median s" "QEMU s" "ratio"
for prog in hello bench_cpu; do
    q=""
    if [ -n "$qemu" ]; then
        q=$(time_runs "$qemu" "${common[@]}" -kernel "$guest/$prog.bin") || q=""
        printf '%-28s %10s %10s %8s\n' "$prog / qemu-tcg" "$q" "$q" "1.00"
    fi
    for tier in interp llvm auto; do
        if ! "$emu" "${common[@]}" -accel tcg,tier=$tier -kernel "$guest/hello.bin" > /dev/null 2>/tmp/arm_bench_err.$$; then
            printf '%-28s %10s   (%s)\n' "$prog / emu tier=$tier" "skipped" "$(head -1 /tmp/arm_bench_err.$$)"
            continue
        fi
        t=$(time_runs "$emu" "${common[@]}" -accel tcg,tier=$tier -kernel "$guest/$prog.bin") || t=""
        r="-"
        [ -n "$q" ] && [ -n "$t" ] && r=$(echo "$t / $q" | bc -l | xargs printf '%.2f')
        printf '%-28s %10s %10s %8s\n' "$prog / emu tier=$tier" "${t:-failed}" "${q:--}" "$r"
    done
done
rm -f /tmp/arm_bench_err.$$

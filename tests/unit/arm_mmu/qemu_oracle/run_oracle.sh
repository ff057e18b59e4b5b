#!/bin/sh
# Differential test of the MMU against QEMU's AT instructions.
# usage: run_oracle.sh ORACLE_GEN WORKDIR [count]
# Exits 77 (skipped) when qemu-system-aarch64 or the cross compiler is missing.
set -e
gen=$1
work=$2
count=${3:-2000}
src=$(dirname "$0")
for tool in qemu-system-aarch64 aarch64-linux-gnu-gcc python3; do
    command -v $tool >/dev/null 2>&1 || { echo "skipped: $tool not installed"; exit 77; }
done
mkdir -p "$work"
aarch64-linux-gnu-gcc -nostdlib -static -T "$src/at.ld" "$src/at.S" -o "$work/at.elf"
status=0
for cpu in cortex-a57 max; do
    dir="$work/$cpu"
    mkdir -p "$dir"
    "$gen" $cpu 0x5eed "$count" "$dir"
    # The program runs at EL2 (virtualization=on) so that AT S1E1*/S1E0*
    # can use any EL1 translation settings without disturbing its own
    # execution; it prints the three ID_AA64MMFR registers, then one PAR
    # per case.
    timeout 120 qemu-system-aarch64 -M virt,virtualization=on -cpu $cpu -m 128M \
        -nographic -semihosting -monitor none -serial stdio -kernel "$work/at.elf" \
        -device loader,file="$dir/cases.bin",addr=0x40f00000 \
        -device loader,file="$dir/tables.bin",addr=0x41000000 \
        | tr -d '\r' | tail -n +4 > "$dir/got.txt"
    echo "$cpu:"
    python3 "$src/compare.py" "$dir" || status=1
done
exit $status

#!/bin/bash
# Runs one bare-metal aarch64 test program on -M virt and checks its UART
# output against the expected output and its exit status.
#
#   run_guest.sh <runner> <guest-dir> <case> <format> [--regen]
#
# runner: "interp", "baseline", "llvm" or "auto" (emu-system-aarch64 with -accel tcg,tier=...;
#         the binary comes from $EMU), or "qemu" (qemu-system-aarch64, the
#         oracle). case: a program name, or a variant (irq_gic2, irq_gic3).
# format: bin (raw image) or elf. Lines starting with "INFO " are printed
# but not compared (addresses and sizes differ between builds).
# --regen writes the expected output (run it with the qemu runner).
set -u
runner=$1 dir=$2 case=$3 fmt=$4 regen=${5:-}
here=$(cd "$(dirname "$0")" && pwd)
dir=$(cd "$dir" 2>/dev/null && pwd) || { echo "SKIP: no guest directory"; exit 77; }

prog=$case
machine="virt"
extra=()
want_status=0
case $case in
    irq_gic2) prog=irq machine="virt,gic-version=2" ;;
    irq_gic3) prog=irq machine="virt,gic-version=3" ;;
    smp) extra=(-smp 4) ;;
    tlbi_smp) extra=(-smp 2) ;;
    ipi_gic2) prog=ipi machine="virt,gic-version=2" extra=(-smp 2) ;;
    ipi_gic3) prog=ipi machine="virt,gic-version=3" extra=(-smp 2) ;;
    reset_noreboot) prog=reset extra=(-no-reboot) ;;
    msi_gic2) prog=msi machine="virt,gic-version=2" extra=(-device virtio-rng-pci,addr=05.0) ;;
    msi_gic3) prog=msi machine="virt,gic-version=3" extra=(-device virtio-rng-pci,addr=05.0) ;;
    semihost) extra=(-append "exit=42"); want_status=42 ;;
esac
image=$dir/$prog.$fmt
[ -f "$image" ] || { echo "SKIP: $image not built (no aarch64-linux-gnu-gcc?)"; exit 77; }
expected=$here/expected/$case.out

case $runner in
    qemu)
        cmd=$(command -v qemu-system-aarch64) || { echo "SKIP: qemu-system-aarch64 not installed"; exit 77; }
        accel=() ;;
    interp|baseline|llvm|auto)
        cmd=${EMU:?set EMU to emu-system-aarch64}
        accel=(-accel "tcg,tier=$runner") ;;
    *) echo "bad runner $runner"; exit 2 ;;
esac

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"  # semihosting file I/O happens in the current directory
# uart_rx reads a line from the serial port: feed it once the guest is up.
input() {
    if [ "$prog" = uart_rx ]; then
        sleep 1
        echo ping
        sleep 2  # keep stdin open while the guest answers
    fi
}
input | timeout 120 "$cmd" -M "$machine" -cpu max -m 128M -display none -serial stdio \
    -semihosting "${accel[@]}" "${extra[@]}" -kernel "$image" > out.txt 2> err.txt
status=${PIPESTATUS[1]}
if grep -q "tier=llvm: not supported yet" err.txt; then
    echo "SKIP: $(cat err.txt)"
    exit 77
fi
tr -d '\r' < out.txt > out.clean
grep -v '^INFO ' out.clean > out.cmp
if [ "$regen" = "--regen" ]; then
    cp out.cmp "$expected"
    echo "wrote $expected"
fi
cat out.clean
ok=1
if [ $status -ne $want_status ]; then
    echo "FAIL: exit status $status, expected $want_status"
    cat err.txt
    ok=0
fi
if ! diff -u "$expected" out.cmp > diff.txt; then
    echo "FAIL: output differs from $expected:"
    head -60 diff.txt
    ok=0
fi
[ $ok = 1 ] && echo "OK: $case ($fmt, $runner)"
[ $ok = 1 ]

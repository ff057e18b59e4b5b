#!/bin/sh
# Every program prints its version, and a bad option or value is an error
# that names the culprit and exits with status 1.
set -u
B="$1"
fail=0
check() {  # description, expected status, expected text, command...
    desc="$1"; want_status="$2"; want_text="$3"; shift 3
    out=$("$@" 2>&1 </dev/null); st=$?
    if [ "$st" != "$want_status" ]; then
        echo "FAIL: $desc: exit $st, expected $want_status; output: $out"; fail=1; return
    fi
    case "$out" in
        *"$want_text"*) echo "ok: $desc" ;;
        *) echo "FAIL: $desc: output lacks '$want_text': $out"; fail=1 ;;
    esac
}
for p in emu-system-aarch64 emu-system-x86_64; do
    exe="$B/system/$p"
    check "$p -version" 0 "version" "$exe" -version
    check "$p bad option" 1 "-bogus-option: invalid option" "$exe" -bogus-option
    check "$p -m banana" 1 "-m banana" "$exe" -m banana
    check "$p -smp bad" 1 "-smp" "$exe" -smp 0
    check "$p -d help" 0 "guest_errors" "$exe" -d help
    check "$p -M help" 0 "Supported machines are" "$exe" -M help
    check "$p -h" 0 "-kernel" "$exe" -h
    check "$p missing arg" 1 "-kernel: requires an argument" "$exe" -kernel
    check "$p unknown machine" 1 "-M no-such-board" "$exe" -M no-such-board
    check "$p unknown device" 1 "no-such-device" "$exe" -device no-such-device
    check "$p unsupported option" 1 "not supported yet" "$exe" -object foo,id=x
done
# "-M <type>,help" lists the board's real properties as QEMU does, and an
# unknown property still names itself.
A="$B/system/emu-system-aarch64"
for prop in "virt-7.2-machine options:" "  gic-version=<string>  " "  its=<bool>  " \
    "  highmem=<bool>  " "  secure=<bool>  " "  virtualization=<bool>  " "  dumpdtb=<string>  " \
    "  acpi=<OnOffAuto>  "; do
    check "-M virt,help lists '$prop'" 0 "$prop" "$A" -M virt,help
done
check "-M virt,help in QEMU's layout" 0 "  gic-version=<string>   - Set GIC version" "$A" -M virt,help
check "-M virt,bogus names the property" 1 "Property 'virt-7.2-machine.bogus' not found" \
    "$A" -M virt,bogus=1 -kernel /dev/null
check "-M help lists virt" 0 "virt                 QEMU 7.2 ARM Virtual Machine" "$A" -M help
check "-M help lists the virt-7.2 alias" 0 "virt-7.2             QEMU 7.2 ARM Virtual Machine (alias of virt)" "$A" -M help
check "-cpu help lists cortex-a57" 0 "cortex-a57" "$A" -cpu help
X="$B/system/emu-system-x86_64"
for prop in "pc-q35-7.2-machine options:" "  kernel-irqchip=<OnOffSplit>" "  smm=<OnOffAuto>  " \
    "  hpet=<bool>  " "  pit=<OnOffAuto>  " "  acpi=<OnOffAuto>  "; do
    check "-M pc,help lists '$prop'" 0 "$prop" "$X" -M pc,help
done
check "-M help lists the q35 alias" 0 "(alias of pc)" "$X" -M help
# The x86 boards check their properties once KVM is open.
if [ -r /dev/kvm ] && [ -w /dev/kvm ]; then
    check "-M pc,bogus names the property" 1 "machine property 'bogus'" \
        "$X" -M pc,bogus=1 -display none -kernel /dev/null
    check "-M microvm,hpet=on says what the board has" 1 "always has hpet=off" \
        "$X" -M microvm,hpet=on -display none -kernel /dev/null
fi
check "-M microvm,help" 0 "microvm-machine options:" "$X" -M microvm,help
check "-cpu help lists host" 0 "host" "$X" -cpu help
check "emu-img --version" 0 "version" "$B/tools/emu-img/emu-img" --version
check "emu-img bad option" 1 "invalid option" "$B/tools/emu-img/emu-img" --bogus-option
# The commands' shared option loop (tools/emu-img/img_common.cpp).
I="$B/tools/emu-img/emu-img"
check "emu-img info -h" 0 "usage: emu-img info" "$I" info -h
check "emu-img info -z" 1 "invalid option -- 'z'" "$I" info -z
check "emu-img info --bogus names it" 1 "unrecognized option '--bogus'" "$I" info --bogus
check "emu-img info -f needs a value" 1 "option requires an argument -- 'f'" "$I" info -f
check "emu-img map --output needs a value" 1 "option '--output' requires an argument" \
    "$I" map --output
check "emu-img compare: usage errors exit 2" 2 "invalid option -- 'z'" "$I" compare -z a b
check "emu-img create --object" 1 "not supported yet: --object" "$I" create --object x f 1M
img=$(mktemp)
"$I" create -q -f qcow2 "$img" 1M
# -T takes a cache mode and -U none, as in qemu-img.
check "emu-img check -T none -U" 0 "No errors were found" "$I" check -T none -U "$img"
check "emu-img snapshot -l" 0 "" "$I" snapshot -l "$img"
check "emu-img snapshot -l -c mixes" 1 "Cannot mix" "$I" snapshot -l -c s1 "$img"
rm -f "$img"
exit $fail

#!/usr/bin/env python3
"""Drives Debian's gdb (batch mode) against emu-system-x86_64 -gdb.

usage: gdb_test.py SCENARIO EMU GUEST_ELF
Exits 0 on success, 1 on failure, 77 (skip) without /dev/kvm or gdb."""
import os
import re
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from gdb_harness import RspSession, expect, fail, printed, scenario_main, skip  # noqa: E402
from gdb_harness import run as run_gdb  # noqa: E402


def run(emu, elf, emu_args, gdb_cmds, timeout=60):
    def cmd(port):
        return [emu, "-display", "none", "-kernel", elf, "-device",
                "isa-debug-exit,iobase=0xf4,iosize=4", "-gdb", "tcp::%d" % port] + emu_args
    return run_gdb("gdb", cmd, elf, gdb_cmds, timeout)


def interrupt(emu, elf):
    """Ctrl-C (0x03) stops a running guest: gdb's batch mode cannot send it
    while a command runs, so this speaks the protocol itself."""
    # microvm here (the other scenarios use pc): both boards debug the same way.
    def cmd(port):
        return [emu, "-M", "microvm", "-display", "none", "-serial", "null", "-kernel", elf,
                "-S", "-append", "test=echo", "-gdb", "tcp::%d" % port]
    with RspSession(cmd) as rsp:
        first = rsp.ask("?")
        if not first.startswith("T"):
            fail("first stop reply: " + first)
        stop = rsp.interrupt_after(1)
        rip = rsp.reg(0x10)  # inside the guest's code by now
        if not 0x100000 <= rip < 0x200000:
            fail("rip after Ctrl-C: %#x" % rip)
        print("stopped by Ctrl-C: %s, rip %#x" % (stop, rip))
        # Memory by virtual address: the guest's first code bytes (cli = 0xfa).
        first_byte = rsp.ask("m100000,1")
        if first_byte != "fa":
            fail("m100000,1 answered %s, expected fa (cli)" % first_byte)
        rsp.ask_error("m800000000000,4", "a non-canonical address")  # not a crash
        rsp.send("k")
        rsp.proc.wait(timeout=20)


def kvm_usable():
    try:
        fd = os.open("/dev/kvm", os.O_RDWR)
        os.close(fd)
        return True
    except OSError:
        return False


def session(emu, elf):
    """Break, registers, a variable, single steps, a hardware breakpoint, a
    watchpoint, then detach: the guest runs on to its exit status."""
    out, status, emu_out = run(emu, elf, ["-S", "-append", "test=gdb"], [
        "break gdb_target",
        "continue",
        "printf \"RDI=%#lx\\n\", $rdi",
        "printf \"COUNTER=%lu\\n\", gdb_counter",
        "printf \"PC0=%#lx\\n\", $pc",
        "stepi",
        "printf \"PC1=%#lx\\n\", $pc",
        "delete",
        "hbreak gdb_target",
        "continue",
        "printf \"HRDI=%#lx\\n\", $rdi",
        "delete",
        # A hardware watchpoint where KVM reports data breakpoints; on
        # kvm_pvm it is refused (the emulator says why) and the target
        # stays stopped.
        "watch gdb_counter",
        "continue",
        "delete",
        # gdb's software watchpoint: single steps until the value changes.
        "set can-use-hw-watchpoints 0",
        "watch gdb_counter",
        "continue",
        "printf \"WCOUNTER=%#lx\\n\", gdb_counter",
        "delete",
        "info registers eflags",
        "printf \"XMM0=%#x\\n\", $xmm0.v4_int32[0]",
        "printf \"CS=%#x FSB=%lx\\n\", $cs, $fs_base",
        "x/2i $pc",
        "detach",
    ])
    expect(r"^Breakpoint 1, .*gdb_target", out, "software breakpoint")
    expect(r"^RDI=0x1234$", out, "first argument in rdi")
    expect(r"^COUNTER=0$", out, "global before the first call")
    if printed("PC0", out) == printed("PC1", out):
        fail("stepi did not move the pc", out)
    expect(r"^(Hardware assisted b|B)reakpoint 2, .*gdb_target", out, "hardware breakpoint")
    expect(r"^HRDI=0x1235$", out, "second call's argument")
    if re.search(r"not supported by this host's KVM: watchpoints", emu_out):
        print("note: this KVM does not report data breakpoints (kvm_pvm)")
        expect(r"Could not insert hardware watchpoint 3", out, "refused watchpoint")
        # The software watchpoint catches the store of the second call.
        expect(r"^Watchpoint 4: gdb_counter", out, "software watchpoint hit")
        expect(r"^New value = 9321$", out, "watched value (0x1234+0x1235)")
        expect(r"^WCOUNTER=0x2469$", out, "global after the second call")
    else:
        expect(r"^Hardware watchpoint 3: gdb_counter", out, "hardware watchpoint hit")
        expect(r"^New value = 9321$", out, "watched value (0x1234+0x1235)")
        expect(r"^Watchpoint 4: gdb_counter", out, "software watchpoint hit")
        expect(r"^New value = 13983$", out, "watched value (0x1234+0x1235+0x1236)")
        expect(r"^WCOUNTER=0x369f$", out, "global after the third call")
    expect(r"^CS=0x8 FSB=0$", out, "segment registers")
    expect(r"^XMM0=", out, "SSE registers")
    expect(r"gdb_target", out, "disassembly")
    if "int3" in out:
        fail("a breakpoint's int3 showed through a memory read", out)
    expect(r"gdb: counter 0x369f", emu_out, "guest ran to its end", out)
    expect(r"TEST PASS", emu_out, "guest result", out)
    if status != 1:
        fail("emu exit status %d, expected 1 (isa-debug-exit 0)" % status, out, emu_out)


def wait(emu, elf):
    """-S: the VM waits at the entry point until gdb continues; two vCPUs
    are two threads; kill ends the emulator."""
    out, status, emu_out = run(emu, elf, ["-S", "-smp", "2", "-append", "test=gdb"], [
        "printf \"PC=%#lx\\n\", $pc",
        "info threads",
        "thread 2",
        "printf \"T2PC=%#lx\\n\", $pc",
        "thread 1",
        "break gdb_target",
        "continue",
        "kill",
    ])
    start = subprocess.run(["nm", elf], stdout=subprocess.PIPE, text=True).stdout
    m = re.search(r"^([0-9a-f]+) T _start32$", start, re.M)
    if not m:
        fail("no _start32 in " + elf)
    expect(r"^PC=%#x$" % int(m.group(1), 16), out, "-S stops at the entry point")
    expect(r"^\* 1 +Thread 1 ", out, "thread 1")
    expect(r"^  2 +Thread 2 ", out, "thread 2")
    expect(r"^T2PC=0xfff0$", out, "the AP waits at the reset vector")
    expect(r"^Thread 1 hit Breakpoint 1, .*gdb_target", out, "breakpoint after -S")
    if "TEST PASS" in emu_out:
        fail("the guest ran on after kill", out, emu_out)


def main():
    if not kvm_usable():
        skip("/dev/kvm is missing or not accessible")
    if not shutil.which("gdb"):
        skip("gdb is not installed")
    scenario_main({"session": session, "wait": wait, "interrupt": interrupt})


if __name__ == "__main__":
    main()

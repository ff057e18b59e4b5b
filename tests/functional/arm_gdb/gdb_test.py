#!/usr/bin/env python3
"""Drives Debian's gdb-multiarch (batch mode) against emu-system-aarch64 -gdb.

usage: gdb_test.py SCENARIO EMU GUEST_ELF
Exits 0 on success, 1 on failure, 77 (skip) without gdb-multiarch."""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from gdb_harness import RspSession, expect, fail, printed, scenario_main, skip  # noqa: E402
from gdb_harness import run as run_gdb  # noqa: E402

GDB = "gdb-multiarch"


def symbols(elf):
    out = subprocess.run(["aarch64-linux-gnu-nm", elf], stdout=subprocess.PIPE,
                         text=True).stdout
    return {m.group(2): int(m.group(1), 16)
            for m in re.finditer(r"^([0-9a-f]+) \w (\S+)$", out, re.M)}


def emu_cmd(emu, elf, port, extra):
    return [emu, "-M", "virt", "-cpu", "max", "-m", "128M", "-display", "none", "-semihosting",
            "-kernel", elf, "-gdb", "tcp::%d" % port] + extra


def run(emu, elf, emu_args, gdb_cmds, timeout=120):
    return run_gdb(GDB, lambda port: emu_cmd(emu, elf, port, emu_args), elf, gdb_cmds, timeout)


def session(emu, elf, accel):
    """Break, registers (general, SP, CPSR, vector), memory, a single step,
    a hardware breakpoint, write and read watchpoints, a register write the
    guest observes, two vCPU threads, then detach: the guest runs on."""
    out, status, emu_out = run(emu, elf, ["-S", "-smp", "2"] + accel, [
        "printf \"PC=%#lx\\n\", $pc",
        "break gdb_target",
        "continue",
        "printf \"X0=%#lx\\n\", $x0",
        "printf \"COUNTER=%lu\\n\", gdb_counter",
        "printf \"CPSR=%#x\\n\", $cpsr",
        "printf \"SP=%#lx\\n\", $sp",
        "printf \"V7=%#lx\\n\", $v7.d.u[1]",
        "info registers x0 pc cpsr fpcr",
        "x/2xw $pc",
        "printf \"PC0=%#lx\\n\", $pc",
        "stepi",
        "printf \"PC1=%#lx\\n\", $pc",
        "delete",
        "hbreak gdb_target",
        "continue",
        "printf \"HX0=%#lx\\n\", $x0",
        "delete",
        "watch gdb_counter",
        "continue",
        "delete",
        "rwatch gdb_counter",
        "continue",
        "delete",
        "break gdb_regcheck",
        "continue",
        "set $x0 = 42",
        "info threads",
        "thread 2",
        "printf \"T2PC=%#lx\\n\", $pc",
        "thread 1",
        "detach",
    ])
    syms = symbols(elf)
    expect(r"^PC=%#x$" % syms["_start"], out, "-S stops at the entry point")
    expect(r"^Thread 1 hit Breakpoint 1, gdb_target", out, "software breakpoint")
    expect(r"^X0=0x1234$", out, "first argument in x0")
    expect(r"^COUNTER=0$", out, "global before the first call")
    expect(r"^CPSR=0x[0-9a-f]*3c5$", out, "EL1h with DAIF masked (the guest's state)")
    sp = printed("SP", out)
    if not syms["__bss_start"] < sp:
        fail("sp %#x is not in the guest's stack" % sp, out)
    expect(r"^V7=0xff00ff00ff00ff00$", out, "vector register set by the guest")
    expect(r"^cpsr +0x[0-9a-f]+ +\[ SP EL=1 ", out, "cpsr flags from target.xml")
    expect(r"^fpcr ", out, "fpu feature")
    # x/2xw at gdb_target must show the words the ELF holds there.
    words = re.search(r"^0x[0-9a-f]+ <gdb_target>:\s+(0x[0-9a-f]+)\s+(0x[0-9a-f]+)$", out, re.M)
    code = subprocess.run(["aarch64-linux-gnu-objdump", "-d", "--start-address=%#x"
                           % syms["gdb_target"], "--stop-address=%#x" % (syms["gdb_target"] + 8),
                           elf], stdout=subprocess.PIPE, text=True).stdout
    want = re.findall(r"^\s+[0-9a-f]+:\s+([0-9a-f]{8})\s", code, re.M)
    if not words or [int(w, 16) for w in words.groups()] != [int(w, 16) for w in want]:
        fail("x/2xw $pc does not show the code (objdump: %s)" % want, out)
    pc0 = printed("PC0", out)
    pc1 = printed("PC1", out)
    if pc1 != pc0 + 4:
        fail("stepi: pc %#x -> %#x, expected +4" % (pc0, pc1), out)
    expect(r"^Thread 1 hit (Hardware assisted b|B)reakpoint 2, gdb_target", out,
           "hardware breakpoint")
    expect(r"^HX0=0x1235$", out, "second call's argument")
    expect(r"^Thread 1 hit Hardware watchpoint 3: gdb_counter", out, "write watchpoint")
    expect(r"^Old value = 4660\nNew value = 9321$", out, "watched value (0x1234+0x1235)")
    expect(r"^Thread 1 hit Hardware read watchpoint 4: gdb_counter", out, "read watchpoint")
    expect(r"^Value = 9321$", out, "value at the read")
    expect(r"^Thread 1 hit Breakpoint 5, gdb_regcheck", out, "breakpoint in gdb_regcheck")
    expect(r"^\* 1 +Thread 1 ", out, "thread 1")
    expect(r"^  2 +Thread 2 .*gdb_spin", out, "CPU 1 spins in gdb_spin")
    t2 = printed("T2PC", out)
    if not syms["gdb_spin"] <= t2 < syms["gdb_wait"]:
        fail("thread 2's pc %#x is not in gdb_spin" % t2, out)
    expect(r"Inferior 1 \(Remote target\) detached", out, "detach")
    expect(r"gdb: counter 0x369f regcheck 42$", emu_out, "guest saw x0 = 42 and ran on", out)
    expect(r"TEST PASS", emu_out, "guest result", out)
    if status != 0:
        fail("emu exit status %d, expected 0" % status, out, emu_out)


def interrupt(emu, elf):
    """Ctrl-C (0x03) stops a running guest: gdb's batch mode cannot send it
    while a command runs, so this speaks the protocol itself. Also: memory
    writes (M), an unmapped address (E reply), register reads (p), detach."""
    syms = symbols(elf)
    with RspSession(lambda port: emu_cmd(emu, elf, port, ["-serial", "stdio", "-S"])) as rsp:
        if not rsp.ask("?").startswith("T"):
            fail("first stop reply is not a T packet")
        xml = rsp.ask("qXfer:features:read:target.xml:0,3fff")
        for feature in ("org.gnu.gdb.aarch64.core", "org.gnu.gdb.aarch64.fpu"):
            if feature not in xml:
                fail("target.xml lacks " + feature, xml)
        # Hold the guest in gdb_wait: gdb_hold = 1 (little-endian u64).
        rsp.ask_ok("M%x,8:0100000000000000" % syms["gdb_hold"], "M to gdb_hold refused")
        if rsp.ask("m%x,8" % syms["gdb_hold"]) != "0100000000000000":
            fail("gdb_hold does not read back")
        stop = rsp.interrupt_after(1.5)
        rsp.ask("Hg1")
        pc = rsp.reg(0x20)
        if not syms["gdb_wait"] <= pc < syms["gdb_wait"] + 0x40:
            fail("pc after Ctrl-C: %#x, expected in gdb_wait (%#x)" % (pc, syms["gdb_wait"]))
        print("stopped by Ctrl-C: %s, pc %#x" % (stop, pc))
        # Nothing at 0x8_0000_0000 on virt with 128M (MMU off: physical).
        rsp.ask_error("m800000000,4", "an unmapped address")
        rsp.ask_error("m%x,4" % (1 << 60), "an address beyond the PA size")
        rsp.ask_ok("M%x,8:0000000000000000" % syms["gdb_hold"], "M to gdb_hold refused")
        rsp.ask_ok("D", "detach not acknowledged")
        out, _ = rsp.proc.communicate(timeout=60)
        if "TEST PASS" not in out or rsp.proc.returncode != 0:
            fail("guest did not finish after detach (status %s)" % rsp.proc.returncode, out)


def linux(emu, elf):
    """Debian's arm64 kernel with the MMU on: Ctrl-C during boot, the pc and
    the code under it by kernel virtual address, a step on each of two
    vCPUs' threads, then detach: the boot goes on to the init marker."""
    root = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
    fetch = subprocess.run([os.path.join(root, "scripts", "fetch-guest.sh"), "arm64"],
                           capture_output=True, text=True)
    if fetch.returncode != 0:
        skip("cannot fetch the arm64 guest:\n" + fetch.stderr)
    g = fetch.stdout.strip()
    serial = tempfile.NamedTemporaryFile(prefix="emu-gdb-serial-", delete=False)
    serial.close()

    def cmd(port):
        return [emu, "-M", "virt", "-cpu", "cortex-a57", "-m", "1G", "-smp", "2", "-display",
                "none", "-kernel", g + "/vmlinuz", "-initrd", g + "/initramfs.cpio.gz",
                "-append", "console=ttyAMA0 quiet", "-serial", "file:" + serial.name,
                "-gdb", "tcp::%d" % port]
    try:
        with RspSession(cmd) as rsp:
            rsp.ask("?")
            rsp.interrupt_after(2, timeout=20)
            if rsp.ask("qfThreadInfo") != "m1,2":
                fail("two vCPUs are not threads 1 and 2")
            rsp.ask("Hg1")
            pc = rsp.reg(0x20)
            if pc < 0xffff000000000000:
                fail("pc %#x after 2 s of boot is not a kernel address" % pc)
            # The code at pc through the kernel's page tables (TTBR1).
            word = rsp.ask("m%x,4" % pc)
            if word.startswith("E") or len(word) != 8:
                fail("code at the kernel pc %#x is not readable: %s" % (pc, word))
            if not rsp.ask("vCont;s:1", timeout=20).startswith("T05"):
                fail("no stop after a step")
            pc1 = rsp.reg(0x20)
            if pc1 == pc:
                fail("a step did not move the pc (%#x)" % pc)
            print("Ctrl-C at %#x (%s), stepped to %#x" % (pc, word, pc1))
            rsp.ask_ok("D", "detach not acknowledged")
            deadline = time.monotonic() + 120
            text = ""
            while time.monotonic() < deadline and "EMU-GUEST-READY" not in text:
                time.sleep(0.5)
                with open(serial.name, errors="replace") as f:
                    text = f.read()
            if "EMU-GUEST-READY" not in text:
                fail("the boot did not reach the init marker after detach", text)
    finally:
        os.unlink(serial.name)


def kill(emu, elf):
    """kill ends the emulator; the guest never ran to its end."""
    out, status, emu_out = run(emu, elf, ["-S"], [
        "break gdb_regcheck",
        "continue",
        "kill",
    ])
    expect(r"^(Thread 1 hit )?Breakpoint 1, gdb_regcheck", out, "breakpoint after -S")
    if "TEST PASS" in emu_out:
        fail("the guest ran on after kill", out, emu_out)


def sysregs(emu, elf):
    """The EL1 system registers in the target description under QEMU's
    names (org.qemu.gdb.arm.sys.regs), read with 'p' packets; read-only."""
    out, status, emu_out = run(emu, elf, ["-S"], [
        "break gdb_target",
        "continue",
        "printf \"VBAR=%#lx\\n\", $VBAR",
        "printf \"SCTLR=%#lx\\n\", $SCTLR",
        "printf \"SPEL1=%#lx SP=%#lx\\n\", $SP_EL1, $sp",
        "printf \"CPACR=%#lx\\n\", $CPACR",
        "info registers TTBR0_EL1 TCR_EL1 ESR_EL1",
        "set $VBAR = 0",
        "printf \"VBAR2=%#lx\\n\", $VBAR",
        "kill",
    ])
    syms = symbols(elf)
    expect(r"^VBAR=%#x$" % syms["vectors"], out, "VBAR = the guest's vector table")
    expect(r"^SCTLR=0x[0-9a-f]+$", out, "SCTLR")
    m = re.search(r"^SPEL1=(0x[0-9a-f]+) SP=(0x[0-9a-f]+)$", out, re.M)
    if not m or m.group(1) != m.group(2):
        fail("SP_EL1 is not the EL1h stack pointer", out)
    expect(r"^CPACR=0x300000$", out, "CPACR.FPEN as crt0 set it")
    expect(r"^TTBR0_EL1 +0x", out, "info registers TTBR0_EL1")
    expect(r"^ESR_EL1 +0x", out, "info registers ESR_EL1")
    expect(r"Could not write register \"VBAR\"", out, "read-only")
    expect(r"^VBAR2=%#x$" % syms["vectors"], out, "VBAR unchanged after the refused write")


def main():
    if not shutil.which(GDB):
        skip("gdb-multiarch is not installed (Debian package gdb-multiarch)")
    scenario_main({
        "session": lambda emu, elf: session(emu, elf, []),
        "session_llvm": lambda emu, elf: session(emu, elf, ["-accel", "tcg,tier=llvm"]),
        "interrupt": interrupt,
        "kill": kill,
        "sysregs": sysregs,
        "linux": linux,
    }, elf_free=("linux",))


if __name__ == "__main__":
    main()

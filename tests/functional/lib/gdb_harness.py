"""What the gdb functional tests (tests/functional/{arm,x86}_gdb) share:
outcome reporting, a batch-mode gdb session against an emulator started
with -gdb, and the few remote-protocol packets gdb's batch mode cannot send.
"""
import os
import re
import socket
import subprocess
import sys
import tempfile
import time


def skip(why):
    print("SKIP: " + why)
    sys.exit(77)


def fail(why, *outputs):
    print("FAIL: " + why)
    for o in outputs:
        print("----\n" + o)
    sys.exit(1)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def expect(pattern, text, what, *others):
    if not re.search(pattern, text, re.M):
        fail("%s: /%s/ not in gdb output" % (what, pattern), text, *others)


def printed(name, text):
    """The value of the "NAME=0x..." line a gdb printf wrote into text."""
    m = re.search(r"^%s=(0x[0-9a-f]+)$" % name, text, re.M)
    if not m:
        fail("no %s= line in the gdb output" % name, text)
    return int(m.group(1), 16)


def run(gdb_prog, emu_cmd, elf, gdb_cmds, timeout):
    """Starts emu_cmd(port) + a serial log, runs gdb_cmds in gdb_prog's
    batch mode on elf, waits for emu to exit. Returns (gdb output, emu's
    exit status, emu's output + serial log)."""
    port = free_port()
    serial = tempfile.NamedTemporaryFile(prefix="emu-gdb-serial-", delete=False)
    serial.close()
    cmd = emu_cmd(port) + ["-serial", "file:" + serial.name]
    emu_p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    gdb = [gdb_prog, "-nx", "-batch", "-ex", "set pagination off", "-ex", "set confirm off",
           "-ex", "set tcp connect-timeout 20", "-ex", "file " + elf,
           "-ex", "target remote 127.0.0.1:%d" % port]
    for c in gdb_cmds:
        gdb += ["-ex", c]
    try:
        g = subprocess.run(gdb, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                           timeout=timeout)
        gdb_out = g.stdout
    except subprocess.TimeoutExpired as e:
        emu_p.kill()
        out = e.stdout.decode(errors="replace") if isinstance(e.stdout, bytes) else e.stdout
        fail("gdb timed out", out or "")
    try:
        emu_out, _ = emu_p.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        emu_p.kill()
        emu_out, _ = emu_p.communicate()
        fail("emu did not exit after gdb finished", gdb_out, emu_out)
    with open(serial.name, errors="replace") as f:
        serial_out = f.read()
    os.unlink(serial.name)
    print(gdb_out)
    return gdb_out, emu_p.returncode, emu_out + serial_out


class RspSession:
    """emu started with -gdb on a free port and a raw remote-protocol
    connection to it, for what gdb's batch mode cannot send (Ctrl-C while
    the guest runs, chosen packets). A context manager: on leaving, emu is
    killed if it still runs and the connection closed. `cmd(port)` is emu's
    command line; its output is piped (self.proc)."""

    def __init__(self, cmd):
        self.port = free_port()
        self.proc = subprocess.Popen(cmd(self.port), stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, text=True)
        self.buf = bytearray()
        self.sock = None
        for _ in range(100):
            try:
                self.sock = socket.create_connection(("127.0.0.1", self.port), timeout=1)
                return
            except OSError:
                time.sleep(0.1)
        self.proc.kill()
        fail("could not connect to the gdb port")

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.sock.close()

    def send(self, payload):
        csum = sum(payload.encode()) & 0xff
        self.sock.sendall(("$%s#%02x" % (payload, csum)).encode())

    def read(self, timeout=10):
        """The next packet's payload (acks skipped; we ack what we get)."""
        self.sock.settimeout(timeout)
        while True:
            start = self.buf.find(b"$")
            end = self.buf.find(b"#", start + 1) if start >= 0 else -1
            if start >= 0 and end >= 0 and len(self.buf) >= end + 3:
                payload = self.buf[start + 1:end].decode()
                del self.buf[:end + 3]
                self.sock.sendall(b"+")
                return payload
            data = self.sock.recv(4096)
            if not data:
                fail("gdb connection closed by emu")
            self.buf += data

    def ask(self, payload, timeout=10):
        """Sends a packet, returns the reply."""
        self.send(payload)
        return self.read(timeout)

    def ask_ok(self, payload, what):
        if self.ask(payload) != "OK":
            fail(what)

    def ask_error(self, payload, what):
        """The reply must be an error (E..): `what` says why it should be."""
        reply = self.ask(payload)
        if not reply.startswith("E"):
            fail("%s did not answer an error (%s)" % (what, reply))

    def reg(self, regno):
        """Register `regno` (gdb number) of the current thread, little-endian."""
        return int.from_bytes(bytes.fromhex(self.ask("p%x" % regno)), "little")

    def interrupt_after(self, seconds, timeout=10):
        """Continues, lets the guest run `seconds`, stops it with Ctrl-C
        (0x03): the stop reply must be T02 (SIGINT); returns it."""
        self.send("c")
        time.sleep(seconds)
        self.sock.sendall(b"\x03")
        stop = self.read(timeout)
        if not stop.startswith("T02"):
            fail("stop reply after Ctrl-C: " + stop + " (expected T02: SIGINT)")
        return stop


def scenario_main(scenarios, elf_free=()):
    """usage: gdb_test.py SCENARIO EMU GUEST_ELF. Runs scenarios[SCENARIO]
    (emu, elf) and prints PASS; skips when the guest ELF was not built,
    unless the scenario is in elf_free."""
    scenario, emu, elf = sys.argv[1:4]
    if scenario not in scenarios:
        fail("unknown scenario " + scenario)
    if scenario not in elf_free and not os.path.exists(elf):
        skip(elf + " was not built")
    scenarios[scenario](emu, elf)
    print("PASS")

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


def start_emu(cmd, port):
    """Starts emu (cmd, listening for gdb on port) and connects to it:
    (process, socket). The process's output is piped."""
    emu_p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    for _ in range(100):
        try:
            return emu_p, socket.create_connection(("127.0.0.1", port), timeout=1)
        except OSError:
            time.sleep(0.1)
    emu_p.kill()
    fail("could not connect to the gdb port")


def rsp_packet(sock, payload):
    csum = sum(payload.encode()) & 0xff
    sock.sendall(("$%s#%02x" % (payload, csum)).encode())


def rsp_read(sock, buf, timeout):
    """The next packet's payload (acks skipped; we ack what we get)."""
    sock.settimeout(timeout)
    while True:
        start = buf.find(b"$")
        end = buf.find(b"#", start + 1) if start >= 0 else -1
        if start >= 0 and end >= 0 and len(buf) >= end + 3:
            payload = buf[start + 1:end].decode()
            del buf[:end + 3]
            sock.sendall(b"+")
            return payload
        data = sock.recv(4096)
        if not data:
            fail("gdb connection closed by emu")
        buf += data

#!/usr/bin/env python3
"""Types into the busybox shell on the serial console (-nographic stdio) as a
user would: a pasted line longer than the PL011 FIFO, then `poweroff -f`.

  interactive_test.py <emu-system-aarch64>

Exit 0 pass, 1 fail, 77 skip (guest not fetchable and no network)."""
import os
import select
import socket
import subprocess
import sys
import time

emu = sys.argv[1]
root = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
fetch = subprocess.run([os.path.join(root, "scripts", "fetch-guest.sh"), "arm64"],
                       capture_output=True, text=True)
if fetch.returncode != 0:
    try:
        socket.getaddrinfo("deb.debian.org", 80)
    except OSError:
        print("SKIP: cannot fetch the arm64 guest (no network):\n" + fetch.stderr)
        sys.exit(77)
    print("FAIL: scripts/fetch-guest.sh arm64 failed:\n" + fetch.stderr)
    sys.exit(1)
g = fetch.stdout.strip()

p = subprocess.Popen([emu, "-M", "virt", "-cpu", "cortex-a57", "-m", "1G", "-nographic",
                      "-kernel", g + "/vmlinuz", "-initrd", g + "/initramfs.cpio.gz",
                      "-append", "console=ttyAMA0 quiet"],
                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
out = b""
deadline = time.monotonic() + 120


def wait_for(needle, start):
    global out
    while time.monotonic() < deadline:
        i = out.find(needle, start)
        if i >= 0:
            return i + len(needle)
        r, _, _ = select.select([p.stdout], [], [], 1.0)
        if r:
            chunk = os.read(p.stdout.fileno(), 4096)
            if not chunk:
                break
            out += chunk
    return -1


def fail(why):
    p.kill()
    p.wait()
    print("FAIL: " + why)
    print("--- console (last 2000 bytes) ---")
    print(out[-2000:].decode(errors="replace"))
    sys.exit(1)


pos = wait_for(b"EMU-GUEST-READY", 0)
if pos < 0:
    fail("no EMU-GUEST-READY marker")
pos = wait_for(b"/ # ", pos)
if pos < 0:
    fail("no shell prompt")
# 40+ characters in one write: more than the 16-entry receive FIFO holds.
p.stdin.write(b"echo typed-$((6*7))-$((1000+234))-through-the-uart\r")
p.stdin.flush()
pos = wait_for(b"typed-42-1234-through-the-uart\r\n", pos)
if pos < 0:
    fail("the shell did not run the typed line")
pos = wait_for(b"/ # ", pos)
p.stdin.write(b"poweroff -f\r")
p.stdin.flush()
try:
    rest, _ = p.communicate(timeout=max(1, deadline - time.monotonic()))
    out += rest
except subprocess.TimeoutExpired:
    fail("poweroff -f did not end the emulator")
if p.returncode != 0:
    fail("emulator exit status %d" % p.returncode)
print("PASS (interactive)")

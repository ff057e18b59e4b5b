#!/usr/bin/env python3
"""Runs emu-system-x86_64 with a guest and checks its output and exit status.

  run_guest.py [--expect RE]... [--reject RE]... [--status N] [--timeout S]
               [--send-after RE --send TEXT] [--signal-after RE --signal SIG]
               -- EMU ARGS...

Exits 77 (ctest SKIP_RETURN_CODE) with a printed reason when /dev/kvm is
missing or unusable, so the KVM tests skip instead of failing."""
import argparse, os, re, select, signal, subprocess, sys, time

SKIP = 77


def kvm_unusable():
    try:
        fd = os.open("/dev/kvm", os.O_RDWR)
        os.close(fd)
    except OSError as e:
        return f"/dev/kvm unusable: {e.strerror}"
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--expect", action="append", default=[])
    ap.add_argument("--reject", action="append", default=[])
    ap.add_argument("--status", type=int)
    ap.add_argument("--timeout", type=float, default=60)
    ap.add_argument("--send-after")
    ap.add_argument("--send", default="")
    ap.add_argument("--signal-after")
    ap.add_argument("--signal", default="TERM")
    ap.add_argument("--no-kvm-check", action="store_true")
    ap.add_argument("cmd", nargs=argparse.REMAINDER)
    a = ap.parse_args()
    cmd = a.cmd[1:] if a.cmd and a.cmd[0] == "--" else a.cmd
    if not a.no_kvm_check:
        why = kvm_unusable()
        if why:
            print(f"SKIP: {why}")
            return SKIP

    p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT)
    out = b""
    sent = signalled = False
    deadline = time.monotonic() + a.timeout
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            p.kill()
            p.wait()
            print(out.decode(errors="replace"))
            print(f"FAIL: timed out after {a.timeout}s")
            return 1
        r, _, _ = select.select([p.stdout], [], [], min(left, 0.2))
        if r:
            chunk = os.read(p.stdout.fileno(), 65536)
            if not chunk:
                break
            out += chunk
        text = out.decode(errors="replace")
        if a.send_after and not sent and re.search(a.send_after, text):
            p.stdin.write(a.send.encode().decode("unicode_escape").encode("latin-1"))
            p.stdin.flush()
            sent = True
        if a.signal_after and not signalled and re.search(a.signal_after, text):
            p.send_signal(getattr(signal, "SIG" + a.signal))
            signalled = True
    status = p.wait()
    text = out.decode(errors="replace")
    print(text)
    if "failed to initialize kvm" in text:
        print("SKIP: KVM could not be initialised")
        return SKIP
    ok = True
    for e in a.expect:
        if not re.search(e, text, re.M):
            print(f"FAIL: output lacks /{e}/")
            ok = False
    for e in a.reject:
        if re.search(e, text, re.M):
            print(f"FAIL: output has /{e}/")
            ok = False
    if a.status is not None and status != a.status:
        print(f"FAIL: exit status {status}, expected {a.status}")
        ok = False
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

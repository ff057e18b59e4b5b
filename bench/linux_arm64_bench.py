#!/usr/bin/env python3
"""Debian arm64 Linux on emu vs qemu-system-aarch64 TCG, side by side.

  bench/linux_arm64_bench.py boot [--runs N] [--cpu MODEL] [--smp N] [--emu-accel OPTS]
  bench/linux_arm64_bench.py work [--runs N] [--work sha256,gzip,bzip2,sort] ...

boot: process start -> EMU-GUEST-READY (init reached) and -> process exit
after `poweroff -f`. work: busybox sha256sum over 64 MiB, gzip -6 / bzip2
over 32 MiB (urandom data in tmpfs), sort over 1M lines, each timed between
marker lines the guest prints. Runs of the two emulators alternate, so
machine load hits both alike. For every phase the table shows the median
wall time and the median CPU time (user+system of the whole process, all
threads, from /proc/<pid>/stat at the markers): on a loaded machine CPU time
is the steadier measure. Ratios are emu/qemu (below 1: emu is faster).
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TICK = os.sysconf("SC_CLK_TCK")

WORK = {
    # name: (shell set-up, command timed)
    "sha256": ("cat /tmp/d /tmp/d > /tmp/d64", "sha256sum /tmp/d64 > /dev/null; rm /tmp/d64"),
    "gzip": ("", "gzip -6 -c /tmp/d > /dev/null"),
    "bzip2": ("", "bzip2 -c /tmp/d > /dev/null"),
    "sort": ("seq 1 1000000 | sort -R > /tmp/lines 2>/dev/null || seq 1000000 -1 1 > /tmp/lines",
             "sort /tmp/lines > /dev/null"),
}


def cpu_seconds(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TICK  # utime, stime
    except OSError:
        return None


def run_once(cmd, markers, timeout):
    """Returns {marker: (wall, cpu)} plus "exit" with the final times."""
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         stdin=subprocess.DEVNULL)
    seen = {}
    buf = b""
    last_cpu = 0.0
    while True:
        chunk = p.stdout.read1(4096)
        if not chunk:
            break
        buf += chunk
        for m in markers:
            if m not in seen and m.encode() in buf:
                c = cpu_seconds(p.pid)
                seen[m] = (time.monotonic() - t0, c if c is not None else last_cpu)
        c = cpu_seconds(p.pid)
        if c is not None:
            last_cpu = c
        buf = buf[-64:]
        if time.monotonic() - t0 > timeout:
            p.kill()
            break
    _, status, ru = os.wait4(p.pid, 0)
    seen["exit"] = (time.monotonic() - t0, ru.ru_utime + ru.ru_stime)
    seen["status"] = os.waitstatus_to_exitcode(status)
    return seen


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("mode", choices=["boot", "work"])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--cpu", default="cortex-a57")
    ap.add_argument("--smp", type=int, default=1)
    ap.add_argument("--emu", default=os.path.join(ROOT, "build/system/emu-system-aarch64"))
    ap.add_argument("--qemu", default=shutil.which("qemu-system-aarch64"))
    ap.add_argument("--emu-accel", default="", help="-accel tcg,<this> for emu only")
    ap.add_argument("--work", default="sha256,gzip")
    ap.add_argument("--timeout", type=float, default=900)
    a = ap.parse_args()

    guest = subprocess.run([os.path.join(ROOT, "scripts/fetch-guest.sh"), "arm64"], check=True,
                           capture_output=True, text=True).stdout.strip()
    if a.mode == "boot":
        append_cmd = "poweroff -f"
        phases = [("to-init", None, "EMU-GUEST-READY"), ("to-exit", None, "exit")]
        markers = ["EMU-GUEST-READY"]
    else:
        names = [w for w in a.work.split(",") if w]
        for w in names:
            if w not in WORK:
                sys.exit(f"--work: unknown item '{w}' (known: {', '.join(WORK)})")
        steps = ["head -c 33554432 /dev/urandom > /tmp/d"]
        phases, markers = [], []
        for i, w in enumerate(names):
            setup, timed = WORK[w]
            if setup:
                steps.append(setup)
            steps += [f"echo BENCH-{i}a", timed, f"echo BENCH-{i}b"]
            phases.append((w, f"BENCH-{i}a\r\n", f"BENCH-{i}b\r\n"))
            markers += [f"BENCH-{i}a\r\n", f"BENCH-{i}b\r\n"]
        append_cmd = 'sh -c "' + "; ".join(steps) + '"'

    def cmdline(binary, who):
        c = [binary, "-M", "virt", "-cpu", a.cpu, "-m", "1G", "-smp", str(a.smp), "-nographic",
             "-kernel", f"{guest}/vmlinuz", "-initrd", f"{guest}/initramfs.cpio.gz",
             "-append", f"console=ttyAMA0 quiet -- {append_cmd}"]
        if who == "emu" and a.emu_accel:
            c += ["-accel", "tcg," + a.emu_accel]
        return c

    whos = [w for w, b in (("qemu", a.qemu), ("emu", a.emu)) if b and os.access(b, os.X_OK)]
    results = {w: {ph[0]: ([], []) for ph in phases} for w in whos}
    failures = {w: 0 for w in whos}
    for _ in range(a.runs):
        for w in whos:
            r = run_once(cmdline(a.qemu if w == "qemu" else a.emu, w), markers, a.timeout)
            ok = all(m in r for m in markers) and r["status"] == 0
            if not ok:
                failures[w] += 1
                continue
            for name, start, end in phases:
                ws, cs = r[start] if start else (0.0, 0.0)
                we, ce = r[end]
                results[w][name][0].append(we - ws)
                results[w][name][1].append(ce - cs)

    extra = f", emu -accel tcg,{a.emu_accel}" if a.emu_accel else ""
    print(f"Linux arm64 {a.mode} (-cpu {a.cpu} -smp {a.smp}{extra}), {a.runs} runs, "
          f"medians in seconds; ratio = emu/qemu")
    print(f"{'phase':<10}" + "".join(f"{w + ' wall':>11}{w + ' cpu':>10}" for w in whos) +
          ("  ratio-wall ratio-cpu" if len(whos) == 2 else ""))

    def med(v):
        return statistics.median(v) if v else None

    for name, _, _ in phases:
        row = f"{name:<10}"
        vals = {}
        for w in whos:
            mw, mc = med(results[w][name][0]), med(results[w][name][1])
            vals[w] = (mw, mc)
            row += (f"{mw:>11.2f}" if mw is not None else f"{'-':>11}") + \
                   (f"{mc:>10.2f}" if mc is not None else f"{'-':>10}")
        if len(whos) == 2 and all(vals[w][0] for w in whos):
            row += f"  {vals['emu'][0] / vals['qemu'][0]:>10.2f}"
            row += f" {vals['emu'][1] / vals['qemu'][1]:>9.2f}" if vals['qemu'][1] else f" {'-':>9}"
        print(row)
    for w in whos:
        if failures[w]:
            print(f"{w}: {failures[w]} of {a.runs} runs failed (marker missing or exit status)")


if __name__ == "__main__":
    main()

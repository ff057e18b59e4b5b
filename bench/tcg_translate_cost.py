#!/usr/bin/env python3
"""Translation cost of a Debian arm64 boot to `poweroff -f`, per emu binary.

  bench/tcg_translate_cost.py [--runs N] [--tier T] BINARY [BINARY...]

Runs the boot (-M virt -cpu cortex-a57 -m 1G, `quiet`) with EMU_TCG_STATS=1,
alternating between the binaries so machine load hits them alike, and
prints per binary the medians of: blocks translated, microseconds per
translated block (wall clock around Cpu::translate, so inflated by a loaded
machine), the process's user+system CPU seconds (the steadier measure),
and its peak RSS. With two binaries, the last line gives the ratios of
the second to the first. The guest: scripts/fetch-guest.sh arm64.
"""
import argparse
import os
import re
import statistics
import subprocess
import sys

GUEST = os.path.join(os.environ.get("EMU_CACHE", os.path.expanduser("~/.cache/emu")), "guests/arm64")


def run(binary, tier):
    cmd = [binary, "-M", "virt", "-cpu", "cortex-a57", "-m", "1G", "-accel", f"tcg,tier={tier}",
           "-kernel", f"{GUEST}/vmlinuz", "-initrd", f"{GUEST}/initramfs.cpio.gz",
           "-append", "console=ttyAMA0 quiet -- poweroff -f", "-nographic"]
    env = dict(os.environ, EMU_TCG_STATS="1")
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                         stdin=subprocess.DEVNULL, env=env)
    err = p.stderr.read().decode(errors="replace")
    _, status, ru = os.wait4(p.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"{binary}: exit status {os.waitstatus_to_exitcode(status)}\n{err[-2000:]}")
    m = re.search(r"blocks translated (\d+) \(([\d.]+) us each\)", err)
    if not m:
        sys.exit(f"{binary}: no EMU_TCG_STATS line in its output")
    return {"blocks": int(m.group(1)), "us": float(m.group(2)),
            "cpu": ru.ru_utime + ru.ru_stime, "rss": ru.ru_maxrss / 1024}


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--tier", default="baseline")
    ap.add_argument("binaries", nargs="+")
    a = ap.parse_args()
    if not os.path.exists(f"{GUEST}/vmlinuz"):
        sys.exit(f"no guest in {GUEST}: run scripts/fetch-guest.sh arm64 first")
    res = {b: [] for b in a.binaries}
    for _ in range(a.runs):
        for b in a.binaries:
            res[b].append(run(b, a.tier))
    med = {}
    print(f"{'binary':40} {'blocks':>8} {'us/block':>9} {'CPU s':>7} {'RSS MiB':>8}")
    for b in a.binaries:
        med[b] = {k: statistics.median(r[k] for r in res[b]) for k in res[b][0]}
        m = med[b]
        print(f"{b[-40:]:40} {m['blocks']:8.0f} {m['us']:9.1f} {m['cpu']:7.2f} {m['rss']:8.0f}")
    if len(a.binaries) == 2:
        x, y = (med[b] for b in a.binaries)
        print(f"{'ratio (second/first)':40} {'':8} {y['us'] / x['us']:9.2f} "
              f"{y['cpu'] / x['cpu']:7.2f} {y['rss'] / x['rss']:8.2f}")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Where a guest spends its time, from EMU_PC_SAMPLE samples.

  EMU_PC_SAMPLE=/tmp/pcs emu-system-aarch64 ... -append "... -- cat /proc/kallsyms" > out.txt
  bench/guest_profile.py /tmp/pcs.0 out.txt [--top N]

The symbol file is anything with "<hex address> <type> <name>" lines, such
as /proc/kallsyms printed by the same boot (KASLR moves the kernel every
boot; Debian's package ships no real System.map). Samples are in time
order; the tail of a run that prints kallsyms shows the printing itself.
"""
import argparse
import bisect
import collections
import re

ap = argparse.ArgumentParser()
ap.add_argument("samples")
ap.add_argument("symbols")
ap.add_argument("--top", type=int, default=40)
a = ap.parse_args()

line_re = re.compile(r"^([0-9a-f]{16}) ([tTwW]) (\S+)")
syms = []
with open(a.symbols, errors="replace") as f:
    for line in f:
        m = line_re.match(line.replace("\r", ""))
        if m:
            syms.append((int(m.group(1), 16), m.group(3)))
syms.sort()
addrs = [s[0] for s in syms]

counts = collections.Counter()
total = 0
with open(a.samples) as f:
    for line in f:
        pc = int(line, 16)
        total += 1
        if pc < (1 << 63):
            counts["<user or low address>"] += 1
            continue
        i = bisect.bisect_right(addrs, pc) - 1
        counts[syms[i][1] if i >= 0 else "<unknown>"] += 1
print("%d samples" % total)
for name, n in counts.most_common(a.top):
    print("%6.2f%%  %s" % (100.0 * n / max(total, 1), name))

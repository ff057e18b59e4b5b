#!/usr/bin/env python3
"""Compares our PAR_EL1 values with QEMU's for the same AT cases.

Differences that are QEMU 7.2 simplifications, not ours, are accepted:
 - PAR.ATTR/SH: QEMU reports the descriptor's SH for Device and Normal
   Non-cacheable memory (the Arm ARM reports Outer Shareable), keeps the
   reserved SH value 0b01, and ignores SCTLR_EL1.C == 0 (Normal memory is
   then Non-cacheable).
 - An external abort on the walk of an AT instruction: QEMU takes a Data
   Abort (the test program prints "!" and ESR_EL2), we report
   it in PAR_EL1; the fault status codes must still agree.
Anything else fails.
"""
import sys

d = sys.argv[1]
exp = [int(l, 16) for l in open(d + '/expected.txt')]
got = [l.strip() for l in open(d + '/got.txt')]
cases = open(d + '/cases.txt').read().splitlines()
if len(got) != len(exp):
    sys.exit('QEMU produced %d results for %d cases' % (len(got), len(exp)))

def explained(i, e, g):
    if g.startswith('!'):
        fst = (e >> 1) & 0x3f
        return (e & 1) == 1 and 0x14 <= fst <= 0x17 and (int(g[1:], 16) & 0x3f) == fst
    g = int(g, 16)
    if not (e & 1) and not (g & 1):
        sctlr = int(dict(kv.split('=') for kv in cases[i].split()[1:])['sctlr'], 16)
        attr, sh = g >> 56, (g >> 7) & 3
        device = (attr & 0xf0) == 0
        if not device and not (sctlr >> 2) & 1:
            attr = 0x44
        if device or attr == 0x44:
            sh = 2
        elif sh == 1:
            sh = 0
        return (g & ~((0xff << 56) | (3 << 7))) | (attr << 56) | (sh << 7) == e
    return False

same = bad = 0
for i, (e, g) in enumerate(zip(exp, got)):
    if '%016x' % e == g:
        same += 1
    elif not explained(i, e, g):
        bad += 1
        if bad <= 20:
            print('case %s\n  ours %016x  qemu %s' % (cases[i], e, g))
print('%d cases, %d identical, %d unexplained differences' % (len(exp), same, bad))
sys.exit(1 if bad else 0)

#!/usr/bin/env python3
"""Generates diff_random.S: blocks of random but valid A64 instructions for
the differential test (tests/functional/aarch64/diff_test.sh). Each block
loads x0-x15, d0-d7, NZCV and FPCR from a state record, runs its
instructions, and stores everything back; the driver (diff_random.c) prints
the states, and the test compares that output between our tiers and QEMU.

Deterministic for a given seed. Only integer registers x0-x15 and FP
registers d0-d7 are touched; no memory, branches or system registers other
than NZCV/FPCR, so any two correct implementations print the same bytes.
"""
import random
import sys

SEED = int(sys.argv[2]) if len(sys.argv) > 2 else 20261121
BLOCKS = 160
PER_BLOCK = 24
rng = random.Random(SEED)


def xr():
    return "x%d" % rng.randrange(16)


def wr():
    return "w%d" % rng.randrange(16)


def bitmask_imm(width):
    # A valid logical immediate: an element of size e with a rotated run of
    # ones, replicated.
    e = rng.choice([2, 4, 8, 16, 32, 64] if width == 64 else [2, 4, 8, 16, 32])
    ones = rng.randrange(1, e)
    rot = rng.randrange(e)
    elem = (1 << ones) - 1
    elem = ((elem >> rot) | (elem << (e - rot))) & ((1 << e) - 1)
    v = 0
    for i in range(width // e):
        v |= elem << (i * e)
    return "#0x%x" % v


CONDS = "eq ne cs cc mi pl vs vc hi ls ge lt gt le".split()
SHIFTS = ["lsl", "lsr", "asr"]
EXTS = ["uxtb", "uxth", "uxtw", "sxtb", "sxth", "sxtw"]


def int_insn():
    sf = rng.random() < 0.6
    r = xr if sf else wr
    width = 64 if sf else 32
    k = rng.randrange(22)
    if k == 0:
        op = rng.choice(["add", "adds", "sub", "subs"])
        return "%s %s, %s, %s, %s #%d" % (op, r(), r(), r(), rng.choice(SHIFTS),
                                          rng.randrange(width))
    if k == 1:
        op = rng.choice(["add", "adds", "sub", "subs"])
        return "%s %s, %s, #%d%s" % (op, r(), r(), rng.randrange(4096),
                                     rng.choice(["", ", lsl #12"]))
    if k == 2:
        op = rng.choice(["add", "adds", "sub", "subs"])
        ext = rng.choice(EXTS)
        src = wr() if (ext != "uxtx" and ext != "sxtx") else xr()
        if sf:
            return "%s %s, %s, %s, %s #%d" % (op, xr(), xr(), src, ext, rng.randrange(5))
        return "%s %s, %s, %s, %s #%d" % (op, wr(), wr(), wr(), ext, rng.randrange(5))
    if k == 3:
        op = rng.choice(["and", "orr", "eor", "ands", "bic", "orn", "eon", "bics"])
        return "%s %s, %s, %s, %s #%d" % (op, r(), r(), r(), rng.choice(SHIFTS + ["ror"]),
                                          rng.randrange(width))
    if k == 4:
        op = rng.choice(["and", "orr", "eor", "ands"])
        return "%s %s, %s, %s" % (op, r(), r(), bitmask_imm(width))
    if k == 5:
        op = rng.choice(["movz", "movn", "movk"])
        return "%s %s, #0x%x, lsl #%d" % (op, r(), rng.randrange(65536),
                                          16 * rng.randrange(width // 16))
    if k == 6:
        op = rng.choice(["lsl", "lsr", "asr", "ror"])
        return "%s %s, %s, %s" % (op, r(), r(), r())
    if k == 7:
        op = rng.choice(["lsl", "lsr", "asr", "ror"])
        return "%s %s, %s, #%d" % (op, r(), r(), rng.randrange(width))
    if k == 8:
        lsb = rng.randrange(width)
        w = rng.randrange(1, width - lsb + 1)
        op = rng.choice(["ubfx", "sbfx", "bfi", "bfxil", "ubfiz", "sbfiz"])
        return "%s %s, %s, #%d, #%d" % (op, r(), r(), lsb, w)
    if k == 9:
        return "extr %s, %s, %s, #%d" % (r(), r(), r(), rng.randrange(width))
    if k == 10:
        op = rng.choice(["csel", "csinc", "csinv", "csneg"])
        return "%s %s, %s, %s, %s" % (op, r(), r(), r(), rng.choice(CONDS))
    if k == 11:
        op = rng.choice(["ccmp", "ccmn"])
        b = r() if rng.random() < 0.5 else "#%d" % rng.randrange(32)
        return "%s %s, %s, #%d, %s" % (op, r(), b, rng.randrange(16), rng.choice(CONDS))
    if k == 12:
        op = rng.choice(["mul", "mneg"])
        return "%s %s, %s, %s" % (op, r(), r(), r())
    if k == 13:
        op = rng.choice(["madd", "msub"])
        return "%s %s, %s, %s, %s" % (op, r(), r(), r(), r())
    if k == 14:
        op = rng.choice(["smulh", "umulh"])
        return "%s %s, %s, %s" % (op, xr(), xr(), xr())
    if k == 15:
        op = rng.choice(["smull", "umull"])
        return "%s %s, %s, %s" % (op, xr(), wr(), wr())
    if k == 16:
        op = rng.choice(["smaddl", "umaddl", "smsubl", "umsubl"])
        return "%s %s, %s, %s, %s" % (op, xr(), wr(), wr(), xr())
    if k == 17:
        op = rng.choice(["udiv", "sdiv"])
        return "%s %s, %s, %s" % (op, r(), r(), r())
    if k == 18:
        op = rng.choice(["clz", "cls", "rbit", "rev", "rev16"] + (["rev32"] if sf else []))
        return "%s %s, %s" % (op, r(), r())
    if k == 19:
        op = rng.choice(["adc", "adcs", "sbc", "sbcs", "ngc", "ngcs"])
        if op.startswith("ngc"):
            return "%s %s, %s" % (op, r(), r())
        return "%s %s, %s, %s" % (op, r(), r(), r())
    if k == 20:
        op = rng.choice(["crc32b", "crc32h", "crc32w", "crc32cb", "crc32ch", "crc32cw"])
        return "%s %s, %s, %s" % (op, wr(), wr(), wr())
    op = rng.choice(["crc32x", "crc32cx"])
    return "%s %s, %s, %s" % (op, wr(), wr(), xr())


def fp_insn():
    d = lambda: "d%d" % rng.randrange(8)
    s = lambda: "s%d" % rng.randrange(8)
    k = rng.randrange(10)
    if k < 3:
        op = rng.choice(["fadd", "fsub", "fmul", "fdiv", "fmax", "fmin", "fmaxnm", "fminnm",
                         "fnmul", "fabd"])
        r = rng.choice([d, s])
        return "%s %s, %s, %s" % (op, r(), r(), r())
    if k == 3:
        op = rng.choice(["fmadd", "fmsub", "fnmadd", "fnmsub"])
        r = rng.choice([d, s])
        return "%s %s, %s, %s, %s" % (op, r(), r(), r(), r())
    if k == 4:
        op = rng.choice(["fsqrt", "fabs", "fneg", "frintn", "frintz", "frintm", "frintp",
                         "frinta", "frintx", "frinti"])
        r = rng.choice([d, s])
        return "%s %s, %s" % (op, r(), r())
    if k == 5:
        return rng.choice(["fcvt %s, %s" % (d(), s()), "fcvt %s, %s" % (s(), d())])
    if k == 6:
        op = rng.choice(["fcvtzs", "fcvtzu", "fcvtns", "fcvtas", "fcvtms", "fcvtps"])
        return "%s %s, %s" % (op, rng.choice([xr, wr])(), rng.choice([d, s])())
    if k == 7:
        op = rng.choice(["scvtf", "ucvtf"])
        return "%s %s, %s" % (op, rng.choice([d, s])(), rng.choice([xr, wr])())
    if k == 8:
        op = rng.choice(["fcmp", "fcmpe"])
        r = rng.choice([d, s])
        return "%s %s, %s" % (op, r(), r())
    r = rng.choice([d, s])
    return "fcsel %s, %s, %s, %s" % (r(), r(), r(), rng.choice(CONDS))


def interesting64():
    return rng.choice([0, 1, 0xffffffffffffffff, 0x8000000000000000, 0x7fffffffffffffff,
                       0x80000000, 0x7fffffff, 0xffffffff, rng.getrandbits(64),
                       rng.getrandbits(64), rng.getrandbits(32), rng.getrandbits(8)])


def fp_bits():
    return rng.choice([
        0x0000000000000000, 0x8000000000000000, 0x3ff0000000000000, 0xbff8000000000000,
        0x7ff0000000000000, 0xfff0000000000000, 0x7ff8000000000000, 0x7ff4000000000001,
        0x0000000000000001, 0x000fffffffffffff, 0x4340000000000000, 0x43e0000000000000,
        0x000000003f800000, 0x000000007fc00000, 0x000000007f800001, 0x0000000000000001,
        0x00000000c0490fdb, rng.getrandbits(64),
        (rng.randrange(0x3c0, 0x440) << 52) | rng.getrandbits(52),
        (rng.randrange(0x70, 0x90) << 23) | rng.getrandbits(23)])


out = []
out.append("// Generated by diff_random.py (seed %d); do not edit." % SEED)
out.append("    .text")
out.append("    .global diff_blocks")
out.append("    .global diff_states")
out.append("    .global diff_nblocks")
for b in range(BLOCKS):
    out.append("    .balign 4")
    out.append("block_%d:" % b)
    # x17 = state: x[16], d[8], nzcv, fpcr (8 bytes each).
    out.append("    mov x17, x0")
    for i in range(0, 16, 2):
        out.append("    ldp x%d, x%d, [x17, #%d]" % (i, i + 1, 8 * i))
    for i in range(0, 8, 2):
        out.append("    ldp d%d, d%d, [x17, #%d]" % (i, i + 1, 128 + 8 * i))
    out.append("    ldr x16, [x17, #192]")
    out.append("    msr nzcv, x16")
    out.append("    ldr x16, [x17, #200]")
    out.append("    msr fpcr, x16")
    fp_share = 0.0 if b < BLOCKS // 2 else 0.4
    for _ in range(PER_BLOCK):
        out.append("    " + (fp_insn() if rng.random() < fp_share else int_insn()))
    for i in range(0, 16, 2):
        out.append("    stp x%d, x%d, [x17, #%d]" % (i, i + 1, 8 * i))
    for i in range(0, 8, 2):
        out.append("    stp d%d, d%d, [x17, #%d]" % (i, i + 1, 128 + 8 * i))
    out.append("    mrs x16, nzcv")
    out.append("    str x16, [x17, #192]")
    out.append("    mrs x16, fpsr")
    out.append("    str x16, [x17, #208]")
    out.append("    ret")
out.append("    .section .rodata")
out.append("    .balign 8")
out.append("diff_nblocks: .quad %d" % BLOCKS)
out.append("diff_blocks:")
for b in range(BLOCKS):
    out.append("    .quad block_%d" % b)
out.append("diff_states:")
for b in range(BLOCKS):
    vals = [interesting64() for _ in range(16)] + [fp_bits() for _ in range(8)]
    vals.append(rng.randrange(16) << 28)
    # FPCR: rounding mode and DN/FZ in the FP half.
    vals.append(0 if b < BLOCKS * 3 // 4 else (rng.randrange(4) << 22) | (rng.randrange(2) << 25) | (rng.randrange(2) << 24))
    vals.append(0)  # FPSR out
    out.append("    .quad " + ", ".join("0x%x" % v for v in vals))
with open(sys.argv[1], "w") as f:
    f.write("\n".join(out) + "\n")

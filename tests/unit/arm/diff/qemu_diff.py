#!/usr/bin/env python3
"""Differential test of A64 instruction semantics: random instruction
sequences run under our translator (emu-arm-run, interpreter tier) and under
Debian's qemu-system-aarch64 (TCG, -M virt -cpu cortex-a57); the register
state after each trial (X0-X15, NZCV, D0-D7) is printed on the UART by the
same bare-metal harness and compared line by line.

usage: qemu_diff.py EMU_ARM_RUN [--seed N] [--trials N] [--len N] [--keep DIR]
Exit 0 on agreement, 1 on a mismatch (the failing trial's instructions are
printed), 77 when qemu-system-aarch64 or the cross tools are missing."""
import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile

TOOLS = ["aarch64-linux-gnu-as", "aarch64-linux-gnu-ld", "aarch64-linux-gnu-objcopy",
         "qemu-system-aarch64"]
SIMD = False
CONDS = ["eq", "ne", "cs", "cc", "mi", "pl", "vs", "vc", "hi", "ls", "ge", "lt", "gt", "le",
         "al"]
EDGE = [0, 1, 2, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff, 0x7fffffff, 0x80000000,
        0xffffffff, 0x100000000, 0x7fffffffffffffff, 0x8000000000000000,
        0xffffffffffffffff, 63, 64, 31, 32]
FP_EDGE = [0x0, 0x8000000000000000, 0x3ff0000000000000, 0xbff0000000000000,
           0x7ff0000000000000, 0xfff0000000000000, 0x7ff8000000000000, 0x7ff4000000000000,
           0x0000000000000001, 0x000fffffffffffff, 0x7fefffffffffffff, 0x4024000000000000,
           0x3fe0000000000000, 0x43e0000000000000, 0xc3e0000000000000, 0x7fc00000,
           0x3f800000, 0xff800000, 0x7f800001]


def rnd_value(r):
    return r.choice(EDGE) if r.random() < 0.5 else r.getrandbits(64)


def reg(r, w):
    return ("w" if w else "x") + str(r.randrange(16))


def gen_simd(r):
    v = lambda: r.randrange(8)
    d, n, m = v(), v(), v()
    arr = r.choice(["8b", "16b", "4h", "8h", "2s", "4s", "2d"])
    noq = arr != "2d"
    c = r.randrange(14)
    if c == 0:
        ops = ["add", "sub", "cmeq", "cmhi", "cmhs", "cmgt", "cmge", "cmtst", "addp"]
        if noq:
            ops += ["umax", "umin", "smax", "smin", "umaxp", "uminp", "sabd", "uabd"]
            if arr not in ("2d",):
                ops += ["mul", "mla", "mls"]
        return f"{r.choice(ops)} v{d}.{arr}, v{n}.{arr}, v{m}.{arr}"
    if c == 1:
        a = r.choice(["8b", "16b"])
        return f"{r.choice(['and', 'orr', 'eor', 'bic', 'orn', 'bsl', 'bit', 'bif'])} v{d}.{a}, v{n}.{a}, v{m}.{a}"
    if c == 2:
        a = arr if arr != "2d" or True else "4s"
        return f"{r.choice(['uzp1', 'uzp2', 'zip1', 'zip2', 'trn1', 'trn2'])} v{d}.{a}, v{n}.{a}, v{m}.{a}"
    if c == 3:
        q = r.random() < 0.5
        return f"ext v{d}.{'16b' if q else '8b'}, v{n}.{'16b' if q else '8b'}, v{m}.{'16b' if q else '8b'}, #{r.randrange(16 if q else 8)}"
    if c == 4:
        a = r.choice(["8b", "16b"])
        return r.choice([f"cnt v{d}.{a}, v{n}.{a}", f"not v{d}.{a}, v{n}.{a}", f"rev16 v{d}.{a}, v{n}.{a}",
                         f"rev64 v{d}.{arr if noq else '4s'}, v{n}.{arr if noq else '4s'}",
                         f"cmeq v{d}.{arr}, v{n}.{arr}, #0", f"abs v{d}.{arr}, v{n}.{arr}",
                         f"neg v{d}.{arr}, v{n}.{arr}", f"cmlt v{d}.{arr}, v{n}.{arr}, #0"])
    if c == 5:
        a = r.choice(["8b", "16b", "4h", "8h", "4s"])
        return f"{r.choice(['addv', 'umaxv', 'uminv', 'smaxv', 'sminv'])} {dict(b='b', h='h', s='s')[a[-1]]}{d}, v{n}.{a}"
    if c == 6:
        return r.choice([f"movi v{d}.16b, #{r.randrange(256)}", f"movi v{d}.4s, #{r.randrange(256)}, lsl #{8 * r.randrange(4)}",
                         f"mvni v{d}.8h, #{r.randrange(256)}", f"orr v{d}.4s, #{r.randrange(256)}, lsl #8",
                         f"bic v{d}.8h, #{r.randrange(256)}", f"movi v{d}.2d, #0xff00ff0000ffff00",
                         f"movi d{d}, #0xffff00000000ffff"])
    if c == 7:
        e = r.choice(["b", "h", "s", "d"])
        cnt = {"b": 16, "h": 8, "s": 4, "d": 2}[e]
        arrx = {"b": "16b", "h": "8h", "s": "4s", "d": "2d"}[e]
        gp = ("x" if e == "d" else "w") + str(r.randrange(16))
        return r.choice([f"dup v{d}.{arrx}, v{n}.{e}[{r.randrange(cnt)}]", f"dup v{d}.{arrx}, {gp}",
                         f"ins v{d}.{e}[{r.randrange(cnt)}], {gp}", f"mov v{d}.{e}[{r.randrange(cnt)}], v{n}.{e}[{r.randrange(cnt)}]",
                         f"umov {gp}, v{n}.{e}[{r.randrange(cnt)}]"])
    if c == 8:
        es = r.choice([8, 16, 32])
        a = {8: "16b", 16: "8h", 32: "4s"}[es]
        return r.choice([f"ushr v{d}.{a}, v{n}.{a}, #{r.randrange(1, es + 1)}",
                         f"sshr v{d}.{a}, v{n}.{a}, #{r.randrange(1, es + 1)}",
                         f"shl v{d}.{a}, v{n}.{a}, #{r.randrange(es)}",
                         f"sli v{d}.{a}, v{n}.{a}, #{r.randrange(es)}",
                         f"sri v{d}.{a}, v{n}.{a}, #{r.randrange(1, es + 1)}",
                         f"usra v{d}.{a}, v{n}.{a}, #{r.randrange(1, es + 1)}"])
    if c == 9:
        wide, narrow = r.choice([("8h", "8b"), ("4s", "4h"), ("2d", "2s")])
        narrow2 = {"8b": "16b", "4h": "8h", "2s": "4s"}[narrow]
        es = {"8b": 8, "4h": 16, "2s": 32}[narrow]
        return r.choice([f"xtn v{d}.{narrow}, v{n}.{wide}", f"xtn2 v{d}.{narrow2}, v{n}.{wide}",
                         f"shrn v{d}.{narrow}, v{n}.{wide}, #{r.randrange(1, es + 1)}",
                         f"ushll v{d}.{wide}, v{n}.{narrow}, #{r.randrange(es)}",
                         f"sshll2 v{d}.{wide}, v{n}.{narrow2}, #{r.randrange(es)}",
                         f"uaddl v{d}.{wide}, v{n}.{narrow}, v{m}.{narrow}",
                         f"uaddw2 v{d}.{wide}, v{n}.{wide}, v{m}.{narrow2}",
                         f"umull v{d}.{wide}, v{n}.{narrow}, v{m}.{narrow}",
                         f"smull2 v{d}.{wide}, v{n}.{narrow2}, v{m}.{narrow2}",
                         f"umlal v{d}.{wide}, v{n}.{narrow}, v{m}.{narrow}"])
    if c == 10:
        q = r.choice(["8b", "16b"])
        return f"tbl v{d}.{q}, {{v{n}.16b}}, v{m}.{q}"
    if c == 11:
        a = r.choice(["4s", "2d", "2s"])
        return f"{r.choice(['fadd', 'fsub', 'fmul', 'fdiv', 'fmax', 'fmin', 'fmaxnm', 'fcmeq', 'fcmge', 'fcmgt', 'fabd', 'faddp', 'fmla'])} v{d}.{a}, v{n}.{a}, v{m}.{a}"
    if c == 12:
        a = r.choice(["4s", "2d"])
        return f"{r.choice(['fabs', 'fneg', 'fsqrt', 'scvtf', 'ucvtf', 'fcvtzs', 'fcvtzu'])} v{d}.{a}, v{n}.{a}"
    return f"addp d{d}, v{n}.2d"


def gen_insn(r):
    if SIMD and r.random() < 0.5:
        return gen_simd(r)
    w = r.random() < 0.4
    d, n, m = reg(r, w), reg(r, w), reg(r, w)
    width = 32 if w else 64
    k = r.randrange(4)
    choice = r.randrange(24)
    if choice == 0:
        op = r.choice(["add", "adds", "sub", "subs"])
        return f"{op} {d}, {n}, {m}, {r.choice(['lsl', 'lsr', 'asr'])} #{r.randrange(width)}"
    if choice == 1:
        op = r.choice(["add", "adds", "sub", "subs"])
        return f"{op} {d}, {n}, #{r.randrange(4096)}{', lsl #12' if r.random() < 0.3 else ''}"
    if choice == 2:
        op = r.choice(["and", "orr", "eor", "bic", "orn", "eon", "ands", "bics"])
        return f"{op} {d}, {n}, {m}, {r.choice(['lsl', 'lsr', 'asr', 'ror'])} #{r.randrange(width)}"
    if choice == 3:
        op = r.choice(["and", "orr", "eor", "ands"])
        imm = r.choice([0xff, 0xff00, 0x5555555555555555, 0xf0f0f0f0f0f0f0f0, 0x1, 0x7ffffffe,
                        0xfffffffffffffff0, 0x3c])
        if w:
            imm &= 0xffffffff
            if imm in (0, 0xffffffff):
                imm = 0xff
        return f"{op} {d}, {n}, #{imm:#x}"
    if choice == 4:
        op = r.choice(["madd", "msub"])
        return f"{op} {d}, {n}, {m}, {reg(r, w)}"
    if choice == 5:
        if w:
            return f"{r.choice(['udiv', 'sdiv', 'mul'])} {d}, {n}, {m}"
        return f"{r.choice(['smulh', 'umulh', 'udiv', 'sdiv', 'mul'])} {d}, {n}, {m}"
    if choice == 6:
        return f"{r.choice(['lsl', 'lsr', 'asr', 'ror'])} {d}, {n}, {m}"
    if choice == 7:
        lsb = r.randrange(width)
        wd = r.randrange(1, width - lsb + 1)
        op = r.choice(["ubfx", "sbfx", "bfxil", "ubfiz", "sbfiz", "bfi"])
        return f"{op} {d}, {n}, #{lsb}, #{wd}"
    if choice == 8:
        return f"extr {d}, {n}, {m}, #{r.randrange(width)}"
    if choice == 9:
        op = r.choice(["csel", "csinc", "csinv", "csneg"])
        return f"{op} {d}, {n}, {m}, {r.choice(CONDS)}"
    if choice == 10:
        op = r.choice(["ccmp", "ccmn"])
        if r.random() < 0.5:
            return f"{op} {n}, {m}, #{r.randrange(16)}, {r.choice(CONDS)}"
        return f"{op} {n}, #{r.randrange(32)}, #{r.randrange(16)}, {r.choice(CONDS)}"
    if choice == 11:
        return f"{r.choice(['adc', 'adcs', 'sbc', 'sbcs', 'ngc', 'ngcs'])} {d}, {n}, {m}".replace(
            f"ngc {d}, {n}, {m}", f"ngc {d}, {m}").replace(f"ngcs {d}, {n}, {m}", f"ngcs {d}, {m}")
    if choice == 12:
        ops = ["clz", "cls", "rbit", "rev", "rev16"] + ([] if w else ["rev32"])
        return f"{r.choice(ops)} {d}, {n}"
    if choice == 13:
        sz = r.choice(["b", "h", "w", "x"])
        c = r.choice(["", "c"])
        src = ("x" if sz == "x" else "w") + str(r.randrange(16))
        return f"crc32{c}{sz} w{r.randrange(16)}, w{r.randrange(16)}, {src}"
    if choice == 14:
        op = r.choice(["movz", "movk", "movn"])
        return f"{op} {d}, #{r.randrange(65536)}, lsl #{16 * r.randrange(2 if w else 4)}"
    if choice == 15:
        return f"{r.choice(['cmp', 'cmn', 'tst'])} {n}, {m}"
    if choice == 16:
        op = r.choice(["smaddl", "umaddl", "smsubl", "umsubl"])
        return f"{op} x{r.randrange(16)}, w{r.randrange(16)}, w{r.randrange(16)}, x{r.randrange(16)}"
    if choice == 17:
        return f"{r.choice(['add', 'sub', 'adds', 'subs'])} {d}, {n}, w{r.randrange(16)}, " \
               f"{r.choice(['uxtb', 'uxth', 'uxtw', 'sxtb', 'sxth', 'sxtw'])} #{r.randrange(5)}"
    if choice == 18:
        return f"{r.choice(['cset', 'csetm'])} {d}, {r.choice(CONDS[:-1])}"
    # Floating point on d0-d7 / s0-s7.
    fd, fn, fm = (r.randrange(8) for _ in range(3))
    p = "s" if r.random() < 0.4 else "d"
    if choice == 19:
        op = r.choice(["fadd", "fsub", "fmul", "fdiv", "fmax", "fmin", "fmaxnm", "fminnm",
                       "fnmul", "fabd"])
        return f"{op} {p}{fd}, {p}{fn}, {p}{fm}"
    if choice == 20:
        op = r.choice(["fsqrt", "fabs", "fneg", "frintn", "frintp", "frintm", "frintz",
                       "frinta", "frintx", "frinti"])
        return f"{op} {p}{fd}, {p}{fn}"
    if choice == 21:
        return f"{r.choice(['fcmp', 'fcmpe'])} {p}{fn}, {p}{fm}"
    if choice == 22:
        op = r.choice(["fcvtzs", "fcvtzu", "fcvtns", "fcvtas", "fcvtms", "fcvtps", "fcvtnu"])
        return f"{op} {reg(r, w)}, {p}{fn}"
    if choice == 23:
        if r.random() < 0.5:
            return f"{r.choice(['scvtf', 'ucvtf'])} {p}{fd}, {reg(r, w)}"
        return f"{r.choice(['fmadd', 'fmsub', 'fnmadd', 'fnmsub'])} {p}{fd}, {p}{fn}, {p}{fm}, {p}{r.randrange(8)}"
    return "nop"


HARNESS_HEAD = """
    .text
    .global _start
_start:
    mov x22, #0x09000000
    mov x1, #(3 << 20)
    msr cpacr_el1, x1
    adr x1, vectors
    msr vbar_el1, x1
    isb
"""

PRINT = """
    adr x20, out_{t}
    mov x21, #34
1:  ldr x23, [x20], #8
    mov x24, #60
2:  lsr x25, x23, x24
    and x25, x25, #0xf
    add x26, x25, #48
    add x27, x25, #87
    cmp x25, #10
    csel x26, x26, x27, lo
    strb w26, [x22]
    subs x24, x24, #4
    b.ge 2b
    mov x26, #10
    strb w26, [x22]
    subs x21, x21, #1
    b.ne 1b
"""

TAIL = """
    b done
    .balign 2048
vectors:
    .rept 16
    b unexpected
    .balign 128
    .endr
unexpected:
    mrs x0, esr_el1
    mov x1, #0x58
    strb w1, [x22]
    adr x1, failblk
    mov x0, #0x20
    hlt #0xf000
done:
    adr x1, exitblk
    mov x0, #0x20
    hlt #0xf000
3:  b 3b
    .balign 8
exitblk: .quad 0x20026, 0
failblk: .quad 0x20026, 2
"""


def build_program(r, trials, length):
    src = [HARNESS_HEAD]
    data = []
    listing = []
    for t in range(trials):
        insns = [gen_insn(r) for _ in range(length)]
        listing.append(insns)
        src.append(f"    adr x30, in_{t}")
        for i in range(0, 16, 2):
            src.append(f"    ldp x{i}, x{i + 1}, [x30, #{8 * i}]")
        src.append("    ldr x16, [x30, #128]")
        src.append("    msr nzcv, x16")
        src.append("    msr fpsr, xzr")
        for i in range(8):
            src.append(f"    ldr q{i}, [x30, #{144 + 16 * i}]")
        src += ["    " + i for i in insns]
        src.append(f"    adr x30, out_{t}")
        for i in range(0, 16, 2):
            src.append(f"    stp x{i}, x{i + 1}, [x30, #{8 * i}]")
        src.append("    mrs x16, nzcv")
        src.append("    str x16, [x30, #128]")
        src.append("    mrs x16, fpsr")
        src.append("    str x16, [x30, #136]")
        for i in range(8):
            src.append(f"    str q{i}, [x30, #{144 + 16 * i}]")
        src.append(PRINT.format(t=t).replace("1:", f"1{t}:").replace("2:", f"2{t}:")
                   .replace("1b", f"1{t}b").replace("2b", f"2{t}b"))
        vals = [rnd_value(r) for _ in range(16)] + [r.randrange(16) << 28, 0]
        vals += [r.choice(FP_EDGE) if r.random() < 0.6 else r.getrandbits(64) for _ in range(16)]
        data.append(f"    .balign 16\nin_{t}:\n" + "".join(f"    .quad {v:#x}\n" for v in vals))
        data.append(f"    .balign 16\nout_{t}: .space 288\n")
    src.append(TAIL)
    src += data
    return "\n".join(src) + "\n", listing


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("emu_arm_run")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--trials", type=int, default=40)
    ap.add_argument("--len", type=int, default=24)
    ap.add_argument("--keep")
    ap.add_argument("--simd", action="store_true", help="mix in AdvSIMD instructions")
    a = ap.parse_args()
    missing = [t for t in TOOLS if not shutil.which(t)]
    if missing:
        print("skipped: missing " + ", ".join(missing))
        return 77
    global SIMD
    SIMD = a.simd
    r = random.Random(a.seed)
    src, listing = build_program(r, a.trials, a.len)
    d = a.keep or tempfile.mkdtemp(prefix="qemu_diff_")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "t.s"), "w") as f:
        f.write(src)
    run = lambda cmd: subprocess.run(cmd, check=True, cwd=d, capture_output=True)
    run(["aarch64-linux-gnu-as", "-march=armv8.1-a+crc", "t.s", "-o", "t.o"])
    run(["aarch64-linux-gnu-ld", "-Ttext=0x40080000", "-e", "_start", "t.o", "-o", "t.elf"])
    run(["aarch64-linux-gnu-objcopy", "-O", "binary", "t.elf", "t.bin"])
    ours = subprocess.run([a.emu_arm_run, "-accel-options", "tier=interp", "t.bin"], cwd=d,
                          capture_output=True, timeout=120)
    qemu = subprocess.run(["qemu-system-aarch64", "-M", "virt", "-cpu", "cortex-a57",
                           "-nographic", "-semihosting", "-monitor", "none", "-kernel", "t.elf"],
                          cwd=d, capture_output=True, timeout=300)
    ol = ours.stdout.decode(errors="replace").replace("\r", "").split("\n")
    ql = qemu.stdout.decode(errors="replace").replace("\r", "").split("\n")
    for who, lines, proc in (("ours", ol, ours), ("qemu", ql, qemu)):
        if len([x for x in lines if x]) != 34 * a.trials:
            print(f"{who}: expected {34 * a.trials} register lines, got {len(lines)}; "
                  f"exit {proc.returncode}\n{proc.stderr.decode(errors='replace')[-2000:]}")
            print(f"files in {d}")
            return 1
    names = [f"x{i}" for i in range(16)] + ["nzcv", "fpsr"] + \
        [f"q{i // 2}.{'lo' if i % 2 == 0 else 'hi'}" for i in range(16)]
    for t in range(a.trials):
        for i in range(34):
            k = t * 34 + i
            o = ol[k] if k < len(ol) else "<missing>"
            q = ql[k] if k < len(ql) else "<missing>"
            if o != q:
                print(f"MISMATCH seed {a.seed} trial {t}: {names[i]} ours {o} qemu {q}")
                print("instructions:\n  " + "\n  ".join(listing[t]))
                print(f"files in {d}")
                return 1
    print(f"ok: {a.trials} trials x {a.len} instructions agree with QEMU (seed {a.seed})")
    if not a.keep:
        shutil.rmtree(d)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Random A64 instruction generators, one per instruction group. Each
generator returns a list of items (one instruction each, except the branch
group whose items are small forward-only control-flow blocks). Registers:
x28 is the harness's state pointer and never written; in the memory groups
x27 (base) and x26 (index) keep their roles and loads never target them.
Memory accesses stay inside SCRATCH and are aligned to their size (see the
exclusion notes in exclusions.py for why)."""
import random

from harness import (I_FPCR, I_FPSR, I_MEM, I_NZCV, I_SP, I_V, N_MEM, N_STATE, SCRATCH,
                     SCRATCH_SIZE, STATE)

CONDS = ["eq", "ne", "cs", "cc", "mi", "pl", "vs", "vc", "hi", "ls", "ge", "lt", "gt", "le",
         "al", "nv"]
XEDGE = [0, 1, 2, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff, 0x7fffffff, 0x80000000,
         0xffffffff, 0x100000000, 0x7fffffffffffffff, 0x8000000000000000,
         0xffffffffffffffff, 0xfffffffffffffffe, 63, 64, 31, 32, 0xffffffff80000000]
F16 = [0x0000, 0x8000, 0x3c00, 0xbc00, 0x7c00, 0xfc00, 0x7e00, 0x7c01, 0xfe01, 0x0001, 0x83ff,
       0x7bff, 0x3800, 0x0400]
F32 = [0x0, 0x80000000, 0x3f800000, 0xbf800000, 0x7f800000, 0xff800000, 0x7fc00000,
       0x7f800001, 0xffc00001, 0x00000001, 0x807fffff, 0x7f7fffff, 0x4f000000, 0xcf000000,
       0x5f000000, 0xdf000000, 0x3f000000, 0x3fc00000, 0x40200000, 0x00800000, 0x4effffff,
       0xbf7fffff, 0x7f7fffff, 0x33800000]
F64 = [0x0, 0x8000000000000000, 0x3ff0000000000000, 0xbff0000000000000, 0x7ff0000000000000,
       0xfff0000000000000, 0x7ff8000000000000, 0x7ff0000000000001, 0xfff8000000000001,
       0x0000000000000001, 0x800fffffffffffff, 0x7fefffffffffffff, 0x41e0000000000000,
       0xc1e0000000000000, 0x43e0000000000000, 0xc3e0000000000000, 0x3fe0000000000000,
       0x3ff8000000000000, 0x4004000000000000, 0x0010000000000000, 0x41dfffffffc00000,
       0x3ca0000000000000, 0x47efffffe0000000, 0x36a0000000000000]

GP = [i for i in range(31) if i != 28]
GP_MEM = [i for i in range(26)] + [29, 30]  # load destinations in the memory groups


def xval(r):
    k = r.random()
    if k < 0.45:
        return r.choice(XEDGE)
    if k < 0.6:
        return r.randrange(128)
    if k < 0.7:
        return -r.randrange(1, 128) & (2**64 - 1)
    return r.getrandbits(64)


def lanes(r, width, pool, n):
    v = 0
    for i in range(n):
        x = r.choice(pool) if r.random() < 0.7 else r.getrandbits(width)
        if width < 64 and r.random() < 0.2:
            x = r.choice(XEDGE) & ((1 << width) - 1)
        v |= x << (i * width)
    return v


def vval(r):
    k = r.randrange(6)
    if k == 0:
        return r.getrandbits(128)
    if k == 1:
        return lanes(r, 64, F64, 2)
    if k == 2:
        return lanes(r, 32, F32, 4)
    if k == 3:
        return lanes(r, 16, F16, 8)
    if k == 4:
        return lanes(r, 8, [0, 1, 0x7f, 0x80, 0xff, 0xfe, 0x81], 16)
    return lanes(r, 64, XEDGE, 2)


def fpcr(r, fp_heavy):
    if not fp_heavy or r.random() < 0.3:
        return 0
    v = r.randrange(4) << 22  # RMode
    if r.random() < 0.3:
        v |= 1 << 24  # FZ
    if r.random() < 0.3:
        v |= 1 << 25  # DN
    if r.random() < 0.2:
        v |= 1 << 26  # AHP
    return v


def input_state(r, group):
    s = [xval(r) for _ in range(31)] + [0] * (N_STATE - 31) + [0] * N_MEM
    s[28] = STATE
    if group.mem:
        s[27] = SCRATCH + SCRATCH_SIZE // 2
        s[26] = r.choice([0, 8, 16, 24, 32, -8, -16, -32, 64, 1, 2, 4]) & (2**64 - 1)
    s[I_SP] = SCRATCH + SCRATCH_SIZE // 2 - 32  # MemState.sp tracks this
    s[I_NZCV] = r.randrange(16) << 28
    s[I_FPCR] = fpcr(r, group.fp)
    s[I_FPSR] = 0
    for i in range(32):
        v = vval(r)
        s[I_V + 2 * i] = v & (2**64 - 1)
        s[I_V + 2 * i + 1] = v >> 64
    for i in range(N_MEM):
        s[I_MEM + i] = xval(r) if r.random() < 0.5 else r.getrandbits(64)
    return s


def g(r, w):
    return ("w" if w else "x") + str(r.choice(GP))


def gz(r, w):
    """A register operand where 31 means ZR."""
    if r.random() < 0.1:
        return "wzr" if w else "xzr"
    return g(r, w)


# ---------------------------------------------------------------- integer DP


def bitmask_imm(r, w):
    """A valid logical immediate: a rotated run of ones in a replicated element."""
    size = r.choice([2, 4, 8, 16, 32] + ([] if w else [64]))
    ones = r.randrange(1, size)
    rot = r.randrange(size)
    elem = ((1 << ones) - 1)
    elem = ((elem >> rot) | (elem << (size - rot))) & ((1 << size) - 1)
    width = 32 if w else 64
    v = 0
    for i in range(0, width, size):
        v |= elem << i
    return v


def gen_dp_imm(r):
    w = r.random() < 0.4
    width = 32 if w else 64
    k = r.randrange(6)
    if k == 0:
        op = r.choice(["add", "adds", "sub", "subs"])
        sp_ok = op in ("add", "sub")
        d = ("wsp" if w else "sp") if sp_ok and r.random() < 0.1 else gz(r, w) if op[-1] == "s" else g(r, w)
        n = ("wsp" if w else "sp") if r.random() < 0.1 else g(r, w)
        return f"{op} {d}, {n}, #{r.randrange(4096)}{', lsl #12' if r.random() < 0.3 else ''}"
    if k == 1:
        op = r.choice(["and", "orr", "eor", "ands"])
        return f"{op} {g(r, w)}, {gz(r, w)}, #{bitmask_imm(r, w):#x}"
    if k == 2:
        op = r.choice(["movz", "movk", "movn"])
        return f"{op} {g(r, w)}, #{r.randrange(65536)}, lsl #{16 * r.randrange(2 if w else 4)}"
    if k == 3:
        return f"{r.choice(['adr', 'adrp'])} x{r.choice(GP)}, {r.choice(['.', '.+4', '.-8', '.+4096'])}"
    if k == 4:
        return f"{r.choice(['cmp', 'cmn'])} {g(r, w)}, #{r.randrange(4096)}"
    return f"tst {g(r, w)}, #{bitmask_imm(r, w):#x}"


def gen_dp_reg(r):
    w = r.random() < 0.4
    width = 32 if w else 64
    d, n, m = g(r, w), gz(r, w), gz(r, w)
    k = r.randrange(9)
    if k == 0:
        op = r.choice(["add", "adds", "sub", "subs", "neg", "negs"])
        sh = f", {r.choice(['lsl', 'lsr', 'asr'])} #{r.randrange(width)}"
        if op.startswith("neg"):
            return f"{op} {d}, {m}{sh}"
        return f"{op} {d}, {n}, {m}{sh}"
    if k == 1:
        op = r.choice(["and", "orr", "eor", "bic", "orn", "eon", "ands", "bics", "mvn"])
        sh = f", {r.choice(['lsl', 'lsr', 'asr', 'ror'])} #{r.randrange(width)}"
        if op == "mvn":
            return f"mvn {d}, {m}{sh}"
        return f"{op} {d}, {n}, {m}{sh}"
    if k == 2:
        op = r.choice(["add", "sub", "adds", "subs"])
        ext = r.choice(["uxtb", "uxth", "uxtw", "sxtb", "sxth", "sxtw"] + ([] if w else ["uxtx", "sxtx"]))
        src = ("x" if ext.endswith("x") else "w") + str(r.choice(GP))
        dn = ("wsp" if w else "sp") if r.random() < 0.15 else d
        dd = dn if op in ("add", "sub") else gz(r, w)
        return f"{op} {dd}, {dn}, {src}, {ext} #{r.randrange(5)}"
    if k == 3:
        op = r.choice(["adc", "adcs", "sbc", "sbcs"])
        return f"{op} {d}, {n}, {m}"
    if k == 4:
        return f"{r.choice(['lslv', 'lsrv', 'asrv', 'rorv'])} {d}, {n}, {m}"
    if k == 5:
        ops = ["clz", "cls", "rbit", "rev", "rev16"] + ([] if w else ["rev32"])
        return f"{r.choice(ops)} {d}, {n}"
    if k == 6:
        return f"{r.choice(['cmp', 'cmn', 'tst'])} {n}, {m}, {r.choice(['lsl', 'lsr', 'asr'])} #{r.randrange(width)}"
    if k == 7:
        return f"{r.choice(['sxtb', 'sxth', 'uxtb', 'uxth'])} {d}, w{r.choice(GP)}" if r.random() < 0.5 \
            else f"sxtw x{r.choice(GP)}, w{r.choice(GP)}"
    return f"{r.choice(['mov', 'mvn'])} {d}, {m}"


def gen_bitfield(r):
    w = r.random() < 0.4
    width = 32 if w else 64
    d, n = g(r, w), gz(r, w)
    k = r.randrange(4)
    if k == 0:
        lsb = r.randrange(width)
        wd = r.randrange(1, width - lsb + 1)
        op = r.choice(["ubfx", "sbfx", "bfxil", "ubfiz", "sbfiz", "bfi"])
        return f"{op} {d}, {n}, #{lsb}, #{wd}"
    if k == 1:
        return f"{r.choice(['ubfm', 'sbfm', 'bfm'])} {d}, {n}, #{r.randrange(width)}, #{r.randrange(width)}"
    if k == 2:
        return f"extr {d}, {n}, {gz(r, w)}, #{r.randrange(width)}"
    return f"{r.choice(['lsl', 'lsr', 'asr', 'ror'])} {d}, {n}, #{r.randrange(width)}"


def gen_condsel(r):
    w = r.random() < 0.4
    d, n, m = g(r, w), gz(r, w), gz(r, w)
    k = r.randrange(5)
    if k == 0:
        return f"{r.choice(['csel', 'csinc', 'csinv', 'csneg'])} {d}, {n}, {m}, {r.choice(CONDS)}"
    if k == 1:
        return f"{r.choice(['ccmp', 'ccmn'])} {n}, {m}, #{r.randrange(16)}, {r.choice(CONDS)}"
    if k == 2:
        return f"{r.choice(['ccmp', 'ccmn'])} {n}, #{r.randrange(32)}, #{r.randrange(16)}, {r.choice(CONDS)}"
    if k == 3:
        return f"{r.choice(['cset', 'csetm'])} {d}, {r.choice(CONDS[:14])}"
    return f"{r.choice(['cinc', 'cinv', 'cneg'])} {d}, {n}, {r.choice(CONDS[:14])}"


def gen_muldiv(r):
    w = r.random() < 0.4
    d, n, m, a = g(r, w), gz(r, w), gz(r, w), gz(r, w)
    k = r.randrange(5)
    if k == 0:
        return f"{r.choice(['madd', 'msub'])} {d}, {n}, {m}, {a}"
    if k == 1:
        return f"{r.choice(['udiv', 'sdiv', 'mul', 'mneg'])} {d}, {n}, {m}"
    if k == 2:
        return f"{r.choice(['smulh', 'umulh'])} x{r.choice(GP)}, {gz(r, False)}, {gz(r, False)}"
    if k == 3:
        op = r.choice(["smaddl", "umaddl", "smsubl", "umsubl"])
        return f"{op} x{r.choice(GP)}, w{r.choice(GP)}, w{r.choice(GP)}, {gz(r, False)}"
    return f"{r.choice(['smull', 'umull', 'smnegl', 'umnegl'])} x{r.choice(GP)}, w{r.choice(GP)}, w{r.choice(GP)}"


def gen_crc(r):
    sz = r.choice(["b", "h", "w", "x"])
    src = ("x" if sz == "x" else "w") + str(r.choice(GP))
    return f"crc32{r.choice(['', 'c'])}{sz} w{r.choice(GP)}, w{r.choice(GP)}, {src}"


def gen_int_mix(r):
    return r.choice([gen_dp_imm, gen_dp_reg, gen_bitfield, gen_condsel, gen_muldiv, gen_crc])(r)


# ---------------------------------------------------------------- memory


class MemState:
    """Tracks x27 and SP (offsets from SCRATCH) so writeback keeps them inside."""

    def __init__(self):
        self.base = {27: SCRATCH_SIZE // 2, 31: None}


def gen_ls(r, ms):
    sizes = [("b", 1, "w"), ("h", 2, "w"), ("", 4, "w"), ("", 8, "x")]
    use_sp = r.random() < 0.2
    bname = "sp" if use_sp else "x27"
    cur = ms.base[27] if not use_sp else ms.sp
    k = r.randrange(8)
    if k <= 3:  # single register, immediate forms
        sfx, size, rk = r.choice(sizes)
        load = r.random() < 0.6
        if load:
            variants = [("ldr" + sfx, rk)]
            if size < 8:
                variants.append(("ldrs" + sfx if sfx else "ldrsw", "x" if size == 4 else r.choice("wx")))
            op, rk = r.choice(variants)
            if op == "ldrsw":
                rk = "x"
        else:
            op = "str" + sfx
        t = f"{rk}{r.choice(GP_MEM if load else GP)}"
        form = r.randrange(4)
        # Offsets keep every byte inside SCRATCH and accesses aligned.
        lo = -min(cur, 256) // size
        hi = min(SCRATCH_SIZE - size - cur, 255) // size
        if form == 0:
            off = r.randrange(0, hi + 1) * size if hi >= 0 else 0
            return f"{op} {t}, [{bname}, #{off}]"
        if form == 1:
            off = r.randrange(lo, hi + 1) * size
            unscaled = op.replace("ldr", "ldur").replace("str", "stur")
            return f"{unscaled} {t}, [{bname}, #{off}]"
        # writeback: keep base 16-aligned for SP and inside [64, SCRATCH_SIZE - 64]
        step = 16
        choices = [o for o in range(-64, 65, step) if 64 <= cur + o <= SCRATCH_SIZE - 64]
        off = r.choice(choices)
        if use_sp:
            ms.sp = cur + off
        else:
            ms.base[27] = cur + off
        return f"{op} {t}, [{bname}, #{off}]!" if form == 2 else f"{op} {t}, [{bname}], #{off}"
    if k == 4:  # register offset, x26 holds one of a few small values (set per trial)
        sfx, size, rk = r.choice(sizes)
        load = r.random() < 0.6
        op = ("ldr" if load else "str") + sfx
        t = f"{rk}{r.choice(GP_MEM if load else GP)}"
        if load and size < 8 and r.random() < 0.3:
            op = "ldrs" + sfx if sfx else "ldrsw"
            t = ("x" if size == 4 or r.random() < 0.5 else "w") + t[1:]
        ext = r.choice(["lsl", "sxtx"])
        amt = r.choice([0, {1: 0, 2: 1, 4: 2, 8: 3}[size]])
        if size == 1 and amt == 0 and r.random() < 0.5:
            return f"{op} {t}, [x27, x26]"
        return f"{op} {t}, [x27, x26, {ext} #{amt}]" if not (size == 1 and amt != 0) else f"{op} {t}, [x27, x26]"
    if k == 5:  # pairs
        rk, size = r.choice([("w", 4), ("x", 8), ("w", 4)])
        load = r.random() < 0.6
        op = r.choice(["ldp", "ldnp"] + (["ldpsw"] if rk == "w" else [])) if load else r.choice(["stp", "stnp"])
        if op == "ldpsw":
            rk = "x"
            size = 4
        pool = GP_MEM if load else GP
        t1 = r.choice(pool)
        t2 = r.choice([x for x in pool if x != t1])
        form = r.randrange(3) if op not in ("ldnp", "stnp") else 0
        if form == 0:
            lo = -min(cur, 256) // size
            hi = min(SCRATCH_SIZE - 2 * size - cur, 63 * size) // size
            off = r.randrange(max(lo, -64), hi + 1) * size
            return f"{op} {rk}{t1}, {rk}{t2}, [{bname}, #{off}]"
        choices = [o for o in range(-64, 65, 16) if 64 <= cur + o <= SCRATCH_SIZE - 64]
        off = r.choice(choices)
        if use_sp:
            ms.sp = cur + off
        else:
            ms.base[27] = cur + off
        return f"{op} {rk}{t1}, {rk}{t2}, [{bname}, #{off}]!" if form == 1 else \
            f"{op} {rk}{t1}, {rk}{t2}, [{bname}], #{off}"
    if k == 6:  # FP/SIMD registers
        q = r.choice([("b", 1), ("h", 2), ("s", 4), ("d", 8), ("q", 16)])
        load = r.random() < 0.6
        off = r.randrange(0, 8) * q[1]
        if r.random() < 0.3:
            p = r.choice([("s", 4), ("d", 8), ("q", 16)])
            a, b = r.sample(range(32), 2)
            offp = r.randrange(-4, 4) * p[1]
            return f"{'ldp' if load else 'stp'} {p[0]}{a}, {p[0]}{b}, [x27, #{offp}]"
        return f"{'ldr' if load else 'str'} {q[0]}{r.randrange(32)}, [x27, #{off}]"
    # literal loads (PC-relative, from the code itself)
    return f"{r.choice(['ldr x', 'ldr w', 'ldrsw x'])}{r.choice(GP_MEM)}, {r.choice(['.', '.-4', '.+8'])}"


def gen_ls_seq(r, n):
    ms = MemState()
    ms.sp = None
    items = []
    return ms, items


def gen_excl(r, ms):
    """Exclusives (well-formed pairs), acquire/release, and plain accesses."""
    k = r.randrange(4)
    sz = r.choice([("b", "w", 1), ("h", "w", 2), ("", "w", 4), ("", "x", 8)])
    off = r.randrange(0, 8) * 8
    if k == 0:
        a = r.choice(["", "a"])
        l = r.choice(["", "l"])
        t = r.choice(GP_MEM)
        s = r.choice([x for x in GP_MEM if x != t])
        v = r.choice([x for x in GP if x != s])
        addr = f"add x25, x27, #{off}"
        # x25 is the address register here: never a destination in this group
        t = t if t != 25 else 24
        s = s if s != 25 else 23
        if v == s:
            v = 22 if s != 22 else 21
        return (f"{addr}\nld{a}xr{sz[0]} {sz[1]}{t}, [x25]\n"
                f"st{l}xr{sz[0]} w{s}, {sz[1]}{v}, [x25]")
    if k == 1:
        t1, t2 = r.sample([x for x in GP_MEM if x != 25], 2)
        s = r.choice([x for x in GP_MEM if x not in (t1, t2, 25)])
        rk = r.choice(["w", "x"])
        o = r.randrange(0, 4) * 16
        return (f"add x25, x27, #{o}\nld{r.choice(['', 'a'])}xp {rk}{t1}, {rk}{t2}, [x25]\n"
                f"st{r.choice(['', 'l'])}xp w{s}, {rk}{r.choice(GP)}, {rk}{r.choice(GP)}, [x25]")
    if k == 2:
        op = r.choice(["ldar", "ldapr", "ldlar"]) if False else "ldar"
        t = r.choice([x for x in GP_MEM if x != 25])
        return f"add x25, x27, #{off}\n{op}{sz[0]} {sz[1]}{t}, [x25]"
    t = r.choice(GP)
    return f"add x25, x27, #{off}\nstlr{sz[0]} {sz[1]}{t}, [x25]"


def gen_lse(r, ms):
    sz = r.choice([("b", "w"), ("h", "w"), ("", "w"), ("", "x")])
    off = r.randrange(0, 8) * 8
    ao = r.choice(["", "a", "l", "al"])
    k = r.randrange(4)
    s = r.choice(GP)
    t = r.choice([x for x in GP_MEM if x != 25])
    pre = f"add x25, x27, #{off}\n"
    if k <= 1:
        op = r.choice(["add", "clr", "eor", "set", "smax", "smin", "umax", "umin"])
        if r.random() < 0.2:
            return pre + f"st{op}{ao.replace('a', '')}{sz[0]} {sz[1]}{s}, [x25]"
        return pre + f"ld{op}{ao}{sz[0]} {sz[1]}{s}, {sz[1]}{t}, [x25]"
    if k == 2:
        return pre + f"swp{ao}{sz[0]} {sz[1]}{s}, {sz[1]}{t}, [x25]"
    if r.random() < 0.3 and sz[1] == "x":
        a = r.choice([0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20])
        b = r.choice([0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20])
        o = r.randrange(0, 4) * 16
        return f"add x25, x27, #{o}\ncasp{ao} {sz[1]}{a}, {sz[1]}{a + 1}, {sz[1]}{b}, {sz[1]}{b + 1}, [x25]"
    # cas: make the comparison succeed half the time
    if r.random() < 0.5:
        return pre + f"ldr{sz[0]} {sz[1]}{t}, [x25]\ncas{ao}{sz[0]} {sz[1]}{t}, {sz[1]}{s}, [x25]"
    return pre + f"cas{ao}{sz[0]} {sz[1]}{t}, {sz[1]}{s}, [x25]"


# ---------------------------------------------------------------- branches

_label = [0]


def gen_branch(r):
    """A forward-only block: a branch over a marker, so the taken path shows in x0..x3."""
    _label[0] += 1
    L = f"bl{_label[0]}"
    w = r.random() < 0.5
    reg = g(r, w)
    mark = f"add x{r.randrange(4)}, x{r.randrange(4)}, #{r.randrange(1, 4096)}"
    k = r.randrange(8)
    if k == 0:
        br = f"b.{r.choice(CONDS)} {L}"
    elif k == 1:
        br = f"{r.choice(['cbz', 'cbnz'])} {reg}, {L}"
    elif k == 2:
        br = f"{r.choice(['tbz', 'tbnz'])} {reg}, #{r.randrange(32 if w else 64)}, {L}"
    elif k == 3:
        br = f"b {L}"
    elif k == 4:  # bl: x30 gets the return address (position-dependent but same binary)
        return f"bl {L}\n{mark}\n{L}:\nadr x30, .\nnop"
    elif k == 5:
        rr = r.choice([x for x in GP if x > 3])
        return f"adr x{rr}, {L}\n{r.choice(['br', 'blr'])} x{rr}\n{mark}\n{L}:\nadr x30, ."
    elif k == 6:
        rr = r.choice([x for x in GP if x > 3 and x != 30])
        return f"adr x30, {L}\nret\n{mark}\n{L}:"
    else:
        return f"{r.choice(['cmp', 'cmn', 'tst'])} {reg}, {g(r, w)}\nb.{r.choice(CONDS)} {L}\n{mark}\n{L}:"
    return f"{br}\n{mark}\n{L}:"


# ---------------------------------------------------------------- scalar FP


def fp_p(r, half=False):
    return r.choice(["s", "d", "s", "d"] + (["h"] if half else []))


def vr(r):
    return r.randrange(32)


def gen_fp(r):
    p = fp_p(r)
    d, n, m, a = vr(r), vr(r), vr(r), vr(r)
    k = r.randrange(12)
    if k == 0:
        op = r.choice(["fadd", "fsub", "fmul", "fdiv", "fmax", "fmin", "fmaxnm", "fminnm",
                       "fnmul", "fabd", "fmulx", "frecps", "frsqrts"])
        return f"{op} {p}{d}, {p}{n}, {p}{m}"
    if k == 1:
        op = r.choice(["fsqrt", "fabs", "fneg", "frintn", "frintp", "frintm", "frintz",
                       "frinta", "frintx", "frinti", "fmov", "frecpe", "frsqrte", "frecpx"])
        return f"{op} {p}{d}, {p}{n}"
    if k == 2:
        return f"{r.choice(['fmadd', 'fmsub', 'fnmadd', 'fnmsub'])} {p}{d}, {p}{n}, {p}{m}, {p}{a}"
    if k == 3:
        if r.random() < 0.3:
            return f"{r.choice(['fcmp', 'fcmpe'])} {p}{n}, #0.0"
        return f"{r.choice(['fcmp', 'fcmpe'])} {p}{n}, {p}{m}"
    if k == 4:
        return f"{r.choice(['fccmp', 'fccmpe'])} {p}{n}, {p}{m}, #{r.randrange(16)}, {r.choice(CONDS)}"
    if k == 5:
        return f"fcsel {p}{d}, {p}{n}, {p}{m}, {r.choice(CONDS)}"
    if k == 6:
        a, b = r.sample(["h", "s", "d"], 2)
        return f"fcvt {a}{d}, {b}{n}"
    if k == 7:
        op = r.choice(["fcvtzs", "fcvtzu", "fcvtns", "fcvtnu", "fcvtas", "fcvtau", "fcvtms",
                       "fcvtmu", "fcvtps", "fcvtpu"])
        w = r.choice("wx")
        if op.startswith("fcvtz") and r.random() < 0.3:
            return f"{op} {w}{r.choice(GP)}, {p}{n}, #{r.randrange(1, 33 if w == 'w' else 65)}"
        if r.random() < 0.2:  # scalar SIMD form
            if op.startswith("fcvtz") and r.random() < 0.4:  # fixed point
                return f"{op} {p}{d}, {p}{n}, #{r.randrange(1, 33 if p == 's' else 65)}"
            return f"{op} {p}{d}, {p}{n}"
        return f"{op} {w}{r.choice(GP)}, {p}{n}"
    if k == 8:
        op = r.choice(["scvtf", "ucvtf"])
        w = r.choice("wx")
        if r.random() < 0.3:
            return f"{op} {p}{d}, {w}{r.choice(GP)}, #{r.randrange(1, 33 if w == 'w' else 65)}"
        if r.random() < 0.2:
            if r.random() < 0.4:  # scalar SIMD fixed point
                return f"{op} {p}{d}, {p}{n}, #{r.randrange(1, 33 if p == 's' else 65)}"
            return f"{op} {p}{d}, {p}{n}"
        return f"{op} {p}{d}, {w}{r.choice(GP)}"
    if k == 9:
        c = r.randrange(4)
        if c == 0:
            return f"fmov {'w' if p == 's' else 'x'}{r.choice(GP)}, {p}{n}"
        if c == 1:
            return f"fmov {p}{d}, {'w' if p == 's' else 'x'}{r.choice(GP)}"
        if c == 2:
            return r.choice([f"fmov x{r.choice(GP)}, v{n}.d[1]", f"fmov v{d}.d[1], x{r.choice(GP)}"])
        imm = r.choice(["1.0", "-2.0", "0.5", "31.0", "0.125", "-1.9375", "17.0"])
        return f"fmov {p}{d}, #{imm}"
    if k == 10:
        op = r.choice(["fcmeq", "fcmge", "fcmgt", "facge", "facgt"])
        if r.random() < 0.3 and not op.startswith("fac"):
            return f"{r.choice([op, 'fcmle', 'fcmlt'])} {p}{d}, {p}{n}, #0.0"
        return f"{op} {p}{d}, {p}{n}, {p}{m}"
    if r.random() < 0.5:  # scalar by element
        return f"{r.choice(['fmul', 'fmla', 'fmls', 'fmulx'])} {p}{d}, {p}{n}, " \
               f"v{m}.{p}[{r.randrange(4 if p == 's' else 2)}]"
    return f"{r.choice(['fcvtxn'])} s{d}, d{n}"


# ---------------------------------------------------------------- AdvSIMD

ARR = ["8b", "16b", "4h", "8h", "2s", "4s", "2d"]


def V(n, a):
    return f"v{n % 32}.{a}"


def gen_simd_int(r):
    d, n, m = vr(r), vr(r), vr(r)
    a = r.choice(ARR)
    k = r.randrange(10)
    if k <= 2:
        ops = ["add", "sub", "cmeq", "cmge", "cmgt", "cmhi", "cmhs", "cmtst", "sshl", "ushl",
               "sqshl", "uqshl", "srshl", "urshl", "sqadd", "uqadd", "sqsub", "uqsub", "sqrshl", "uqrshl"]
        if a != "2d":
            ops += ["mul", "mla", "mls", "shadd", "uhadd", "srhadd", "urhadd", "shsub", "uhsub",
                    "smax", "umax", "smin", "umin", "smaxp", "umaxp", "sminp", "uminp", "sabd",
                    "uabd", "saba", "uaba"]
        if a in ("4h", "8h", "2s", "4s"):
            ops += ["sqdmulh", "sqrdmulh"]
        if a in ("8b", "16b"):
            ops += ["pmul", "and", "orr", "eor", "bic", "orn", "bsl", "bit", "bif"]
        ops += ["addp"]
        return f"{r.choice(ops)} {V(d, a)}, {V(n, a)}, {V(m, a)}"
    if k == 3:
        ops = ["abs", "neg", "sqabs", "sqneg", "suqadd", "usqadd", "cmeq", "cmge", "cmgt", "cmle", "cmlt"]
        if a != "2d":
            ops += ["cls", "clz"]
        if a in ("8b", "16b"):
            ops += ["cnt", "not", "rbit", "rev16", "rev32", "rev64"]
        if a in ("4h", "8h"):
            ops += ["rev32", "rev64"]
        if a in ("2s", "4s"):
            ops += ["rev64", "urecpe", "ursqrte"]
        op = r.choice(ops)
        if op in ("cmeq", "cmge", "cmgt", "cmle", "cmlt"):
            return f"{op} {V(d, a)}, {V(n, a)}, #0"
        return f"{op} {V(d, a)}, {V(n, a)}"
    if k == 4:  # shifts by immediate
        esz = {"b": 8, "h": 16, "s": 32, "d": 64}[a[-1]]
        op = r.choice(["shl", "sshr", "ushr", "srshr", "urshr", "ssra", "usra", "srsra", "ursra",
                       "sri", "sli", "sqshl", "uqshl", "sqshlu"])
        sh = r.randrange(esz) if op in ("shl", "sli", "sqshl", "uqshl", "sqshlu") else r.randrange(1, esz + 1)
        return f"{op} {V(d, a)}, {V(n, a)}, #{sh}"
    if k == 5:  # narrowing / widening / long
        wide, narrow = r.choice([("8h", "8b"), ("4s", "4h"), ("2d", "2s")])
        narrow2 = {"8b": "16b", "4h": "8h", "2s": "4s"}[narrow]
        hi = r.random() < 0.5
        nn = narrow2 if hi else narrow
        c = r.randrange(5)
        esz = {"8b": 8, "4h": 16, "2s": 32}[narrow]
        if c == 0:
            op = r.choice(["xtn", "sqxtn", "uqxtn", "sqxtun"])
            return f"{op}{'2' if hi else ''} {V(d, nn)}, {V(n, wide)}"
        if c == 1:
            op = r.choice(["shrn", "rshrn", "sqshrn", "uqshrn", "sqrshrn", "uqrshrn", "sqshrun", "sqrshrun"])
            return f"{op}{'2' if hi else ''} {V(d, nn)}, {V(n, wide)}, #{r.randrange(1, esz + 1)}"
        if c == 2:
            op = r.choice(["sshll", "ushll"])
            return f"{op}{'2' if hi else ''} {V(d, wide)}, {V(n, nn)}, #{r.randrange(esz)}"
        if c == 3:
            op = r.choice(["saddl", "uaddl", "ssubl", "usubl", "smull", "umull", "smlal", "umlal",
                           "smlsl", "umlsl", "sabdl", "uabdl", "sabal", "uabal"]
                          + (["sqdmull", "sqdmlal", "sqdmlsl"] if narrow != "8b" else ["pmull"]))
            return f"{op}{'2' if hi else ''} {V(d, wide)}, {V(n, nn)}, {V(m, nn)}"
        if c == 4:
            if r.random() < 0.5:
                op = r.choice(["saddw", "uaddw", "ssubw", "usubw"])
                return f"{op}{'2' if hi else ''} {V(d, wide)}, {V(n, wide)}, {V(m, nn)}"
            op = r.choice(["addhn", "raddhn", "subhn", "rsubhn"])
            return f"{op}{'2' if hi else ''} {V(d, nn)}, {V(n, wide)}, {V(m, wide)}"
    if k == 6:  # permutes
        c = r.randrange(6)
        if c == 0:
            op = r.choice(["zip1", "zip2", "uzp1", "uzp2", "trn1", "trn2"])
            a2 = a if a != "2d" or True else "2d"
            return f"{op} {V(d, a2)}, {V(n, a2)}, {V(m, a2)}"
        if c == 1:
            b = r.choice(["8b", "16b"])
            return f"ext {V(d, b)}, {V(n, b)}, {V(m, b)}, #{r.randrange(8 if b == '8b' else 16)}"
        if c == 2:
            b = r.choice(["8b", "16b"])
            cnt = r.randrange(1, 5)
            lst = ", ".join(V(n + i, "16b") for i in range(cnt))
            return f"{r.choice(['tbl', 'tbx'])} {V(d, b)}, {{{lst}}}, {V(m, b)}"
        if c == 3:
            e, cnt = r.choice([("b", 16), ("h", 8), ("s", 4), ("d", 2)])
            if r.random() < 0.5:
                return f"ins v{d}.{e}[{r.randrange(cnt)}], v{n}.{e}[{r.randrange(cnt)}]"
            return f"ins v{d}.{e}[{r.randrange(cnt)}], {'x' if e == 'd' else 'w'}{r.choice(GP)}"
        if c == 4:
            e, cnt = r.choice([("b", 16), ("h", 8), ("s", 4), ("d", 2)])
            aa = r.choice([x for x in ARR if x.endswith(e)])
            if r.random() < 0.5:
                return f"dup {V(d, aa)}, v{n}.{e}[{r.randrange(cnt)}]"
            return f"dup {V(d, aa)}, {'x' if e == 'd' else 'w'}{r.choice(GP)}"
        e, cnt = r.choice([("b", 16), ("h", 8), ("s", 4), ("d", 2)])
        if e == "d" or (e == "s" and r.random() < 0.5):
            return f"umov {'x' if e == 'd' else 'w'}{r.choice(GP)}, v{n}.{e}[{r.randrange(cnt)}]"
        if e in ("b", "h") or r.random() < 0.5:
            return f"smov {r.choice('wx') if e != 's' else 'x'}{r.choice(GP)}, v{n}.{e}[{r.randrange(cnt)}]"
        return f"smov x{r.choice(GP)}, v{n}.{e}[{r.randrange(cnt)}]"
    if k == 7:  # across lanes and pairwise long
        b = r.choice(["8b", "16b", "4h", "8h", "4s"])
        op = r.choice(["addv", "saddlv", "uaddlv", "smaxv", "umaxv", "sminv", "uminv"])
        dst = {"b": "b", "h": "h", "s": "s"}[b[-1]]
        if op.endswith("lv"):
            dst = {"b": "h", "h": "s", "s": "d"}[b[-1]]
        if r.random() < 0.3:
            a = r.choice(ARR[:-1])
            w2 = {"8b": "4h", "16b": "8h", "4h": "2s", "8h": "4s", "2s": "1d", "4s": "2d"}[a]
            return f"{r.choice(['saddlp', 'uaddlp', 'sadalp', 'uadalp'])} {V(d, w2)}, {V(n, a)}"
        return f"{op} {dst}{d}, {V(n, b)}"
    if k == 8:  # modified immediates
        c = r.randrange(4)
        if c == 0:
            return f"movi {V(d, r.choice(['8b', '16b']))}, #{r.randrange(256)}"
        if c == 1:
            aa = r.choice(["4h", "8h", "2s", "4s"])
            sh = r.choice([0, 8] if aa[-1] == "h" else [0, 8, 16, 24])
            return f"{r.choice(['movi', 'mvni', 'orr', 'bic'])} {V(d, aa)}, #{r.randrange(256)}, lsl #{sh}"
        if c == 2:
            return f"movi {V(d, '2d')}, #{r.choice(['0xff00ff00ff00ff00', '0xffffffffffffffff', '0x00ff0000ffff00ff'])}"
        return f"{r.choice(['movi', 'mvni'])} {V(d, r.choice(['2s', '4s']))}, #{r.randrange(256)}, msl #{r.choice([8, 16])}"
    # by-element and scalar integer SIMD
    c = r.randrange(8)
    if c == 0:
        aa = r.choice(["4h", "8h", "2s", "4s"])
        e = aa[-1]
        idx = r.randrange(8 if e == "h" else 4)
        mm = r.randrange(16) if e == "h" else m
        return f"{r.choice(['mul', 'mla', 'mls', 'sqdmulh', 'sqrdmulh'])} {V(d, aa)}, {V(n, aa)}, v{mm}.{e}[{idx}]"
    if c == 1:
        p = r.choice(["b", "h", "s", "d"])
        op = r.choice(["sqadd", "uqadd", "sqsub", "uqsub", "sqshl", "uqshl", "sqrshl", "uqrshl"])
        return f"{op} {p}{d}, {p}{n}, {p}{m}"
    if c == 2:  # long by element
        hi = r.random() < 0.5
        nn, wide = r.choice([("4h", "4s"), ("2s", "2d")]) if not hi else r.choice([("8h", "4s"), ("4s", "2d")])
        e = nn[-1]
        idx = r.randrange(8 if e == "h" else 4)
        mm = r.randrange(16) if e == "h" else m
        op = r.choice(["smull", "umull", "smlal", "umlal", "smlsl", "umlsl", "sqdmull", "sqdmlal", "sqdmlsl"])
        return f"{op}{'2' if hi else ''} {V(d, wide)}, {V(n, nn)}, v{mm}.{e}[{idx}]"
    if c == 3:  # scalar doubling multiplies, by element too
        p, w = r.choice([("h", "s"), ("s", "d")])
        by_el = r.random() < 0.5
        idx = r.randrange(8 if p == "h" else 4)
        mm = r.randrange(16) if p == "h" else m
        src = f"v{mm}.{p}[{idx}]" if by_el else f"{p}{m}"
        if r.random() < 0.5:
            return f"{r.choice(['sqdmulh', 'sqrdmulh'])} {p}{d}, {p}{n}, {src}"
        return f"{r.choice(['sqdmull', 'sqdmlal', 'sqdmlsl'])} {w}{d}, {p}{n}, {src}"
    if c == 4:  # scalar two-register misc
        p = r.choice(["b", "h", "s", "d"])
        if p != "d" and r.random() < 0.4:
            w = {"b": "h", "h": "s", "s": "d"}[p]
            return f"{r.choice(['sqxtn', 'uqxtn', 'sqxtun'])} {p}{d}, {w}{n}"
        return f"{r.choice(['sqabs', 'sqneg', 'suqadd', 'usqadd'])} {p}{d}, {p}{n}"
    if c == 5:  # scalar shift by immediate
        p = r.choice(["b", "h", "s", "d"])
        esz = {"b": 8, "h": 16, "s": 32, "d": 64}[p]
        k2 = r.randrange(3)
        if k2 == 0:
            return f"{r.choice(['sqshl', 'uqshl', 'sqshlu'])} {p}{d}, {p}{n}, #{r.randrange(esz)}"
        if k2 == 1 or p == "d":
            op = r.choice(["srshr", "urshr", "srsra", "ursra", "sshr", "ushr", "ssra", "usra"])
            return f"{op} d{d}, d{n}, #{r.randrange(1, 65)}"
        w = {"b": "h", "h": "s", "s": "d"}[p]
        op = r.choice(["sqshrn", "uqshrn", "sqrshrn", "uqrshrn", "sqshrun", "sqrshrun"])
        return f"{op} {p}{d}, {w}{n}, #{r.randrange(1, esz + 1)}"
    if c == 6:  # shift left long by the element size
        hi = r.random() < 0.5
        nn, wide, esz = r.choice([("8b", "8h", 8), ("4h", "4s", 16), ("2s", "2d", 32)])
        nn = {"8b": "16b", "4h": "8h", "2s": "4s"}[nn] if hi else nn
        return f"shll{'2' if hi else ''} {V(d, wide)}, {V(n, nn)}, #{esz}"
    op = r.choice(["add", "sub", "cmeq", "cmgt", "cmhi", "cmtst", "sshl", "ushl", "srshl", "urshl"])
    return f"{op} d{d}, d{n}, d{m}"


def gen_simd_fp(r):
    d, n, m = vr(r), vr(r), vr(r)
    a = r.choice(["2s", "4s", "2d"])
    k = r.randrange(7)
    if k <= 1:
        op = r.choice(["fadd", "fsub", "fmul", "fdiv", "fmax", "fmin", "fmaxnm", "fminnm", "fmla",
                       "fmls", "fabd", "fmulx", "faddp", "fmaxp", "fminp", "fmaxnmp", "fminnmp",
                       "fcmeq", "fcmge", "fcmgt", "facge", "facgt", "frecps", "frsqrts"])
        return f"{op} {V(d, a)}, {V(n, a)}, {V(m, a)}"
    if k == 2:
        op = r.choice(["fabs", "fneg", "fsqrt", "frintn", "frintp", "frintm", "frintz", "frinta",
                       "frintx", "frinti", "fcvtzs", "fcvtzu", "fcvtns", "fcvtnu", "fcvtas",
                       "fcvtau", "fcvtms", "fcvtmu", "fcvtps", "fcvtpu", "scvtf", "ucvtf",
                       "frecpe", "frsqrte"] + (["urecpe", "ursqrte"] if a != "2d" else []))
        if op in ("fcvtzs", "fcvtzu", "scvtf", "ucvtf") and r.random() < 0.3:
            return f"{op} {V(d, a)}, {V(n, a)}, #{r.randrange(1, 33 if a != '2d' else 65)}"
        return f"{op} {V(d, a)}, {V(n, a)}"
    if k == 3:
        op = r.choice(["fcmeq", "fcmge", "fcmgt", "fcmle", "fcmlt"])
        return f"{op} {V(d, a)}, {V(n, a)}, #0.0"
    if k == 4:
        hi = r.random() < 0.5
        c = r.randrange(3)
        if c == 0:
            w, nn = r.choice([("4s", "4h"), ("2d", "2s")])
            nn = {"4h": "8h", "2s": "4s"}[nn] if hi else nn
            return f"fcvtl{'2' if hi else ''} {V(d, w)}, {V(n, nn)}"
        if c == 1:
            w, nn = r.choice([("4s", "4h"), ("2d", "2s")])
            nn = {"4h": "8h", "2s": "4s"}[nn] if hi else nn
            return f"fcvtn{'2' if hi else ''} {V(d, nn)}, {V(n, w)}"
        return f"fcvtxn{'2' if hi else ''} {V(d, '4s' if hi else '2s')}, {V(n, '2d')}"
    if k == 5:
        op = r.choice(["fmaxv", "fminv", "fmaxnmv", "fminnmv"])
        if r.random() < 0.5:
            return f"{op} s{d}, {V(n, '4s')}"
        return f"{r.choice(['faddp', 'fmaxp', 'fminp', 'fmaxnmp', 'fminnmp'])} {r.choice(['s', 'd'])}{d}, " \
               f"{V(n, '2s')}".replace("d" + str(d) + ", v" + str(n) + ".2s", "d" + str(d) + ", v" + str(n) + ".2d")
    e = a[-1]
    idx = r.randrange(4 if e == "s" else 2)
    op = r.choice(["fmul", "fmla", "fmls", "fmulx"])
    return f"{op} {V(d, a)}, {V(n, a)}, v{m}.{e}[{idx}]"


def gen_simd_ls(r, ms):
    """Structure loads/stores at x27 (post-index by immediate or by x26 only
    when the result stays inside SCRATCH)."""
    k = r.randrange(4)
    a = r.choice(ARR)
    esz = {"b": 1, "h": 2, "s": 4, "d": 8}[a[-1]]
    regs = 16 if a in ("16b", "8h", "4s", "2d") else 8
    cur = ms.base[27]
    t = vr(r)
    if k <= 1:
        n = r.randrange(1, 5)
        op = (r.choice(["ld", "st"]) + r.choice(["1", str(n)]))
        cnt = n
        if op[-1] != "1":
            if a == "2d" and False:
                pass
        if op.endswith("1"):
            cnt = r.randrange(1, 5)
        if op[2] in "234" and a == "1d":
            a = "2d"
        lst = ", ".join(V(t + i, a) for i in range(cnt))
        total = cnt * regs
    elif k == 2:
        n = r.randrange(1, 5)
        e, lanes_ = r.choice([("b", 16), ("h", 8), ("s", 4), ("d", 2)])
        op = r.choice(["ld", "st"]) + str(n)
        lst = ", ".join(f"v{(t + i) % 32}.{e}" for i in range(n))
        total = n * {"b": 1, "h": 2, "s": 4, "d": 8}[e]
        lst = f"{{{lst}}}[{r.randrange(lanes_)}]"
        return _simd_addr(r, ms, op, lst, total, cur)
    else:
        n = r.randrange(1, 5)
        op = f"ld{n}r"
        lst = ", ".join(V(t + i, a) for i in range(n))
        total = n * esz
    return _simd_addr(r, ms, op, "{" + lst + "}", total, cur)


def _simd_addr(r, ms, op, lst, total, cur):
    if cur + total <= SCRATCH_SIZE and r.random() < 0.6:
        return f"{op} {lst}, [x27]"
    # post-index by the transfer size: move the base back first if needed
    if cur + total > SCRATCH_SIZE or cur + total > SCRATCH_SIZE - 64:
        ms.base[27] = 64
        return f"sub x27, x27, #{cur - 64}\n{op} {lst}, [x27], #{total}" + _track(ms, total)
    return f"{op} {lst}, [x27], #{total}" + _track(ms, total)


def _track(ms, total):
    ms.base[27] += total
    return ""


# ---------------------------------------------------------------- system registers


def gen_sys(r):
    k = r.randrange(9)
    t = r.choice(GP)
    if k == 0:
        return f"msr nzcv, x{t}"
    if k == 1:
        return f"mrs x{t}, nzcv"
    if k == 2:  # random FPCR values, including RES0 bits
        return f"msr fpcr, x{t}"
    if k == 3:
        return f"mrs x{t}, {r.choice(['fpcr', 'fpsr'])}"
    if k == 4:
        return f"msr fpsr, x{t}"
    if k == 5:
        return r.choice([f"msr tpidr_el0, x{t}", f"mrs x{t}, tpidr_el0", f"msr tpidrro_el0, x{t}",
                         f"mrs x{t}, tpidrro_el0"])
    if k == 6:  # FP arithmetic under whatever FPCR is set
        return gen_fp(r)
    if k == 7:
        return r.choice(["nop", "yield", "dmb ish", "dsb sy", "isb", "clrex", "sevl",
                         f"adds x{t}, x{r.choice(GP)}, x{r.choice(GP)}"])
    return f"mrs x{t}, {r.choice(['midr_el1', 'mpidr_el1', 'ctr_el0', 'dczid_el0', 'currentel', 'daif', 'spsel', 'cntfrq_el0'])}"


# ---------------------------------------------------------------- crypto


def gen_crypto(r):
    """AES, SHA1, SHA256 and PMULL/PMULL2 (Cryptographic Extension and the
    8-bit AdvSIMD PMULL); random register inputs, often with d aliasing n/m."""
    d, n, m = vr(r), vr(r), vr(r)
    if r.random() < 0.15:
        n = d
    if r.random() < 0.15:
        m = d
    k = r.randrange(6)
    if k == 5 and r.random() < 0.5:
        # Unallocated neighbours: reserved opcodes and sizes of the AES,
        # SHA three-register and SHA two-register groups, PMULL sizes 01/10.
        base, ops = r.choice([(0x4e280800, range(32)), (0x5e000000, [7]),
                              (0x5e280800, range(3, 32)), (0x0e20e000, [])])
        w = base | n << 5 | (d if d != 28 else 0)
        if ops:
            w |= r.choice(ops) << 12
        if base == 0x5e000000:
            w |= m << 16
        if base == 0x0e20e000:
            w |= m << 16 | r.choice([1, 2]) << 22 | r.randrange(2) << 30
        elif r.random() < 0.5:
            w |= r.randrange(1, 4) << 22
        return f".inst {w:#010x}"
    if k == 0:
        return f"{r.choice(['aese', 'aesd'])} v{d}.16b, v{n}.16b"
    if k == 1:
        return f"{r.choice(['aesmc', 'aesimc'])} v{d}.16b, v{n}.16b"
    if k == 2:
        op = r.choice(["sha1c", "sha1p", "sha1m", "sha256h", "sha256h2", "sha1su0",
                       "sha256su1", "sha1h", "sha1su1", "sha256su0"])
        if op in ("sha1c", "sha1p", "sha1m"):
            return f"{op} q{d}, s{n}, v{m}.4s"
        if op in ("sha256h", "sha256h2"):
            return f"{op} q{d}, q{n}, v{m}.4s"
        if op == "sha1h":
            return f"sha1h s{d}, s{n}"
        if op in ("sha1su1", "sha256su0"):
            return f"{op} v{d}.4s, v{n}.4s"
        return f"{op} v{d}.4s, v{n}.4s, v{m}.4s"
    if k == 3:
        return r.choice([f"pmull v{d}.1q, v{n}.1d, v{m}.1d", f"pmull2 v{d}.1q, v{n}.2d, v{m}.2d"])
    return r.choice([f"pmull v{d}.8h, v{n}.8b, v{m}.8b", f"pmull2 v{d}.8h, v{n}.16b, v{m}.16b"])


# ---------------------------------------------------------------- raw encodings


def gen_raw(r):
    """Random words from the data-processing and SIMD/FP encoding spaces
    (no loads/stores, branches or system instructions): unallocated ones must
    raise Undefined on both sides, allocated ones must agree."""
    while True:
        w = r.getrandbits(32)
        op0 = (w >> 25) & 0xf
        if op0 in (0b1000, 0b1001) or (op0 & 0x7) == 0b101 or (op0 & 0x7) == 0b111:
            if (w & 0x1f) == 28:  # never write the harness's x28
                continue
            if (op0 & 0x7) == 0b111 and ((w >> 24) & 0x1f) == 0b11110 and ((w >> 10) & 0x3) == 0 \
                    and ((w >> 16) & 0x7) in (0b111,) and False:
                continue
            return f".inst {w:#010x}"


# (mask, value) of the AdvSIMD integer-bearing encoding groups: vector and
# scalar three same / three different / two-register misc / shift by
# immediate / by element. FP opcodes inside them are reached too.
SIMD_GROUP_SPACES = [
    (0x9f200400, 0x0e200400), (0x9f200c00, 0x0e200000), (0x9f3e0c00, 0x0e200800),
    (0x9f800400, 0x0f000400), (0x9f000400, 0x0f000000),
    (0xdf200400, 0x5e200400), (0xdf200c00, 0x5e200000), (0xdf3e0c00, 0x5e200800),
    (0xdf800400, 0x5f000400), (0xdf000400, 0x5f000000),
]


def gen_raw_simd(r):
    """Random words inside the AdvSIMD arithmetic groups: the allocated /
    unallocated boundaries (sizes, Q, immh) must match QEMU's."""
    mask, val = r.choice(SIMD_GROUP_SPACES)
    return f".inst {(r.getrandbits(32) & ~mask) | val:#010x}"


# Encoding templates of the AdvSIMD floating-point forms, (fixed mask, fixed
# value, opcode field shift, opcode choices); every other bit is random, so
# reserved sizes/Q/L and FP16 variants are reached too and must fault alike.
_FP_TEMPLATES = [
    # three same (opcode >= 0x18), vector and scalar
    (0x9f20c400, 0x0e20c400, 0, [0]),
    (0xdf20c400, 0x5e20c400, 0, [0]),
    # two-register misc, FP opcodes, vector and scalar
    (0x9f3e0c00, 0x0e200800, 12, [0x0c, 0x0d, 0x0e, 0x0f, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b,
                                 0x1c, 0x1d, 0x1e, 0x1f]),
    (0xdf3e0c00, 0x5e200800, 12, [0x0c, 0x0d, 0x0e, 0x16, 0x1a, 0x1b, 0x1c, 0x1d, 0x1f]),
    # across lanes and scalar pairwise: FMAXNM/FADD/FMAX (0x0c, 0x0d, 0x0f)
    (0x9f3e0c00, 0x0e300800, 12, [0x0c, 0x0f]),
    (0xdf3e0c00, 0x5e300800, 12, [0x0c, 0x0d, 0x0f]),
    # fixed-point conversions by immediate (SCVTF/UCVTF 0x1c, FCVTZS/FCVTZU 0x1f)
    (0x9f800400, 0x0f000400, 11, [0x1c, 0x1f]),
    (0xdf800400, 0x5f000400, 11, [0x1c, 0x1f]),
    # by element: FMLA 0001, FMLS 0101, FMUL/FMULX 1001
    (0x9f000400, 0x0f000000, 12, [0x1, 0x5, 0x9]),
    (0xdf000400, 0x5f000000, 12, [0x1, 0x5, 0x9]),
    # FP16 three same and two-register misc (absent on cortex-a57: Undefined)
    (0x9f60c400, 0x0e400400, 0, [0]),
    (0x9f7e0c00, 0x0e780800, 0, [0]),
]


def gen_raw_fp(r):
    """Random words inside the AdvSIMD floating-point encoding groups."""
    mask, value, shift, ops = r.choice(_FP_TEMPLATES)
    w = (r.getrandbits(32) & ~mask) | value
    if shift:
        width = 4 if shift == 12 and ops == [0x1, 0x5, 0x9] else 5
        w = (w & ~(((1 << width) - 1) << shift)) | (r.choice(ops) << shift)
    if value & 0x0f000000 == 0x0f000000 and value & 0x400 and (w >> 19) & 0xf == 0:
        w |= 1 << 22  # immh = 0 is MOVI/MVNI (another group)
    return f".inst {w:#010x}"


def gen_simd_vec(r):
    """The AdvSIMD integer forms translated to the IR's vector ops (host SIMD
    code, target/arm/translate/simd_vec.cpp): every arrangement, the vector
    and the 64-bit scalar forms, sequences that chain them like glibc's
    string routines (compare, narrow, reduce, move to a general register)."""
    d, n, m = vr(r), vr(r), vr(r)
    a = r.choice(ARR)
    esz = {"b": 8, "h": 16, "s": 32, "d": 64}[a[-1]]
    k = r.randrange(12)
    if k <= 2:
        ops = ["add", "sub", "cmeq", "cmge", "cmgt", "cmhi", "cmhs", "cmtst", "addp"]
        if a != "2d":
            ops += ["smax", "umax", "smin", "umin", "smaxp", "umaxp", "sminp", "uminp"]
        if a in ("8b", "16b"):
            ops += ["and", "orr", "eor", "bic", "orn"]
        return f"{r.choice(ops)} {V(d, a)}, {V(n, a)}, {V(m, a)}"
    if k == 3:
        ops = ["abs", "neg", "cmeq", "cmge", "cmgt", "cmle", "cmlt"]
        if a in ("8b", "16b"):
            ops += ["not", "rev16", "rev32", "rev64"]
        if a in ("4h", "8h"):
            ops += ["rev32", "rev64"]
        if a in ("2s", "4s"):
            ops += ["rev64"]
        op = r.choice(ops)
        if op in ("cmeq", "cmge", "cmgt", "cmle", "cmlt"):
            return f"{op} {V(d, a)}, {V(n, a)}, #0"
        return f"{op} {V(d, a)}, {V(n, a)}"
    if k == 4:
        op = r.choice(["shl", "sshr", "ushr", "ssra", "usra"])
        sh = r.randrange(esz) if op == "shl" else r.randrange(1, esz + 1)
        return f"{op} {V(d, a)}, {V(n, a)}, #{sh}"
    if k == 5:
        wide, narrow = r.choice([("8h", "8b"), ("4s", "4h"), ("2d", "2s")])
        narrow2 = {"8b": "16b", "4h": "8h", "2s": "4s"}[narrow]
        hi = r.random() < 0.5
        nn = narrow2 if hi else narrow
        nesz = {"8b": 8, "4h": 16, "2s": 32}[narrow]
        c = r.randrange(3)
        if c == 0:
            return f"xtn{'2' if hi else ''} {V(d, nn)}, {V(n, wide)}"
        if c == 1:
            return f"shrn{'2' if hi else ''} {V(d, nn)}, {V(n, wide)}, #{r.randrange(1, nesz + 1)}"
        if r.random() < 0.3:
            op = r.choice(["sxtl", "uxtl"])
            return f"{op}{'2' if hi else ''} {V(d, wide)}, {V(n, nn)}"
        op = r.choice(["sshll", "ushll"])
        return f"{op}{'2' if hi else ''} {V(d, wide)}, {V(n, nn)}, #{r.randrange(nesz)}"
    if k == 6:
        op = r.choice(["zip1", "zip2", "uzp1", "uzp2", "trn1", "trn2"])
        return f"{op} {V(d, a)}, {V(n, a)}, {V(m, a)}"
    if k == 7:
        b = r.choice(["8b", "16b"])
        return f"ext {V(d, b)}, {V(n, b)}, {V(m, b)}, #{r.randrange(8 if b == '8b' else 16)}"
    if k == 8:
        e, cnt = {"b": ("b", 16), "h": ("h", 8), "s": ("s", 4), "d": ("d", 2)}[a[-1]]
        if r.random() < 0.5:
            return f"dup {V(d, a)}, v{n}.{e}[{r.randrange(cnt)}]"
        return f"dup {V(d, a)}, {'x' if e == 'd' else 'w'}{r.choice(GP + [31])}".replace("x31", "xzr").replace("w31", "wzr")
    if k == 9:
        b = r.choice(["8b", "16b", "4h", "8h", "4s"])
        op = r.choice(["addv", "smaxv", "umaxv", "sminv", "uminv"])
        return f"{op} {b[-1]}{d}, {V(n, b)}"
    if k == 10:  # 64-bit scalar forms
        c = r.randrange(4)
        if c == 0:
            op = r.choice(["add", "sub", "cmeq", "cmge", "cmgt", "cmhi", "cmhs", "cmtst"])
            return f"{op} d{d}, d{n}, d{m}"
        if c == 1:
            op = r.choice(["abs", "neg", "cmeq", "cmge", "cmgt", "cmle", "cmlt"])
            return f"{op} d{d}, d{n}" + (", #0" if op.startswith("cm") else "")
        if c == 2:
            op = r.choice(["shl", "sshr", "ushr", "ssra", "usra"])
            sh = r.randrange(64) if op == "shl" else r.randrange(1, 65)
            return f"{op} d{d}, d{n}, #{sh}"
        return f"addp d{d}, {V(n, '2d')}"
    # glibc-style idiom: compare, narrow to a nibble mask, move out
    c = r.randrange(3)
    if c == 0:
        return f"cmeq {V(d, '16b')}, {V(n, '16b')}, {V(m, '16b')}"
    if c == 1:
        return f"shrn {V(d, '8b')}, {V(n, '8h')}, #4"
    return f"fmov x{r.choice(GP)}, d{n}"


class Group:
    def __init__(self, name, gen, mem=False, fp=False, cpu="cortex-a57", stateful=False, bisect=True):
        self.name, self.gen, self.mem, self.fp, self.cpu = name, gen, mem, fp, cpu
        self.stateful, self.bisect = stateful, bisect


GROUPS = [
    Group("dp_imm", gen_dp_imm),
    Group("dp_reg", gen_dp_reg),
    Group("bitfield", gen_bitfield),
    Group("condsel", gen_condsel),
    Group("muldiv", gen_muldiv),
    Group("crc32", gen_crc),
    Group("int_mix", gen_int_mix),
    Group("ls", gen_ls, mem=True, stateful=True),
    Group("excl", gen_excl, mem=True, stateful=True),
    Group("lse", gen_lse, mem=True, cpu="max", stateful=True),
    Group("branch", gen_branch, bisect=False),
    Group("fp", gen_fp, fp=True),
    Group("simd_int", gen_simd_int),
    Group("simd_vec", gen_simd_vec),
    Group("simd_fp", gen_simd_fp, fp=True),
    Group("simd_ls", gen_simd_ls, mem=True, stateful=True),
    Group("crypto", gen_crypto),
    Group("sys", gen_sys, fp=True),
    Group("raw", gen_raw, fp=True),
    Group("raw_simd", gen_raw_simd, fp=True),
    Group("raw_fp", gen_raw_fp, fp=True),
]
GROUP = {g.name: g for g in GROUPS}


def gen_items(r, group, n):
    if group.stateful:
        ms = MemState()
        ms.sp = SCRATCH_SIZE // 2 - 32
        return [group.gen(r, ms) for _ in range(n)]
    return [group.gen(r) for _ in range(n)]

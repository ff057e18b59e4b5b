#!/usr/bin/env python3
"""Differential test of A64 semantics: random instruction sequences per
instruction group run under our interpreter tier (emu-arm-run; with --baseline
also its x86 baseline tier), our LLVM
tier (emu-llvm-arm-bench llvm, when built) and qemu-system-aarch64 (-M virt,
semihosting); the architectural state after every trial (X0-X30, SP, NZCV,
FPCR, FPSR, V0-V31, the scratch memory, the exception record) must agree.

On a difference the failing trial is bisected to its first differing
instruction, then re-run alone from the state just before it (the minimal
case: one instruction + inputs), and both states are printed.

usage: arm_diff.py --emu EMU_ARM_RUN [--llvm EMU_LLVM_ARM_BENCH] [--baseline]
                   [--group G[,G...]|all] [--trials N] [--len N] [--seed S]
                   [--batch N] [--keep DIR] [--all-mismatches]
The seed defaults to 1, or $ARM_DIFF_SEED. Exit 0 on agreement, 1 on a
difference, 77 when QEMU or the cross tools are missing."""
import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import exclusions  # noqa: E402
import gen  # noqa: E402
import harness as H  # noqa: E402

TOOLS = ["aarch64-linux-gnu-as", "aarch64-linux-gnu-ld", "aarch64-linux-gnu-objcopy",
         "aarch64-linux-gnu-objdump", "qemu-system-aarch64"]
AS_FLAGS = ["-march=armv8.2-a+crc+lse+crypto+fp16"]


class Runner:
    def __init__(self, args, workdir):
        self.a = args
        self.dir = workdir
        self.n = 0

    def build(self, src):
        self.n += 1
        base = os.path.join(self.dir, f"p{self.n}")
        with open(base + ".s", "w") as f:
            f.write(src)
        r = subprocess.run(["aarch64-linux-gnu-as", *AS_FLAGS, base + ".s", "-o", base + ".o"],
                           capture_output=True, text=True)
        if r.returncode:
            raise RuntimeError("assembler failed:\n" + r.stderr[-3000:])
        subprocess.run(["aarch64-linux-gnu-ld", "-Ttext=0x40080000", "-e", "_start", base + ".o",
                        "-o", base + ".elf"], check=True, capture_output=True)
        subprocess.run(["aarch64-linux-gnu-objcopy", "-O", "binary", base + ".elf", base + ".bin"],
                       check=True, capture_output=True)
        return base

    def run(self, who, base, cpu, timeout=600):
        if who == "interp":
            cmd = [self.a.emu, "-accel-options", "tier=interp", base + ".bin"]
        elif who == "baseline":
            cmd = [self.a.emu, "-accel-options", "tier=baseline", base + ".bin"]
        elif who == "llvm":
            cmd = [self.a.llvm, "llvm", base + ".bin"]
        else:
            cmd = ["qemu-system-aarch64", "-M", "virt", "-cpu", cpu, "-m", "256", "-nographic",
                   "-semihosting", "-monitor", "none", "-kernel", base + ".elf"]
        try:
            p = subprocess.run(cmd, capture_output=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            return "", f"timeout after {timeout} s", -1
        return p.stdout.decode(errors="replace"), p.stderr.decode(errors="replace"), p.returncode


def disasm(runner, item):
    """objdump text of one item (one or a few instructions)."""
    src = ".text\n" + "\n".join(l for l in item.split("\n")) + "\n"
    base = os.path.join(runner.dir, "one")
    with open(base + ".s", "w") as f:
        f.write(src)
    if subprocess.run(["aarch64-linux-gnu-as", *AS_FLAGS, base + ".s", "-o", base + ".o"],
                      capture_output=True).returncode:
        return item
    out = subprocess.run(["aarch64-linux-gnu-objdump", "-d", base + ".o"], capture_output=True,
                         text=True).stdout
    lines = [l.strip() for l in out.split("\n") if ":\t" in l]
    return "; ".join(" ".join(l.split("\t")[1:]).strip() for l in lines) or item


def run_all(runner, group, trials, tiers):
    src = H.program(trials, group.mem)
    base = runner.build(src)
    res = {}
    for who in tiers + ["qemu"]:
        out, err, rc = runner.run(who, base, group.cpu)
        parsed, seen = H.parse(out, group.mem)
        if len(parsed) != len(trials) or rc != 0:
            res[who] = (None, f"{who}: {len(parsed)} of {len(trials)} trial dumps "
                              f"({seen} started), exit {rc}\n{err[-1500:]}")
        else:
            res[who] = (parsed, None)
    return res, base


def diff_fields(a, b, group):
    names = H.field_names(group.mem)
    return [(names[i], a[i], b[i]) for i in range(len(a)) if a[i] != b[i] and names[i] != "pad"]


def excluded(group, item, fields):
    return exclusions.match(group.name, item, fields)


def minimise(runner, group, state, items, who):
    """Bisects to the first differing item and re-runs it alone from the
    state just before it. Returns a report string."""
    tiers = [who]
    prefixes = [(state, items[:k]) for k in range(len(items) + 1)]
    res, base = run_all(runner, group, prefixes, tiers)
    if res[who][0] is None or res["qemu"][0] is None:
        return (res[who][1] or "") + (res["qemu"][1] or ""), None
    ours, qemu = res[who][0], res["qemu"][0]
    k = next((i for i in range(len(prefixes)) if ours[i] != qemu[i]), None)
    if k is None:
        return "not reproducible in isolation (prefix runs agree)", None
    item = items[k - 1]
    before = qemu[k - 1]
    # Re-run the single instruction from QEMU's state before it.
    st = list(before[:H.N_STATE]) + (list(before[H.N_STATE:H.N_STATE + H.N_MEM]) if group.mem
                                      else list(state[H.N_STATE:]))
    st[H.I_SP] = before[H.I_SP]
    res1, _ = run_all(runner, group, [(st, [item])], tiers)
    single = res1[who][0] is not None and res1["qemu"][0] is not None and \
        res1[who][0][0] != res1["qemu"][0][0]
    a, b = (res1[who][0][0], res1["qemu"][0][0]) if single else (ours[k], qemu[k])
    fields = diff_fields(a, b, group)
    names = H.field_names(group.mem)
    lines = [f"first differing instruction (#{k} of {len(items)}): {disasm(runner, item)}",
             "minimal: " + ("this instruction alone reproduces it" if single else
                            "needs the preceding instructions (state before shown)")]
    lines.append(f"  {'field':<14} {'input':<18} {who:<18} qemu")
    for name, x, y in fields:
        i = names.index(name)
        inp = "-" * 16 if name.startswith("exc") else f"{st[i]:016x}"
        lines.append(f"  {name:<14} {inp}   {x:016x}   {y:016x}")
    # Inputs: the registers the instruction names (all of them for .inst).
    import re
    text = item if not item.startswith(".inst") else " ".join(f"x{i} v{i}" for i in range(31))
    xs = sorted({int(m) for m in re.findall(r"\b[xw](\d+)\b", text)} - {28})
    vs = sorted({int(m) for m in re.findall(r"\b[vqdshb](\d+)\b", text)})
    lines.append("  inputs: " + " ".join(f"x{i}={st[i]:#x}" for i in xs if i < 31) +
                 f" sp={st[H.I_SP]:#x} nzcv={st[H.I_NZCV]:#x} fpcr={st[H.I_FPCR]:#x} "
                 f"fpsr={st[H.I_FPSR]:#x}")
    if vs:
        lines.append("          " + " ".join(
            f"v{i}={st[H.I_V + 2 * i + 1]:016x}{st[H.I_V + 2 * i]:016x}" for i in vs if i < 32))
    return "\n".join(lines), (item, fields)


def shape(item):
    """Mnemonic plus operand shape without numbers ("mla v.h, v.h, v.h[]"):
    the key of unimplemented.txt."""
    import re
    text = item.strip().split("\n")[-1]
    text = re.sub(r"0x[0-9a-fA-F]+|#?-?[0-9]+(\.[0-9]+)?", "", text)
    return " ".join(text.split())


def load_unimplemented(path):
    out = set()
    if os.path.exists(path):
        for line in open(path):
            line = line.split("#")[0].strip()
            if line:
                out.add(line)
    return out


def undef_only(ours, qemu, group):
    """Ours took exactly one Undefined exception where QEMU took none."""
    ne = H.N_STATE + (H.N_MEM if group.mem else 0)
    return ours[ne] == 1 and ours[ne + 1] == 0x2000000 and qemu[ne] == 0


def mnemonic(item):
    """The mnemonic that identifies an item (its last line: the address
    setup lines of the memory groups come first)."""
    return item.strip().split("\n")[-1].split()[0]


def regression_items(path, group_name):
    """Lines "group: instruction" of the regression file for one group."""
    out = []
    for line in open(path):
        line = line.strip()
        if line and not line.startswith("#") and line.split(":", 1)[0].strip() == group_name:
            out.append(line.split(":", 1)[1].strip().replace(" ; ", "\n"))
    return out


def run_group(runner, group, a, tiers, seed, summary):
    r = random.Random(f"{group.name}:{seed}")
    if a.regress:
        # Targeted mode: each listed instruction alone, on a.trials random inputs.
        regs = regression_items(a.regress, group.name)
        if not regs:
            return 0, 0, 0
        orig_gen = gen.gen_items
        cycle = iter(range(10**9))
        gen_items = lambda r_, g_, n_: [regs[next(cycle) % len(regs)]]
    elif a.strict or a.survey:
        gen_items = gen.gen_items
    else:
        # Leave out what our translator does not implement yet (unimplemented.txt).
        def gen_items(r_, g_, n_):
            items = gen.gen_items(r_, g_, n_)
            return [it for it in items if shape(it) not in UNIMPL] or ["nop"]
    tiers = list(tiers)
    failures = 0
    done = 0
    excluded_n = 0
    while done < a.trials:
        n = min(a.batch, a.trials - done)
        trials = []
        for _ in range(n):
            st = gen.input_state(r, group)
            trials.append((st, gen_items(r, group, a.len)))
        res, base = run_all(runner, group, trials, tiers)
        if res["qemu"][0] is None:
            print(f"[{group.name}] seed {seed} batch at trial {done}: {res['qemu'][1]}")
            print(f"  program: {base}.s")
            return 1, done, excluded_n
        for who in list(tiers):
            if res[who][0] is None:
                # A crash or hang of one tier: report it, go on with the others.
                print(f"[{group.name}] {who} FAILED to run seed {seed} batch at trial {done}: "
                      f"{res[who][1]}\n  program: {base}.s (run it alone to reproduce)")
                summary.setdefault((group.name, f"<{who} crash>"), [0, set(), ""])[0] += 1
                tiers.remove(who)
                failures += 1
        for t in range(n):
            bad = [who for who in tiers if res[who][0][t] != res["qemu"][0][t]]
            if not bad:
                continue
            if a.survey:
                # --len 1: each trial is one instruction; collect the shapes we
                # leave Undefined where QEMU executes them.
                o, q = res[bad[0]][0][t], res["qemu"][0][t]
                if undef_only(o, q, group):
                    summary.setdefault(("unimpl", shape(trials[t][1][0])), [0, set(), ""])[0] += 1
                    continue
            who = bad[0]
            o, q = res[who][0][t], res["qemu"][0][t]
            fields = diff_fields(o, q, group)
            items = trials[t][1]
            if exclusions.match_trial(group.name, items, fields):
                excluded_n += 1
                continue
            known = [k for k in (mnemonic(i) for i in items) if (group.name, k) in summary
                     and k != ".inst"]  # raw words: always bisect
            if known and not a.all_mismatches:
                # Very likely the same bug again: count it, save the bisection.
                summary[(group.name, known[0])][0] += 1
                summary[(group.name, known[0])][1].update(bad)
                continue
            rep, minimal = ("", None)
            if group.bisect:
                rep, minimal = minimise(runner, group, trials[t][0], items, who)
            if minimal and exclusions.match(group.name, minimal[0], minimal[1]):
                excluded_n += 1
                continue
            if minimal and not a.strict and group.name.startswith("raw"):
                # A raw word we leave Undefined whose disassembly is a known gap.
                # Random words reach far more forms than unimplemented.txt lists:
                # any "ours Undefined, QEMU executes" is a known gap, listed in
                # the summary but not a failure (--strict makes it one).
                dis = disasm(runner, minimal[0]).split("; ")[0].split("  ", 1)[-1]
                if any(f[0] == "exc.esr" and f[1] == 0x2000000 and f[2] == 0
                       for f in minimal[1]):
                    ent = summary.setdefault(("raw-unimpl", shape(dis)), [0, set(), dis])
                    ent[0] += 1
                    ent[1].update(bad)
                    excluded_n += 1
                    continue
            key = (group.name, (shape(disasm(runner, minimal[0]).split("; ")[0].split("  ", 1)[-1])
                                if group.name.startswith("raw") else mnemonic(minimal[0]))
                   if minimal else f"trial {done + t}")
            ent = summary.setdefault(key, [0, set(), ""])
            ent[0] += 1
            ent[1].update(bad)
            if ent[0] > 1:
                continue
            failures += 1
            ent[2] = disasm(runner, minimal[0]) if minimal else ""
            print(f"[{group.name}] MISMATCH {'+'.join(bad)} vs qemu: seed {seed} trial {done + t}")
            if rep:
                print(rep)
            else:
                print("  sequence:\n    " + "\n    ".join("\n".join(items).split("\n")))
                for name, x, y in fields:
                    print(f"  {name:<14} {who} {x:016x} qemu {y:016x}")
            print(f"  program: {base}.s (trial {t})", flush=True)
            if a.first_only:
                return 1, done + n, excluded_n
        done += n
    return (1 if failures else 0), done, excluded_n


UNIMPL = load_unimplemented(os.path.join(HERE, "unimplemented.txt"))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--emu", required=True)
    ap.add_argument("--llvm")
    ap.add_argument("--baseline", action="store_true",
                    help="also run the x86 baseline tier (emu-arm-run tier=baseline)")
    ap.add_argument("--group", default="all")
    ap.add_argument("--trials", type=int, default=100)
    ap.add_argument("--len", type=int, default=12)
    ap.add_argument("--batch", type=int, default=250)
    ap.add_argument("--seed", type=int, default=int(os.environ.get("ARM_DIFF_SEED", "1")))
    ap.add_argument("--keep")
    ap.add_argument("--all-mismatches", action="store_true",
                    help="bisect every mismatching trial, even when it contains a known-bad mnemonic")
    ap.add_argument("--regress", help="file of 'group: instruction' lines to run alone "
                    "(each on --trials random inputs, spread over the list)")
    ap.add_argument("--strict", action="store_true",
                    help="also generate what unimplemented.txt lists as not implemented yet")
    ap.add_argument("--survey", action="store_true",
                    help="with --len 1: list the shapes we leave Undefined and QEMU executes")
    ap.add_argument("--first-only", action="store_true", help="stop at the first mismatch")
    ap.add_argument("--no-interp", action="store_true")
    a = ap.parse_args()
    missing = [t for t in TOOLS if not shutil.which(t)]
    if missing:
        print("SKIP: missing " + ", ".join(missing) + " (install gcc-aarch64-linux-gnu, "
              "binutils-aarch64-linux-gnu and qemu-system-arm)")
        return 77
    tiers = [] if a.no_interp else ["interp"]
    if a.baseline:
        tiers.append("baseline")
    if a.llvm and os.path.exists(a.llvm):
        tiers.append("llvm")
    groups = gen.GROUPS if a.group == "all" else [gen.GROUP[g] for g in a.group.split(",")]
    d = a.keep or tempfile.mkdtemp(prefix="arm_diff_")
    os.makedirs(d, exist_ok=True)
    runner = Runner(a, d)
    rc = 0
    summary = {}
    for group in groups:
        grc, n, ex = run_group(runner, group, a, tiers, a.seed, summary)
        print(f"[{group.name}] {'FAIL' if grc else 'ok'}: {n} sequences x {1 if a.regress else a.len} "
              f"({'+'.join(tiers)} vs qemu -cpu {group.cpu}, seed {a.seed}"
              f"{f', {ex} excluded' if ex else ''})", flush=True)
        rc |= grc
    if a.survey:
        for (k, sh), (cnt, _, _) in sorted(summary.items()):
            if k == "unimpl":
                print(f"{sh}    # {cnt}")
        summary = {k: v for k, v in summary.items() if k[0] != "unimpl"}
    if summary:
        print("distinct differences (group, mnemonic, trials, tiers, example):")
        for (gname, mn), (cnt, who, ex) in sorted(summary.items()):
            print(f"  {gname:<9} {mn:<10} {cnt:>5}  {'+'.join(sorted(who)):<12} {ex}")
    if rc:
        print(f"reproduce: {' '.join(sys.argv)}  (files kept in {d})")
    elif not a.keep:
        shutil.rmtree(d)
    return rc


if __name__ == "__main__":
    sys.exit(main())

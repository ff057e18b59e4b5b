"""Bare-metal harness for the A64 differential test: turns trials (input state
+ instruction items) into one assembly program whose UART output is the
architectural state after every trial, and parses that output back.

Layout (identical in every program, so a trial means the same thing in any
binary and under any emulator):
  code       linked at 0x40080000 (raw binary for our runners, ELF for QEMU)
  SCRATCH    0x44000000, 512 bytes of memory the load/store groups use;
             x27 and SP point into it (x27 = SCRATCH + 256 at trial start)
  STATE      0x44100000, where the harness saves the state; x28 always holds
             STATE and no generated instruction writes x28
  EXC        STATE + 0x800: exception count, last ESR_EL1, last ELR_EL1

Every exception taken at EL1 is recorded and skipped (ELR += 4), so an
undefined encoding shows up as count/ESR/ELR in the dump on both sides."""

SCRATCH = 0x44000000
SCRATCH_SIZE = 512
STATE = 0x44100000
EXC = 0x800

# Quad indices of the dump (the input block uses the same layout).
N_X = 31
I_SP, I_NZCV, I_FPCR, I_FPSR = 31, 32, 33, 34
I_V = 36  # v0..v31, two quads each (low, high)
I_MEM = 100  # SCRATCH_SIZE / 8 quads
N_STATE = I_MEM  # quads printed before memory
N_MEM = SCRATCH_SIZE // 8


def field_names(with_mem):
    names = [f"x{i}" for i in range(31)] + ["sp", "nzcv", "fpcr", "fpsr", "pad"]
    for i in range(32):
        names += [f"v{i}.lo", f"v{i}.hi"]
    if with_mem:
        names += [f"mem[{8 * i:#05x}]" for i in range(N_MEM)]
    names += ["exc.count", "exc.esr", "exc.elr"]
    return names


HEAD = f"""
    .text
    .global _start
_start:
    mov x0, #(3 << 20)          // CPACR_EL1.FPEN: FP/SIMD without traps
    msr cpacr_el1, x0
    adr x0, vectors
    msr vbar_el1, x0
    isb
"""

TAIL = f"""
    adr x1, exitblk
    mov x0, #0x20               // SYS_EXIT_EXTENDED, ADP_Stopped_ApplicationExit
    hlt #0xf000
1:  b 1b

// x0 = input block. Sets SP, V registers, scratch memory, FPCR, FPSR, NZCV
// and clears the exception record and the exclusive monitor; X registers
// are loaded by the caller (x30 is live here).
setup_common:
    ldr x1, [x0, #{8 * I_SP}]
    mov sp, x1
    add x1, x0, #{8 * I_V}
    ldp q0, q1, [x1], #32
    ldp q2, q3, [x1], #32
    ldp q4, q5, [x1], #32
    ldp q6, q7, [x1], #32
    ldp q8, q9, [x1], #32
    ldp q10, q11, [x1], #32
    ldp q12, q13, [x1], #32
    ldp q14, q15, [x1], #32
    ldp q16, q17, [x1], #32
    ldp q18, q19, [x1], #32
    ldp q20, q21, [x1], #32
    ldp q22, q23, [x1], #32
    ldp q24, q25, [x1], #32
    ldp q26, q27, [x1], #32
    ldp q28, q29, [x1], #32
    ldp q30, q31, [x1], #32
    add x1, x0, #{8 * I_MEM}
    movz x2, #{SCRATCH >> 16}, lsl #16
    mov x3, #{N_MEM}
2:  ldr x4, [x1], #8
    str x4, [x2], #8
    subs x3, x3, #1
    b.ne 2b
    movz x2, #{STATE >> 16}, lsl #16
    add x2, x2, #{EXC}
    stp xzr, xzr, [x2]
    str xzr, [x2, #16]
    ldr x1, [x0, #{8 * I_FPCR}]
    msr fpcr, x1
    ldr x1, [x0, #{8 * I_FPSR}]
    msr fpsr, x1
    ldr x1, [x0, #{8 * I_NZCV}]
    msr nzcv, x1
    clrex
    ret

// Saves what the caller's stp/str did not (SP..V31 are saved inline) and
// prints quads [x28, x28 + 8 * {N_STATE}), optionally SCRATCH (w1 != 0) and the
// exception record, one 16-digit hex line each, after a "T" line.
dump:
    mov x9, x30
    movz x4, #0x0900, lsl #16
    mov w5, #'T'
    strb w5, [x4]
    mov w5, #10
    strb w5, [x4]
    mov x0, x28
    mov x2, #{N_STATE}
    bl print_quads
    cbz w1, 3f
    movz x0, #{SCRATCH >> 16}, lsl #16
    mov x2, #{N_MEM}
    bl print_quads
3:  add x0, x28, #{EXC}
    mov x2, #3
    bl print_quads
    ret x9

// x0 = address, x2 = count, x4 = UART; clobbers x0, x2, x3, x5-x8.
print_quads:
    ldr x3, [x0], #8
    mov x6, #60
4:  lsr x7, x3, x6
    and x7, x7, #0xf
    add x8, x7, #'0'
    add x5, x7, #('a' - 10)
    cmp x7, #10
    csel x8, x8, x5, lo
    strb w8, [x4]
    subs x6, x6, #4
    b.ge 4b
    mov w8, #10
    strb w8, [x4]
    subs x2, x2, #1
    b.ne print_quads
    ret

    .balign 2048
vectors:
    .rept 16
    b exc_handler
    .balign 128
    .endr
exc_handler:
    str x0, [x28, #{EXC + 24}]
    ldr x0, [x28, #{EXC}]
    add x0, x0, #1
    str x0, [x28, #{EXC}]
    cmp x0, #64                 // runaway: give up rather than loop forever
    b.hi exc_runaway
    mrs x0, esr_el1
    str x0, [x28, #{EXC + 8}]
    mrs x0, elr_el1
    str x0, [x28, #{EXC + 16}]
    add x0, x0, #4
    msr elr_el1, x0
    ldr x0, [x28, #{EXC + 24}]
    eret
exc_runaway:
    adr x1, failblk
    mov x0, #0x20
    hlt #0xf000

    .balign 8
exitblk: .quad 0x20026, 0
failblk: .quad 0x20026, 3
"""


def trial_asm(t, items, with_mem):
    out = [f"trial_{t}:", f"    adrp x0, in_{t}", f"    add x0, x0, :lo12:in_{t}",
           "    bl setup_common"]
    for i in range(1, 31, 2):
        if i == 29:
            out.append(f"    ldp x29, x30, [x0, #{8 * 29}]")
        else:
            out.append(f"    ldp x{i}, x{i + 1}, [x0, #{8 * i}]")
    out.append("    ldr x0, [x0]")
    out.append(f"seq_{t}:")
    for it in items:
        out += ["    " + line if not line.endswith(":") else line for line in it.split("\n")]
    out.append(f"seqend_{t}:")
    for i in range(0, 30, 2):
        if i == 28:
            out.append("    stp x28, x29, [x28, #224]")
        else:
            out.append(f"    stp x{i}, x{i + 1}, [x28, #{8 * i}]")
    out += [
        "    str x30, [x28, #240]",
        "    mov x0, sp",
        f"    str x0, [x28, #{8 * I_SP}]",
        "    mrs x0, nzcv",
        f"    str x0, [x28, #{8 * I_NZCV}]",
        "    mrs x0, fpcr",
        f"    str x0, [x28, #{8 * I_FPCR}]",
        "    mrs x0, fpsr",
        f"    str x0, [x28, #{8 * I_FPSR}]",
        f"    add x0, x28, #{8 * I_V}",
    ]
    for r in range(0, 32, 2):
        out.append(f"    stp q{r}, q{r + 1}, [x0], #32")
    out.append(f"    mov w1, #{1 if with_mem else 0}")
    out.append("    bl dump")
    return "\n".join(out)


def program(trials, with_mem):
    """trials: list of (state quads list of length N_STATE + N_MEM, items)."""
    src = [HEAD]
    for t, (_, items) in enumerate(trials):
        src.append(trial_asm(t, items, with_mem))
    src.append(TAIL)
    src.append("    .data\n    .balign 16")
    for t, (state, _) in enumerate(trials):
        src.append(f"in_{t}:")
        for i in range(0, len(state), 4):
            src.append("    .quad " + ", ".join(f"{v & (2**64 - 1):#x}" for v in state[i:i + 4]))
    return "\n".join(src) + "\n"


def parse(output, with_mem):
    """Returns a list of per-trial lists of ints (None for a malformed line)."""
    n = N_STATE + (N_MEM if with_mem else 0) + 3
    trials, cur = [], None
    for line in output.replace("\r", "").split("\n"):
        if line == "T":
            cur = []
            trials.append(cur)
        elif cur is not None and len(cur) < n and line:
            try:
                cur.append(int(line, 16))
            except ValueError:
                cur.append(None)
    return [t for t in trials if len(t) == n], len(trials)

// Unallocated and UNDEFINED encodings raise the Undefined Instruction
// exception (ESR.EC = 0, IL = 1, ELR = the instruction), caught by the
// program's vector table; execution resumes after the instruction.
#include "lib/rt.h"

static volatile uint64_t g_esr, g_elr, g_count;

static int hook(int kind, struct frame* f) {
    if (kind != 4) return 0;
    g_esr = READ_SYSREG(esr_el1);
    g_elr = f->elr;
    ++g_count;
    if ((g_esr >> 26) != 0) return 0;
    f->elr += 4;
    return 1;
}

#define TRY(name, word)                                                             \
    do {                                                                            \
        uint64_t pc_, before_ = g_count;                                            \
        __asm__ volatile("adr %0, 1f\n 1: .inst " #word : "=r"(pc_) : : "memory");  \
        CHECK(name ": trapped once", g_count - before_, 1);                         \
        CHECK(name ": ESR.EC = unknown", g_esr >> 26, 0);                           \
        CHECK(name ": ESR.IL", (g_esr >> 25) & 1, 1);                               \
        CHECK(name ": ELR = the instruction", g_elr, pc_);                          \
    } while (0)

int main(uint64_t dtb) {
    set_exception_hook(hook);
    TRY("udf #0", 0x00000000);
    TRY("udf #0xbeef", 0x0000beef);
    TRY("unallocated top-level group (op0=0b0001)", 0x02000000);
    TRY("unallocated top-level group (op0=0b0011)", 0x06000000);
    TRY("all ones", 0xffffffff);
    TRY("reserved load/store (op0=x1x0, unallocated)", 0x3a800000);
    TRY("MSR to a nonexistent system register", 0xd51bffff);
    TRY("ERET-like unallocated branch encoding", 0xd6bf03e0);
    return 0;
}

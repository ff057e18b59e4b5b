// DC ZVA: DCZID_EL0 advertises 64-byte blocks (BS = 4, as QEMU's CPUs do);
// the instruction zeroes exactly the aligned 64 bytes containing its
// address; on a read-only page it takes a permission fault and on an
// unmapped page a translation fault, reported as a write (WnR = 1, no
// instruction syndrome) without touching memory; and zeroing a block that
// holds translated code makes the next execution see the zeros (an
// Undefined Instruction), through another virtual alias of the page and
// with no instruction-cache maintenance, as QEMU behaves.
#include "lib/rt.h"

// A window of four 4 KiB pages at WIN, mapped one by one: page 0 the
// read/write buffer, page 1 the read-only buffer, page 2 unmapped, page 3
// the code buffer (also reachable through the identity map of RAM).
#define WIN 0x80000000ul
#define PG 4096ul

static uint64_t l1[512] __attribute__((aligned(4096)));
static uint64_t l2[512] __attribute__((aligned(4096)));
static uint64_t l3[512] __attribute__((aligned(4096)));
static uint8_t rw_page[PG] __attribute__((aligned(4096)));
static uint8_t ro_page[PG] __attribute__((aligned(4096)));
static uint32_t code_page[PG / 4] __attribute__((aligned(4096)));

static volatile uint64_t g_esr, g_far, g_elr, g_aborts, g_undefs;

static int hook(int kind, struct frame* f) {
    if (kind != 4) return 0;
    uint64_t esr = READ_SYSREG(esr_el1);
    g_esr = esr;
    g_far = READ_SYSREG(far_el1);
    g_elr = f->elr;
    if ((esr >> 26) == 0x25) {  // data abort: skip the DC ZVA
        ++g_aborts;
        f->elr += 4;
        return 1;
    }
    if ((esr >> 26) == 0) {  // undefined: return from the called code
        ++g_undefs;
        f->x[0] = 0xdead;
        f->elr = f->x[30];
        return 1;
    }
    return 0;
}

static void map_window(void) {
    const uint64_t page = 3 | (1u << 2) | (3u << 8) | (1u << 10);  // attr 1 (Normal), ISH, AF
    const uint64_t ro = 1u << 7;                                    // AP[2]: read-only
    l1[0] = 0x0ull | (0u << 2) | (1u << 10) | 1;                    // devices, attr 0
    l1[1] = 0x40000000ull | (1u << 2) | (3u << 8) | (1u << 10) | 1;  // RAM, identity
    l1[2] = (uint64_t)l2 | 3;
    l2[0] = (uint64_t)l3 | 3;
    l3[0] = (uint64_t)rw_page | page;
    l3[1] = (uint64_t)ro_page | page | ro;
    l3[2] = 0;
    l3[3] = (uint64_t)code_page | page;
    uint64_t mair = 0xffull << 8;
    uint64_t tcr = 25 | (1u << 8) | (1u << 10) | (3u << 12) | (1u << 23);
    __asm__ volatile(
        "dsb sy\n msr mair_el1, %0\n msr tcr_el1, %1\n msr ttbr0_el1, %2\n isb\n"
        "tlbi vmalle1\n dsb sy\n isb\n"
        "mrs x9, sctlr_el1\n orr x9, x9, #1\n orr x9, x9, #4\n orr x9, x9, #0x1000\n"
        "msr sctlr_el1, x9\n isb"
        :
        : "r"(mair), "r"(tcr), "r"((uint64_t)l1)
        : "x9", "memory");
}

static inline void dc_zva(uint64_t va) {
    __asm__ volatile("dc zva, %0" : : "r"(va) : "memory");
}

static unsigned count_byte(const volatile uint8_t* p, unsigned n, uint8_t v) {
    unsigned c = 0;
    for (unsigned i = 0; i < n; ++i)
        c += p[i] == v;
    return c;
}

static void fill(volatile uint8_t* p, unsigned n, uint8_t v) {
    for (unsigned i = 0; i < n; ++i)
        p[i] = v;
}

static void zero_block(void) {
    volatile uint8_t* w = (volatile uint8_t*)WIN;
    fill(w, PG, 0xa5);
    dc_zva(WIN + 0x100 + 0x27);  // unaligned: the block is 0x100..0x13f
    CHECK("block zeroed", count_byte(w + 0x100, 64, 0), 64);
    CHECK("byte before the block kept", w[0xff], 0xa5);
    CHECK("byte after the block kept", w[0x140], 0xa5);
    CHECK("only 64 bytes zeroed", count_byte(w, PG, 0), 64);
    CHECK("seen through the identity map", count_byte(rw_page + 0x100, 64, 0), 64);
    dc_zva(WIN + 0xfc0 + 0x3f);  // the page's last block, not the next page
    CHECK("last block zeroed", count_byte(w + 0xfc0, 64, 0), 64);
    CHECK("128 bytes zeroed in all", count_byte(w, PG, 0), 128);
    CHECK("no fault", g_aborts, 0);
}

static void faults(void) {
    fill(ro_page, PG, 0x5a);  // writable through the identity map
    __asm__ volatile("dsb sy" ::: "memory");
    uint64_t before = g_aborts;
    uint64_t pc;
    __asm__ volatile("adr %0, 1f\n 1: dc zva, %1" : "=&r"(pc) : "r"(WIN + PG + 0x48 + 3) : "memory");
    CHECK("read-only: one abort", g_aborts - before, 1);
    CHECK("read-only: EC = data abort, same EL", g_esr >> 26, 0x25);
    CHECK("read-only: IL", (g_esr >> 25) & 1, 1);
    CHECK("read-only: ISV = 0", (g_esr >> 24) & 1, 0);
    CHECK("read-only: CM = 0", (g_esr >> 8) & 1, 0);
    CHECK("read-only: WnR = 1", (g_esr >> 6) & 1, 1);
    CHECK("read-only: DFSC = permission fault, level 3", g_esr & 0x3f, 0x0f);
    CHECK("read-only: FAR in the block", g_far & ~63ul, WIN + PG + 0x40);
    CHECK("read-only: ELR = the DC ZVA", g_elr, pc);
    CHECK("read-only: memory untouched", count_byte(ro_page, PG, 0x5a), PG);

    before = g_aborts;
    __asm__ volatile("adr %0, 1f\n 1: dc zva, %1" : "=&r"(pc) : "r"(WIN + 2 * PG + 0x10) : "memory");
    CHECK("unmapped: one abort", g_aborts - before, 1);
    CHECK("unmapped: EC = data abort, same EL", g_esr >> 26, 0x25);
    CHECK("unmapped: ISV = 0", (g_esr >> 24) & 1, 0);
    CHECK("unmapped: CM = 0", (g_esr >> 8) & 1, 0);
    CHECK("unmapped: WnR = 1", (g_esr >> 6) & 1, 1);
    CHECK("unmapped: DFSC = translation fault, level 3", g_esr & 0x3f, 0x07);
    CHECK("unmapped: FAR in the block", g_far & ~63ul, WIN + 2 * PG);
    CHECK("unmapped: ELR = the DC ZVA", g_elr, pc);
}

typedef uint64_t (*fn_t)(void);

static void code(void) {
    // movz x0, #0x1234; ret -- at 0x80 into the page, in the third block.
    volatile uint32_t* c = code_page;
    c[0x20] = 0xd2824680;
    c[0x21] = 0xd65f03c0;
    uint64_t at = (uint64_t)&code_page[0x20];
    __asm__ volatile("dc cvau, %0\n dsb ish\n ic ivau, %0\n dsb ish\n isb" : : "r"(at) : "memory");
    fn_t fn = (fn_t)at;
    CHECK("code runs", fn(), 0x1234);
    CHECK("code runs again (translated)", fn(), 0x1234);

    // Another block of the same page: the code still runs.
    dc_zva(WIN + 3 * PG + 0x40);
    __asm__ volatile("dsb ish\n isb" ::: "memory");
    CHECK("zeroing another block keeps the code", fn(), 0x1234);
    CHECK("no undefined yet", g_undefs, 0);

    // The code's block, through the window alias and without IC IVAU.
    dc_zva(WIN + 3 * PG + 0x80);
    __asm__ volatile("dsb ish\n isb" ::: "memory");
    CHECK("zeroed code: the hook's value", fn(), 0xdead);
    CHECK("zeroed code: one undefined", g_undefs, 1);
    CHECK("zeroed code: EC = unknown", g_esr >> 26, 0);
    CHECK("zeroed code: ELR = the first zero word", g_elr, at);

    // Rewritten: the new bytes run.
    c[0x20] = 0xd28acf00;  // movz x0, #0x5678
    c[0x21] = 0xd65f03c0;
    __asm__ volatile("dc cvau, %0\n dsb ish\n ic ivau, %0\n dsb ish\n isb" : : "r"(at) : "memory");
    CHECK("rewritten code runs", fn(), 0x5678);
}

int main(uint64_t dtb) {
    set_exception_hook(hook);
    uint64_t dczid = READ_SYSREG(dczid_el0);
    CHECK("DCZID_EL0.BS = 4 (64 bytes)", dczid & 15, 4);
    CHECK("DCZID_EL0.DZP = 0 (permitted)", (dczid >> 4) & 1, 0);
    map_window();
    zero_block();
    faults();
    code();
    return 0;
}

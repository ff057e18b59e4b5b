// ASID-tagged translations, as a KPTI kernel uses them: with TCR.A1 the
// ASID comes from TTBR1, and one TTBR1 write switches both the upper-half
// tables and the ASID. Two table sets map the same upper-half VAs (a data
// page and a code page, non-global) to different pages under ASIDs 1 and 2;
// switching back and forth (and through more ASIDs than a TLB might keep)
// each ASID must see its own pages and run its own code. TLB maintenance
// for an ASID that is not the current one (ASIDE1, VAE1 with that ASID,
// VAAE1, VMALLE1) must take effect when the guest switches back to it, and
// code written through a mapping of one ASID while another runs it must
// be seen.
#include "lib/rt.h"

#define HI 0xffffff8000000000ul  // T1SZ 25: the first upper-half VA
#define DATA (HI + 0x0000)       // page 0: data (A: buf_a, B: buf_b)
#define CODE (HI + 0x1000)       // page 1: code (A: code_a, B: code_b)
#define WIN (HI + 0x2000)        // page 2 (A only): read/write view of code_d

#define NORMAL (1ul << 2 | 3ul << 8 | 1ul << 10)  // AttrIndx 1, Inner Shareable, AF
#define NG (1ul << 11)
#define PAGE_NG(pa) ((uint64_t)(pa) | NORMAL | NG | 3)
#define TABLE(pa) ((uint64_t)(pa) | 3)
#define BLOCK(pa) ((uint64_t)(pa) | NORMAL | 1)

#define MOV_W0(imm) (0x52800000u | (imm) << 5)
#define RET 0xd65f03c0u

static uint64_t l1_lo[512] __attribute__((aligned(4096)));
static uint64_t l1_a[512] __attribute__((aligned(4096)));
static uint64_t l2_a[512] __attribute__((aligned(4096)));
static uint64_t l3_a[512] __attribute__((aligned(4096)));
static uint64_t l1_b[512] __attribute__((aligned(4096)));
static uint64_t l2_b[512] __attribute__((aligned(4096)));
static uint64_t l3_b[512] __attribute__((aligned(4096)));
static volatile uint64_t buf_a[512] __attribute__((aligned(4096)));
static volatile uint64_t buf_b[512] __attribute__((aligned(4096)));
static volatile uint64_t buf_c[512] __attribute__((aligned(4096)));
static uint32_t code_a[1024] __attribute__((aligned(4096)));
static uint32_t code_b[1024] __attribute__((aligned(4096)));
static uint32_t code_c[1024] __attribute__((aligned(4096)));
static uint32_t code_d[1024] __attribute__((aligned(4096)));

typedef uint32_t (*fn_t)(void);

static void sync_code(uint64_t va) {
    __asm__ volatile("dc cvau, %0\n dsb ish\n ic ivau, %0\n dsb ish\n isb" : : "r"(va) : "memory");
}

static void build(void) {
    l1_lo[0] = 0x0ul | 1ul << 10 | 1;  // devices: Device-nGnRnE block (global)
    l1_lo[1] = BLOCK(0x40000000ul);    // RAM (global)
    l1_a[0] = TABLE(l2_a);
    l2_a[0] = TABLE(l3_a);
    l3_a[0] = PAGE_NG(buf_a);
    l3_a[1] = PAGE_NG(code_a);
    l3_a[2] = PAGE_NG(code_d);
    l1_b[0] = TABLE(l2_b);
    l2_b[0] = TABLE(l3_b);
    l3_b[0] = PAGE_NG(buf_b);
    l3_b[1] = PAGE_NG(code_b);
    buf_a[0] = 0xaaaa;
    buf_b[0] = 0xbbbb;
    buf_c[0] = 0xcccc;
    code_a[0] = MOV_W0(1);
    code_b[0] = MOV_W0(2);
    code_c[0] = MOV_W0(3);
    code_d[0] = MOV_W0(4);
    code_a[1] = code_b[1] = code_c[1] = code_d[1] = RET;
    __asm__ volatile("dsb ish\n ic iallu\n dsb ish\n isb" ::: "memory");
}

static void mmu_on(void) {
    uint64_t mair = 0xfful << 8;
    // T0SZ/T1SZ 25 (39-bit halves), walks write-back inner shareable, TG1
    // 4K, A1: the ASID is TTBR1's.
    uint64_t tcr = 25 | 1u << 8 | 1u << 10 | 3u << 12 | 25u << 16 | 1u << 22 | 1u << 24 | 1u << 26 |
                   3u << 28 | 2ul << 30;
    __asm__ volatile(
        "msr mair_el1, %0\n msr tcr_el1, %1\n msr ttbr0_el1, %2\n msr ttbr1_el1, %3\n isb\n"
        "tlbi vmalle1\n dsb nsh\n isb\n"
        "mrs x9, sctlr_el1\n orr x9, x9, #1\n orr x9, x9, #4\n orr x9, x9, #0x1000\n"
        "msr sctlr_el1, x9\n isb"
        :
        : "r"(mair), "r"(tcr), "r"((uint64_t)l1_lo), "r"((uint64_t)l1_a | 1ul << 48)
        : "x9", "memory");
}

// One write: the tables and the ASID together (as KPTI's trampoline does).
static void use(uint64_t* l1, uint64_t asid) {
    __asm__ volatile("msr ttbr1_el1, %0\n isb" : : "r"((uint64_t)l1 | asid << 48) : "memory");
}

static uint64_t va_op(uint64_t va, uint64_t asid) {
    return asid << 48 | ((va >> 12) & ((1ul << 44) - 1));
}
static void tlbi_aside1(uint64_t asid) {
    __asm__ volatile("dsb ishst\n tlbi aside1, %0\n dsb nsh\n isb" : : "r"(asid << 48) : "memory");
}
static void tlbi_vae1(uint64_t va, uint64_t asid) {
    __asm__ volatile("dsb ishst\n tlbi vae1, %0\n dsb nsh\n isb"
                     :
                     : "r"(va_op(va, asid))
                     : "memory");
}
static void tlbi_vaae1(uint64_t va) {
    __asm__ volatile("dsb ishst\n tlbi vaae1, %0\n dsb nsh\n isb" : : "r"(va_op(va, 0)) : "memory");
}
static void tlbi_vmalle1(void) {
    __asm__ volatile("dsb ishst\n tlbi vmalle1\n dsb nsh\n isb" ::: "memory");
}
static void set_desc(uint64_t* d, uint64_t v) {
    *(volatile uint64_t*)d = v;
    __asm__ volatile("dsb ishst" ::: "memory");
}

static uint64_t data(void) {
    return *(volatile uint64_t*)DATA;
}
static uint32_t code(void) {
    return ((fn_t)CODE)();
}

int main(uint64_t dtb) {
    build();
    mmu_on();
    CHECK("ASID 1: its data page", data(), 0xaaaa);
    CHECK("ASID 1: its code page", code(), 1);

    unsigned bad = 0;
    for (int i = 0; i < 2000; ++i) {
        use(l1_a, 1);
        bad += data() != 0xaaaa || code() != 1;
        use(l1_b, 2);
        bad += data() != 0xbbbb || code() != 2;
    }
    CHECK("ASIDs 1 and 2 alternating: each its own pages and code", bad, 0);

    bad = 0;
    for (int r = 0; r < 100; ++r) {
        for (uint64_t asid = 1; asid <= 20; ++asid) {
            int a = asid & 1;
            use(a ? l1_a : l1_b, asid);
            bad += data() != (a ? 0xaaaa : 0xbbbb) || code() != (a ? 1u : 2u);
        }
    }
    CHECK("20 ASIDs in turn: each its own pages and code", bad, 0);

    // Maintenance for ASID 1 while ASID 2 is current.
    use(l1_a, 1);
    CHECK("ASID 1 cached", data() + code(), 0xaaaa + 1);
    set_desc(&l3_a[0], PAGE_NG(buf_c));
    (void)data();
    use(l1_b, 2);
    CHECK("ASID 2 meanwhile", data(), 0xbbbb);
    tlbi_aside1(1);
    use(l1_a, 1);
    CHECK("TLBI ASIDE1 from another ASID: the new page", data(), 0xcccc);

    set_desc(&l3_a[0], PAGE_NG(buf_a));
    (void)data();  // old or new: ASID 1's page is in its TLB either way
    use(l1_b, 2);
    tlbi_vae1(DATA, 1);
    use(l1_a, 1);
    CHECK("TLBI VAE1 with ASID 1 from ASID 2: the new page", data(), 0xaaaa);

    set_desc(&l3_a[0], PAGE_NG(buf_c));
    (void)data();
    use(l1_b, 2);
    tlbi_vaae1(DATA);
    use(l1_a, 1);
    CHECK("TLBI VAAE1 from ASID 2: the new page", data(), 0xcccc);

    set_desc(&l3_a[0], PAGE_NG(buf_a));
    (void)data();
    use(l1_b, 2);
    tlbi_vmalle1();
    use(l1_a, 1);
    CHECK("TLBI VMALLE1 from ASID 2: the new page", data(), 0xaaaa);

    // The code page of ASID 1, remapped while ASID 2 runs its own.
    CHECK("ASID 1 code cached", code(), 1);
    set_desc(&l3_a[1], PAGE_NG(code_c));
    use(l1_b, 2);
    CHECK("ASID 2 code meanwhile", code(), 2);
    tlbi_aside1(1);
    use(l1_a, 1);
    CHECK("TLBI ASIDE1 from another ASID: the new code page", code(), 3);
    set_desc(&l3_a[1], PAGE_NG(code_a));
    tlbi_vae1(CODE, 1);
    CHECK("TLBI VAE1 of the current ASID: the old code page again", code(), 1);

    // The current ASID's own entries.
    use(l1_b, 2);
    set_desc(&l3_b[0], PAGE_NG(buf_c));
    tlbi_aside1(2);
    CHECK("TLBI ASIDE1 of the current ASID", data(), 0xcccc);
    set_desc(&l3_b[0], PAGE_NG(buf_b));
    tlbi_vae1(DATA, 2);
    CHECK("TLBI VAE1 of the current ASID", data(), 0xbbbb);

    // Code written through ASID 1's window while ASID 2 runs it (through
    // the global identity map): the write entry was made before the page
    // held code.
    volatile uint32_t* win = (volatile uint32_t*)WIN;
    use(l1_a, 1);
    win[2] = 0;  // a write entry for the page, before it holds code
    use(l1_b, 2);
    CHECK("code page run from ASID 2", ((fn_t)code_d)(), 4);
    use(l1_a, 1);
    win[0] = MOV_W0(6);
    sync_code(WIN);
    use(l1_b, 2);
    CHECK("code written from ASID 1 runs in ASID 2", ((fn_t)code_d)(), 6);
    return 0;
}

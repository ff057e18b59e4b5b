// Broadcast TLB maintenance across CPUs (run with -smp 2): CPU0 changes a
// page mapping and a block mapping that CPU1 is using, then TLBI VAE1IS +
// DSB ISH; once CPU0 says so (a flag written after the DSB), CPU1 must see
// the new mappings. Then both CPUs broadcast at the same time (no
// deadlock), and the local forms must not be needed by the other CPU.
#include "lib/rt.h"

#define PSCI_CPU_OFF 0x84000002ul
#define PSCI_CPU_ON 0xc4000003ul
#define PSCI_AFFINITY_INFO 0xc4000004ul

#define WIN_VA 0x80000000ul    // one 4 KiB page, remapped between two buffers
#define BLOCK_VA 0x80200000ul  // one 2 MiB block, remapped between two regions
#define BLOCK_A 0x41000000ul
#define BLOCK_B 0x41200000ul
#define STORM 3000

extern char secondary_entry[];
static uint64_t l1[512] __attribute__((aligned(4096)));
static uint64_t l2_ram[512] __attribute__((aligned(4096)));
static uint64_t l2_win[512] __attribute__((aligned(4096)));
static uint64_t l3_win[512] __attribute__((aligned(4096)));
static volatile uint64_t buf_a[512] __attribute__((aligned(4096)));
static volatile uint64_t buf_b[512] __attribute__((aligned(4096)));
static volatile uint64_t g_step, g_ack, g_seen[4], g_storm_done[2], g_cnt0, g_cnt1;

static uint64_t cntvct(void) {
    uint64_t v;
    __asm__ volatile("isb\n mrs %0, cntvct_el0" : "=r"(v) : : "memory");
    return v;
}

#define NORMAL (1ul << 2 | 3ul << 8 | 1ul << 10)  // AttrIndx 1, Inner Shareable, AF
#define PAGE(pa) ((pa) | NORMAL | 3)
#define BLOCK(pa) ((pa) | NORMAL | 1)
#define TABLE(pa) ((uint64_t)(pa) | 3)

static void build_tables(void) {
    l1[0] = 0x0ul | 1ul << 10 | 1;  // devices: Device-nGnRnE block
    l1[1] = TABLE(l2_ram);
    for (uint64_t i = 0; i < 512; ++i) l2_ram[i] = BLOCK(0x40000000ul + (i << 21));
    l1[2] = TABLE(l2_win);
    l2_win[0] = TABLE(l3_win);
    l3_win[0] = PAGE((uint64_t)buf_a);
    l2_win[1] = BLOCK(BLOCK_A);
    __asm__ volatile("dsb ish" ::: "memory");
}

static void mmu_on(void) {
    uint64_t mair = 0xfful << 8;
    uint64_t tcr = 25 | 1u << 8 | 1u << 10 | 3u << 12 | 1u << 23;  // 39-bit VA, WB, ISH, EPD1
    __asm__ volatile(
        "msr mair_el1, %0\n msr tcr_el1, %1\n msr ttbr0_el1, %2\n isb\n"
        "tlbi vmalle1\n dsb nsh\n isb\n"
        "mrs x9, sctlr_el1\n orr x9, x9, #1\n orr x9, x9, #4\n orr x9, x9, #0x1000\n"
        "msr sctlr_el1, x9\n isb"
        :
        : "r"(mair), "r"(tcr), "r"((uint64_t)l1)
        : "x9", "memory");
}

static void tlbi_vae1is(uint64_t va) {
    __asm__ volatile("dsb ishst\n tlbi vae1is, %0\n dsb ish\n isb" : : "r"(va >> 12) : "memory");
}

// Reads the flag, then the address, until the flag reaches `step`: the
// value read after seeing the flag must come from the new mapping.
static uint64_t read_until(volatile uint64_t* p, uint64_t step) {
    uint64_t v, f;
    do {
        f = g_step;
        __asm__ volatile("dmb ishld" ::: "memory");
        v = *p;
    } while (f < step);
    return v;
}

void secondary_main(uint64_t ctx) {
    // The system counter is one for all PEs: a count read after another
    // CPU's (ordered by the flag) is not smaller.
    while (!g_cnt0) __asm__ volatile("yield");
    __asm__ volatile("dmb ish" ::: "memory");
    g_cnt1 = cntvct();
    mmu_on();
    volatile uint64_t* win = (volatile uint64_t*)WIN_VA;
    volatile uint64_t* blk = (volatile uint64_t*)(BLOCK_VA + 0x3000);
    // Step 1: use both mappings (they are now in this CPU's TLB).
    g_seen[0] = *win + *blk;
    g_ack = 1;
    g_seen[1] = read_until(win, 2);
    g_ack = 2;
    g_seen[2] = read_until(blk, 3);
    g_ack = 3;
    // Step 4: broadcast storm from both CPUs at once.
    while (g_step < 4) __asm__ volatile("yield");
    for (int i = 0; i < STORM; ++i) {
        __asm__ volatile("tlbi vae1is, %0\n dsb ish" : : "r"((WIN_VA >> 12) + (i & 7)) : "memory");
        if ((i & 63) == 0) __asm__ volatile("tlbi vmalle1is\n dsb ish" ::: "memory");
    }
    g_storm_done[1] = 1;
    __asm__ volatile("dsb ish" ::: "memory");
    psci(PSCI_CPU_OFF, 0, 0, 0);
}

int main(uint64_t dtb) {
    buf_a[0] = 0xaaaa;
    buf_b[0] = 0xbbbb;
    *(volatile uint64_t*)(BLOCK_A + 0x3000) = 0x1111;
    *(volatile uint64_t*)(BLOCK_B + 0x3000) = 0x2222;
    build_tables();
    mmu_on();
    volatile uint64_t* win = (volatile uint64_t*)WIN_VA;
    CHECK("window maps buffer A", *win, 0xaaaa);
    CHECK("block maps region A", *(volatile uint64_t*)(BLOCK_VA + 0x3000), 0x1111);

    CHECK("CPU_ON", psci(PSCI_CPU_ON, 1, (uint64_t)secondary_entry, 1), 0);
    uint64_t t = cntvct();
    __asm__ volatile("dmb ish" ::: "memory");
    g_cnt0 = t;
    while (g_ack < 1) __asm__ volatile("yield");
    CHECK("CPU1 used the old mappings", g_seen[0], 0xaaaa + 0x1111);
    CHECK("CPU1's counter is not behind CPU0's", g_cnt1 >= g_cnt0, 1);

    // Page: make the window point at buffer B, invalidate on all CPUs.
    l3_win[0] = PAGE((uint64_t)buf_b);
    tlbi_vae1is(WIN_VA);
    CHECK("CPU0 sees the new page", *win, 0xbbbb);
    g_step = 2;
    while (g_ack < 2) __asm__ volatile("yield");
    CHECK("CPU1 sees the new page after TLBI VAE1IS + DSB ISH", g_seen[1], 0xbbbb);

    // Block: remap the 2 MiB block, invalidate by another address in it.
    l2_win[1] = BLOCK(BLOCK_B);
    tlbi_vae1is(BLOCK_VA + 0x100000);
    CHECK("CPU0 sees the new block", *(volatile uint64_t*)(BLOCK_VA + 0x3000), 0x2222);
    g_step = 3;
    while (g_ack < 3) __asm__ volatile("yield");
    CHECK("CPU1 sees the new block (TLBI by another VA in it)", g_seen[2], 0x2222);

    // Both CPUs broadcast at once.
    g_step = 4;
    for (int i = 0; i < STORM; ++i) {
        __asm__ volatile("tlbi vale1is, %0\n dsb ish" : : "r"((WIN_VA >> 12) + (i & 7)) : "memory");
        if ((i & 63) == 0) __asm__ volatile("tlbi aside1is, xzr\n dsb ish" ::: "memory");
    }
    while (!g_storm_done[1]) __asm__ volatile("yield");
    CHECK("concurrent broadcasts completed", g_storm_done[1], 1);
    while (psci(PSCI_AFFINITY_INFO, 1, 0, 0) != 1) __asm__ volatile("yield");

    // A broadcast while CPU1 is off: nothing to wait for.
    l3_win[0] = PAGE((uint64_t)buf_a);
    tlbi_vae1is(WIN_VA);
    CHECK("window back to buffer A", *win, 0xaaaa);
    return 0;
}

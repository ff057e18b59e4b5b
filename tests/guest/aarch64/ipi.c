// Inter-processor interrupts through the GIC: CPU 1 (started with PSCI)
// sends SGIs to CPU 0 (GICv2: GICD_SGIR, source id in IAR[12:10]; GICv3:
// ICC_SGI1R_EL1), CPU 0 takes them in its IRQ handler; then CPU 0 sends one
// back. Exercises banked GIC registers on two CPUs. Run with -smp 2 and
// gic-version=2 or 3.
#include "lib/rt.h"

#define GICD 0x08000000ul
#define GICC 0x08010000ul
#define GICR 0x080a0000ul
#define R32(a) (*(volatile uint32_t*)(a))

extern char secondary_entry[];
static int g_v3;
static volatile unsigned g_got[2], g_src[2], g_id[2], g_ready, g_go;

static uint32_t ack(void) {
    if (!g_v3) return R32(GICC + 0x0c);
    uint64_t v;
    __asm__ volatile("mrs %0, S3_0_C12_C12_0" : "=r"(v));
    return (uint32_t)v;
}
static void eoi(uint32_t v) {
    if (!g_v3) R32(GICC + 0x10) = v;
    else __asm__ volatile("msr S3_0_C12_C12_1, %0" : : "r"((uint64_t)v));
}
static unsigned cpu_id(void) { return READ_SYSREG(mpidr_el1) & 0xff; }

static int hook(int kind, struct frame* f) {
    if (kind != 5) return 0;
    uint32_t v = ack();
    unsigned c = cpu_id(), id = v & 0x3ff;
    if (id >= 1020) return 1;
    g_id[c] = id;
    g_src[c] = (v >> 10) & 7;
    __asm__ volatile("dmb ish" ::: "memory");
    g_got[c]++;
    eoi(v);
    return 1;
}

// Per-CPU interface setup (the distributor is CPU 0's job).
static void cpu_if_init(unsigned c) {
    if (!g_v3) {
        R32(GICD + 0x100) = 0xffff;  // banked: enable SGIs 0-15 for this CPU
        R32(GICC + 0x04) = 0xff;
        R32(GICC + 0x00) = 1;
    } else {
        uint64_t rd = GICR + c * 0x20000ul;
        R32(rd + 0x14) &= ~2u;
        while (R32(rd + 0x14) & 4) {
        }
        R32(rd + 0x10000 + 0x80) = ~0u;
        R32(rd + 0x10000 + 0x100) = 0xffff;
        __asm__ volatile("msr S3_0_C4_C6_0, %0" : : "r"(0xffull));
        __asm__ volatile("msr S3_0_C12_C12_7, %0" : : "r"(1ull));
        __asm__ volatile("isb");
    }
    __asm__ volatile("msr daifclr, #2");
}

static void send_sgi(unsigned target, unsigned sgi) {
    if (!g_v3) {
        R32(GICD + 0xf00) = (1u << (16 + target)) | sgi;
    } else {
        uint64_t v = ((uint64_t)sgi << 24) | (1ull << target);  // Aff1..3 = 0
        __asm__ volatile("msr S3_0_C12_C11_5, %0\n isb" : : "r"(v));
    }
}

void secondary_main(uint64_t ctx) {
    cpu_if_init(1);
    g_ready = 1;
    while (!g_go) __asm__ volatile("yield");
    send_sgi(0, 5);
    send_sgi(0, 6);  // distinct SGIs: both must arrive
    while (!g_got[1]) __asm__ volatile("wfi");
    for (;;) __asm__ volatile("wfi");
}

int main(uint64_t dtb) {
    set_exception_hook(hook);
    uint32_t pidr2 = R32(GICD + 0xfe8);
    g_v3 = ((pidr2 >> 4) & 0xf) != 2;
    printf("INFO GICv%d\n", g_v3 ? 3 : 2);
    R32(GICD + 0x000) = g_v3 ? 0x12 : 1;
    cpu_if_init(0);
    CHECK("CPU_ON 1", psci(0xc4000003, 1, (uint64_t)secondary_entry, 1), 0);
    while (!g_ready) __asm__ volatile("yield");
    g_go = 1;
    uint64_t t0 = READ_SYSREG(cntvct_el0), limit = READ_SYSREG(cntfrq_el0) * 5;
    WFI_UNTIL(g_got[0] >= 2 || READ_SYSREG(cntvct_el0) - t0 >= limit);
    CHECK("CPU 0 got two SGIs from CPU 1", g_got[0], 2);
    CHECK("the last one was SGI 6", g_id[0], 6);
    if (!g_v3) CHECK("GICv2 reports the source CPU", g_src[0], 1);
    send_sgi(1, 3);
    t0 = READ_SYSREG(cntvct_el0);
    while (!g_got[1] && READ_SYSREG(cntvct_el0) - t0 < limit) __asm__ volatile("yield");
    CHECK("CPU 1 got SGI 3 from CPU 0", g_got[1], 1);
    CHECK("SGI id on CPU 1", g_id[1], 3);
    if (!g_v3) CHECK("source CPU 0", g_src[1], 0);
    return 0;
}

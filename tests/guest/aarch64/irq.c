// Interrupts through the board: the virtual generic timer (PPI 11, INTID
// 27) and the PL011 transmit interrupt (SPI 1, INTID 33) delivered by the
// GIC (v2 through its memory-mapped CPU interface, v3 through ICC_*
// registers), acknowledged, handled and ended; plus the PL031 RTC. Runs
// with -M virt,gic-version=2 and =3.
#include "lib/rt.h"

#define GICD 0x08000000ul
#define GICC 0x08010000ul
#define GICR 0x080a0000ul
#define R32(a) (*(volatile uint32_t*)(a))
#define R64(a) (*(volatile uint64_t*)(a))

static int g_v3;
static volatile unsigned g_timer_irqs, g_uart_irqs, g_spurious;
static uint64_t g_tick;

static uint32_t ack(void) {
    if (!g_v3) return R32(GICC + 0x0c);
    uint64_t v;
    __asm__ volatile("mrs %0, S3_0_C12_C12_0" : "=r"(v));  // ICC_IAR1_EL1
    return (uint32_t)v;
}
static void eoi(uint32_t id) {
    if (!g_v3) {
        R32(GICC + 0x10) = id;
    } else {
        __asm__ volatile("msr S3_0_C12_C12_1, %0" : : "r"((uint64_t)id));  // ICC_EOIR1_EL1
    }
}

static int hook(int kind, struct frame* f) {
    if (kind != 5) return 0;  // IRQ, current EL with SP_ELx
    uint32_t id = ack() & 0xffffff;
    if (id == 27) {
        ++g_timer_irqs;
        if (g_timer_irqs < 5) {
            __asm__ volatile("msr cntv_tval_el0, %0" : : "r"(g_tick));
        } else {
            __asm__ volatile("msr cntv_ctl_el0, %0" : : "r"(2ull));  // masked
        }
    } else if (id == 33) {
        ++g_uart_irqs;
        R32(UART_BASE + 0x38) = 0;        // IMSC: mask
        R32(UART_BASE + 0x44) = 0x7ff;    // ICR
    } else if (id >= 1020) {
        ++g_spurious;
        return 1;
    } else {
        printf("FAIL unexpected interrupt %u\n", id);
    }
    eoi(id);
    return 1;
}

static void gic_init(void) {
    // A GICv2 distributor is 4 KiB (PIDR2 at 0xfe8): probe it first, as
    // reading 0xffe8 there is a bus error.
    uint32_t pidr2_v2 = R32(GICD + 0xfe8), pidr2_v3 = 0;
    if (((pidr2_v2 >> 4) & 0xf) != 2) pidr2_v3 = R32(GICD + 0xffe8);
    g_v3 = ((pidr2_v3 >> 4) & 0xf) == 3;
    printf("INFO GICv%d\n", g_v3 ? 3 : 2);
    CHECK("GIC architecture revision", g_v3 ? (pidr2_v3 >> 4) & 0xf : (pidr2_v2 >> 4) & 0xf,
          g_v3 ? 3 : 2);
    if (!g_v3) {
        R32(GICD + 0x000) = 1;                 // enable
        R32(GICD + 0x400 + 27) = 0;            // (byte writes below)
        *(volatile uint8_t*)(GICD + 0x400 + 27) = 0x80;
        *(volatile uint8_t*)(GICD + 0x400 + 33) = 0x80;
        *(volatile uint8_t*)(GICD + 0x800 + 33) = 1;  // target CPU 0
        R32(GICD + 0x100) = 1u << 27;
        R32(GICD + 0x104) = 1u << 1;
        R32(GICC + 0x04) = 0xff;               // PMR
        R32(GICC + 0x00) = 1;                  // enable
        CHECK("GICD_ISENABLER0 reads back the PPI", (R32(GICD + 0x100) >> 27) & 1, 1);
    } else {
        R32(GICD + 0x000) = 0x12;              // ARE, Group 1
        R32(GICR + 0x14) &= ~2u;               // WAKER.ProcessorSleep = 0
        while (R32(GICR + 0x14) & 4) {
        }
        uint64_t typer = R64(GICR + 0x08);
        CHECK("GICR_TYPER affinity of CPU 0", typer >> 32, 0);
        R32(GICR + 0x10000 + 0x80) = ~0u;      // SGIs/PPIs in group 1
        *(volatile uint8_t*)(GICR + 0x10000 + 0x400 + 27) = 0x80;
        R32(GICR + 0x10000 + 0x100) = 1u << 27;
        R32(GICD + 0x84) = ~0u;                // SPIs 32..63 group 1
        *(volatile uint8_t*)(GICD + 0x400 + 33) = 0x80;
        R64(GICD + 0x6000 + 8 * 33) = 0;       // route to 0.0.0.0
        R32(GICD + 0x104) = 1u << 1;
        uint64_t sre;
        __asm__ volatile("mrs %0, S3_0_C12_C12_5" : "=r"(sre));  // ICC_SRE_EL1
        CHECK("ICC_SRE_EL1.SRE", sre & 1, 1);
        __asm__ volatile("msr S3_0_C4_C6_0, %0" : : "r"(0xffull));   // ICC_PMR_EL1
        __asm__ volatile("msr S3_0_C12_C12_7, %0" : : "r"(1ull));    // ICC_IGRPEN1_EL1
        __asm__ volatile("isb");
    }
}

int main(uint64_t dtb) {
    set_exception_hook(hook);
    gic_init();
    // Virtual timer at 1 kHz, five interrupts.
    g_tick = READ_SYSREG(cntfrq_el0) / 1000;
    // Read the start before arming: each interrupt needs a full tick after
    // its TVAL write, so five of them take at least five ticks from here.
    uint64_t start = READ_SYSREG(cntvct_el0);
    __asm__ volatile("msr cntv_tval_el0, %0\n msr cntv_ctl_el0, %1\n isb"
                     : : "r"(g_tick), "r"(1ull));
    __asm__ volatile("msr daifclr, #2");
    WFI_UNTIL(g_timer_irqs >= 5 || READ_SYSREG(cntvct_el0) - start >= g_tick * 5000);
    CHECK("five virtual timer interrupts", g_timer_irqs, 5);
    CHECK("at least 5 ticks elapsed", READ_SYSREG(cntvct_el0) - start >= 5 * g_tick, 1);
    // UART transmit interrupt.
    R32(UART_BASE + 0x44) = 0x7ff;  // clear all
    R32(UART_BASE + 0x38) = 1u << 5;  // TXIM
    uart_puts("INFO uart tx\n");
    start = READ_SYSREG(cntvct_el0);
    WFI_UNTIL(g_uart_irqs || READ_SYSREG(cntvct_el0) - start >= g_tick * 1000);
    CHECK("PL011 TX interrupt", g_uart_irqs, 1);
    __asm__ volatile("msr daifset, #2");
    CHECK("PL011 periph id", R32(UART_BASE + 0xfe0), 0x11);
    // PL031: a plausible date (after 2020) that does not go backwards.
    uint32_t t1 = R32(0x09010000), t2 = R32(0x09010000);
    CHECK("PL031 time after 2020", t1 > 1577836800u, 1);
    CHECK("PL031 monotonic", t2 >= t1, 1);
    CHECK("PL031 periph id", R32(0x09010000 + 0xfe0), 0x31);
    return 0;
}

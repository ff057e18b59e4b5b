// MSIs on -M virt (run with -device virtio-rng-pci,addr=05.0).
// gic-version=2: the GICv2m frame's MSI_TYPER, a CPU write to
// MSI_SETSPI_NS taken as an interrupt, IDs outside the frame ignored.
// gic-version=3: LPIs (configuration and pending tables) and the ITS
// (device and collection tables, command queue: MAPD, MAPC, MAPTI, INT,
// INV, SYNC), an LPI raised by INT.
// Both: a real PCI MSI-X message: a virtio-rng-pci function set up by hand
// (BARs, MSI-X table entry -> MSI_SETSPI_NS or GITS_TRANSLATER, one
// virtqueue) fills a buffer and signals its queue vector, which arrives as
// the SPI or LPI we chose.
#include "lib/rt.h"

#define GICD 0x08000000ul
#define GICC 0x08010000ul
#define V2M 0x08020000ul
#define GICR 0x080a0000ul
#define ITS 0x08080000ul
#define R64(a) (*(volatile uint64_t*)(a))
// Tables for LPIs and the ITS, in RAM well above the program.
#define PROP 0x46000000ul
#define PEND 0x46010000ul
#define DEVTAB 0x46100000ul
#define COLLTAB 0x46200000ul
#define CMDQ 0x46300000ul
#define ITT 0x46400000ul
#define RNG_DEVID 0x28  // requester ID of 00:05.0
#define ECAM 0x4010000000ul  // highmem ECAM (QEMU's default)
#define BAR_BASE 0x10000000ul
#define R8(a) (*(volatile uint8_t*)(a))
#define R16(a) (*(volatile uint16_t*)(a))
#define R32(a) (*(volatile uint32_t*)(a))

static volatile unsigned g_count[8192 + 64];  // up to LPI 8255
static int g_v3;

static int hook(int kind, struct frame* f) {
    if (kind != 5) return 0;
    uint64_t id;
    if (g_v3) {
        __asm__ volatile("mrs %0, S3_0_C12_C12_0" : "=r"(id));  // ICC_IAR1_EL1
        id &= 0xffffff;
    } else {
        id = R32(GICC + 0x0c) & 0x3ff;
    }
    if (id >= 1020 && id < 8192) return 1;
    if (id == 27) __asm__ volatile("msr cntv_ctl_el0, %0" : : "r"(2ull));  // timeout: mask
    if (id < sizeof g_count / sizeof g_count[0]) g_count[id]++;
    if (g_v3) {
        __asm__ volatile("msr S3_0_C12_C12_1, %0" : : "r"(id));  // ICC_EOIR1_EL1
    } else {
        R32(GICC + 0x10) = (uint32_t)id;
    }
    return 1;
}

static void spi_enable(unsigned id) {
    uint32_t cfg = R32(GICD + 0xc00 + id / 16 * 4);
    R32(GICD + 0xc00 + id / 16 * 4) = cfg | 2u << (id % 16 * 2);  // edge
    R8(GICD + 0x400 + id) = 0x80;
    R8(GICD + 0x800 + id) = 1;  // CPU 0
    R32(GICD + 0x100 + id / 32 * 4) = 1u << (id % 32);
}

// Waits for the interrupt, at most about a second (the virtual timer,
// PPI 27, wakes the WFI if the interrupt never comes).
static void wait_for(unsigned id, unsigned n) {
    unsigned timeouts = g_count[27];
    __asm__ volatile("msr cntv_tval_el0, %0\n msr cntv_ctl_el0, %1\n isb"
                     : : "r"(READ_SYSREG(cntfrq_el0)), "r"(1ull));
    WFI_UNTIL(g_count[id] >= n || g_count[27] != timeouts);
    __asm__ volatile("msr cntv_ctl_el0, %0" : : "r"(0ull));
}

static unsigned pending(unsigned id) {
    return (R32(GICD + 0x200 + id / 32 * 4) >> (id % 32)) & 1;
}

// ---- PCI / virtio ------------------------------------------------------
static uint64_t cfgsp;  // config space of 00:05.0
static uint64_t bar_addr[6];

static unsigned find_cap(unsigned id, unsigned from) {
    unsigned p = from ? R8(cfgsp + from + 1) : R8(cfgsp + 0x34);
    for (int hops = 0; p && hops < 48; ++hops) {
        if (R8(cfgsp + p) == id) return p;
        p = R8(cfgsp + p + 1);
    }
    return 0;
}

// The virtio capability of cfg_type `type`: address of its structure.
static uint64_t virtio_cap(unsigned type, unsigned* cap_out) {
    for (unsigned p = find_cap(0x09, 0); p; p = find_cap(0x09, p)) {
        if (R8(cfgsp + p + 3) == type) {
            if (cap_out) *cap_out = p;
            return bar_addr[R8(cfgsp + p + 4)] + R32(cfgsp + p + 8);
        }
    }
    return 0;
}

static uint8_t g_buf[32] __attribute__((aligned(16)));
static struct {
    uint64_t addr;
    uint32_t len;
    uint16_t flags, next;
} g_desc[8] __attribute__((aligned(16)));
static struct {
    uint16_t flags, idx, ring[8], used_event;
} g_avail __attribute__((aligned(4)));
static struct {
    uint16_t flags, idx;
    struct {
        uint32_t id, len;
    } ring[8];
    uint16_t avail_event;
} g_used __attribute__((aligned(8)));

// The function's MSI-X vector 0 writes `data` to `addr`; `intid` must come.
static void pci_msix_rng(uint64_t addr, uint32_t data, unsigned intid) {
    cfgsp = ECAM + (5ul << 15);  // -device virtio-rng-pci,addr=05.0
    uint32_t id = R32(cfgsp);
    // Transitional (0x1005, QEMU) or modern-only (0x1044) entropy device.
    CHECK("00:05.0 is a virtio entropy device",
          (id & 0xffff) == 0x1af4 && (id >> 16 == 0x1005 || id >> 16 == 0x1044), 1);
    // Assign every memory BAR a 1 MiB slot of the 32-bit window (our
    // BARs are far smaller), 64-bit ones with a zero upper half.
    uint64_t next = BAR_BASE;
    for (unsigned b = 0; b < 6; ++b) {
        uint64_t reg = cfgsp + 0x10 + 4 * b;
        uint32_t orig = R32(reg);
        R32(reg) = ~0u;
        uint32_t sz = R32(reg);
        if (!sz || (orig & 1)) {  // absent or I/O
            R32(reg) = orig;
            continue;
        }
        R32(reg) = (uint32_t)next;
        bar_addr[b] = next;
        next += 1ul << 20;
        if ((orig & 6) == 4) {  // 64-bit: the next BAR is the upper half
            R32(reg + 4) = 0;
            ++b;
        }
    }
    R16(cfgsp + 4) = 0x6;  // memory space + bus master
    unsigned mx = find_cap(0x11, 0);
    CHECK("MSI-X capability present", mx != 0, 1);
    if (!mx) return;
    uint32_t tbl = R32(cfgsp + mx + 4);
    uint64_t table = bar_addr[tbl & 7] + (tbl & ~7u);
    R32(table + 0) = (uint32_t)addr;
    R32(table + 4) = (uint32_t)(addr >> 32);
    R32(table + 8) = data;
    R32(table + 12) = 0;  // unmasked
    R16(cfgsp + mx + 2) = 0x8000;  // MSI-X enable

    unsigned ncap = 0;
    uint64_t common = virtio_cap(1, 0), notify = virtio_cap(2, &ncap);
    CHECK("virtio common and notify capabilities", common && notify, 1);
    if (!common || !notify) return;
    R8(common + 0x14) = 0;                 // reset
    R8(common + 0x14) = 1 | 2;             // ACKNOWLEDGE | DRIVER
    R32(common + 0x08) = 1;                // driver_feature_select: bits 32..63
    R32(common + 0x0c) = 1;                // VIRTIO_F_VERSION_1
    R32(common + 0x08) = 0;
    R32(common + 0x0c) = 0;
    R8(common + 0x14) = 1 | 2 | 8;         // FEATURES_OK
    CHECK("FEATURES_OK accepted", R8(common + 0x14) & 8, 8);
    R16(common + 0x16) = 0;                // queue_select
    R16(common + 0x18) = 8;                // queue_size
    R16(common + 0x1a) = 0;                // queue_msix_vector
    CHECK("queue MSI-X vector accepted", R16(common + 0x1a), 0);
    // 64-bit fields as two 32-bit halves, low first (virtio 1.x 4.1.3.1).
    uint64_t rings[3] = {(uint64_t)g_desc, (uint64_t)&g_avail, (uint64_t)&g_used};
    for (unsigned i = 0; i < 3; ++i) {
        R32(common + 0x20 + 8 * i) = (uint32_t)rings[i];
        R32(common + 0x24 + 8 * i) = (uint32_t)(rings[i] >> 32);
    }
    R16(common + 0x1c) = 1;                // queue_enable
    R8(common + 0x14) = 1 | 2 | 8 | 4;     // DRIVER_OK
    g_desc[0].addr = (uint64_t)g_buf;
    g_desc[0].len = sizeof g_buf;
    g_desc[0].flags = 2;  // device writes
    g_avail.ring[0] = 0;
    __asm__ volatile("dmb sy" ::: "memory");
    g_avail.idx = 1;
    __asm__ volatile("dmb sy" ::: "memory");
    uint32_t mult = R32(cfgsp + ncap + 16);
    R16(notify + (uint64_t)R16(common + 0x1e) * mult) = 0;
    wait_for(intid, 1);
    CHECK("MSI-X from virtio-rng-pci arrives as the chosen interrupt", g_count[intid], 1);
    CHECK("the device returned the buffer", g_used.idx, 1);
    CHECK("with the whole buffer filled", g_used.ring[0].len, sizeof g_buf);
    R8(common + 0x14) = 0;  // reset the device
}

static void gicv2m(void) {
    uint32_t typer = R32(V2M + 0x08);
    CHECK("MSI_TYPER first SPI", (typer >> 16) & 0x3ff, 80);
    CHECK("MSI_TYPER number of SPIs", typer & 0x3ff, 64);
    CHECK("MSI_IIDR as QEMU's frame", R32(V2M + 0xfcc), 0x05100000);
    R32(GICD + 0x000) = 1;
    R32(GICC + 0x04) = 0xff;
    R32(GICC + 0x00) = 1;
    R8(GICD + 0x400 + 27) = 0x80;
    R32(GICD + 0x100) = 1u << 27;
    spi_enable(80);
    spi_enable(143);
    spi_enable(79);
    spi_enable(144);
    spi_enable(100);
    __asm__ volatile("msr daifclr, #2");
    R32(V2M + 0x40) = 80;
    wait_for(80, 1);
    CHECK("MSI to the first SPI", g_count[80], 1);
    R32(V2M + 0x40) = 143;
    wait_for(143, 1);
    CHECK("MSI to the last SPI", g_count[143], 1);
    // Outside the frame's range: nothing happens.
    R32(V2M + 0x40) = 79;
    R32(V2M + 0x40) = 144;
    R32(V2M + 0x40) = 33;
    __asm__ volatile("dsb sy\n isb" ::: "memory");
    CHECK("no interrupt below the range", g_count[79] + pending(79), 0);
    CHECK("no interrupt above the range", g_count[144] + pending(144), 0);
    CHECK("no interrupt on other SPIs", g_count[33] + pending(33), 0);
    pci_msix_rng(V2M + 0x40, 100, 100);
}

// ---- GICv3 ITS -----------------------------------------------------------
static uint64_t g_cwriter;

static void its_cmd(uint64_t d0, uint64_t d1, uint64_t d2, uint64_t d3) {
    volatile uint64_t* c = (volatile uint64_t*)(CMDQ + g_cwriter);
    c[0] = d0;
    c[1] = d1;
    c[2] = d2;
    c[3] = d3;
    __asm__ volatile("dsb sy" ::: "memory");
    g_cwriter = (g_cwriter + 32) % 0x1000;
    R64(ITS + 0x88) = g_cwriter;  // GITS_CWRITER
    for (int i = 0; i < 1000000 && (R64(ITS + 0x90) & ~1ull) != g_cwriter; ++i) {
    }
}

static void zero(uint64_t a, uint64_t n) {
    for (uint64_t i = 0; i < n; i += 8)
        R64(a + i) = 0;
}

static void its(void) {
    uint32_t typer = R32(GICD + 0x004);
    CHECK("GICD_TYPER.LPIS", (typer >> 17) & 1, 1);
    CHECK("GICD_TYPER.IDbits covers 16-bit LPIs", ((typer >> 19) & 0x1f) >= 15, 1);
    R32(GICD + 0x000) = 0x12;  // ARE, Group 1
    R32(GICR + 0x14) &= ~2u;   // WAKER.ProcessorSleep = 0
    while (R32(GICR + 0x14) & 4) {
    }
    uint64_t rtyper = R64(GICR + 0x08);
    CHECK("GICR_TYPER.PLPIS", rtyper & 1, 1);
    R32(GICR + 0x10000 + 0x80) = ~0u;  // SGIs/PPIs group 1
    R8(GICR + 0x10000 + 0x400 + 27) = 0x80;
    R32(GICR + 0x10000 + 0x100) = 1u << 27;
    __asm__ volatile("msr S3_0_C4_C6_0, %0" : : "r"(0xffull));  // ICC_PMR_EL1
    __asm__ volatile("msr S3_0_C12_C12_7, %0\n isb" : : "r"(1ull));  // ICC_IGRPEN1_EL1
    // LPIs 8192..16383 (IDbits 13): priority 0xa0, enabled.
    zero(PROP, 8192);
    zero(PEND, 0x10000);
    for (unsigned i = 0; i < 64; ++i)
        R8(PROP + i) = 0xa0 | 1;
    R64(GICR + 0x70) = PROP | 13;  // PROPBASER
    R64(GICR + 0x78) = PEND;       // PENDBASER
    __asm__ volatile("dsb sy" ::: "memory");
    R32(GICR + 0x00) = 1;  // EnableLPIs
    // ITS tables: one 4 KiB page each is enough for DeviceID 0x28, ICID 0.
    uint64_t ityper = R64(ITS + 0x08);
    CHECK("GITS_TYPER.Physical", ityper & 1, 1);
    for (unsigned n = 0; n < 8; ++n) {
        uint64_t b = R64(ITS + 0x100 + 8 * n);
        unsigned type = (unsigned)(b >> 56) & 7;
        uint64_t base = type == 1 ? DEVTAB : type == 4 ? COLLTAB : 0;
        if (!base) continue;
        zero(base, 0x1000);
        R64(ITS + 0x100 + 8 * n) = (1ull << 63) | (b & (0x1full << 48)) | (uint64_t)type << 56 |
                                   base | (1ull << 10) /* inner shareable */;
    }
    zero(CMDQ, 0x1000);
    zero(ITT, 0x1000);
    R64(ITS + 0x80) = (1ull << 63) | CMDQ;  // CBASER: 4 KiB
    R64(ITS + 0x88) = 0;
    R32(ITS + 0x00) = 1;  // enable
    // Target of collection 0: CPU 0's redistributor, by address or number.
    uint64_t rd = (ityper >> 19) & 1 ? GICR : ((rtyper >> 8) & 0xffff) << 16;
    its_cmd(0x09, 0, (1ull << 63) | rd | 0, 0);                                   // MAPC
    its_cmd((uint64_t)RNG_DEVID << 32 | 0x08, 4, (1ull << 63) | ITT, 0);           // MAPD, 5 bits
    its_cmd((uint64_t)RNG_DEVID << 32 | 0x0a, 8192ull << 32 | 0, 0, 0);           // MAPTI ev 0
    its_cmd((uint64_t)RNG_DEVID << 32 | 0x0a, 8193ull << 32 | 1, 0, 0);           // MAPTI ev 1
    its_cmd(0x05, 0, rd, 0);                                                      // SYNC
    CHECK("command queue consumed", R64(ITS + 0x90), g_cwriter);
    __asm__ volatile("msr daifclr, #2");
    its_cmd((uint64_t)RNG_DEVID << 32 | 0x03, 0, 0, 0);  // INT ev 0
    wait_for(8192, 1);
    CHECK("INT raises the mapped LPI", g_count[8192], 1);
    // Disabled in the table + INV: INT leaves it pending, not delivered.
    R8(PROP + 0) = 0xa0;
    its_cmd((uint64_t)RNG_DEVID << 32 | 0x0c, 0, 0, 0);  // INV ev 0
    its_cmd((uint64_t)RNG_DEVID << 32 | 0x03, 0, 0, 0);
    its_cmd(0x05, 0, rd, 0);
    __asm__ volatile("dsb sy\n isb" ::: "memory");
    CHECK("a disabled LPI is not delivered", g_count[8192], 1);
    R8(PROP + 0) = 0xa0 | 1;
    its_cmd((uint64_t)RNG_DEVID << 32 | 0x0c, 0, 0, 0);
    wait_for(8192, 2);
    CHECK("re-enabled with INV it is", g_count[8192], 2);
    pci_msix_rng(ITS + 0x10040, 1, 8193);
}

int main(uint64_t dtb) {
    set_exception_hook(hook);
    // A GICv2 distributor is 4 KiB: probe its PIDR2 first (see irq.c).
    uint32_t pidr2_v2 = R32(GICD + 0xfe8);
    g_v3 = ((pidr2_v2 >> 4) & 0xf) != 2 && ((R32(GICD + 0xffe8) >> 4) & 0xf) == 3;
    if (g_v3) {
        its();
    } else {
        gicv2m();
    }
    __asm__ volatile("msr daifset, #2");
    return 0;
}

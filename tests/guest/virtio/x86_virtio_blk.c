/* A bare-metal x86-64 guest (PVH entry) that drives a virtio-blk-pci disk
 * the way a driver would: finds the function through CF8/CFC, places BAR4,
 * walks the virtio capabilities, negotiates VERSION_1, sets up one split
 * queue and polls it. It checks what the host put on the disk, writes a
 * pattern the host checks afterwards, then checks that a completion raises
 * INTx through the IOAPIC (GSI 16 + swizzled pin, as the DSDT's _PRT says)
 * and that reading the ISR acknowledges it. Exits through isa-debug-exit
 * (0 = pass). */
#include "lib.h"

#define BAR4_ADDR 0xc0000000ul
#define QSIZE 16

struct desc { uint64_t addr; uint32_t len; uint16_t flags, next; };
struct avail { uint16_t flags, idx, ring[QSIZE], used_event; };
struct used_elem { uint32_t id, len; };
struct used { uint16_t flags, idx; struct used_elem ring[QSIZE]; uint16_t avail_event; };

static struct desc descs[QSIZE] __attribute__((aligned(16)));
static struct avail av __attribute__((aligned(2)));
static struct used us __attribute__((aligned(4)));
static uint8_t data[65536] __attribute__((aligned(4096)));
static struct { uint32_t type, reserved; uint64_t sector; } hdr;
static volatile uint8_t status;

static uintptr_t common, notify, devcfg, isr;
static uint32_t notify_mult;
static uint16_t notify_off;

void ap_main64(unsigned n) { (void)n; for (;;) __asm__ volatile("hlt"); }

static uint32_t pci_r32(unsigned dev, unsigned reg) {
    outl(0xcf8, 0x80000000u | (dev << 11) | (reg & 0xfc));
    return inl(0xcfc);
}
static void pci_w32(unsigned dev, unsigned reg, uint32_t v) {
    outl(0xcf8, 0x80000000u | (dev << 11) | (reg & 0xfc));
    outl(0xcfc, v);
}
static uint8_t pci_r8(unsigned dev, unsigned reg) { return (uint8_t)(pci_r32(dev, reg) >> (8 * (reg & 3))); }

static uint8_t c8(unsigned o) { return *(volatile uint8_t*)(common + o); }
static uint16_t c16(unsigned o) { return *(volatile uint16_t*)(common + o); }
static void w8(unsigned o, uint8_t v) { *(volatile uint8_t*)(common + o) = v; }
static void w16(unsigned o, uint16_t v) { *(volatile uint16_t*)(common + o) = v; }
static void w32(unsigned o, uint32_t v) { *(volatile uint32_t*)(common + o) = v; }
static void w64(unsigned o, uint64_t v) { w32(o, (uint32_t)v); w32(o + 4, (uint32_t)(v >> 32)); }

#define LAPIC 0xfee00000ul
#define IOAPIC 0xfec00000ul
#define VECTOR 0x40

struct idt_entry { uint16_t off0, sel; uint8_t ist, type; uint16_t off1; uint32_t off2, zero; } __attribute__((packed));
static struct idt_entry idt[256] __attribute__((aligned(16)));
struct interrupt_frame;
static volatile unsigned intx_count;
static volatile uint8_t isr_seen;

/* Reading the ISR acknowledges (lowers) the level interrupt before EOI. */
__attribute__((interrupt)) static void intx_handler(struct interrupt_frame* f) {
    (void)f;
    isr_seen |= *(volatile uint8_t*)isr;
    ++intx_count;
    mmio_write32(LAPIC + 0xb0, 0);
}

static void setup_interrupts(unsigned gsi) {
    uintptr_t a = (uintptr_t)intx_handler;
    idt[VECTOR] = (struct idt_entry){(uint16_t)a, 0x08, 0, 0x8e, (uint16_t)(a >> 16),
                                     (uint32_t)(a >> 32), 0};
    struct { uint16_t limit; uint64_t base; } __attribute__((packed)) p = {sizeof idt - 1, (uintptr_t)idt};
    __asm__ volatile("lidt %0" ::"m"(p));
    outb(0x21, 0xff);
    outb(0xa1, 0xff); /* legacy PIC masked */
    mmio_write32(LAPIC + 0xf0, 0x1ff);
    /* Redirection entry: destination APIC 0, level triggered, active high. */
    mmio_write32(IOAPIC, 0x10 + 2 * gsi + 1);
    mmio_write32(IOAPIC + 0x10, 0);
    mmio_write32(IOAPIC, 0x10 + 2 * gsi);
    mmio_write32(IOAPIC + 0x10, VECTOR | (1u << 15));
    __asm__ volatile("sti");
}

static void fail(const char* what) {
    printf_("virtio-blk guest: FAIL: %s\n", what);
    debug_exit(1);
}

/* One request of up to 8 KiB; returns the status byte. */
static int request(uint32_t type, uint64_t sector, uint32_t len) {
    hdr.type = type;
    hdr.reserved = 0;
    hdr.sector = sector;
    status = 0xff;
    /* header -> [data] -> status; data is device-writable for reads */
    descs[0] = (struct desc){(uintptr_t)&hdr, 16, 1, (uint16_t)(len ? 1 : 2)};
    if (len) descs[1] = (struct desc){(uintptr_t)data, len, (uint16_t)(1 | (type == 0 ? 2 : 0)), 2};
    descs[2] = (struct desc){(uintptr_t)&status, 1, 2, 0};
    uint16_t before = us.idx;
    av.ring[av.idx % QSIZE] = 0;
    __asm__ volatile("mfence" ::: "memory");
    av.idx++;
    __asm__ volatile("mfence" ::: "memory");
    *(volatile uint16_t*)(notify + notify_off * notify_mult) = 0;
    for (unsigned long spins = 0; *(volatile uint16_t*)&us.idx == before; ++spins) {
        if (spins > 200000000ul) fail("request timed out");
        cpu_relax();
    }
    return status;
}

struct hvm_start_info {
    uint32_t magic, version, flags, nr_modules;
    uint64_t modlist_paddr, cmdline_paddr, rsdp_paddr, memmap_paddr;
    uint32_t memmap_entries, reserved;
};

/* bench: queue depth 1, polled; prints TSC ticks per phase (the host
 * script turns them into MB/s and compares emulators). */
static void bench(uint64_t cap) {
    const unsigned seq = 256; /* x 64 KiB = 16 MiB */
    const unsigned rnd = 2048; /* x 4 KiB */
    if (cap < 2 * 32768) fail("bench needs a disk of 32 MiB or more");
    memset(data, 0x3c, sizeof data);
    uint64_t t0 = rdtsc();
    for (unsigned i = 0; i < seq; ++i) {
        if (request(1, 32768 + 128ull * i, 65536) != 0) fail("bench write");
    }
    if (request(4, 0, 0) != 0) fail("bench flush");
    uint64_t t1 = rdtsc();
    for (unsigned i = 0; i < seq; ++i) {
        if (request(0, 32768 + 128ull * i, 65536) != 0) fail("bench read");
    }
    uint64_t t2 = rdtsc();
    uint32_t x = 12345;
    for (unsigned i = 0; i < rnd; ++i) {
        x = x * 1103515245u + 12345u;
        if (request(0, 32768 + 8ull * ((x >> 8) % 4096), 4096) != 0) fail("bench random read");
    }
    uint64_t t3 = rdtsc();
    printf_("bench: seq-write %u x 64KiB %lu ticks\n", seq, (unsigned long)(t1 - t0));
    printf_("bench: seq-read %u x 64KiB %lu ticks\n", seq, (unsigned long)(t2 - t1));
    printf_("bench: rand-read %u x 4KiB %lu ticks\n", rnd, (unsigned long)(t3 - t2));
}

void main64(uint32_t info) {
    serial_init();
    const struct hvm_start_info* si = (const struct hvm_start_info*)(uintptr_t)info;
    const char* cmdline = "";
    if (si && si->magic == 0x336ec578 && si->cmdline_paddr) cmdline = (const char*)(uintptr_t)si->cmdline_paddr;
    int bench_mode = strstr_(cmdline, "bench") != 0;
    unsigned dev = 32;
    for (unsigned d = 0; d < 32; ++d) {
        if (pci_r32(d, 0) == 0x10421af4u) { dev = d; break; }
    }
    if (dev == 32) fail("no virtio-blk-pci function on bus 0");
    printf_("virtio-blk-pci at 00:%x.0\n", dev);

    pci_w32(dev, 0x20, (uint32_t)BAR4_ADDR);
    pci_w32(dev, 0x24, 0);
    pci_w32(dev, 0x04, 0x6); /* memory decoding, bus master */
    for (unsigned p = pci_r8(dev, 0x34); p; p = pci_r8(dev, p + 1)) {
        if (pci_r8(dev, p) != 0x09 || pci_r8(dev, p + 4) != 4) continue;
        uint32_t off = pci_r32(dev, p + 8);
        switch (pci_r8(dev, p + 3)) {
        case 1: common = BAR4_ADDR + off; break;
        case 2: notify = BAR4_ADDR + off; notify_mult = pci_r32(dev, p + 16); break;
        case 3: isr = BAR4_ADDR + off; break;
        case 4: devcfg = BAR4_ADDR + off; break;
        }
    }
    if (!common || !notify || !devcfg || !isr) fail("missing virtio capabilities");

    w8(20, 0);
    w8(20, 1);
    w8(20, 3);
    w32(0, 1);
    if (!(*(volatile uint32_t*)(common + 4) & 1)) fail("VERSION_1 not offered");
    w32(8, 0);
    w32(12, 0);
    w32(8, 1);
    w32(12, 1);
    w8(20, 0xb);
    if (!(c8(20) & 8)) fail("FEATURES_OK refused");
    w16(22, 0);
    if (c16(24) < QSIZE) fail("queue too small");
    w16(24, QSIZE);
    w64(32, (uintptr_t)descs);
    w64(40, (uintptr_t)&av);
    w64(48, (uintptr_t)&us);
    notify_off = c16(30);
    w16(28, 1);
    w8(20, 0xf);
    uint64_t cap = *(volatile uint32_t*)devcfg | (uint64_t)*(volatile uint32_t*)(devcfg + 4) << 32;
    printf_("virtio-blk: capacity %u sectors\n", (unsigned)cap);
    if (cap < 256) fail("disk too small");
    if (bench_mode) {
        bench(cap);
        printf_("TEST PASS\n");
        debug_exit(0);
    }

    /* The host wrote 0x5a over the first 64 KiB. */
    if (request(0, 0, 8192) != 0) fail("read status");
    for (unsigned i = 0; i < 8192; ++i) {
        if (data[i] != 0x5a) fail("read data differs from the host's pattern");
    }
    printf_("virtio-blk: read OK\n");

    /* 8 KiB of 0xa5 at sector 128 (64 KiB), then a flush. */
    memset(data, 0xa5, sizeof data);
    if (request(1, 128, 8192) != 0) fail("write status");
    if (request(4, 0, 0) != 0) fail("flush status");
    memset(data, 0, sizeof data);
    if (request(0, 128, 8192) != 0) fail("read-back status");
    for (unsigned i = 0; i < 8192; ++i) {
        if (data[i] != 0xa5) fail("read-back data differs");
    }
    /* Past the end: the device must fail the request, not crash. */
    if (request(0, cap, 512) != 1) fail("read past the end did not fail with IOERR");
    printf_("virtio-blk: write OK\n");

    /* INTx: slot `dev`, INTA -> GSI 16 + (dev % 4), level, active high. */
    unsigned gsi = 16 + (dev & 3);
    setup_interrupts(gsi);
    if (request(0, 0, 512) != 0) fail("read with interrupts");
    for (unsigned long spins = 0; !intx_count; ++spins) {
        if (spins > 100000000ul) fail("no INTx interrupt");
        cpu_relax();
    }
    __asm__ volatile("cli");
    if (!(isr_seen & 1)) fail("ISR did not report a used buffer");
    printf_("virtio-blk: INTx on GSI %u OK\n", gsi);
    printf_("TEST PASS\n");
    debug_exit(0);
}

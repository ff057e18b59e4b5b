/* The 64-bit bare-metal test guest (PVH entry). The kernel command line
 * picks the test: "test=NAME". Every test prints on COM1 and ends with
 * isa-debug-exit (value 0 = pass -> status 1), ACPI power-off or a reset. */
#include "lib.h"

struct hvm_start_info {
    uint32_t magic, version, flags, nr_modules;
    uint64_t modlist_paddr, cmdline_paddr, rsdp_paddr, memmap_paddr;
    uint32_t memmap_entries, reserved;
};

#define LAPIC 0xfee00000ul
#define IOAPIC 0xfec00000ul

struct idt_entry { uint16_t off0, sel; uint8_t ist, type; uint16_t off1; uint32_t off2, zero; } __attribute__((packed));
static struct idt_entry idt[256] __attribute__((aligned(16)));
struct interrupt_frame;

static volatile unsigned ticks, serial_irqs, rx_len;
static volatile char rx_buf[512];
static volatile unsigned cpus_online;
static volatile int print_lock;
extern volatile uint32_t ap_next;
extern char ap_tramp_start[], ap_tramp_end[];

static void lapic_w(unsigned reg, uint32_t v) { mmio_write32(LAPIC + reg, v); }
static uint32_t lapic_r(unsigned reg) { return mmio_read32(LAPIC + reg); }
static void eoi(void) { lapic_w(0xb0, 0); }

__attribute__((interrupt)) static void timer_isr(struct interrupt_frame* f) { ++ticks; eoi(); }
__attribute__((interrupt)) static void serial_isr(struct interrupt_frame* f) {
    ++serial_irqs;
    uint8_t iir = inb(0x3fa);
    if ((iir & 0x0f) == 0x02) outb(0x3f9, inb(0x3f9) & ~0x02); /* THRE: done */
    while (inb(0x3fd) & 1) {
        char c = (char)inb(0x3f8);
        if (rx_len < sizeof rx_buf - 1) rx_buf[rx_len++] = c;
    }
    eoi();
}
__attribute__((interrupt)) static void spurious_isr(struct interrupt_frame* f) {}

static void set_gate(int v, void* h) {
    uintptr_t a = (uintptr_t)h;
    idt[v] = (struct idt_entry){(uint16_t)a, 0x08, 0, 0x8e, (uint16_t)(a >> 16), (uint32_t)(a >> 32), 0};
}
static void load_idt(void) {
    struct { uint16_t limit; uint64_t base; } __attribute__((packed)) p = {sizeof idt - 1, (uintptr_t)idt};
    __asm__ volatile("lidt %0" ::"m"(p));
}
static void lapic_enable(void) {
    outb(0x21, 0xff); outb(0xa1, 0xff); /* PIC masked: the IOAPIC delivers */
    lapic_w(0xf0, 0x1ff);
}
static void ioapic_route(unsigned pin, unsigned vector) {
    mmio_write32(IOAPIC, 0x10 + 2 * pin + 1); mmio_write32(IOAPIC + 0x10, 0);
    mmio_write32(IOAPIC, 0x10 + 2 * pin);     mmio_write32(IOAPIC + 0x10, vector);
}
static void wait_spins(unsigned long n) { for (volatile unsigned long i = 0; i < n; ++i) cpu_relax(); }

static int test_hello(const char* cmdline) {
    printf_("Hello from the 64-bit PVH guest\ncmdline: %s\n", cmdline);
    return 0;
}

static int test_timer(void) {
    lapic_enable();
    set_gate(0x40, timer_isr);
    set_gate(0xff, spurious_isr);
    load_idt();
    lapic_w(0x3e0, 0x3);               /* divide by 16 */
    lapic_w(0x320, 0x40 | (1u << 17)); /* periodic, vector 0x40 */
    lapic_w(0x380, 200000);
    __asm__ volatile("sti");
    for (unsigned long i = 0; ticks < 5 && i < 100000000ul; ++i) __asm__ volatile("hlt");
    __asm__ volatile("cli");
    lapic_w(0x320, 1u << 16);
    printf_("timer: %u interrupts\n", ticks);
    return ticks >= 5 ? 0 : 1;
}

static int test_serial_irq(void) {
    lapic_enable();
    set_gate(0x41, serial_isr);
    set_gate(0xff, spurious_isr);
    load_idt();
    ioapic_route(4, 0x41);
    __asm__ volatile("sti");
    outb(0x3f9, 0x02); /* THRE interrupt */
    for (int i = 0; serial_irqs == 0 && i < 1000000; ++i) cpu_relax();
    printf_("serial THRE interrupts via IOAPIC: %u\n", serial_irqs);
    unsigned thre = serial_irqs;
    /* Receive a line by RX interrupts (FIFO trigger 14 + timeout). */
    outb(0x3f9, 0x01);
    puts_("ready for input\n");
    for (unsigned long i = 0; i < 4000000000ul; ++i) {
        if (rx_len && rx_buf[rx_len - 1] == '\n') break;
        __asm__ volatile("hlt");
    }
    __asm__ volatile("cli");
    outb(0x3f9, 0);
    rx_buf[rx_len] = 0;
    unsigned sum = 0;
    for (unsigned i = 0; i < rx_len; ++i) sum += (uint8_t)rx_buf[i];
    printf_("received %u bytes, sum %u: %s", rx_len, sum, (const char*)rx_buf);
    return thre > 0 && rx_len > 0 ? 0 : 1;
}

static int test_echo(void) {
    puts_("echo ready\n");
    char line[128];
    unsigned n = 0;
    for (;;) {
        int c = getc_timeout(2000000000ul);
        if (c < 0) { puts_("echo: timeout\n"); return 1; }
        if (c == '\r' || c == '\n') break;
        if (n < sizeof line - 1) line[n++] = (char)(c >= 'a' && c <= 'z' ? c - 32 : c);
    }
    line[n] = 0;
    printf_("echo: %s\n", line);
    return 0;
}

static int test_fwcfg(void) {
    char sig[5] = {0};
    fw_cfg_select(0x00);
    fw_cfg_read(sig, 4);
    uint32_t id;
    fw_cfg_select(0x01);
    fw_cfg_read(&id, 4);
    uint16_t cpus;
    fw_cfg_select(0x05);
    fw_cfg_read(&cpus, 2);
    uint64_t ram;
    fw_cfg_select(0x03);
    fw_cfg_read(&ram, 8);
    printf_("fw_cfg: signature %s id %u cpus %u ram %lu\n", sig, id, cpus, ram);
    uint16_t key;
    uint32_t size;
    if (fw_cfg_find_file("etc/e820", &key, &size)) {
        static uint8_t buf[20 * 16];
        if (size > sizeof buf) size = sizeof buf;
        int ok = fw_cfg_dma_read(key, buf, size);
        printf_("fw_cfg: etc/e820 %u bytes via DMA %s\n", size, ok ? "ok" : "failed");
        for (uint32_t i = 0; ok && i + 20 <= size; i += 20) {
            uint64_t a, l; uint32_t t;
            memcpy(&a, buf + i, 8); memcpy(&l, buf + i + 8, 8); memcpy(&t, buf + i + 16, 4);
            printf_("e820: %lx-%lx type %u\n", a, a + l - 1, t);
        }
    } else {
        puts_("fw_cfg: etc/e820 missing\n");
        return 1;
    }
    return 0;
}

static int test_mmio(void) {
    uint32_t ecam = mmio_read32(0xb0000000ul);
    mmio_write32(0xd0000000ul, 0x12345678);
    uint32_t hole = mmio_read32(0xd0000000ul);
    uint8_t port = inb(0x300);
    const uint8_t* rsdp = acpi_find_rsdp();
    uint8_t before = rsdp ? rsdp[0] : 0;
    if (rsdp) *(volatile uint8_t*)rsdp = 'X'; /* ROM: the write is dropped */
    uint8_t after = rsdp ? *(volatile uint8_t*)rsdp : 0;
    printf_("mmio: ecam %x hole %x port %x rom %c->%c\n", ecam, hole, port, before, after);
    return 0;
}

static int test_cpuid(void) {
    uint32_t r[12];
    for (int i = 0; i < 3; ++i) __asm__ volatile("cpuid" : "=a"(r[4*i]), "=b"(r[4*i+1]), "=c"(r[4*i+2]), "=d"(r[4*i+3]) : "a"(0x80000002 + i), "c"(0));
    char brand[49];
    memcpy(brand, r, 48);
    brand[48] = 0;
    uint32_t a, b, c, d;
    __asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(1), "c"(0));
    unsigned family = (a >> 8) & 0xf, model = (a >> 4) & 0xf;
    if (family == 0xf) family += (a >> 20) & 0xff;
    if (family >= 6) model |= ((a >> 16) & 0xf) << 4;
    printf_("cpuid: family %u model %u brand '%s'\n", family, model, brand);
    printf_("cpuid: sse4.2=%u x2apic=%u avx=%u hypervisor=%u apic_id=%u\n", (c >> 20) & 1, (c >> 21) & 1,
            (c >> 28) & 1, (c >> 31) & 1, b >> 24);
    return 0;
}

void ap_main64(unsigned n) {
    uint32_t id = lapic_r(0x20) >> 24;
    while (__sync_lock_test_and_set(&print_lock, 1)) cpu_relax();
    printf_("CPU %u online (APIC ID %u)\n", n, id);
    __sync_lock_release(&print_lock);
    __sync_fetch_and_add(&cpus_online, 1);
    for (;;) __asm__ volatile("cli; hlt");
}

static int test_smp(void) {
    const uint8_t* madt = acpi_find_table("APIC");
    uint16_t nb;
    fw_cfg_select(0x05);
    fw_cfg_read(&nb, 2);
    if (!madt) { puts_("smp: no MADT\n"); return 1; }
    uint32_t len;
    memcpy(&len, madt + 4, 4);
    uint8_t ids[256];
    unsigned n = 0;
    for (uint32_t off = 44; off + 2 <= len && madt[off + 1]; off += madt[off + 1]) {
        if (madt[off] == 0 && (madt[off + 4] & 1)) ids[n++] = madt[off + 3];
    }
    printf_("smp: MADT lists %u CPUs, fw_cfg says %u\n", n, nb);
    lapic_enable();
    memcpy((void*)0x8000, ap_tramp_start, (size_t)(ap_tramp_end - ap_tramp_start));
    uint32_t self = lapic_r(0x20) >> 24;
    cpus_online = 1;
    for (unsigned i = 0; i < n; ++i) {
        if (ids[i] == self) continue;
        lapic_w(0x310, (uint32_t)ids[i] << 24);
        lapic_w(0x300, 0x4500); /* INIT */
        wait_spins(100000);
        for (int k = 0; k < 2; ++k) {
            lapic_w(0x310, (uint32_t)ids[i] << 24);
            lapic_w(0x300, 0x4600 | 0x08); /* STARTUP at 0x8000 */
            wait_spins(10000);
        }
    }
    for (unsigned long i = 0; cpus_online < n && i < 3000000000ul; ++i) cpu_relax();
    while (__sync_lock_test_and_set(&print_lock, 1)) cpu_relax();
    printf_("smp: %u of %u CPUs online\n", cpus_online, n);
    __sync_lock_release(&print_lock);
    return cpus_online == n && n == nb ? 0 : 1;
}

static int test_poweroff(void) {
    const uint8_t* fadt = acpi_find_table("FACP");
    if (!fadt) { puts_("poweroff: no FADT\n"); return 1; }
    uint32_t pm1a_cnt, dsdt;
    memcpy(&pm1a_cnt, fadt + 64, 4);
    memcpy(&dsdt, fadt + 40, 4);
    const uint8_t* s5 = (const uint8_t*)(uintptr_t)strstr_((const char*)(uintptr_t)dsdt + 36, "_S5_");
    if (!s5) { puts_("poweroff: no _S5_\n"); return 1; }
    /* _S5_ PackageOp PkgLength NumElements BytePrefix typ */
    unsigned slp_typ = s5[7] == 0x0a ? s5[8] : s5[7];
    printf_("poweroff: PM1a_CNT at %x, SLP_TYP %u\n", pm1a_cnt, slp_typ);
    outw((uint16_t)pm1a_cnt, (uint16_t)((slp_typ << 10) | (1u << 13)));
    puts_("poweroff: still running\n");
    return 1;
}

static int test_reset(const char* how) {
    printf_("reset: via %s\n", how);
    if (!strncmp_(how, "kbd", 3)) {
        outb(0x64, 0xfe);
    } else if (!strncmp_(how, "acpi", 4)) {
        const uint8_t* fadt = acpi_find_table("FACP");
        uint64_t port;
        memcpy(&port, fadt + 116 + 4, 8);
        outb((uint16_t)port, fadt[128]);
    } else if (!strncmp_(how, "int3", 4)) {
        /* Hardware KVM: a triple fault. kvm_pvm: an emulation failure,
         * which must be reported with the registers. */
        struct { uint16_t limit; uint64_t base; } __attribute__((packed)) p = {0, 0};
        __asm__ volatile("lidt %0; int3" ::"m"(p));
    } else if (!strncmp_(how, "triple", 6)) {
        struct { uint16_t limit; uint64_t base; } __attribute__((packed)) p = {0, 0};
        __asm__ volatile("lidt %0; ud2" ::"m"(p));
    }
    wait_spins(100000000ul);
    puts_("reset: still running\n");
    return 1;
}

static int test_reboot(void) {
    /* CMOS RAM survives a reset: count boots in byte 0x40. */
    outb(0x70, 0x40);
    uint8_t boots = inb(0x71);
    outb(0x70, 0x40);
    outb(0x71, (uint8_t)(boots + 1));
    printf_("reboot: boot number %u\n", boots + 1);
    if (boots == 0) {
        outb(0x64, 0xfe);
        wait_spins(100000000ul);
        return 1;
    }
    return 0;
}

static int test_pio_bench(const char* cmdline) {
    unsigned long n = 100000;
    const char* p = strstr_(cmdline, "n=");
    if (p) { n = 0; for (p += 2; *p >= '0' && *p <= '9'; ++p) n = n * 10 + (unsigned long)(*p - '0'); }
    uint64_t t0 = rdtsc();
    for (unsigned long i = 0; i < n; ++i) outb(0x80, 0);
    uint64_t t1 = rdtsc();
    printf_("pio-bench: %lu exits, %lu TSC cycles each\n", n, n ? (t1 - t0) / n : 0);
    return 0;
}

void main64(uint32_t info_addr) {
    serial_init();
    const struct hvm_start_info* si = (const struct hvm_start_info*)(uintptr_t)info_addr;
    const char* cmdline = "";
    if (si && si->magic == 0x336ec578 && si->cmdline_paddr) cmdline = (const char*)(uintptr_t)si->cmdline_paddr;
    const char* t = strstr_(cmdline, "test=");
    t = t ? t + 5 : "hello";
    int r;
    if (!strncmp_(t, "hello", 5)) r = test_hello(cmdline);
    else if (!strncmp_(t, "quiet", 5)) r = 0;
    else if (!strncmp_(t, "timer", 5)) r = test_timer();
    else if (!strncmp_(t, "serial-irq", 10)) r = test_serial_irq();
    else if (!strncmp_(t, "echo", 4)) r = test_echo();
    else if (!strncmp_(t, "fwcfg", 5)) r = test_fwcfg();
    else if (!strncmp_(t, "mmio", 4)) r = test_mmio();
    else if (!strncmp_(t, "cpuid", 5)) r = test_cpuid();
    else if (!strncmp_(t, "smp", 3)) r = test_smp();
    else if (!strncmp_(t, "poweroff", 8)) r = test_poweroff();
    else if (!strncmp_(t, "reset-", 6)) r = test_reset(t + 6);
    else if (!strncmp_(t, "reboot", 6)) r = test_reboot();
    else if (!strncmp_(t, "pio-bench", 9)) r = test_pio_bench(cmdline);
    else { printf_("unknown test %s\n", t); r = 2; }
    if (r == 0) puts_("TEST PASS\n"); else puts_("TEST FAIL\n");
    debug_exit((uint32_t)r);
}

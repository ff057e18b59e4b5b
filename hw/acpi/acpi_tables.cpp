#include "hw/acpi/acpi_tables.h"

#include <cstring>

namespace emu::acpi {

namespace {

constexpr size_t kHeaderSize = 36;

struct Builder {
    std::vector<uint8_t> d;
    uint64_t base;

    size_t align(size_t a) {
        while (d.size() % a)
            d.push_back(0);
        return d.size();
    }
    uint64_t addr(size_t off) const { return base + off; }
    void put(size_t off, uint64_t v, unsigned n) {
        for (unsigned i = 0; i < n; ++i)
            d[off + i] = static_cast<uint8_t>(v >> (8 * i));
    }
    void u8(uint8_t v) { d.push_back(v); }
    void u16(uint16_t v) {
        for (int i = 0; i < 2; ++i)
            d.push_back(static_cast<uint8_t>(v >> (8 * i)));
    }
    void u32(uint32_t v) {
        for (int i = 0; i < 4; ++i)
            d.push_back(static_cast<uint8_t>(v >> (8 * i)));
    }
    void u64(uint64_t v) {
        for (int i = 0; i < 8; ++i)
            d.push_back(static_cast<uint8_t>(v >> (8 * i)));
    }
    void str(const char* s, size_t n) {
        for (size_t i = 0; i < n; ++i)
            d.push_back(static_cast<uint8_t>(*s ? *s++ : ' '));
    }
    // Generic Address Structure for an I/O port register.
    void gas_io(uint16_t port, uint8_t bits, uint8_t access) {
        u8(port ? 1 : 0);  // SystemIO
        u8(port ? bits : 0);
        u8(0);
        u8(port ? access : 0);
        u64(port);
    }
    size_t begin_table(const char* sig, uint8_t rev) {
        size_t start = align(8);
        str(sig, 4);
        u32(0);  // length, patched in end_table
        u8(rev);
        u8(0);  // checksum
        str("EMU", 6);
        str("EMUPC", 8);
        u32(1);
        str("EMU", 4);
        u32(1);
        return start;
    }
    void end_table(size_t start) {
        size_t len = d.size() - start;
        put(start + 4, len, 4);
        d[start + 9] = 0;
        d[start + 9] = static_cast<uint8_t>(-acpi_checksum(d.data() + start, len));
    }
};

}  // namespace

uint8_t acpi_checksum(const uint8_t* p, size_t len) {
    uint8_t s = 0;
    for (size_t i = 0; i < len; ++i)
        s = static_cast<uint8_t>(s + p[i]);
    return s;
}

AcpiBlob build_acpi_tables(const AcpiConfig& cfg, uint64_t base) {
    Builder b{{}, base};

    // RSDP first so that it sits on a 16-byte boundary in the scanned area.
    size_t rsdp = 0;
    b.str("RSD PTR ", 8);
    b.u8(0);
    b.str("EMU", 6);
    b.u8(2);
    b.u32(0);  // RSDT address
    b.u32(36);
    b.u64(0);  // XSDT address
    b.u8(0);
    b.u8(0), b.u8(0), b.u8(0);

    // FACS: 64-byte aligned, no header checksum.
    size_t facs = b.align(64);
    b.str("FACS", 4);
    b.u32(64);
    b.u32(0);  // hardware signature
    b.u32(0);  // waking vector
    b.u32(0);  // global lock
    b.u32(0);  // flags
    b.u64(0);  // X waking vector
    b.u8(2);   // version
    while (b.d.size() < facs + 64)
        b.u8(0);

    // DSDT: Name (_S5, Package () { 5, 5, 0, 0 }) and the board's extra AML.
    size_t dsdt = b.begin_table("DSDT", 2);
    const uint8_t s5[] = {0x08, '_',  'S',       '5',  '_',       0x12, 0x08,
                          0x04, 0x0a, kSlpTypS5, 0x0a, kSlpTypS5, 0x00, 0x00};
    b.d.insert(b.d.end(), s5, s5 + sizeof s5);
    b.d.insert(b.d.end(), cfg.dsdt_extra_aml.begin(), cfg.dsdt_extra_aml.end());
    b.end_table(dsdt);

    // FADT, revision 6.
    size_t fadt = b.begin_table("FACP", 6);
    b.u32(static_cast<uint32_t>(b.addr(facs)));
    b.u32(static_cast<uint32_t>(b.addr(dsdt)));
    b.u8(0);
    b.u8(0);  // preferred PM profile: unspecified
    b.u16(cfg.sci_irq);
    b.u32(0);  // SMI_CMD 0: the hardware is always in ACPI mode
    b.u8(0), b.u8(0), b.u8(0), b.u8(0);
    b.u32(cfg.pm_base);                  // PM1a_EVT_BLK
    b.u32(0);                            // PM1b_EVT_BLK
    b.u32(cfg.pm_base + 4);              // PM1a_CNT_BLK
    b.u32(0);                            // PM1b_CNT_BLK
    b.u32(0);                            // PM2_CNT_BLK
    b.u32(cfg.pm_base + 8);              // PM_TMR_BLK
    b.u32(0), b.u32(0);                  // GPE0/GPE1
    b.u8(4), b.u8(2), b.u8(0), b.u8(4);  // PM1_EVT_LEN, PM1_CNT_LEN, PM2, PM_TMR_LEN
    b.u8(0), b.u8(0), b.u8(0), b.u8(0);  // GPE lens/base, CST_CNT
    b.u16(0xfff), b.u16(0xfff);          // no C2/C3
    b.u16(0), b.u16(0);
    b.u8(0), b.u8(0), b.u8(0), b.u8(0);
    b.u8(0x32);                        // CMOS century register
    b.u16(cfg.has_i8042 ? 0x3 : 0x0);  // IAPC_BOOT_ARCH: legacy devices, 8042
    b.u8(0);
    // WBINVD, PROC_C1, PWR_BUTTON, SLP_BUTTON, FIX_RTC, TMR_VAL_EXT, RESET_REG_SUP
    b.u32((1u << 0) | (1u << 2) | (1u << 4) | (1u << 5) | (1u << 6) | (1u << 8) | (1u << 10));
    b.gas_io(cfg.reset_port, 8, 1);
    b.u8(cfg.reset_value);
    b.u16(0);  // ARM boot arch
    b.u8(3);   // FADT minor version
    b.u64(0);  // X_FIRMWARE_CTRL: must be zero when FIRMWARE_CTRL is set
    b.u64(b.addr(dsdt));
    b.gas_io(cfg.pm_base, 32, 0);      // X_PM1a_EVT_BLK
    b.gas_io(0, 0, 0);                 // X_PM1b_EVT_BLK
    b.gas_io(cfg.pm_base + 4, 16, 0);  // X_PM1a_CNT_BLK
    b.gas_io(0, 0, 0);
    b.gas_io(0, 0, 0);                     // X_PM2_CNT_BLK
    b.gas_io(cfg.pm_base + 8, 32, 0);      // X_PM_TMR_BLK
    b.gas_io(0, 0, 0), b.gas_io(0, 0, 0);  // X_GPE0/1
    b.gas_io(0, 0, 0), b.gas_io(0, 0, 0);  // sleep control/status
    b.str("EMU", 8);                       // hypervisor vendor identity
    b.end_table(fadt);

    // MADT.
    size_t madt = b.begin_table("APIC", 4);
    b.u32(cfg.lapic_addr);
    b.u32(1);  // PCAT_COMPAT: dual 8259s present
    for (size_t i = 0; i < cfg.apic_ids.size(); ++i) {
        if (cfg.apic_ids[i] < 255) {
            b.u8(0), b.u8(8), b.u8(static_cast<uint8_t>(i)),
                b.u8(static_cast<uint8_t>(cfg.apic_ids[i]));
            b.u32(1);  // enabled
        } else {
            b.u8(9), b.u8(16), b.u16(0);  // processor local x2APIC
            b.u32(cfg.apic_ids[i]);
            b.u32(1);
            b.u32(static_cast<uint32_t>(i));
        }
    }
    b.u8(1), b.u8(12), b.u8(cfg.ioapic_id), b.u8(0);
    b.u32(cfg.ioapic_addr);
    b.u32(0);
    // ISA IRQ0 -> GSI 2 (the PIT), and the SCI level-triggered, active high.
    b.u8(2), b.u8(10), b.u8(0), b.u8(0), b.u32(2), b.u16(0);
    b.u8(2), b.u8(10), b.u8(0), b.u8(static_cast<uint8_t>(cfg.sci_irq)), b.u32(cfg.sci_irq),
        b.u16(0x000d);
    // LINT1 of every processor is the NMI input.
    b.u8(4), b.u8(6), b.u8(0xff), b.u16(0), b.u8(1);
    b.end_table(madt);

    size_t mcfg = 0;
    if (cfg.has_mcfg) {
        mcfg = b.begin_table("MCFG", 1);
        b.u64(0);
        b.u64(cfg.ecam_base);
        b.u16(0);
        b.u8(0);
        b.u8(cfg.ecam_end_bus);
        b.u32(0);
        b.end_table(mcfg);
    }

    std::vector<size_t> tables = {fadt, madt};
    if (cfg.has_mcfg) tables.push_back(mcfg);

    size_t rsdt = b.begin_table("RSDT", 1);
    for (size_t t : tables)
        b.u32(static_cast<uint32_t>(b.addr(t)));
    b.end_table(rsdt);
    size_t xsdt = b.begin_table("XSDT", 1);
    for (size_t t : tables)
        b.u64(b.addr(t));
    b.end_table(xsdt);

    b.put(rsdp + 16, b.addr(rsdt), 4);
    b.put(rsdp + 24, b.addr(xsdt), 8);
    b.d[rsdp + 8] = static_cast<uint8_t>(-acpi_checksum(b.d.data() + rsdp, 20));
    b.d[rsdp + 32] = static_cast<uint8_t>(-acpi_checksum(b.d.data() + rsdp, 36));

    AcpiBlob out;
    out.base = base;
    out.rsdp_addr = base + rsdp;
    out.data = std::move(b.d);
    return out;
}

}  // namespace emu::acpi

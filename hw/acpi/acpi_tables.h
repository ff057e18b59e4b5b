#pragma once
// ACPI tables for the x86 boards: RSDP (revision 2), RSDT and XSDT, FADT
// (revision 6) with a PM1a event/control block, PM timer, SCI and a reset
// register, FACS, a DSDT with \_S5 (plus AML a PCI host bridge supplies),
// MADT (one local APIC per CPU, IOAPIC, ISA overrides) and MCFG.
#include <cstdint>
#include <string>
#include <vector>

namespace emu::acpi {

struct AcpiConfig {
    std::vector<uint32_t> apic_ids;  // one per CPU, in CPU order
    uint32_t ioapic_addr = 0xfec00000;
    uint8_t ioapic_id = 0;
    uint32_t lapic_addr = 0xfee00000;
    uint16_t pm_base = 0x600;  // PM1a_EVT at +0, PM1a_CNT at +4, PM_TMR at +8
    uint16_t sci_irq = 9;
    // FADT reset register (an I/O port) and the value to write.
    uint16_t reset_port = 0x64;
    uint8_t reset_value = 0xfe;
    bool has_i8042 = true;
    bool has_mcfg = false;
    uint64_t ecam_base = 0;
    uint8_t ecam_end_bus = 0;
    std::vector<uint8_t> dsdt_extra_aml;  // appended to the DSDT body
};

// SLP_TYP value the DSDT's \_S5 gives for soft-off; PM1a_CNT sees it.
constexpr unsigned kSlpTypS5 = 5;

struct AcpiBlob {
    std::vector<uint8_t> data;  // all tables, to be placed at `base`
    uint64_t base = 0;
    uint64_t rsdp_addr = 0;  // guest physical
};

// Lays the tables out for guest physical address `base` (16-byte aligned).
AcpiBlob build_acpi_tables(const AcpiConfig& cfg, uint64_t base);

// Sum of bytes, for checksum tests.
uint8_t acpi_checksum(const uint8_t* p, size_t len);

}  // namespace emu::acpi

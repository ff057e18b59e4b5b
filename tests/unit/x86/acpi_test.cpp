#include <catch2/catch.hpp>

#include <cstring>

#include "hw/acpi/acpi_tables.h"

using namespace emu::acpi;

namespace {
const uint8_t* at(const AcpiBlob& b, uint64_t addr) {
    REQUIRE(addr >= b.base);
    REQUIRE(addr - b.base < b.data.size());
    return b.data.data() + (addr - b.base);
}
uint32_t u32(const uint8_t* p) {
    uint32_t v;
    std::memcpy(&v, p, 4);
    return v;
}
uint64_t u64(const uint8_t* p) {
    uint64_t v;
    std::memcpy(&v, p, 8);
    return v;
}

const uint8_t* find(const AcpiBlob& b, const char* sig) {
    const uint8_t* rsdp = at(b, b.rsdp_addr);
    const uint8_t* xsdt = at(b, u64(rsdp + 24));
    for (uint32_t off = 36; off < u32(xsdt + 4); off += 8) {
        const uint8_t* t = at(b, u64(xsdt + off));
        if (std::memcmp(t, sig, 4) == 0) return t;
    }
    return nullptr;
}
}  // namespace

TEST_CASE("ACPI tables: RSDP, XSDT and every table checksum", "[acpi]") {
    AcpiConfig c;
    c.apic_ids = {0, 1, 2, 3};
    c.has_mcfg = true;
    c.ecam_base = 0xb0000000;
    c.ecam_end_bus = 255;
    AcpiBlob b = build_acpi_tables(c, 0xe0000);
    CHECK(b.rsdp_addr % 16 == 0);
    const uint8_t* rsdp = at(b, b.rsdp_addr);
    CHECK(std::memcmp(rsdp, "RSD PTR ", 8) == 0);
    CHECK(acpi_checksum(rsdp, 20) == 0);
    CHECK(acpi_checksum(rsdp, 36) == 0);
    CHECK(rsdp[15] == 2);
    const uint8_t* rsdt = at(b, u32(rsdp + 16));
    CHECK(std::memcmp(rsdt, "RSDT", 4) == 0);
    CHECK(acpi_checksum(rsdt, u32(rsdt + 4)) == 0);
    for (const char* sig : {"FACP", "APIC", "MCFG"}) {
        const uint8_t* t = find(b, sig);
        REQUIRE(t);
        CHECK(acpi_checksum(t, u32(t + 4)) == 0);
    }
    const uint8_t* fadt = find(b, "FACP");
    CHECK(u32(fadt + 4) == 276);
    CHECK(u32(fadt + 64) == 0x604);  // PM1a_CNT
    const uint8_t* dsdt = at(b, u64(fadt + 140));
    CHECK(std::memcmp(dsdt, "DSDT", 4) == 0);
    CHECK(acpi_checksum(dsdt, u32(dsdt + 4)) == 0);
    const uint8_t* facs = at(b, u32(fadt + 36));
    CHECK(std::memcmp(facs, "FACS", 4) == 0);
    CHECK((u32(fadt + 36) % 64) == 0);
    CHECK(u64(fadt + 132) == 0);
}

TEST_CASE("MADT lists one enabled local APIC per CPU", "[acpi]") {
    AcpiConfig c;
    c.apic_ids = {0, 1, 4, 5};
    AcpiBlob b = build_acpi_tables(c, 0xe0000);
    const uint8_t* madt = find(b, "APIC");
    REQUIRE(madt);
    std::vector<uint32_t> ids;
    int ioapics = 0, overrides = 0;
    for (uint32_t off = 44; off < u32(madt + 4); off += madt[off + 1]) {
        REQUIRE(madt[off + 1] >= 2);
        if (madt[off] == 0 && (u32(madt + off + 4) & 1)) ids.push_back(madt[off + 3]);
        if (madt[off] == 1) ++ioapics;
        if (madt[off] == 2) ++overrides;
    }
    CHECK(ids == std::vector<uint32_t>{0, 1, 4, 5});
    CHECK(ioapics == 1);
    CHECK(overrides == 2);
    CHECK(find(b, "MCFG") == nullptr);  // only with has_mcfg
}

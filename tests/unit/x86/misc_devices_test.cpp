#include <catch2/catch.hpp>

#include "hw/acpi/acpi_pm.h"
#include "hw/misc/cmos_rtc.h"
#include "hw/misc/i8042.h"
#include "hw/misc/isa_debug_exit.h"

using namespace emu;

TEST_CASE("i8042: self test, command byte, reset line", "[i8042]") {
    int resets = 0;
    I8042 k([&] { ++resets; });
    auto* cmd = k.command_region()->handler();
    auto* data = k.data_region()->handler();
    cmd->mmio_write(0, 0xaa, 1);
    CHECK((cmd->mmio_read(0, 1) & 1) == 1);
    CHECK(data->mmio_read(0, 1) == 0x55);
    CHECK((cmd->mmio_read(0, 1) & 1) == 0);
    cmd->mmio_write(0, 0x60, 1);
    data->mmio_write(0, 0x47, 1);
    cmd->mmio_write(0, 0x20, 1);
    CHECK(data->mmio_read(0, 1) == 0x47);
    CHECK(resets == 0);
    cmd->mmio_write(0, 0xfe, 1);
    CHECK(resets == 1);
    cmd->mmio_write(0, 0xd1, 1);
    data->mmio_write(0, 0x02, 1);  // output port bit 0 clear
    CHECK(resets == 2);
}

TEST_CASE("CMOS RTC: BCD and binary time, NVRAM", "[rtc]") {
    CmosRtc rtc;
    rtc.set_time_source([] { return static_cast<time_t>(1700000000); });  // 2023-11-14 22:13:20 UTC
    auto rd = [&](uint8_t reg) {
        rtc.mmio_write(0, reg, 1);
        return static_cast<uint8_t>(rtc.mmio_read(1, 1));
    };
    auto wr = [&](uint8_t reg, uint8_t v) {
        rtc.mmio_write(0, reg, 1);
        rtc.mmio_write(1, v, 1);
    };
    CHECK(rd(0) == 0x20);
    CHECK(rd(2) == 0x13);
    CHECK(rd(4) == 0x22);
    CHECK(rd(7) == 0x14);
    CHECK(rd(8) == 0x11);
    CHECK(rd(9) == 0x23);
    CHECK(rd(0x32) == 0x20);
    CHECK(rd(0x0d) == 0x80);
    wr(0x0b, 0x06);  // binary, 24h
    CHECK(rd(4) == 22);
    wr(4, 10);  // set the hour: kept as an offset
    CHECK(rd(4) == 10);
    wr(0x40, 0x99);
    CHECK(rd(0x40) == 0x99);
    CHECK(rd(0xc0) == 0x99);  // bit 7 of the index is the NMI mask
}

TEST_CASE("isa-debug-exit status is (value << 1) | 1", "[debug-exit]") {
    int status = -1;
    IsaDebugExit d(4, [&](int s) { status = s; });
    d.mmio_write(0, 0, 4);
    CHECK(status == 1);
    d.mmio_write(0, 0x21, 1);
    CHECK(status == 0x43);
}

TEST_CASE("ACPI PM: S5 powers off, other sleep types do not", "[acpi]") {
    int offs = 0;
    acpi::AcpiPm pm(nullptr, [&] { ++offs; });
    CHECK((pm.mmio_read(4, 2) & 1) == 1);          // SCI_EN
    pm.mmio_write(4, (1u << 10) | (1u << 13), 2);  // S1
    CHECK(offs == 0);
    pm.mmio_write(4, 5u << 10, 2);  // S5 without SLP_EN
    CHECK(offs == 0);
    pm.mmio_write(5, (5u << 2) | (1u << 5), 1);  // high byte: SLP_TYP=5, SLP_EN
    CHECK(offs == 1);
}

#include <catch2/catch.hpp>

extern "C" {
#include <libfdt.h>
}

#include <vector>

#include "hw/core/address_space.h"
#include "hw/pci/pci_host_ecam.h"
#include "hw/pci/pci_host_x86.h"
#include "tests/unit/pci/test_device.h"

using namespace emu;
using emu::test::TestPciDevice;

namespace {

EcamHostConfig virt_like() {
    EcamHostConfig c;
    c.ecam_base = 0x4010000000ull;
    c.ecam_size = 256ull << 20;
    c.pio_base = 0x3eff0000;
    c.pio_size = 0x10000;
    c.mmio_base = 0x10000000;
    c.mmio_size = 0x2eff0000;
    c.mmio64_base = 0x8000000000ull;
    c.mmio64_size = 0x8000000000ull;
    return c;
}

uint64_t ecam(unsigned slot, unsigned fn, unsigned reg) {
    return 0x4010000000ull + (uint64_t(pci::devfn(slot, fn)) << 12) + reg;
}

}  // namespace

TEST_CASE("ECAM host: config space through MMIO, BARs through the windows", "[pci]") {
    auto sys = MemoryRegion::container("system", UINT64_MAX);
    AddressSpace as("memory", sys.get());
    PciHostEcamGeneric host(virt_like(), &as);
    host.map(sys.get());
    TestPciDevice d;
    host.bus().plug(d, pci::devfn(2, 0));

    uint64_t v = 0;
    REQUIRE(as.load(ecam(0, 0, 0), 4, &v) == MemTxResult::Ok);
    CHECK(v == 0x00081b36u);  // the host bridge function
    REQUIRE(as.load(ecam(2, 0, 0), 4, &v) == MemTxResult::Ok);
    CHECK(v == 0x56781234u);
    REQUIRE(as.load(ecam(2, 0, 2), 2, &v) == MemTxResult::Ok);
    CHECK(v == 0x5678u);
    REQUIRE(as.load(ecam(3, 0, 0), 4, &v) == MemTxResult::Ok);
    CHECK(v == 0xffffffffu);
    // Bus 1 does not exist (no bridges).
    REQUIRE(as.load(0x4010000000ull + (1u << 20), 4, &v) == MemTxResult::Ok);
    CHECK(v == 0xffffffffu);

    // Program BAR0 in the 32-bit window and BAR4 in the I/O window.
    CHECK(as.store(ecam(2, 0, 0x10), 4, 0x10040000) == MemTxResult::Ok);
    CHECK(as.store(ecam(2, 0, 0x20), 4, 0x1000) == MemTxResult::Ok);
    CHECK(as.store(ecam(2, 0, 0x04), 2, 3) == MemTxResult::Ok);
    REQUIRE(as.load(0x10040008, 4, &v) == MemTxResult::Ok);
    CHECK(v == 0xabcd0008u);
    CHECK(as.store(0x3eff0000 + 0x1004, 1, 0x5a) == MemTxResult::Ok);
    REQUIRE(d.h4.log.size() == 1);
    CHECK(d.h4.log[0].off == 4);
    CHECK(d.h4.log[0].value == 0x5a);
    // Outside every window nothing answers.
    CHECK(as.load(0x50000000, 4, &v) == MemTxResult::Unassigned);
}

TEST_CASE("ECAM host device-tree node", "[pci]") {
    std::vector<char> blob(8192);
    REQUIRE(fdt_create_empty_tree(blob.data(), int(blob.size())) == 0);
    fdt_setprop_u32(blob.data(), 0, "#address-cells", 2);
    fdt_setprop_u32(blob.data(), 0, "#size-cells", 2);
    auto sys = MemoryRegion::container("system", UINT64_MAX);
    AddressSpace as("memory", sys.get());
    PciHostEcamGeneric host(virt_like(), &as);
    EcamFdtIrqs irqs;
    irqs.intc_phandle = 0x8001;
    irqs.intc_address_cells = 2;
    for (uint32_t i = 0; i < 4; ++i)
        irqs.specifiers[i] = {0, 3 + i, 4};
    int node = host.add_fdt_node(blob.data(), irqs);
    REQUIRE(node >= 0);
    CHECK(fdt_path_offset(blob.data(), "/pcie@10000000") == node);
    CHECK(fdt_node_check_compatible(blob.data(), node, "pci-host-ecam-generic") == 0);
    int len = 0;
    auto* br = static_cast<const fdt32_t*>(fdt_getprop(blob.data(), node, "bus-range", &len));
    REQUIRE(len == 8);
    CHECK(fdt32_to_cpu(br[1]) == 255);
    auto* reg = static_cast<const fdt32_t*>(fdt_getprop(blob.data(), node, "reg", &len));
    REQUIRE(len == 16);
    CHECK(fdt32_to_cpu(reg[0]) == 0x40);
    CHECK(fdt32_to_cpu(reg[1]) == 0x10000000);
    auto* ranges = static_cast<const fdt32_t*>(fdt_getprop(blob.data(), node, "ranges", &len));
    REQUIRE(len == 3 * 7 * 4);
    CHECK(fdt32_to_cpu(ranges[0]) == 0x01000000);
    CHECK(fdt32_to_cpu(ranges[4]) == 0x3eff0000);
    CHECK(fdt32_to_cpu(ranges[7]) == 0x02000000);
    CHECK(fdt32_to_cpu(ranges[14]) == 0x03000000);
    // interrupt-map: 16 entries of 4 + 1 + 2 + 3 cells; the swizzle shows
    // in the SPI numbers (slot 1, INTA -> line 1 -> SPI 4).
    auto* map = static_cast<const fdt32_t*>(fdt_getprop(blob.data(), node, "interrupt-map", &len));
    REQUIRE(len == 16 * 10 * 4);
    const fdt32_t* e = map + 4 * 10;  // slot 1, pin 1
    CHECK(fdt32_to_cpu(e[0]) == (1u << 11));
    CHECK(fdt32_to_cpu(e[3]) == 1);
    CHECK(fdt32_to_cpu(e[4]) == 0x8001);
    CHECK(fdt32_to_cpu(e[8]) == 4);
    e = map + 15 * 10;  // slot 3, pin 4 -> line (3 + 3) % 4 = 2
    CHECK(fdt32_to_cpu(e[8]) == 5);

    std::vector<char> tiny(128);
    REQUIRE(fdt_create_empty_tree(tiny.data(), int(tiny.size())) == 0);
    CHECK_THROWS_WITH(host.add_fdt_node(tiny.data(), irqs), Catch::Contains("FDT_ERR_NOSPACE"));
}

TEST_CASE("x86 host: 0xCF8/0xCFC mechanism and MMCONFIG", "[pci]") {
    auto sys = MemoryRegion::container("system", UINT64_MAX);
    auto io = MemoryRegion::container("io", 0x10000);
    AddressSpace mem_as("memory", sys.get());
    AddressSpace io_as("io", io.get());
    PciHostX86 host(&mem_as, 16u << 20);
    io->add_subregion(0xcf8, host.config_io_region());
    io->add_subregion(0, host.add_io_window("pci-io", 0, 0x10000), -1);
    sys->add_subregion(0xb0000000, host.mmcfg_region());
    sys->add_subregion(0xc0000000, host.add_mem_window("pci-hole", 0xc0000000, 0x3ec00000), -1);
    int resets = 0;
    host.set_reset_control_handler([&](uint8_t v) { resets += v == 6; });
    TestPciDevice d;
    host.bus().plug(d, pci::devfn(3, 0));

    uint64_t v = 0;
    auto cfg_read = [&](unsigned slot, unsigned reg, unsigned size) {
        io_as.store(0xcf8, 4, 0x80000000u | (slot << 11) | (reg & 0xfc));
        uint64_t x = 0;
        io_as.load(0xcfc + (reg & 3), size, &x);
        return x;
    };
    CHECK(cfg_read(0, 0, 4) == 0x12378086u);
    CHECK(cfg_read(3, 0, 4) == 0x56781234u);
    CHECK(cfg_read(3, 2, 2) == 0x5678u);
    CHECK(cfg_read(3, 0x0b, 1) == 0x02);  // class base
    CHECK(cfg_read(4, 0, 4) == 0xffffffffu);
    io_as.load(0xcf8, 4, &v);
    CHECK(v == (0x80000000u | (4u << 11)));
    // With the enable bit clear the data port reads all-ones.
    io_as.store(0xcf8, 4, 3u << 11);
    io_as.load(0xcfc, 4, &v);
    CHECK(v == 0xffffffffu);
    // Byte writes to 0xCF9 are the reset control register, not the address.
    io_as.store(0xcf9, 1, 6);
    CHECK(resets == 1);
    io_as.load(0xcf8, 4, &v);
    CHECK(v == (3u << 11));

    // MMCONFIG sees the same functions, with extended registers.
    mem_as.load(0xb0000000 + (uint64_t(pci::devfn(3, 0)) << 12), 4, &v);
    CHECK(v == 0x56781234u);
    mem_as.load(0xb0000000 + (uint64_t(pci::devfn(3, 0)) << 12) + 0x100, 4, &v);
    CHECK(v == 0);

    // Program BAR0 through CF8/CFC and reach it in the PCI hole.
    io_as.store(0xcf8, 4, 0x80000000u | (3u << 11) | 0x10);
    io_as.store(0xcfc, 4, 0xc0001000);
    io_as.store(0xcf8, 4, 0x80000000u | (3u << 11) | 0x20);
    io_as.store(0xcfc, 4, 0xe000);
    io_as.store(0xcf8, 4, 0x80000000u | (3u << 11) | 0x04);
    io_as.store(0xcfc, 2, 3);
    CHECK(mem_as.load(0xc0001004, 4, &v) == MemTxResult::Ok);
    CHECK(v == 0xabcd0004u);
    CHECK(io_as.store(0xe010, 2, 1) == MemTxResult::Ok);
    REQUIRE(d.h4.log.size() == 1);
    CHECK(d.h4.log[0].off == 0x10);
}

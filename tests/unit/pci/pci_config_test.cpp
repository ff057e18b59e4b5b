#include <catch2/catch.hpp>

#include "hw/core/address_space.h"
#include "hw/pci/pci_bus.h"
#include "hw/pci/pci_regs.h"
#include "tests/unit/pci/test_device.h"

using namespace emu;
using emu::test::TestPciDevice;

namespace {

// A bus whose memory space is the root of an address space, so BAR
// mappings can be observed through ordinary accesses.
struct BusFixture {
    std::unique_ptr<MemoryRegion> mem = MemoryRegion::container("pci-mem", UINT64_MAX);
    std::unique_ptr<MemoryRegion> io = MemoryRegion::container("pci-io", 0x10000);
    AddressSpace mem_as{"pci-mem", mem.get()};
    AddressSpace io_as{"pci-io", io.get()};
    PciBus bus{"pci.0", mem.get(), io.get(), &mem_as};
};

struct Level : IrqSink {
    bool level[4] = {};
    int changes = 0;
    void set_irq(int n, bool l) override {
        level[n] = l;
        ++changes;
    }
};

}  // namespace

TEST_CASE("header fields read back, absent functions read all-ones", "[pci]") {
    BusFixture f;
    TestPciDevice d;
    uint8_t devfn = f.bus.plug(d, pci::devfn(3, 0));
    CHECK(devfn == pci::devfn(3, 0));
    CHECK(f.bus.config_read(devfn, pci::kVendorId, 4) == 0x56781234u);
    CHECK(f.bus.config_read(devfn, pci::kRevisionId, 4) == 0x02000003u);
    CHECK(f.bus.config_read(devfn, pci::kSubsystemVendorId, 4) == 0x11001af4u);
    CHECK(f.bus.config_read(devfn, pci::kInterruptPin, 1) == 1);
    CHECK(f.bus.config_read(pci::devfn(4, 0), pci::kVendorId, 4) == 0xffffffffu);
    CHECK(f.bus.config_read(pci::devfn(4, 0), pci::kVendorId, 2) == 0xffffu);
    // Read-only fields ignore writes; writable ones keep only their bits.
    f.bus.config_write(devfn, pci::kVendorId, 0, 4);
    CHECK(f.bus.config_read(devfn, pci::kVendorId, 2) == 0x1234);
    f.bus.config_write(devfn, pci::kCommand, 0xffff, 2);
    CHECK(f.bus.config_read(devfn, pci::kCommand, 2) == 0x0547);
    f.bus.config_write(devfn, pci::kInterruptLine, 0x0b, 1);
    CHECK(f.bus.config_read(devfn, pci::kInterruptLine, 1) == 0x0b);
    // Accesses that cross a dword or have odd sizes are ignored.
    CHECK(d.config_read(pci::kVendorId + 3, 2) == 0);
    d.config_write(pci::kInterruptLine + 3, 0xffff, 2);
    CHECK(f.bus.config_read(devfn, pci::kInterruptLine, 1) == 0x0b);
}

TEST_CASE("BAR sizing returns the size mask and type bits", "[pci]") {
    BusFixture f;
    TestPciDevice d;
    uint8_t fn = f.bus.plug(d);
    auto bar = [&](unsigned i) { return pci::kBar0 + 4 * i; };
    CHECK(f.bus.config_read(fn, bar(0), 4) == 0);
    CHECK(f.bus.config_read(fn, bar(2), 4) == (pci::kBarMem64 | pci::kBarPrefetch));
    CHECK(f.bus.config_read(fn, bar(4), 4) == pci::kBarIo);
    for (unsigned i = 0; i < 6; ++i)
        f.bus.config_write(fn, bar(i), 0xffffffff, 4);
    CHECK(f.bus.config_read(fn, bar(0), 4) == 0xfffff000u);
    CHECK(f.bus.config_read(fn, bar(1), 4) == 0);  // unimplemented
    CHECK(f.bus.config_read(fn, bar(2), 4) == 0xffffc00cu);
    CHECK(f.bus.config_read(fn, bar(3), 4) == 0xffffffffu);  // high half of BAR2
    CHECK(f.bus.config_read(fn, bar(4), 4) == 0xffffffe1u);
    CHECK(f.bus.config_read(fn, bar(5), 4) == 0);
    CHECK(f.bus.config_read(fn, pci::kRomAddress, 4) == 0);  // no ROM
    // Sizing must not map anything even with decoding on.
    f.bus.config_write(fn, pci::kCommand, pci::kCommandMemory | pci::kCommandIo, 2);
    CHECK_FALSE(d.bar_mapped(0));
    CHECK_FALSE(d.bar_mapped(2));
    CHECK_FALSE(d.bar_mapped(4));
}

TEST_CASE("BARs map when programmed and decoding is enabled, and move", "[pci]") {
    BusFixture f;
    TestPciDevice d;
    uint8_t fn = f.bus.plug(d);
    f.bus.config_write(fn, pci::kBar0, 0x10000000, 4);
    f.bus.config_write(fn, pci::kBar0 + 8, 0x00200000, 4);
    f.bus.config_write(fn, pci::kBar0 + 12, 0x80, 4);  // BAR2 at 0x80_0020_0000
    f.bus.config_write(fn, pci::kBar0 + 16, 0xc040, 4);
    uint64_t v = 0;
    // Decoding off: nothing answers.
    CHECK(f.mem_as.load(0x10000010, 4, &v) == MemTxResult::Unassigned);
    CHECK(d.h0.log.empty());

    f.bus.config_write(fn, pci::kCommand, pci::kCommandMemory, 2);
    CHECK(d.bar_address(0) == 0x10000000);
    CHECK(d.bar_address(2) == 0x8000200000ull);
    CHECK_FALSE(d.bar_mapped(4));  // I/O decoding still off
    CHECK(f.mem_as.load(0x10000010, 4, &v) == MemTxResult::Ok);
    CHECK(v == 0xabcd0010u);
    CHECK(f.mem_as.store(0x8000200ff8ull, 8, 0x1122334455667788ull) == MemTxResult::Ok);
    REQUIRE(d.h2.log.size() == 1);
    CHECK(d.h2.log[0].off == 0xff8);
    CHECK(d.h2.log[0].value == 0x1122334455667788ull);

    f.bus.config_write(fn, pci::kCommand, pci::kCommandMemory | pci::kCommandIo, 2);
    CHECK(f.io_as.store(0xc044, 2, 0x55) == MemTxResult::Ok);
    REQUIRE(d.h4.log.size() == 1);
    CHECK(d.h4.log[0].off == 4);

    // Move BAR0: the old address goes dead, the new one answers.
    f.bus.config_write(fn, pci::kBar0, 0x20000000, 4);
    CHECK(f.mem_as.load(0x10000010, 4, &v) == MemTxResult::Unassigned);
    CHECK(f.mem_as.load(0x20000020, 4, &v) == MemTxResult::Ok);
    CHECK(v == 0xabcd0020u);

    // Reset unmaps everything and clears the addresses.
    d.reset();
    CHECK(d.resets == 1);
    CHECK_FALSE(d.bar_mapped(0));
    CHECK(f.bus.config_read(fn, pci::kBar0, 4) == 0);
    CHECK(f.bus.config_read(fn, pci::kBar0 + 8, 4) == (pci::kBarMem64 | pci::kBarPrefetch));
    CHECK(f.bus.config_read(fn, pci::kCommand, 2) == 0);
    CHECK(f.mem_as.load(0x20000020, 4, &v) == MemTxResult::Unassigned);
}

TEST_CASE("unplugging or destroying a device removes its BARs", "[pci]") {
    BusFixture f;
    {
        TestPciDevice d;
        uint8_t fn = f.bus.plug(d);
        f.bus.config_write(fn, pci::kBar0, 0x10000000, 4);
        f.bus.config_write(fn, pci::kCommand, pci::kCommandMemory, 2);
        CHECK(f.mem->subregions().size() == 2);
    }
    CHECK(f.mem->subregions().empty());
    uint64_t v;
    CHECK(f.mem_as.load(0x10000000, 4, &v) == MemTxResult::Unassigned);
}

TEST_CASE("capability list links every capability", "[pci]") {
    BusFixture f;
    TestPciDevice d;
    uint8_t a = d.add_capability(pci::kCapIdVendor, 7);
    uint8_t b = d.add_capability(pci::kCapIdMsix, 12);
    f.bus.plug(d);
    CHECK(a == 0x40);
    CHECK(b == 0x48);  // dword aligned
    CHECK(d.config_read(pci::kStatus, 2) & pci::kStatusCapList);
    CHECK(d.config_read(pci::kCapabilityList, 1) == a);
    CHECK(d.config_read(a + 1, 1) == b);
    CHECK(d.config_read(b + 1, 1) == 0);
    CHECK(d.find_capability(pci::kCapIdMsix) == b);
    CHECK(d.find_capability(pci::kCapIdExpress) == 0);
    // Capability bytes are read-only unless the owner says otherwise.
    d.config_write(a + 2, 0xffffffff, 4);
    CHECK(d.config_read(a + 2, 2) == 0);
}

TEST_CASE("placement: explicit addresses, conflicts, first free slot", "[pci]") {
    BusFixture f;
    TestPciDevice a("a"), b("b"), c("c");
    CHECK(f.bus.plug(a) == pci::devfn(0, 0));
    CHECK_THROWS_WITH(f.bus.plug(b, pci::devfn(0, 0)),
                      Catch::Contains("00.0") && Catch::Contains("in use by a"));
    CHECK(f.bus.plug(b, pci::devfn(0, 3)) == pci::devfn(0, 3));
    // Function 0 now announces a multi-function slot.
    CHECK(a.config_read(pci::kHeaderType, 1) & pci::kHeaderTypeMultiFunction);
    CHECK(f.bus.plug(c) == pci::devfn(1, 0));
    CHECK_THROWS(f.bus.plug(c));
}

TEST_CASE("addr= parsing", "[pci]") {
    std::string err;
    CHECK(parse_pci_addr("3", &err) == pci::devfn(3, 0));
    CHECK(parse_pci_addr("03.0", &err) == pci::devfn(3, 0));
    CHECK(parse_pci_addr("0x1f", &err) == pci::devfn(31, 0));
    CHECK(parse_pci_addr("1f.7", &err) == pci::devfn(31, 7));
    CHECK(parse_pci_addr("0A.1", &err) == pci::devfn(10, 1));
    for (const char* bad : {"", "20", "1.8", "x", "3.", "1.0.0", "-1", "123", "0x"}) {
        err.clear();
        CHECK_FALSE(parse_pci_addr(bad, &err).has_value());
        CHECK(err.find("addr") != std::string::npos);
    }
}

TEST_CASE("INTx: swizzle, sharing and the disable bit", "[pci]") {
    BusFixture f;
    Level irq;
    for (int i = 0; i < 4; ++i)
        f.bus.connect_intx(i, IrqLine(&irq, i));
    TestPciDevice a("a", 1), b("b", 1), c("c", 2);
    f.bus.plug(a, pci::devfn(1, 0));  // INTA of slot 1 -> line 1
    f.bus.plug(b, pci::devfn(5, 0));  // slot 5 -> line 1 too
    f.bus.plug(c, pci::devfn(2, 0));  // INTB of slot 2 -> line 3
    a.set_intx(true);
    CHECK(irq.level[1]);
    CHECK(a.config_read(pci::kStatus, 2) & pci::kStatusInterrupt);
    b.set_intx(true);
    a.set_intx(false);
    CHECK(irq.level[1]);  // b still holds the shared line
    b.set_intx(false);
    CHECK_FALSE(irq.level[1]);
    c.set_intx(true);
    CHECK(irq.level[3]);
    // The disable bit drops the line but the status bit still shows it.
    c.config_write(pci::kCommand, pci::kCommandIntxDisable, 2);
    CHECK_FALSE(irq.level[3]);
    CHECK(c.config_read(pci::kStatus, 2) & pci::kStatusInterrupt);
    c.config_write(pci::kCommand, 0, 2);
    CHECK(irq.level[3]);
    // Unplugging an asserting device releases the line.
    f.bus.unplug(c);
    CHECK_FALSE(irq.level[3]);
    CHECK(PciBus::swizzle(pci::devfn(7, 0), 4) == 2);
}

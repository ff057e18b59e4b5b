#include <catch2/catch.hpp>

#include "hw/core/address_space.h"
#include "hw/pci/msix.h"
#include "hw/pci/pci_bus.h"
#include "hw/pci/pci_device.h"

using namespace emu;

namespace {

// A function with MSI-X alone in BAR1 (table at 0, PBA at 0x800).
class MsixDevice : public PciDevice {
  public:
    MsixDevice() : PciDevice("msix-dev", ids()) {
        bar = MemoryRegion::container("msix-bar", 0x1000);
        msix = std::make_unique<Msix>(*this, 4, bar.get(), 1, 0, 0x800);
        register_bar(1, PciBarType::Mem32, bar.get());
    }
    ~MsixDevice() override { detach(); }
    static PciIds ids() {
        PciIds i;
        i.vendor = 0x1af4;
        i.device = 0x1041;
        i.interrupt_pin = 1;
        return i;
    }
    std::unique_ptr<MemoryRegion> bar;
    std::unique_ptr<Msix> msix;

  protected:
    void config_written(unsigned off, unsigned size) override {
        msix->config_written(off, size);
        update_intx();
    }
    bool intx_suppressed() const override { return msix->enabled(); }
    void device_reset() override { msix->reset(); }
};

struct Fixture {
    std::unique_ptr<MemoryRegion> sys = MemoryRegion::container("system", UINT64_MAX);
    std::unique_ptr<MemoryRegion> ram = MemoryRegion::ram("ram", 0x10000);
    std::unique_ptr<MemoryRegion> mem = MemoryRegion::container("pci-mem", UINT64_MAX);
    std::unique_ptr<MemoryRegion> io = MemoryRegion::container("pci-io", 0x10000);
    std::unique_ptr<MemoryRegion> win =
        MemoryRegion::alias("win", mem.get(), 0x10000000, 0x1000000);
    AddressSpace as{"memory", sys.get()};
    PciBus bus{"pci.0", mem.get(), io.get(), &as};
    MsixDevice d;
    uint8_t fn;
    Fixture() {
        sys->add_subregion(0, ram.get());
        sys->add_subregion(0x10000000, win.get());
        fn = bus.plug(d);
        bus.config_write(fn, pci::kBar0 + 4, 0x10000000, 4);
        bus.config_write(fn, pci::kCommand, pci::kCommandMemory | pci::kCommandMaster, 2);
    }
    ~Fixture() {
        sys->remove_subregion(win.get());
        sys->remove_subregion(ram.get());
    }
    void program(unsigned v, uint64_t addr, uint32_t data, bool masked) {
        uint64_t e = 0x10000000 + 16 * v;
        as.store(e, 4, uint32_t(addr));
        as.store(e + 4, 4, uint32_t(addr >> 32));
        as.store(e + 8, 4, data);
        as.store(e + 12, 4, masked ? 1 : 0);
    }
    uint32_t ram32(uint64_t a) {
        uint64_t v = 0;
        as.load(a, 4, &v);
        return uint32_t(v);
    }
    uint16_t control() { return uint16_t(d.config_read(d.msix->cap_offset() + 2, 2)); }
    void set_control(uint16_t c) { bus.config_write(fn, d.msix->cap_offset() + 2, c, 2); }
};

}  // namespace

TEST_CASE("MSI-X capability describes table and PBA", "[pci][msix]") {
    Fixture f;
    uint8_t cap = f.d.find_capability(pci::kCapIdMsix);
    REQUIRE(cap == f.d.msix->cap_offset());
    CHECK(f.control() == 3);                  // table size - 1
    CHECK(f.d.config_read(cap + 4, 4) == 1);  // offset 0, BIR 1
    CHECK(f.d.config_read(cap + 8, 4) == (0x800u | 1));
    // Vectors start masked.
    uint64_t v = 0;
    f.as.load(0x1000000c, 4, &v);
    CHECK(v == 1);
}

TEST_CASE("MSI-X delivery is a memory write, masks make vectors pending", "[pci][msix]") {
    Fixture f;
    f.program(0, 0x100, 0xdead0001, false);
    f.program(2, 0x200, 0xbeef0002, true);
    // Disabled: nothing is written, nothing pending.
    f.d.msix->notify(0);
    CHECK(f.ram32(0x100) == 0);
    CHECK_FALSE(f.d.msix->pending(0));

    f.set_control(pci::kMsixControlEnable);
    CHECK(f.d.msix->enabled());
    f.d.msix->notify(0);
    CHECK(f.ram32(0x100) == 0xdead0001u);

    // Masked vector: pending bit visible in the PBA, delivered on unmask.
    f.d.msix->notify(2);
    CHECK(f.ram32(0x200) == 0);
    uint64_t pba = 0;
    f.as.load(0x10000800, 8, &pba);
    CHECK(pba == 4);
    f.as.store(0x10000000 + 32 + 12, 4, 0);
    CHECK(f.ram32(0x200) == 0xbeef0002u);
    f.as.load(0x10000800, 8, &pba);
    CHECK(pba == 0);

    // Function mask holds everything back until cleared.
    f.set_control(pci::kMsixControlEnable | pci::kMsixControlMaskAll);
    f.as.store(0x100, 4, 0);
    f.d.msix->notify(0);
    CHECK(f.ram32(0x100) == 0);
    CHECK(f.d.msix->pending(0));
    f.set_control(pci::kMsixControlEnable);
    CHECK(f.ram32(0x100) == 0xdead0001u);
    CHECK_FALSE(f.d.msix->pending(0));

    // Guest writes to the PBA and to reserved control bits are ignored;
    // out-of-range vectors do nothing.
    f.as.store(0x10000800, 8, ~0ull);
    f.as.load(0x10000800, 8, &pba);
    CHECK(pba == 0);
    f.as.store(0x10000000 + 12, 4, 0xfffffffe);
    uint64_t ctl = 1;
    f.as.load(0x1000000c, 4, &ctl);
    CHECK(ctl == 0);
    f.d.msix->notify(4);
    f.d.msix->notify(1000);
}

TEST_CASE("MSI-X needs bus mastering and silences INTx", "[pci][msix]") {
    Fixture f;
    f.program(1, 0x300, 0x77, false);
    f.set_control(pci::kMsixControlEnable);
    f.d.set_intx(true);
    CHECK_FALSE(f.d.intx_asserted());
    f.bus.config_write(f.fn, pci::kCommand, pci::kCommandMemory, 2);  // master off
    f.d.msix->notify(1);
    CHECK(f.ram32(0x300) == 0);
    f.set_control(0);
    CHECK(f.d.intx_asserted());
    f.d.reset();
    CHECK_FALSE(f.d.msix->enabled());
    CHECK(f.d.msix->vector_masked(1));
}

#include <catch2/catch.hpp>

#include "hw/pci/pci_host_ecam.h"
#include "hw/virtio/virtio_pci.h"
#include "hw/virtio/virtio_rng.h"
#include "tests/unit/virtio/guest_driver.h"

using namespace emu;
using namespace emu::test;
using namespace emu::virtio;

namespace {

constexpr uint64_t kRing = kRamBase + 0x1000;
constexpr uint64_t kData = kRamBase + 0x100000;
constexpr uint64_t kMsiDoorbell = kRamBase + 0x500;  // MSI writes land in RAM here
constexpr uint64_t kBar1 = 0x10000000;
constexpr uint64_t kBar4 = 0x8000000000ull;

struct Lines : IrqSink {
    bool level[4] = {};
    void set_irq(int n, bool l) override { level[n] = l; }
};

struct PciFixture {
    GuestRam g;
    Lines lines;
    std::unique_ptr<PciHostEcamGeneric> host;
    std::unique_ptr<VirtioPci> dev;
    RingDriver drv{g, kRing, 16};
    uint8_t fn = pci::devfn(1, 0);

    PciFixture() {
        EcamHostConfig c;
        c.ecam_base = 0x4010000000ull;
        c.ecam_size = 16 << 20;
        c.mmio_base = 0x10000000;
        c.mmio_size = 0x2eff0000;
        c.mmio64_base = kBar4;
        c.mmio64_size = 1ull << 32;
        host = std::make_unique<PciHostEcamGeneric>(c, &g.as);
        host->map(g.root.get());
        for (int i = 0; i < 4; ++i)
            host->connect_intx(i, IrqLine(&lines, i));
        dev = std::make_unique<VirtioPci>(std::make_unique<VirtioRng>(), 0x00ff00);
        host->bus().plug(*dev, fn);
        cfg_w(pci::kBar0 + 4, kBar1, 4);
        cfg_w(pci::kBar0 + 16, uint32_t(kBar4), 4);
        cfg_w(pci::kBar0 + 20, uint32_t(kBar4 >> 32), 4);
        cfg_w(pci::kCommand, pci::kCommandMemory | pci::kCommandMaster, 2);
    }
    ~PciFixture() {
        dev.reset();
        host.reset();
    }
    uint32_t cfg_r(unsigned off, unsigned size) { return host->bus().config_read(fn, off, size); }
    void cfg_w(unsigned off, uint32_t v, unsigned size) {
        host->bus().config_write(fn, off, v, size);
    }
    uint64_t rd(uint64_t off, unsigned size) {
        uint64_t v = 0;
        g.as.load(kBar4 + off, size, &v);
        return v;
    }
    void wr(uint64_t off, uint64_t v, unsigned size) { g.as.store(kBar4 + off, size, v); }
    // Finds the vendor capability of a virtio cfg_type.
    uint8_t vcap(uint8_t type) {
        for (unsigned p = cfg_r(pci::kCapabilityList, 1); p; p = cfg_r(p + 1, 1)) {
            if (cfg_r(p, 1) == pci::kCapIdVendor && cfg_r(p + 3, 1) == type) return uint8_t(p);
        }
        return 0;
    }
    void init(bool msix) {
        if (msix) {
            uint8_t cap = dev->find_capability(pci::kCapIdMsix);
            cfg_w(cap + 2, pci::kMsixControlEnable, 2);
            for (unsigned v = 0; v < 2; ++v) {
                g.as.store(kBar1 + 16 * v, 4, kMsiDoorbell + 4 * v);
                g.as.store(kBar1 + 16 * v + 4, 4, 0);
                g.as.store(kBar1 + 16 * v + 8, 4, 0x40 + v);
                g.as.store(kBar1 + 16 * v + 12, 4, 0);
            }
        }
        wr(20, kStatusAcknowledge | kStatusDriver, 1);
        wr(8, 1, 4);
        wr(12, 1, 4);  // VERSION_1
        wr(20, kStatusAcknowledge | kStatusDriver | kStatusFeaturesOk, 1);
        REQUIRE(rd(20, 1) & kStatusFeaturesOk);
        if (msix) {
            wr(16, 0, 2);
            CHECK(rd(16, 2) == 0);
        }
        wr(22, 0, 2);
        wr(24, drv.size(), 2);
        if (msix) {
            wr(26, 1, 2);
            CHECK(rd(26, 2) == 1);
        }
        wr(32, drv.desc_addr(), 4);
        wr(36, drv.desc_addr() >> 32, 4);
        wr(40, drv.avail_addr(), 4);
        wr(48, drv.used_addr(), 4);
        wr(28, 1, 2);
        wr(20, 0xf, 1);
    }
};

}  // namespace

TEST_CASE("virtio-pci identifies itself and lists its structures", "[virtio][pci]") {
    PciFixture f;
    CHECK(f.cfg_r(pci::kVendorId, 4) == 0x10441af4u);
    CHECK(f.cfg_r(pci::kRevisionId, 1) == 1);
    CHECK(f.cfg_r(pci::kSubsystemVendorId, 2) == 0x1af4);
    CHECK(f.cfg_r(pci::kSubsystemId, 2) >= 0x40);
    for (uint8_t type = 1; type <= 5; ++type) {
        uint8_t cap = f.vcap(type);
        REQUIRE(cap != 0);
        CHECK(f.cfg_r(cap + 2, 1) >= 16);
        if (type != 5) CHECK(f.cfg_r(cap + 4, 1) == 4);
    }
    uint8_t notify = f.vcap(2);
    CHECK(f.cfg_r(notify + 2, 1) == 20);
    CHECK(f.cfg_r(notify + 16, 4) == VirtioPci::kNotifyMultiplier);
    CHECK(f.cfg_r(f.vcap(1) + 8, 4) == VirtioPci::kCommonOffset);
    CHECK(f.cfg_r(f.vcap(4) + 8, 4) == VirtioPci::kDeviceOffset);
    // BAR4 is 64-bit prefetchable memory and sizes to 16 KiB.
    CHECK(f.dev->bar_address(4) == kBar4);
    CHECK(f.rd(18, 2) == 1);  // num_queues
    f.wr(22, 0, 2);
    CHECK(f.rd(24, 2) == 256);
    f.wr(22, 5, 2);
    CHECK(f.rd(24, 2) == 0);  // no such queue
    f.wr(24, 8, 2);           // ignored
}

TEST_CASE("virtio-pci with MSI-X: queue and config vectors are memory writes", "[virtio][pci]") {
    PciFixture f;
    f.init(true);
    // Vectors beyond the table are refused.
    f.wr(16, 7, 2);
    CHECK(f.rd(16, 2) == VirtioPci::kNoVector);
    f.wr(16, 0, 2);
    f.drv.add({{kData, 32, true}});
    f.wr(VirtioPci::kNotifyOffset + 0 * VirtioPci::kNotifyMultiplier, 0, 2);
    CHECK(f.drv.used_idx() == 1);
    CHECK(f.g.get<uint32_t>(kMsiDoorbell + 4) == 0x41);
    CHECK_FALSE(f.lines.level[1]);  // no INTx with MSI-X
    // A broken chain: NEEDS_RESET and the config vector fires.
    f.drv.write_desc(3, 0x1000, 16, kDescFWrite, 0);
    f.drv.publish(3);
    f.wr(VirtioPci::kNotifyOffset, 0, 2);
    CHECK(f.rd(20, 1) & kStatusNeedsReset);
    CHECK(f.g.get<uint32_t>(kMsiDoorbell) == 0x40);
    // Reset clears vectors and status.
    f.wr(20, 0, 1);
    CHECK(f.rd(20, 1) == 0);
    CHECK(f.rd(16, 2) == VirtioPci::kNoVector);
    f.wr(22, 0, 2);
    CHECK(f.rd(28, 2) == 0);
    CHECK(f.rd(26, 2) == VirtioPci::kNoVector);
}

TEST_CASE("virtio-pci without MSI-X uses INTx and the ISR", "[virtio][pci]") {
    PciFixture f;
    f.init(false);
    f.drv.add({{kData, 32, true}});
    f.wr(VirtioPci::kNotifyOffset, 0, 2);
    CHECK(f.drv.used_idx() == 1);
    unsigned line = PciBus::swizzle(f.fn, 1);
    CHECK(f.lines.level[line]);
    CHECK(f.rd(VirtioPci::kIsrOffset, 1) == kIntUsedBuffer);
    CHECK_FALSE(f.lines.level[line]);
    CHECK(f.rd(VirtioPci::kIsrOffset, 1) == 0);
}

TEST_CASE("virtio-pci configuration access capability reaches BAR4", "[virtio][pci]") {
    PciFixture f;
    uint8_t cap = f.vcap(5);
    f.wr(20, kStatusAcknowledge, 1);
    f.cfg_w(cap + 4, 4, 1);   // bar
    f.cfg_w(cap + 8, 20, 4);  // offset: device_status
    f.cfg_w(cap + 12, 1, 4);  // length
    CHECK(f.cfg_r(cap + 16, 4) == kStatusAcknowledge);
    f.cfg_w(cap + 16, kStatusAcknowledge | kStatusDriver, 4);
    CHECK(f.rd(20, 1) == (kStatusAcknowledge | kStatusDriver));
    // Bad windows do nothing.
    f.cfg_w(cap + 8, 21, 4);
    f.cfg_w(cap + 12, 2, 4);  // misaligned
    f.cfg_w(cap + 16, 0, 4);
    CHECK(f.rd(20, 1) == (kStatusAcknowledge | kStatusDriver));
    f.cfg_w(cap + 4, 1, 1);  // another BAR
    f.cfg_w(cap + 8, 20, 4);
    f.cfg_w(cap + 12, 1, 4);
    f.cfg_w(cap + 16, 0, 4);
    CHECK(f.rd(20, 1) == (kStatusAcknowledge | kStatusDriver));
}

TEST_CASE("virtio-pci without MSI-X (vectors=0)", "[virtio][pci]") {
    GuestRam g;
    EcamHostConfig c;
    c.ecam_base = 0x4010000000ull;
    c.ecam_size = 16 << 20;
    c.mmio64_base = kBar4;
    c.mmio64_size = 1ull << 32;
    PciHostEcamGeneric host(c, &g.as);
    host.map(g.root.get());
    VirtioPci dev(std::make_unique<VirtioRng>(), 0x00ff00, 0u);
    host.bus().plug(dev, pci::devfn(2, 0));
    CHECK(dev.msix() == nullptr);
    CHECK(dev.find_capability(pci::kCapIdMsix) == 0);
    // BAR1 is not implemented.
    host.bus().config_write(pci::devfn(2, 0), pci::kBar0 + 4, 0xffffffff, 4);
    CHECK(host.bus().config_read(pci::devfn(2, 0), pci::kBar0 + 4, 4) == 0);
    host.bus().config_write(pci::devfn(2, 0), pci::kBar0 + 16, uint32_t(kBar4), 4);
    host.bus().config_write(pci::devfn(2, 0), pci::kBar0 + 20, uint32_t(kBar4 >> 32), 4);
    host.bus().config_write(pci::devfn(2, 0), pci::kCommand, pci::kCommandMemory, 2);
    uint64_t v = 0;
    g.as.store(kBar4 + 16, 2, 0);  // config_msix_vector
    g.as.load(kBar4 + 16, 2, &v);
    CHECK(v == VirtioPci::kNoVector);
    // A config change goes to INTx and the ISR.
    g.as.store(kBar4 + 20, 1, kStatusDriverOk);
    dev.device().device_error("test");
    CHECK(dev.intx_level());
    g.as.load(kBar4 + VirtioPci::kIsrOffset, 1, &v);
    CHECK(v == kIntConfigChange);
    CHECK_FALSE(dev.intx_level());
}

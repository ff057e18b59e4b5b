#include <catch2/catch.hpp>

extern "C" {
#include <libfdt.h>
}

#include "hw/virtio/virtio_mmio.h"
#include "hw/virtio/virtio_rng.h"
#include "tests/unit/virtio/guest_driver.h"

using namespace emu;
using namespace emu::test;
using namespace emu::virtio;

namespace {

constexpr uint64_t kSlot = 0x0a000000;
constexpr uint64_t kRing = kRamBase + 0x1000;
constexpr uint64_t kData = kRamBase + 0x100000;

struct Irq : IrqSink {
    bool level = false;
    int raises = 0;
    void set_irq(int, bool l) override {
        raises += l && !level;
        level = l;
    }
};

struct MmioFixture {
    GuestRam g;
    Irq irq;
    VirtioMmio mmio{"virtio-mmio", &g.as, IrqLine(&irq, 0)};
    VirtioRng* rng;
    RingDriver drv{g, kRing, 16};

    MmioFixture() {
        auto dev = std::make_unique<VirtioRng>();
        rng = dev.get();
        mmio.plug(std::move(dev));
        g.root->add_subregion(kSlot, mmio.region());
    }
    uint32_t rd(uint64_t off) {
        uint64_t v = 0;
        g.as.load(kSlot + off, 4, &v);
        return uint32_t(v);
    }
    void wr(uint64_t off, uint32_t v) { g.as.store(kSlot + off, 4, v); }

    // The driver initialisation sequence of 3.1.1 with one queue.
    void init(uint64_t features = bit(kFVersion1)) {
        wr(0x70, 0);
        wr(0x70, kStatusAcknowledge);
        wr(0x70, kStatusAcknowledge | kStatusDriver);
        wr(0x24, 0);
        wr(0x20, uint32_t(features));
        wr(0x24, 1);
        wr(0x20, uint32_t(features >> 32));
        wr(0x70, kStatusAcknowledge | kStatusDriver | kStatusFeaturesOk);
        REQUIRE(rd(0x70) & kStatusFeaturesOk);
        wr(0x30, 0);
        wr(0x38, drv.size());
        wr(0x80, uint32_t(drv.desc_addr()));
        wr(0x84, uint32_t(drv.desc_addr() >> 32));
        wr(0x90, uint32_t(drv.avail_addr()));
        wr(0x94, 0);
        wr(0xa0, uint32_t(drv.used_addr()));
        wr(0xa4, 0);
        wr(0x44, 1);
        wr(0x70, kStatusAcknowledge | kStatusDriver | kStatusFeaturesOk | kStatusDriverOk);
    }
};

}  // namespace

TEST_CASE("virtio-mmio identification and feature registers", "[virtio][mmio]") {
    MmioFixture f;
    CHECK(f.rd(0x000) == 0x74726976u);
    CHECK(f.rd(0x004) == 2);
    CHECK(f.rd(0x008) == kIdRng);
    f.wr(0x14, 0);
    uint32_t lo = f.rd(0x10);
    f.wr(0x14, 1);
    uint32_t hi = f.rd(0x10);
    CHECK((lo & (1u << kFEventIdx)));
    CHECK((lo & (1u << kFIndirectDesc)));
    CHECK((hi & 1u));  // VERSION_1
    CHECK_FALSE((hi & (1u << (kFRingPacked - 32))));
    f.wr(0x30, 0);
    CHECK(f.rd(0x34) == 256);
    f.wr(0x30, 1);
    CHECK(f.rd(0x34) == 0);            // no such queue
    CHECK(f.rd(0xb0) == 0xffffffffu);  // no shared memory
}

TEST_CASE("an empty virtio-mmio slot reads device ID 0", "[virtio][mmio]") {
    GuestRam g;
    VirtioMmio empty("slot", &g.as, IrqLine());
    CHECK(empty.mmio_read(0, 4) == VirtioMmio::kMagic);
    CHECK(empty.mmio_read(8, 4) == 0);
    empty.mmio_write(0x70, 7, 4);  // ignored
    CHECK(empty.mmio_read(0x70, 4) == 0);
}

TEST_CASE("FEATURES_OK is refused without VERSION_1", "[virtio][mmio]") {
    MmioFixture f;
    f.wr(0x70, kStatusAcknowledge | kStatusDriver);
    f.wr(0x24, 0);
    f.wr(0x20, 1u << kFEventIdx);
    f.wr(0x70, kStatusAcknowledge | kStatusDriver | kStatusFeaturesOk);
    CHECK_FALSE(f.rd(0x70) & kStatusFeaturesOk);
    // Features not offered are dropped.
    f.wr(0x70, 0);
    f.wr(0x24, 1);
    f.wr(0x20, 0xffffffff);
    CHECK(f.rng->guest_features() == bit(kFVersion1));
}

TEST_CASE("virtio-rng fills buffers through virtio-mmio and interrupts", "[virtio][mmio]") {
    MmioFixture f;
    f.init(bit(kFVersion1) | bit(kFIndirectDesc));
    CHECK(f.rd(0x44) == 1);
    std::memset(f.g.host(kData), 0, 256);
    f.drv.add({{kData, 128, true}});
    f.drv.add_indirect(kData + 0x1000, {{kData + 128, 128, true}});
    f.wr(0x50, 0);
    REQUIRE(f.drv.used_idx() == 2);
    CHECK(f.drv.used(0).len == 128);
    CHECK(f.drv.used(1).len == 128);
    int nonzero = 0;
    for (int i = 0; i < 256; ++i)
        nonzero += f.g.host(kData)[i] != 0;
    CHECK(nonzero > 200);
    CHECK(f.irq.level);
    CHECK(f.rd(0x60) == kIntUsedBuffer);
    f.wr(0x64, kIntUsedBuffer);
    CHECK_FALSE(f.irq.level);
    CHECK(f.rd(0x60) == 0);
    // Queue layout cannot change while the queue is ready.
    f.wr(0x38, 8);
    CHECK(f.rd(0x38) == 16);
}

TEST_CASE("a hostile chain sets DEVICE_NEEDS_RESET and a reset recovers", "[virtio][mmio]") {
    MmioFixture f;
    f.init();
    f.drv.write_desc(0, kData, 16, kDescFWrite | kDescFNext, 0);  // loops on itself
    f.drv.publish(0);
    uint32_t gen = f.rd(0xfc);
    f.wr(0x50, 0);
    CHECK(f.rd(0x70) & kStatusNeedsReset);
    CHECK(f.rd(0x60) & kIntConfigChange);
    CHECK(f.rd(0xfc) != gen);
    CHECK(f.drv.used_idx() == 0);
    // The driver cannot clear the bit by writing status, only by reset.
    f.wr(0x70, kStatusAcknowledge | kStatusDriver | kStatusFeaturesOk | kStatusDriverOk);
    CHECK(f.rd(0x70) & kStatusNeedsReset);
    f.wr(0x70, 0);
    CHECK(f.rd(0x70) == 0);
    CHECK(f.rd(0x60) == 0);
    CHECK_FALSE(f.irq.level);
    CHECK(f.rd(0x44) == 0);
    f.drv.clear();
    f.init();
    f.drv.add({{kData, 8, true}});
    f.wr(0x50, 0);
    CHECK(f.drv.used_idx() == 1);
}

TEST_CASE("rings outside RAM make the device need a reset", "[virtio][mmio]") {
    MmioFixture f;
    f.wr(0x70, kStatusAcknowledge | kStatusDriver);
    f.wr(0x24, 1);
    f.wr(0x20, 1);
    f.wr(0x70, kStatusAcknowledge | kStatusDriver | kStatusFeaturesOk);
    f.wr(0x38, 16);
    f.wr(0x80, 0x1000);  // unmapped
    f.wr(0x90, uint32_t(f.drv.avail_addr()));
    f.wr(0xa0, uint32_t(f.drv.used_addr()));
    f.wr(0x44, 1);
    CHECK(f.rd(0x70) & kStatusNeedsReset);
    f.wr(0x50, 0);   // ignored, no crash
    f.wr(0x50, 77);  // no such queue
}

TEST_CASE("virtio-mmio bus: slots, device tree and command line", "[virtio][mmio]") {
    GuestRam g;
    Irq irqs[4];
    VirtioMmioBus bus(&g.as, kSlot, 4, [&](unsigned i) { return IrqLine(&irqs[i], 0); });
    bus.map(g.root.get());
    CHECK(bus.plug(std::make_unique<VirtioRng>("rng0")) == 0);
    CHECK(bus.plug(std::make_unique<VirtioRng>("rng1")) == 1);
    uint64_t v = 0;
    g.as.load(kSlot + 0x200 + 8, 4, &v);
    CHECK(v == kIdRng);
    g.as.load(kSlot + 0x400 + 8, 4, &v);
    CHECK(v == 0);
    CHECK(bus.plug(std::make_unique<VirtioRng>("rng2")) == 2);
    CHECK(bus.plug(std::make_unique<VirtioRng>("rng3")) == 3);
    CHECK_THROWS_WITH(bus.plug(std::make_unique<VirtioRng>("rng4")),
                      Catch::Contains("no free virtio-mmio slot"));

    std::vector<char> blob(4096);
    REQUIRE(fdt_create_empty_tree(blob.data(), int(blob.size())) == 0);
    int node = add_virtio_mmio_fdt_node(blob.data(), kSlot + 0x200, {0, 17, 1});
    CHECK(fdt_path_offset(blob.data(), "/virtio_mmio@a000200") == node);
    int len = 0;
    auto* reg = static_cast<const fdt32_t*>(fdt_getprop(blob.data(), node, "reg", &len));
    REQUIRE(len == 16);
    CHECK(fdt32_to_cpu(reg[1]) == kSlot + 0x200);
    CHECK(fdt32_to_cpu(reg[3]) == 0x200);
    CHECK(virtio_mmio_cmdline(0xfeb00000, 12) == "virtio_mmio.device=512@0xfeb00000:12");
}

#include "hw/virtio/virtio_net.h"

#include <catch2/catch.hpp>

#include "guest_driver.h"
#include "hw/virtio/virtio_devices.h"
#include "hw/virtio/virtio_mmio.h"

using namespace emu;
using namespace emu::test;
using namespace emu::virtio;

namespace {

constexpr uint64_t kSlot = 0x0a000000;

struct Irq : IrqSink {
    int raises = 0;
    void set_irq(int, bool l) override { raises += l; }
};

struct FakeBackend : NetBackend {
    std::vector<std::vector<uint8_t>> sent;
    std::vector<std::vector<uint8_t>> held;
    FakeBackend() : NetBackend("n0") {}
    const char* type() const override { return "fake"; }
    bool send(const uint8_t* f, size_t n) override {
        sent.emplace_back(f, f + n);
        return true;
    }
    // Frames from "outside": delivered if the NIC can take them, else held.
    void inject(std::vector<uint8_t> f) {
        if (!held.empty() || !deliver(f.data(), f.size())) held.push_back(std::move(f));
    }
    void receiver_ready() override {
        while (!held.empty() && deliver(held.front().data(), held.front().size())) {
            held.erase(held.begin());
        }
    }
};

struct Fixture {
    GuestRam g;
    Irq irq;
    FakeBackend backend;
    VirtioMmio mmio{"virtio-mmio", &g.as, IrqLine(&irq, 0)};
    VirtioNet* net;
    RingDriver rx{g, kRamBase + 0x10000, 16};
    RingDriver tx{g, kRamBase + 0x20000, 16};

    Fixture() {
        auto dev = std::make_unique<VirtioNet>("net0", &backend, VirtioNet::default_mac(0));
        net = dev.get();
        mmio.plug(std::move(dev));
        g.root->add_subregion(kSlot, mmio.region());
    }
    uint32_t rd(uint64_t off) {
        uint64_t v = 0;
        g.as.load(kSlot + off, 4, &v);
        return uint32_t(v);
    }
    void wr(uint64_t off, uint32_t v) { g.as.store(kSlot + off, 4, v); }
    void setup_queue(unsigned q, RingDriver& d) {
        wr(0x30, q);
        wr(0x38, d.size());
        wr(0x80, uint32_t(d.desc_addr()));
        wr(0x84, uint32_t(d.desc_addr() >> 32));
        wr(0x90, uint32_t(d.avail_addr()));
        wr(0x94, 0);
        wr(0xa0, uint32_t(d.used_addr()));
        wr(0xa4, 0);
        wr(0x44, 1);
    }
    void init() {
        wr(0x70, 0);
        wr(0x70, kStatusAcknowledge | kStatusDriver);
        wr(0x24, 0);
        wr(0x20, (1u << VirtioNet::kFMac) | (1u << VirtioNet::kFStatus));
        wr(0x24, 1);
        wr(0x20, 1);  // VERSION_1
        wr(0x70, kStatusAcknowledge | kStatusDriver | kStatusFeaturesOk);
        REQUIRE(rd(0x70) & kStatusFeaturesOk);
        setup_queue(0, rx);
        setup_queue(1, tx);
        wr(0x70, kStatusAcknowledge | kStatusDriver | kStatusFeaturesOk | kStatusDriverOk);
    }
};

std::vector<uint8_t> frame(size_t n, uint8_t seed) {
    std::vector<uint8_t> f(n);
    for (size_t i = 0; i < n; ++i)
        f[i] = uint8_t(seed + i);
    return f;
}

}  // namespace

TEST_CASE("virtio-net config space has the MAC and link up", "[virtio-net]") {
    Fixture f;
    CHECK(f.rd(0x008) == kIdNet);
    uint64_t v = 0;
    f.g.as.load(kSlot + 0x100, 1, &v);
    CHECK(v == 0x52);
    f.g.as.load(kSlot + 0x105, 1, &v);
    CHECK(v == 0x56);
    f.g.as.load(kSlot + 0x106, 2, &v);
    CHECK(v == 1);
}

TEST_CASE("virtio-net transmits frames without the header", "[virtio-net]") {
    Fixture f;
    f.init();
    uint64_t hdr = kRamBase + 0x100000, data = kRamBase + 0x101000;
    auto fr = frame(60, 7);
    std::memset(f.g.host(hdr), 0, 12);
    std::memcpy(f.g.host(data), fr.data(), fr.size());
    f.tx.add({{hdr, 12, false}, {data, uint32_t(fr.size()), false}});
    f.wr(0x50, 1);  // notify tx
    REQUIRE(f.backend.sent.size() == 1);
    CHECK(f.backend.sent[0] == fr);
    CHECK(f.tx.used_idx() == 1);
    // A chain shorter than the header is dropped, not sent, and returned.
    f.tx.add({{hdr, 4, false}});
    f.wr(0x50, 1);
    CHECK(f.backend.sent.size() == 1);
    CHECK(f.tx.used_idx() == 2);
    CHECK(f.net->stats().tx_dropped == 1);
}

TEST_CASE("virtio-net receives into posted buffers, holding frames until there are some",
          "[virtio-net]") {
    Fixture f;
    f.init();
    auto fr = frame(100, 1);
    f.backend.inject(fr);  // no buffers yet: held by the backend
    CHECK(f.backend.held.size() == 1);
    uint64_t buf = kRamBase + 0x200000;
    f.rx.add({{buf, 2048, true}});
    int irqs = f.irq.raises;
    f.wr(0x50, 0);  // notify rx: the held frame is delivered
    CHECK(f.backend.held.empty());
    REQUIRE(f.rx.used_idx() == 1);
    CHECK(f.rx.used(0).len == 12 + 100);
    CHECK(f.g.host(buf)[10] == 1);  // num_buffers
    CHECK(std::memcmp(f.g.host(buf + 12), fr.data(), fr.size()) == 0);
    CHECK(f.irq.raises > irqs);

    // A buffer too small for the frame: the frame is dropped, the buffer
    // comes back empty, and nothing is written past its end.
    uint64_t small = kRamBase + 0x300000;
    f.g.host(small + 40)[0] = 0xaa;
    f.rx.add({{small, 40, true}});
    f.wr(0x50, 0);
    f.backend.inject(frame(100, 2));
    CHECK(f.rx.used_idx() == 2);
    CHECK(f.rx.used(1).len == 0);
    CHECK(f.g.host(small + 40)[0] == 0xaa);
    CHECK(f.net->stats().rx_dropped == 1);
}

TEST_CASE("virtio-net MAC parsing", "[virtio-net]") {
    std::array<uint8_t, 6> m;
    CHECK(VirtioNet::parse_mac("52:54:00:ab:cd:ef", &m));
    CHECK(m[3] == 0xab);
    CHECK_FALSE(VirtioNet::parse_mac("52:54:00:ab:cd", &m));
    CHECK_FALSE(VirtioNet::parse_mac("52:54:00:ab:cd:ef:00", &m));
    CHECK_FALSE(VirtioNet::parse_mac("01:00:5e:00:00:01", &m));  // multicast
    CHECK_FALSE(VirtioNet::parse_mac("zz:54:00:ab:cd:ef", &m));
}

TEST_CASE("virtio-net -device and -nic factories", "[virtio-net]") {
    GuestRam g;
    EventLoop loop;
    VirtioMmioBus mmio(&g.as, 0x0a000000, 8, [](unsigned) { return IrqLine(); });
    FakeBackend n0, n1;
    auto lookup = [&](const std::string& id) -> NetBackend* {
        if (id == "n0") return &n0;
        if (id == "n1") return &n1;
        return nullptr;
    };
    auto drives = DriveTable::parse({}, "virtio", false);
    VirtioMachineDevices v({&loop, &mmio, nullptr, false, true, lookup}, drives);
    auto kv = [](const std::string& s) {
        std::string err;
        return *KeyValueList::parse(s, "driver", &err);
    };
    CHECK(v.add_device(kv("virtio-net-device,netdev=n0")));
    CHECK(n0.has_peer());
    CHECK(mmio.slot(0).mmio_read(8, 4) == kIdNet);
    CHECK(mmio.slot(0).mmio_read(0x105, 1) == 0x56);  // first NIC: ...:56
    CHECK_THROWS_WITH(v.add_device(kv("virtio-net-device,netdev=n0")), Catch::Contains("in use"));
    CHECK_THROWS_WITH(v.add_device(kv("virtio-net-device,netdev=nope")),
                      Catch::Contains("can't find value 'nope'"));
    CHECK_THROWS_WITH(v.add_device(kv("virtio-net-device,netdev=n1,mac=01:02:03:04:05:06")),
                      Catch::Contains("mac"));
    CHECK_THROWS_WITH(v.add_device(kv("virtio-net-device,netdev=n1,frob=1")),
                      Catch::Contains("frob"));
    // -nic: the model is checked, the MAC goes through.
    KeyValueList nic;
    nic.set("type", "user");
    nic.set("id", "n1");
    nic.set("nic", "on");
    nic.set("model", "e1000");
    CHECK_THROWS_WITH(v.add_nics({nic}), Catch::Contains("not supported yet"));
    nic.set("model", "virtio");
    nic.set("mac", "52:54:00:aa:bb:cc");
    v.add_nics({nic});
    CHECK(n1.has_peer());
    CHECK(mmio.slot(1).mmio_read(0x105, 1) == 0xcc);
}

#include <catch2/catch.hpp>

#include "hw/virtio/virtio_mmio.h"
#include "hw/virtio/virtio_rng.h"
#include "hw/virtio/virtqueue.h"
#include "tests/unit/virtio/guest_driver.h"

using namespace emu;
using namespace emu::test;
using namespace emu::virtio;
using PR = Virtqueue::PopResult;

namespace {

constexpr uint64_t kRing = kRamBase + 0x1000;
constexpr uint64_t kData = kRamBase + 0x100000;

// The driver side of a packed ring: descriptors at base, then the driver
// and device event suppression structures.
class PackedDriver {
  public:
    PackedDriver(GuestRam& g, uint64_t base, uint16_t size)
        : g_(g), size_(size), desc_(base), driver_(base + 16u * size), device_(driver_ + 4) {
        std::memset(g.host(desc_), 0, 16u * size + 8);
    }
    uint64_t desc_addr() const { return desc_; }
    uint64_t driver_addr() const { return driver_; }
    uint64_t device_addr() const { return device_; }

    // Makes a chain available; the head's flags are written last.
    void add(const std::vector<Buf>& bufs, uint16_t id) {
        std::vector<std::pair<uint16_t, uint16_t>> slots;  // slot, flags
        for (size_t i = 0; i < bufs.size(); ++i) {
            uint16_t f = uint16_t((bufs[i].write ? kDescFWrite : 0) |
                                  (i + 1 < bufs.size() ? kDescFNext : 0) |
                                  (wrap_ ? kPackedDescFAvail : kPackedDescFUsed));
            write(next_, bufs[i].gpa, bufs[i].len, id, 0);
            slots.push_back({next_, f});
            advance();
        }
        for (size_t i = slots.size(); i-- > 0;) {
            g_.put<uint16_t>(desc_ + 16u * slots[i].first + 14, slots[i].second);
        }
    }
    void add_raw(uint64_t addr, uint32_t len, uint16_t id, uint16_t flags) {
        write(next_, addr, len, id,
              uint16_t(flags | (wrap_ ? kPackedDescFAvail : kPackedDescFUsed)));
        advance();
    }
    // The used descriptor the device wrote at `slot`, if its flags say used
    // for `wrap`.
    bool used(uint16_t slot, bool wrap, uint16_t* id, uint32_t* len) {
        uint16_t f = g_.get<uint16_t>(desc_ + 16u * slot + 14);
        bool a = f & kPackedDescFAvail, u = f & kPackedDescFUsed;
        if (a != wrap || u != wrap) return false;
        *id = g_.get<uint16_t>(desc_ + 16u * slot + 12);
        *len = g_.get<uint32_t>(desc_ + 16u * slot + 8);
        return true;
    }
    void set_driver_event(uint16_t off_wrap, uint16_t flags) {
        g_.put<uint16_t>(driver_, off_wrap);
        g_.put<uint16_t>(driver_ + 2, flags);
    }
    uint16_t device_flags() { return g_.get<uint16_t>(device_ + 2); }
    uint16_t device_off_wrap() { return g_.get<uint16_t>(device_); }

  private:
    void write(uint16_t slot, uint64_t addr, uint32_t len, uint16_t id, uint16_t flags) {
        VirtqPackedDesc d{addr, len, id, flags};
        std::memcpy(g_.host(desc_ + 16u * slot), &d, 16);
    }
    void advance() {
        if (++next_ == size_) next_ = 0, wrap_ = !wrap_;
    }
    GuestRam& g_;
    uint16_t size_;
    uint64_t desc_, driver_, device_;
    uint16_t next_ = 0;
    bool wrap_ = true;
};

struct PackedFixture {
    GuestRam g;
    PackedDriver drv;
    Virtqueue q{256};
    std::string err;
    explicit PackedFixture(uint16_t size = 8, bool event_idx = false) : drv(g, kRing, size) {
        q.set_size(size);
        q.desc_addr = drv.desc_addr();
        q.avail_addr = drv.driver_addr();
        q.used_addr = drv.device_addr();
        REQUIRE(q.enable(g.mem, event_idx, true, &err, true));
    }
    void expect_error(const char* why) {
        VirtqElement e;
        CHECK(q.pop(&e, &err) == PR::Error);
        CHECK_THAT(err, Catch::Contains(why));
        CHECK(q.pop(&e, &err) == PR::Empty);
    }
};

}  // namespace

TEST_CASE("packed ring: chains pop in order and are written back used", "[virtio][packed]") {
    PackedFixture f;
    VirtqElement e;
    CHECK(f.q.pop(&e, &f.err) == PR::Empty);
    CHECK_FALSE(f.q.has_work());
    f.drv.add({{kData, 16, false}, {kData + 0x100, 32, true}}, 7);
    f.drv.add({{kData + 0x200, 8, true}}, 9);
    CHECK(f.q.has_work());
    REQUIRE(f.q.pop(&e, &f.err) == PR::Ok);
    CHECK(e.head == 7);
    CHECK(e.ndescs == 2);
    CHECK(e.out_len == 16);
    CHECK(e.in_len == 32);
    VirtqElement e2;
    REQUIRE(f.q.pop(&e2, &f.err) == PR::Ok);
    CHECK(e2.head == 9);
    // Out of order: the second buffer completes first and takes slot 0.
    f.q.push(e2, 8);
    f.q.push(e, 32);
    uint16_t id;
    uint32_t len;
    REQUIRE(f.drv.used(0, true, &id, &len));
    CHECK(id == 9);
    CHECK(len == 8);
    REQUIRE(f.drv.used(1, true, &id, &len));
    CHECK(id == 7);
    CHECK(len == 32);
    CHECK_FALSE(f.drv.used(2, true, &id, &len));
    CHECK(f.q.used_idx() == 3);
}

TEST_CASE("packed ring: wrap counters flip at the end of the ring", "[virtio][packed]") {
    PackedFixture f(4);
    bool wrap = true;
    uint16_t used_slot = 0;
    for (uint16_t round = 0; round < 10; ++round) {
        f.drv.add({{kData, 4, false}, {kData + 0x100, 4, true}}, round);
        VirtqElement e;
        REQUIRE(f.q.pop(&e, &f.err) == PR::Ok);
        CHECK(e.head == round);
        f.q.push(e, 4);
        uint16_t id;
        uint32_t len;
        REQUIRE(f.drv.used(used_slot, wrap, &id, &len));
        CHECK(id == round);
        used_slot = uint16_t(used_slot + 2);
        if (used_slot >= 4) used_slot = uint16_t(used_slot - 4), wrap = !wrap;
        CHECK(f.q.pop(&e, &f.err) == PR::Empty);
    }
}

TEST_CASE("packed ring: indirect tables", "[virtio][packed]") {
    PackedFixture f;
    VirtqPackedDesc t[2] = {{kData, 16, 0, 0}, {kData + 0x100, 4, 0, kDescFWrite}};
    std::memcpy(f.g.host(kData + 0x1000), t, sizeof t);
    f.drv.add_raw(kData + 0x1000, 32, 3, kDescFIndirect);
    VirtqElement e;
    REQUIRE(f.q.pop(&e, &f.err) == PR::Ok);
    CHECK(e.head == 3);
    CHECK(e.ndescs == 1);
    CHECK(e.out_len == 16);
    CHECK(e.in_len == 4);
}

TEST_CASE("packed ring: hostile chains are refused", "[virtio][packed]") {
    SECTION("a chain that never ends") {
        PackedFixture f(4);
        for (int i = 0; i < 4; ++i)
            f.drv.add_raw(kData, 4, 0, kDescFNext);
        f.expect_error("longer than the ring");
    }
    SECTION("indirect chained with another descriptor") {
        PackedFixture f;
        f.drv.add_raw(kData + 0x1000, 16, 0, kDescFIndirect | kDescFNext);
        f.expect_error("chained");
    }
    SECTION("indirect inside indirect") {
        PackedFixture f;
        VirtqPackedDesc t{kData + 0x2000, 16, 0, kDescFIndirect};
        std::memcpy(f.g.host(kData + 0x1000), &t, sizeof t);
        f.drv.add_raw(kData + 0x1000, 16, 0, kDescFIndirect);
        f.expect_error("inside an indirect table");
    }
    SECTION("buffer outside RAM") {
        PackedFixture f;
        f.drv.add({{kRamBase + kRamSize - 4, 8, true}}, 0);
        f.expect_error("outside guest RAM");
    }
    SECTION("readable after writable") {
        PackedFixture f;
        f.drv.add({{kData, 4, true}, {kData, 4, false}}, 0);
        f.expect_error("readable descriptor after");
    }
    SECTION("ring not in RAM") {
        GuestRam g;
        Virtqueue q(256);
        std::string err;
        q.set_size(6);  // packed sizes need not be powers of two
        q.desc_addr = kRamBase + kRamSize - 16;
        q.avail_addr = kRing;
        q.used_addr = kRing + 4;
        CHECK_FALSE(q.enable(g.mem, false, false, &err, true));
        q.reset();
        q.set_size(6);
        q.desc_addr = kRing;
        q.avail_addr = kRing + 0x100;
        q.used_addr = kRing + 0x104;
        CHECK(q.enable(g.mem, false, false, &err, true));
    }
}

TEST_CASE("packed ring: event suppression both ways", "[virtio][packed]") {
    PackedFixture f(8, true);
    auto one = [&]() {
        f.drv.add({{kData, 4, true}}, 1);
        VirtqElement e;
        REQUIRE(f.q.pop(&e, &f.err) == PR::Ok);
        f.q.push(e, 4);
        return f.q.should_notify();
    };
    f.drv.set_driver_event(0, kEventFlagsDisable);
    CHECK_FALSE(one());
    f.drv.set_driver_event(0, kEventFlagsEnable);
    CHECK(one());
    // Interrupt when the used position passes slot 4 of this lap.
    f.drv.set_driver_event(0x8000 | 4, kEventFlagsDesc);
    CHECK_FALSE(one());  // used 3
    CHECK_FALSE(one());  // used 4
    CHECK(one());        // used 5: passed 4
    // The device asks for kicks at its next available position.
    f.q.set_notification(false);
    CHECK(f.drv.device_flags() == kEventFlagsDisable);
    f.q.set_notification(true);
    CHECK(f.drv.device_flags() == kEventFlagsDesc);
    CHECK(f.drv.device_off_wrap() == (0x8000 | 5));
}

TEST_CASE("virtio-rng over virtio-mmio with a packed ring", "[virtio][packed]") {
    GuestRam g;
    VirtioMmio mmio("mmio", &g.as, IrqLine());
    auto rng = std::make_unique<VirtioRng>();
    rng->offer_packed_ring();
    VirtioRng* dev = rng.get();
    mmio.plug(std::move(rng));
    PackedDriver drv(g, kRing, 8);
    mmio.mmio_write(0x70, 3, 4);
    mmio.mmio_write(0x14, 1, 4);
    CHECK(mmio.mmio_read(0x10, 4) & (1u << (kFRingPacked - 32)));
    mmio.mmio_write(0x24, 1, 4);
    mmio.mmio_write(0x20, 1 | (1u << (kFRingPacked - 32)), 4);
    mmio.mmio_write(0x70, 0xb, 4);
    mmio.mmio_write(0x38, 8, 4);
    mmio.mmio_write(0x80, uint32_t(drv.desc_addr()), 4);
    mmio.mmio_write(0x90, uint32_t(drv.driver_addr()), 4);
    mmio.mmio_write(0xa0, uint32_t(drv.device_addr()), 4);
    mmio.mmio_write(0x44, 1, 4);
    mmio.mmio_write(0x70, 0xf, 4);
    REQUIRE(dev->has_feature(kFRingPacked));
    std::memset(g.host(kData), 0, 64);
    drv.add({{kData, 64, true}}, 5);
    mmio.mmio_write(0x50, 0, 4);
    uint16_t id;
    uint32_t len;
    REQUIRE(drv.used(0, true, &id, &len));
    CHECK(id == 5);
    CHECK(len == 64);
    CHECK(mmio.interrupt_status() & kIntUsedBuffer);
}

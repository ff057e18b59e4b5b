#include <catch2/catch.hpp>

#include "hw/virtio/virtqueue.h"
#include "tests/unit/virtio/guest_driver.h"

using namespace emu;
using namespace emu::test;
using namespace emu::virtio;
using PR = Virtqueue::PopResult;

namespace {

constexpr uint64_t kRing = kRamBase + 0x1000;
constexpr uint64_t kData = kRamBase + 0x100000;

struct QueueFixture {
    GuestRam g;
    RingDriver drv{g, kRing, 16};
    Virtqueue q{256};
    std::string err;

    explicit QueueFixture(bool event_idx = false, bool indirect = true) {
        q.set_size(16);
        q.desc_addr = drv.desc_addr();
        q.avail_addr = drv.avail_addr();
        q.used_addr = drv.used_addr();
        REQUIRE(q.enable(g.mem, event_idx, indirect, &err));
    }
    PR pop(VirtqElement* e) { return q.pop(e, &err); }
    // Expects the next pop to fail, with a reason containing `why`.
    void expect_error(const char* why) {
        VirtqElement e;
        CHECK(pop(&e) == PR::Error);
        CHECK_THAT(err, Catch::Contains(why));
        CHECK(q.broken());
        // A broken queue stays quiet until reset.
        CHECK(pop(&e) == PR::Empty);
    }
};

}  // namespace

TEST_CASE("a chain pops with its readable and writable parts, and is pushed back", "[virtio]") {
    QueueFixture f;
    VirtqElement e;
    CHECK(f.pop(&e) == PR::Empty);
    std::memcpy(f.g.host(kData), "hello", 5);
    uint16_t head =
        f.drv.add({{kData, 5, false}, {kData + 0x100, 3, false}, {kData + 0x200, 64, true}});
    REQUIRE(f.pop(&e) == PR::Ok);
    CHECK(e.head == head);
    REQUIRE(e.out.size() == 2);
    REQUIRE(e.in.size() == 1);
    CHECK(e.out_len == 8);
    CHECK(e.in_len == 64);
    CHECK(e.out[0].base == f.g.host(kData));
    char buf[5];
    CHECK(iov_to_buf(e.out, 0, buf, 5) == 5);
    CHECK(std::memcmp(buf, "hello", 5) == 0);
    CHECK(buf_to_iov(e.in, 60, "abcdef", 6) == 4);  // short at the end
    CHECK(std::memcmp(f.g.host(kData + 0x200 + 60), "abcd", 4) == 0);
    f.q.push(e, 64);
    CHECK(f.drv.used_idx() == 1);
    CHECK(f.drv.used(0).id == head);
    CHECK(f.drv.used(0).len == 64);
    CHECK(f.pop(&e) == PR::Empty);
}

TEST_CASE("indirect tables are followed", "[virtio]") {
    QueueFixture f;
    f.drv.add_indirect(kData + 0x1000, {{kData, 16, false}, {kData + 0x40, 1, true}});
    VirtqElement e;
    REQUIRE(f.pop(&e) == PR::Ok);
    CHECK(e.out_len == 16);
    CHECK(e.in_len == 1);
    CHECK(e.in[0].base == f.g.host(kData + 0x40));
}

TEST_CASE("a buffer over two adjacent RAM regions maps to two pieces", "[virtio]") {
    QueueFixture f;
    auto ram2 = MemoryRegion::ram("ram2", 0x1000);
    f.g.root->add_subregion(kRamBase + kRamSize, ram2.get());
    f.drv.add({{kRamBase + kRamSize - 0x10, 0x20, true}});
    VirtqElement e;
    REQUIRE(f.pop(&e) == PR::Ok);
    REQUIRE(e.in.size() == 2);
    CHECK(e.in[0].len == 0x10);
    CHECK(e.in[1].base == ram2->host_ptr());
    f.g.root->remove_subregion(ram2.get());
}

TEST_CASE("hostile chains are refused without touching memory outside RAM", "[virtio]") {
    SECTION("loop") {
        QueueFixture f;
        f.drv.write_desc(0, kData, 4, kDescFNext, 1);
        f.drv.write_desc(1, kData, 4, kDescFNext, 0);
        f.drv.publish(0);
        f.expect_error("loop");
    }
    SECTION("self loop in an indirect table") {
        QueueFixture f;
        virtio::VirtqDesc d{kData, 4, kDescFNext, 0};
        std::memcpy(f.g.host(kData + 0x1000), &d, 16);
        f.drv.write_desc(0, kData + 0x1000, 16, kDescFIndirect, 0);
        f.drv.publish(0);
        f.expect_error("loop");
    }
    SECTION("next out of range") {
        QueueFixture f;
        f.drv.write_desc(0, kData, 4, kDescFNext, 16);
        f.drv.publish(0);
        f.expect_error("out of range");
    }
    SECTION("head out of range") {
        QueueFixture f;
        f.drv.publish(200);
        f.expect_error("head");
    }
    SECTION("available index jumps past the queue size") {
        QueueFixture f;
        f.drv.set_avail_idx(17);
        f.expect_error("available index");
    }
    SECTION("buffer beyond the end of RAM") {
        QueueFixture f;
        f.drv.add({{kRamBase + kRamSize - 8, 16, true}});
        f.expect_error("outside guest RAM");
    }
    SECTION("buffer at an unmapped address") {
        QueueFixture f;
        f.drv.add({{0x1000, 16, false}});
        f.expect_error("outside guest RAM");
    }
    SECTION("buffer in MMIO") {
        QueueFixture f;
        struct Dev : MmioHandler {
            uint64_t mmio_read(uint64_t, unsigned) override { return 0; }
            void mmio_write(uint64_t, uint64_t, unsigned) override {}
        } dev;
        auto io = MemoryRegion::io("dev", 0x1000, &dev);
        f.g.root->add_subregion(0x9000000, io.get());
        f.drv.add({{0x9000000, 16, true}});
        f.expect_error("outside guest RAM");
        f.g.root->remove_subregion(io.get());
    }
    SECTION("address wrapping around 2^64") {
        QueueFixture f;
        f.drv.add({{~0ull - 4, 16, false}});
        f.expect_error("wraps");
    }
    SECTION("huge total length") {
        QueueFixture f;
        std::vector<Buf> bufs;
        for (int i = 0; i < 5; ++i)
            bufs.push_back({kRamBase, 0xffffffffu, false});
        f.drv.add(bufs);
        f.expect_error("longer than");
    }
    SECTION("one huge descriptor") {
        QueueFixture f;
        f.drv.add({{kRamBase, 0xffffffffu, false}});
        f.expect_error("longer than");
    }
    SECTION("readable after writable (write-only header)") {
        QueueFixture f;
        f.drv.add({{kData, 16, true}, {kData + 0x100, 16, false}});
        f.expect_error("readable descriptor after a device-writable");
    }
    SECTION("indirect inside indirect") {
        QueueFixture f;
        virtio::VirtqDesc d{kData + 0x2000, 16, kDescFIndirect, 0};
        std::memcpy(f.g.host(kData + 0x1000), &d, 16);
        f.drv.write_desc(0, kData + 0x1000, 16, kDescFIndirect, 0);
        f.drv.publish(0);
        f.expect_error("indirect descriptor inside an indirect table");
    }
    SECTION("indirect with NEXT") {
        QueueFixture f;
        f.drv.write_desc(0, kData + 0x1000, 16, kDescFIndirect | kDescFNext, 1);
        f.drv.publish(0);
        f.expect_error("NEXT");
    }
    SECTION("indirect table of bad length") {
        QueueFixture f;
        f.drv.write_desc(0, kData + 0x1000, 24, kDescFIndirect, 0);
        f.drv.publish(0);
        f.expect_error("indirect table length");
    }
    SECTION("indirect table larger than the queue") {
        QueueFixture f;
        f.drv.write_desc(0, kData + 0x1000, 16 * 17, kDescFIndirect, 0);
        f.drv.publish(0);
        f.expect_error("indirect table length");
    }
    SECTION("indirect table outside RAM") {
        QueueFixture f;
        f.drv.write_desc(0, kRamBase + kRamSize - 8, 16, kDescFIndirect, 0);
        f.drv.publish(0);
        f.expect_error("indirect table");
    }
    SECTION("indirect without the feature") {
        QueueFixture f(false, false);
        f.drv.add_indirect(kData + 0x1000, {{kData, 16, false}});
        f.expect_error("VIRTIO_F_INDIRECT_DESC");
    }
}

TEST_CASE("ring placement is checked when the queue is enabled", "[virtio]") {
    GuestRam g;
    Virtqueue q(256);
    std::string err;
    auto setup = [&](uint16_t size, uint64_t d, uint64_t a, uint64_t u) {
        q.reset();
        q.set_size(size);
        q.desc_addr = d;
        q.avail_addr = a;
        q.used_addr = u;
        err.clear();
        return q.enable(g.mem, false, false, &err);
    };
    CHECK(setup(16, kRing, kRing + 0x100, kRing + 0x200));
    CHECK_FALSE(setup(12, kRing, kRing + 0x100, kRing + 0x200));
    CHECK_THAT(err, Catch::Contains("power of two"));
    CHECK_FALSE(setup(512, kRing, kRing + 0x2000, kRing + 0x3000));
    CHECK_FALSE(setup(16, kRing + 8, kRing + 0x100, kRing + 0x200));
    CHECK_THAT(err, Catch::Contains("misaligned"));
    CHECK_FALSE(setup(16, kRing, kRing + 0x100, kRamBase + kRamSize - 8));
    CHECK_THAT(err, Catch::Contains("used ring"));
    CHECK_FALSE(setup(16, 0x1000, kRing + 0x100, kRing + 0x200));
    CHECK(q.broken());
    VirtqElement e;
    CHECK(q.pop(&e, &err) == PR::Empty);
}

TEST_CASE("notification suppression without event index", "[virtio]") {
    QueueFixture f;
    f.drv.add({{kData, 4, true}});
    VirtqElement e;
    REQUIRE(f.pop(&e) == PR::Ok);
    f.q.push(e, 4);
    CHECK(f.q.should_notify());
    f.drv.set_avail_flags(kAvailFNoInterrupt);
    f.q.push(e, 4);
    CHECK_FALSE(f.q.should_notify());
    f.q.set_notification(false);
    CHECK(f.drv.used_flags() == kUsedFNoNotify);
    f.q.set_notification(true);
    CHECK(f.drv.used_flags() == 0);
}

TEST_CASE("event index: interrupts only when used_event is crossed", "[virtio]") {
    QueueFixture f(true);
    VirtqElement e;
    for (int i = 0; i < 4; ++i)
        f.drv.add({{kData + 0x100u * i, 4, true}});
    // The device publishes how far it has consumed.
    REQUIRE(f.pop(&e) == PR::Ok);
    CHECK(f.drv.avail_event() == 1);
    // Driver wants an interrupt once the used index passes 2.
    f.drv.set_used_event(2);
    f.q.push(e, 4);              // used 1
    CHECK(f.q.should_notify());  // the first is always signalled
    REQUIRE(f.pop(&e) == PR::Ok);
    f.q.push(e, 4);  // used 2
    CHECK_FALSE(f.q.should_notify());
    REQUIRE(f.pop(&e) == PR::Ok);
    f.q.push(e, 4);  // used 3: crosses used_event 2
    CHECK(f.q.should_notify());
    REQUIRE(f.pop(&e) == PR::Ok);
    f.q.push(e, 4);  // used 4: used_event still 2, already passed
    CHECK_FALSE(f.q.should_notify());
    CHECK(f.drv.avail_event() == 4);
    // Without notifications wanted the device stops publishing avail_event.
    f.q.set_notification(false);
    f.drv.add({{kData, 4, true}});
    REQUIRE(f.pop(&e) == PR::Ok);
    CHECK(f.drv.avail_event() == 4);
    f.q.set_notification(true);
    CHECK(f.drv.avail_event() == 5);
    CHECK_FALSE(f.q.has_work());
    f.drv.add({{kData, 4, true}});
    CHECK(f.q.has_work());
}

TEST_CASE("a driver cannot make the device hold more than the queue size", "[virtio]") {
    QueueFixture f;
    // The same descriptor republished again and again while the device
    // still owns it.
    f.drv.write_desc(0, kData, 16, kDescFWrite, 0);
    std::vector<VirtqElement> held;
    for (int i = 0; i < 16; ++i) {
        f.drv.publish(0);
        VirtqElement e;
        REQUIRE(f.pop(&e) == PR::Ok);
        held.push_back(e);
    }
    f.drv.publish(0);
    VirtqElement e;
    CHECK(f.q.full());
    CHECK(f.q.has_work());
    CHECK(f.pop(&e) == PR::Empty);
    f.q.push(held.back(), 0);
    CHECK_FALSE(f.q.full());
    CHECK(f.pop(&e) == PR::Ok);
    CHECK_FALSE(f.q.broken());
}

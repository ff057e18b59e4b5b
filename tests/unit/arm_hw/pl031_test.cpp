#include "hw/rtc/pl031.h"

#include <catch2/catch.hpp>
#include <ctime>
#include <thread>

using namespace emu;

namespace {
struct Line : IrqSink {
    bool level = false;
    void set_irq(int, bool l) override { level = l; }
};
}  // namespace

TEST_CASE("pl031 counts host time and can be loaded", "[pl031]") {
    VirtualClock clock;
    Line irq;
    Pl031 rtc({&clock, IrqLine(&irq, 0), -1});
    int64_t now = std::time(nullptr);
    int64_t dr = rtc.mmio_read(0x00, 4);
    CHECK(dr >= now - 1);
    CHECK(dr <= now + 1);
    CHECK(rtc.mmio_read(0x0c, 4) == 1);
    CHECK(rtc.mmio_read(0xfe0, 4) == 0x31);
    rtc.mmio_write(0x08, 1000, 4);
    CHECK(rtc.mmio_read(0x08, 4) == 1000);
    int64_t after = rtc.mmio_read(0x00, 4);
    CHECK(after >= 1000);
    CHECK(after <= 1001);
}

TEST_CASE("pl031 raises its interrupt when the counter reaches MR", "[pl031]") {
    VirtualClock clock;
    Line irq;
    Pl031 rtc({&clock, IrqLine(&irq, 0), 5000});
    rtc.mmio_write(0x10, 1, 4);  // IMSC
    rtc.mmio_write(0x04, rtc.counter() + 1, 4);
    clock.run_expired();
    CHECK_FALSE(irq.level);
    for (int i = 0; i < 150 && !irq.level; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
        clock.run_expired();
    }
    CHECK(irq.level);
    CHECK(rtc.mmio_read(0x14, 4) == 1);
    CHECK(rtc.mmio_read(0x18, 4) == 1);
    rtc.mmio_write(0x1c, 1, 4);
    CHECK_FALSE(irq.level);
    rtc.mmio_write(0x10, 0, 4);
    CHECK(rtc.mmio_read(0x18, 4) == 0);
}

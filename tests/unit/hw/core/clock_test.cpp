#include "hw/core/clock.h"

#include <catch2/catch.hpp>
#include <thread>

#include "util/bql.h"

using namespace emu;

TEST_CASE("virtual clock stands still while stopped", "[clock]") {
    VirtualClock clock;
    clock.stop();
    int64_t a = clock.now_ns();
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    CHECK(clock.now_ns() == a);
    clock.start();
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
    CHECK(clock.now_ns() > a);
    // Stopped time is not counted: the clock did not jump by the 5 ms.
    CHECK(clock.now_ns() - a < 1'000'000'000);
}

TEST_CASE("timers fire in deadline order through the event loop", "[clock]") {
    EventLoop loop;
    VirtualClock clock(&loop);
    std::vector<int> order;
    Timer t1(&clock, [&] { order.push_back(1); });
    Timer t2(&clock, [&] {
        order.push_back(2);
        loop.request_exit(0);
    });
    Timer never(&clock, [&] { order.push_back(99); });
    int64_t now = clock.now_ns();
    t2.mod(now + 2'000'000);
    t1.mod(now + 1'000'000);
    never.mod(now + 60'000'000'000);
    never.cancel();
    CHECK_FALSE(never.pending());
    loop.run();
    REQUIRE(order == std::vector<int>{1, 2});
    CHECK_FALSE(t1.pending());
}

TEST_CASE("a timer re-armed from its callback fires again", "[clock]") {
    EventLoop loop;
    VirtualClock clock(&loop);
    int count = 0;
    Timer* self = nullptr;
    Timer t(&clock, [&] {
        if (++count == 3) {
            loop.request_exit(0);
        } else {
            self->mod(clock.now_ns() + 100'000);
        }
    });
    self = &t;
    t.mod(clock.now_ns());
    loop.run();
    CHECK(count == 3);
}

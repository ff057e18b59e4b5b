#include "util/event_loop.h"

#include <poll.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <thread>

#include "util/bql.h"

using namespace emu;

TEST_CASE("event loop: fd handler, deferred work from another thread, exit", "[event_loop]") {
    EventLoop loop;
    int p[2];
    REQUIRE(pipe(p) == 0);
    std::string got;
    loop.add_fd(p[0], POLLIN, [&](int fd, short) {
        char buf[16];
        ssize_t n = read(fd, buf, sizeof buf);
        if (n > 0) got.append(buf, size_t(n));
    });
    REQUIRE(write(p[1], "hi", 2) == 2);
    bool deferred_ran = false;
    std::thread t([&] {
        loop.defer([&] {
            deferred_ran = true;
            CHECK(bql_held());
        });
        loop.request_exit(7);
    });
    int status = loop.run();
    t.join();
    CHECK(status == 7);
    CHECK(deferred_ran);
    // The fd was readable before run(): it must have been serviced.
    {
        BqlGuard g;
        loop.run_once(0);
    }
    CHECK(got == "hi");
    close(p[0]);
    close(p[1]);
}

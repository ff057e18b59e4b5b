#include <atomic>
#include <catch2/catch.hpp>
#include <cerrno>
#include <vector>

#include "block/block_backend.h"
#include "block/raw/raw_driver.h"
#include "test_util.h"
#include "util/event_loop.h"

using namespace emu::block;

TEST_CASE("backend: completions run on the event loop thread", "[block][backend]") {
    test::TempDir d;
    std::string err;
    REQUIRE(RawDriver::create(d.file("a"), 1 << 20, "off", &err) == 0);
    auto drv = open_image(d.file("a"), OpenOptions{}, &err);
    REQUIRE(drv);
    emu::EventLoop loop;
    BlockBackend be(std::move(drv), &loop, 2);

    std::vector<std::vector<uint8_t>> bufs(16);
    int done = 0, failed = 0;
    for (int i = 0; i < 16; i++) {
        bufs[i].assign(4096, static_cast<uint8_t>(i + 1));
        BlockRequest r;
        r.op = BlockOp::Write;
        r.offset = static_cast<uint64_t>(i) * 4096;
        r.iov = {{bufs[i].data(), bufs[i].size()}};
        // The callback touches unsynchronised state: only safe on the loop thread.
        be.submit(std::move(r), [&](int ret) {
            done++;
            if (ret) failed++;
        });
    }
    BlockRequest bad;
    bad.op = BlockOp::Read;
    bad.offset = (1 << 20) - 1;
    std::vector<uint8_t> small(2);
    bad.iov = {{small.data(), 2}};
    int bad_ret = 0;
    be.submit(std::move(bad), [&](int ret) {
        bad_ret = ret;
        done++;
    });
    be.drain();
    for (int i = 0; i < 100 && done < 17; i++)
        loop.run_once(10'000'000);
    CHECK(done == 17);
    CHECK(failed == 0);
    CHECK(bad_ret == -EINVAL);

    std::vector<uint8_t> back(4096);
    REQUIRE(be.driver().pread(5 * 4096, back.data(), back.size()) == 0);
    CHECK(back[0] == 6);
    CHECK(back[4095] == 6);
}

TEST_CASE("backend: read-only backends fail writes with EROFS", "[block][backend]") {
    test::TempDir d;
    std::string err;
    REQUIRE(RawDriver::create(d.file("a"), 65536, "off", &err) == 0);
    OpenOptions o;
    o.read_only = true;
    BlockBackend be(open_image(d.file("a"), o, &err), nullptr, 1);
    std::atomic<int> ret{1};
    BlockRequest r;
    r.op = BlockOp::Discard;
    r.offset = 0;
    r.bytes = 512;
    be.submit(std::move(r), [&](int x) { ret = x; });
    be.drain();
    CHECK(ret == -EROFS);
}

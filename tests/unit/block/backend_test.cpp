#include <algorithm>
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

#include "block/qcow2/qcow2.h"

TEST_CASE("backend: concurrent requests on a qcow2 image", "[block][backend][qcow2]") {
    test::TempDir d;
    std::string err;
    qcow2::CreateOptions co;
    co.size = 8 << 20;
    co.cluster_bits = 12;
    REQUIRE(qcow2::Qcow2Image::create(d.file("c.qcow2"), co, &err) == 0);
    OpenOptions o;
    o.cache = CacheMode::Unsafe;
    BlockBackend be(open_image(d.file("c.qcow2"), o, &err), nullptr, 4);
    // 64 regions of 128 KiB, each written with its own pattern at odd
    // offsets and lengths, interleaved with reads, zeroes and flushes.
    const int regions = 64;
    const uint64_t rsize = 128 << 10;
    std::vector<std::vector<uint8_t>> data(regions);
    std::atomic<int> errors{0};
    for (int round = 0; round < 3; round++) {
        for (int i = 0; i < regions; i++) {
            data[i].assign(rsize - 1000, static_cast<uint8_t>(i * 3 + round + 1));
            BlockRequest w;
            w.op = BlockOp::Write;
            w.offset = i * rsize + 500;
            w.iov = {{data[i].data(), 7000}, {data[i].data() + 7000, data[i].size() - 7000}};
            be.submit(std::move(w), [&](int r) { errors += r != 0; });
            if (i % 16 == 0) {
                BlockRequest f;
                f.op = BlockOp::Flush;
                be.submit(std::move(f), [&](int r) { errors += r != 0; });
            }
        }
        be.drain();
    }
    std::vector<std::vector<uint8_t>> back(regions, std::vector<uint8_t>(rsize));
    for (int i = 0; i < regions; i++) {
        BlockRequest r;
        r.op = BlockOp::Read;
        r.offset = i * rsize;
        r.iov = {{back[i].data(), rsize}};
        be.submit(std::move(r), [&](int x) { errors += x != 0; });
    }
    be.drain();
    CHECK(errors == 0);
    for (int i = 0; i < regions; i++) {
        CHECK(back[i][499] == 0);
        CHECK(back[i][500] == data[i][0]);
        CHECK(back[i][rsize - 501] == data[i][0]);
        CHECK(back[i][rsize - 500] == 0);
    }
    auto& q = dynamic_cast<qcow2::Qcow2Image&>(be.driver());
    REQUIRE(q.flush() == 0);
    auto res = q.check(qcow2::RepairMode::None);
    CHECK(res.corruptions == 0);
    CHECK(res.leaks == 0);
}

TEST_CASE("backend: snapshots taken while writes are in flight stay consistent",
          "[block][backend][qcow2]") {
    test::TempDir d;
    std::string err;
    qcow2::CreateOptions co;
    co.size = 4 << 20;
    co.cluster_bits = 12;
    REQUIRE(qcow2::Qcow2Image::create(d.file("s.qcow2"), co, &err) == 0);
    OpenOptions o;
    o.cache = CacheMode::Unsafe;
    BlockBackend be(open_image(d.file("s.qcow2"), o, &err), nullptr, 4);
    auto& q = dynamic_cast<qcow2::Qcow2Image&>(be.driver());
    std::vector<uint8_t> a(co.size, 0x0a);
    REQUIRE(q.pwrite(0, a.data(), a.size()) == 0);  // every cluster allocated
    // Block-sized overwrites with pattern 0x0b race with snapshot creation.
    std::vector<uint8_t> b(4096, 0x0b);
    std::atomic<int> errors{0};
    for (int i = 0; i < 1024; i++) {
        BlockRequest w;
        w.op = BlockOp::Write;
        w.offset = static_cast<uint64_t>(i) * 4096;
        w.iov = {{b.data(), b.size()}};
        be.submit(std::move(w), [&](int r) { errors += r != 0; });
        if (i == 300) REQUIRE(q.snapshot_create("mid", &err) == 0);
    }
    be.drain();
    CHECK(errors == 0);
    std::vector<uint8_t> now(co.size);
    REQUIRE(q.pread(0, now.data(), now.size()) == 0);
    CHECK(std::all_of(now.begin(), now.end(), [](uint8_t x) { return x == 0x0b; }));
    REQUIRE(q.snapshot_apply("mid", &err) == 0);
    REQUIRE(q.pread(0, now.data(), now.size()) == 0);
    // Each block of the snapshot is wholly old or wholly new.
    for (size_t blk = 0; blk < now.size(); blk += 4096) {
        const uint8_t first = now[blk];
        REQUIRE((first == 0x0a || first == 0x0b));
        REQUIRE(std::all_of(now.begin() + blk, now.begin() + blk + 4096,
                            [&](uint8_t x) { return x == first; }));
    }
    REQUIRE(q.flush() == 0);
    auto res = q.check(qcow2::RepairMode::None);
    CHECK(res.corruptions == 0);
    CHECK(res.leaks == 0);
}

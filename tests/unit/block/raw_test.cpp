#include <catch2/catch.hpp>
#include <cerrno>
#include <cstring>
#include <vector>

#include "block/block_driver.h"
#include "block/raw/raw_driver.h"
#include "test_util.h"

using namespace emu::block;

TEST_CASE("raw: create, write, read back, sizes and bounds", "[block][raw]") {
    test::TempDir d;
    std::string err;
    std::string p = d.file("a.raw");
    REQUIRE(RawDriver::create(p, 1 << 20, "off", &err) == 0);
    auto drv = open_image(p, OpenOptions{}, &err);
    REQUIRE(drv);
    CHECK(drv->format_name() == "raw");
    CHECK(drv->size() == (1u << 20));

    std::vector<uint8_t> a(4096, 0xab), b(8192, 0);
    IoVec v[2] = {{a.data(), 1000}, {a.data() + 1000, 3096}};
    REQUIRE(drv->pwritev(12345, IoVecSpan(v, 2)) == 0);
    REQUIRE(drv->pread(12345 - 100, b.data(), 4296) == 0);
    CHECK(b[99] == 0);
    CHECK(b[100] == 0xab);
    CHECK(b[4195] == 0xab);
    CHECK(b[4196] == 0);
    CHECK(drv->pread((1 << 20) - 10, b.data(), 11) == -EINVAL);

    BlockStatus st;
    REQUIRE(drv->block_status(512 * 1024, 4096, &st) == 0);
    CHECK((st.flags & BLOCK_STATUS_ZERO));

    REQUIRE(drv->write_zeroes(12345, 100, true) == 0);
    REQUIRE(drv->pread(12345, b.data(), 200) == 0);
    CHECK(b[0] == 0);
    CHECK(b[99] == 0);
    CHECK(b[100] == 0xab);

    REQUIRE(drv->truncate(2 << 20) == 0);
    CHECK(drv->size() == (2u << 20));
}

TEST_CASE("raw: read-only images refuse writes", "[block][raw]") {
    test::TempDir d;
    std::string err;
    std::string p = d.file("ro.raw");
    REQUIRE(RawDriver::create(p, 65536, "off", &err) == 0);
    OpenOptions o;
    o.read_only = true;
    auto drv = open_image(p, o, &err);
    REQUIRE(drv);
    uint8_t x = 1;
    CHECK(drv->pwrite(0, &x, 1) == -EROFS);
    CHECK(drv->discard(0, 512) == -EROFS);
}

TEST_CASE("open_image: missing file and unknown format give clear errors", "[block]") {
    std::string err;
    CHECK(!open_image("/nonexistent/x.img", OpenOptions{}, &err));
    CHECK(err.find("/nonexistent/x.img") != std::string::npos);
    test::TempDir d;
    REQUIRE(RawDriver::create(d.file("f"), 512, "off", &err) == 0);
    OpenOptions o;
    o.format = "vmdk";
    CHECK(!open_image(d.file("f"), o, &err));
    CHECK(err.find("vmdk") != std::string::npos);
}

TEST_CASE("cache modes parse like QEMU's", "[block]") {
    CacheMode m;
    CHECK(parse_cache_mode("none", &m));
    CHECK(m == CacheMode::None);
    CHECK(parse_cache_mode("unsafe", &m));
    CHECK(m == CacheMode::Unsafe);
    CHECK(!parse_cache_mode("fast", &m));
}

TEST_CASE("raw: cache=none handles unaligned buffers and offsets", "[block][raw]") {
    test::TempDir d;
    std::string err;
    std::string p = d.file("direct.raw");
    REQUIRE(RawDriver::create(p, 1 << 20, "off", &err) == 0);
    OpenOptions o;
    o.cache = CacheMode::None;
    auto drv = open_image(p, o, &err);
    if (!drv) {
        // tmpfs and some other file systems have no O_DIRECT.
        CHECK(err.find("O_DIRECT") != std::string::npos);
        return;
    }
    std::vector<uint8_t> buf(10007);
    for (size_t i = 0; i < buf.size(); i++)
        buf[i] = static_cast<uint8_t>(i * 7);
    REQUIRE(drv->pwrite(4097, buf.data() + 1, 9000) == 0);
    std::vector<uint8_t> back(9002, 0xee);
    REQUIRE(drv->pread(4096, back.data() + 1, 9001) == 0);
    CHECK(back[1] == 0);
    for (size_t i = 0; i < 9000; i++)
        REQUIRE(back[2 + i] == buf[1 + i]);
    REQUIRE(drv->flush() == 0);
}

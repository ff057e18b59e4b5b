#include <catch2/catch.hpp>

#include "block/drive.h"
#include "block/raw/raw_driver.h"
#include "test_util.h"

using namespace emu::block;

static DriveConfig parse_ok(const char* text, bool snap = false) {
    std::string err;
    auto kv = emu::KeyValueList::parse(text, "", &err);
    REQUIRE(kv);
    DriveConfig c;
    INFO(err);
    REQUIRE(parse_drive(*kv, snap, &c, &err));
    return c;
}

static std::string parse_err(const char* text) {
    std::string err;
    auto kv = emu::KeyValueList::parse(text, "", &err);
    REQUIRE(kv);
    DriveConfig c;
    CHECK(!parse_drive(*kv, false, &c, &err));
    return err;
}

TEST_CASE("drive: -drive options", "[block][drive]") {
    auto c = parse_ok("file=a.qcow2,format=qcow2,if=virtio,id=d0,cache=none,discard=unmap");
    CHECK(c.file == "a.qcow2");
    CHECK(c.interface == "virtio");
    CHECK(c.id == "d0");
    CHECK(c.open.cache == CacheMode::None);
    CHECK(c.open.discard_unmap);
    CHECK(!c.open.snapshot);
    CHECK(parse_ok("file=x", true).open.snapshot);  // -snapshot
    CHECK(!parse_ok("file=x,snapshot=off", true).open.snapshot);
    CHECK(parse_ok("file=x,readonly=on").open.read_only);
    CHECK(parse_ok("file=x,cache=writethrough,cache.direct=on").open.cache ==
          CacheMode::DirectSync);
    CHECK(!parse_ok("file=x").open.discard_unmap);  // QEMU's default: discard=ignore
    CHECK(parse_err("file=x,cache=fast").find("cache=fast") != std::string::npos);
    CHECK(parse_err("file=x,format=vmdk").find("vmdk") != std::string::npos);
    CHECK(parse_err("file=x,if=usb").find("if=usb") != std::string::npos);
    CHECK(parse_err("file=x,bogus=1").find("bogus") != std::string::npos);
    CHECK(parse_err("format=raw").find("file=") != std::string::npos);
}

TEST_CASE("drive: -drive opens the image with its options", "[block][drive]") {
    test::TempDir d;
    std::string err;
    REQUIRE(RawDriver::create(d.file("disk.raw"), 65536, "off", &err) == 0);
    std::string text = "file=" + d.file("disk.raw") + ",format=raw,readonly=on";
    auto kv = emu::KeyValueList::parse(text, "", &err);
    DriveConfig c;
    REQUIRE(parse_drive(*kv, false, &c, &err));
    auto drv = open_drive(c, &err);
    REQUIRE(drv);
    CHECK(drv->read_only());
    CHECK(drv->size() == 65536);
    c.file = d.file("missing.raw");
    CHECK(!open_drive(c, &err));
    CHECK(err.find("missing.raw") != std::string::npos);
}

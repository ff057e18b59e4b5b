#include <catch2/catch.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "block/block_backend.h"
#include "hw/virtio/virtio_blk.h"
#include "hw/virtio/virtio_mmio.h"
#include "tests/unit/virtio/guest_driver.h"
#include "util/event_loop.h"

using namespace emu;
using namespace emu::test;
using namespace emu::virtio;

namespace {

constexpr uint64_t kSlot = 0x0a000000;
constexpr uint64_t kRing = kRamBase + 0x1000;
constexpr uint64_t kHdr = kRamBase + 0x10000;   // request headers, 32 bytes apart
constexpr uint64_t kStat = kRamBase + 0x20000;  // status bytes
constexpr uint64_t kData = kRamBase + 0x100000;
constexpr uint64_t kDiskSize = 1 << 20;

struct TempImage {
    std::string dir, path;
    explicit TempImage(uint64_t size) {
        char tmpl[] = "/tmp/emu-virtio-blk-XXXXXX";
        char* p = mkdtemp(tmpl);
        REQUIRE(p);
        dir = p;
        path = dir + "/disk.raw";
        int fd = ::open(path.c_str(), O_CREAT | O_RDWR, 0600);
        REQUIRE(fd >= 0);
        REQUIRE(ftruncate(fd, off_t(size)) == 0);
        ::close(fd);
    }
    ~TempImage() {
        std::error_code ec;
        std::filesystem::remove_all(dir, ec);
    }
    std::vector<uint8_t> read(uint64_t off, size_t len) {
        std::vector<uint8_t> v(len);
        int fd = ::open(path.c_str(), O_RDONLY);
        REQUIRE(::pread(fd, v.data(), len, off_t(off)) == ssize_t(len));
        ::close(fd);
        return v;
    }
};

struct BlkFixture {
    TempImage img{kDiskSize};
    EventLoop loop;
    GuestRam g;
    VirtioMmio mmio{"virtio-mmio", &g.as, IrqLine()};
    VirtioBlk* blk = nullptr;
    RingDriver drv{g, kRing, 64};
    unsigned next_req = 0;

    explicit BlkFixture(bool read_only = false, const char* serial = "disk-serial-0123") {
        block::OpenOptions o;
        o.format = "raw";
        o.read_only = read_only;
        std::string err;
        auto drv_ = block::open_image(img.path, o, &err);
        REQUIRE(drv_);
        auto backend = std::make_unique<block::BlockBackend>(std::move(drv_), &loop, 2);
        VirtioBlkConfig cfg;
        cfg.serial = serial;
        auto dev = std::make_unique<VirtioBlk>("virtio-blk", std::move(backend), cfg);
        blk = dev.get();
        mmio.plug(std::move(dev));
        init();
    }
    void init() {
        mmio.mmio_write(0x70, kStatusAcknowledge | kStatusDriver, 4);
        mmio.mmio_write(0x24, 0, 4);
        mmio.mmio_write(0x20, mmio.mmio_read(0x10, 4), 4);  // take everything
        mmio.mmio_write(0x24, 1, 4);
        mmio.mmio_write(0x20, 1, 4);
        mmio.mmio_write(0x70, kStatusAcknowledge | kStatusDriver | kStatusFeaturesOk, 4);
        mmio.mmio_write(0x38, drv.size(), 4);
        mmio.mmio_write(0x80, uint32_t(drv.desc_addr()), 4);
        mmio.mmio_write(0x90, uint32_t(drv.avail_addr()), 4);
        mmio.mmio_write(0xa0, uint32_t(drv.used_addr()), 4);
        mmio.mmio_write(0x44, 1, 4);
        mmio.mmio_write(0x70, 0xf, 4);
    }
    // Queues a request; returns its index (status at kStat + index).
    unsigned request(uint32_t type, uint64_t sector, std::vector<Buf> data,
                     bool with_status = true) {
        unsigned i = next_req++;
        uint64_t h = kHdr + 32 * i;
        g.put<uint32_t>(h, type);
        g.put<uint32_t>(h + 4, 0);
        g.put<uint64_t>(h + 8, sector);
        g.put<uint8_t>(kStat + i, 0xee);
        std::vector<Buf> bufs{{h, 16, false}};
        bufs.insert(bufs.end(), data.begin(), data.end());
        if (with_status) bufs.push_back({kStat + i, 1, true});
        drv.add(bufs);
        return i;
    }
    void kick() { mmio.mmio_write(0x50, 0, 4); }
    // Runs the main loop until `n` requests are used (or a timeout).
    void wait_used(uint16_t n) {
        for (int i = 0; i < 2000 && drv.used_idx() < n; ++i)
            loop.run_once(1000000);
        REQUIRE(drv.used_idx() == n);
    }
    uint8_t status(unsigned i) { return g.get<uint8_t>(kStat + i); }
};

uint64_t cfg64(VirtioMmio& m, unsigned off) {
    return m.mmio_read(0x100 + off, 4) | (m.mmio_read(0x100 + off + 4, 4) << 32);
}

}  // namespace

TEST_CASE("virtio-blk config space describes the disk", "[virtio][blk]") {
    BlkFixture f;
    CHECK(f.mmio.mmio_read(8, 4) == kIdBlock);
    CHECK(cfg64(f.mmio, 0) == kDiskSize / 512);
    CHECK(f.mmio.mmio_read(0x100 + 20, 4) == 512);  // blk_size
    CHECK(f.mmio.mmio_read(0x100 + 12, 4) == 254);  // seg_max
    CHECK(f.blk->has_feature(VirtioBlk::kFFlush));
    CHECK(f.blk->has_feature(VirtioBlk::kFDiscard));
    CHECK_FALSE(f.blk->has_feature(VirtioBlk::kFRo));
}

TEST_CASE("virtio-blk writes reach the image and read back", "[virtio][blk]") {
    BlkFixture f;
    for (int i = 0; i < 2048; ++i)
        f.g.host(kData)[i] = uint8_t(i * 7 + 1);
    // Data split over two descriptors.
    unsigned w =
        f.request(VirtioBlk::kTOut, 8, {{kData, 1024, false}, {kData + 1024, 1024, false}});
    f.kick();
    f.wait_used(1);
    CHECK(f.status(w) == VirtioBlk::kSOk);
    CHECK(f.drv.used(0).len == 1);
    auto disk = f.img.read(8 * 512, 2048);
    CHECK(std::memcmp(disk.data(), f.g.host(kData), 2048) == 0);

    unsigned r = f.request(VirtioBlk::kTIn, 9, {{kData + 0x10000, 1024, true}});
    f.kick();
    f.wait_used(2);
    CHECK(f.status(r) == VirtioBlk::kSOk);
    CHECK(f.drv.used(1).len == 1025);
    CHECK(std::memcmp(f.g.host(kData + 0x10000), f.g.host(kData + 512), 1024) == 0);

    unsigned fl = f.request(VirtioBlk::kTFlush, 0, {});
    f.kick();
    f.wait_used(3);
    CHECK(f.status(fl) == VirtioBlk::kSOk);
}

TEST_CASE("virtio-blk keeps several requests in flight", "[virtio][blk]") {
    BlkFixture f;
    for (unsigned i = 0; i < 8; ++i) {
        std::memset(f.g.host(kData + 4096 * i), int('a' + i), 4096);
        f.request(VirtioBlk::kTOut, 8 * i, {{kData + 4096 * i, 4096, false}});
    }
    f.kick();
    // Completions run on the main loop only, so all eight are outstanding.
    CHECK(f.blk->requests_in_flight() == 8);
    CHECK(f.drv.used_idx() == 0);
    f.wait_used(8);
    CHECK(f.blk->requests_in_flight() == 0);
    for (unsigned i = 0; i < 8; ++i) {
        CHECK(f.status(i) == VirtioBlk::kSOk);
        auto d = f.img.read(4096 * i, 4096);
        CHECK(d[0] == 'a' + i);
        CHECK(d[4095] == 'a' + i);
    }
}

TEST_CASE("virtio-blk get-id, unsupported and bad requests", "[virtio][blk]") {
    BlkFixture f;
    unsigned id = f.request(VirtioBlk::kTGetId, 0, {{kData, 20, true}});
    unsigned un = f.request(99, 0, {});
    unsigned past = f.request(VirtioBlk::kTIn, kDiskSize / 512 - 1, {{kData, 1024, true}});
    unsigned odd = f.request(VirtioBlk::kTOut, 0, {{kData, 100, false}});
    unsigned huge = f.request(VirtioBlk::kTIn, ~0ull / 2, {{kData, 512, true}});
    f.kick();
    f.wait_used(5);
    CHECK(f.status(id) == VirtioBlk::kSOk);
    CHECK(std::string(reinterpret_cast<char*>(f.g.host(kData)), 16) == "disk-serial-0123");
    CHECK(f.g.host(kData)[16] == 0);
    CHECK(f.drv.used(0).len == 21);
    CHECK(f.status(un) == VirtioBlk::kSUnsupp);
    CHECK(f.status(past) == VirtioBlk::kSIoErr);
    CHECK(f.status(odd) == VirtioBlk::kSIoErr);
    CHECK(f.status(huge) == VirtioBlk::kSIoErr);
    CHECK_FALSE(f.blk->status() & kStatusNeedsReset);
}

TEST_CASE("virtio-blk write-zeroes and discard", "[virtio][blk]") {
    BlkFixture f;
    std::memset(f.g.host(kData), 0x5a, 8192);
    f.request(VirtioBlk::kTOut, 0, {{kData, 8192, false}});
    f.kick();
    f.wait_used(1);
    // Two segments: sectors 1..2 and 10..11, the second with unmap.
    uint64_t seg = kData + 0x8000;
    f.g.put<uint64_t>(seg, 1);
    f.g.put<uint32_t>(seg + 8, 2);
    f.g.put<uint32_t>(seg + 12, 0);
    f.g.put<uint64_t>(seg + 16, 10);
    f.g.put<uint32_t>(seg + 24, 2);
    f.g.put<uint32_t>(seg + 28, 1);
    unsigned wz = f.request(VirtioBlk::kTWriteZeroes, 0, {{seg, 32, false}});
    // Discard with the unmap flag is not allowed; past the end is an error.
    uint64_t bad = kData + 0x9000;
    f.g.put<uint64_t>(bad, 0);
    f.g.put<uint32_t>(bad + 8, 1);
    f.g.put<uint32_t>(bad + 12, 1);
    unsigned du = f.request(VirtioBlk::kTDiscard, 0, {{bad, 16, false}});
    uint64_t past = kData + 0xa000;
    f.g.put<uint64_t>(past, kDiskSize / 512 - 1);
    f.g.put<uint32_t>(past + 8, 2);
    f.g.put<uint32_t>(past + 12, 0);
    unsigned dp = f.request(VirtioBlk::kTDiscard, 0, {{past, 16, false}});
    unsigned dshort = f.request(VirtioBlk::kTDiscard, 0, {{past, 12, false}});
    uint64_t ok = kData + 0xb000;
    f.g.put<uint64_t>(ok, 100);
    f.g.put<uint32_t>(ok + 8, 8);
    f.g.put<uint32_t>(ok + 12, 0);
    unsigned dok = f.request(VirtioBlk::kTDiscard, 0, {{ok, 16, false}});
    f.kick();
    f.wait_used(6);
    CHECK(f.status(wz) == VirtioBlk::kSOk);
    CHECK(f.status(du) == VirtioBlk::kSUnsupp);
    CHECK(f.status(dp) == VirtioBlk::kSIoErr);
    CHECK(f.status(dshort) == VirtioBlk::kSIoErr);
    CHECK(f.status(dok) == VirtioBlk::kSOk);
    auto d = f.img.read(0, 8192);
    CHECK(d[511] == 0x5a);
    CHECK(d[512] == 0);
    CHECK(d[3 * 512 - 1] == 0);
    CHECK(d[3 * 512] == 0x5a);
    CHECK(d[10 * 512] == 0);
    CHECK(d[12 * 512 - 1] == 0);
    CHECK(d[12 * 512] == 0x5a);
}

TEST_CASE("virtio-blk on a read-only image refuses writes", "[virtio][blk]") {
    BlkFixture f(true);
    CHECK(f.blk->has_feature(VirtioBlk::kFRo));
    CHECK_FALSE(f.blk->has_feature(VirtioBlk::kFDiscard));
    std::memset(f.g.host(kData), 1, 512);
    unsigned w = f.request(VirtioBlk::kTOut, 0, {{kData, 512, false}});
    unsigned r = f.request(VirtioBlk::kTIn, 0, {{kData, 512, true}});
    f.kick();
    f.wait_used(2);
    CHECK(f.status(w) == VirtioBlk::kSIoErr);
    CHECK(f.status(r) == VirtioBlk::kSOk);
    CHECK(f.img.read(0, 1)[0] == 0);
}

TEST_CASE("virtio-blk: a request without a status byte needs a reset", "[virtio][blk]") {
    BlkFixture f;
    f.request(VirtioBlk::kTIn, 0, {}, false);
    f.kick();
    CHECK(f.blk->status() & kStatusNeedsReset);
    // A header that is device-writable is refused by the queue itself.
    BlkFixture h;
    h.drv.add({{kHdr, 16, true}, {kStat, 1, true}});
    h.kick();
    CHECK(h.blk->status() & kStatusNeedsReset);
}

TEST_CASE("virtio-blk reset with requests in flight drops their completions", "[virtio][blk]") {
    BlkFixture f;
    for (unsigned i = 0; i < 4; ++i)
        f.request(VirtioBlk::kTIn, i, {{kData + 512 * i, 512, true}});
    f.kick();
    f.mmio.mmio_write(0x70, 0, 4);
    for (int i = 0; i < 20; ++i)
        f.loop.run_once(1000000);
    CHECK(f.drv.used_idx() == 0);
    CHECK(f.blk->requests_in_flight() == 0);
    // The device works again after re-initialisation.
    f.drv.clear();
    f.next_req = 0;
    f.init();
    unsigned r = f.request(VirtioBlk::kTIn, 0, {{kData, 512, true}});
    f.kick();
    f.wait_used(1);
    CHECK(f.status(r) == VirtioBlk::kSOk);
}

TEST_CASE("virtio-blk: republished descriptors cannot pile up requests", "[virtio][blk]") {
    BlkFixture f;
    unsigned r = f.request(VirtioBlk::kTIn, 0, {{kData, 512, true}});
    (void)r;
    // 63 more copies of the same chain (head 0), then 64 more.
    for (int i = 0; i < 63; ++i)
        f.drv.publish(0);
    f.kick();
    CHECK(f.blk->requests_in_flight() == 64);
    for (int i = 0; i < 64; ++i)
        f.drv.publish(0);
    f.kick();
    CHECK(f.blk->requests_in_flight() == 64);
    // As completions free places the rest is served.
    f.wait_used(128);
    CHECK(f.blk->requests_in_flight() == 0);
    CHECK_FALSE(f.blk->status() & kStatusNeedsReset);
}

#include <catch2/catch.hpp>
#include <cerrno>
#include <cstring>
#include <random>
#include <vector>

#include "block/block_driver.h"
#include "block/qcow2/qcow2.h"
#include "block/qcow2/qcow2_format.h"
#include "block/raw/raw_driver.h"
#include "test_util.h"

using namespace emu::block;
using namespace emu::block::qcow2;

namespace {

// cache=unsafe: the same ordering code runs, without waiting for fdatasync.
std::unique_ptr<BlockDriver> open_rw(const std::string& p, CacheMode cache = CacheMode::Unsafe) {
    std::string err;
    OpenOptions o;
    o.cache = cache;
    auto d = open_image(p, o, &err);
    INFO(err);
    REQUIRE(d);
    return d;
}

Qcow2Image& q(BlockDriver& d) {
    auto* p = dynamic_cast<Qcow2Image*>(&d);
    REQUIRE(p);
    return *p;
}

void expect_clean(BlockDriver& d) {
    CheckResult r = q(d).check(RepairMode::None);
    for (auto& m : r.messages)
        UNSCOPED_INFO(m);
    CHECK(r.corruptions == 0);
    CHECK(r.leaks == 0);
    CHECK(!r.check_errors);
}

// Random writes, discards and zeroes against an in-memory model.
void model_test(uint32_t version, uint32_t cluster_bits, bool with_backing, uint32_t seed,
                CacheMode cache = CacheMode::Unsafe) {
    test::TempDir dir;
    std::string err;
    const uint64_t size = 2 << 20;
    std::vector<uint8_t> model(size, 0);
    std::mt19937 rng(seed);
    CreateOptions co;
    co.size = size;
    co.version = version;
    co.cluster_bits = cluster_bits;
    if (with_backing) {
        REQUIRE(RawDriver::create(dir.file("base.raw"), size - 4096, "off", &err) == 0);
        auto b = open_rw(dir.file("base.raw"));
        for (uint64_t i = 0; i < size - 4096; i++)
            model[i] = static_cast<uint8_t>(rng());
        REQUIRE(b->pwrite(0, model.data(), size - 4096) == 0);
        co.backing_file = "base.raw";
        co.backing_format = "raw";
    }
    REQUIRE(Qcow2Image::create(dir.file("t.qcow2"), co, &err) == 0);
    auto d = open_rw(dir.file("t.qcow2"), cache);
    REQUIRE(d->size() == size);
    std::vector<uint8_t> buf;
    for (int op = 0; op < 300; op++) {
        const uint64_t len = rng() % 3 == 0 ? rng() % 200000 + 1 : rng() % 9000 + 1;
        const uint64_t off = rng() % (size - len);
        const int kind = static_cast<int>(rng() % 10);
        if (kind < 6) {
            buf.resize(len);
            for (auto& b : buf)
                b = static_cast<uint8_t>(rng());
            // Split into two iovecs to exercise the vectored path.
            IoVec v[2] = {{buf.data(), len / 3}, {buf.data() + len / 3, len - len / 3}};
            REQUIRE(d->pwritev(off, IoVecSpan(v, 2)) == 0);
            std::memcpy(&model[off], buf.data(), len);
        } else if (kind < 8) {
            REQUIRE(d->write_zeroes(off, len, rng() % 2) == 0);
            std::memset(&model[off], 0, len);
        } else if (kind == 8) {
            REQUIRE(d->discard(off, len) == 0);
            // Discarded whole clusters read as zeroes (or stay, for v2 with a
            // backing file); re-read the model from the image only there.
            std::vector<uint8_t> now(len);
            REQUIRE(d->pread(off, now.data(), len) == 0);
            for (uint64_t i = 0; i < len; i++) {
                if (now[i] != model[off + i]) {
                    REQUIRE(now[i] == 0);
                    model[off + i] = 0;
                }
            }
        } else {
            REQUIRE(d->flush() == 0);
        }
        if (op % 50 == 49) {
            std::vector<uint8_t> all(size);
            REQUIRE(d->pread(0, all.data(), size) == 0);
            REQUIRE(all == model);
        }
    }
    REQUIRE(d->flush() == 0);
    expect_clean(*d);
    d.reset();
    auto d2 = open_rw(dir.file("t.qcow2"));
    std::vector<uint8_t> all(size);
    REQUIRE(d2->pread(0, all.data(), size) == 0);
    CHECK(all == model);
    expect_clean(*d2);
}

}  // namespace

TEST_CASE("qcow2: random I/O matches a model", "[block][qcow2]") {
    uint32_t seed = 1;
    for (uint32_t version : {2u, 3u}) {
        for (uint32_t bits : {9u, 12u, 16u}) {
            for (bool backing : {false, true}) {
                DYNAMIC_SECTION("v" << version << " cluster 2^" << bits << " backing " << backing) {
                    model_test(version, bits, backing, seed++);
                }
            }
        }
    }
}

TEST_CASE("qcow2: cache=none (O_DIRECT) and writethrough", "[block][qcow2]") {
    model_test(3, 16, true, 99, CacheMode::None);
    model_test(3, 12, false, 98, CacheMode::Writethrough);
}

TEST_CASE("qcow2: every refcount width", "[block][qcow2]") {
    for (uint32_t order = 0; order <= 6; order++) {
        std::vector<uint8_t> block(512, 0);
        const uint64_t entries = 512 * 8 >> order;
        const uint64_t max = order == 6 ? UINT64_MAX : (1ull << (1u << order)) - 1;
        for (uint64_t i = 0; i < entries; i += 7)
            refcount_entry_set(block.data(), i, order, max - i % 2);
        for (uint64_t i = 0; i < entries; i++) {
            const uint64_t want = i % 7 == 0 ? max - i % 2 : 0;
            REQUIRE(refcount_entry_get(block.data(), i, order) == (want & max));
        }
    }
}

TEST_CASE("qcow2: metadata cache eviction with many L2 tables", "[block][qcow2]") {
    test::TempDir dir;
    std::string err;
    CreateOptions co;
    co.size = 40ull << 30;  // 80 L2 tables of 512 MiB each > the 64-entry L2 cache
    REQUIRE(Qcow2Image::create(dir.file("big.qcow2"), co, &err) == 0);
    auto d = open_rw(dir.file("big.qcow2"));
    for (uint64_t i = 0; i < 80; i++) {
        uint64_t v = i * 0x0101010101010101ull;
        REQUIRE(d->pwrite(i * (512ull << 20) + 12345, &v, 8) == 0);
    }
    for (uint64_t i = 0; i < 80; i++) {
        uint64_t v = 0;
        REQUIRE(d->pread(i * (512ull << 20) + 12345, &v, 8) == 0);
        CHECK(v == i * 0x0101010101010101ull);
    }
    REQUIRE(d->flush() == 0);
    expect_clean(*d);
}

TEST_CASE("qcow2: compressed clusters (zlib and zstd)", "[block][qcow2]") {
    for (auto type : {CompressionType::Zlib, CompressionType::Zstd}) {
        test::TempDir dir;
        std::string err;
        CreateOptions co;
        co.size = 1 << 20;
        co.compression = type;
        REQUIRE(Qcow2Image::create(dir.file("c.qcow2"), co, &err) == 0);
        auto d = open_rw(dir.file("c.qcow2"));
        std::vector<uint8_t> text(65536), rnd(65536);
        for (size_t i = 0; i < text.size(); i++)
            text[i] = "compressible "[i % 13];
        std::mt19937 rng(7);
        for (auto& b : rnd)
            b = static_cast<uint8_t>(rng());
        auto ct = compress_cluster(type, text.data(), text.size());
        CHECK(!ct.empty());
        CHECK(ct.size() < 4096);
        CHECK(compress_cluster(type, rnd.data(), rnd.size()).empty());  // stored raw
        for (uint64_t c = 0; c < 8; c++) {
            const auto& src = c == 3 ? rnd : text;
            REQUIRE(q(*d).write_compressed(c * 65536, src.data(),
                                           compress_cluster(type, src.data(), src.size())) == 0);
        }
        BlockStatus st;
        REQUIRE(d->block_status(0, 65536, &st) == 0);
        CHECK((st.flags & BLOCK_STATUS_COMPRESSED));
        std::vector<uint8_t> back(65536);
        REQUIRE(d->pread(5 * 65536, back.data(), back.size()) == 0);
        CHECK(back == text);
        REQUIRE(d->pread(3 * 65536, back.data(), back.size()) == 0);
        CHECK(back == rnd);
        // Overwriting part of a compressed cluster decompresses it first.
        REQUIRE(d->pwrite(65536 + 100, "XY", 2) == 0);
        REQUIRE(d->pread(65536, back.data(), back.size()) == 0);
        CHECK(back[99] == text[99]);
        CHECK(back[100] == 'X');
        CHECK(back[102] == text[102]);
        REQUIRE(d->flush() == 0);
        expect_clean(*d);
    }
}

TEST_CASE("qcow2: snapshots keep old data and share clusters", "[block][qcow2]") {
    test::TempDir dir;
    std::string err;
    CreateOptions co;
    co.size = 4 << 20;
    REQUIRE(Qcow2Image::create(dir.file("s.qcow2"), co, &err) == 0);
    auto d = open_rw(dir.file("s.qcow2"));
    std::vector<uint8_t> a(200000, 0xaa), b(100000, 0xbb), back(200000);
    REQUIRE(d->pwrite(0, a.data(), a.size()) == 0);
    REQUIRE(q(*d).snapshot_create("one", &err) == 0);
    CHECK(q(*d).snapshot_create("one", &err) == -EEXIST);
    REQUIRE(d->pwrite(50000, b.data(), b.size()) == 0);
    REQUIRE(q(*d).snapshot_create("two", &err) == 0);
    REQUIRE(d->pwrite(0, b.data(), 1000) == 0);
    expect_clean(*d);
    REQUIRE(q(*d).snapshots().size() == 2);

    REQUIRE(q(*d).snapshot_apply("one", &err) == 0);
    REQUIRE(d->pread(0, back.data(), back.size()) == 0);
    CHECK(back == a);
    expect_clean(*d);
    REQUIRE(q(*d).snapshot_apply("2", &err) == 0);  // by id
    REQUIRE(d->pread(0, back.data(), back.size()) == 0);
    CHECK(back[49999] == 0xaa);
    CHECK(back[50000] == 0xbb);
    CHECK(back[150000] == 0xaa);
    REQUIRE(q(*d).snapshot_delete("one", &err) == 0);
    CHECK(q(*d).snapshot_delete("one", &err) == -ENOENT);
    CHECK(q(*d).snapshot_apply("nope", &err) == -ENOENT);
    expect_clean(*d);
    REQUIRE(q(*d).snapshot_delete("two", &err) == 0);
    expect_clean(*d);
    d.reset();
    auto d2 = open_rw(dir.file("s.qcow2"));
    REQUIRE(d2->pread(0, back.data(), back.size()) == 0);
    CHECK(back[50000] == 0xbb);
    CHECK(q(*d2).snapshots().empty());
}

TEST_CASE("qcow2: resize grows and shrinks", "[block][qcow2]") {
    test::TempDir dir;
    std::string err;
    CreateOptions co;
    co.size = 100000;  // not a cluster multiple
    co.cluster_bits = 9;
    REQUIRE(Qcow2Image::create(dir.file("r.qcow2"), co, &err) == 0);
    auto d = open_rw(dir.file("r.qcow2"));
    std::vector<uint8_t> ff(100000, 0xff), back(100);
    REQUIRE(d->pwrite(0, ff.data(), ff.size()) == 0);
    REQUIRE(q(*d).resize(64 << 20, false, &err) == 0);  // forces L1 growth (512-byte clusters)
    REQUIRE(d->pread(99950, back.data(), 100) == 0);
    CHECK(back[49] == 0xff);
    CHECK(back[50] == 0);  // past the old end: zeroes
    REQUIRE(d->pwrite((64 << 20) - 100, ff.data(), 100) == 0);
    CHECK(q(*d).resize(1 << 20, false, &err) < 0);  // shrinking needs --shrink
    REQUIRE(q(*d).resize(1 << 20, true, &err) == 0);
    CHECK(d->size() == (1u << 20));
    REQUIRE(d->flush() == 0);
    expect_clean(*d);
}

TEST_CASE("qcow2: lazy refcounts set the dirty bit and repair on open", "[block][qcow2]") {
    test::TempDir dir;
    std::string err;
    CreateOptions co;
    co.size = 1 << 20;
    co.lazy_refcounts = true;
    REQUIRE(Qcow2Image::create(dir.file("l.qcow2"), co, &err) == 0);
    auto d = open_rw(dir.file("l.qcow2"), CacheMode::Writeback);
    std::vector<uint8_t> a(70000, 0x42);
    REQUIRE(d->pwrite(1000, a.data(), a.size()) == 0);
    CHECK(q(*d).dirty());
    REQUIRE(d->flush() == 0);
    d.reset();  // clean close clears the bit
    auto d2 = open_rw(dir.file("l.qcow2"));
    CHECK(!q(*d2).dirty());
    expect_clean(*d2);
}

TEST_CASE("qcow2: header validation names the problem", "[block][qcow2]") {
    Header h;
    h.size = 1 << 20;
    h.l1_size = 1;
    h.l1_table_offset = 3 * 65536;
    h.refcount_table_offset = 65536;
    h.refcount_table_clusters = 1;
    std::vector<uint8_t> buf;
    std::string err;
    REQUIRE(serialize_header(h, &buf, &err));
    Header out;
    REQUIRE(parse_header(buf.data(), buf.size(), 4 * 65536, &out, &err));
    CHECK(out.size == h.size);
    CHECK(!parse_header(buf.data(), buf.size(), 2 * 65536, &out, &err));  // L1 past EOF
    CHECK(err.find("L1 table") != std::string::npos);
    put_be32(&buf[36], 0);  // L1 too small for the size
    CHECK(!parse_header(buf.data(), buf.size(), 4 * 65536, &out, &err));
    CHECK(err.find("too small") != std::string::npos);
    put_be32(&buf[36], 1);
    put_be32(&buf[20], 8);
    CHECK(!parse_header(buf.data(), buf.size(), 4 * 65536, &out, &err));
    CHECK(err.find("cluster size") != std::string::npos);
}

TEST_CASE("qcow2: backing chains and snapshot=on", "[block][qcow2]") {
    test::TempDir dir;
    std::string err;
    CreateOptions co;
    co.size = 1 << 20;
    REQUIRE(Qcow2Image::create(dir.file("base.qcow2"), co, &err) == 0);
    {
        auto b = open_rw(dir.file("base.qcow2"));
        std::vector<uint8_t> a(1 << 20, 0x11);
        REQUIRE(b->pwrite(0, a.data(), a.size()) == 0);
    }
    co.backing_file = "base.qcow2";
    co.backing_format = "qcow2";
    co.size = 2 << 20;  // bigger than its backing file
    REQUIRE(Qcow2Image::create(dir.file("top.qcow2"), co, &err) == 0);
    {
        OpenOptions o;
        o.snapshot = true;
        auto s = open_image(dir.file("top.qcow2"), o, &err);
        REQUIRE(s);
        uint8_t x = 0x99;
        REQUIRE(s->pwrite(0, &x, 1) == 0);
        REQUIRE(s->pread(0, &x, 1) == 0);
        CHECK(x == 0x99);
    }
    auto t = open_rw(dir.file("top.qcow2"));
    REQUIRE(t->backing());
    uint8_t v[2];
    REQUIRE(t->pread(0, v, 1) == 0);
    CHECK(v[0] == 0x11);  // snapshot=on left the image alone
    REQUIRE(t->pread((1 << 20) - 1, v, 2) == 0);
    CHECK(v[0] == 0x11);
    CHECK(v[1] == 0);  // past the backing file: zeroes
    BlockStatus st;
    REQUIRE(t->block_status(0, 4096, &st) == 0);
    CHECK(st.depth == 1);
    CHECK(!(st.flags & BLOCK_STATUS_ALLOCATED));
    CHECK((st.flags & BLOCK_STATUS_DATA));
}

#include <catch2/catch.hpp>
#include <cstring>

#include "hw/core/address_space.h"
#include "hw/core/guest_memory.h"
#include "util/log.h"

using namespace emu;

namespace {

// Records every access so tests can see how the core split them.
struct Recorder : MmioHandler {
    struct Access {
        bool write;
        uint64_t off;
        unsigned size;
        uint64_t value;
    };
    std::vector<Access> log;
    uint64_t read_value = 0x8877665544332211ull;
    uint64_t mmio_read(uint64_t off, unsigned size) override {
        log.push_back({false, off, size, 0});
        uint64_t v = read_value >> (8 * (off % 8));
        return size == 8 ? v : v & ((1ull << (8 * size)) - 1);
    }
    void mmio_write(uint64_t off, uint64_t value, unsigned size) override {
        log.push_back({true, off, size, value});
    }
};

}  // namespace

TEST_CASE("RAM reads back what was written and unassigned reads as zero", "[memory]") {
    auto root = MemoryRegion::container("system", UINT64_MAX);
    auto ram = MemoryRegion::ram("ram", 0x10000);
    root->add_subregion(0x40000000, ram.get());
    AddressSpace as("memory", root.get());

    CHECK(as.store(0x40000010, 8, 0x1122334455667788ull) == MemTxResult::Ok);
    uint64_t v = 0;
    CHECK(as.load(0x40000010, 4, &v) == MemTxResult::Ok);
    CHECK(v == 0x55667788u);
    CHECK(ram->host_ptr()[0x10] == 0x88);

    CHECK(as.load(0x1000, 4, &v) == MemTxResult::Unassigned);
    CHECK(v == 0);
    // An access straddling the end of RAM: the RAM part works, the rest fails.
    CHECK(as.store(0x4000fffe, 4, 0xaabbccdd) == MemTxResult::Unassigned);
    CHECK(ram->host_ptr()[0xfffe] == 0xdd);
    CHECK(ram->host_ptr()[0xffff] == 0xcc);
}

TEST_CASE("higher priority wins where regions overlap, newest wins at equal priority", "[memory]") {
    auto root = MemoryRegion::container("system", UINT64_MAX);
    auto low = MemoryRegion::ram("low", 0x3000);
    auto high = MemoryRegion::ram("high", 0x1000);
    root->add_subregion(0x0, low.get(), 0);
    root->add_subregion(0x1000, high.get(), 1);
    AddressSpace as("memory", root.get());
    auto view = as.view();
    REQUIRE(view->ranges().size() == 3);
    CHECK(view->lookup(0x0)->region == low.get());
    CHECK(view->lookup(0x1800)->region == high.get());
    CHECK(view->lookup(0x2000)->region == low.get());
    CHECK(view->lookup(0x2000)->offset_in_region == 0x2000);

    // Equal priority: the region added last takes precedence.
    auto late = MemoryRegion::ram("late", 0x1000);
    root->add_subregion(0x2000, late.get(), 0);
    CHECK(as.view()->lookup(0x2800)->region == late.get());

    // Disabling the high region uncovers the low one again.
    high->set_enabled(false);
    const FlatRange* r = as.view()->lookup(0x1800);
    CHECK(r->region == low.get());
    CHECK(r->offset_in_region + (0x1800 - r->start) == 0x1800);
}

TEST_CASE("a lower-priority region is hidden where a higher one covers it", "[memory]") {
    auto root = MemoryRegion::container("system", UINT64_MAX);
    auto big = MemoryRegion::ram("big", 0x4000);
    auto hole = MemoryRegion::ram("hole", 0x1000);
    root->add_subregion(0x1000, hole.get(), 5);
    root->add_subregion(0x0, big.get(), 0);  // added later, but lower priority
    AddressSpace as("memory", root.get());
    CHECK(as.view()->lookup(0x1000)->region == hole.get());
    CHECK(as.view()->lookup(0x3fff)->region == big.get());
}

TEST_CASE("aliases map a window of another region", "[memory]") {
    auto root = MemoryRegion::container("system", UINT64_MAX);
    auto ram = MemoryRegion::ram("ram", 0x10000);
    auto alias = MemoryRegion::alias("ram-hi", ram.get(), 0x8000, 0x2000);
    root->add_subregion(0x0, ram.get());
    root->add_subregion(0x100000, alias.get());
    AddressSpace as("memory", root.get());
    REQUIRE(as.store(0x100010, 4, 0xdeadbeef) == MemTxResult::Ok);
    uint64_t v = 0;
    REQUIRE(as.load(0x8010, 4, &v) == MemTxResult::Ok);
    CHECK(v == 0xdeadbeef);
    // Past the alias window is unassigned even though RAM continues.
    CHECK(as.load(0x102000, 4, &v) == MemTxResult::Unassigned);
}

TEST_CASE("nested containers place children relative to their parent", "[memory]") {
    auto root = MemoryRegion::container("system", UINT64_MAX);
    auto bus = MemoryRegion::container("bus", 0x100000);
    Recorder dev;
    auto mmio = MemoryRegion::io("dev", 0x100, &dev);
    bus->add_subregion(0x2000, mmio.get());
    root->add_subregion(0x9000000, bus.get());
    AddressSpace as("memory", root.get());
    CHECK(as.store(0x9002004, 4, 0x42) == MemTxResult::Ok);
    REQUIRE(dev.log.size() == 1);
    CHECK(dev.log[0].off == 4);
    CHECK(dev.log[0].value == 0x42);

    // Moving a region re-flattens the map.
    mmio->set_address(0x3000);
    CHECK(as.store(0x9003008, 4, 1) == MemTxResult::Ok);
    CHECK(dev.log.back().off == 8);
    CHECK(as.store(0x9002004, 4, 1) == MemTxResult::Unassigned);
}

TEST_CASE("MMIO constraints: invalid sizes fail, wide accesses split, narrow widen", "[memory]") {
    auto root = MemoryRegion::container("system", UINT64_MAX);
    Recorder only32;
    AccessConstraints c;
    c.valid_min = 4;
    c.valid_max = 4;
    c.impl_min = 4;
    c.impl_max = 4;
    auto strict = MemoryRegion::io("strict", 0x100, &only32, c);
    Recorder split;
    AccessConstraints c2;
    c2.impl_min = 4;
    c2.impl_max = 4;
    auto splitter = MemoryRegion::io("split", 0x100, &split, c2);
    root->add_subregion(0x1000, strict.get());
    root->add_subregion(0x2000, splitter.get());
    AddressSpace as("memory", root.get());

    uint64_t v = 0;
    CHECK(as.load(0x1000, 1, &v) == MemTxResult::AccessError);
    CHECK(as.load(0x1002, 4, &v) == MemTxResult::AccessError);  // unaligned
    CHECK(only32.log.empty());
    CHECK(as.load(0x1004, 4, &v) == MemTxResult::Ok);
    CHECK(only32.log.size() == 1);

    // 8-byte write to a 4-byte-implemented device: two 4-byte writes, LE.
    CHECK(as.store(0x2008, 8, 0x1111111122222222ull) == MemTxResult::Ok);
    REQUIRE(split.log.size() == 2);
    CHECK(split.log[0].off == 8);
    CHECK(split.log[0].value == 0x22222222u);
    CHECK(split.log[1].off == 12);
    CHECK(split.log[1].value == 0x11111111u);

    // 1-byte read at offset 5: one 4-byte read at 4, byte 1 extracted.
    split.log.clear();
    CHECK(as.load(0x2005, 1, &v) == MemTxResult::Ok);
    REQUIRE(split.log.size() == 1);
    CHECK(split.log[0].off == 4);
    CHECK(split.log[0].size == 4);
    CHECK(v == 0x66);
}

TEST_CASE("ROM is read-only to the guest", "[memory]") {
    auto root = MemoryRegion::container("system", UINT64_MAX);
    auto rom = MemoryRegion::rom("flash", 0x1000);
    rom->host_ptr()[0] = 0x5a;
    root->add_subregion(0, rom.get());
    AddressSpace as("memory", root.get());
    CHECK(as.store(0, 1, 0xff) == MemTxResult::AccessError);
    uint64_t v;
    CHECK(as.load(0, 1, &v) == MemTxResult::Ok);
    CHECK(v == 0x5a);
}

namespace {
struct CountingListener : MemoryListener {
    int adds = 0, dels = 0, commits = 0;
    uint64_t ram_bytes = 0;
    void region_add(const FlatRange& r) override {
        ++adds;
        if (r.is_ram()) ram_bytes += r.size;
    }
    void region_del(const FlatRange& r) override {
        ++dels;
        if (r.is_ram()) ram_bytes -= r.size;
    }
    void commit() override { ++commits; }
};
}  // namespace

TEST_CASE("listeners see the current map and every change", "[memory]") {
    auto root = MemoryRegion::container("system", UINT64_MAX);
    auto ram = MemoryRegion::ram("ram", 0x10000);
    root->add_subregion(0x40000000, ram.get());
    AddressSpace as("memory", root.get());
    CountingListener l;
    as.add_listener(&l);
    CHECK(l.adds == 1);
    CHECK(l.ram_bytes == 0x10000);
    auto over = MemoryRegion::ram("over", 0x1000);
    root->add_subregion(0x40004000, over.get(), 1);
    // The RAM range is split in two around the new one.
    CHECK(l.ram_bytes == 0x10000);
    CHECK(l.dels == 1);
    CHECK(l.adds == 4);
    root->remove_subregion(over.get());
    CHECK(l.ram_bytes == 0x10000);
    CHECK(as.view()->ranges().size() == 1);
    as.remove_listener(&l);
}

TEST_CASE("guest memory spans never leave a RAM range", "[memory]") {
    auto root = MemoryRegion::container("system", UINT64_MAX);
    auto ram = MemoryRegion::ram("ram", 0x10000);
    auto rom = MemoryRegion::rom("rom", 0x1000);
    Recorder dev;
    auto mmio = MemoryRegion::io("dev", 0x1000, &dev);
    root->add_subregion(0x40000000, ram.get());
    root->add_subregion(0x0, rom.get());
    root->add_subregion(0x9000000, mmio.get());
    AddressSpace as("memory", root.get());
    GuestMemory gm(&as);
    CHECK(gm.span(0x40000000, 0x10000, true) == ram->host_ptr());
    CHECK(gm.span(0x40000001, 0x10000, true) == nullptr);  // one byte past the end
    CHECK(gm.span(0x4000ffff, 2, false) == nullptr);
    CHECK(gm.span(UINT64_MAX - 1, 16, false) == nullptr);  // wraps
    CHECK(gm.span(0x9000000, 4, false) == nullptr);        // MMIO
    CHECK(gm.span(0x0, 4, true) == nullptr);               // ROM is not writable
    CHECK(gm.span(0x0, 4, false) == rom->host_ptr());
    CHECK(gm.span(0x40000000, 0, true) == nullptr);

    uint32_t x = 0xcafef00d;
    CHECK(gm.write_obj(0x40000100, x));
    uint32_t y = 0;
    CHECK(gm.read_obj(0x40000100, &y));
    CHECK(y == x);
    CHECK_FALSE(gm.read_obj(0x30000000, &y));
    CHECK(y == 0);
}

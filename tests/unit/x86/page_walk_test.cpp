#include <catch2/catch.hpp>
#include <cstring>
#include <vector>

#include "target/x86/page_walk.h"

using namespace emu::x86;

namespace {

// 4 MiB of fake guest physical memory.
struct FakeMem {
    std::vector<uint8_t> m = std::vector<uint8_t>(4u << 20, 0);
    void put64(uint64_t a, uint64_t v) { std::memcpy(&m[a], &v, 8); }
    void put32(uint64_t a, uint32_t v) { std::memcpy(&m[a], &v, 4); }
    PhysRead reader() {
        return [this](uint64_t a, unsigned size, uint64_t* v) {
            *v = 0;
            if (a + size > m.size() || a + size < a) return false;
            std::memcpy(v, &m[a], size);
            return true;
        };
    }
};

constexpr uint64_t kPg = 1ull << 31, kPe = 1, kPae = 1 << 5, kPse = 1 << 4, kLma = 1 << 10;

}  // namespace

TEST_CASE("x86 page walk: paging off is identity", "[x86][gdb]") {
    FakeMem mem;
    X86PagingState s{kPe, 0, 0, 0};
    uint64_t pa, left;
    REQUIRE(x86_translate(s, 0x12345, mem.reader(), &pa, &left) == WalkResult::Ok);
    CHECK(pa == 0x12345);
    CHECK(left == 0x1000 - 0x345);
}

TEST_CASE("x86 page walk: long mode 4-level, 4K, 2M and 1G pages", "[x86][gdb]") {
    FakeMem mem;
    // CR3 = 0x1000: PML4[511] -> PDPT 0x2000; PDPT[510] -> PD 0x3000;
    // PD[0] -> PT 0x4000; PT[1] -> page 0x200000. PD[1]: 2 MiB page at
    // 0x600000. PDPT[0]: a 1 GiB page at 0x40000000.
    mem.put64(0x1000 + 511 * 8, 0x2000 | 3);
    mem.put64(0x2000 + 510 * 8, 0x3000 | 3);
    mem.put64(0x3000 + 0 * 8, 0x4000 | 3);
    mem.put64(0x4000 + 1 * 8, 0x200000 | 3);
    mem.put64(0x3000 + 1 * 8, 0x600000 | 0x83);
    mem.put64(0x2000 + 0 * 8, 0x40000000 | 0x83);
    X86PagingState s{kPg | kPe, 0x1000, kPae, kLma | (1 << 8)};
    uint64_t pa, left;
    // 0xffffffff80001234: PML4 511, PDPT 510, PD 0, PT 1.
    REQUIRE(x86_translate(s, 0xffffffff80001234ull, mem.reader(), &pa, &left) == WalkResult::Ok);
    CHECK(pa == 0x200234);
    CHECK(left == 0x1000 - 0x234);
    REQUIRE(x86_translate(s, 0xffffffff80212345ull, mem.reader(), &pa, &left) == WalkResult::Ok);
    CHECK(pa == 0x612345);
    CHECK(left == 0x200000 - 0x12345);
    // PML4[511] -> PDPT[0] is the 1 GiB page.
    REQUIRE(x86_translate(s, 0xffffff8000abcdefull, mem.reader(), &pa, &left) == WalkResult::Ok);
    CHECK(pa == 0x40abcdef);
    // Not present, non-canonical, and a table outside memory.
    CHECK(x86_translate(s, 0x1000, mem.reader(), &pa, &left) == WalkResult::NotPresent);
    CHECK(x86_translate(s, 0x0000800000000000ull, mem.reader(), &pa, &left) ==
          WalkResult::NonCanonical);
    mem.put64(0x1000, 0x7ffffffff000ull | 3);
    CHECK(x86_translate(s, 0x1000, mem.reader(), &pa, &left) == WalkResult::BadTable);
}

TEST_CASE("x86 page walk: PAE", "[x86][gdb]") {
    FakeMem mem;
    // CR3 = 0x1020 (32-byte aligned PDPT): PDPTE[3] -> PD 0x3000,
    // PD[0] -> PT 0x4000, PT[5] -> 0x123000; PD[2]: 2 MiB page at 0x200000.
    mem.put64(0x1020 + 3 * 8, 0x3000 | 1);
    mem.put64(0x3000, 0x4000 | 3);
    mem.put64(0x4000 + 5 * 8, 0x123000 | 3);
    mem.put64(0x3000 + 2 * 8, 0x200000 | 0x83);
    X86PagingState s{kPg | kPe, 0x1020, kPae, 0};
    uint64_t pa, left;
    REQUIRE(x86_translate(s, 0xc0005678, mem.reader(), &pa, &left) == WalkResult::Ok);
    CHECK(pa == 0x123678);
    REQUIRE(x86_translate(s, 0xc0412345, mem.reader(), &pa, &left) == WalkResult::Ok);
    CHECK(pa == 0x212345);
    CHECK(x86_translate(s, 0x00001000, mem.reader(), &pa, &left) == WalkResult::NotPresent);
    CHECK(x86_translate(s, 0x100000000ull, mem.reader(), &pa, &left) == WalkResult::NonCanonical);
}

TEST_CASE("x86 page walk: 32-bit paging with and without PSE", "[x86][gdb]") {
    FakeMem mem;
    // CR3 = 0x1000: PDE[0] -> PT 0x2000, PT[3] -> 0x345000. PDE[1]: 4 MiB page
    // at 0x00c00000 (only honoured with CR4.PSE).
    mem.put32(0x1000, 0x2000 | 3);
    mem.put32(0x2000 + 3 * 4, 0x345000 | 3);
    mem.put32(0x1000 + 4, 0x00c00000 | 0x83);
    X86PagingState s{kPg | kPe, 0x1000, kPse, 0};
    uint64_t pa, left;
    REQUIRE(x86_translate(s, 0x3abc, mem.reader(), &pa, &left) == WalkResult::Ok);
    CHECK(pa == 0x345abc);
    REQUIRE(x86_translate(s, 0x00512345, mem.reader(), &pa, &left) == WalkResult::Ok);
    CHECK(pa == 0x00d12345);
    CHECK(left == 0x400000 - 0x112345);
    // Without PSE the PS bit is ignored: PDE[1] is a page table at 0xc00000
    // (outside our 4 MiB): the walk fails cleanly.
    s.cr4 = 0;
    CHECK(x86_translate(s, 0x00512345, mem.reader(), &pa, &left) == WalkResult::BadTable);
}

TEST_CASE("x86 page walk: hostile page tables", "[x86][gdb]") {
    // Random tables in every mode: each walk ends in a result, reads stay
    // inside the fake memory (the reader refuses the rest), and an Ok
    // translation keeps the page offset.
    FakeMem mem;
    uint64_t seed = 0x9e3779b97f4a7c15ull;
    auto next = [&] {
        seed ^= seed << 13, seed ^= seed >> 7, seed ^= seed << 17;
        return seed;
    };
    for (size_t i = 0; i < mem.m.size(); i += 8)
        mem.put64(i, next() & 0x00000000003ff0ffull);  // mostly inside memory, random flags
    const X86PagingState modes[] = {
        {kPg | kPe, 0x1000, kPae, kLma},     {kPg | kPe, 0x2000, kPae | (1 << 12), kLma},
        {kPg | kPe, 0x3020, kPae, 0},        {kPg | kPe, 0x4000, kPse, 0},
        {kPg | kPe, 0x3ffff000, kPae, kLma},  // CR3 outside memory
    };
    unsigned ok = 0;
    for (const auto& s : modes) {
        for (int i = 0; i < 2000; ++i) {
            uint64_t va = next();
            if (i & 1) va = int64_t(va << 16) >> 16;  // canonical half the time
            if (!(s.efer & kLma)) va &= 0xffffffffu;
            uint64_t pa = 0, left = 0;
            WalkResult r = x86_translate(s, va, mem.reader(), &pa, &left);
            if (r == WalkResult::Ok) {
                ++ok;
                CHECK((pa & 0xfff) == (va & 0xfff));
                CHECK(left >= 1);
                CHECK(left <= (1ull << 30));
            }
        }
    }
    CHECK(ok > 0);  // the random tables do map something
}

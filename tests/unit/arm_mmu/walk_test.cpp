// Successful walks: every granule and VA size, leaves at every level where
// the architecture allows them, TTBR1, TBI, 52-bit VA/PA, MMU off.
#include <catch2/catch.hpp>

#include "tests/unit/arm_mmu/mmu_test_util.h"

using namespace mmu_test;

namespace {

struct Config {
    unsigned granule;
    unsigned ia;
};

// Block levels from the Arm ARM's descriptor tables (no FEAT_LPA2).
bool block_level(unsigned g, int level, bool pa52) {
    if (g == 12) return level == 1 || level == 2;
    if (g == 14) return level == 2;
    return level == 2 || (level == 1 && pa52);
}

uint64_t low_bits(unsigned n) {
    return n >= 64 ? ~0ull : (1ull << n) - 1;
}

}  // namespace

TEST_CASE("every granule and VA size maps pages and blocks at every allowed level", "[arm_mmu]") {
    const Config configs[] = {{12, 48}, {12, 42}, {12, 39}, {12, 32}, {14, 48},
                              {14, 47}, {14, 36}, {16, 48}, {16, 42}, {16, 38}};
    for (const Config& c : configs) {
        for (int level = 0; level <= 3; ++level) {
            TestMachine m;
            TableBuilder t0(m, c.granule, c.ia, kRamBase);
            TableBuilder t1(m, c.granule, c.ia, kRamBase + (16ull << 20));
            if (level < t0.start_level()) continue;
            if (level < 3 && !block_level(c.granule, level, false)) continue;
            INFO("granule " << c.granule << " ia " << c.ia << " level " << level);
            unsigned size_bits = t0.bottom(level);
            uint64_t va = 0x00007abcdef12345ull & low_bits(c.ia);
            uint64_t oa = 0x0000123456789000ull & ~low_bits(size_bits) & low_bits(48);
            t0.map(va, oa, level);
            uint64_t va1 = ~low_bits(c.ia) | va;
            uint64_t oa1 = (oa ^ (1ull << 40)) & ~low_bits(size_bits);
            t1.map(va1, oa1, level);

            Regs regs = make_regs(c.granule, c.ia, t0.root(), t1.root());
            Result r = translate(*m.as, regs, va, read_access());
            REQUIRE(r.ok());
            CHECK(r.tr.pa == (oa | (va & low_bits(size_bits))));
            CHECK(r.tr.level == level);
            CHECK(r.tr.block_size == (1ull << size_bits));
            CHECK(r.tr.granule_bits == c.granule);

            Result r1 = translate(*m.as, regs, va1, read_access());
            REQUIRE(r1.ok());
            CHECK(r1.tr.pa == (oa1 | (va1 & low_bits(size_bits))));
            CHECK(r1.tr.level == level);
        }
    }
}

TEST_CASE("start level follows TnSZ and the granule", "[arm_mmu]") {
    // (granule, ia, expected start level) from the Arm ARM's lookup tables.
    const struct {
        unsigned g, ia;
        int start;
    } cases[] = {{12, 48, 0}, {12, 39, 1}, {12, 30, 2}, {14, 48, 0}, {14, 47, 1},
                 {14, 36, 2}, {16, 48, 1}, {16, 42, 2}, {16, 29, 3}};
    for (auto c : cases) {
        TestMachine m;
        TableBuilder t(m, c.g, c.ia, kRamBase);
        CHECK(t.start_level() == c.start);
        uint64_t va = 0x1000ull << (c.g - 12);
        t.map(va, 0x40200000ull, 3);
        Regs regs = make_regs(c.g, c.ia, t.root());
        Result r = translate(*m.as, regs, va, read_access());
        REQUIRE(r.ok());
        CHECK(r.tr.pa == 0x40200000ull);
    }
}

TEST_CASE("52-bit VA (FEAT_LVA) and 52-bit PA (FEAT_LPA) with the 64K granule", "[arm_mmu]") {
    TestMachine m;
    TableBuilder t(m, 16, 52, kRamBase);
    t.oa52 = true;
    REQUIRE(t.start_level() == 1);
    IdRegs id = id_full();
    id.mmfr0 = (id.mmfr0 & ~0xfull) | 0x6;  // PARange 52
    id.mmfr2 |= 1ull << 16;                 // VARange: 52-bit VA
    Regs regs = make_regs(16, 52, t.root(), 0, id);
    regs.tcr = (regs.tcr & ~(7ull << 32)) | (6ull << 32);  // IPS 52

    uint64_t va_page = 0x000f'1234'5678'0000ull | 0x1234;
    uint64_t pa_page = 0x000a'0000'1234'0000ull;
    t.map(va_page, pa_page, 3);
    Result r = translate(*m.as, regs, va_page, read_access());
    REQUIRE(r.ok());
    CHECK(r.tr.pa == (pa_page | 0x1234));

    // A 4TB level 1 block exists only with a 52-bit PA.
    uint64_t va_block = 0x000c'0000'0000'0000ull | 0x0123'4567'89abull;
    uint64_t pa_block = 0x0003'0400'0000'0000ull;  // 4TB aligned, above 2^48
    t.map(va_block, pa_block, 1);
    r = translate(*m.as, regs, va_block, read_access());
    REQUIRE(r.ok());
    CHECK(r.tr.level == 1);
    CHECK(r.tr.block_size == (1ull << 42));
    CHECK(r.tr.pa == (pa_block | 0x0123'4567'89abull));

    // With IPS 48 the same descriptors give an OA that is too large.
    Regs ips48 = regs;
    ips48.tcr = (ips48.tcr & ~(7ull << 32)) | (5ull << 32);
    Result bad = translate(*m.as, ips48, va_page, read_access());
    CHECK(bad.fault.type == FaultType::AddressSize);
    CHECK(bad.fault.level == 3);

    // Without FEAT_LVA the 52-bit VA size is illegal: level 0 fault.
    Regs no_lva = regs;
    no_lva.id.mmfr2 &= ~(0xfull << 16);
    r = translate(*m.as, no_lva, va_page, read_access());
    CHECK(r.fault.type == FaultType::Translation);
    CHECK(r.fault.level == 0);
}

TEST_CASE("52-bit VA is refused with 4K and 16K granules (no FEAT_LPA2)", "[arm_mmu]") {
    TestMachine m;
    IdRegs id = id_full();
    id.mmfr0 = (id.mmfr0 & ~0xfull) | 0x6;
    id.mmfr2 |= 1ull << 16;
    for (unsigned g : {12u, 14u}) {
        Regs regs = make_regs(g, 48, kRamBase, 0, id);
        regs.tcr = (regs.tcr & ~0x3full) | 12;
        Result r = translate(*m.as, regs, 0x1000, read_access());
        CHECK(r.fault.type == FaultType::Translation);
        CHECK(r.fault.level == 0);
    }
}

TEST_CASE("TTBR selection by VA bit 55 and addresses outside both ranges", "[arm_mmu]") {
    TestMachine m;
    TableBuilder t0(m, 12, 39, kRamBase);
    TableBuilder t1(m, 12, 39, kRamBase + (8ull << 20));
    t0.map(0x0000'0000'1000'0000ull, 0x40100000, 3);
    t1.map(0xffff'ff80'1000'0000ull, 0x40200000, 3);
    Regs regs = make_regs(12, 39, t0.root(), t1.root());

    CHECK(translate(*m.as, regs, 0x0000'0000'1000'0000ull, read_access()).tr.pa == 0x40100000);
    CHECK(translate(*m.as, regs, 0xffff'ff80'1000'0000ull, read_access()).tr.pa == 0x40200000);

    // Just above the TTBR0 range, just below the TTBR1 range, and a
    // "kernel" address whose bit 55 is clear.
    for (uint64_t va : {0x0000'0080'0000'0000ull, 0xffff'ff7f'ffff'f000ull,
                        0xff7f'ff80'1000'0000ull, 0x0080'0000'1000'0000ull}) {
        INFO(std::hex << va);
        Result r = translate(*m.as, regs, va, read_access());
        CHECK(r.fault.type == FaultType::Translation);
        CHECK(r.fault.level == 0);
        CHECK(fault_status_code(r.fault) == 0x04);
        CHECK(fault_address(r.fault) == va);
    }

    // EPD1: TTBR1 walks disabled.
    regs.tcr |= 1ull << 23;
    Result r = translate(*m.as, regs, 0xffff'ff80'1000'0000ull, read_access());
    CHECK(r.fault.type == FaultType::Translation);
    CHECK(r.fault.level == 0);
    regs.tcr |= 1ull << 7;  // EPD0
    r = translate(*m.as, regs, 0x0000'0000'1000'0000ull, read_access());
    CHECK(r.fault.type == FaultType::Translation);
    CHECK(r.fault.level == 0);
}

TEST_CASE("top byte ignore per TTBR, TBID for instruction fetches", "[arm_mmu]") {
    TestMachine m;
    TableBuilder t0(m, 12, 48, kRamBase);
    TableBuilder t1(m, 12, 48, kRamBase + (8ull << 20));
    t0.map(0x0000'1234'5678'9000ull, 0x40300000, 3);
    t1.map(0xffff'8000'0000'0000ull, 0x40400000, 3);
    Regs regs = make_regs(12, 48, t0.root(), t1.root());
    const uint64_t tagged0 = 0x5a00'1234'5678'9abcull;
    const uint64_t tagged1 = 0x5aff'8000'0000'0010ull;

    Result r = translate(*m.as, regs, tagged0, read_access());
    CHECK(r.fault.type == FaultType::Translation);
    CHECK(r.fault.level == 0);

    regs.tcr |= 1ull << 37;  // TBI0
    r = translate(*m.as, regs, tagged0, read_access());
    REQUIRE(r.ok());
    CHECK(r.tr.pa == 0x40300abc);
    // TBI0 does not cover the TTBR1 half.
    CHECK(translate(*m.as, regs, tagged1, read_access()).fault.type == FaultType::Translation);
    regs.tcr |= 1ull << 38;  // TBI1
    r = translate(*m.as, regs, tagged1, read_access());
    REQUIRE(r.ok());
    CHECK(r.tr.pa == 0x40400010);

    // TBI covers fetches too, unless TBID (which exists with FEAT_PAuth).
    regs.tcr |= 1ull << 51;  // TBID0
    CHECK(translate(*m.as, regs, tagged0, fetch_access()).ok());
    regs.id.pauth = true;
    r = translate(*m.as, regs, tagged0, fetch_access());
    CHECK(r.fault.type == FaultType::Translation);
    CHECK(fault_address(r.fault) == tagged0);  // FAR keeps the tag
    CHECK(translate(*m.as, regs, tagged0, read_access()).ok());
}

TEST_CASE("MMU off: flat mapping, architected attributes, PARange check", "[arm_mmu]") {
    TestMachine m;
    Regs regs = make_regs(12, 48, 0, 0, id_cortex_a57());  // PARange 44 bits
    regs.sctlr &= ~1ull;

    Result r = translate(*m.as, regs, 0x0000'0fff'1234'5678ull, read_access());
    REQUIRE(r.ok());
    CHECK(r.tr.pa == 0x0000'0fff'1234'5678ull);
    CHECK(r.tr.device);
    CHECK(r.tr.attr == 0x00);  // Device-nGnRnE
    CHECK(r.tr.sh == Shareability::Outer);
    CHECK(r.tr.el0.write);
    CHECK(r.tr.el1.exec);

    r = translate(*m.as, regs, 0x4000'0000, fetch_access());
    REQUIRE(r.ok());
    CHECK_FALSE(r.tr.device);
    CHECK(r.tr.attr == 0xaa);  // Normal Write-Through with SCTLR.I
    regs.sctlr &= ~(1ull << 12);
    CHECK(translate(*m.as, regs, 0x4000'0000, fetch_access()).tr.attr == 0x44);

    // Beyond the 44-bit PA range: Address size fault, level 0.
    r = translate(*m.as, regs, 1ull << 44, read_access());
    CHECK(r.fault.type == FaultType::AddressSize);
    CHECK(r.fault.level == 0);
    CHECK(fault_status_code(r.fault) == 0x00);
    r = translate(*m.as, regs, 0x5a00'0000'4000'0000ull, read_access());
    CHECK(r.fault.type == FaultType::AddressSize);
    regs.tcr |= 1ull << 37;  // TBI0 applies with the MMU off too
    r = translate(*m.as, regs, 0x5a00'0000'4000'0000ull, read_access());
    REQUIRE(r.ok());
    CHECK(r.tr.pa == 0x4000'0000);

    // All data is Device: a misaligned access faults.
    r = translate(*m.as, regs, 0x4000'0002, read_access(4));
    CHECK(r.fault.type == FaultType::Alignment);
    CHECK(fault_status_code(r.fault) == 0x21);
    CHECK(translate(*m.as, regs, 0x4000'0004, read_access(4)).ok());
}

TEST_CASE("memory attributes and shareability come from MAIR and the descriptor", "[arm_mmu]") {
    TestMachine m;
    TableBuilder t(m, 12, 48, kRamBase);
    t.map(0x10000, 0x40100000, 3, kLeafDefault | attr_index(0));
    t.map(0x20000, 0x09000000, 3, kLeafDefault | attr_index(1));
    t.map(0x30000, 0x40200000, 3, kLeafDefault | attr_index(2));
    t.map(0x40000, 0x40300000, 3, kAF | (2ull << 8) | attr_index(0));
    Regs regs = make_regs(12, 48, t.root());

    Result r = translate(*m.as, regs, 0x10000, read_access());
    CHECK(r.tr.attr == 0xff);
    CHECK(r.tr.sh == Shareability::Inner);
    CHECK_FALSE(r.tr.device);
    r = translate(*m.as, regs, 0x20000, read_access());
    CHECK(r.tr.device);
    CHECK(r.tr.attr == 0x00);
    CHECK(r.tr.sh == Shareability::Outer);  // Device is always Outer Shareable
    r = translate(*m.as, regs, 0x20000, fetch_access());  // fetched as Normal NC
    CHECK_FALSE(r.tr.device);
    CHECK(r.tr.attr == 0x44);
    r = translate(*m.as, regs, 0x30000, read_access());
    CHECK(r.tr.sh == Shareability::Outer);  // so is Normal Non-cacheable
    CHECK(translate(*m.as, regs, 0x40000, read_access()).tr.sh == Shareability::Outer);

    // SCTLR.C = 0 makes Normal data accesses Non-cacheable.
    regs.sctlr &= ~(1ull << 2);
    r = translate(*m.as, regs, 0x10000, read_access());
    CHECK(r.tr.attr == 0x44);
    CHECK(translate(*m.as, regs, 0x10000, fetch_access()).tr.attr == 0xff);

    // Device memory needs alignment; Normal does not.
    CHECK(translate(*m.as, regs, 0x20001, read_access(2)).fault.type == FaultType::Alignment);
    CHECK(translate(*m.as, regs, 0x10001, read_access(2)).ok());
    // The caller's own alignment requirement comes before the walk.
    Access a = read_access(8);
    a.align = true;
    Result ra = translate(*m.as, regs, 0x7777'0004ull, a);
    CHECK(ra.fault.type == FaultType::Alignment);
}

TEST_CASE("nG and ASID: TCR.A1 selects the TTBR, TCR.AS the width", "[arm_mmu]") {
    TestMachine m;
    TableBuilder t(m, 12, 48, kRamBase);
    t.map(0x1000, 0x40100000, 3, kLeafDefault | kNG);
    t.map(0x2000, 0x40200000, 3, kLeafDefault);
    Regs regs = make_regs(12, 48, t.root() | (0xabcdull << 48));
    regs.ttbr1 = 0x1234ull << 48;

    Result r = translate(*m.as, regs, 0x1000, read_access());
    CHECK_FALSE(r.tr.global);
    CHECK(r.tr.asid == 0xcd);
    regs.tcr |= 1ull << 36;  // AS: 16-bit ASIDs (advertised by id_full)
    CHECK(translate(*m.as, regs, 0x1000, read_access()).tr.asid == 0xabcd);
    regs.tcr |= 1ull << 22;  // A1
    CHECK(translate(*m.as, regs, 0x1000, read_access()).tr.asid == 0x1234);
    regs.id = id_cortex_a57();
    regs.id.mmfr0 &= ~(0xfull << 4);  // 8-bit ASIDs only: AS ignored
    CHECK(translate(*m.as, regs, 0x1000, read_access()).tr.asid == 0x34);
    CHECK(translate(*m.as, regs, 0x2000, read_access()).tr.global);
}

TEST_CASE("big-endian translation tables with SCTLR_EL1.EE", "[arm_mmu]") {
    TestMachine m;
    TableBuilder t(m, 12, 48, kRamBase, /*big_endian=*/true);
    t.map(0x0000'1234'5678'9000ull, 0x40500000, 3);
    Regs regs = make_regs(12, 48, t.root());
    CHECK_FALSE(translate(*m.as, regs, 0x0000'1234'5678'9000ull, read_access()).ok());
    regs.sctlr |= 1ull << 25;
    Result r = translate(*m.as, regs, 0x0000'1234'5678'9000ull, read_access());
    REQUIRE(r.ok());
    CHECK(r.tr.pa == 0x40500000);
}

// Every fault type with its level and fault status code, and hostile
// tables: loops, tables outside RAM or in devices, illegal TnSZ, reserved
// encodings, random garbage.
#include <catch2/catch.hpp>
#include <random>

#include "tests/unit/arm_mmu/mmu_test_util.h"

using namespace mmu_test;

namespace {

void check_fault(const Result& r, FaultType type, int level, uint32_t fsc) {
    REQUIRE_FALSE(r.ok());
    CHECK(r.fault.type == type);
    CHECK(r.fault.level == level);
    CHECK(fault_status_code(r.fault) == fsc);
}

}  // namespace

TEST_CASE("translation faults at every level", "[arm_mmu]") {
    TestMachine m;
    TableBuilder t(m, 12, 48, kRamBase);
    const uint64_t va = 0x0000'1234'5678'9000ull;
    Regs regs = make_regs(12, 48, t.root());
    check_fault(translate(*m.as, regs, va, read_access()), FaultType::Translation, 0, 0x04);

    t.map(va, 0x40100000, 3);
    for (int level = 3; level >= 0; --level) {
        // Invalidate the descriptor at `level`: bit 0 clear, the rest kept.
        uint64_t dpa = t.descriptor_address(va, level);
        m.write64(dpa, m.read64(dpa) & ~1ull);
        check_fault(translate(*m.as, regs, va, read_access()), FaultType::Translation, level,
                    0x04u | unsigned(level));
        m.write64(dpa, m.read64(dpa) | 1);
        REQUIRE(translate(*m.as, regs, va, read_access()).ok());
    }
}

TEST_CASE("blocks where the granule allows none are translation faults", "[arm_mmu]") {
    // (granule, ia, level)
    const struct {
        unsigned g, ia;
        int level;
    } cases[] = {{12, 48, 0}, {14, 48, 1}, {16, 48, 1}};
    for (auto c : cases) {
        INFO("granule " << c.g << " level " << c.level);
        TestMachine m;
        TableBuilder t(m, c.g, c.ia, kRamBase);
        t.map(0, 0, c.level);  // leaf written as a block (bits 01)
        Regs regs = make_regs(c.g, c.ia, t.root());
        check_fault(translate(*m.as, regs, 0x1234, read_access()), FaultType::Translation, c.level,
                    0x04u | unsigned(c.level));
    }
    // Bits 01 at level 3 are reserved.
    TestMachine m;
    TableBuilder t(m, 12, 48, kRamBase);
    t.map(0x5000, 0x40100000, 3);
    uint64_t dpa = t.descriptor_address(0x5000, 3);
    m.write64(dpa, m.read64(dpa) & ~2ull);
    check_fault(translate(*m.as, make_regs(12, 48, t.root()), 0x5000, read_access()),
                FaultType::Translation, 3, 0x07);
}

TEST_CASE("address size faults: TTBR, table address and output address", "[arm_mmu]") {
    TestMachine m;
    TableBuilder t(m, 12, 48, kRamBase);
    t.map(0x1000, 0x40100000, 3);
    // A leaf whose OA is beyond a 40-bit IPS.
    t.map(0x4000'0000ull, 0x100'0000'0000ull, 2);
    Regs regs = make_regs(12, 48, t.root());
    regs.tcr = (regs.tcr & ~(7ull << 32)) | (2ull << 32);  // IPS 40 bits
    REQUIRE(translate(*m.as, regs, 0x1000, read_access()).ok());
    check_fault(translate(*m.as, regs, 0x4000'0000ull, read_access()), FaultType::AddressSize, 2,
                0x02);

    // A table descriptor at level 1 pointing above 2^40.
    uint64_t dpa = t.descriptor_address(0x1000, 1);
    uint64_t d = m.read64(dpa);
    m.write64(dpa, d | (1ull << 41));
    check_fault(translate(*m.as, regs, 0x1000, read_access()), FaultType::AddressSize, 1, 0x01);
    m.write64(dpa, d);

    // TTBR0 above the output size: level 0 whatever the start level.
    regs.ttbr0 = t.root() | (1ull << 44);
    check_fault(translate(*m.as, regs, 0x1000, read_access()), FaultType::AddressSize, 0, 0x00);
    // IPS above PARange is capped: a57's PARange is 44 bits.
    regs.id = id_cortex_a57();
    regs.tcr = (regs.tcr & ~(7ull << 32)) | (5ull << 32);
    check_fault(translate(*m.as, regs, 0x1000, read_access()), FaultType::AddressSize, 0, 0x00);
    regs.ttbr0 = t.root();
    REQUIRE(translate(*m.as, regs, 0x1000, read_access()).ok());
}

TEST_CASE("access flag faults at the leaf level", "[arm_mmu]") {
    TestMachine m;
    TableBuilder t(m, 12, 48, kRamBase);
    t.map(0x1000, 0x40100000, 3, kShInner);       // page, AF = 0
    t.map(0x4000'0000ull, 0x8000'0000ull, 1, 0);  // 1G block, AF = 0
    t.map(0x8020'0000ull, 0x8020'0000ull, 2, 0);  // 2M block, AF = 0
    Regs regs = make_regs(12, 48, t.root());
    check_fault(translate(*m.as, regs, 0x1000, read_access()), FaultType::AccessFlag, 3, 0x0b);
    check_fault(translate(*m.as, regs, 0x4000'0000ull, read_access()), FaultType::AccessFlag, 1,
                0x09);
    check_fault(translate(*m.as, regs, 0x8020'0000ull, fetch_access()), FaultType::AccessFlag, 2,
                0x0a);
}

TEST_CASE("external aborts on the walk: unassigned memory, devices, outside RAM", "[arm_mmu]") {
    TestMachine m;
    TableBuilder t(m, 12, 48, kRamBase);
    t.map(0x1000, 0x40100000, 3);
    Regs regs = make_regs(12, 48, t.root());

    // Level 1 table descriptor pointing into unassigned space.
    uint64_t dpa = t.descriptor_address(0x1000, 1);
    uint64_t d = m.read64(dpa);
    m.write64(dpa, 0x2000'0000ull | 3);
    check_fault(translate(*m.as, regs, 0x1000, read_access()), FaultType::WalkExternalAbort, 2,
                0x16);
    // Into the device: the device is never read.
    m.write64(dpa, kIoBase | 3);
    check_fault(translate(*m.as, regs, 0x1000, read_access()), FaultType::WalkExternalAbort, 2,
                0x16);
    CHECK(m.dev.reads == 0);
    // Just past the end of RAM.
    m.write64(dpa, (kRamBase + kRamSize) | 3);
    check_fault(translate(*m.as, regs, 0x1000, read_access()), FaultType::WalkExternalAbort, 2,
                0x16);
    m.write64(dpa, d);

    // TTBR itself outside RAM: abort at the start level.
    regs.ttbr0 = 0x7000'0000ull;
    check_fault(translate(*m.as, regs, 0x1000, read_access()), FaultType::WalkExternalAbort, 0,
                0x14);

    // Tables in ROM are readable.
    TableBuilder rt(m, 12, 39, kRomBase + 0x10000);
    rt.map(0x2000, 0x40200000, 3);
    Regs rregs = make_regs(12, 39, rt.root());
    Result r = translate(*m.as, rregs, 0x2000, read_access());
    REQUIRE(r.ok());
    CHECK(r.tr.pa == 0x40200000);
}

TEST_CASE("TnSZ outside the legal range is a level 0 translation fault", "[arm_mmu]") {
    TestMachine m;
    TableBuilder t(m, 12, 48, kRamBase);
    t.map(0x1000, 0x40100000, 3);
    for (unsigned tnsz : {0u, 8u, 15u, 40u, 48u, 63u}) {
        INFO("T0SZ " << tnsz);
        Regs regs = make_regs(12, 48, t.root());
        regs.tcr = (regs.tcr & ~0x3full) | tnsz;
        check_fault(translate(*m.as, regs, 0x1000, read_access()), FaultType::Translation, 0, 0x04);
    }
    // FEAT_TTST (ID_AA64MMFR2.ST) allows up to 48 with 4K: a 16-bit VA
    // space walked from level 3.
    TestMachine m2;
    TableBuilder small(m2, 12, 16, kRamBase);
    REQUIRE(small.start_level() == 3);
    small.map(0xf000, 0x40300000, 3);
    Regs regs = make_regs(12, 16, small.root());
    CHECK_FALSE(translate(*m2.as, regs, 0xf000, read_access()).ok());
    regs.id.mmfr2 |= 1ull << 28;
    Result r = translate(*m2.as, regs, 0xf123, read_access());
    REQUIRE(r.ok());
    CHECK(r.tr.pa == 0x40300123);
}

TEST_CASE("reserved and unimplemented granule and IPS encodings", "[arm_mmu]") {
    TestMachine m;
    TableBuilder t(m, 12, 48, kRamBase);
    t.map(0x1000, 0x40100000, 3);
    Regs regs = make_regs(12, 48, t.root());
    regs.tcr |= 3ull << 14;  // TG0 = 0b11, reserved: treated as 4K (implemented first)
    CHECK(translate(*m.as, regs, 0x1000, read_access()).tr.pa == 0x40100000);
    t.map(0x3000, 0x80'0000'0000ull, 3);                   // needs more than 36 bits of PA
    regs.tcr = (regs.tcr & ~(7ull << 32)) | (1ull << 32);  // IPS 36
    CHECK(translate(*m.as, regs, 0x3000, read_access()).fault.type == FaultType::AddressSize);
    regs.tcr = (regs.tcr & ~(7ull << 32)) | (7ull << 32);  // IPS reserved: PARange (48)
    CHECK(translate(*m.as, regs, 0x3000, read_access()).tr.pa == 0x80'0000'0000ull);

    // 16K asked for on cortex-a57, which has no 16K granule: 4K is used.
    Regs a57 = make_regs(12, 48, t.root(), 0, id_cortex_a57());
    a57.tcr = (a57.tcr & ~(3ull << 14)) | (2ull << 14);
    Result r = translate(*m.as, a57, 0x1000, read_access());
    REQUIRE(r.ok());
    CHECK(r.tr.granule_bits == 12);
}

TEST_CASE("self-referencing tables terminate within the level count", "[arm_mmu]") {
    for (unsigned g : {12u, 14u, 16u}) {
        TestMachine m;
        uint64_t root = kRamBase;
        // Every entry of the root table points back at the root table.
        for (uint64_t i = 0; i < (1ull << (g - 3)); ++i)
            m.write64(root + i * 8, root | 3);
        Regs regs = make_regs(g, 48, root);
        Result r = translate(*m.as, regs, 0x0000'7654'3210'fedcull, read_access());
        // Level 3 reads the root's own entry as a page descriptor mapping the
        // root itself; AF is clear, so: Access flag fault at level 3.
        check_fault(r, FaultType::AccessFlag, 3, 0x0b);
        for (uint64_t i = 0; i < (1ull << (g - 3)); ++i)
            m.write64(root + i * 8, root | 3 | kAF);
        r = translate(*m.as, regs, 0x0000'7654'3210'fedcull, read_access());
        REQUIRE(r.ok());
        CHECK(r.tr.level == 3);
        CHECK(r.tr.pa == (root | (0xfedcull & ((1ull << g) - 1))));
    }
}

TEST_CASE("random tables and registers never crash and give sane answers", "[arm_mmu]") {
    TestMachine m;
    std::mt19937_64 rng(12345);
    // Fill the first 4 MiB of RAM with descriptors that are mostly valid
    // tables/pages pointing back into that area, plus garbage.
    const uint64_t area = 4ull << 20;
    for (uint64_t off = 0; off < area; off += 8) {
        uint64_t v = rng();
        switch (v % 4) {
            case 0:
                v = (kRamBase + (rng() % area)) | (v & 0xfff0'0000'0000'0fffull) | 1;
                break;
            case 1:
                v = (kRamBase + (rng() % area)) | 3 | kAF;
                break;
            default:
                break;
        }
        m.write64(kRamBase + off, v);
    }
    unsigned ok = 0, faults = 0;
    for (int i = 0; i < 20000; ++i) {
        Regs regs;
        regs.sctlr = rng() | 1;
        regs.tcr = rng();
        regs.ttbr0 = (kRamBase + (rng() % area)) | (rng() & 0xffff'0000'0000'003full);
        regs.ttbr1 = (kRamBase + (rng() % area)) | (rng() & 0xffff'0000'0000'003full);
        regs.mair = rng();
        regs.el = rng() & 1;
        regs.pan = rng() & 1;
        regs.uao = rng() & 1;
        regs.id.mmfr0 = rng();
        regs.id.mmfr1 = rng();
        regs.id.mmfr2 = rng();
        regs.id.pauth = rng() & 1;
        Access a;
        a.type = static_cast<AccessType>(rng() % 3);
        a.unprivileged = rng() & 1;
        a.cache_maintenance = rng() & 1;
        a.size = static_cast<uint8_t>(1u << (rng() % 5));
        a.align = rng() & 1;
        if (rng() % 4 == 0) a = at_access(static_cast<AtOp>(1 + rng() % 6));
        // Mostly legal sizes and in-range addresses, so that walks happen.
        unsigned tnsz = 16 + rng() % 24;
        if (rng() % 8) {
            regs.tcr &= ~(0x3full | (0x3full << 16) | (1ull << 7) | (1ull << 23));
            regs.tcr |= tnsz | (uint64_t{tnsz} << 16);
        }
        uint64_t va = rng();
        if (rng() % 8) {
            va &= (1ull << (64 - tnsz)) - 1;
            if (rng() & 1) va |= ~((1ull << (64 - tnsz)) - 1);
        }
        Result r = translate(*m.as, regs, va, a);
        if (r.ok()) {
            ++ok;
            CHECK(r.tr.pa < (1ull << 52));
            CHECK(r.tr.level >= -1);
            CHECK(r.tr.level <= 3);
            CHECK(r.tr.block_size >= 4096);
        } else {
            ++faults;
            CHECK(r.fault.level >= 0);
            CHECK(r.fault.level <= 3);
            CHECK(r.fault.va == va);
            uint64_t par = par_el1(r);
            CHECK((par & 1) == 1);
        }
    }
    // The generator must reach both outcomes, or the test proves nothing.
    CHECK(ok > 100);
    CHECK(faults > 100);
    CHECK(m.dev.reads == 0);
}

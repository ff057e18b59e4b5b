// Hardware management of the Access flag (TCR.HA) and of dirty state
// (TCR.HD with DBM), including concurrent updates from several threads.
#include <catch2/catch.hpp>
#include <thread>
#include <vector>

#include "tests/unit/arm_mmu/mmu_test_util.h"

using namespace mmu_test;

namespace {
constexpr uint64_t kHA = 1ull << 39;
constexpr uint64_t kHD = 1ull << 40;
}  // namespace

TEST_CASE("TCR.HA sets the Access flag in the descriptor", "[arm_mmu]") {
    TestMachine m;
    TableBuilder t(m, 12, 48, kRamBase);
    t.map(0x1000, 0x40100000, 3, kShInner);  // AF = 0
    uint64_t dpa = t.descriptor_address(0x1000, 3);
    uint64_t before = m.read64(dpa);
    Regs regs = make_regs(12, 48, t.root());
    regs.tcr |= kHA;

    // AT does not update: it reports the page as accessible.
    Result r = translate(*m.as, regs, 0x1000, at_access(AtOp::S1E1R));
    CHECK(r.ok());
    CHECK(m.read64(dpa) == before);

    r = translate(*m.as, regs, 0x1000, read_access());
    REQUIRE(r.ok());
    CHECK(r.tr.descriptor_updated);
    CHECK(r.tr.descriptor_pa == dpa);
    CHECK(m.read64(dpa) == (before | kAF));
    r = translate(*m.as, regs, 0x1000, read_access());
    CHECK_FALSE(r.tr.descriptor_updated);

    // A faulting access leaves AF alone.
    t.map(0x2000, 0x40200000, 3, kShInner | ap(0b00));
    uint64_t dpa2 = t.descriptor_address(0x2000, 3);
    regs.el = 0;
    CHECK(translate(*m.as, regs, 0x2000, read_access()).fault.type == FaultType::Permission);
    CHECK((m.read64(dpa2) & kAF) == 0);

    // HA without FEAT_HAFDBS in the model: Access flag fault.
    regs.el = 1;
    regs.id = id_cortex_a57();
    CHECK(translate(*m.as, regs, 0x2000, read_access()).fault.type == FaultType::AccessFlag);
}

TEST_CASE("TCR.HD with DBM: writes make clean pages dirty by clearing AP[2]", "[arm_mmu]") {
    TestMachine m;
    TableBuilder t(m, 12, 48, kRamBase);
    const uint64_t clean = kLeafDefault | ap(0b11) | kDBM;  // read-only at EL0 and EL1, DBM
    t.map(0x1000, 0x40100000, 3, clean);
    uint64_t dpa = t.descriptor_address(0x1000, 3);
    Regs regs = make_regs(12, 48, t.root());

    // Without HD, DBM is only a software bit.
    CHECK(translate(*m.as, regs, 0x1000, write_access()).fault.type == FaultType::Permission);
    regs.tcr |= kHA | kHD;

    Result r = translate(*m.as, regs, 0x1000, read_access());
    REQUIRE(r.ok());
    CHECK_FALSE(r.tr.el1.write);  // a TLB must send the first write to the slow path
    CHECK((m.read64(dpa) & (1ull << 7)) != 0);

    // AT S1E1W sees a writable page but does not dirty it.
    CHECK(translate(*m.as, regs, 0x1000, at_access(AtOp::S1E1W)).ok());
    CHECK((m.read64(dpa) & (1ull << 7)) != 0);

    r = translate(*m.as, regs, 0x1000, write_access());
    REQUIRE(r.ok());
    CHECK(r.tr.el1.write);
    CHECK(r.tr.el0.write);
    CHECK(r.tr.descriptor_updated);
    CHECK((m.read64(dpa) & (1ull << 7)) == 0);

    // EL0 cannot dirty a page it has no access to, and the hierarchical
    // read-only control is not overridden by DBM.
    t.map(0x2000, 0x40200000, 3, kLeafDefault | ap(0b10) | kDBM);  // EL1 only
    uint64_t dpa2 = t.descriptor_address(0x2000, 3);
    regs.el = 0;
    CHECK(translate(*m.as, regs, 0x2000, write_access()).fault.type == FaultType::Permission);
    CHECK((m.read64(dpa2) & (1ull << 7)) != 0);
    regs.el = 1;
    const uint64_t va_ro = 0x0000'0080'0000'1000ull;
    t.map(va_ro, 0x40300000, 3, clean, ap_table(0b10));
    CHECK(translate(*m.as, regs, va_ro, write_access()).fault.type == FaultType::Permission);

    // HD needs HAFDBS == 2 in the model.
    regs.id.mmfr1 = (regs.id.mmfr1 & ~0xfull) | 1;
    CHECK(translate(*m.as, regs, 0x2000, write_access()).fault.type == FaultType::Permission);
}

TEST_CASE("updates of descriptors in ROM are external aborts on the walk", "[arm_mmu]") {
    TestMachine m;
    TableBuilder t(m, 12, 39, kRomBase + 0x20000);
    t.map(0x1000, 0x40100000, 3, kShInner);  // AF = 0
    Regs regs = make_regs(12, 39, t.root());
    regs.tcr |= kHA;
    Result r = translate(*m.as, regs, 0x1000, read_access());
    CHECK(r.fault.type == FaultType::WalkExternalAbort);
    CHECK(r.fault.level == 3);
    CHECK(fault_status_code(r.fault) == 0x17);
}

TEST_CASE("big-endian descriptors are updated in big-endian", "[arm_mmu]") {
    TestMachine m;
    TableBuilder t(m, 12, 48, kRamBase, /*big_endian=*/true);
    t.map(0x1000, 0x40100000, 3, kShInner);
    uint64_t dpa = t.descriptor_address(0x1000, 3);
    Regs regs = make_regs(12, 48, t.root());
    regs.sctlr |= 1ull << 25;
    regs.tcr |= kHA;
    REQUIRE(translate(*m.as, regs, 0x1000, read_access()).ok());
    CHECK((m.read64(dpa, /*big_endian=*/true) & kAF) != 0);
}

TEST_CASE("concurrent walks update descriptors without losing bits", "[arm_mmu]") {
    TestMachine m;
    TableBuilder t(m, 12, 48, kRamBase);
    constexpr int kPages = 256;
    for (int i = 0; i < kPages; ++i)
        t.map(0x100000 + i * 0x1000ull, 0x40800000 + i * 0x1000ull, 3,
              kShInner | ap(0b11) | kDBM);  // AF clear, clean
    Regs regs = make_regs(12, 48, t.root());
    regs.tcr |= kHA | kHD;
    // One thread sets AF by reading, the other dirties by writing: both
    // updates must land in every descriptor.
    auto worker = [&](bool write) {
        for (int i = 0; i < kPages; ++i) {
            Result r = translate(*m.as, regs, 0x100000 + i * 0x1000ull,
                                 write ? write_access() : read_access());
            CHECK(r.ok());
        }
    };
    std::thread a(worker, false), b(worker, true);
    a.join();
    b.join();
    for (int i = 0; i < kPages; ++i) {
        uint64_t d = m.read64(t.descriptor_address(0x100000 + i * 0x1000ull, 3));
        CHECK((d & kAF) != 0);
        CHECK((d & (1ull << 7)) == 0);
    }
}

// Permissions: EL0/EL1 x read/write/execute against AP[2:1], UXN, PXN,
// WXN, PAN (with LDTR/STTR, UAO, AT, EPAN), and the hierarchical controls.
#include <catch2/catch.hpp>

#include "tests/unit/arm_mmu/mmu_test_util.h"

using namespace mmu_test;

namespace {

// The Arm ARM's table of stage 1 data access permissions (EL1&0 regime).
struct ApRow {
    unsigned ap;
    bool el1_r, el1_w, el0_r, el0_w;
};
constexpr ApRow kApTable[] = {
    {0b00, true, true, false, false},
    {0b01, true, true, true, true},
    {0b10, true, false, false, false},
    {0b11, true, false, true, false},
};

bool allowed(TestMachine& m, const Regs& regs, uint64_t va, const Access& a) {
    Result r = translate(*m.as, regs, va, a);
    if (!r.ok()) {
        CHECK(r.fault.type == FaultType::Permission);
        CHECK(r.fault.level == 3);
    }
    return r.ok();
}

Access with_type(AccessType t) {
    Access a;
    a.type = t;
    return a;
}

}  // namespace

TEST_CASE("permission matrix: EL0/EL1 x R/W/X x AP/UXN/PXN/WXN/PAN", "[arm_mmu]") {
    TestMachine m;
    TableBuilder t(m, 12, 48, kRamBase);
    uint64_t va = 0x10'0000;
    struct Page {
        uint64_t va;
        ApRow row;
        bool uxn, pxn;
    };
    std::vector<Page> pages;
    for (const ApRow& row : kApTable)
        for (bool uxn : {false, true})
            for (bool pxn : {false, true}) {
                t.map(va, 0x4080'0000 + pages.size() * 0x1000, 3,
                      kLeafDefault | ap(row.ap) | (uxn ? kUXN : 0) | (pxn ? kPXN : 0));
                pages.push_back({va, row, uxn, pxn});
                va += 0x1000;
            }
    Regs regs = make_regs(12, 48, t.root());
    for (bool wxn : {false, true}) {
        for (bool pan : {false, true}) {
            regs.sctlr = (regs.sctlr & ~(1ull << 19)) | (uint64_t{wxn} << 19);
            regs.pan = pan;
            for (const Page& p : pages) {
                INFO("AP " << p.row.ap << " UXN " << p.uxn << " PXN " << p.pxn << " WXN " << wxn
                           << " PAN " << pan);
                bool el0_any = p.row.el0_r || p.row.el0_w;
                // EL1: PAN takes away data access to EL0-accessible pages;
                // EL0-writable pages are never EL1-executable.
                regs.el = 1;
                CHECK(allowed(m, regs, p.va, with_type(AccessType::Read)) ==
                      (p.row.el1_r && !(pan && el0_any)));
                CHECK(allowed(m, regs, p.va, with_type(AccessType::Write)) ==
                      (p.row.el1_w && !(pan && el0_any)));
                CHECK(allowed(m, regs, p.va, with_type(AccessType::Fetch)) ==
                      (!p.pxn && !p.row.el0_w && !(wxn && p.row.el1_w)));
                // EL0: PAN is irrelevant.
                regs.el = 0;
                CHECK(allowed(m, regs, p.va, with_type(AccessType::Read)) == p.row.el0_r);
                CHECK(allowed(m, regs, p.va, with_type(AccessType::Write)) == p.row.el0_w);
                CHECK(allowed(m, regs, p.va, with_type(AccessType::Fetch)) ==
                      (!p.uxn && !(wxn && p.row.el0_w)));

                // The cached permissions agree with the checks.
                Regs plain = regs;
                plain.el = 1;
                plain.pan = false;
                Result r = translate(*m.as, plain, p.va, with_type(AccessType::Read));
                REQUIRE(r.ok());
                const Translation& tr = r.tr;
                CHECK(tr.el0.read == p.row.el0_r);
                CHECK(tr.el0.write == p.row.el0_w);
                CHECK(tr.el1.write == p.row.el1_w);
                CHECK(tr.pan_restricted == el0_any);
                CHECK(tr.el1.exec == (!p.pxn && !p.row.el0_w && !(wxn && p.row.el1_w)));
                CHECK(tr.el0.exec == (!p.uxn && !(wxn && p.row.el0_w)));
            }
        }
    }
}

TEST_CASE("unprivileged loads/stores and UAO", "[arm_mmu]") {
    TestMachine m;
    TableBuilder t(m, 12, 48, kRamBase);
    t.map(0x1000, 0x40100000, 3, kLeafDefault | ap(0b00));  // EL1 only
    t.map(0x2000, 0x40200000, 3, kLeafDefault | ap(0b01));  // EL0 RW
    Regs regs = make_regs(12, 48, t.root());
    regs.pan = true;
    Access ldtr = read_access();
    ldtr.unprivileged = true;
    Access sttr = write_access();
    sttr.unprivileged = true;

    // LDTR/STTR at EL1 are checked as EL0 and ignore PAN.
    CHECK(translate(*m.as, regs, 0x1000, ldtr).fault.type == FaultType::Permission);
    CHECK(translate(*m.as, regs, 0x2000, ldtr).ok());
    CHECK(translate(*m.as, regs, 0x2000, sttr).ok());
    CHECK(translate(*m.as, regs, 0x2000, read_access()).fault.type == FaultType::Permission);

    // PSTATE.UAO makes them ordinary EL1 accesses (PAN applies again).
    regs.uao = true;
    CHECK(translate(*m.as, regs, 0x1000, ldtr).ok());
    CHECK(translate(*m.as, regs, 0x2000, ldtr).fault.type == FaultType::Permission);
    // ... but only if the model has FEAT_UAO.
    regs.id.mmfr2 &= ~(0xfull << 4);
    CHECK(translate(*m.as, regs, 0x1000, ldtr).fault.type == FaultType::Permission);
}

TEST_CASE("PAN follows the model, AT and cache maintenance exemptions, EPAN", "[arm_mmu]") {
    TestMachine m;
    TableBuilder t(m, 12, 48, kRamBase);
    t.map(0x2000, 0x40200000, 3, kLeafDefault | ap(0b01));         // EL0 RW
    t.map(0x3000, 0x40300000, 3, kLeafDefault | ap(0b00) | kPXN);  // EL0 execute-only
    Regs regs = make_regs(12, 48, t.root());
    regs.pan = true;

    CHECK(translate(*m.as, regs, 0x2000, read_access()).fault.type == FaultType::Permission);
    CHECK(translate(*m.as, regs, 0x2000, fetch_access()).fault.type == FaultType::Permission);
    Access cmo = read_access();
    cmo.cache_maintenance = true;
    CHECK(translate(*m.as, regs, 0x2000, cmo).ok());
    // AT S1E1R/W ignore PAN; the P forms (FEAT_PAN2) honour it.
    CHECK(translate(*m.as, regs, 0x2000, at_access(AtOp::S1E1R)).ok());
    CHECK(translate(*m.as, regs, 0x2000, at_access(AtOp::S1E1W)).ok());
    CHECK(translate(*m.as, regs, 0x2000, at_access(AtOp::S1E1RP)).fault.type ==
          FaultType::Permission);
    CHECK(translate(*m.as, regs, 0x2000, at_access(AtOp::S1E1WP)).fault.type ==
          FaultType::Permission);

    // Execute-only EL0 memory is not PAN-protected without EPAN.
    CHECK(translate(*m.as, regs, 0x3000, read_access()).ok());
    regs.sctlr |= 1ull << 57;  // EPAN, but the model has PAN (1), not PAN3
    CHECK(translate(*m.as, regs, 0x3000, read_access()).ok());
    regs.id.mmfr1 = (regs.id.mmfr1 & ~(0xfull << 20)) | (3ull << 20);
    CHECK(translate(*m.as, regs, 0x3000, read_access()).fault.type == FaultType::Permission);

    // cortex-a57 has no PAN: PSTATE.PAN (which it cannot set) is ignored.
    regs.id = id_cortex_a57();
    CHECK(translate(*m.as, regs, 0x2000, read_access()).ok());
}

TEST_CASE("AT S1E0R/W check EL0 permissions from EL1", "[arm_mmu]") {
    TestMachine m;
    TableBuilder t(m, 12, 48, kRamBase);
    t.map(0x1000, 0x40100000, 3, kLeafDefault | ap(0b00));
    t.map(0x2000, 0x40200000, 3, kLeafDefault | ap(0b11));
    Regs regs = make_regs(12, 48, t.root());
    CHECK(translate(*m.as, regs, 0x1000, at_access(AtOp::S1E0R)).fault.type ==
          FaultType::Permission);
    CHECK(translate(*m.as, regs, 0x2000, at_access(AtOp::S1E0R)).ok());
    CHECK(translate(*m.as, regs, 0x2000, at_access(AtOp::S1E0W)).fault.type ==
          FaultType::Permission);
    CHECK(translate(*m.as, regs, 0x1000, at_access(AtOp::S1E1W)).ok());
    CHECK(translate(*m.as, regs, 0x2000, at_access(AtOp::S1E1W)).fault.type ==
          FaultType::Permission);
}

TEST_CASE("hierarchical controls: APTable, UXNTable, PXNTable, HPD", "[arm_mmu]") {
    TestMachine m;
    // Separate level 0 entries, so each tree has its own table bits.
    const uint64_t va_noel0 = 0x0000'0000'0000'1000ull;
    const uint64_t va_ro = 0x0000'0080'0000'1000ull;
    const uint64_t va_uxn = 0x0000'0100'0000'1000ull;
    const uint64_t va_pxn = 0x0000'0180'0000'1000ull;
    TableBuilder t(m, 12, 48, kRamBase);
    const uint64_t rw_all = kLeafDefault | ap(0b01);
    const uint64_t rw_el1 = kLeafDefault | ap(0b00);
    t.map(va_noel0, 0x40100000, 3, rw_all, ap_table(0b01));
    t.map(va_ro, 0x40200000, 3, rw_all, ap_table(0b10));
    t.map(va_uxn, 0x40300000, 3, rw_all, kUXNTable);
    t.map(va_pxn, 0x40400000, 3, rw_el1, kPXNTable);
    Regs regs = make_regs(12, 48, t.root());

    regs.el = 0;
    CHECK(translate(*m.as, regs, va_noel0, read_access()).fault.type == FaultType::Permission);
    CHECK(translate(*m.as, regs, va_ro, read_access()).ok());
    CHECK(translate(*m.as, regs, va_ro, write_access()).fault.type == FaultType::Permission);
    CHECK(translate(*m.as, regs, va_uxn, fetch_access()).fault.type == FaultType::Permission);
    regs.el = 1;
    CHECK(translate(*m.as, regs, va_noel0, write_access()).ok());
    CHECK(translate(*m.as, regs, va_ro, write_access()).fault.type == FaultType::Permission);
    CHECK(translate(*m.as, regs, va_pxn, fetch_access()).fault.type == FaultType::Permission);
    // APTable[0] removed EL0 write access, so EL1 may execute there and
    // PAN no longer protects it.
    Result r = translate(*m.as, regs, va_noel0, fetch_access());
    CHECK(r.ok());
    CHECK_FALSE(r.tr.pan_restricted);

    // TCR.HPD0 (FEAT_HPDS) disables the hierarchical controls.
    regs.tcr |= 1ull << 41;
    CHECK(translate(*m.as, regs, va_ro, write_access()).ok());
    CHECK(translate(*m.as, regs, va_pxn, fetch_access()).ok());
    regs.el = 0;
    CHECK(translate(*m.as, regs, va_noel0, read_access()).ok());
    // Not on a model without FEAT_HPDS.
    regs.id.mmfr1 &= ~(0xfull << 12);
    CHECK(translate(*m.as, regs, va_noel0, read_access()).fault.type == FaultType::Permission);
}

TEST_CASE("debug accesses ignore permissions and AF but not the walk", "[arm_mmu]") {
    TestMachine m;
    TableBuilder t(m, 12, 48, kRamBase);
    t.map(0x1000, 0x40100000, 3, kShInner | ap(0b00) | kUXN | kPXN);  // AF = 0, EL1 only
    uint64_t dpa = t.descriptor_address(0x1000, 3);
    uint64_t before = m.read64(dpa);
    Regs regs = make_regs(12, 48, t.root());
    regs.el = 0;
    regs.tcr |= 1ull << 39;  // HA: a debug access must still not set AF
    Access dbg = write_access(8);
    dbg.debug = true;
    Result r = translate(*m.as, regs, 0x1003, dbg);
    REQUIRE(r.ok());
    CHECK(r.tr.pa == 0x40100003);
    CHECK(m.read64(dpa) == before);
    CHECK(translate(*m.as, regs, 0x5000, dbg).fault.type == FaultType::Translation);
    // The flat-view overload gives the same answers.
    auto view = m.as->view();
    CHECK(translate(*view, regs, 0x1003, dbg).tr.pa == 0x40100003);
}

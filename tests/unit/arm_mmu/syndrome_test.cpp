// Fault encodings: ESR (EC, IL, ISS with DFSC/IFSC, WnR, CM), FAR, PAR_EL1.
#include <catch2/catch.hpp>

#include "tests/unit/arm_mmu/mmu_test_util.h"

using namespace mmu_test;

TEST_CASE("ESR for data and instruction aborts", "[arm_mmu]") {
    TestMachine m;
    TableBuilder t(m, 12, 48, kRamBase);
    t.map(0x1000, 0x40100000, 3, kLeafDefault | ap(0b00) | kUXN);
    Regs regs = make_regs(12, 48, t.root());

    regs.el = 0;
    Result r = translate(*m.as, regs, 0x1008, write_access(8));
    REQUIRE(r.fault.type == FaultType::Permission);
    // EC 0x24 (Data Abort from a lower EL), IL, WnR, DFSC permission L3.
    CHECK(abort_syndrome(r.fault, 0) == ((0x24ull << 26) | (1ull << 25) | (1 << 6) | 0x0f));
    CHECK(fault_address(r.fault) == 0x1008);

    r = translate(*m.as, regs, 0x1000, fetch_access());
    REQUIRE(r.fault.type == FaultType::Permission);
    CHECK(abort_exception_class(r.fault, 0) == 0x20);
    CHECK(abort_iss(r.fault) == 0x0f);

    regs.el = 1;
    r = translate(*m.as, regs, 0x7000, read_access());
    REQUIRE(r.fault.type == FaultType::Translation);
    CHECK(abort_syndrome(r.fault, 1) == ((0x25ull << 26) | (1ull << 25) | 0x07));
    r = translate(*m.as, regs, 0x7000, fetch_access());
    CHECK(abort_exception_class(r.fault, 1) == 0x21);

    // Cache maintenance: CM and WnR set.
    Access cmo = read_access();
    cmo.cache_maintenance = true;
    r = translate(*m.as, regs, 0x7000, cmo);
    CHECK(abort_iss(r.fault) == ((1u << 8) | (1u << 6) | 0x07));

    Fault ea = external_abort(0x1234, read_access());
    CHECK(fault_status_code(ea) == 0x10);
    CHECK(abort_iss(ea) == 0x10);
}

TEST_CASE("PAR_EL1 after AT", "[arm_mmu]") {
    TestMachine m;
    TableBuilder t(m, 12, 48, kRamBase);
    t.map(0x0000'1234'5678'9000ull, 0x0000'0abc'def0'1000ull, 3, kLeafDefault | attr_index(0));
    t.map(0x2000, 0x09000000, 3, kLeafDefault | attr_index(3));
    Regs regs = make_regs(12, 48, t.root());

    Result r = translate(*m.as, regs, 0x0000'1234'5678'9abcull, at_access(AtOp::S1E1R));
    REQUIRE(r.ok());
    // ATTR 0xff, PA[47:12], bit 11 RES1, NS, SH inner (0b11), F = 0.
    CHECK(par_el1(r) ==
          ((0xffull << 56) | 0x0000'0abc'def0'1000ull | (1 << 11) | (1 << 9) | (3 << 7)));

    r = translate(*m.as, regs, 0x2000, at_access(AtOp::S1E0R));
    REQUIRE(r.fault.type == FaultType::Permission);
    CHECK(par_el1(r) == (1 | (0x0full << 1) | (1 << 11)));
    r = translate(*m.as, regs, 0x2000, at_access(AtOp::S1E1W));
    REQUIRE(r.ok());
    CHECK(par_el1(r) == ((0x04ull << 56) | 0x09000000ull | (1 << 11) | (1 << 9) | (2 << 7)));

    r = translate(*m.as, regs, 0x5000, at_access(AtOp::S1E1R));
    CHECK(par_el1(r) == (1 | (0x07ull << 1) | (1 << 11)));
    CHECK(address_translate(*m.as, regs, AtOp::S1E1R, 0x5000) == par_el1(r));

    // MMU off: Device-nGnRnE, Outer Shareable.
    regs.sctlr &= ~1ull;
    r = translate(*m.as, regs, 0x4000'1234ull, at_access(AtOp::S1E1R));
    CHECK(par_el1(r) == (0x4000'1000ull | (1 << 11) | (1 << 9) | (2 << 7)));
}

TEST_CASE("unsupported_feature reports what the library cannot do", "[arm_mmu]") {
    CHECK(unsupported_feature(id_full()) == nullptr);
    CHECK(unsupported_feature(id_cortex_a57()) == nullptr);
    IdRegs lpa2 = id_full();
    lpa2.mmfr0 |= 1ull << 28;  // TGran4 = 0b0001: 52-bit with 4K
    CHECK(unsupported_feature(lpa2) != nullptr);
}

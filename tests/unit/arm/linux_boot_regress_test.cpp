// What Debian's arm64 kernel needed from the CPU on its way to userspace:
// each case is a failure seen while booting it on -M virt.
#include <catch2/catch.hpp>

#include "target/arm/sysregs.h"
#include "test_machine.h"

using namespace emu;
using namespace emu::arm;
using namespace emu::arm::test;

TEST_CASE("Unallocated ID registers read as zero", "[arm][linux]") {
    // __cpuinfo_store_cpu reads ID_AA64SMFR0_EL1 (S3_0_C0_C4_5) and others
    // a Cortex-A57 predates; the op0=3/op1=0/CRn=0/CRm=1..7 space is RAZ.
    TestMachine m;
    m.load(kRamBase, {
                         0xd28000e0,  // mov x0, #7
                         0xd28000e1,  // mov x1, #7
                         0xd28000e2,  // mov x2, #7
                         0xd53804a0,  // mrs x0, S3_0_C0_C4_5 (ID_AA64SMFR0_EL1)
                         0xd53803e1,  // mrs x1, S3_0_C0_C3_7
                         0xd53807e2,  // mrs x2, S3_0_C0_C7_7
                         0xd503207f,  // wfi
                     });
    REQUIRE(m.run(kRamBase) == tcg::kStatusHalt);
    CHECK(m.st().x[0] == 0);
    CHECK(m.st().x[1] == 0);
    CHECK(m.st().x[2] == 0);
    // Writes to the ID space and encodings outside it stay Undefined.
    const SysregInfo* raz = find_sysreg(sr::enc(3, 0, 0, 4, 5));
    REQUIRE(raz != nullptr);
    CHECK((raz->flags & kSrReadOnly) != 0);
    CHECK(find_sysreg(sr::enc(3, 0, 0, 8, 0)) == nullptr);
    CHECK(find_sysreg(sr::enc(3, 1, 0, 4, 5)) == nullptr);
    CHECK(find_sysreg(sr::enc(3, 0, 1, 4, 5)) == nullptr);
}

TEST_CASE("Breakpoint and watchpoint registers ID_AA64DFR0 advertises exist", "[arm][linux]") {
    // hw_breakpoint_reset writes DBGBCRn/DBGBVRn/DBGWCRn/DBGWVRn for every
    // breakpoint ID_AA64DFR0_EL1.BRPs/WRPs announces.
    TestMachine m;
    m.load(kRamBase, {
                         0xd5380504,  // mrs x4, ID_AA64DFR0_EL1
                         0xd2803ce5,  // mov x5, #0x1e7
                         0xd51001a5,  // msr DBGBCR1_EL1, x5
                         0xd53001a3,  // mrs x3, DBGBCR1_EL1
                         0xd51000c5,  // msr DBGWVR0_EL1, x5
                         0xd53000c6,  // mrs x6, DBGWVR0_EL1
                         0xd503207f,  // wfi
                     });
    REQUIRE(m.run(kRamBase) == tcg::kStatusHalt);
    uint64_t dfr0 = m.st().x[4];
    unsigned brps = ((dfr0 >> 12) & 15) + 1, wrps = ((dfr0 >> 20) & 15) + 1;
    CHECK(brps >= 2);  // the architected minimum
    CHECK(wrps >= 2);
    CHECK(((dfr0 >> 8) & 15) == 0);  // PMUVer: no PMU
    CHECK(m.st().x[3] == 0x1e7);
    CHECK(m.st().x[6] == 0x1e7);
    for (unsigned n = 0; n < 16; ++n) {
        bool bp = find_sysreg(sr::enc(2, 0, 0, n, 5)) != nullptr;
        bool wp = find_sysreg(sr::enc(2, 0, 0, n, 7)) != nullptr;
        CHECK(bp == (n < brps));
        CHECK(wp == (n < wrps));
    }
}

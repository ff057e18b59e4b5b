#include "target/arm/sysregs.h"

#include <algorithm>
#include <array>
#include <cstddef>

#include "target/arm/cpu_state.h"

namespace emu::arm {

namespace {

#define OFF(field) static_cast<int32_t>(offsetof(ArmCpuState, field))
using sr::enc;
constexpr uint64_t kAll = ~0ull;

const SysregInfo kSysregs[] = {
    // PSTATE views
    {sr::NZCV, "NZCV", OFF(nzcv), kSrEl0Read | kSrEl0Write, 0xf0000000},
    {sr::DAIF, "DAIF", OFF(daif), kSrHelper, kDaifMask},
    {sr::CurrentEL, "CurrentEL", -1, kSrHelper | kSrReadOnly, 0},
    {sr::SPSel, "SPSel", -1, kSrHelper | kSrEndBlock, 1},
    {sr::SP_EL0, "SP_EL0", -1, kSrHelper, kAll},
    // FPCR trap enables (IDE, IXE..IOE) are RAZ/WI because FP exceptions are
    // never trapped, and FZ16 is RES0 without FEAT_FP16 (as on Cortex-A57).
    {enc(3, 3, 4, 4, 0), "FPCR", OFF(fpcr), kSrEl0Read | kSrEl0Write, 0x07f70000},
    {enc(3, 3, 4, 4, 1), "FPSR", OFF(fpsr), kSrEl0Read | kSrEl0Write, 0xf800009f},
    // Identification (read-only)
    {enc(3, 0, 0, 0, 0), "MIDR_EL1", OFF(midr), kSrReadOnly, 0},
    {enc(3, 0, 0, 0, 5), "MPIDR_EL1", OFF(mpidr), kSrReadOnly, 0},
    {enc(3, 0, 0, 0, 6), "REVIDR_EL1", OFF(revidr), kSrReadOnly, 0},
    {enc(3, 0, 0, 4, 0), "ID_AA64PFR0_EL1", OFF(id_aa64pfr0), kSrReadOnly, 0},
    {enc(3, 0, 0, 4, 1), "ID_AA64PFR1_EL1", OFF(id_aa64pfr1), kSrReadOnly, 0},
    {enc(3, 0, 0, 5, 0), "ID_AA64DFR0_EL1", OFF(id_aa64dfr0), kSrReadOnly, 0},
    {enc(3, 0, 0, 5, 1), "ID_AA64DFR1_EL1", OFF(zero), kSrReadOnly, 0},
    {enc(3, 0, 0, 5, 4), "ID_AA64AFR0_EL1", OFF(zero), kSrReadOnly, 0},
    {enc(3, 0, 0, 5, 5), "ID_AA64AFR1_EL1", OFF(zero), kSrReadOnly, 0},
    {enc(3, 0, 0, 6, 0), "ID_AA64ISAR0_EL1", OFF(id_aa64isar0), kSrReadOnly, 0},
    {enc(3, 0, 0, 6, 1), "ID_AA64ISAR1_EL1", OFF(id_aa64isar1), kSrReadOnly, 0},
    {enc(3, 0, 0, 6, 2), "ID_AA64ISAR2_EL1", OFF(zero), kSrReadOnly, 0},
    {enc(3, 0, 0, 7, 0), "ID_AA64MMFR0_EL1", OFF(id_aa64mmfr0), kSrReadOnly, 0},
    {enc(3, 0, 0, 7, 1), "ID_AA64MMFR1_EL1", OFF(id_aa64mmfr1), kSrReadOnly, 0},
    {enc(3, 0, 0, 7, 2), "ID_AA64MMFR2_EL1", OFF(id_aa64mmfr2), kSrReadOnly, 0},
    {enc(3, 0, 0, 4, 4), "ID_AA64ZFR0_EL1", OFF(zero), kSrReadOnly, 0},
    {enc(3, 1, 0, 0, 0), "CCSIDR_EL1", OFF(zero), kSrReadOnly, 0},
    {enc(3, 1, 0, 0, 1), "CLIDR_EL1", OFF(clidr), kSrReadOnly, 0},
    {enc(3, 1, 0, 0, 7), "AIDR_EL1", OFF(zero), kSrReadOnly, 0},
    {enc(3, 2, 0, 0, 0), "CSSELR_EL1", OFF(csselr_el1), 0, 0xf},
    {enc(3, 3, 0, 0, 1), "CTR_EL0", OFF(ctr_el0), kSrReadOnly | kSrEl0Read, 0},
    {enc(3, 3, 0, 0, 7), "DCZID_EL0", OFF(dczid_el0), kSrReadOnly | kSrEl0Read, 0},
    // Memory system and exception registers
    {sr::SCTLR_EL1, "SCTLR_EL1", OFF(sctlr_el1), kSrEndBlock, kAll},
    {enc(3, 0, 1, 0, 1), "ACTLR_EL1", OFF(actlr_el1), 0, kAll},
    {sr::CPACR_EL1, "CPACR_EL1", OFF(cpacr_el1), kSrEndBlock, 0x00300000},
    {enc(3, 0, 2, 0, 0), "TTBR0_EL1", OFF(ttbr0_el1), kSrHelper, kAll},
    {enc(3, 0, 2, 0, 1), "TTBR1_EL1", OFF(ttbr1_el1), kSrHelper, kAll},
    {enc(3, 0, 2, 0, 2), "TCR_EL1", OFF(tcr_el1), kSrHelper, kAll},
    {enc(3, 0, 4, 0, 0), "SPSR_EL1", OFF(spsr_el1), 0, kAll},
    {enc(3, 0, 4, 0, 1), "ELR_EL1", OFF(elr_el1), 0, kAll},
    {enc(3, 0, 5, 1, 0), "AFSR0_EL1", OFF(afsr0_el1), 0, kAll},
    {enc(3, 0, 5, 1, 1), "AFSR1_EL1", OFF(afsr1_el1), 0, kAll},
    {enc(3, 0, 5, 2, 0), "ESR_EL1", OFF(esr_el1), 0, kAll},
    {enc(3, 0, 6, 0, 0), "FAR_EL1", OFF(far_el1), 0, kAll},
    {enc(3, 0, 7, 4, 0), "PAR_EL1", OFF(par_el1), 0, kAll},
    {enc(3, 0, 10, 2, 0), "MAIR_EL1", OFF(mair_el1), 0, kAll},
    {enc(3, 0, 10, 3, 0), "AMAIR_EL1", OFF(amair_el1), 0, kAll},
    {enc(3, 0, 12, 0, 0), "VBAR_EL1", OFF(vbar_el1), 0, ~0x7ffull},
    {sr::ISR_EL1, "ISR_EL1", -1, kSrHelper | kSrReadOnly, 0},
    {enc(3, 0, 12, 1, 1), "DISR_EL1", OFF(disr_el1), 0, kAll},
    {enc(3, 0, 13, 0, 1), "CONTEXTIDR_EL1", OFF(contextidr_el1), 0, 0xffffffff},
    {enc(3, 0, 13, 0, 4), "TPIDR_EL1", OFF(tpidr_el1), 0, kAll},
    {enc(3, 3, 13, 0, 2), "TPIDR_EL0", OFF(tpidr_el0), kSrEl0Read | kSrEl0Write, kAll},
    {enc(3, 3, 13, 0, 3), "TPIDRRO_EL0", OFF(tpidrro_el0), kSrEl0Read, kAll},
    // Debug (no debug features: storage only)
    {enc(2, 0, 0, 2, 2), "MDSCR_EL1", OFF(mdscr_el1), 0, kAll},
    {enc(2, 0, 0, 2, 0), "MDCCINT_EL1", OFF(mdccint_el1), 0, kAll},
    {enc(2, 0, 1, 0, 4), "OSLAR_EL1", OFF(zero), kSrWriteOnly | kSrHelper, 0},
    {enc(2, 0, 1, 1, 4), "OSLSR_EL1", OFF(oslsr_el1), kSrReadOnly, 0},
    {enc(2, 0, 1, 3, 4), "OSDLR_EL1", OFF(osdlr_el1), 0, 1},
    {enc(2, 0, 0, 0, 4), "DBGBVR0_EL1", OFF(dbgbvr[0]), 0, kAll},
    {enc(2, 0, 0, 0, 5), "DBGBCR0_EL1", OFF(dbgbcr[0]), 0, 0x00ff01e7},
    {enc(2, 0, 0, 0, 6), "DBGWVR0_EL1", OFF(dbgwvr[0]), 0, kAll},
    {enc(2, 0, 0, 0, 7), "DBGWCR0_EL1", OFF(dbgwcr[0]), 0, 0x1f11ffff},
    {enc(2, 0, 0, 1, 4), "DBGBVR1_EL1", OFF(dbgbvr[1]), 0, kAll},
    {enc(2, 0, 0, 1, 5), "DBGBCR1_EL1", OFF(dbgbcr[1]), 0, 0x00ff01e7},
    {enc(2, 0, 0, 1, 6), "DBGWVR1_EL1", OFF(dbgwvr[1]), 0, kAll},
    {enc(2, 0, 0, 1, 7), "DBGWCR1_EL1", OFF(dbgwcr[1]), 0, 0x1f11ffff},
    // Generic timer
    {sr::CNTFRQ_EL0, "CNTFRQ_EL0", OFF(cntfrq), kSrEl0Read, kAll},
    {sr::CNTPCT_EL0, "CNTPCT_EL0", -1, kSrHelper | kSrReadOnly | kSrEl0Read, 0},
    {sr::CNTVCT_EL0, "CNTVCT_EL0", -1, kSrHelper | kSrReadOnly | kSrEl0Read, 0},
    {enc(3, 0, 14, 1, 0), "CNTKCTL_EL1", OFF(cntkctl_el1), 0, 0x3ff},
    {sr::CNTP_TVAL_EL0, "CNTP_TVAL_EL0", -1, kSrHelper | kSrEl0Read | kSrEl0Write, kAll},
    {sr::CNTP_CTL_EL0, "CNTP_CTL_EL0", -1, kSrHelper | kSrEl0Read | kSrEl0Write, 3},
    {sr::CNTP_CVAL_EL0, "CNTP_CVAL_EL0", -1, kSrHelper | kSrEl0Read | kSrEl0Write, kAll},
    {sr::CNTV_TVAL_EL0, "CNTV_TVAL_EL0", -1, kSrHelper | kSrEl0Read | kSrEl0Write, kAll},
    {sr::CNTV_CTL_EL0, "CNTV_CTL_EL0", -1, kSrHelper | kSrEl0Read | kSrEl0Write, 3},
    {sr::CNTV_CVAL_EL0, "CNTV_CVAL_EL0", -1, kSrHelper | kSrEl0Read | kSrEl0Write, kAll},
};
// The rest of the ID space (op0=3, op1=0, CRn=0, CRm=1..7) reads as zero:
// unallocated and unimplemented ID registers are RAZ so that software (Linux's
// cpuinfo) can probe ID_AA64ZFR0/SMFR0/ISAR2... on CPUs that predate them.
const SysregInfo kIdSpaceRaz = {0, "ID space (RAZ)", OFF(zero), kSrReadOnly, 0};
#undef OFF

}  // namespace

const SysregInfo* find_sysreg(uint32_t encoding) {
    for (const SysregInfo& r : kSysregs) {
        if (r.encoding == encoding) return &r;
    }
    unsigned crm = (encoding >> 3) & 15;
    if ((encoding >> 7) == (sr::enc(3, 0, 0, 0, 0) >> 7) && crm >= 1 && crm <= 7) {
        return &kIdSpaceRaz;
    }
    return nullptr;
}

}  // namespace emu::arm

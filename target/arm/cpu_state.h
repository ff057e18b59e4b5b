#pragma once
// The architectural state of one aarch64 CPU as translated code sees it.
// It starts with the TcgEnv header; the translator addresses every field
// below by its byte offset (GetReg/SetReg), so simple system registers are
// read and written inline without a helper call.
#include <cstddef>
#include <cstdint>

#include "tcg/exec/env.h"

namespace emu::arm {

// PSTATE bits as they appear in SPSR.
constexpr uint32_t kPstateN = 1u << 31, kPstateZ = 1u << 30, kPstateC = 1u << 29,
                   kPstateV = 1u << 28;
constexpr uint32_t kPstateD = 1u << 9, kPstateA = 1u << 8, kPstateI = 1u << 7, kPstateF = 1u << 6;
constexpr uint32_t kDaifMask = kPstateD | kPstateA | kPstateI | kPstateF;

struct ArmCpuState {
    tcg::TcgEnv tcg;
    // x[0..30]; x[31] is the current stack pointer (SP_EL0 or SP_ELx per
    // SPSel); the inactive ones live in sp_el. XZR is not stored.
    uint64_t x[32];
    uint32_t nzcv;                  // bit 31 N, 30 Z, 29 C, 28 V
    uint32_t daif;                  // PSTATE.{D,A,I,F} in SPSR positions
    uint32_t el;                    // current exception level (0 or 1)
    uint32_t spsel;                 // PSTATE.SP
    uint64_t sp_el[2];              // SP_EL0, SP_EL1 while not selected
    alignas(16) uint64_t v[32][2];  // V0-V31, little-endian halves
    uint32_t fpcr;
    uint32_t fpsr;

    // System registers (EL1 and EL0 views; no EL2/EL3).
    uint64_t sctlr_el1;
    uint64_t cpacr_el1;
    uint64_t vbar_el1;
    uint64_t elr_el1;
    uint64_t spsr_el1;
    uint64_t esr_el1;
    uint64_t far_el1;
    uint64_t tpidr_el0;
    uint64_t tpidrro_el0;
    uint64_t tpidr_el1;
    uint64_t ttbr0_el1;
    uint64_t ttbr1_el1;
    uint64_t tcr_el1;
    uint64_t mair_el1;
    uint64_t amair_el1;
    uint64_t contextidr_el1;
    uint64_t par_el1;
    uint64_t afsr0_el1;
    uint64_t afsr1_el1;
    uint64_t mdscr_el1;
    uint64_t actlr_el1;
    uint64_t csselr_el1;
    uint64_t cntkctl_el1;
    uint64_t osdlr_el1;
    uint64_t oslsr_el1;
    uint64_t mdccint_el1;
    // Breakpoint/watchpoint value and control registers (the two of each
    // ID_AA64DFR0 advertises): storage only, debug exceptions never fire.
    uint64_t dbgbvr[2];
    uint64_t dbgbcr[2];
    uint64_t dbgwvr[2];
    uint64_t dbgwcr[2];
    uint64_t disr_el1;
    // Generic timer: control and compare values (TVAL is derived).
    uint64_t cntp_ctl;
    uint64_t cntp_cval;
    uint64_t cntv_ctl;
    uint64_t cntv_cval;
    uint64_t cntvoff;

    // Read-only identification, filled per model at reset.
    uint64_t midr;
    uint64_t mpidr;
    uint64_t revidr;
    uint64_t id_aa64pfr0;
    uint64_t id_aa64pfr1;
    uint64_t id_aa64dfr0;
    uint64_t id_aa64isar0;
    uint64_t id_aa64isar1;
    uint64_t id_aa64mmfr0;
    uint64_t id_aa64mmfr1;
    uint64_t id_aa64mmfr2;
    uint64_t ctr_el0;
    uint64_t dczid_el0;
    uint64_t clidr;
    uint64_t cntfrq;
    uint64_t zero;  // RAZ registers read this
};

constexpr uint32_t xreg_off(unsigned n) {
    return offsetof(ArmCpuState, x) + 8 * n;
}
constexpr uint32_t vreg_off(unsigned n) {
    return offsetof(ArmCpuState, v) + 16 * n;
}
constexpr uint32_t kNzcvOff = offsetof(ArmCpuState, nzcv);
constexpr uint32_t kSpOff = xreg_off(31);

// Sysreg encodings as in MRS/MSR and cpu_api.h: op0<<14|op1<<11|CRn<<7|CRm<<3|op2.
constexpr uint32_t sysreg(unsigned op0, unsigned op1, unsigned crn, unsigned crm, unsigned op2) {
    return op0 << 14 | op1 << 11 | crn << 7 | crm << 3 | op2;
}

// TB flags (the mode key translated code depends on).
constexpr uint64_t kTbElShift = 0;  // 2 bits
constexpr uint64_t kTbFpEnabled = 1u << 2;
constexpr uint64_t kTbMmuOn = 1u << 3;
constexpr uint64_t kTbSingleInsn = 1u << 4;  // translate one instruction per block
// The model implements LSE atomics (ID_AA64ISAR0_EL1.Atomic >= 2): constant
// per CPU, in the key so the translator needs no other view of the model.
constexpr uint64_t kTbLse = 1u << 5;

}  // namespace emu::arm

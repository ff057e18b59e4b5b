#pragma once
// Helper functions translated A64 code calls (tcg/ir/helpers.h ABI), and
// their ids. Registered once per process.
#include <cstdint>

namespace emu::arm {

struct ArmHelperIds {
    uint32_t exception;  // (esr, return address) -> enters the exception
    uint32_t mrs;        // (encoding, pc) -> value
    uint32_t msr;        // (encoding, value, pc)
    uint32_t msr_imm;    // (op1<<3|op2, crm, pc)
    uint32_t eret;       // (pc)
    uint32_t wfi;        // (next pc) -> halts
    uint32_t hvc;        // (imm16, pc)
    uint32_t smc;        // (imm16, pc)
    uint32_t hlt;        // (imm16, pc)
    uint32_t sys;        // (op1<<11|crn<<7|crm<<3|op2, value, pc): DC/IC/TLBI/AT
    uint32_t crc32;      // (acc, value, bytes | castagnoli << 8) -> crc
    uint32_t simd_ldst;  // (desc, address, pc): LDn/STn structure forms
    uint32_t pair128;    // (kind | regs << 8, address, pc): LDXP/STXP/CASP on 64-bit pairs
    uint32_t check_irq;  // () after unmasking: request an interrupt check
    // FP / SIMD
    uint32_t fp_binop;  // (op | size << 8, a, b) -> result (FPCR from env)
    uint32_t fp_unop;   // (op | size << 8, a) -> result
    uint32_t fp_fma;    // (op | size << 8, a, b, c) -> result
    uint32_t fp_cmp;    // (size | signal << 8, a, b) -> NZCV
    uint32_t fp_cvt;    // (kind, value) -> converted
    uint32_t vec;       // (desc, d_off, n_off, m_off): AdvSIMD ops on env registers (vec_ops.h)
    uint32_t vec_int;   // same arguments: integer AdvSIMD ops (vec_int_ops.h)
    uint32_t crypto;    // (desc, d_off, n_off, m_off): AES/SHA/PMULL (crypto_helpers.h)
};

const ArmHelperIds& arm_helpers();

}  // namespace emu::arm

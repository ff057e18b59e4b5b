#pragma once
// AdvSIMD and scalar-SIMD floating-point operations done by the vector FP
// helper (target/arm/vec_fp_helpers.cpp), on top of the bit-exact library
// in target/arm/fpu. Same descriptor layout as vec_ops.h:
//   op | esize_log2 << 8 | q << 12 | scalar << 13 | part2 << 14 | imm << 16
// with esize_log2 2 (single) or 3 (double), except for the precision
// conversions, where it is the size of the narrower elements (1 half, 2
// single). "scalar" means: one element (or, for the pairwise forms, one
// pair), result zero-extended to 128 bits.
#include <cstdint>

#include "target/arm/vec_args.h"

namespace emu::arm {

enum class VecFpOp : uint8_t {
    // three same
    Fadd,
    Fsub,
    Fmul,
    Fdiv,
    Fmax,
    Fmin,
    Fmaxnm,
    Fminnm,
    Fabd,
    Fcmeq,
    Fcmge,
    Fcmgt,
    Fmla,
    Fmls,
    Faddp,
    Fmulx,
    Frecps,
    Frsqrts,
    Facge,
    Facgt,
    Fmaxp,
    Fminp,
    Fmaxnmp,
    Fminnmp,
    // two-register misc
    Fabs,
    Fneg,
    Fsqrt,
    Fcmgt0,
    Fcmeq0,
    Fcmlt0,
    Fcmge0,
    Fcmle0,
    ToInt,    // FCVT[NAPMZ][SU], incl. fixed point: imm = vec_fp_toint_imm()
    FromInt,  // SCVTF/UCVTF, incl. fixed point: imm = vec_fp_fromint_imm()
    Frint,    // FRINT[NAPMZXI]: imm = vec_fp_rint_imm()
    Frecpe,
    Frsqrte,
    Frecpx,
    Urecpe,
    Ursqrte,
    Fcvtl,   // widen es -> es + 1 from the lower (or, part2, upper) half of n
    Fcvtn,   // narrow es + 1 -> es into the lower (or, part2, upper) half of d
    Fcvtxn,  // double -> single, round to odd; es = 2
    // across lanes (4S only)
    Fmaxv,
    Fminv,
    Fmaxnmv,
    Fminnmv,
    // by element: m's element imm is the second operand of every lane
    FmulElem,
    FmlaElem,
    FmlsElem,
    FmulxElem,
};

// Rounding as fpu::Rounding (0 TieEven, 1 PosInf, 2 NegInf, 3 Zero, 4 TieAway),
// or 7 for FPCR.RMode.
inline constexpr unsigned kVecFpRoundFpcr = 7;

constexpr unsigned vec_fp_toint_imm(unsigned rounding, bool is_unsigned, unsigned fbits) {
    return rounding | unsigned(is_unsigned) << 3 | fbits << 4;
}
constexpr unsigned vec_fp_fromint_imm(bool is_unsigned, unsigned fbits) {
    return unsigned(is_unsigned) | fbits << 1;
}
constexpr unsigned vec_fp_rint_imm(unsigned rounding, bool exact) {
    return rounding | unsigned(exact) << 3;
}

constexpr uint64_t vec_fp_desc(VecFpOp op, unsigned esize_log2, bool q, bool scalar = false,
                               bool part2 = false, unsigned imm = 0) {
    return encode_vec_desc(static_cast<unsigned>(op), esize_log2, q, scalar, part2, imm);
}

}  // namespace emu::arm

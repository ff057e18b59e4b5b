#pragma once
// Integer AdvSIMD operations done by the integer vector helper
// (target/arm/vec_int_helpers.cpp): halving, rounding and saturating
// arithmetic, saturating and rounding shifts, saturating doubling
// multiplies, by-element multiplies, and the narrowing/long forms of them.
//
// Descriptor: op | esize_log2 << 8 | q << 12 | scalar << 13 | elem << 14 |
// imm << 16. esize_log2 is the element size of the operation's narrow side
// (the source of long forms, the destination of narrowing ones). q is the
// instruction's Q bit: for long and narrowing forms it selects the upper
// half ("2" forms). elem: the second operand is element imm of m (by
// element); otherwise imm is the shift amount of immediate shifts.
#include <cstdint>

#include "target/arm/vec_args.h"

namespace emu::arm {

enum class VecIntOp : uint8_t {
    // same size in and out: r = f(n, m, d)
    Shadd,
    Uhadd,
    Srhadd,
    Urhadd,
    Shsub,
    Uhsub,
    Sqadd,
    Uqadd,
    Sqsub,
    Uqsub,
    Sqshl,  // register shift amounts: signed low byte of m
    Uqshl,
    Srshl,
    Urshl,
    Sqrshl,
    Uqrshl,
    Saba,
    Uaba,
    Pmul,
    Sqdmulh,
    Sqrdmulh,
    Mul,
    Mla,
    Mls,
    Suqadd,  // unary accumulating: d op n
    Usqadd,
    Cls,  // unary
    Clz,
    Sqabs,
    Sqneg,
    Urecpe,
    Ursqrte,
    Srshr,  // shift by immediate (imm)
    Urshr,
    Srsra,
    Ursra,
    SqshlImm,
    UqshlImm,
    Sqshlu,
    // long: narrow sources, wide result
    Sabal,
    Uabal,
    Smull,
    Umull,
    Smlal,
    Umlal,
    Smlsl,
    Umlsl,
    Sqdmull,
    Sqdmlal,
    Sqdmlsl,
    Shll,  // shift left by the element size
    // narrowing: wide sources, narrow result
    Raddhn,
    Rsubhn,
    Rshrn,
    Sqshrn,
    Uqshrn,
    Sqrshrn,
    Uqrshrn,
    Sqshrun,
    Sqrshrun,
    Sqxtn,
    Uqxtn,
    Sqxtun,
    // pairwise long accumulate
    Sadalp,
    Uadalp,
};

constexpr uint64_t vec_int_desc(VecIntOp op, unsigned esize_log2, bool q, bool scalar = false,
                                bool elem = false, unsigned imm = 0) {
    return encode_vec_desc(static_cast<unsigned>(op), esize_log2, q, scalar, elem, imm);
}

}  // namespace emu::arm

// AdvSIMD and scalar-SIMD floating point: decoding of the FP forms of the
// shared groups (simd.cpp forwards their FP opcodes here) and of the FP
// by-element groups. Every form is one call of the vector FP helper
// (target/arm/vec_fp_helpers.cpp). Half-precision arithmetic (FEAT_FP16) is
// not advertised by any CPU model we emulate, so its encodings stay
// Undefined; the half <-> single conversions FCVTL/FCVTN are base AdvSIMD.
#include "target/arm/helpers.h"
#include "target/arm/translate/translator.h"
#include "target/arm/vec_fp_ops.h"

namespace emu::arm {

namespace {

void emit(A64Translator& t, uint64_t desc, unsigned d, unsigned n, unsigned m) {
    Builder& ir = t.ir();
    ir.call(Type::Void, t.helpers().vec_fp,
            {ir.c64(desc), ir.c64(vreg_off(d)), ir.c64(vreg_off(n)), ir.c64(vreg_off(m))});
}

// fpu::Rounding values.
constexpr unsigned kTieEven = 0, kPosInf = 1, kNegInf = 2, kZero = 3, kTieAway = 4;

}  // namespace

// Three same (opcode >= 0x18), key U:size<1>:opcode. Scalar forms: FMULX,
// FCMEQ, FCMGE, FCMGT, FACGE, FACGT, FABD, FRECPS, FRSQRTS.
bool A64Translator::simd_fp_3same(bool scalar, bool q, unsigned u, unsigned size, unsigned m,
                                  unsigned opcode, unsigned n, unsigned d) {
    unsigned es = 2 + (size & 1);
    if (!scalar && es == 3 && !q) return false;
    VecFpOp op;
    bool vector_only = false;
    switch (u << 6 | (size & 2) << 4 | opcode) {
        case 0x18:
            op = VecFpOp::Fmaxnm, vector_only = true;
            break;
        case 0x19:
            op = VecFpOp::Fmla, vector_only = true;
            break;
        case 0x1a:
            op = VecFpOp::Fadd, vector_only = true;
            break;
        case 0x1e:
            op = VecFpOp::Fmax, vector_only = true;
            break;
        case 0x38:
            op = VecFpOp::Fminnm, vector_only = true;
            break;
        case 0x39:
            op = VecFpOp::Fmls, vector_only = true;
            break;
        case 0x3a:
            op = VecFpOp::Fsub, vector_only = true;
            break;
        case 0x3e:
            op = VecFpOp::Fmin, vector_only = true;
            break;
        case 0x5a:
            op = VecFpOp::Faddp, vector_only = true;
            break;
        case 0x5b:
            op = VecFpOp::Fmul, vector_only = true;
            break;
        case 0x5f:
            op = VecFpOp::Fdiv, vector_only = true;
            break;
        case 0x1c:
            op = VecFpOp::Fcmeq;
            break;
        case 0x5c:
            op = VecFpOp::Fcmge;
            break;
        case 0x7c:
            op = VecFpOp::Fcmgt;
            break;
        case 0x7a:
            op = VecFpOp::Fabd;
            break;
        case 0x1b:
            op = VecFpOp::Fmulx;
            break;
        case 0x1f:
            op = VecFpOp::Frecps;
            break;
        case 0x3f:
            op = VecFpOp::Frsqrts;
            break;
        case 0x5d:
            op = VecFpOp::Facge;
            break;
        case 0x7d:
            op = VecFpOp::Facgt;
            break;
        case 0x58:
            op = VecFpOp::Fmaxnmp, vector_only = true;
            break;
        case 0x5e:
            op = VecFpOp::Fmaxp, vector_only = true;
            break;
        case 0x78:
            op = VecFpOp::Fminnmp, vector_only = true;
            break;
        case 0x7e:
            op = VecFpOp::Fminp, vector_only = true;
            break;
        default:
            return false;
    }
    if (scalar && vector_only) return false;  // vector only (scalar pairwise: SIMDS_pair)
    if (!fp_access()) return true;
    emit(*this, vec_fp_desc(op, es, q, scalar), d, n, m);
    return true;
}

// Two-register miscellaneous, key U:size<1>:opcode.
bool A64Translator::simd_fp_2misc(bool scalar, bool q, unsigned u, unsigned size, unsigned opcode,
                                  unsigned n, unsigned d) {
    unsigned sz = size & 1, es = 2 + sz;
    unsigned imm = 0;
    bool part2 = false;
    bool vector_only = false;
    VecFpOp op;
    auto to_int = [&](unsigned r, bool uns) {
        op = VecFpOp::ToInt;
        imm = vec_fp_toint_imm(r, uns, 0);
    };
    auto rint = [&](unsigned r, bool exact) {
        op = VecFpOp::Frint;
        imm = vec_fp_rint_imm(r, exact);
        vector_only = true;
    };
    switch (u << 6 | (size & 2) << 4 | opcode) {
        case 0x2f:
            op = VecFpOp::Fabs, vector_only = true;
            break;
        case 0x6f:
            op = VecFpOp::Fneg, vector_only = true;
            break;
        case 0x7f:
            op = VecFpOp::Fsqrt, vector_only = true;
            break;
        case 0x2c:
            op = VecFpOp::Fcmgt0;
            break;
        case 0x2d:
            op = VecFpOp::Fcmeq0;
            break;
        case 0x2e:
            op = VecFpOp::Fcmlt0;
            break;
        case 0x6c:
            op = VecFpOp::Fcmge0;
            break;
        case 0x6d:
            op = VecFpOp::Fcmle0;
            break;
        case 0x1a:
            to_int(kTieEven, false);
            break;
        case 0x1b:
            to_int(kNegInf, false);
            break;
        case 0x1c:
            to_int(kTieAway, false);
            break;
        case 0x3a:
            to_int(kPosInf, false);
            break;
        case 0x3b:
            to_int(kZero, false);
            break;
        case 0x5a:
            to_int(kTieEven, true);
            break;
        case 0x5b:
            to_int(kNegInf, true);
            break;
        case 0x5c:
            to_int(kTieAway, true);
            break;
        case 0x7a:
            to_int(kPosInf, true);
            break;
        case 0x7b:
            to_int(kZero, true);
            break;
        case 0x1d:
        case 0x5d:
            op = VecFpOp::FromInt;
            imm = vec_fp_fromint_imm(u, 0);
            break;
        case 0x3d:
            op = VecFpOp::Frecpe;
            break;
        case 0x7d:
            op = VecFpOp::Frsqrte;
            break;
        case 0x3f:
            if (!scalar) return false;
            op = VecFpOp::Frecpx;
            break;
        case 0x3c:
        case 0x7c:
            if (scalar || sz) return false;
            op = u ? VecFpOp::Ursqrte : VecFpOp::Urecpe;
            break;
        case 0x18:
            rint(kTieEven, false);
            break;
        case 0x19:
            rint(kNegInf, false);
            break;
        case 0x38:
            rint(kPosInf, false);
            break;
        case 0x39:
            rint(kZero, false);
            break;
        case 0x58:
            rint(kTieAway, false);
            break;
        case 0x59:
            rint(kVecFpRoundFpcr, true);
            break;
        case 0x79:
            rint(kVecFpRoundFpcr, false);
            break;
        case 0x16:  // FCVTN/FCVTN2: es is the narrow size
        case 0x17:  // FCVTL/FCVTL2
            if (scalar) return false;
            op = opcode == 0x16 ? VecFpOp::Fcvtn : VecFpOp::Fcvtl;
            es = 1 + sz;
            part2 = q;
            if (!fp_access()) return true;
            emit(*this, vec_fp_desc(op, es, true, false, part2), d, n, n);
            return true;
        case 0x56:  // FCVTXN/FCVTXN2: double to single only
            if (!sz) return false;
            if (!fp_access()) return true;
            emit(*this, vec_fp_desc(VecFpOp::Fcvtxn, 2, true, scalar, !scalar && q), d, n, n);
            return true;
        default:
            return false;
    }
    if (scalar && vector_only) return false;
    if (!scalar && es == 3 && !q) return false;
    if (!fp_access()) return true;
    emit(*this, vec_fp_desc(op, es, q, scalar, false, imm), d, n, n);
    return true;
}

// FMAXNMV/FMINNMV/FMAXV/FMINV: 4S only (the U=0 forms are FP16).
bool A64Translator::simd_fp_across(bool q, unsigned u, unsigned size, unsigned opcode, unsigned n,
                                   unsigned d) {
    if (!u || !q || (size & 1)) return false;
    bool min = size & 2;
    VecFpOp op;
    if (opcode == 0x0c) {
        op = min ? VecFpOp::Fminnmv : VecFpOp::Fmaxnmv;
    } else if (opcode == 0x0f) {
        op = min ? VecFpOp::Fminv : VecFpOp::Fmaxv;
    } else {
        return false;
    }
    if (!fp_access()) return true;
    emit(*this, vec_fp_desc(op, 2, true), d, n, n);
    return true;
}

// Scalar pairwise FADDP/FMAXNMP/FMINNMP/FMAXP/FMINP.
bool A64Translator::simd_fp_pair(unsigned u, unsigned size, unsigned opcode, unsigned n,
                                 unsigned d) {
    if (!u) return false;  // U=0: FP16
    bool min = size & 2;
    VecFpOp op;
    if (opcode == 0x0c) {
        op = min ? VecFpOp::Fminnmp : VecFpOp::Fmaxnmp;
    } else if (opcode == 0x0f) {
        op = min ? VecFpOp::Fminp : VecFpOp::Fmaxp;
    } else if (opcode == 0x0d && !min) {
        op = VecFpOp::Faddp;
    } else {
        return false;
    }
    if (!fp_access()) return true;
    emit(*this, vec_fp_desc(op, 2 + (size & 1), false, true), d, n, n);
    return true;
}

// Fixed-point SCVTF/UCVTF (opcode 0x1c) and FCVTZS/FCVTZU (0x1f) by
// immediate: immh<3> double, immh<3:2> = 01 single, 001x half (FP16).
bool A64Translator::simd_fp_shimm(bool scalar, bool q, unsigned u, unsigned immh, unsigned immb,
                                  unsigned opcode, unsigned n, unsigned d) {
    if (opcode != 0x1c && opcode != 0x1f) return false;
    unsigned es;
    if (immh & 8) {
        es = 3;
    } else if (immh & 4) {
        es = 2;
    } else {
        return false;
    }
    if (!scalar && es == 3 && !q) return false;
    unsigned fbits = (16u << es) - (immh << 3 | immb);
    uint64_t desc =
        opcode == 0x1c
            ? vec_fp_desc(VecFpOp::FromInt, es, q, scalar, false, vec_fp_fromint_imm(u, fbits))
            : vec_fp_desc(VecFpOp::ToInt, es, q, scalar, false, vec_fp_toint_imm(kZero, u, fbits));
    if (!fp_access()) return true;
    emit(*this, desc, d, n, n);
    return true;
}

// By element: FMLA (opcode 0001), FMLS (0101), FMUL (1001), FMULX (U=1,
// 1001). size 2: single, index H:L, Rm = M:Rm; size 3: double, index H
// (L = 1 is unallocated). The U=1 0xx1 forms are FCMLA (FEAT_FCMA).
bool A64Translator::simd_fp_elem(bool scalar, bool q, unsigned u, unsigned size, unsigned l,
                                 unsigned m, unsigned opcode, unsigned h, unsigned n, unsigned d) {
    VecFpOp op;
    switch (u << 4 | opcode) {
        case 0x01:
            op = VecFpOp::FmlaElem;
            break;
        case 0x05:
            op = VecFpOp::FmlsElem;
            break;
        case 0x09:
            op = VecFpOp::FmulElem;
            break;
        case 0x19:
            op = VecFpOp::FmulxElem;
            break;
        default:
            return false;
    }
    unsigned es, index;
    if (size == 2) {
        es = 2, index = h << 1 | l;
    } else if (size == 3) {
        if (l || (!scalar && !q)) return false;
        es = 3, index = h;
    } else {
        return false;  // size 0: FP16; size 1: unallocated
    }
    if (!fp_access()) return true;
    emit(*this, vec_fp_desc(op, es, q, scalar, false, index), d, n, m);
    return true;
}

bool A64Translator::SIMD_fpelem(uint32_t q, uint32_t u, uint32_t size, uint32_t l, uint32_t mhi,
                                uint32_t m, uint32_t o, uint32_t h, uint32_t n, uint32_t d) {
    return simd_fp_elem(false, q, u, size, l, mhi << 4 | m, o << 3 | 1, h, n, d);
}

bool A64Translator::SIMD_fpelem_mls(uint32_t q, uint32_t u, uint32_t size, uint32_t l, uint32_t mhi,
                                    uint32_t m, uint32_t h, uint32_t n, uint32_t d) {
    return simd_fp_elem(false, q, u, size, l, mhi << 4 | m, 5, h, n, d);
}

bool A64Translator::SIMDS_fpelem(uint32_t u, uint32_t size, uint32_t l, uint32_t mhi, uint32_t m,
                                 uint32_t o, uint32_t h, uint32_t n, uint32_t d) {
    return simd_fp_elem(true, false, u, size, l, mhi << 4 | m, o << 3 | 1, h, n, d);
}

bool A64Translator::SIMDS_fpelem_mls(uint32_t u, uint32_t size, uint32_t l, uint32_t mhi,
                                     uint32_t m, uint32_t h, uint32_t n, uint32_t d) {
    return simd_fp_elem(true, false, u, size, l, mhi << 4 | m, 5, h, n, d);
}

}  // namespace emu::arm

// AdvSIMD decode groups: bitwise operations, moves and immediates inline on
// i128 values; the common integer lane ops through the IR's vector ops
// (simd_vec.cpp, asked first), the rest through the vector helper
// (target/arm/vec_helpers.cpp).
#include "target/arm/fp_ops.h"
#include "target/arm/helpers.h"
#include "target/arm/translate/simd_int.h"
#include "target/arm/translate/simd_vec.h"
#include "target/arm/translate/translator.h"
#include "target/arm/vec_ops.h"

namespace emu::arm {

namespace {

struct Vec {
    A64Translator& t;
    void op(VecOp op, unsigned es, bool q, unsigned d, unsigned n, unsigned m, bool scalar = false,
            bool part2 = false, unsigned imm = 0) {
        Builder& ir = t.ir();
        ir.call(Type::Void, t.helpers().vec,
                {ir.c64(vec_desc(op, es, q, scalar, part2, imm)), ir.c64(vreg_off(d)),
                 ir.c64(vreg_off(n)), ir.c64(vreg_off(m))});
    }
    Value get(unsigned r) { return t.ir().get_reg(Type::I128, vreg_off(r)); }
    void set(unsigned r, Value v, bool q) {
        Builder& ir = t.ir();
        if (!q) v = ir.and_(v, ir.c128(~0ull, 0));
        ir.set_reg(vreg_off(r), v);
    }
};

// AdvSIMDExpandImm; false for the reserved encodings.
bool expand_imm(uint32_t op, uint32_t cmode, uint32_t imm8, uint64_t* out) {
    uint64_t i = imm8;
    auto rep32 = [](uint64_t v) { return v | v << 32; };
    auto rep16 = [](uint64_t v) { return v | v << 16 | v << 32 | v << 48; };
    switch (cmode >> 1) {
        case 0:
            *out = rep32(i);
            return true;
        case 1:
            *out = rep32(i << 8);
            return true;
        case 2:
            *out = rep32(i << 16);
            return true;
        case 3:
            *out = rep32(i << 24);
            return true;
        case 4:
            *out = rep16(i);
            return true;
        case 5:
            *out = rep16(i << 8);
            return true;
        case 6:
            *out = rep32((cmode & 1) ? (i << 16 | 0xffff) : (i << 8 | 0xff));
            return true;
        default:
            if (!(cmode & 1)) {
                if (!op) {
                    *out = rep16(i | i << 8);
                } else {
                    uint64_t v = 0;
                    for (int b = 0; b < 8; ++b) {
                        if (i >> b & 1) v |= 0xffull << (8 * b);
                    }
                    *out = v;
                }
                return true;
            }
            if (!op) {
                *out = rep32(fp_expand_imm(2, imm8));
            } else {
                *out = fp_expand_imm(3, imm8);
            }
            return true;
    }
}

}  // namespace

bool A64Translator::SIMD_3same(uint32_t q, uint32_t u, uint32_t size, uint32_t m, uint32_t opcode,
                               uint32_t n, uint32_t d) {
    Vec v{*this};
    if (opcode == 3) {  // logical
        if (!fp_access()) return true;
        Value a = v.get(n), b = v.get(m), r;
        if (u && size) {  // BSL, BIT, BIF: bitwise selects as xor/and
            Value dv = v.get(d);
            if (size == 1) {
                r = ir_.xor_(b, ir_.and_(ir_.xor_(b, a), dv));
            } else {
                Value mask = size == 2 ? b : ir_.not_(b);
                r = ir_.xor_(dv, ir_.and_(ir_.xor_(dv, a), mask));
            }
            v.set(d, r, q);
            return true;
        }
        if (u) {
            r = ir_.xor_(a, b);
        } else {
            switch (size) {
                case 0:
                    r = ir_.and_(a, b);
                    break;
                case 1:
                    r = ir_.and_(a, ir_.not_(b));
                    break;
                case 2:
                    r = n == m ? a : ir_.or_(a, b);
                    break;
                default:
                    r = ir_.or_(a, ir_.not_(b));
                    break;
            }
        }
        v.set(d, r, q);
        return true;
    }
    if (opcode >= 0x18) return simd_fp_3same(false, q, u, size, m, opcode, n, d);
    if (auto r = simd_vec::three_same(*this, q, u, size, m, opcode, n, d)) return *r;
    if (auto r = simd_int::three_same(*this, q, u, size, m, opcode, n, d)) return *r;
    if (size == 3 && !q) return false;
    VecOp op;
    switch (u << 5 | opcode) {  // compares, min/max, pairwise: simd_vec.cpp
        case 0x13:
            if (size == 3) return false;
            op = VecOp::Mul;
            break;
        case 0x12:
        case 0x32:
            if (size == 3) return false;
            op = u ? VecOp::Mls : VecOp::Mla;
            break;
        case 0x0e:
            op = VecOp::Sabd;
            break;
        case 0x2e:
            op = VecOp::Uabd;
            break;
        case 0x08:
            op = VecOp::Sshl;
            break;
        case 0x28:
            op = VecOp::Ushl;
            break;
        case 0x21:
            op = VecOp::Uqadd;
            break;
        case 0x25:
            op = VecOp::Uqsub;
            break;
        default:
            return false;
    }
    if ((op == VecOp::Sabd || op == VecOp::Uabd) && size == 3) {
        return false;
    }
    if (!fp_access()) return true;
    v.op(op, size, q, d, n, m);
    return true;
}

bool A64Translator::SIMD_3diff(uint32_t q, uint32_t u, uint32_t size, uint32_t m, uint32_t opcode,
                               uint32_t n, uint32_t d) {
    if (opcode == 14 && !u) return pmull(q, size, m, n, d);  // translate/crypto.cpp
    if (auto r = simd_int::three_diff(*this, q, u, size, m, opcode, n, d)) return *r;
    if (size == 3) return false;
    VecOp op;
    switch (opcode) {
        case 0:
            op = u ? VecOp::Uaddl : VecOp::Saddl;
            break;
        case 1:
            op = u ? VecOp::Uaddw : VecOp::Saddw;
            break;
        case 2:
            op = u ? VecOp::Usubl : VecOp::Ssubl;
            break;
        case 3:
            op = u ? VecOp::Usubw : VecOp::Ssubw;
            break;
        case 4:
            if (u) return false;  // RADDHN
            op = VecOp::Addhn;
            break;
        case 6:
            if (u) return false;  // RSUBHN
            op = VecOp::Subhn;
            break;
        case 7:
            op = u ? VecOp::Uabdl : VecOp::Sabdl;
            break;
        case 8:
            op = u ? VecOp::Umlal : VecOp::Smlal;
            break;
        case 10:
            op = u ? VecOp::Umlsl : VecOp::Smlsl;
            break;
        case 12:
            op = u ? VecOp::Umull : VecOp::Smull;
            break;
        default:
            return false;
    }
    if (!fp_access()) return true;
    Vec{*this}.op(op, size, true, d, n, m, false, q);
    return true;
}

bool A64Translator::SIMD_2misc(uint32_t q, uint32_t u, uint32_t size, uint32_t opcode, uint32_t n,
                               uint32_t d) {
    if (auto r = simd_vec::two_misc(*this, q, u, size, opcode, n, d)) return *r;
    if (auto r = simd_int::two_misc(*this, q, u, size, opcode, n, d)) return *r;
    VecOp op;
    unsigned es = size;
    switch (u << 5 | opcode) {  // REV, XTN, compares, ABS/NEG, NOT: simd_vec.cpp
        case 0x02:
            op = VecOp::Saddlp;
            if (size == 3) return false;
            break;
        case 0x22:
            op = VecOp::Uaddlp;
            if (size == 3) return false;
            break;
        case 0x05:
            op = VecOp::Cnt;
            if (size != 0) return false;
            break;
        case 0x25:  // RBIT (NOT: simd_vec.cpp)
            if (size != 1) return false;
            op = VecOp::Rbit;
            es = 0;
            break;
        default:
            return simd_fp_2misc(false, q, u, size, opcode, n, d);
    }
    if (es == 3 && !q) return false;
    if (!fp_access()) return true;
    Vec{*this}.op(op, es, q, d, n, n);
    return true;
}

bool A64Translator::SIMD_across(uint32_t q, uint32_t u, uint32_t size, uint32_t opcode, uint32_t n,
                                uint32_t d) {
    if (auto r = simd_vec::across(*this, q, u, size, opcode, n, d)) return *r;
    if (size == 3 || (size == 2 && !q)) return false;
    VecOp op;
    switch (u << 5 | opcode) {  // ADDV, max/min across: simd_vec.cpp
        case 0x03:
            op = VecOp::Saddlv;
            break;
        case 0x23:
            op = VecOp::Uaddlv;
            break;
        default:
            return simd_fp_across(q, u, size, opcode, n, d);
    }
    if (!fp_access()) return true;
    Vec{*this}.op(op, size, q, d, n, n);
    return true;
}

bool A64Translator::SIMD_copy(uint32_t q, uint32_t op, uint32_t imm5, uint32_t imm4, uint32_t n,
                              uint32_t d) {
    if ((imm5 & 0xf) == 0) return false;
    unsigned es = __builtin_ctz(imm5);
    unsigned index = imm5 >> (es + 1);
    Type et = tcg::int_type_bytes(1u << es);
    if (op) {  // INS (element)
        if (!q) return false;
        if (!fp_access()) return true;
        Value e = ir_.get_reg(et, vreg_off(n) + ((imm4 >> es) << es));
        ir_.set_reg(vreg_off(d) + (index << es), e);
        return true;
    }
    switch (imm4) {
        case 0:  // DUP (element)
            if (es == 3 && !q) return false;
            if (!fp_access()) return true;
            simd_vec::dup_element(*this, q, es, index, n, d);
            return true;
        case 1:  // DUP (general)
            if (es == 3 && !q) return false;
            if (!fp_access()) return true;
            simd_vec::dup_general(*this, q, es, n, d);
            return true;
        case 3:  // INS (general)
            if (!fp_access()) return true;
            ir_.set_reg(vreg_off(d) + (index << es), ir_.trunc(et, xr(n, true)));
            return true;
        case 5:    // SMOV
        case 7: {  // UMOV
            bool is_signed = imm4 == 5;
            if (is_signed ? (es == 3 || (es == 2 && !q)) : ((es == 3) != (q == 1))) return false;
            if (!fp_access()) return true;
            Value e = ir_.get_reg(et, vreg_off(n) + (index << es));
            if (is_signed) {
                set_x(d, ir_.sext(q ? Type::I64 : Type::I32, e));
            } else {
                set_x(d, ir_.zext(Type::I64, e));
            }
            return true;
        }
        default:
            return false;
    }
}

bool A64Translator::SIMD_modimm(uint32_t q, uint32_t op, uint32_t abc, uint32_t cmode, uint32_t o2,
                                uint32_t defgh, uint32_t d) {
    if (o2) return false;
    if (cmode == 15 && op && !q) return false;
    uint64_t imm;
    if (!expand_imm(op, cmode, abc << 5 | defgh, &imm)) return false;
    if (!fp_access()) return true;
    Vec v{*this};
    bool is_orr_bic = (cmode < 12) && (cmode & 1);
    bool invert = op && cmode < 14;  // MVNI / BIC
    if (invert) imm = ~imm;
    if (cmode < 12 && (cmode & 8) && !(cmode & 1) == false) {
        // 16-bit ORR/BIC handled with the 32-bit ones below.
    }
    if (is_orr_bic) {
        Value c = ir_.c128(imm, q ? imm : 0);
        Value cur = v.get(d);
        v.set(d, op ? ir_.and_(cur, ir_.c128(imm, q ? imm : ~0ull)) : ir_.or_(cur, c), q);
        return true;
    }
    v.set(d, ir_.c128(imm, q ? imm : 0), q);
    return true;
}

// The shift-by-immediate operations that the vector and scalar forms share:
// U:opcode -> the operation and which of the two encoded amounts it uses.
static bool shift_imm_op(unsigned key, unsigned rshift, unsigned lshift, VecOp* op,
                         unsigned* amount) {
    switch (key) {  // SHL, SSHR, USHR, SSRA, USRA: simd_vec.cpp
        case 0x2a:
            *op = VecOp::Sli, *amount = lshift;
            break;
        case 0x28:
            *op = VecOp::Sri, *amount = rshift;
            break;
        default:
            return false;
    }
    return true;
}

bool A64Translator::SIMD_shimm(uint32_t q, uint32_t u, uint32_t immh, uint32_t immb,
                               uint32_t opcode, uint32_t n, uint32_t d) {
    if (auto r = simd_vec::shift_imm(*this, q, u, immh, immb, opcode, n, d)) return *r;
    if (auto r = simd_int::shift_imm(*this, q, u, immh, immb, opcode, n, d)) return *r;
    unsigned es = 31 - __builtin_clz(immh);
    unsigned esize = 8u << es;
    unsigned immhb = immh << 3 | immb;
    unsigned rshift = 2 * esize - immhb, lshift = immhb - esize;
    VecOp op;
    unsigned amount;
    switch (u << 5 | opcode) {  // shifts, SHRN, SSHLL, USHLL: simd_vec.cpp
        case 0x1c:              // SCVTF/UCVTF/FCVTZS/FCVTZU (vector, fixed-point)
        case 0x3c:
        case 0x1f:
        case 0x3f:
            return simd_fp_shimm(false, q, u, immh, immb, opcode, n, d);
        default:
            if (!shift_imm_op(u << 5 | opcode, rshift, lshift, &op, &amount)) return false;
    }
    if (es == 3 && !q) return false;
    if (!fp_access()) return true;
    Vec{*this}.op(op, es, q, d, n, n, false, false, amount);
    return true;
}

bool A64Translator::SIMD_perm(uint32_t q, uint32_t size, uint32_t m, uint32_t opcode, uint32_t n,
                              uint32_t d) {
    if (auto r = simd_vec::perm(*this, q, size, m, opcode, n, d)) return *r;
    return false;  // opcodes 0 and 4
}

bool A64Translator::SIMD_ext(uint32_t q, uint32_t m, uint32_t imm4, uint32_t n, uint32_t d) {
    if (!q && imm4 >= 8) return false;
    if (!fp_access()) return true;
    simd_vec::ext(*this, q, m, imm4, n, d);
    return true;
}

bool A64Translator::SIMD_tbl(uint32_t q, uint32_t m, uint32_t len, uint32_t op, uint32_t n,
                             uint32_t d) {
    if (!fp_access()) return true;
    Vec{*this}.op(op ? VecOp::Tbx : VecOp::Tbl, 0, q, d, n, m, false, false, len | n << 2);
    return true;
}

bool A64Translator::SIMDS_3same(uint32_t u, uint32_t size, uint32_t m, uint32_t opcode, uint32_t n,
                                uint32_t d) {
    VecOp op;
    unsigned es = 3;
    if (opcode >= 0x18) {
        return simd_fp_3same(true, false, u, size, m, opcode, n, d);
    } else {
        if (auto r = simd_vec::scalar_three_same(*this, u, size, m, opcode, n, d)) return *r;
        if (auto r = simd_int::scalar_three_same(*this, u, size, m, opcode, n, d)) return *r;
        if (size != 3) return false;
        switch (u << 5 | opcode) {  // ADD, SUB, compares: simd_vec.cpp
            case 0x08:
                op = VecOp::Sshl;
                break;
            case 0x28:
                op = VecOp::Ushl;
                break;
            default:
                return false;
        }
    }
    if (!fp_access()) return true;
    Vec{*this}.op(op, es, false, d, n, m, true);
    return true;
}

bool A64Translator::SIMDS_2misc(uint32_t u, uint32_t size, uint32_t opcode, uint32_t n,
                                uint32_t d) {
    if (auto r = simd_vec::scalar_two_misc(*this, u, size, opcode, n, d)) return *r;
    if (auto r = simd_int::scalar_two_misc(*this, u, size, opcode, n, d)) return *r;
    return simd_fp_2misc(true, false, u, size, opcode, n, d);  // compares, ABS/NEG: simd_vec.cpp
}

bool A64Translator::SIMDS_pair(uint32_t u, uint32_t size, uint32_t opcode, uint32_t n, uint32_t d) {
    if (!u && opcode == 0x1b && size == 3) {  // ADDP (scalar)
        if (!fp_access()) return true;
        Value lo = ir_.get_reg(Type::I64, vreg_off(n));
        Value hi = ir_.get_reg(Type::I64, vreg_off(n) + 8);
        ir_.set_reg(vreg_off(d), ir_.zext(Type::I128, ir_.add(lo, hi)));
        return true;
    }
    return simd_fp_pair(u, size, opcode, n, d);
}

bool A64Translator::SIMDS_copy(uint32_t imm5, uint32_t n, uint32_t d) {
    if ((imm5 & 0xf) == 0) return false;
    unsigned es = __builtin_ctz(imm5);
    unsigned index = imm5 >> (es + 1);
    if (!fp_access()) return true;
    Value e = ir_.get_reg(tcg::int_type_bytes(1u << es), vreg_off(n) + (index << es));
    ir_.set_reg(vreg_off(d), ir_.zext(Type::I128, e));
    return true;
}

bool A64Translator::SIMDS_shimm(uint32_t u, uint32_t immh, uint32_t immb, uint32_t opcode,
                                uint32_t n, uint32_t d) {
    if (opcode == 0x1c || opcode == 0x1f) {  // fixed-point FP conversions
        return simd_fp_shimm(true, false, u, immh, immb, opcode, n, d);
    }
    if (auto r = simd_vec::scalar_shift_imm(*this, u, immh, immb, opcode, n, d)) return *r;
    if (auto r = simd_int::scalar_shift_imm(*this, u, immh, immb, opcode, n, d)) return *r;
    if (!(immh & 8)) return false;
    unsigned immhb = immh << 3 | immb;
    unsigned rshift = 128 - immhb, lshift = immhb - 64;
    VecOp op;
    unsigned amount;
    if (!shift_imm_op(u << 5 | opcode, rshift, lshift, &op, &amount)) return false;
    if (!fp_access()) return true;
    Vec{*this}.op(op, 3, false, d, n, n, true, false, amount);
    return true;
}

bool A64Translator::SIMD_elem(uint32_t q, uint32_t u, uint32_t size, uint32_t l, uint32_t m,
                              uint32_t opcode, uint32_t h, uint32_t n, uint32_t d) {
    if (auto r = simd_int::by_element(*this, q, u, size, l, m, opcode, h, n, d)) return *r;
    return false;
}

bool A64Translator::SIMDS_elem(uint32_t u, uint32_t size, uint32_t l, uint32_t m, uint32_t opcode,
                               uint32_t h, uint32_t n, uint32_t d) {
    if (auto r = simd_int::scalar_by_element(*this, u, size, l, m, opcode, h, n, d)) return *r;
    return false;
}

}  // namespace emu::arm

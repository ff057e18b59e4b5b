// Scalar floating point: moves, arithmetic, compares, selects, fused
// multiply-add and conversions. Arithmetic goes through helpers with Arm
// NaN, rounding and flag semantics (target/arm/fp_ops.cpp); moves, FABS,
// FNEG and FCSEL are inline.
#include "target/arm/fp_helpers.h"
#include "target/arm/fp_ops.h"
#include "target/arm/helpers.h"
#include "target/arm/translate/translator.h"

namespace emu::arm {

namespace {
int fp_size(uint32_t type) {
    return type == 0 ? 2 : type == 1 ? 3 : -1;
}
}  // namespace

static Value fr(A64Translator& t, unsigned r, unsigned size) {
    return t.ir().get_reg(size == 2 ? Type::I32 : Type::I64, vreg_off(r));
}
static void set_fr(A64Translator& t, unsigned r, Value v) {
    t.ir().set_reg(vreg_off(r), t.ir().zext(Type::I128, v));
}

bool A64Translator::FMOV_gen(uint32_t sf, uint32_t type, uint32_t rmode, uint32_t opcode,
                             uint32_t n, uint32_t d) {
    if (opcode == 6 || opcode == 7) {
        bool to_gpr = opcode == 6;
        if (!sf && type == 0 && rmode == 0) {
            if (!fp_access()) return true;
            if (to_gpr)
                set_x(d, ir_.get_reg(Type::I32, vreg_off(n)));
            else
                set_fr(*this, d, xr(n, false));
            return true;
        }
        if (sf && type == 1 && rmode == 0) {
            if (!fp_access()) return true;
            if (to_gpr)
                set_x(d, ir_.get_reg(Type::I64, vreg_off(n)));
            else
                set_fr(*this, d, xr(n, true));
            return true;
        }
        if (sf && type == 2 && rmode == 1) {  // the upper half, Vn.D[1]
            if (!fp_access()) return true;
            if (to_gpr)
                set_x(d, ir_.get_reg(Type::I64, vreg_off(n) + 8));
            else
                ir_.set_reg(vreg_off(d) + 8, xr(n, true));
            return true;
        }
        return false;
    }
    int size = fp_size(type);
    if (size < 0) return false;
    unsigned bits = sf ? 64 : 32;
    uint64_t desc;
    bool to_int;
    if (opcode <= 1) {  // FCVT{N,P,M,Z}{S,U}
        to_int = true;
        desc = fp_cvt_desc(FpCvtKind::ToInt, size, bits, opcode == 0, rmode);
    } else if (opcode <= 3) {  // SCVTF / UCVTF
        if (rmode != 0) return false;
        to_int = false;
        desc = fp_cvt_desc(FpCvtKind::FromInt, size, bits, opcode == 2, 0);
    } else {  // FCVTAS / FCVTAU
        if (rmode != 0) return false;
        to_int = true;
        desc = fp_cvt_desc(FpCvtKind::ToInt, size, bits, opcode == 4,
                           static_cast<unsigned>(FpRound::Away));
    }
    if (!fp_access()) return true;
    if (to_int) {
        Value r = ir_.call(Type::I64, helpers().fp_cvt, {ir_.c64(desc), fr(*this, n, size)});
        set_x(d, sf ? r : ir_.trunc(Type::I32, r));
    } else {
        Value r =
            ir_.call(Type::I64, helpers().fp_cvt, {ir_.c64(desc), ir_.zext(Type::I64, xr(n, sf))});
        set_fr(*this, d, size == 2 ? ir_.trunc(Type::I32, r) : r);
    }
    return true;
}

bool A64Translator::FP_fixed(uint32_t sf, uint32_t type, uint32_t rmode, uint32_t opcode,
                             uint32_t scale, uint32_t n, uint32_t d) {
    int size = fp_size(type);
    if (size < 0 || (!sf && scale < 32)) return false;
    unsigned fbits = 64 - scale;
    unsigned bits = sf ? 64 : 32;
    unsigned sel = rmode << 3 | opcode;
    if (sel != 2 && sel != 3 && sel != 0x18 && sel != 0x19) return false;
    if (!fp_access()) return true;
    if (sel >= 0x18) {  // FCVTZS / FCVTZU
        uint64_t desc = fp_cvt_desc(FpCvtKind::ToInt, size, bits, sel == 0x18,
                                    static_cast<unsigned>(FpRound::Zero), 0, fbits);
        Value r = ir_.call(Type::I64, helpers().fp_cvt,
                           {ir_.c64(desc), ir_.zext(Type::I64, fr(*this, n, size))});
        set_x(d, sf ? r : ir_.trunc(Type::I32, r));
    } else {  // SCVTF / UCVTF
        uint64_t desc = fp_cvt_desc(FpCvtKind::FromInt, size, bits, sel == 2, 0, 0, fbits);
        Value r =
            ir_.call(Type::I64, helpers().fp_cvt, {ir_.c64(desc), ir_.zext(Type::I64, xr(n, sf))});
        set_fr(*this, d, size == 2 ? ir_.trunc(Type::I32, r) : r);
    }
    return true;
}

bool A64Translator::FP_1src(uint32_t type, uint32_t opcode, uint32_t n, uint32_t d) {
    // FCVT to/from half precision is base FP (no FEAT_FP16 needed): type 11
    // is a half source, opcode 000111 a half destination.
    if ((type == 3 && (opcode == 4 || opcode == 5)) || (opcode == 7 && type != 2)) {
        unsigned from = type == 3 ? 1 : type == 0 ? 2 : 3;
        unsigned to = opcode == 4 ? 2 : opcode == 5 ? 3 : 1;
        if (from == to) return false;
        if (!fp_access()) return true;
        Value src = ir_.get_reg(from == 1 ? Type::I16 : from == 2 ? Type::I32 : Type::I64,
                                vreg_off(n));
        Value r = ir_.call(Type::I64, helpers().fp_cvt,
                           {ir_.c64(fp_cvt_desc(FpCvtKind::Precision, from, 0, false, 0, to)),
                            ir_.zext(Type::I64, src)});
        set_fr(*this, d, to == 3 ? r : ir_.trunc(to == 1 ? Type::I16 : Type::I32, r));
        return true;
    }
    int size = fp_size(type);
    if (size < 0) return false;
    Type t = size == 2 ? Type::I32 : Type::I64;
    uint64_t sign = size == 2 ? 0x80000000ull : 0x8000000000000000ull;
    FpUn op;
    switch (opcode) {
        case 0:
        case 1:
        case 2: {
            if (!fp_access()) return true;
            Value v = fr(*this, n, size);
            if (opcode == 1) v = ir_.and_(v, ir_.constant(t, ~sign));
            if (opcode == 2) v = ir_.xor_(v, ir_.constant(t, sign));
            set_fr(*this, d, v);
            return true;
        }
        case 3:
            op = FpUn::Sqrt;
            break;
        case 4:
        case 5: {  // FCVT between single and double
            unsigned to = opcode == 4 ? 2 : 3;
            if (to == static_cast<unsigned>(size)) return false;
            if (!fp_access()) return true;
            Value r = ir_.call(Type::I64, helpers().fp_cvt,
                               {ir_.c64(fp_cvt_desc(FpCvtKind::Precision, size, 0, false, 0, to)),
                                ir_.zext(Type::I64, fr(*this, n, size))});
            set_fr(*this, d, to == 2 ? ir_.trunc(Type::I32, r) : r);
            return true;
        }
        case 8:
            op = FpUn::RintN;
            break;
        case 9:
            op = FpUn::RintP;
            break;
        case 10:
            op = FpUn::RintM;
            break;
        case 11:
            op = FpUn::RintZ;
            break;
        case 12:
            op = FpUn::RintA;
            break;
        case 14:
            op = FpUn::RintX;
            break;
        case 15:
            op = FpUn::RintI;
            break;
        default:
            return false;  // FCVT to/from half precision, BFCVT: FP16 not implemented
    }
    if (!fp_access()) return true;
    Value r = ir_.call(Type::I64, helpers().fp_unop,
                       {ir_.c64(static_cast<uint64_t>(op) | uint64_t(size) << 8),
                        ir_.zext(Type::I64, fr(*this, n, size))});
    set_fr(*this, d, size == 2 ? ir_.trunc(Type::I32, r) : r);
    return true;
}

bool A64Translator::FP_cmp(uint32_t type, uint32_t m, uint32_t n, uint32_t e, uint32_t z) {
    int size = fp_size(type);
    if (size < 0) return false;
    if (!fp_access()) return true;
    Value a = ir_.zext(Type::I64, fr(*this, n, size));
    Value b = z ? ir_.c64(0) : ir_.zext(Type::I64, fr(*this, m, size));
    Value f =
        ir_.call(Type::I64, helpers().fp_cmp, {ir_.c64(uint64_t(size) | uint64_t(e) << 8), a, b});
    set_nzcv(ir_.trunc(Type::I32, f));
    return true;
}

bool A64Translator::FP_imm(uint32_t type, uint32_t imm8, uint32_t d) {
    int size = fp_size(type);
    if (size < 0) return false;
    if (!fp_access()) return true;
    uint64_t v = fp_expand_imm(size, imm8);
    set_fr(*this, d, size == 2 ? ir_.c32(static_cast<uint32_t>(v)) : ir_.c64(v));
    return true;
}

bool A64Translator::FP_ccmp(uint32_t type, uint32_t m, uint32_t cond, uint32_t n, uint32_t e,
                            uint32_t nzcv_imm) {
    int size = fp_size(type);
    if (size < 0) return false;
    if (!fp_access()) return true;
    Value a = ir_.zext(Type::I64, fr(*this, n, size));
    Value b = ir_.zext(Type::I64, fr(*this, m, size));
    // The helper compares only when the condition holds: a failed condition
    // must leave FPSR alone (no IOC for a signalling NaN, no IDC).
    Value c = ir_.zext(Type::I64, ir_.cond_holds(nzcv(), cond));
    Value f = ir_.call(Type::I64, helpers().fp_cmp,
                       {ir_.c64(uint64_t(size) | uint64_t(e) << 8 | 1u << 9 | nzcv_imm << 12), a,
                        b, c});
    set_nzcv(ir_.trunc(Type::I32, f));
    return true;
}

bool A64Translator::FP_2src(uint32_t type, uint32_t m, uint32_t opcode, uint32_t n, uint32_t d) {
    int size = fp_size(type);
    if (size < 0 || opcode > 8) return false;
    if (!fp_access()) return true;
    Value r =
        ir_.call(Type::I64, helpers().fp_binop,
                 {ir_.c64(opcode | uint64_t(size) << 8), ir_.zext(Type::I64, fr(*this, n, size)),
                  ir_.zext(Type::I64, fr(*this, m, size))});
    set_fr(*this, d, size == 2 ? ir_.trunc(Type::I32, r) : r);
    return true;
}

bool A64Translator::FP_csel(uint32_t type, uint32_t m, uint32_t cond, uint32_t n, uint32_t d) {
    int size = fp_size(type);
    if (size < 0) return false;
    if (!fp_access()) return true;
    Value c = ir_.cond_holds(nzcv(), cond);
    set_fr(*this, d, ir_.select(c, fr(*this, n, size), fr(*this, m, size)));
    return true;
}

bool A64Translator::FP_3src(uint32_t type, uint32_t o1, uint32_t m, uint32_t o0, uint32_t a,
                            uint32_t n, uint32_t d) {
    int size = fp_size(type);
    if (size < 0) return false;
    if (!fp_access()) return true;
    uint64_t desc = uint64_t(size) | uint64_t(o1) << 8 | uint64_t(o1 ^ o0) << 9;
    Value r = ir_.call(
        Type::I64, helpers().fp_fma,
        {ir_.c64(desc), ir_.zext(Type::I64, fr(*this, a, size)),
         ir_.zext(Type::I64, fr(*this, n, size)), ir_.zext(Type::I64, fr(*this, m, size))});
    set_fr(*this, d, size == 2 ? ir_.trunc(Type::I32, r) : r);
    return true;
}

}  // namespace emu::arm

#include "target/arm/fp_ops.h"

#include "target/arm/fpu/fpu.h"

namespace emu::arm {

namespace {

fpu::Rounding rounding(FpRound r, uint32_t fpcr) {
    switch (r) {
        case FpRound::Nearest:
            return fpu::Rounding::TieEven;
        case FpRound::PlusInf:
            return fpu::Rounding::PosInf;
        case FpRound::MinusInf:
            return fpu::Rounding::NegInf;
        case FpRound::Zero:
            return fpu::Rounding::Zero;
        case FpRound::Away:
            return fpu::Rounding::TieAway;
        default:
            return fpu::fpcr_rounding(fpcr);
    }
}

template <typename U, typename Ops>
uint64_t binop(FpBin op, U a, U b, uint32_t fpcr, uint32_t& fpsr, const Ops& o) {
    switch (op) {
        case FpBin::Mul:
            return o.mul(a, b, fpcr, fpsr);
        case FpBin::Div:
            return o.div(a, b, fpcr, fpsr);
        case FpBin::Add:
            return o.add(a, b, fpcr, fpsr);
        case FpBin::Sub:
            return o.sub(a, b, fpcr, fpsr);
        case FpBin::Max:
            return o.max(a, b, fpcr, fpsr);
        case FpBin::Min:
            return o.min(a, b, fpcr, fpsr);
        case FpBin::MaxNm:
            return o.maxnm(a, b, fpcr, fpsr);
        case FpBin::MinNm:
            return o.minnm(a, b, fpcr, fpsr);
        case FpBin::NMul:
            return o.nmul(a, b, fpcr, fpsr);
        case FpBin::Abd:
            return o.abd(a, b, fpcr, fpsr);
    }
    return 0;
}

struct OpsS {
    decltype(&fpu::fmul_s) mul = fpu::fmul_s, div = fpu::fdiv_s, add = fpu::fadd_s,
                           sub = fpu::fsub_s, max = fpu::fmax_s, min = fpu::fmin_s,
                           maxnm = fpu::fmaxnm_s, minnm = fpu::fminnm_s, nmul = fpu::fnmul_s,
                           abd = fpu::fabd_s;
};
struct OpsD {
    decltype(&fpu::fmul_d) mul = fpu::fmul_d, div = fpu::fdiv_d, add = fpu::fadd_d,
                           sub = fpu::fsub_d, max = fpu::fmax_d, min = fpu::fmin_d,
                           maxnm = fpu::fmaxnm_d, minnm = fpu::fminnm_d, nmul = fpu::fnmul_d,
                           abd = fpu::fabd_d;
};

}  // namespace

uint64_t fp_binop(FpBin op, unsigned size, uint64_t a, uint64_t b, FpEnv& e) {
    if (size == 2) {
        return binop<uint32_t>(op, static_cast<uint32_t>(a), static_cast<uint32_t>(b), e.fpcr,
                               *e.fpsr, OpsS{});
    }
    return binop<uint64_t>(op, a, b, e.fpcr, *e.fpsr, OpsD{});
}

uint64_t fp_unop(FpUn op, unsigned size, uint64_t a, FpEnv& e) {
    bool s = size == 2;
    uint32_t a32 = static_cast<uint32_t>(a);
    fpu::Rounding r;
    bool exact = false;
    switch (op) {
        case FpUn::Mov:
            return a;
        case FpUn::Abs:
            return s ? fpu::fabs_s(a32) : fpu::fabs_d(a);
        case FpUn::Neg:
            return s ? fpu::fneg_s(a32) : fpu::fneg_d(a);
        case FpUn::Sqrt:
            return s ? fpu::fsqrt_s(a32, e.fpcr, *e.fpsr) : fpu::fsqrt_d(a, e.fpcr, *e.fpsr);
        case FpUn::RintN:
            r = fpu::Rounding::TieEven;
            break;
        case FpUn::RintP:
            r = fpu::Rounding::PosInf;
            break;
        case FpUn::RintM:
            r = fpu::Rounding::NegInf;
            break;
        case FpUn::RintZ:
            r = fpu::Rounding::Zero;
            break;
        case FpUn::RintA:
            r = fpu::Rounding::TieAway;
            break;
        case FpUn::RintX:
            r = fpu::fpcr_rounding(e.fpcr);
            exact = true;
            break;
        default:
            r = fpu::fpcr_rounding(e.fpcr);
            break;
    }
    return s ? fpu::frint_s(a32, r, exact, e.fpcr, *e.fpsr)
             : fpu::frint_d(a, r, exact, e.fpcr, *e.fpsr);
}

uint64_t fp_fma(unsigned size, uint64_t a, uint64_t n, uint64_t m, bool neg_a, bool neg_p,
                FpEnv& e) {
    uint32_t a32 = static_cast<uint32_t>(a), n32 = static_cast<uint32_t>(n),
             m32 = static_cast<uint32_t>(m);
    if (size == 2) {
        if (!neg_a)
            return neg_p ? fpu::fmsub_s(n32, m32, a32, e.fpcr, *e.fpsr)
                         : fpu::fmadd_s(n32, m32, a32, e.fpcr, *e.fpsr);
        return neg_p ? fpu::fnmadd_s(n32, m32, a32, e.fpcr, *e.fpsr)
                     : fpu::fnmsub_s(n32, m32, a32, e.fpcr, *e.fpsr);
    }
    if (!neg_a)
        return neg_p ? fpu::fmsub_d(n, m, a, e.fpcr, *e.fpsr)
                     : fpu::fmadd_d(n, m, a, e.fpcr, *e.fpsr);
    return neg_p ? fpu::fnmadd_d(n, m, a, e.fpcr, *e.fpsr)
                 : fpu::fnmsub_d(n, m, a, e.fpcr, *e.fpsr);
}

uint32_t fp_compare(unsigned size, uint64_t a, uint64_t b, bool signal, FpEnv& e) {
    uint32_t f = size == 2 ? fpu::fcmp_s(static_cast<uint32_t>(a), static_cast<uint32_t>(b), signal,
                                         e.fpcr, *e.fpsr)
                           : fpu::fcmp_d(a, b, signal, e.fpcr, *e.fpsr);
    return f << 28;
}

bool fp_compare_mask(unsigned size, uint64_t a, uint64_t b, int kind, FpEnv& e) {
    uint32_t a32 = static_cast<uint32_t>(a), b32 = static_cast<uint32_t>(b);
    if (size == 2) {
        switch (kind) {
            case 0:
                return fpu::fcmeq_s(a32, b32, e.fpcr, *e.fpsr) != 0;
            case 1:
                return fpu::fcmge_s(a32, b32, e.fpcr, *e.fpsr) != 0;
            default:
                return fpu::fcmgt_s(a32, b32, e.fpcr, *e.fpsr) != 0;
        }
    }
    switch (kind) {
        case 0:
            return fpu::fcmeq_d(a, b, e.fpcr, *e.fpsr) != 0;
        case 1:
            return fpu::fcmge_d(a, b, e.fpcr, *e.fpsr) != 0;
        default:
            return fpu::fcmgt_d(a, b, e.fpcr, *e.fpsr) != 0;
    }
}

uint64_t fp_to_int(unsigned size, uint64_t v, unsigned int_bits, bool is_signed, FpRound r,
                   FpEnv& e, unsigned fbits) {
    fpu::Rounding rr = rounding(r, e.fpcr);
    if (size == 2) {
        return fpu::fcvt_to_int_s(static_cast<uint32_t>(v), rr, !is_signed, int_bits, fbits, e.fpcr,
                                  *e.fpsr);
    }
    return fpu::fcvt_to_int_d(v, rr, !is_signed, int_bits, fbits, e.fpcr, *e.fpsr);
}

uint64_t int_to_fp(unsigned size, uint64_t v, unsigned int_bits, bool is_signed, FpEnv& e,
                   unsigned fbits) {
    if (size == 2) return fpu::cvtf_s(v, !is_signed, int_bits, fbits, e.fpcr, *e.fpsr);
    return fpu::cvtf_d(v, !is_signed, int_bits, fbits, e.fpcr, *e.fpsr);
}

uint64_t fp_convert(unsigned from, unsigned to, uint64_t v, FpEnv& e) {
    if (from == to) return v;
    if (from == 2) return fpu::fcvt_s2d(static_cast<uint32_t>(v), e.fpcr, *e.fpsr);
    return fpu::fcvt_d2s(v, e.fpcr, *e.fpsr);
}

uint64_t fp_expand_imm(unsigned size, uint32_t imm8) {
    uint64_t sign = imm8 >> 7, b6 = (imm8 >> 6) & 1, low = imm8 & 0xf;
    if (size == 2) {
        // exp = NOT(b6):Replicate(b6,5):imm8<5:4>
        uint64_t exp = ((b6 ^ 1) << 7) | (b6 ? 0x7c : 0) | ((imm8 >> 4) & 3);
        return sign << 31 | exp << 23 | low << 19;
    }
    uint64_t exp = ((b6 ^ 1) << 10) | (b6 ? 0x3fc : 0) | ((imm8 >> 4) & 3);
    return sign << 63 | exp << 52 | low << 48;
}

}  // namespace emu::arm

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

// The fpu library's entry points for one precision, so that each operation
// below is written once for single and double.
struct Single {
    using U = uint32_t;
    static constexpr auto mul = fpu::fmul_s, div = fpu::fdiv_s, add = fpu::fadd_s,
                          sub = fpu::fsub_s, max = fpu::fmax_s, min = fpu::fmin_s,
                          maxnm = fpu::fmaxnm_s, minnm = fpu::fminnm_s, nmul = fpu::fnmul_s,
                          abd = fpu::fabd_s;
    static constexpr auto abs = fpu::fabs_s, neg = fpu::fneg_s;
    static constexpr auto sqrt = fpu::fsqrt_s;
    static constexpr auto rint = fpu::frint_s;
    static constexpr auto madd = fpu::fmadd_s, msub = fpu::fmsub_s, nmadd = fpu::fnmadd_s,
                          nmsub = fpu::fnmsub_s;
    static constexpr auto cmp = fpu::fcmp_s;
    static constexpr auto cmeq = fpu::fcmeq_s, cmge = fpu::fcmge_s, cmgt = fpu::fcmgt_s;
    static constexpr auto to_int = fpu::fcvt_to_int_s;
    static constexpr auto from_int = fpu::cvtf_s;
};
struct Double {
    using U = uint64_t;
    static constexpr auto mul = fpu::fmul_d, div = fpu::fdiv_d, add = fpu::fadd_d,
                          sub = fpu::fsub_d, max = fpu::fmax_d, min = fpu::fmin_d,
                          maxnm = fpu::fmaxnm_d, minnm = fpu::fminnm_d, nmul = fpu::fnmul_d,
                          abd = fpu::fabd_d;
    static constexpr auto abs = fpu::fabs_d, neg = fpu::fneg_d;
    static constexpr auto sqrt = fpu::fsqrt_d;
    static constexpr auto rint = fpu::frint_d;
    static constexpr auto madd = fpu::fmadd_d, msub = fpu::fmsub_d, nmadd = fpu::fnmadd_d,
                          nmsub = fpu::fnmsub_d;
    static constexpr auto cmp = fpu::fcmp_d;
    static constexpr auto cmeq = fpu::fcmeq_d, cmge = fpu::fcmge_d, cmgt = fpu::fcmgt_d;
    static constexpr auto to_int = fpu::fcvt_to_int_d;
    static constexpr auto from_int = fpu::cvtf_d;
};

template <typename F>
uint64_t binop(FpBin op, typename F::U a, typename F::U b, FpEnv& e) {
    switch (op) {
        case FpBin::Mul:
            return F::mul(a, b, e.fpcr, *e.fpsr);
        case FpBin::Div:
            return F::div(a, b, e.fpcr, *e.fpsr);
        case FpBin::Add:
            return F::add(a, b, e.fpcr, *e.fpsr);
        case FpBin::Sub:
            return F::sub(a, b, e.fpcr, *e.fpsr);
        case FpBin::Max:
            return F::max(a, b, e.fpcr, *e.fpsr);
        case FpBin::Min:
            return F::min(a, b, e.fpcr, *e.fpsr);
        case FpBin::MaxNm:
            return F::maxnm(a, b, e.fpcr, *e.fpsr);
        case FpBin::MinNm:
            return F::minnm(a, b, e.fpcr, *e.fpsr);
        case FpBin::NMul:
            return F::nmul(a, b, e.fpcr, *e.fpsr);
        case FpBin::Abd:
            return F::abd(a, b, e.fpcr, *e.fpsr);
    }
    return 0;
}

// FRINTN/P/M/Z/A round as FpRound Nearest..Away (the same order); FRINTX
// and FRINTI with the FPCR mode.
FpRound rint_rounding(FpUn op) {
    static_assert(unsigned(FpUn::RintA) - unsigned(FpUn::RintN) ==
                  unsigned(FpRound::Away) - unsigned(FpRound::Nearest));
    if (op < FpUn::RintN || op > FpUn::RintA) return FpRound::Current;
    return FpRound(unsigned(FpRound::Nearest) + unsigned(op) - unsigned(FpUn::RintN));
}

template <typename F>
uint64_t unop(FpUn op, typename F::U a, FpEnv& e) {
    switch (op) {
        case FpUn::Abs:
            return F::abs(a);
        case FpUn::Neg:
            return F::neg(a);
        case FpUn::Sqrt:
            return F::sqrt(a, e.fpcr, *e.fpsr);
        default:
            return F::rint(a, rounding(rint_rounding(op), e.fpcr), op == FpUn::RintX, e.fpcr,
                           *e.fpsr);
    }
}

template <typename F>
uint64_t fma(typename F::U a, typename F::U n, typename F::U m, bool neg_a, bool neg_p, FpEnv& e) {
    if (neg_a)
        return neg_p ? F::nmadd(n, m, a, e.fpcr, *e.fpsr) : F::nmsub(n, m, a, e.fpcr, *e.fpsr);
    return neg_p ? F::msub(n, m, a, e.fpcr, *e.fpsr) : F::madd(n, m, a, e.fpcr, *e.fpsr);
}

template <typename F>
bool compare_mask(typename F::U a, typename F::U b, int kind, FpEnv& e) {
    switch (kind) {
        case 0:
            return F::cmeq(a, b, e.fpcr, *e.fpsr) != 0;
        case 1:
            return F::cmge(a, b, e.fpcr, *e.fpsr) != 0;
        default:
            return F::cmgt(a, b, e.fpcr, *e.fpsr) != 0;
    }
}

}  // namespace

// Size 2 is single precision, anything else double (the translator only
// passes 2 or 3); single operands are the low 32 bits.
uint64_t fp_binop(FpBin op, unsigned size, uint64_t a, uint64_t b, FpEnv& e) {
    if (size == 2) return binop<Single>(op, uint32_t(a), uint32_t(b), e);
    return binop<Double>(op, a, b, e);
}

uint64_t fp_unop(FpUn op, unsigned size, uint64_t a, FpEnv& e) {
    // Mov passes all 64 bits through, whatever the size.
    if (op == FpUn::Mov) return a;
    if (size == 2) return unop<Single>(op, uint32_t(a), e);
    return unop<Double>(op, a, e);
}

uint64_t fp_fma(unsigned size, uint64_t a, uint64_t n, uint64_t m, bool neg_a, bool neg_p,
                FpEnv& e) {
    if (size == 2) return fma<Single>(uint32_t(a), uint32_t(n), uint32_t(m), neg_a, neg_p, e);
    return fma<Double>(a, n, m, neg_a, neg_p, e);
}

uint32_t fp_compare(unsigned size, uint64_t a, uint64_t b, bool signal, FpEnv& e) {
    uint32_t f = size == 2 ? Single::cmp(uint32_t(a), uint32_t(b), signal, e.fpcr, *e.fpsr)
                           : Double::cmp(a, b, signal, e.fpcr, *e.fpsr);
    return f << 28;
}

bool fp_compare_mask(unsigned size, uint64_t a, uint64_t b, int kind, FpEnv& e) {
    if (size == 2) return compare_mask<Single>(uint32_t(a), uint32_t(b), kind, e);
    return compare_mask<Double>(a, b, kind, e);
}

uint64_t fp_to_int(unsigned size, uint64_t v, unsigned int_bits, bool is_signed, FpRound r,
                   FpEnv& e, unsigned fbits) {
    fpu::Rounding rr = rounding(r, e.fpcr);
    if (size == 2) {
        return Single::to_int(uint32_t(v), rr, !is_signed, int_bits, fbits, e.fpcr, *e.fpsr);
    }
    return Double::to_int(v, rr, !is_signed, int_bits, fbits, e.fpcr, *e.fpsr);
}

uint64_t int_to_fp(unsigned size, uint64_t v, unsigned int_bits, bool is_signed, FpEnv& e,
                   unsigned fbits) {
    if (size == 2) return Single::from_int(v, !is_signed, int_bits, fbits, e.fpcr, *e.fpsr);
    return Double::from_int(v, !is_signed, int_bits, fbits, e.fpcr, *e.fpsr);
}

uint64_t fp_convert(unsigned from, unsigned to, uint64_t v, FpEnv& e) {
    if (from == to) return v;
    // Sizes are log2 bytes: 1 half, 2 single, 3 double.
    if (from == 1) {
        auto h = static_cast<uint16_t>(v);
        return to == 2 ? fpu::fcvt_h2s(h, e.fpcr, *e.fpsr) : fpu::fcvt_h2d(h, e.fpcr, *e.fpsr);
    }
    if (to == 1) {
        return from == 2 ? fpu::fcvt_s2h(static_cast<uint32_t>(v), e.fpcr, *e.fpsr)
                         : fpu::fcvt_d2h(v, e.fpcr, *e.fpsr);
    }
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

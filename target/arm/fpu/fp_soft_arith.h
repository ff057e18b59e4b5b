#pragma once
// Exact models of the Arm ARM arithmetic functions (FPAdd, FPSub, FPMul,
// FPMulX, FPDiv, FPSqrt, FPMulAdd, FPRecipStepFused, FPRSqrtStepFused,
// FPMax/FPMin/FPMaxNum/FPMinNum, FPCompare*), one template per function,
// following the pseudocode's case order. Internal to target/arm/fpu.
#include "target/arm/fpu/fp_soft.h"

namespace emu::arm::fpu::detail {

// FPAdd (negate_b = false) and FPSub (true). NaN operands are processed
// as given: FPSub does not negate a NaN second operand.
template <int N>
[[gnu::noinline, gnu::cold]] typename T<N>::U soft_add(typename T<N>::U xa, typename T<N>::U xb,
                                                       bool negate_b, uint32_t fpcr,
                                                       uint32_t& fpsr) {
    using Tr = T<N>;
    fpcr &= ~kFpcrAhp;
    const Rounding rounding = fpcr_rounding(fpcr);
    Value a = unpack<N>(xa, fpcr, fpsr), b = unpack<N>(xb, fpcr, fpsr);
    if (auto r = process_nans<N>(a, b, xa, xb, fpcr, fpsr)) return *r;
    b.sign ^= negate_b;
    const bool inf_a = a.kind == Kind::Inf, inf_b = b.kind == Kind::Inf;
    if (inf_a && inf_b && a.sign != b.sign) {
        fpsr |= kFpsrIoc;
        return Tr::default_nan;
    }
    if (inf_a) return Tr::inf(a.sign);
    if (inf_b) return Tr::inf(b.sign);
    if (a.kind == Kind::Zero && b.kind == Kind::Zero && a.sign == b.sign) return Tr::zero(a.sign);
    Exact sum = exact_add(exact_of(a), exact_of(b));
    if (sum.is_zero()) return rounding_zero<N>(rounding);
    return fp_round<N>(sum, fpcr, rounding, fpsr);
}

// FPMul, and FPMulX when mulx (0 * inf = +-2.0, no exception).
template <int N>
[[gnu::noinline, gnu::cold]] typename T<N>::U soft_mul(typename T<N>::U xa, typename T<N>::U xb,
                                                       bool mulx, uint32_t fpcr, uint32_t& fpsr) {
    using Tr = T<N>;
    fpcr &= ~kFpcrAhp;
    Value a = unpack<N>(xa, fpcr, fpsr), b = unpack<N>(xb, fpcr, fpsr);
    if (auto r = process_nans<N>(a, b, xa, xb, fpcr, fpsr)) return *r;
    const bool sign = a.sign != b.sign;
    const bool inf_a = a.kind == Kind::Inf, inf_b = b.kind == Kind::Inf;
    const bool zero_a = a.kind == Kind::Zero, zero_b = b.kind == Kind::Zero;
    if ((inf_a && zero_b) || (zero_a && inf_b)) {
        if (mulx) return Tr::pack(sign, Tr::bias + 1, 0);  // FPTwo(sign)
        fpsr |= kFpsrIoc;
        return Tr::default_nan;
    }
    if (inf_a || inf_b) return Tr::inf(sign);
    if (zero_a || zero_b) return Tr::zero(sign);
    return fp_round<N>(exact_mul(a, b), fpcr, fpcr_rounding(fpcr), fpsr);
}

template <int N>
[[gnu::noinline, gnu::cold]] typename T<N>::U soft_div(typename T<N>::U xa, typename T<N>::U xb,
                                                       uint32_t fpcr, uint32_t& fpsr) {
    using Tr = T<N>;
    fpcr &= ~kFpcrAhp;
    Value a = unpack<N>(xa, fpcr, fpsr), b = unpack<N>(xb, fpcr, fpsr);
    if (auto r = process_nans<N>(a, b, xa, xb, fpcr, fpsr)) return *r;
    const bool sign = a.sign != b.sign;
    const bool inf_a = a.kind == Kind::Inf, inf_b = b.kind == Kind::Inf;
    const bool zero_a = a.kind == Kind::Zero, zero_b = b.kind == Kind::Zero;
    if ((inf_a && inf_b) || (zero_a && zero_b)) {
        fpsr |= kFpsrIoc;
        return Tr::default_nan;
    }
    if (inf_a || zero_b) {
        if (!inf_a) fpsr |= kFpsrDzc;
        return Tr::inf(sign);
    }
    if (zero_a || inf_b) return Tr::zero(sign);
    // a.sig < 2^53: shifting it to bit 126 leaves a quotient of >= 73 bits.
    const int sh = 126 - msb128(a.sig);
    u128 num = u128(a.sig) << sh;
    Exact q{sign, a.exp - sh - b.exp, num / b.sig, (num % b.sig) != 0};
    return fp_round<N>(q, fpcr, fpcr_rounding(fpcr), fpsr);
}

template <int N>
[[gnu::noinline, gnu::cold]] typename T<N>::U soft_sqrt(typename T<N>::U xa, uint32_t fpcr,
                                                        uint32_t& fpsr) {
    using Tr = T<N>;
    fpcr &= ~kFpcrAhp;
    Value a = unpack<N>(xa, fpcr, fpsr);
    if (a.is_nan()) return process_nan<N>(a.kind, xa, fpcr, fpsr);
    if (a.kind == Kind::Zero) return Tr::zero(a.sign);
    if (a.kind == Kind::Inf && !a.sign) return Tr::inf(false);
    if (a.sign) {
        fpsr |= kFpsrIoc;
        return Tr::default_nan;
    }
    // Put the significand at bit 124 or 125 so the exponent is even; the
    // root then has 63 bits.
    int sh = 124 - msb128(a.sig);
    if ((a.exp - sh) & 1) sh++;
    bool inexact = false;
    uint64_t root = isqrt128(u128(a.sig) << sh, inexact);
    Exact r{false, (a.exp - sh) / 2, root, inexact};
    return fp_round<N>(r, fpcr, fpcr_rounding(fpcr), fpsr);
}

// FPMulAdd(addend, op1, op2): addend + op1*op2 with one rounding.
template <int N>
[[gnu::noinline, gnu::cold]] typename T<N>::U soft_muladd(typename T<N>::U xc, typename T<N>::U xa,
                                                          typename T<N>::U xb, uint32_t fpcr,
                                                          uint32_t& fpsr) {
    using Tr = T<N>;
    fpcr &= ~kFpcrAhp;
    const Rounding rounding = fpcr_rounding(fpcr);
    Value c = unpack<N>(xc, fpcr, fpsr);
    Value a = unpack<N>(xa, fpcr, fpsr), b = unpack<N>(xb, fpcr, fpsr);
    const bool inf_a = a.kind == Kind::Inf, inf_b = b.kind == Kind::Inf;
    const bool zero_a = a.kind == Kind::Zero, zero_b = b.kind == Kind::Zero;
    auto nan = process_nans3<N>(c, a, b, xc, xa, xb, fpcr, fpsr);
    // A quiet NaN addend does not hide the invalid 0 * inf product.
    if (c.kind == Kind::QNaN && ((inf_a && zero_b) || (zero_a && inf_b))) {
        fpsr |= kFpsrIoc;
        return Tr::default_nan;
    }
    if (nan) return *nan;
    const bool inf_c = c.kind == Kind::Inf, zero_c = c.kind == Kind::Zero;
    const bool sign_p = a.sign != b.sign;
    const bool inf_p = inf_a || inf_b, zero_p = zero_a || zero_b;
    if ((inf_a && zero_b) || (zero_a && inf_b) || (inf_c && inf_p && c.sign != sign_p)) {
        fpsr |= kFpsrIoc;
        return Tr::default_nan;
    }
    if ((inf_c && !c.sign) || (inf_p && !sign_p)) return Tr::inf(false);
    if ((inf_c && c.sign) || (inf_p && sign_p)) return Tr::inf(true);
    if (zero_c && zero_p && c.sign == sign_p) return Tr::zero(c.sign);
    Exact prod = zero_p ? Exact{} : exact_mul(a, b);
    Exact sum = exact_add(zero_c ? Exact{} : exact_of(c), prod);
    if (sum.is_zero()) return rounding_zero<N>(rounding);
    return fp_round<N>(sum, fpcr, rounding, fpsr);
}

// FPRecipStepFused (rsqrt = false): 2 - a*b; FPRSqrtStepFused (true):
// (3 - a*b) / 2. The first operand is negated before NaN processing.
template <int N>
[[gnu::noinline, gnu::cold]] typename T<N>::U soft_step(typename T<N>::U xa, typename T<N>::U xb,
                                                        bool rsqrt, uint32_t fpcr, uint32_t& fpsr) {
    using Tr = T<N>;
    fpcr &= ~kFpcrAhp;
    const Rounding rounding = fpcr_rounding(fpcr);
    xa = typename Tr::U(xa ^ Tr::sign_bit);
    Value a = unpack<N>(xa, fpcr, fpsr), b = unpack<N>(xb, fpcr, fpsr);
    if (auto r = process_nans<N>(a, b, xa, xb, fpcr, fpsr)) return *r;
    const bool inf_a = a.kind == Kind::Inf, inf_b = b.kind == Kind::Inf;
    const bool zero_a = a.kind == Kind::Zero, zero_b = b.kind == Kind::Zero;
    if ((inf_a && zero_b) || (zero_a && inf_b)) {
        // FPTwo('0') or FPOnePointFive('0')
        return rsqrt ? Tr::pack(false, Tr::bias, uint64_t(1) << (Tr::F - 1))
                     : Tr::pack(false, Tr::bias + 1, 0);
    }
    if (inf_a || inf_b) return Tr::inf(a.sign != b.sign);
    Exact k{false, 0, rsqrt ? 3u : 2u, false};
    Exact prod = (zero_a || zero_b) ? Exact{} : exact_mul(a, b);
    Exact sum = exact_add(k, prod);
    if (sum.is_zero()) return rounding_zero<N>(rounding);
    if (rsqrt) sum.exp -= 1;
    return fp_round<N>(sum, fpcr, rounding, fpsr);
}

// Real-number comparison of two unpacked non-NaN values: -1, 0, 1.
inline int compare_values(const Value& a, const Value& b) {
    auto rank = [](const Value& v) { return v.kind == Kind::Zero ? 0 : (v.sign ? -1 : 1); };
    int ra = rank(a), rb = rank(b);
    if (ra != rb) return ra < rb ? -1 : 1;
    if (ra == 0) return 0;
    // Same sign, both nonzero: compare magnitudes.
    int mag;
    const bool ia = a.kind == Kind::Inf, ib = b.kind == Kind::Inf;
    if (ia || ib) {
        mag = ia == ib ? 0 : (ia ? 1 : -1);
    } else {
        int ta = a.exp + msb128(a.sig), tb = b.exp + msb128(b.sig);
        if (ta != tb) {
            mag = ta < tb ? -1 : 1;
        } else {
            // Same top exponent: align the significands.
            u128 sa = u128(a.sig) << (64 - msb128(a.sig));
            u128 sb = u128(b.sig) << (64 - msb128(b.sig));
            mag = sa == sb ? 0 : (sa < sb ? -1 : 1);
        }
    }
    return ra < 0 ? -mag : mag;
}

// FPMax (is_max) / FPMin.
template <int N>
[[gnu::noinline, gnu::cold]] typename T<N>::U soft_maxmin(typename T<N>::U xa, typename T<N>::U xb,
                                                          bool is_max, uint32_t fpcr,
                                                          uint32_t& fpsr) {
    using Tr = T<N>;
    fpcr &= ~kFpcrAhp;
    Value a = unpack<N>(xa, fpcr, fpsr), b = unpack<N>(xb, fpcr, fpsr);
    if (auto r = process_nans<N>(a, b, xa, xb, fpcr, fpsr)) return *r;
    int c = compare_values(a, b);
    const Value& v = (is_max ? c > 0 : c < 0) ? a : b;
    if (v.kind == Kind::Inf) return Tr::inf(v.sign);
    if (v.kind == Kind::Zero) {
        // Most positive (max) or most negative (min) zero.
        return Tr::zero(is_max ? (a.sign && b.sign) : (a.sign || b.sign));
    }
    // FPRound of an exact value: only exceptional for trapped underflow.
    return fp_round<N>(exact_of(v), fpcr, fpcr_rounding(fpcr), fpsr);
}

// FPMaxNum / FPMinNum: a single quiet NaN is replaced by the infinity
// that loses the comparison.
template <int N>
[[gnu::noinline, gnu::cold]] typename T<N>::U soft_maxmin_num(typename T<N>::U xa,
                                                              typename T<N>::U xb, bool is_max,
                                                              uint32_t fpcr, uint32_t& fpsr) {
    using Tr = T<N>;
    uint32_t fpcr_u = fpcr & ~kFpcrAhp;
    Value a = unpack<N>(xa, fpcr_u, fpsr), b = unpack<N>(xb, fpcr_u, fpsr);
    if (a.kind == Kind::QNaN && b.kind != Kind::QNaN)
        xa = Tr::inf(is_max);
    else if (a.kind != Kind::QNaN && b.kind == Kind::QNaN)
        xb = Tr::inf(is_max);
    return soft_maxmin<N>(xa, xb, is_max, fpcr, fpsr);
}

enum class CmpOp : uint8_t { Eq, Ge, Gt };

// FPCompareEQ / FPCompareGE / FPCompareGT.
template <int N>
[[gnu::noinline, gnu::cold]] bool soft_compare_op(typename T<N>::U xa, typename T<N>::U xb,
                                                  CmpOp op, uint32_t fpcr, uint32_t& fpsr) {
    fpcr &= ~kFpcrAhp;
    Value a = unpack<N>(xa, fpcr, fpsr), b = unpack<N>(xb, fpcr, fpsr);
    if (a.is_nan() || b.is_nan()) {
        if (op != CmpOp::Eq || a.kind == Kind::SNaN || b.kind == Kind::SNaN) fpsr |= kFpsrIoc;
        return false;
    }
    int c = compare_values(a, b);
    switch (op) {
        case CmpOp::Eq:
            return c == 0;
        case CmpOp::Ge:
            return c >= 0;
        case CmpOp::Gt:
            return c > 0;
    }
    return false;
}

// FPCompare: NZCV.
template <int N>
[[gnu::noinline, gnu::cold]] uint32_t soft_compare(typename T<N>::U xa, typename T<N>::U xb,
                                                   bool signal_nans, uint32_t fpcr,
                                                   uint32_t& fpsr) {
    fpcr &= ~kFpcrAhp;
    Value a = unpack<N>(xa, fpcr, fpsr), b = unpack<N>(xb, fpcr, fpsr);
    if (a.is_nan() || b.is_nan()) {
        if (signal_nans || a.kind == Kind::SNaN || b.kind == Kind::SNaN) fpsr |= kFpsrIoc;
        return 0x3;
    }
    int c = compare_values(a, b);
    return c == 0 ? 0x6 : (c < 0 ? 0x8 : 0x2);
}

}  // namespace emu::arm::fpu::detail

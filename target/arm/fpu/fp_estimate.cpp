// FRECPE, FRSQRTE, FRECPX, URECPE, URSQRTE: the Arm ARM's estimate
// functions (FPRecipEstimate, FPRSqrtEstimate, FPRecpX, RecipEstimate,
// RecipSqrtEstimate, UnsignedRecipEstimate, UnsignedRSqrtEstimate) without
// FEAT_RPRES. The 8-bit estimate tables are computed from the
// architected integer formulas once, at first use.
#include <array>

#include "target/arm/fpu/fp_soft.h"
#include "target/arm/fpu/fpu.h"

namespace emu::arm::fpu {
namespace {

using namespace detail;

// RecipEstimate(a), 256 <= a < 512: a fixed-point input in [0.5, 1) in
// steps of 1/512, result in [256, 511] meaning [1.0, 2.0).
constexpr unsigned recip_estimate(unsigned a) {
    a = a * 2 + 1;  // round to nearest
    unsigned b = (1u << 19) / a;
    return (b + 1) / 2;  // round to nearest
}

// RecipSqrtEstimate(a), 128 <= a < 512: input in [0.25, 1).
constexpr unsigned rsqrt_estimate(unsigned a) {
    if (a < 256) {
        a = a * 2 + 1;  // units of 1/512, rounded to nearest
    } else {
        a = (a >> 1) << 1;  // drop the bottom bit
        a = (a + 1) * 2;    // units of 1/256, rounded to nearest
    }
    // b = the largest b such that a * b * b < 2^28 (b < 2^14 / sqrt(a)).
    unsigned b = 512;
    while (uint64_t(a) * (b + 1) * (b + 1) < (1ull << 28))
        b++;
    return (b + 1) / 2;
}

struct Tables {
    std::array<uint16_t, 256> recip{};  // index a - 256
    std::array<uint16_t, 384> rsqrt{};  // index a - 128
    Tables() {
        for (unsigned a = 256; a < 512; a++)
            recip[a - 256] = uint16_t(recip_estimate(a));
        for (unsigned a = 128; a < 512; a++)
            rsqrt[a - 128] = uint16_t(rsqrt_estimate(a));
    }
};

const Tables& tables() {
    static const Tables t;
    return t;
}

template <int N>
typename T<N>::U soft_recpe(typename T<N>::U x, uint32_t fpcr, uint32_t& fpsr) {
    using Tr = T<N>;
    fpcr &= ~kFpcrAhp;
    Value v = unpack<N>(x, fpcr, fpsr);
    if (v.is_nan()) return process_nan<N>(v.kind, x, fpcr, fpsr);
    if (v.kind == Kind::Inf) return Tr::zero(v.sign);
    if (v.kind == Kind::Zero) {
        fpsr |= kFpsrDzc;
        return Tr::inf(v.sign);
    }
    // |value| = sig * 2^exp; top = floor(log2 |value|).
    const int top = v.exp + int(63 - __builtin_clzll(v.sig));
    // |value| < 2^-(bias+1) (N=32: 2^-128): the reciprocal overflows.
    if (top < -(Tr::bias + 1)) {
        bool to_inf = false;
        switch (fpcr_rounding(fpcr)) {
            case Rounding::TieEven:
                to_inf = true;
                break;
            case Rounding::PosInf:
                to_inf = !v.sign;
                break;
            case Rounding::NegInf:
                to_inf = v.sign;
                break;
            default:
                break;
        }
        fpsr |= kFpsrOfc | kFpsrIxc;
        return to_inf ? Tr::inf(v.sign) : Tr::max_normal(v.sign);
    }
    // |value| >= 2^(bias-1) (N=32: 2^126) gives a tiny result, flushed.
    if (flush_enabled<N>(fpcr) && top >= Tr::bias - 1) {
        fpsr |= kFpsrUfc;
        return Tr::zero(v.sign);
    }
    // Scale the fraction into a 52-bit double-style fraction.
    uint64_t fraction = uint64_t(x & Tr::frac_mask) << (52 - Tr::F);
    int exp = int(Tr::exp_of(x));
    if (exp == 0) {
        if (((fraction >> 51) & 1) == 0) {
            exp = -1;
            fraction = (fraction << 2) & ((1ull << 52) - 1);
        } else {
            fraction = (fraction << 1) & ((1ull << 52) - 1);
        }
    }
    const unsigned scaled = 256 | unsigned(fraction >> 44);
    // 2*bias - 1 - exp, e.g. 253 - exp for single precision.
    int result_exp = 2 * Tr::bias - 1 - exp;
    const unsigned estimate = tables().recip[scaled - 256];
    fraction = uint64_t(estimate & 0xff) << 44;
    if (result_exp == 0) {
        fraction = (1ull << 51) | (fraction >> 1);
    } else if (result_exp == -1) {
        fraction = (1ull << 50) | (fraction >> 2);
        result_exp = 0;
    }
    return Tr::pack(v.sign, unsigned(result_exp), fraction >> (52 - Tr::F));
}

template <int N>
typename T<N>::U soft_rsqrte(typename T<N>::U x, uint32_t fpcr, uint32_t& fpsr) {
    using Tr = T<N>;
    fpcr &= ~kFpcrAhp;
    Value v = unpack<N>(x, fpcr, fpsr);
    if (v.is_nan()) return process_nan<N>(v.kind, x, fpcr, fpsr);
    if (v.kind == Kind::Zero) {
        fpsr |= kFpsrDzc;
        return Tr::inf(v.sign);
    }
    if (v.sign) {
        fpsr |= kFpsrIoc;
        return Tr::default_nan;
    }
    if (v.kind == Kind::Inf) return Tr::zero(false);
    uint64_t fraction = uint64_t(x & Tr::frac_mask) << (52 - Tr::F);
    int exp = int(Tr::exp_of(x));
    if (exp == 0) {
        while (((fraction >> 51) & 1) == 0) {
            fraction <<= 1;
            exp--;
        }
        fraction = (fraction << 1) & ((1ull << 52) - 1);
    }
    // An odd exponent scales into [0.25, 0.5), an even one into [0.5, 1).
    const unsigned scaled =
        (exp & 1) ? (128 | unsigned(fraction >> 45)) : (256 | unsigned(fraction >> 44));
    // (3*bias - 1 - exp) DIV 2 with floor division (exp may be negative).
    const int num = 3 * Tr::bias - 1 - exp;
    const int result_exp = num >= 0 ? num / 2 : -((-num + 1) / 2);
    const unsigned estimate = tables().rsqrt[scaled - 128];
    return Tr::pack(false, unsigned(result_exp), uint64_t(estimate & 0xff) << (Tr::F - 8));
}

template <int N>
typename T<N>::U soft_recpx(typename T<N>::U x, uint32_t fpcr, uint32_t& fpsr) {
    using Tr = T<N>;
    fpcr &= ~kFpcrAhp;
    Value v = unpack<N>(x, fpcr, fpsr);
    if (v.is_nan()) return process_nan<N>(v.kind, x, fpcr, fpsr);
    const unsigned e = Tr::exp_of(x);
    // Zero and denormal: the largest finite exponent; else NOT(exp).
    const unsigned re = e == 0 ? unsigned(Tr::max_biased - 1) : (~e & unsigned(Tr::max_biased));
    return Tr::pack(Tr::sign_of(x), re, 0);
}

}  // namespace

// The three precisions of one estimate share its template.
#define EMU_FPU_ESTIMATE(name, soft)                               \
    uint16_t name##_h(uint16_t a, uint32_t fpcr, uint32_t& fpsr) { \
        return soft<16>(a, fpcr, fpsr);                            \
    }                                                              \
    uint32_t name##_s(uint32_t a, uint32_t fpcr, uint32_t& fpsr) { \
        return soft<32>(a, fpcr, fpsr);                            \
    }                                                              \
    uint64_t name##_d(uint64_t a, uint32_t fpcr, uint32_t& fpsr) { \
        return soft<64>(a, fpcr, fpsr);                            \
    }
EMU_FPU_ESTIMATE(frecpe, soft_recpe)
EMU_FPU_ESTIMATE(frsqrte, soft_rsqrte)
EMU_FPU_ESTIMATE(frecpx, soft_recpx)
#undef EMU_FPU_ESTIMATE

uint32_t urecpe(uint32_t a) {
    // Operands below 0.5 (as a 0.32 fixed-point fraction) give all ones.
    if (!(a >> 31)) return 0xffffffffu;
    return uint32_t(tables().recip[(a >> 23) - 256]) << 23;
}

uint32_t ursqrte(uint32_t a) {
    // Operands below 0.25 give all ones.
    if ((a >> 30) == 0) return 0xffffffffu;
    return uint32_t(tables().rsqrt[(a >> 23) - 128]) << 23;
}

}  // namespace emu::arm::fpu

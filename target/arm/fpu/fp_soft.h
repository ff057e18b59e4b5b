#pragma once
// The exact ("soft") model of the Arm ARM floating-point pseudocode:
// FPUnpack, FPRoundBase, FPProcessNaN(s), and exact arithmetic on
// significands wide enough that every result is correctly rounded. Every
// public operation has its reference semantics here; the host-SSE fast
// paths in the .cpp files only take cases where they provably agree.
// Internal to target/arm/fpu.
#include <algorithm>
#include <cstdint>
#include <optional>

#include "target/arm/fpu/fpu.h"

namespace emu::arm::fpu::detail {

using u128 = unsigned __int128;

template <int N>
struct Fmt;
template <>
struct Fmt<16> {
    using U = uint16_t;
    static constexpr int E = 5, F = 10;
};
template <>
struct Fmt<32> {
    using U = uint32_t;
    static constexpr int E = 8, F = 23;
};
template <>
struct Fmt<64> {
    using U = uint64_t;
    static constexpr int E = 11, F = 52;
};

template <int N>
struct T {
    using U = typename Fmt<N>::U;
    static constexpr int E = Fmt<N>::E, F = Fmt<N>::F;
    static constexpr int bias = (1 << (E - 1)) - 1;
    static constexpr int min_exp = 1 - bias;  // exponent of the smallest normal
    static constexpr int max_biased = (1 << E) - 1;
    static constexpr U sign_bit = U(U(1) << (N - 1));
    static constexpr U frac_mask = U((U(1) << F) - 1);
    static constexpr U exp_mask = U(U(max_biased) << F);
    static constexpr U quiet_bit = U(U(1) << (F - 1));
    static constexpr U default_nan = U(exp_mask | quiet_bit);

    static U zero(bool s) { return s ? sign_bit : U(0); }
    static U inf(bool s) { return U(zero(s) | exp_mask); }
    static U max_normal(bool s) { return U(zero(s) | (exp_mask - (U(1) << F)) | frac_mask); }
    // sign : biased exponent : fraction
    static U pack(bool s, unsigned biased, uint64_t frac) {
        return U(zero(s) | (U(biased) << F) | (U(frac) & frac_mask));
    }
    static bool sign_of(U x) { return (x & sign_bit) != 0; }
    static unsigned exp_of(U x) { return unsigned((x & exp_mask) >> F); }
};

// FPCR view for the flush-to-zero that applies to format N.
template <int N>
inline bool flush_enabled(uint32_t fpcr) {
    return N == 16 ? (fpcr & kFpcrFz16) != 0 : (fpcr & kFpcrFz) != 0;
}

enum class Kind : uint8_t { Zero, Nonzero, Inf, QNaN, SNaN };

// An unpacked operand. For Nonzero: |value| = sig * 2^exp exactly.
struct Value {
    Kind kind;
    bool sign;
    int exp;
    uint64_t sig;
    bool is_nan() const { return kind == Kind::QNaN || kind == Kind::SNaN; }
};

// FPUnpackBase with the given FPCR view. Callers clear AHP for FPUnpack
// and FZ16 for FPUnpackCV as the pseudocode does.
template <int N>
Value unpack(typename T<N>::U x, uint32_t fpcr, uint32_t& fpsr) {
    using Tr = T<N>;
    Value v{Kind::Nonzero, Tr::sign_of(x), 0, 0};
    unsigned e = Tr::exp_of(x);
    uint64_t frac = x & Tr::frac_mask;
    if (e == 0) {
        if (frac == 0 || flush_enabled<N>(fpcr)) {
            v.kind = Kind::Zero;
            // Half-precision flushing (FZ16) does not report IDC.
            if (frac != 0 && N != 16) fpsr |= kFpsrIdc;
        } else {
            v.exp = Tr::min_exp - Tr::F;
            v.sig = frac;
        }
    } else if (e == unsigned(Tr::max_biased) && !(N == 16 && (fpcr & kFpcrAhp))) {
        if (frac == 0)
            v.kind = Kind::Inf;
        else
            v.kind = (frac & Tr::quiet_bit) ? Kind::QNaN : Kind::SNaN;
    } else {
        v.exp = int(e) - Tr::bias - Tr::F;
        v.sig = frac | (uint64_t(1) << Tr::F);
    }
    return v;
}

// FPProcessNaN: quieten a signalling NaN (IOC), then apply FPCR.DN.
template <int N>
typename T<N>::U process_nan(Kind k, typename T<N>::U x, uint32_t fpcr, uint32_t& fpsr) {
    using Tr = T<N>;
    if (k == Kind::SNaN) {
        x = typename Tr::U(x | Tr::quiet_bit);
        fpsr |= kFpsrIoc;
    }
    if (fpcr & kFpcrDn) return Tr::default_nan;
    return x;
}

// FPProcessNaNs: signalling NaNs first, then quiet, each in operand order.
template <int N>
std::optional<typename T<N>::U> process_nans(const Value& a, const Value& b, typename T<N>::U xa,
                                             typename T<N>::U xb, uint32_t fpcr, uint32_t& fpsr) {
    if (a.kind == Kind::SNaN) return process_nan<N>(a.kind, xa, fpcr, fpsr);
    if (b.kind == Kind::SNaN) return process_nan<N>(b.kind, xb, fpcr, fpsr);
    if (a.kind == Kind::QNaN) return process_nan<N>(a.kind, xa, fpcr, fpsr);
    if (b.kind == Kind::QNaN) return process_nan<N>(b.kind, xb, fpcr, fpsr);
    return std::nullopt;
}

template <int N>
std::optional<typename T<N>::U> process_nans3(const Value& a, const Value& b, const Value& c,
                                              typename T<N>::U xa, typename T<N>::U xb,
                                              typename T<N>::U xc, uint32_t fpcr, uint32_t& fpsr) {
    if (a.kind == Kind::SNaN) return process_nan<N>(a.kind, xa, fpcr, fpsr);
    if (b.kind == Kind::SNaN) return process_nan<N>(b.kind, xb, fpcr, fpsr);
    if (c.kind == Kind::SNaN) return process_nan<N>(c.kind, xc, fpcr, fpsr);
    if (a.kind == Kind::QNaN) return process_nan<N>(a.kind, xa, fpcr, fpsr);
    if (b.kind == Kind::QNaN) return process_nan<N>(b.kind, xb, fpcr, fpsr);
    if (c.kind == Kind::QNaN) return process_nan<N>(c.kind, xc, fpcr, fpsr);
    return std::nullopt;
}

inline int msb128(u128 x) {
    uint64_t hi = uint64_t(x >> 64);
    if (hi) return 127 - __builtin_clzll(hi);
    return 63 - __builtin_clzll(uint64_t(x));
}

// Right shift that ORs every bit shifted out into the sticky flag.
inline u128 shr_sticky(u128 x, int n, bool& sticky) {
    if (n <= 0) return x;
    if (n >= 128) {
        sticky |= x != 0;
        return 0;
    }
    sticky |= (x & ((u128(1) << n) - 1)) != 0;
    return x >> n;
}

// A real number |v| = (sig + d) * 2^exp with d = 0 if !sticky, else some
// 0 < d < 1: enough to round correctly as long as sig carries at least two
// bits below the result's last place whenever sticky is set.
struct Exact {
    bool sign = false;
    int exp = 0;
    u128 sig = 0;
    bool sticky = false;
    bool is_zero() const { return sig == 0 && !sticky; }
};

// FPRoundBase(op, fpcr, rounding) for a nonzero exact value. `fpcr` is the
// view the caller's pseudocode passes (FPRound clears AHP, FPRoundCV
// clears FZ16).
template <int N>
typename T<N>::U round(Exact x, uint32_t fpcr, Rounding rounding, uint32_t& fpsr) {
    using Tr = T<N>;
    constexpr int kTop = 125;  // significand msb position after normalising
    int m = msb128(x.sig);
    if (m < kTop) {
        x.sig <<= (kTop - m);
        x.exp -= kTop - m;
    } else if (m > kTop) {
        x.sig = shr_sticky(x.sig, m - kTop, x.sticky);
        x.exp += m - kTop;
    }
    const int exponent = x.exp + kTop;  // value in [2^exponent, 2^(exponent+1))
    const bool sign = x.sign;

    // Flush-to-zero looks at the exponent before rounding and reports only
    // UFC (never IXC).
    if (flush_enabled<N>(fpcr) && exponent < Tr::min_exp) {
        fpsr |= kFpsrUfc;
        return Tr::zero(sign);
    }

    int biased_exp = std::max(exponent - Tr::min_exp + 1, 0);
    const int lsb_exp = (biased_exp == 0 ? Tr::min_exp : exponent) - Tr::F;
    const int shift = lsb_exp - x.exp;  // > 0: kTop exceeds F+2
    uint64_t int_mant;
    bool err_nonzero, err_gt_half, err_half;
    if (shift >= 128) {
        int_mant = 0;
        err_nonzero = true;  // 0 < error < 0.5: sig < 2^126 <= half
        err_gt_half = err_half = false;
    } else {
        int_mant = uint64_t(x.sig >> shift);
        u128 rem = x.sig & ((u128(1) << shift) - 1);
        u128 half = u128(1) << (shift - 1);
        err_nonzero = rem != 0 || x.sticky;
        err_gt_half = rem > half || (rem == half && x.sticky);
        err_half = rem == half && !x.sticky;
    }

    // Arm detects tininess before rounding: underflow when the unrounded
    // result is below the normal range and the result is inexact.
    if (biased_exp == 0 && err_nonzero) fpsr |= kFpsrUfc;

    bool round_up = false, overflow_to_inf = false;
    switch (rounding) {
        case Rounding::TieEven:
            round_up = err_gt_half || (err_half && (int_mant & 1));
            overflow_to_inf = true;
            break;
        case Rounding::PosInf:
            round_up = err_nonzero && !sign;
            overflow_to_inf = !sign;
            break;
        case Rounding::NegInf:
            round_up = err_nonzero && sign;
            overflow_to_inf = sign;
            break;
        case Rounding::Zero:
        case Rounding::Odd:
            break;
        case Rounding::TieAway:
            round_up = err_gt_half || err_half;
            overflow_to_inf = true;
            break;
    }
    if (round_up) {
        int_mant++;
        if (int_mant == (uint64_t(1) << Tr::F)) biased_exp = 1;  // denormal became normal
        if (int_mant == (uint64_t(1) << (Tr::F + 1))) {
            biased_exp++;
            int_mant >>= 1;
        }
    }
    if (err_nonzero && rounding == Rounding::Odd) int_mant |= 1;

    typename Tr::U result;
    bool inexact = err_nonzero;
    if (N != 16 || !(fpcr & kFpcrAhp)) {
        if (biased_exp >= Tr::max_biased) {
            result = overflow_to_inf ? Tr::inf(sign) : Tr::max_normal(sign);
            fpsr |= kFpsrOfc;
            inexact = true;
        } else {
            result = Tr::pack(sign, unsigned(biased_exp), int_mant);
        }
    } else {
        // Alternative half precision has no infinity: out of range is an
        // invalid operation with the largest magnitude, and not inexact.
        if (biased_exp >= (1 << Tr::E)) {
            result = typename Tr::U(Tr::zero(sign) | 0x7fff);
            fpsr |= kFpsrIoc;
            inexact = false;
        } else {
            result = Tr::pack(sign, unsigned(biased_exp), int_mant);
        }
    }
    if (inexact) fpsr |= kFpsrIxc;
    return result;
}

// FPRound: arithmetic results never use the alternative half format.
template <int N>
typename T<N>::U fp_round(const Exact& x, uint32_t fpcr, Rounding r, uint32_t& fpsr) {
    return round<N>(x, fpcr & ~kFpcrAhp, r, fpsr);
}

// The exact zero result of an arithmetic operation whose value is 0 but
// whose sign the operands do not fix: -0 only when rounding to -infinity.
template <int N>
typename T<N>::U rounding_zero(Rounding r) {
    return T<N>::zero(r == Rounding::NegInf);
}

inline Exact exact_of(const Value& v) {
    return Exact{v.sign, v.exp, v.sig, false};
}

inline Exact exact_mul(const Value& a, const Value& b) {
    return Exact{a.sign != b.sign, a.exp + b.exp, u128(a.sig) * b.sig, false};
}

// a + b for exact operands whose significands have at most ~110 bits.
// The smaller one is aligned with a sticky bit; cancellation of more than
// one bit only happens when the alignment shift is small enough to be
// exact, so the result keeps >= 120 significant bits when sticky.
inline Exact exact_add(Exact a, Exact b) {
    if (a.sig == 0) return b;
    if (b.sig == 0) return a;
    constexpr int kTop = 125;
    auto norm = [](Exact& x) {
        int m = msb128(x.sig);
        x.sig <<= (kTop - m);
        x.exp -= kTop - m;
    };
    norm(a);
    norm(b);
    if (a.exp < b.exp) std::swap(a, b);
    bool sticky = false;
    b.sig = shr_sticky(b.sig, a.exp - b.exp, sticky);
    Exact r;
    r.exp = a.exp;
    if (a.sign == b.sign) {
        r.sign = a.sign;
        r.sig = a.sig + b.sig;
        r.sticky = sticky;
    } else if (a.sig >= b.sig) {
        r.sign = a.sign;
        r.sig = a.sig - b.sig - (sticky ? 1 : 0);
        r.sticky = sticky;
        if (r.sig == 0 && !sticky) r.sign = false;
    } else {
        // Only possible without alignment loss (equal exponents).
        r.sign = b.sign;
        r.sig = b.sig - a.sig;
    }
    return r;
}

// Integer square root of a 128-bit value (floor). The x87 long double
// estimate is within a few units; the integer corrections make it exact
// whatever the estimate's error.
inline uint64_t isqrt128(u128 x, bool& inexact) {
    uint64_t r = uint64_t(__builtin_sqrtl(static_cast<long double>(x)));
    while (u128(r) * r > x)
        r--;
    while (r != ~uint64_t(0) && u128(r + 1) * (r + 1) <= x)
        r++;
    inexact = u128(r) * r != x;
    return r;
}

}  // namespace emu::arm::fpu::detail

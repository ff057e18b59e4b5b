#pragma once
// Exact models of the Arm ARM conversion and rounding functions:
// FPConvert (+ FPConvertNaN), FPToFixed, FixedToFP, FPRoundInt,
// FPRoundIntN. Internal to target/arm/fpu.
#include "target/arm/fpu/fp_soft.h"

namespace emu::arm::fpu::detail {

// FPConvertNaN: keep the sign, set the quiet bit, and carry the payload
// left-aligned (truncated or zero-extended).
template <int From, int To>
typename T<To>::U convert_nan(typename T<From>::U x) {
    using A = T<From>;
    using B = T<To>;
    uint64_t payload = x & (A::frac_mask >> 1);  // below the quiet bit
    if (B::F > A::F)
        payload <<= (B::F - A::F);
    else
        payload >>= (A::F - B::F);
    return typename B::U(B::zero(A::sign_of(x)) | B::exp_mask | B::quiet_bit | payload);
}

// FPConvert(op, fpcr, rounding) from format From to format To.
template <int From, int To>
[[gnu::noinline, gnu::cold]] typename T<To>::U soft_convert(typename T<From>::U x, uint32_t fpcr,
                                                            Rounding rounding, uint32_t& fpsr) {
    using B = T<To>;
    // FPUnpackCV / FPRoundCV: FZ16 ignored, AHP observed.
    fpcr &= ~kFpcrFz16;
    Value v = unpack<From>(x, fpcr, fpsr);
    const bool alt_hp = To == 16 && (fpcr & kFpcrAhp);
    if (v.is_nan()) {
        typename B::U r;
        if (alt_hp)
            r = B::zero(v.sign);
        else if (fpcr & kFpcrDn)
            r = B::default_nan;
        else
            r = convert_nan<From, To>(x);
        if (v.kind == Kind::SNaN || alt_hp) fpsr |= kFpsrIoc;
        return r;
    }
    if (v.kind == Kind::Inf) {
        if (alt_hp) {
            fpsr |= kFpsrIoc;
            return typename B::U(B::zero(v.sign) | 0x7fff);
        }
        return B::inf(v.sign);
    }
    if (v.kind == Kind::Zero) return B::zero(v.sign);
    return round<To>(exact_of(v), fpcr, rounding, fpsr);
}

// Rounds the magnitude sig * 2^exp (sig < 2^64) to an integer under
// `rounding` for a value of the given sign; `inexact` reports a nonzero
// rounding error. Returns the rounded magnitude (may need 65+ bits only
// when exp > 0, which callers handle before calling).
inline u128 round_magnitude(bool sign, uint64_t sig, int exp, Rounding rounding, bool& inexact) {
    if (exp >= 0) {
        inexact = false;
        return u128(sig) << exp;
    }
    const int sh = -exp;
    u128 t, rem, half;
    if (sh >= 128) {
        t = 0;
        rem = sig;
        half = ~u128(0);  // rem is far below one half
    } else {
        t = u128(sig) >> sh;
        rem = u128(sig) & ((u128(1) << sh) - 1);
        half = u128(1) << (sh - 1);
    }
    inexact = rem != 0;
    bool up = false;
    switch (rounding) {
        case Rounding::TieEven:
            up = rem > half || (rem == half && (t & 1));
            break;
        case Rounding::TieAway:
            up = rem >= half && rem != 0;
            break;
        case Rounding::PosInf:
            up = inexact && !sign;
            break;
        case Rounding::NegInf:
            up = inexact && sign;
            break;
        case Rounding::Zero:
        case Rounding::Odd:
            break;
    }
    return t + (up ? 1 : 0);
}

// FPToFixed(op, fbits, unsigned, fpcr, rounding) to an int_bits-wide
// integer, returned zero-extended in 64 bits.
template <int N>
[[gnu::noinline, gnu::cold]] uint64_t soft_to_fixed(typename T<N>::U x, unsigned fbits,
                                                    bool is_unsigned, unsigned int_bits,
                                                    Rounding rounding, uint32_t fpcr,
                                                    uint32_t& fpsr) {
    fpcr &= ~kFpcrAhp;
    Value v = unpack<N>(x, fpcr, fpsr);
    const uint64_t mask = int_bits == 64 ? ~0ull : (1ull << int_bits) - 1;
    // Saturation limits as magnitudes.
    const u128 max_pos = is_unsigned ? u128(mask) : u128(mask >> 1);
    const u128 max_neg = is_unsigned ? 0 : u128(mask >> 1) + 1;
    const uint64_t sat_pos = uint64_t(max_pos);
    const uint64_t sat_neg = is_unsigned ? 0 : (uint64_t(0) - uint64_t(max_neg)) & mask;
    if (v.is_nan()) {
        fpsr |= kFpsrIoc;
        return 0;
    }
    if (v.kind == Kind::Zero) return 0;
    if (v.kind == Kind::Inf) {
        fpsr |= kFpsrIoc;
        return v.sign ? sat_neg : sat_pos;
    }
    const int exp = v.exp + int(fbits);
    // sig < 2^53, so anything scaled to >= 2^66 saturates whatever the mode.
    if (exp + msb128(v.sig) >= 66) {
        fpsr |= kFpsrIoc;
        return v.sign ? sat_neg : sat_pos;
    }
    bool inexact = false;
    u128 mag = round_magnitude(v.sign, v.sig, exp, rounding, inexact);
    if (v.sign ? mag > max_neg : mag > max_pos) {
        fpsr |= kFpsrIoc;
        return v.sign ? sat_neg : sat_pos;
    }
    if (inexact) fpsr |= kFpsrIxc;
    uint64_t r = uint64_t(mag);
    if (v.sign) r = uint64_t(0) - r;
    return r & mask;
}

// FixedToFP(op, fbits, unsigned, fpcr, rounding).
template <int N>
[[gnu::noinline, gnu::cold]] typename T<N>::U soft_from_fixed(uint64_t x, bool is_unsigned,
                                                              unsigned int_bits, unsigned fbits,
                                                              Rounding rounding, uint32_t fpcr,
                                                              uint32_t& fpsr) {
    if (int_bits < 64) x &= (1ull << int_bits) - 1;
    bool sign = false;
    uint64_t mag = x;
    if (!is_unsigned && int_bits > 0 && ((x >> (int_bits - 1)) & 1)) {
        sign = true;
        mag = (int_bits == 64 ? 0 : (1ull << int_bits)) - x;  // two's complement magnitude
    }
    if (mag == 0) return T<N>::zero(false);
    return fp_round<N>(Exact{sign, -int(fbits), mag, false}, fpcr, rounding, fpsr);
}

// FPRoundInt(op, fpcr, rounding, exact).
template <int N>
[[gnu::noinline, gnu::cold]] typename T<N>::U soft_round_int(typename T<N>::U x, Rounding rounding,
                                                             bool exact, uint32_t fpcr,
                                                             uint32_t& fpsr) {
    using Tr = T<N>;
    fpcr &= ~kFpcrAhp;
    Value v = unpack<N>(x, fpcr, fpsr);
    if (v.is_nan()) return process_nan<N>(v.kind, x, fpcr, fpsr);
    if (v.kind == Kind::Inf) return Tr::inf(v.sign);
    if (v.kind == Kind::Zero) return Tr::zero(v.sign);
    if (v.exp >= 0) return x;  // already integral (and normal)
    bool inexact = false;
    u128 mag = round_magnitude(v.sign, v.sig, v.exp, rounding, inexact);
    typename Tr::U r = mag == 0
                           ? Tr::zero(v.sign)
                           : fp_round<N>(Exact{v.sign, 0, mag, false}, fpcr, Rounding::Zero, fpsr);
    if (inexact && exact) fpsr |= kFpsrIxc;
    return r;
}

// FPRoundIntN(op, fpcr, rounding, intsize): FRINT32* / FRINT64*.
template <int N>
[[gnu::noinline, gnu::cold]] typename T<N>::U soft_round_int_n(typename T<N>::U x,
                                                               Rounding rounding, unsigned int_bits,
                                                               uint32_t fpcr, uint32_t& fpsr) {
    using Tr = T<N>;
    fpcr &= ~kFpcrAhp;
    // -2^(int_bits-1): the value every invalid case produces.
    const typename Tr::U invalid_result = Tr::pack(true, unsigned(Tr::bias) + int_bits - 1, 0);
    Value v = unpack<N>(x, fpcr, fpsr);
    if (v.is_nan() || v.kind == Kind::Inf) {
        fpsr |= kFpsrIoc;
        return invalid_result;
    }
    if (v.kind == Kind::Zero) return Tr::zero(v.sign);
    if (v.exp + msb128(v.sig) >= int(int_bits)) {  // |value| >= 2^int_bits
        fpsr |= kFpsrIoc;
        return invalid_result;
    }
    bool inexact = false;
    u128 mag = round_magnitude(v.sign, v.sig, v.exp, rounding, inexact);
    const u128 limit = u128(1) << (int_bits - 1);
    if (v.sign ? mag > limit : mag >= limit) {
        fpsr |= kFpsrIoc;  // overflow does not also report inexact
        return invalid_result;
    }
    typename Tr::U r = mag == 0
                           ? Tr::zero(v.sign)
                           : fp_round<N>(Exact{v.sign, 0, mag, false}, fpcr, Rounding::Zero, fpsr);
    if (inexact) fpsr |= kFpsrIxc;
    return r;
}

}  // namespace emu::arm::fpu::detail

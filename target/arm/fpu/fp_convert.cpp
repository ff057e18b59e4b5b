// Public conversion and round-to-integral entry points (exact models in
// fp_soft_convert.h), with host fast paths for the common conversions.
#include "target/arm/fpu/fp_fast.h"
#include "target/arm/fpu/fp_soft_convert.h"
#include "target/arm/fpu/fpu.h"

namespace emu::arm::fpu {

using namespace detail;

uint32_t fcvt_h2s(uint16_t a, uint32_t fpcr, uint32_t& fpsr) {
    return soft_convert<16, 32>(a, fpcr, fpcr_rounding(fpcr), fpsr);
}
uint64_t fcvt_h2d(uint16_t a, uint32_t fpcr, uint32_t& fpsr) {
    return soft_convert<16, 64>(a, fpcr, fpcr_rounding(fpcr), fpsr);
}
uint16_t fcvt_s2h(uint32_t a, uint32_t fpcr, uint32_t& fpsr) {
    return soft_convert<32, 16>(a, fpcr, fpcr_rounding(fpcr), fpsr);
}
uint16_t fcvt_d2h(uint64_t a, uint32_t fpcr, uint32_t& fpsr) {
    return soft_convert<64, 16>(a, fpcr, fpcr_rounding(fpcr), fpsr);
}

uint64_t fcvt_s2d(uint32_t a, uint32_t fpcr, uint32_t& fpsr) {
    // Widening a zero or normal single is exact whatever the FPCR says.
    const unsigned e = T<32>::exp_of(a);
    if (__builtin_expect(e != 0 ? e != 0xffu : (a << 1) == 0, 1))
        return std::bit_cast<uint64_t>(double(std::bit_cast<float>(a)));
    return soft_convert<32, 64>(a, fpcr, fpcr_rounding(fpcr), fpsr);
}

uint32_t fcvt_d2s(uint64_t a, uint32_t fpcr, uint32_t& fpsr) {
    if (__builtin_expect(fast_fpcr(fpcr) && finite<64>(a), 1)) {
        const double d = std::bit_cast<double>(a);
        const float f = float(d);
        const uint32_t r = std::bit_cast<uint32_t>(f);
        if (safe_normal<32>(r) || (a << 1) == 0) {
            if (double(f) != d) fpsr |= kFpsrIxc;
            return r;
        }
    }
    return soft_convert<64, 32>(a, fpcr, fpcr_rounding(fpcr), fpsr);
}

uint32_t fcvtxn(uint64_t a, uint32_t fpcr, uint32_t& fpsr) {
    return soft_convert<64, 32>(a, fpcr, Rounding::Odd, fpsr);
}

uint64_t fcvt_to_int_h(uint16_t a, Rounding r, bool is_unsigned, unsigned int_bits, unsigned fbits,
                       uint32_t fpcr, uint32_t& fpsr) {
    return soft_to_fixed<16>(a, fbits, is_unsigned, int_bits, r, fpcr, fpsr);
}
namespace {

// Rounds a finite host value with |v| < 2^F (so that it and its integral
// neighbours are exact in the format) to an integral value; the sign of a
// zero result is the operand's, as FPRoundInt and FPToFixed need.
template <int N>
inline Host<N> host_round(Host<N> v, Rounding r) {
    using H = Host<N>;
    const int64_t t = int64_t(v);  // truncation, exact in range
    const H tr = H(t);
    const H diff = v - tr;  // exact: same binade or smaller
    H res = tr;
    const H step = diff < 0 ? H(-1) : H(1);
    switch (r) {
        case Rounding::Zero:
        case Rounding::Odd:
            break;
        case Rounding::NegInf:
            if (diff < 0) res = tr - 1;
            break;
        case Rounding::PosInf:
            if (diff > 0) res = tr + 1;
            break;
        case Rounding::TieEven: {
            const H ad = diff < 0 ? -diff : diff;
            if (ad > H(0.5) || (ad == H(0.5) && (t & 1))) res = tr + step;
            break;
        }
        case Rounding::TieAway: {
            const H ad = diff < 0 ? -diff : diff;
            if (ad >= H(0.5)) res = tr + step;
            break;
        }
    }
    if (res == 0)
        res =
            std::bit_cast<H>(typename T<N>::U(std::bit_cast<typename T<N>::U>(v) & T<N>::sign_bit));
    return res;
}

// |v| < 2^F: below that, values can have a fraction; at or above, every
// value is integral.
template <int N>
inline bool has_fraction_range(typename T<N>::U x) {
    return T<N>::exp_of(x) < unsigned(T<N>::bias + T<N>::F);
}

// FPToFixed with fbits = 0 for finite operands within range, on the host.
template <int N>
inline bool to_int_fast(typename T<N>::U a, Rounding r, bool is_unsigned, unsigned int_bits,
                        uint32_t fpcr, uint32_t& fpsr, uint64_t& out) {
    using H = Host<N>;
    if ((fpcr & kFpcrFz) || r == Rounding::Odd || !finite<N>(a)) return false;
    if (int_bits != 32 && int_bits != 64) return false;
    const H v = std::bit_cast<H>(a);
    H rv = v;
    if (has_fraction_range<N>(a)) {
        rv = host_round<N>(v, r);
        if (rv != v) fpsr |= kFpsrIxc;
    }
    // The rounded value is integral and exact in H: compare with the limits.
    const H two31 = H(2147483648.0), two63 = H(9223372036854775808.0);
    const H half_range = int_bits == 32 ? two31 : two63;
    const H lo = is_unsigned ? H(0) : -half_range;
    const H hi = is_unsigned ? half_range * 2 : half_range;  // exclusive
    if (!(rv >= lo && rv < hi)) return false;                // saturation: the exact model
    if (is_unsigned)
        out = uint64_t(rv);
    else
        out = uint64_t(int64_t(rv));
    if (int_bits == 32) out &= 0xffffffffu;
    return true;
}

}  // namespace

uint64_t fcvt_to_int_s(uint32_t a, Rounding r, bool is_unsigned, unsigned int_bits, unsigned fbits,
                       uint32_t fpcr, uint32_t& fpsr) {
    uint64_t out;
    uint32_t flags = 0;
    if (fbits == 0 && to_int_fast<32>(a, r, is_unsigned, int_bits, fpcr, flags, out)) {
        fpsr |= flags;
        return out;
    }
    return soft_to_fixed<32>(a, fbits, is_unsigned, int_bits, r, fpcr, fpsr);
}
uint64_t fcvt_to_int_d(uint64_t a, Rounding r, bool is_unsigned, unsigned int_bits, unsigned fbits,
                       uint32_t fpcr, uint32_t& fpsr) {
    uint64_t out;
    uint32_t flags = 0;
    if (fbits == 0 && to_int_fast<64>(a, r, is_unsigned, int_bits, fpcr, flags, out)) {
        fpsr |= flags;
        return out;
    }
    return soft_to_fixed<64>(a, fbits, is_unsigned, int_bits, r, fpcr, fpsr);
}

uint16_t cvtf_h(uint64_t a, bool is_unsigned, unsigned int_bits, unsigned fbits, uint32_t fpcr,
                uint32_t& fpsr) {
    return soft_from_fixed<16>(a, is_unsigned, int_bits, fbits, fpcr_rounding(fpcr), fpcr, fpsr);
}
uint32_t cvtf_s(uint64_t a, bool is_unsigned, unsigned int_bits, unsigned fbits, uint32_t fpcr,
                uint32_t& fpsr) {
    return soft_from_fixed<32>(a, is_unsigned, int_bits, fbits, fpcr_rounding(fpcr), fpcr, fpsr);
}
uint64_t cvtf_d(uint64_t a, bool is_unsigned, unsigned int_bits, unsigned fbits, uint32_t fpcr,
                uint32_t& fpsr) {
    // Integers of up to 53 bits convert exactly.
    if (fbits == 0 && int_bits == 32) {
        const int64_t v = is_unsigned ? int64_t(uint32_t(a)) : int64_t(int32_t(uint32_t(a)));
        return std::bit_cast<uint64_t>(double(v));
    }
    return soft_from_fixed<64>(a, is_unsigned, int_bits, fbits, fpcr_rounding(fpcr), fpcr, fpsr);
}

uint16_t frint_h(uint16_t a, Rounding r, bool exact, uint32_t fpcr, uint32_t& fpsr) {
    return soft_round_int<16>(a, r, exact, fpcr, fpsr);
}
namespace {
template <int N>
inline typename T<N>::U frint(typename T<N>::U a, Rounding r, bool exact, uint32_t fpcr,
                              uint32_t& fpsr) {
    using H = Host<N>;
    if (__builtin_expect(!(fpcr & kFpcrFz) && r != Rounding::Odd && finite<N>(a), 1)) {
        if (!has_fraction_range<N>(a)) return a;  // already integral
        const H v = std::bit_cast<H>(a);
        const H rv = host_round<N>(v, r);
        if (exact && rv != v) fpsr |= kFpsrIxc;
        return std::bit_cast<typename T<N>::U>(rv);
    }
    return soft_round_int<N>(a, r, exact, fpcr, fpsr);
}
}  // namespace

uint32_t frint_s(uint32_t a, Rounding r, bool exact, uint32_t fpcr, uint32_t& fpsr) {
    return frint<32>(a, r, exact, fpcr, fpsr);
}
uint64_t frint_d(uint64_t a, Rounding r, bool exact, uint32_t fpcr, uint32_t& fpsr) {
    return frint<64>(a, r, exact, fpcr, fpsr);
}
uint32_t frint_n_s(uint32_t a, Rounding r, unsigned int_bits, uint32_t fpcr, uint32_t& fpsr) {
    return soft_round_int_n<32>(a, r, int_bits, fpcr, fpsr);
}
uint64_t frint_n_d(uint64_t a, Rounding r, unsigned int_bits, uint32_t fpcr, uint32_t& fpsr) {
    return soft_round_int_n<64>(a, r, int_bits, fpcr, fpsr);
}

uint32_t fjcvtzs(uint64_t a, uint32_t fpcr, uint32_t& fpsr, bool* z) {
    Value v = unpack<64>(a, fpcr & ~kFpcrAhp, fpsr);
    bool zf = true;
    if (v.is_nan() || v.kind == Kind::Inf) {
        fpsr |= kFpsrIoc;
        *z = false;
        return 0;
    }
    if (v.kind == Kind::Zero) {
        // -0, or a positive denormal flushed by FZ, is not an exact +0.
        *z = !v.sign && (a & T<64>::frac_mask) == 0;
        return 0;
    }
    // Truncate |value| = sig * 2^exp; only the low 32 bits of the integer
    // matter for the result, the rest for the range check.
    bool inexact = false;
    u128 mag;
    bool huge = false;
    if (v.exp >= 0) {
        huge = v.exp + (63 - __builtin_clzll(v.sig)) >= 32;
        mag = v.exp >= 64 ? 0 : u128(v.sig) << v.exp;
    } else {
        mag = round_magnitude(v.sign, v.sig, v.exp, Rounding::Zero, inexact);
    }
    const uint32_t low = uint32_t(uint64_t(mag));
    const uint32_t result = v.sign ? uint32_t(0) - low : low;
    const bool out_of_range = huge || (v.sign ? mag > (u128(1) << 31) : mag > 0x7fffffff);
    if (out_of_range) {
        fpsr |= kFpsrIoc;
        zf = false;
    } else if (inexact) {
        fpsr |= kFpsrIxc;
        zf = false;
    }
    *z = zf;
    return result;
}

}  // namespace emu::arm::fpu

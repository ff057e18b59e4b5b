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
uint64_t fcvt_to_int_s(uint32_t a, Rounding r, bool is_unsigned, unsigned int_bits, unsigned fbits,
                       uint32_t fpcr, uint32_t& fpsr) {
    // FCVTZS to a 32-bit integer, the C cast: exact truncation when in range.
    if (r == Rounding::Zero && !is_unsigned && int_bits == 32 && fbits == 0 && !(fpcr & kFpcrFz)) {
        const float f = std::bit_cast<float>(a);
        if (f > -2147483648.0f && f < 2147483648.0f) {
            const int32_t i = int32_t(f);
            if (float(i) != f) fpsr |= kFpsrIxc;
            return uint32_t(i);
        }
    }
    return soft_to_fixed<32>(a, fbits, is_unsigned, int_bits, r, fpcr, fpsr);
}
uint64_t fcvt_to_int_d(uint64_t a, Rounding r, bool is_unsigned, unsigned int_bits, unsigned fbits,
                       uint32_t fpcr, uint32_t& fpsr) {
    if (r == Rounding::Zero && !is_unsigned && fbits == 0 && !(fpcr & kFpcrFz)) {
        const double d = std::bit_cast<double>(a);
        const double lim = int_bits == 32 ? 2147483648.0 : 9223372036854775808.0;
        if (d > -lim && d < lim) {
            const int64_t i = int64_t(d);
            if (double(i) != d) fpsr |= kFpsrIxc;
            return int_bits == 32 ? uint64_t(uint32_t(i)) : uint64_t(i);
        }
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
uint32_t frint_s(uint32_t a, Rounding r, bool exact, uint32_t fpcr, uint32_t& fpsr) {
    return soft_round_int<32>(a, r, exact, fpcr, fpsr);
}
uint64_t frint_d(uint64_t a, Rounding r, bool exact, uint32_t fpcr, uint32_t& fpsr) {
    return soft_round_int<64>(a, r, exact, fpcr, fpsr);
}
uint32_t frint_n_s(uint32_t a, Rounding r, unsigned int_bits, uint32_t fpcr, uint32_t& fpsr) {
    return soft_round_int_n<32>(a, r, int_bits, fpcr, fpsr);
}
uint64_t frint_n_d(uint64_t a, Rounding r, unsigned int_bits, uint32_t fpcr, uint32_t& fpsr) {
    return soft_round_int_n<64>(a, r, int_bits, fpcr, fpsr);
}

}  // namespace emu::arm::fpu

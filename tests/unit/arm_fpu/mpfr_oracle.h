#pragma once
// A reference model of Arm floating-point results built independently of
// target/arm/fpu: GNU MPFR supplies correctly rounded values (with
// subnormals through mpfr_subnormalize) and this file applies the Arm ARM
// rules on top: NaN priority and quieting, FPCR.DN, FZ/FZ16 input and
// output flushing, tininess detected before rounding, and the FPSR flags.
#include <cstdint>
#include <functional>

#include <mpfr.h>

namespace emu::arm::fpu::oracle {

struct Format {
    int bits;  // 16, 32, 64
    int E, F;
    int bias() const { return (1 << (E - 1)) - 1; }
    int min_exp() const { return 1 - bias(); }
    uint64_t sign_bit() const { return 1ull << (bits - 1); }
    uint64_t exp_all() const { return ((1ull << E) - 1) << F; }
    uint64_t frac_mask() const { return (1ull << F) - 1; }
    uint64_t quiet_bit() const { return 1ull << (F - 1); }
    uint64_t default_nan() const { return exp_all() | quiet_bit(); }
};

inline constexpr Format kHalf{16, 5, 10};
inline constexpr Format kSingle{32, 8, 23};
inline constexpr Format kDouble{64, 11, 52};
// The format of a 16-, 32- or 64-bit encoding (anything else: double).
inline const Format& format_of(int bits) {
    return bits == 16 ? kHalf : bits == 32 ? kSingle : kDouble;
}

// FPCR and FPSR bits, restated here so the oracle shares nothing with the
// code under test.
inline constexpr uint32_t kAhp = 1u << 26, kDn = 1u << 25, kFz = 1u << 24, kFz16 = 1u << 19;
inline constexpr uint32_t kIoc = 1, kDzc = 2, kOfc = 4, kUfc = 8, kIxc = 16, kIdc = 128;

struct Result {
    uint64_t bits;
    uint32_t flags;
};

bool is_nan(const Format& f, uint64_t x);
bool is_snan(const Format& f, uint64_t x);
bool is_denormal(const Format& f, uint64_t x);
bool is_inf(const Format& f, uint64_t x);
bool is_zero(const Format& f, uint64_t x);

// Arm rounding mode from FPCR.RMode, as MPFR's.
mpfr_rnd_t rnd_of(uint32_t fpcr);

// Exact value of a finite encoding (after any flush the caller did).
// `alt_half` reads all-ones exponents of a half as numbers (FPCR.AHP).
void to_mpfr(mpfr_t out, const Format& f, uint64_t x, bool alt_half = false);

// The value op(rnd) computes, rounded to format f under the Arm rules.
// op writes its exact-operation result into `out` (at out's precision)
// with the given MPFR rounding and returns MPFR's ternary value. Handles
// NaN (default NaN + IOC), divide by zero, zero signs, flushing and flags.
// `flush` is FZ (or FZ16 for half); `alt_half` selects the AHP output
// format (no infinities or NaNs).
using Op = std::function<int(mpfr_ptr out, mpfr_rnd_t rnd)>;
Result round_op(const Format& f, const Op& op, mpfr_rnd_t rnd, bool flush, bool alt_half = false);

// Arithmetic with the full Arm rules (NaNs, input flushing, then
// round_op). kind: "add", "sub", "mul", "div", "sqrt", "fma" (fma:
// x0 + x1 * x2, NaN priority x0, x1, x2).
Result arith(const Format& f, const char* kind, const uint64_t* x, int nops, uint32_t fpcr);

}  // namespace emu::arm::fpu::oracle

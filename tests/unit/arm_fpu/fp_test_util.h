#pragma once
// Operand generators for the randomized FP tests: a mix of special values,
// full-range random encodings, and clustered exponents (cancellation,
// halfway and exact cases, underflow and overflow boundaries).
#include <cstdint>
#include <cstdlib>
#include <random>
#include <string>

#include "tests/unit/arm_fpu/mpfr_oracle.h"
#include "util/hex.h"

namespace emu::arm::fpu::testing {

using oracle::Format;

// Iterations per randomized case; EMU_FPU_ORACLE_ITERS overrides for
// longer runs.
inline int oracle_iters(int dflt) {
    if (const char* s = std::getenv("EMU_FPU_ORACLE_ITERS")) return std::atoi(s);
    return dflt;
}

class Gen {
  public:
    explicit Gen(uint64_t seed) : rng_(seed) {}

    uint64_t bits(int n) { return n >= 64 ? rng_() : rng_() & ((1ull << n) - 1); }
    bool chance(int percent) { return int(rng_() % 100) < percent; }
    int range(int lo, int hi) { return lo + int(rng_() % uint64_t(hi - lo + 1)); }

    uint64_t special(const Format& f) {
        const uint64_t s = chance(50) ? f.sign_bit() : 0;
        switch (rng_() % 11) {
            case 0:
                return s;  // zero
            case 1:
                return s | f.exp_all();  // infinity
            case 2:
                return s | f.exp_all() | f.quiet_bit() | (bits(f.F - 1));  // quiet NaN
            case 3:
                return s | f.exp_all() | (bits(f.F - 1) | 1);  // signalling NaN
            case 4:
                return s | 1;  // smallest denormal
            case 5:
                return s | f.frac_mask();  // largest denormal
            case 6:
                return s | (1ull << f.F);  // smallest normal
            case 7:
                return s | (f.exp_all() - (1ull << f.F)) | f.frac_mask();  // largest normal
            case 8:
                return s | (uint64_t(f.bias()) << f.F);  // 1.0
            case 9:
                return s | bits(f.F);  // random denormal
            default:
                return s | (uint64_t(f.bias()) << f.F) | bits(f.F);  // [1, 2)
        }
    }

    // A finite or special operand with exponent near `centre` (biased).
    uint64_t near(const Format& f, int centre, int spread) {
        const uint64_t s = chance(50) ? f.sign_bit() : 0;
        int e = centre + range(-spread, spread);
        const int emax = (1 << f.E) - 2;
        if (e < 0) e = 0;
        if (e > emax) e = emax;
        uint64_t frac;
        switch (rng_() % 4) {
            case 0:
                frac = bits(f.F);
                break;
            case 1:  // few low bits: exact results and ties
                frac = bits(f.F) & ~((1ull << range(0, f.F)) - 1);
                break;
            case 2:  // all ones at the bottom: carries
                frac = (f.frac_mask() >> range(0, f.F)) | (bits(f.F) & (1ull << (f.F - 1)));
                break;
            default:
                frac = bits(3) << (f.F - 3);
                break;
        }
        return s | (uint64_t(e) << f.F) | (frac & f.frac_mask());
    }

    uint64_t any(const Format& f, int centre, int spread) {
        int c = int(rng_() % 100);
        if (c < 12) return special(f);
        if (c < 35) return bits(f.bits);
        return near(f, centre, spread);
    }

    // An exponent centre for one test case: anywhere, or at the extremes.
    int centre(const Format& f) {
        const int emax = (1 << f.E) - 2;
        switch (rng_() % 4) {
            case 0:
                return range(1, f.F + 2);  // underflow region
            case 1:
                return range(emax - f.F - 2, emax);  // overflow region
            default:
                return range(0, emax);
        }
    }

    uint32_t fpcr() {
        uint32_t v = uint32_t(rng_() % 4) << 22;
        if (chance(25)) v |= oracle::kFz | oracle::kFz16;
        if (chance(25)) v |= oracle::kDn;
        if (chance(10)) v |= oracle::kAhp;  // must be ignored by arithmetic
        return v;
    }

    std::mt19937_64& rng() { return rng_; }

  private:
    std::mt19937_64 rng_;
};

using emu::hex;

}  // namespace emu::arm::fpu::testing

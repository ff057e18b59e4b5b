#include "tests/unit/arm_fpu/mpfr_oracle.h"

#include <cstring>
#include <stdexcept>

namespace emu::arm::fpu::oracle {

bool is_nan(const Format& f, uint64_t x) {
    return (x & f.exp_all()) == f.exp_all() && (x & f.frac_mask()) != 0;
}
bool is_snan(const Format& f, uint64_t x) {
    return is_nan(f, x) && !(x & f.quiet_bit());
}
bool is_inf(const Format& f, uint64_t x) {
    return (x & f.exp_all()) == f.exp_all() && (x & f.frac_mask()) == 0;
}
bool is_denormal(const Format& f, uint64_t x) {
    return (x & f.exp_all()) == 0 && (x & f.frac_mask()) != 0;
}
bool is_zero(const Format& f, uint64_t x) {
    return (x & ~f.sign_bit()) == 0;
}

mpfr_rnd_t rnd_of(uint32_t fpcr) {
    switch ((fpcr >> 22) & 3) {
        case 0:
            return MPFR_RNDN;
        case 1:
            return MPFR_RNDU;
        case 2:
            return MPFR_RNDD;
        default:
            return MPFR_RNDZ;
    }
}

void to_mpfr(mpfr_t out, const Format& f, uint64_t x, bool alt_half) {
    const bool neg = (x & f.sign_bit()) != 0;
    const uint64_t e = (x & f.exp_all()) >> f.F;
    const uint64_t frac = x & f.frac_mask();
    if (e == ((1ull << f.E) - 1) && !alt_half) {
        if (frac) throw std::logic_error("to_mpfr on a NaN");
        mpfr_set_inf(out, neg ? -1 : 1);
        return;
    }
    if (e == 0) {
        // frac * 2^(min_exp - F), also right for zero (with its sign).
        mpfr_set_uj_2exp(out, frac, f.min_exp() - f.F, MPFR_RNDN);
        if (frac == 0) mpfr_set_zero(out, neg ? -1 : 1);
    } else {
        mpfr_set_uj_2exp(out, frac | (1ull << f.F), int(e) - f.bias() - f.F, MPFR_RNDN);
    }
    if (neg && (frac | e) != 0) mpfr_neg(out, out, MPFR_RNDN);
}

namespace {

// Encodes a value already representable in f (finite, or infinite).
uint64_t encode(const Format& f, mpfr_t v) {
    const uint64_t sign = mpfr_signbit(v) ? f.sign_bit() : 0;
    if (mpfr_inf_p(v)) return sign | f.exp_all();
    if (mpfr_zero_p(v)) return sign;
    mpfr_t a;
    mpfr_init2(a, 256);
    mpfr_abs(a, v, MPFR_RNDN);
    const long unb = mpfr_get_exp(v) - 1;  // a in [2^unb, 2^(unb+1))
    uint64_t bits;
    if (unb >= f.min_exp()) {
        mpfr_mul_2si(a, a, f.F - unb, MPFR_RNDN);
        uint64_t m = mpfr_get_uj(a, MPFR_RNDN);
        bits = (uint64_t(unb + f.bias()) << f.F) | (m & f.frac_mask());
    } else {
        mpfr_mul_2si(a, a, f.F - f.min_exp(), MPFR_RNDN);
        bits = mpfr_get_uj(a, MPFR_RNDN);
    }
    mpfr_clear(a);
    return sign | bits;
}

struct ExpRange {
    mpfr_exp_t emin = mpfr_get_emin(), emax = mpfr_get_emax();
    ~ExpRange() {
        mpfr_set_emin(emin);
        mpfr_set_emax(emax);
    }
};

}  // namespace

Result round_op(const Format& f, const Op& op, mpfr_rnd_t rnd, bool flush, bool alt_half) {
    Result r{0, 0};
    mpfr_t w, y;
    mpfr_init2(w, 400);
    mpfr_init2(y, f.F + 1);
    mpfr_clear_flags();
    const int tw = op(w, MPFR_RNDZ);
    if (mpfr_nan_p(w)) {
        r = {f.default_nan(), kIoc};
    } else if (mpfr_inf_p(w)) {
        r.bits = (mpfr_signbit(w) ? f.sign_bit() : 0) | f.exp_all();
        if (mpfr_divby0_p()) r.flags |= kDzc;
        if (alt_half) r = {(mpfr_signbit(w) ? f.sign_bit() : 0) | 0x7fff, kIoc};
    } else if (mpfr_zero_p(w) && tw == 0) {
        // Exact zero: IEEE's sign rules (which Arm shares) in the real mode.
        op(w, rnd);
        r.bits = mpfr_signbit(w) ? f.sign_bit() : 0;
    } else {
        const long unrounded_exp = mpfr_get_exp(w) - 1;  // exponent before rounding
        const bool neg = mpfr_signbit(w) != 0;
        if (flush && unrounded_exp < f.min_exp()) {
            r = {neg ? f.sign_bit() : 0, kUfc};
        } else {
            ExpRange saved;
            const long max_unb = alt_half ? f.bias() + 1 : f.bias();
            mpfr_set_emin(f.min_exp() - f.F + 1);
            mpfr_set_emax(max_unb + 1);
            mpfr_clear_flags();
            int t = op(y, rnd);
            t = mpfr_check_range(y, t, rnd);
            t = mpfr_subnormalize(y, t, rnd);
            const bool overflow = mpfr_overflow_p() || mpfr_inf_p(y);
            mpfr_set_emin(saved.emin);
            mpfr_set_emax(saved.emax);
            if (overflow && alt_half) {
                r = {(neg ? f.sign_bit() : 0) | 0x7fff, kIoc};
            } else {
                if (overflow) {
                    r.flags |= kOfc | kIxc;
                    // MPFR's overflow result is infinity or the largest
                    // finite number by the rounding direction, as Arm's.
                    if (mpfr_inf_p(y))
                        r.bits = (neg ? f.sign_bit() : 0) | f.exp_all();
                    else
                        r.bits = encode(f, y);
                } else {
                    r.bits = encode(f, y);
                }
                if (t != 0) {
                    r.flags |= kIxc;
                    if (unrounded_exp < f.min_exp()) r.flags |= kUfc;
                }
            }
        }
    }
    mpfr_clear(w);
    mpfr_clear(y);
    return r;
}

Result arith(const Format& f, const char* kind, const uint64_t* xin, int nops, uint32_t fpcr) {
    uint64_t x[3];
    uint32_t flags = 0;
    const bool flush = f.bits == 16 ? (fpcr & kFz16) != 0 : (fpcr & kFz) != 0;
    for (int i = 0; i < nops; i++) {
        x[i] = xin[i];
        if (flush && is_denormal(f, x[i])) {
            x[i] &= f.sign_bit();
            if (f.bits != 16) flags |= kIdc;
        }
    }
    // NaN operands: signalling first, then quiet, each in operand order.
    auto nan_result = [&](uint64_t v) -> Result {
        uint32_t fl = flags;
        if (is_snan(f, v)) fl |= kIoc;
        v |= f.quiet_bit();
        if (fpcr & kDn) v = f.default_nan();
        return {v, fl};
    };
    const bool fma = std::strcmp(kind, "fma") == 0;
    for (int i = 0; i < nops; i++)
        if (is_snan(f, x[i])) return nan_result(x[i]);
    if (fma && is_nan(f, x[0]) &&
        ((is_zero(f, x[1]) && is_inf(f, x[2])) || (is_inf(f, x[1]) && is_zero(f, x[2]))))
        return {f.default_nan(), flags | kIoc};
    for (int i = 0; i < nops; i++)
        if (is_nan(f, x[i])) return nan_result(x[i]);

    mpfr_t v[3];
    for (int i = 0; i < nops; i++) {
        mpfr_init2(v[i], 64);
        to_mpfr(v[i], f, x[i]);
    }
    Op op;
    if (!std::strcmp(kind, "add"))
        op = [&](mpfr_ptr o, mpfr_rnd_t r) { return mpfr_add(o, v[0], v[1], r); };
    else if (!std::strcmp(kind, "sub"))
        op = [&](mpfr_ptr o, mpfr_rnd_t r) { return mpfr_sub(o, v[0], v[1], r); };
    else if (!std::strcmp(kind, "mul"))
        op = [&](mpfr_ptr o, mpfr_rnd_t r) { return mpfr_mul(o, v[0], v[1], r); };
    else if (!std::strcmp(kind, "div"))
        op = [&](mpfr_ptr o, mpfr_rnd_t r) { return mpfr_div(o, v[0], v[1], r); };
    else if (!std::strcmp(kind, "sqrt"))
        op = [&](mpfr_ptr o, mpfr_rnd_t r) { return mpfr_sqrt(o, v[0], r); };
    else if (fma)
        op = [&](mpfr_ptr o, mpfr_rnd_t r) { return mpfr_fma(o, v[1], v[2], v[0], r); };
    else
        throw std::logic_error("unknown op");
    Result res = round_op(f, op, rnd_of(fpcr), flush);
    res.flags |= flags;
    for (int i = 0; i < nops; i++)
        mpfr_clear(v[i]);
    return res;
}

}  // namespace emu::arm::fpu::oracle

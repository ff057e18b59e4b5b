// Randomized conversions (FCVT between all precisions with AHP, FCVTXN,
// FP to integer/fixed point with saturation, SCVTF/UCVTF, FRINT*) against
// MPFR with the Arm rules applied on top.
#include <catch2/catch.hpp>

#include <cstring>

#include "target/arm/fpu/fpu.h"
#include "tests/unit/arm_fpu/fp_test_util.h"

namespace fpu = emu::arm::fpu;
namespace oracle = emu::arm::fpu::oracle;
using emu::arm::fpu::testing::Gen;
using emu::arm::fpu::testing::hex;
using oracle::Format;

namespace {

// FPConvert as the oracle sees it. odd = FCVTXN (round to odd).
oracle::Result ref_convert(int from, int to, uint64_t x, uint32_t fpcr, bool odd) {
    const Format &a = oracle::format_of(from), &b = oracle::format_of(to);
    const bool ahp = (fpcr & oracle::kAhp) != 0;
    const bool alt_in = from == 16 && ahp, alt_out = to == 16 && ahp;
    uint32_t flags = 0;
    if (from != 16 && (fpcr & oracle::kFz) && oracle::is_denormal(a, x)) {
        x &= a.sign_bit();
        flags |= oracle::kIdc;
    }
    const uint64_t sign_out = (x & a.sign_bit()) ? b.sign_bit() : 0;
    if (!alt_in && oracle::is_nan(a, x)) {
        if (oracle::is_snan(a, x) || alt_out) flags |= oracle::kIoc;
        if (alt_out) return {sign_out, flags};
        if (fpcr & oracle::kDn) return {b.default_nan(), flags};
        uint64_t payload = x & (a.frac_mask() >> 1);
        payload = b.F > a.F ? payload << (b.F - a.F) : payload >> (a.F - b.F);
        return {sign_out | b.exp_all() | b.quiet_bit() | payload, flags};
    }
    if (!alt_in && oracle::is_inf(a, x)) {
        if (alt_out) return {sign_out | 0x7fff, flags | oracle::kIoc};
        return {sign_out | b.exp_all(), flags};
    }
    if (oracle::is_zero(a, x)) return {sign_out, flags};
    mpfr_t v;
    mpfr_init2(v, 64);
    oracle::to_mpfr(v, a, x, alt_in);
    const bool flush = to != 16 && (fpcr & oracle::kFz);
    auto op = [&](mpfr_ptr o, mpfr_rnd_t r) { return mpfr_set(o, v, r); };
    oracle::Result res =
        oracle::round_op(b, op, odd ? MPFR_RNDZ : oracle::rnd_of(fpcr), flush, alt_out);
    if (odd && (res.flags & oracle::kIxc) && !(res.flags & oracle::kOfc)) res.bits |= 1;
    mpfr_clear(v);
    res.flags |= flags;
    return res;
}

uint64_t call_convert(int from, int to, uint64_t x, uint32_t fpcr, uint32_t& fpsr) {
    if (from == 16 && to == 32) return fpu::fcvt_h2s(uint16_t(x), fpcr, fpsr);
    if (from == 16 && to == 64) return fpu::fcvt_h2d(uint16_t(x), fpcr, fpsr);
    if (from == 32 && to == 16) return fpu::fcvt_s2h(uint32_t(x), fpcr, fpsr);
    if (from == 32 && to == 64) return fpu::fcvt_s2d(uint32_t(x), fpcr, fpsr);
    if (from == 64 && to == 16) return fpu::fcvt_d2h(x, fpcr, fpsr);
    return fpu::fcvt_d2s(x, fpcr, fpsr);
}

// Rounds an MPFR value to an integer in the Arm rounding mode `r`
// (0..3 = FPCR encodings, 4 = ties away); returns the ternary value.
int rint_mode(mpfr_t out, mpfr_t v, int r) {
    switch (r) {
        case 0:
            return mpfr_rint(out, v, MPFR_RNDN);
        case 1:
            return mpfr_rint(out, v, MPFR_RNDU);
        case 2:
            return mpfr_rint(out, v, MPFR_RNDD);
        case 3:
            return mpfr_rint(out, v, MPFR_RNDZ);
        default:
            return mpfr_round(out, v);
    }
}

fpu::Rounding rounding_of(int r) {
    return static_cast<fpu::Rounding>(r);
}

// FPToFixed.
oracle::Result ref_to_fixed(const Format& f, uint64_t x, int r, bool is_unsigned, unsigned ibits,
                            unsigned fbits, uint32_t fpcr) {
    uint32_t flags = 0;
    const bool flush = f.bits == 16 ? (fpcr & oracle::kFz16) : (fpcr & oracle::kFz);
    if (flush && oracle::is_denormal(f, x)) {
        x &= f.sign_bit();
        if (f.bits != 16) flags |= oracle::kIdc;
    }
    if (oracle::is_nan(f, x)) return {0, flags | oracle::kIoc};
    const uint64_t mask = ibits == 64 ? ~0ull : (1ull << ibits) - 1;
    mpfr_t v, lo, hi;
    mpfr_inits2(2200, v, lo, hi, (mpfr_ptr)0);
    if (is_unsigned) {
        mpfr_set_ui(lo, 0, MPFR_RNDN);
        mpfr_set_uj(hi, mask, MPFR_RNDN);
    } else {
        mpfr_set_si_2exp(lo, -1, int(ibits) - 1, MPFR_RNDN);
        mpfr_set_uj(hi, mask >> 1, MPFR_RNDN);
    }
    oracle::Result res{0, flags};
    if (oracle::is_inf(f, x)) {
        mpfr_set_inf(v, (x & f.sign_bit()) ? -1 : 1);
    } else {
        oracle::to_mpfr(v, f, x);
        mpfr_mul_2ui(v, v, fbits, MPFR_RNDN);
        mpfr_t t;
        mpfr_init2(t, 2200);
        mpfr_set(t, v, MPFR_RNDN);
        if (rint_mode(v, t, r) != 0) res.flags |= oracle::kIxc;
        mpfr_clear(t);
    }
    if (mpfr_cmp(v, lo) < 0 || mpfr_cmp(v, hi) > 0) {
        res.flags = flags | oracle::kIoc;  // saturation: no inexact
        res.bits = mpfr_cmp(v, lo) < 0 ? (is_unsigned ? 0 : (uint64_t(1) << (ibits - 1)))
                                       : (is_unsigned ? mask : mask >> 1);
    } else if (is_unsigned) {
        res.bits = mpfr_get_uj(v, MPFR_RNDN);
    } else {
        res.bits = uint64_t(mpfr_get_sj(v, MPFR_RNDN)) & mask;
    }
    mpfr_clears(v, lo, hi, (mpfr_ptr)0);
    return res;
}

uint64_t call_to_fixed(int bits, uint64_t x, int r, bool u, unsigned ib, unsigned fb, uint32_t fpcr,
                       uint32_t& fpsr) {
    if (bits == 16) return fpu::fcvt_to_int_h(uint16_t(x), rounding_of(r), u, ib, fb, fpcr, fpsr);
    if (bits == 32) return fpu::fcvt_to_int_s(uint32_t(x), rounding_of(r), u, ib, fb, fpcr, fpsr);
    return fpu::fcvt_to_int_d(x, rounding_of(r), u, ib, fb, fpcr, fpsr);
}

// FixedToFP.
oracle::Result ref_from_fixed(const Format& f, uint64_t x, bool is_unsigned, unsigned ibits,
                              unsigned fbits, uint32_t fpcr) {
    const uint64_t mask = ibits == 64 ? ~0ull : (1ull << ibits) - 1;
    x &= mask;
    mpfr_t v;
    mpfr_init2(v, 128);
    if (is_unsigned || !((x >> (ibits - 1)) & 1))
        mpfr_set_uj(v, x, MPFR_RNDN);
    else
        mpfr_set_sj(v, ibits == 64 ? int64_t(x) : int64_t(x) - (int64_t(1) << ibits), MPFR_RNDN);
    mpfr_div_2ui(v, v, fbits, MPFR_RNDN);
    oracle::Result res{0, 0};
    if (!mpfr_zero_p(v)) {
        const bool flush = f.bits == 16 ? (fpcr & oracle::kFz16) : (fpcr & oracle::kFz);
        auto op = [&](mpfr_ptr o, mpfr_rnd_t r) { return mpfr_set(o, v, r); };
        res = oracle::round_op(f, op, oracle::rnd_of(fpcr), flush);
    }
    mpfr_clear(v);
    return res;
}

// FPRoundInt (n == 0) and FPRoundIntN (n = 32 or 64).
oracle::Result ref_round_int(const Format& f, uint64_t x, int r, bool exact, unsigned n,
                             uint32_t fpcr) {
    uint32_t flags = 0;
    const bool flush = f.bits == 16 ? (fpcr & oracle::kFz16) : (fpcr & oracle::kFz);
    if (flush && oracle::is_denormal(f, x)) {
        x &= f.sign_bit();
        if (f.bits != 16) flags |= oracle::kIdc;
    }
    const uint64_t int_min = f.sign_bit() | (uint64_t(f.bias() + n - 1) << f.F);
    if (oracle::is_nan(f, x)) {
        if (n) return {int_min, flags | oracle::kIoc};
        if (oracle::is_snan(f, x)) flags |= oracle::kIoc;
        return {(fpcr & oracle::kDn) ? f.default_nan() : (x | f.quiet_bit()), flags};
    }
    if (oracle::is_inf(f, x))
        return n ? oracle::Result{int_min, flags | oracle::kIoc} : oracle::Result{x, flags};
    if (oracle::is_zero(f, x)) return {x, flags};
    mpfr_t v, t;
    mpfr_inits2(64, v, t, (mpfr_ptr)0);
    oracle::to_mpfr(v, f, x);
    const bool inexact = rint_mode(t, v, r) != 0;
    oracle::Result res{0, flags};
    if (n && (mpfr_cmp_si_2exp(t, -1, int(n) - 1) < 0 || mpfr_cmp_si_2exp(t, 1, int(n) - 1) >= 0)) {
        res = {int_min, flags | oracle::kIoc};
    } else {
        if (mpfr_zero_p(t))
            res.bits = x & f.sign_bit();
        else
            res.bits = oracle::round_op(
                           f, [&](mpfr_ptr o, mpfr_rnd_t rr) { return mpfr_set(o, t, rr); },
                           MPFR_RNDZ, false)
                           .bits;
        if (inexact && (exact || n)) res.flags |= oracle::kIxc;
    }
    mpfr_clears(v, t, (mpfr_ptr)0);
    return res;
}

#define EXPECT_SAME(got, fpsr, want, what)                                                  \
    do {                                                                                    \
        if ((got) != (want).bits || (fpsr) != (want).flags) {                               \
            UNSCOPED_INFO(what << " got " << hex(got) << " flags " << hex(fpsr) << " want " \
                               << hex((want).bits) << " flags " << hex((want).flags));      \
            CHECK(false);                                                                   \
            if (++failures > 5) return;                                                     \
        }                                                                                   \
    } while (0)

void run_convert(int iters) {
    Gen g(7);
    int failures = 0;
    const int pairs[6][2] = {{16, 32}, {16, 64}, {32, 16}, {32, 64}, {64, 16}, {64, 32}};
    for (int i = 0; i < iters; i++) {
        for (const auto& p : pairs) {
            const Format& a = oracle::format_of(p[0]);
            // Centre exponents on the destination's range boundaries too.
            const int centre = g.chance(50)
                                   ? g.centre(a)
                                   : a.bias() + g.range(-oracle::format_of(p[1]).bias() - 12,
                                                        oracle::format_of(p[1]).bias() + 2);
            const uint64_t x = g.any(a, std::max(0, centre), 3);
            const uint32_t fpcr = g.fpcr();
            const oracle::Result want = ref_convert(p[0], p[1], x, fpcr, false);
            uint32_t fpsr = 0;
            const uint64_t got = call_convert(p[0], p[1], x, fpcr, fpsr);
            EXPECT_SAME(got, fpsr, want,
                        "fcvt " << p[0] << "->" << p[1] << " " << hex(x) << " fpcr " << hex(fpcr));
        }
        const uint64_t x = g.any(oracle::kDouble, g.chance(50) ? g.range(850, 1200) : 1023, 30);
        const uint32_t fpcr = g.fpcr();
        const oracle::Result want = ref_convert(64, 32, x, fpcr, true);
        uint32_t fpsr = 0;
        const uint64_t got = fpu::fcvtxn(x, fpcr, fpsr);
        EXPECT_SAME(got, fpsr, want, "fcvtxn " << hex(x) << " fpcr " << hex(fpcr));
    }
}

}  // namespace

TEST_CASE("convert: FCVT and FCVTXN vs MPFR oracle", "[arm_fpu][oracle]") {
    run_convert(emu::arm::fpu::testing::oracle_iters(20000));
}

TEST_CASE("convert: FP to integer and fixed point vs MPFR oracle", "[arm_fpu][oracle]") {
    const int iters = emu::arm::fpu::testing::oracle_iters(20000);
    Gen g(8);
    int failures = 0;
    for (int i = 0; i < iters && failures <= 5; i++) {
        const int bits = (i % 3 == 0) ? 16 : (i % 3 == 1) ? 32 : 64;
        const Format& f = oracle::format_of(bits);
        const unsigned ibits = bits == 16 && g.chance(30) ? 16 : g.chance(50) ? 32 : 64;
        const unsigned fbits = g.chance(60) ? 0 : unsigned(g.range(1, int(ibits)));
        const int centre = f.bias() + g.range(-int(fbits) - 3, int(ibits) - int(fbits) + 2);
        const uint64_t x = g.any(f, std::min(std::max(centre, 0), (1 << f.E) - 2), 2);
        const int r = g.range(0, 4);
        const bool u = g.chance(50);
        const uint32_t fpcr = g.fpcr();
        const oracle::Result want = ref_to_fixed(f, x, r, u, ibits, fbits, fpcr);
        uint32_t fpsr = 0;
        const uint64_t got = call_to_fixed(bits, x, r, u, ibits, fbits, fpcr, fpsr);
        EXPECT_SAME(got, fpsr, want,
                    "fcvt_to_int" << bits << " " << hex(x) << " r" << r << " u" << u << " ib"
                                  << ibits << " fb" << fbits << " fpcr " << hex(fpcr));
    }
}

TEST_CASE("convert: SCVTF/UCVTF vs MPFR oracle", "[arm_fpu][oracle]") {
    const int iters = emu::arm::fpu::testing::oracle_iters(20000);
    Gen g(9);
    int failures = 0;
    for (int i = 0; i < iters && failures <= 5; i++) {
        const int bits = (i % 3 == 0) ? 16 : (i % 3 == 1) ? 32 : 64;
        const Format& f = oracle::format_of(bits);
        const unsigned ibits = bits == 16 && g.chance(30) ? 16 : g.chance(50) ? 32 : 64;
        const unsigned fbits = g.chance(60) ? 0 : unsigned(g.range(1, int(ibits)));
        uint64_t x = g.bits(64) >> g.range(0, 63);
        if (g.chance(20)) x = uint64_t(0) - x;
        if (g.chance(5)) x = g.chance(50) ? 0 : (1ull << (ibits - 1));
        const bool u = g.chance(50);
        const uint32_t fpcr = g.fpcr();
        const oracle::Result want = ref_from_fixed(f, x, u, ibits, fbits, fpcr);
        uint32_t fpsr = 0;
        const uint64_t got = bits == 16   ? fpu::cvtf_h(x, u, ibits, fbits, fpcr, fpsr)
                             : bits == 32 ? fpu::cvtf_s(x, u, ibits, fbits, fpcr, fpsr)
                                          : fpu::cvtf_d(x, u, ibits, fbits, fpcr, fpsr);
        EXPECT_SAME(got, fpsr, want,
                    "cvtf" << bits << " " << hex(x) << " u" << u << " ib" << ibits << " fb" << fbits
                           << " fpcr " << hex(fpcr));
    }
}

TEST_CASE("convert: FRINT* and FRINT32/64 vs MPFR oracle", "[arm_fpu][oracle]") {
    const int iters = emu::arm::fpu::testing::oracle_iters(20000);
    Gen g(10);
    int failures = 0;
    for (int i = 0; i < iters && failures <= 5; i++) {
        const int bits = (i % 3 == 0) ? 16 : (i % 3 == 1) ? 32 : 64;
        const Format& f = oracle::format_of(bits);
        const uint64_t x = g.any(f, f.bias() + g.range(-3, bits == 16 ? 14 : 66), 2);
        const int r = g.range(0, 4);
        const bool exact = g.chance(50);
        const uint32_t fpcr = g.fpcr();
        const oracle::Result want = ref_round_int(f, x, r, exact, 0, fpcr);
        uint32_t fpsr = 0;
        const uint64_t got =
            bits == 16   ? fpu::frint_h(uint16_t(x), rounding_of(r), exact, fpcr, fpsr)
            : bits == 32 ? fpu::frint_s(uint32_t(x), rounding_of(r), exact, fpcr, fpsr)
                         : fpu::frint_d(x, rounding_of(r), exact, fpcr, fpsr);
        EXPECT_SAME(got, fpsr, want,
                    "frint" << bits << " " << hex(x) << " r" << r << " exact" << exact << " fpcr "
                            << hex(fpcr));
        if (bits == 16) continue;
        const unsigned n = g.chance(50) ? 32 : 64;
        const int rn = g.range(0, 3);
        const oracle::Result want_n = ref_round_int(f, x, rn, false, n, fpcr);
        fpsr = 0;
        const uint64_t got_n = bits == 32
                                   ? fpu::frint_n_s(uint32_t(x), rounding_of(rn), n, fpcr, fpsr)
                                   : fpu::frint_n_d(x, rounding_of(rn), n, fpcr, fpsr);
        EXPECT_SAME(
            got_n, fpsr, want_n,
            "frint" << n << "_" << bits << " " << hex(x) << " r" << rn << " fpcr " << hex(fpcr));
    }
}

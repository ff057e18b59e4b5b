// Randomized comparisons, maximum/minimum, FRECPS/FRSQRTS and estimate
// accuracy against models written from the Arm ARM rules with MPFR values.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <vector>

#include "target/arm/fpu/fpu.h"
#include "tests/unit/arm_fpu/fp_test_util.h"

namespace fpu = emu::arm::fpu;
namespace oracle = emu::arm::fpu::oracle;
using emu::arm::fpu::testing::Gen;
using emu::arm::fpu::testing::hex;
using oracle::Format;

namespace {

// FPUnpack's flush of a denormal operand: returns the flushed encoding.
uint64_t flush_in(const Format& f, uint64_t x, uint32_t fpcr, uint32_t& flags) {
    const bool fz = f.bits == 16 ? (fpcr & oracle::kFz16) : (fpcr & oracle::kFz);
    if (fz && oracle::is_denormal(f, x)) {
        if (f.bits != 16) flags |= oracle::kIdc;
        return x & f.sign_bit();
    }
    return x;
}

// -1, 0, 1 for non-NaN encodings (infinities included).
int cmp_values(const Format& f, uint64_t a, uint64_t b) {
    mpfr_t x, y;
    mpfr_inits2(64, x, y, (mpfr_ptr)0);
    oracle::to_mpfr(x, f, a);
    oracle::to_mpfr(y, f, b);
    const int c = mpfr_cmp(x, y);
    mpfr_clears(x, y, (mpfr_ptr)0);
    return c < 0 ? -1 : c > 0 ? 1 : 0;
}

uint64_t call2(const char* op, int bits, uint64_t a, uint64_t b, uint32_t fpcr, uint32_t& fpsr) {
#define DISPATCH(name)                                                              \
    if (!std::strcmp(op, #name)) {                                                  \
        if (bits == 16) return fpu::name##_h(uint16_t(a), uint16_t(b), fpcr, fpsr); \
        if (bits == 32) return fpu::name##_s(uint32_t(a), uint32_t(b), fpcr, fpsr); \
        return fpu::name##_d(a, b, fpcr, fpsr);                                     \
    }
    DISPATCH(fmax)
    DISPATCH(fmin)
    DISPATCH(fmaxnm)
    DISPATCH(fminnm)
    DISPATCH(fcmeq)
    DISPATCH(fcmge)
    DISPATCH(fcmgt)
    DISPATCH(facge)
    DISPATCH(facgt)
    DISPATCH(frecps)
    DISPATCH(frsqrts)
#undef DISPATCH
    FAIL("unknown op " << op);
    return 0;
}

oracle::Result nan_of(const Format& f, uint64_t x, uint32_t fpcr, uint32_t flags) {
    if (oracle::is_snan(f, x)) flags |= oracle::kIoc;
    return {(fpcr & oracle::kDn) ? f.default_nan() : (x | f.quiet_bit()), flags};
}

// FPMax/FPMin/FPMaxNum/FPMinNum.
oracle::Result ref_maxmin(const Format& f, uint64_t a, uint64_t b, bool is_max, bool num,
                          uint32_t fpcr) {
    uint32_t flags = 0;
    a = flush_in(f, a, fpcr, flags);
    b = flush_in(f, b, fpcr, flags);
    const auto qnan = [&](uint64_t x) { return oracle::is_nan(f, x) && !oracle::is_snan(f, x); };
    if (num) {
        // A lone quiet NaN loses to anything.
        const uint64_t loser = (is_max ? f.sign_bit() : 0) | f.exp_all();
        if (qnan(a) && !qnan(b))
            a = loser;
        else if (!qnan(a) && qnan(b))
            b = loser;
    }
    if (oracle::is_snan(f, a)) return nan_of(f, a, fpcr, flags);
    if (oracle::is_snan(f, b)) return nan_of(f, b, fpcr, flags);
    if (oracle::is_nan(f, a)) return nan_of(f, a, fpcr, flags);
    if (oracle::is_nan(f, b)) return nan_of(f, b, fpcr, flags);
    if (oracle::is_zero(f, a) && oracle::is_zero(f, b)) {
        const bool sa = a & f.sign_bit(), sb = b & f.sign_bit();
        return {(is_max ? (sa && sb) : (sa || sb)) ? f.sign_bit() : 0, flags};
    }
    const int c = cmp_values(f, a, b);
    return {(is_max ? c > 0 : c < 0) ? a : b, flags};
}

oracle::Result ref_cmp(const Format& f, const char* op, uint64_t a, uint64_t b, uint32_t fpcr) {
    uint32_t flags = 0;
    const bool abs = op[1] == 'a';  // facge / facgt
    a = flush_in(f, a, fpcr, flags);
    b = flush_in(f, b, fpcr, flags);
    if (abs) {
        a &= ~f.sign_bit();
        b &= ~f.sign_bit();
    }
    const uint64_t ones = f.bits == 64 ? ~0ull : (1ull << f.bits) - 1;
    const bool eq = !std::strcmp(op, "fcmeq");
    if (oracle::is_nan(f, a) || oracle::is_nan(f, b)) {
        if (!eq || oracle::is_snan(f, a) || oracle::is_snan(f, b)) flags |= oracle::kIoc;
        return {0, flags};
    }
    const int c = cmp_values(f, a, b);
    const bool ge = !std::strcmp(op + std::strlen(op) - 2, "ge");
    const bool r = eq ? c == 0 : ge ? c >= 0 : c > 0;
    return {r ? ones : 0, flags};
}

// FPRecipStepFused / FPRSqrtStepFused: 2 - a*b and (3 - a*b)/2.
oracle::Result ref_step(const Format& f, uint64_t a, uint64_t b, bool rsqrt, uint32_t fpcr,
                        bool& skip) {
    uint32_t flags = 0;
    a ^= f.sign_bit();  // FPNeg before anything else
    a = flush_in(f, a, fpcr, flags);
    b = flush_in(f, b, fpcr, flags);
    if (oracle::is_snan(f, a)) return nan_of(f, a, fpcr, flags);
    if (oracle::is_snan(f, b)) return nan_of(f, b, fpcr, flags);
    if (oracle::is_nan(f, a)) return nan_of(f, a, fpcr, flags);
    if (oracle::is_nan(f, b)) return nan_of(f, b, fpcr, flags);
    if ((oracle::is_inf(f, a) && oracle::is_zero(f, b)) ||
        (oracle::is_zero(f, a) && oracle::is_inf(f, b)))
        return {uint64_t(rsqrt ? f.bias() : f.bias() + 1) << f.F | (rsqrt ? 1ull << (f.F - 1) : 0),
                flags};
    mpfr_t x, y, k;
    mpfr_inits2(64, x, y, k, (mpfr_ptr)0);
    oracle::to_mpfr(x, f, a);
    oracle::to_mpfr(y, f, b);
    mpfr_set_ui(k, rsqrt ? 3 : 2, MPFR_RNDN);
    if (rsqrt) {
        // (3 + x*y)/2 = 1.5 + x*(y/2): halve whichever operand stays in range.
        if (mpfr_zero_p(y) || mpfr_inf_p(y) || mpfr_get_exp(y) > f.min_exp() - f.F + 2)
            mpfr_div_2ui(y, y, 1, MPFR_RNDN);
        else if (mpfr_zero_p(x) || mpfr_inf_p(x) || mpfr_get_exp(x) > f.min_exp() - f.F + 2)
            mpfr_div_2ui(x, x, 1, MPFR_RNDN);
        else
            skip = true;
        mpfr_div_2ui(k, k, 1, MPFR_RNDN);
    }
    const bool flush = f.bits == 16 ? (fpcr & oracle::kFz16) : (fpcr & oracle::kFz);
    auto op = [&](mpfr_ptr o, mpfr_rnd_t r) { return mpfr_fma(o, x, y, k, r); };
    oracle::Result res = oracle::round_op(f, op, oracle::rnd_of(fpcr), flush);
    mpfr_clears(x, y, k, (mpfr_ptr)0);
    res.flags |= flags;
    return res;
}

}  // namespace

TEST_CASE("misc: max/min/maxnm/minnm and vector compares vs model", "[arm_fpu][oracle]") {
    const int iters = emu::arm::fpu::testing::oracle_iters(20000);
    Gen g(31);
    int failures = 0;
    const char* ops[] = {"fmax",  "fmin",  "fmaxnm", "fminnm", "fcmeq",
                         "fcmge", "fcmgt", "facge",  "facgt"};
    for (int i = 0; i < iters && failures < 5; i++) {
        const int bits = i % 3 == 0 ? 16 : i % 3 == 1 ? 32 : 64;
        const Format& f = oracle::format_of(bits);
        const int centre = g.centre(f);
        uint64_t a = g.any(f, centre, 2), b = g.any(f, centre, 2);
        if (g.chance(10)) b = a;
        if (g.chance(10)) b = a ^ f.sign_bit();
        const uint32_t fpcr = g.fpcr();
        for (const char* op : ops) {
            const oracle::Result want =
                op[1] == 'm' ? ref_maxmin(f, a, b, op[2] == 'a', std::strlen(op) == 6, fpcr)
                             : ref_cmp(f, op, a, b, fpcr);
            uint32_t fpsr = 0;
            const uint64_t got = call2(op, bits, a, b, fpcr, fpsr);
            if (got != want.bits || fpsr != want.flags) {
                failures++;
                UNSCOPED_INFO(op << bits << " " << hex(a) << "," << hex(b) << " fpcr " << hex(fpcr)
                                 << " got " << hex(got) << "/" << hex(fpsr) << " want "
                                 << hex(want.bits) << "/" << hex(want.flags));
                CHECK(false);
            }
        }
    }
}

TEST_CASE("misc: FCMP/FCMPE vs model", "[arm_fpu][oracle]") {
    const int iters = emu::arm::fpu::testing::oracle_iters(20000);
    Gen g(32);
    for (int i = 0; i < iters; i++) {
        const int bits = i % 3 == 0 ? 16 : i % 3 == 1 ? 32 : 64;
        const Format& f = oracle::format_of(bits);
        const int centre = g.centre(f);
        uint64_t a = g.any(f, centre, 2), b = g.any(f, centre, 2);
        if (g.chance(10)) b = a;
        const uint32_t fpcr = g.fpcr();
        const bool e = g.chance(50);
        uint32_t flags = 0;
        const uint64_t fa = flush_in(f, a, fpcr, flags), fb = flush_in(f, b, fpcr, flags);
        uint32_t want;
        if (oracle::is_nan(f, fa) || oracle::is_nan(f, fb)) {
            want = 0x3;
            if (e || oracle::is_snan(f, fa) || oracle::is_snan(f, fb)) flags |= oracle::kIoc;
        } else {
            const int c = cmp_values(f, fa, fb);
            want = c == 0 ? 0x6 : c < 0 ? 0x8 : 0x2;
        }
        uint32_t fpsr = 0;
        const uint32_t got = bits == 16   ? fpu::fcmp_h(uint16_t(a), uint16_t(b), e, fpcr, fpsr)
                             : bits == 32 ? fpu::fcmp_s(uint32_t(a), uint32_t(b), e, fpcr, fpsr)
                                          : fpu::fcmp_d(a, b, e, fpcr, fpsr);
        INFO("fcmp" << bits << " " << hex(a) << "," << hex(b) << " e" << e << " fpcr "
                    << hex(fpcr));
        REQUIRE(got == want);
        REQUIRE(fpsr == flags);
    }
}

TEST_CASE("misc: FRECPS/FRSQRTS vs MPFR oracle", "[arm_fpu][oracle]") {
    const int iters = emu::arm::fpu::testing::oracle_iters(20000);
    Gen g(33);
    int failures = 0;
    for (int i = 0; i < iters && failures < 5; i++) {
        const int bits = i % 3 == 0 ? 16 : i % 3 == 1 ? 32 : 64;
        const Format& f = oracle::format_of(bits);
        const int centre = g.centre(f);
        const uint64_t a = g.any(f, centre, f.F), b = g.any(f, 2 * f.bias() - centre, f.F);
        const uint32_t fpcr = g.fpcr();
        for (const bool rsqrt : {false, true}) {
            bool skip = false;
            const oracle::Result want = ref_step(f, a, b, rsqrt, fpcr, skip);
            if (skip) continue;
            uint32_t fpsr = 0;
            const uint64_t got = call2(rsqrt ? "frsqrts" : "frecps", bits, a, b, fpcr, fpsr);
            if (got != want.bits || fpsr != want.flags) {
                failures++;
                UNSCOPED_INFO((rsqrt ? "frsqrts" : "frecps")
                              << bits << " " << hex(a) << "," << hex(b) << " fpcr " << hex(fpcr)
                              << " got " << hex(got) << "/" << hex(fpsr) << " want "
                              << hex(want.bits) << "/" << hex(want.flags));
                CHECK(false);
            }
        }
    }
}

// The estimates are 8-bit approximations: check them against the true
// reciprocal (square root) over every 8-bit fraction prefix and a spread of
// exponents, denormals included.
TEST_CASE("misc: FRECPE/FRSQRTE accuracy over the table range", "[arm_fpu]") {
    for (int e = 1; e < 254; e += 3) {
        for (uint32_t top = 0; top < 512; top++) {
            const uint32_t x = (uint32_t(e) << 23) | (top << 14) | 0x1234;
            float xf;
            std::memcpy(&xf, &x, 4);
            uint32_t fpsr = 0;
            const uint32_t r = fpu::frecpe_s(x, 0, fpsr);
            float rf;
            std::memcpy(&rf, &r, 4);
            if (e > 2 && e < 252) {  // estimate stays normal
                INFO("frecpe " << hex(x) << " -> " << hex(r));
                REQUIRE(std::fabs(double(rf) * double(xf) - 1.0) < 1.0 / 256);
            }
            const uint32_t s = fpu::frsqrte_s(x, 0, fpsr);
            float sf;
            std::memcpy(&sf, &s, 4);
            INFO("frsqrte " << hex(x) << " -> " << hex(s));
            REQUIRE(std::fabs(double(sf) * double(sf) * double(xf) - 1.0) < 1.0 / 128);
            REQUIRE(fpsr == 0);
        }
    }
    // Denormal operands (FZ = 0): the estimate uses the normalised fraction.
    for (uint32_t x = 0x00000100; x < 0x00800000; x = x * 3 + 7) {
        float xf;
        std::memcpy(&xf, &x, 4);
        uint32_t fpsr = 0;
        const uint32_t s = fpu::frsqrte_s(x, 0, fpsr);
        float sf;
        std::memcpy(&sf, &s, 4);
        INFO("frsqrte denormal " << hex(x) << " -> " << hex(s));
        REQUIRE(std::fabs(double(sf) * double(sf) * double(xf) - 1.0) < 1.0 / 64);
        const uint64_t xb = (uint64_t(0x3ff) << 52) | uint64_t(x) << 29 | 1;  // [1, 2)
        const uint64_t d = fpu::frecpe_d(xb, 0, fpsr);
        double df, xd;
        std::memcpy(&df, &d, 8);
        std::memcpy(&xd, &xb, 8);
        REQUIRE(std::fabs(df * xd - 1.0) < 1.0 / 256);
    }
    // The unsigned estimates: 0.32 fixed point inputs, 1.31 results.
    for (uint64_t a = 0x80000000; a <= 0xffffffff; a += 0x00800123) {
        const double v = double(a) / 4294967296.0,
                     r = double(fpu::urecpe(uint32_t(a))) / 2147483648.0;
        REQUIRE(std::fabs(r * v - 1.0) < 1.0 / 256);
    }
    for (uint64_t a = 0x40000000; a <= 0xffffffff; a += 0x00400321) {
        const double v = double(a) / 4294967296.0,
                     r = double(fpu::ursqrte(uint32_t(a))) / 2147483648.0;
        REQUIRE(std::fabs(r * r * v - 1.0) < 1.0 / 128);
    }
}

// The exact square root starts from an x87 estimate; it must stay exact
// whatever precision control the host thread runs with.
TEST_CASE("misc: exact FSQRT independent of the x87 precision control", "[arm_fpu][oracle]") {
    Gen g(34);
    std::vector<uint64_t> in, out;
    std::vector<uint32_t> flags;
    for (int i = 0; i < 2000; i++)
        in.push_back(g.near(oracle::kDouble, 1023, 900) & ~(1ull << 63));
    uint16_t cw, cw24;
    __asm__ volatile("fnstcw %0" : "=m"(cw));
    cw24 = uint16_t(cw & ~0x300);  // precision control: 24-bit significands
    __asm__ volatile("fldcw %0" : : "m"(cw24));
    for (uint64_t x : in) {
        uint32_t fpsr = 0;
        out.push_back(fpu::fsqrt_d(x, fpu::kFpcrFz, fpsr));  // FZ: the exact model
        flags.push_back(fpsr);
    }
    __asm__ volatile("fldcw %0" : : "m"(cw));
    for (size_t i = 0; i < in.size(); i++) {
        const oracle::Result want = oracle::arith(oracle::kDouble, "sqrt", &in[i], 1, oracle::kFz);
        INFO(hex(in[i]));
        REQUIRE(out[i] == want.bits);
        REQUIRE(flags[i] == want.flags);
    }
}

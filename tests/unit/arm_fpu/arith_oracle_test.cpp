// Randomized comparison of the arithmetic operations against the MPFR
// oracle with the Arm rules, in every rounding mode and with FZ/DN on and
// off. Each case runs with FPSR.IXC clear and set, so that the fast
// paths' inexact detection and their shortcut are both checked.
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

struct Case {
    const char* kind;
    int nops;
    uint64_t (*fn)(const uint64_t* x, uint32_t fpcr, uint32_t& fpsr);
};

template <typename U>
U as(uint64_t v) {
    return static_cast<U>(v);
}

#define BIN(name, U)                                                   \
    [](const uint64_t* x, uint32_t fpcr, uint32_t& fpsr) -> uint64_t { \
        return fpu::name(as<U>(x[0]), as<U>(x[1]), fpcr, fpsr);        \
    }
#define UN(name, U)                                                    \
    [](const uint64_t* x, uint32_t fpcr, uint32_t& fpsr) -> uint64_t { \
        return fpu::name(as<U>(x[0]), fpcr, fpsr);                     \
    }
#define TER(name, U)                                                         \
    [](const uint64_t* x, uint32_t fpcr, uint32_t& fpsr) -> uint64_t {       \
        return fpu::name(as<U>(x[0]), as<U>(x[1]), as<U>(x[2]), fpcr, fpsr); \
    }

// Cases per FPSR flag the oracle expected, and default-NaN results: the
// generator must reach every corner, or the comparison proves little.
struct Coverage {
    int flag[8] = {};
    int nan = 0;
};

void run(const Format& f, const Case& c, uint64_t seed, int iters) {
    Gen g(seed);
    int failures = 0;
    Coverage cov;
    for (int i = 0; i < iters && failures < 5; i++) {
        const int centre = g.centre(f);
        uint64_t x[3];
        for (int k = 0; k < c.nops; k++)
            x[k] = g.any(f, centre, f.F + 3);
        // Products near the underflow and overflow thresholds.
        if ((!std::strcmp(c.kind, "mul") || !std::strcmp(c.kind, "fma")) && g.chance(30)) {
            const int e1 = g.range(1, (1 << f.E) - 2);
            const int target = g.chance(50) ? 1 : (1 << f.E) - 2;
            int e2 = target - e1 + f.bias() + g.range(-2, 2);
            if (e2 < 1) e2 = 1;
            if (e2 > (1 << f.E) - 2) e2 = (1 << f.E) - 2;
            const int k0 = c.nops == 3 ? 1 : 0;
            x[k0] = (x[k0] & ~f.exp_all()) | (uint64_t(e1) << f.F);
            x[k0 + 1] = (x[k0 + 1] & ~f.exp_all()) | (uint64_t(e2) << f.F);
        }
        // Massive cancellation: b close to -a (add) or a (sub).
        const bool is_add = !std::strcmp(c.kind, "add"), is_sub = !std::strcmp(c.kind, "sub");
        if ((is_add || is_sub) && g.chance(15)) {
            x[1] = ((x[0] ^ (is_add ? f.sign_bit() : 0)) + uint64_t(g.range(-3, 3))) &
                   (f.sign_bit() | (f.sign_bit() - 1));
        }
        const uint32_t fpcr = g.fpcr();
        const oracle::Result want = oracle::arith(f, c.kind, x, c.nops, fpcr);
        for (int b = 0; b < 8; b++)
            cov.flag[b] += (want.flags >> b) & 1;
        cov.nan += oracle::is_nan(f, want.bits);
        for (uint32_t fpsr_in : {0u, fpu::kFpsrIxc}) {
            uint32_t fpsr = fpsr_in;
            const uint64_t got = c.fn(x, fpcr, fpsr);
            if (got != want.bits || fpsr != (want.flags | fpsr_in)) {
                failures++;
                UNSCOPED_INFO(c.kind << f.bits << " x=" << hex(x[0]) << "," << hex(x[1]) << ","
                                     << hex(c.nops > 2 ? x[2] : 0) << " fpcr=" << hex(fpcr)
                                     << " fpsr_in=" << hex(fpsr_in) << " got " << hex(got)
                                     << " flags " << hex(fpsr) << " want " << hex(want.bits)
                                     << " flags " << hex(want.flags | fpsr_in));
                CHECK(false);
            }
        }
    }
    if (iters < 2000) return;
    INFO(c.kind << f.bits);
    CHECK(cov.flag[0] > 0);                    // IOC
    CHECK(cov.flag[4] > 0);                    // IXC
    if (f.bits != 16) CHECK(cov.flag[7] > 0);  // IDC (FZ16 flushes silently)
    CHECK(cov.nan > 0);
    if (std::strcmp(c.kind, "sqrt")) {
        CHECK(cov.flag[3] > 0);  // UFC
        CHECK(cov.flag[2] > 0);  // OFC
    }
    if (!std::strcmp(c.kind, "div")) CHECK(cov.flag[1] > 0);  // DZC
}

}  // namespace

TEST_CASE("arith: single precision vs MPFR oracle", "[arm_fpu][oracle]") {
    const int n = emu::arm::fpu::testing::oracle_iters(20000);
    run(oracle::kSingle, {"add", 2, BIN(fadd_s, uint32_t)}, 1, n);
    run(oracle::kSingle, {"sub", 2, BIN(fsub_s, uint32_t)}, 2, n);
    run(oracle::kSingle, {"mul", 2, BIN(fmul_s, uint32_t)}, 3, n);
    run(oracle::kSingle, {"div", 2, BIN(fdiv_s, uint32_t)}, 4, n);
    run(oracle::kSingle, {"sqrt", 1, UN(fsqrt_s, uint32_t)}, 5, n);
    run(oracle::kSingle, {"fma", 3, TER(fmuladd_s, uint32_t)}, 6, n);
}

TEST_CASE("arith: double precision vs MPFR oracle", "[arm_fpu][oracle]") {
    const int n = emu::arm::fpu::testing::oracle_iters(20000);
    run(oracle::kDouble, {"add", 2, BIN(fadd_d, uint64_t)}, 11, n);
    run(oracle::kDouble, {"sub", 2, BIN(fsub_d, uint64_t)}, 12, n);
    run(oracle::kDouble, {"mul", 2, BIN(fmul_d, uint64_t)}, 13, n);
    run(oracle::kDouble, {"div", 2, BIN(fdiv_d, uint64_t)}, 14, n);
    run(oracle::kDouble, {"sqrt", 1, UN(fsqrt_d, uint64_t)}, 15, n);
    run(oracle::kDouble, {"fma", 3, TER(fmuladd_d, uint64_t)}, 16, n);
}

TEST_CASE("arith: half precision vs MPFR oracle", "[arm_fpu][oracle]") {
    const int n = emu::arm::fpu::testing::oracle_iters(20000);
    run(oracle::kHalf, {"add", 2, BIN(fadd_h, uint16_t)}, 21, n);
    run(oracle::kHalf, {"sub", 2, BIN(fsub_h, uint16_t)}, 22, n);
    run(oracle::kHalf, {"mul", 2, BIN(fmul_h, uint16_t)}, 23, n);
    run(oracle::kHalf, {"div", 2, BIN(fdiv_h, uint16_t)}, 24, n);
    run(oracle::kHalf, {"sqrt", 1, UN(fsqrt_h, uint16_t)}, 25, n);
    run(oracle::kHalf, {"fma", 3, TER(fmuladd_h, uint16_t)}, 26, n);
}

// The fast paths only apply with the default FPCR: hammer them with
// ordinary operands, where nearly every case takes the host path.
TEST_CASE("arith: fast paths with the default FPCR vs MPFR oracle", "[arm_fpu][oracle]") {
    const int n = emu::arm::fpu::testing::oracle_iters(20000);
    Gen g(99);
    const Case cases_s[] = {{"add", 2, BIN(fadd_s, uint32_t)},
                            {"mul", 2, BIN(fmul_s, uint32_t)},
                            {"div", 2, BIN(fdiv_s, uint32_t)},
                            {"sqrt", 1, UN(fsqrt_s, uint32_t)},
                            {"fma", 3, TER(fmuladd_s, uint32_t)}};
    const Case cases_d[] = {{"add", 2, BIN(fadd_d, uint64_t)},
                            {"mul", 2, BIN(fmul_d, uint64_t)},
                            {"div", 2, BIN(fdiv_d, uint64_t)},
                            {"sqrt", 1, UN(fsqrt_d, uint64_t)},
                            {"fma", 3, TER(fmuladd_d, uint64_t)}};
    for (int i = 0; i < n; i++) {
        for (const auto& [f, c] : {std::pair{oracle::kSingle, cases_s[i % 5]},
                                   std::pair{oracle::kDouble, cases_d[i % 5]}}) {
            uint64_t x[3];
            for (int k = 0; k < c.nops; k++)
                x[k] = g.near(f, f.bias(), 30);
            if (!std::strcmp(c.kind, "sqrt")) x[0] &= ~f.sign_bit();
            const oracle::Result want = oracle::arith(f, c.kind, x, c.nops, 0);
            uint32_t fpsr = 0;
            const uint64_t got = c.fn(x, 0, fpsr);
            INFO(c.kind << f.bits << " " << hex(x[0]) << " " << hex(x[1]) << " " << hex(x[2]));
            REQUIRE(got == want.bits);
            REQUIRE(fpsr == want.flags);
        }
    }
}

// ns/op of the target/arm/fpu helpers: the host fast path in the steady
// state (FPSR.IXC already set, as in real guests), the fast path while IXC
// is still clear (inexact detection runs), and the exact slow path (forced
// with FPCR.FZ = 1 and normal operands, same results); the bare host
// instruction as the floor. Medians of 7 runs.
//
// Usage: emu-fpu-bench [iterations per run, default 2000000]
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "target/arm/fpu/fpu.h"

namespace fpu = emu::arm::fpu;

namespace {

constexpr int kVals = 1024;  // operand pool (fits in L1)
volatile uint64_t g_sink;

template <typename U>
struct Pool {
    std::vector<U> a, b, c;
};

template <typename U, typename H>
Pool<U> make_pool(uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<H> d(H(0.5), H(4.0));
    Pool<U> p;
    for (int i = 0; i < kVals; i++) {
        H x = d(rng), y = d(rng), z = d(rng);
        U ux, uy, uz;
        std::memcpy(&ux, &x, sizeof ux);
        std::memcpy(&uy, &y, sizeof uy);
        std::memcpy(&uz, &z, sizeof uz);
        p.a.push_back(ux);
        p.b.push_back(uy);
        p.c.push_back(uz);
    }
    return p;
}

// Fastest run, as a floor that is robust on a loaded machine.
double g_last_min;

template <typename F>
double median_ns(F&& body, long iters) {
    std::vector<double> runs;
    for (int r = 0; r < 7; r++) {
        auto t0 = std::chrono::steady_clock::now();
        body(iters);
        auto t1 = std::chrono::steady_clock::now();
        runs.push_back(std::chrono::duration<double, std::nano>(t1 - t0).count() / double(iters));
    }
    std::sort(runs.begin(), runs.end());
    g_last_min = runs[0];
    return runs[3];
}

// One helper over the pool; `reset_fpsr` clears FPSR before each call so
// that the inexact detection runs every time.
template <typename U, typename Fn>
double bench_helper(const Pool<U>& p, Fn fn, uint32_t fpcr, uint32_t fpsr0, bool reset_fpsr,
                    long iters) {
    return median_ns(
        [&](long n) {
            uint64_t acc = 0;
            uint32_t fpsr = fpsr0;
            for (long i = 0; i < n; i++) {
                const int k = int(i & (kVals - 1));
                if (reset_fpsr) fpsr = fpsr0;
                acc ^= fn(p.a[k], p.b[k], p.c[k], fpcr, fpsr);
            }
            g_sink = acc ^ fpsr;
        },
        iters);
}

template <typename U, typename H, typename Fn>
double bench_host(const Pool<U>& p, Fn fn, long iters) {
    return median_ns(
        [&](long n) {
            uint64_t acc = 0;
            for (long i = 0; i < n; i++) {
                const int k = int(i & (kVals - 1));
                H x, y, z;
                std::memcpy(&x, &p.a[k], sizeof x);
                std::memcpy(&y, &p.b[k], sizeof y);
                std::memcpy(&z, &p.c[k], sizeof z);
                H r = fn(x, y, z);
                U ur;
                std::memcpy(&ur, &r, sizeof ur);
                acc ^= ur;
            }
            g_sink = acc;
        },
        iters);
}

template <typename U, typename H, typename Helper, typename HostFn>
void row(const char* name, const Pool<U>& p, Helper helper, HostFn host, long iters) {
    const double steady = bench_helper(p, helper, 0, fpu::kFpsrIxc, false, iters);
    const double steady_min = g_last_min;
    const double detect = bench_helper(p, helper, 0, 0, true, iters);
    const double slow = bench_helper(p, helper, fpu::kFpcrFz, fpu::kFpsrIxc, false, iters);
    const double bare = bench_host<U, H>(p, host, iters);
    const double bare_min = g_last_min;
    std::printf("%-9s %7.2f %10.2f %8.2f %8.2f | %9.2f %8.2f %9.1fx\n", name, steady, detect, slow,
                bare, steady_min, bare_min, slow / steady);
}

// The five basic operations at one precision: the helpers and the host
// operation (H is float or double).
struct Single {
    using U = uint32_t;
    using H = float;
    static constexpr const char* suffix = "_s";
    static constexpr auto add = fpu::fadd_s, mul = fpu::fmul_s, div = fpu::fdiv_s;
    static constexpr auto fma = fpu::fmuladd_s;
    static constexpr auto sqrt = fpu::fsqrt_s;
};
struct Double {
    using U = uint64_t;
    using H = double;
    static constexpr const char* suffix = "_d";
    static constexpr auto add = fpu::fadd_d, mul = fpu::fmul_d, div = fpu::fdiv_d;
    static constexpr auto fma = fpu::fmuladd_d;
    static constexpr auto sqrt = fpu::fsqrt_d;
};

template <typename P>
void basic_rows(const Pool<typename P::U>& p, long iters) {
    using U = typename P::U;
    using H = typename P::H;
    auto name = [](const char* op) { return std::string(op) + P::suffix; };
    row<U, H>(
        name("fadd").c_str(), p,
        [](U a, U b, U, uint32_t c, uint32_t& s) { return P::add(a, b, c, s); },
        [](H a, H b, H) { return a + b; }, iters);
    row<U, H>(
        name("fmul").c_str(), p,
        [](U a, U b, U, uint32_t c, uint32_t& s) { return P::mul(a, b, c, s); },
        [](H a, H b, H) { return a * b; }, iters);
    row<U, H>(
        name("fma").c_str(), p,
        [](U a, U b, U d, uint32_t c, uint32_t& s) { return P::fma(d, a, b, c, s); },
        [](H a, H b, H d) { return std::fma(a, b, d); }, iters);
    row<U, H>(
        name("fdiv").c_str(), p,
        [](U a, U b, U, uint32_t c, uint32_t& s) { return P::div(a, b, c, s); },
        [](H a, H b, H) { return a / b; }, iters);
    row<U, H>(
        name("fsqrt").c_str(), p,
        [](U a, U, U, uint32_t c, uint32_t& s) { return P::sqrt(a, c, s); },
        [](H a, H, H) { return std::sqrt(a); }, iters);
}

}  // namespace

int main(int argc, char** argv) {
    const long iters = argc > 1 ? std::atol(argv[1]) : 2000000;
    const auto ps = make_pool<uint32_t, float>(1);
    const auto pd = make_pool<uint64_t, double>(2);
    std::printf("ns/op: medians of 7 runs of %ld ops, then the fastest runs\n", iters);
    std::printf("%-9s %7s %10s %8s %8s | %9s %8s %10s\n", "op", "fast", "fast+IXC?", "slow", "host",
                "fast(min)", "host(min)", "slow/fast");
    using U64 = uint64_t;
    basic_rows<Single>(ps, iters);
    basic_rows<Double>(pd, iters);
    // Other frequent helpers (fast path, steady state; host floor shown).
    row<U64, double>(
        "fmax_d", pd,
        [](U64 a, U64 b, U64, uint32_t c, uint32_t& s) { return fpu::fmax_d(a, b, c, s); },
        [](double a, double b, double) { return a > b ? a : b; }, iters);
    row<U64, double>(
        "fcmp_d", pd,
        [](U64 a, U64 b, U64, uint32_t c, uint32_t& s) {
            return uint64_t(fpu::fcmp_d(a, b, false, c, s));
        },
        [](double a, double b, double) { return double(a < b    ? 8
                                                       : a == b ? 6
                                                                : 2); }, iters);
    row<U64, double>(
        "fcvtzs_d", pd,
        [](U64 a, U64, U64, uint32_t c, uint32_t& s) {
            return fpu::fcvt_to_int_d(a, fpu::Rounding::Zero, false, 64, 0, c, s);
        },
        [](double a, double, double) { return double(int64_t(a)); }, iters);
    row<U64, double>(
        "frintm_d", pd,
        [](U64 a, U64, U64, uint32_t c, uint32_t& s) {
            return fpu::frint_d(a, fpu::Rounding::NegInf, false, c, s);
        },
        [](double a, double, double) { return std::floor(a); }, iters);
    row<U64, double>(
        "fcvt_d2s", pd,
        [](U64 a, U64, U64, uint32_t c, uint32_t& s) { return uint64_t(fpu::fcvt_d2s(a, c, s)); },
        [](double a, double, double) { return double(float(a)); }, iters);
    return 0;
}

// Scalar floating point: arithmetic in single and double precision, fused
// multiply-add, square root, conversions (int <-> fp, fp <-> fp, FCVTZS
// saturation), rounding (FRINT* with each mode), FCMP flags, FMIN/FMAX and
// the NaN rules (quieting, default NaN under FPCR.DN), FPSR exception flags.
// Expected bit patterns are folded by the compiler (IEEE, round-to-nearest)
// or written from the Arm ARM's rules.
#include "lib/fpbits.h"
#include "lib/rt.h"

#define D2(insn, a, b, want)                                                              \
    do {                                                                                  \
        double r_;                                                                        \
        __asm__ volatile(insn " %d0, %d1, %d2" : "=w"(r_) : "w"((double)(a)), "w"((double)(b))); \
        CHECK(insn " d", dbits(r_), (dbits_c(want)));                                    \
    } while (0)
#define S2(insn, a, b, want)                                                             \
    do {                                                                                 \
        float r_;                                                                        \
        __asm__ volatile(insn " %s0, %s1, %s2" : "=w"(r_) : "w"((float)(a)), "w"((float)(b))); \
        CHECK(insn " s", sbits(r_), (sbits_c(want)));                                   \
    } while (0)
// Bit patterns of constants: static initializers, so the compiler computes
// them at build time and they live in .rodata.
#define dbits_c(x)                                           \
    ({                                                       \
        static const union {                                 \
            double d;                                        \
            uint64_t u;                                      \
        } k_ = {.d = (x)};                                   \
        k_.u;                                                \
    })
#define sbits_c(x)                                           \
    ({                                                       \
        static const union {                                 \
            float f;                                         \
            uint32_t u;                                      \
        } k_ = {.f = (x)};                                   \
        k_.u;                                                \
    })

static void set_fpcr(uint64_t v) { __asm__ volatile("msr fpcr, %0" : : "r"(v)); }
static uint64_t fpsr(void) { return READ_SYSREG(fpsr); }
static void clear_fpsr(void) { __asm__ volatile("msr fpsr, xzr"); }

int main(uint64_t dtb) {
    set_fpcr(0);
    D2("fadd", 1.5, 2.25, 1.5 + 2.25);
    D2("fsub", 1.0, 3.0e-17, 1.0 - 3.0e-17);
    D2("fmul", 3.0, 1.0 / 3.0, 3.0 * (1.0 / 3.0));
    D2("fdiv", 1.0, 3.0, 1.0 / 3.0);
    D2("fdiv", 22.0, 7.0, 22.0 / 7.0);
    D2("fmax", -0.0, 0.0, 0.0);
    D2("fmin", -0.0, 0.0, -0.0);
    D2("fnmul", 2.0, 3.0, -6.0);
    D2("fabd", 2.0, 5.5, 3.5);
    S2("fadd", 16777216.0f, 1.0f, 16777216.0f);  // ties-to-even
    S2("fadd", 16777216.0f, 3.0f, 16777220.0f);
    S2("fmul", 1.1f, 1.1f, 1.1f * 1.1f);
    S2("fdiv", 10.0f, 3.0f, 10.0f / 3.0f);
    {
        double r;
        __asm__ volatile("fmadd %d0, %d1, %d2, %d3" : "=w"(r) : "w"(0.1), "w"(10.0), "w"(-1.0));
        // Fused: one rounding, so the tiny error of 0.1 survives.
        CHECK("fmadd is fused", dbits(r), (dbits_c(__builtin_fma(0.1, 10.0, -1.0))));
        CHECK("fmadd differs from mul+add", dbits(r) != dbits_c(0.1 * 10.0 - 1.0), 1);
        __asm__ volatile("fnmsub %d0, %d1, %d2, %d3" : "=w"(r) : "w"(2.0), "w"(3.0), "w"(1.0));
        CHECK("fnmsub = a*b - c", dbits(r), (dbits_c(5.0)));
        __asm__ volatile("fsqrt %d0, %d1" : "=w"(r) : "w"(2.0));
        CHECK("fsqrt d", dbits(r), (dbits_c(__builtin_sqrt(2.0))));
        float f;
        __asm__ volatile("fsqrt %s0, %s1" : "=w"(f) : "w"(2.0f));
        CHECK("fsqrt s", sbits(f), (sbits_c(__builtin_sqrtf(2.0f))));
        __asm__ volatile("fneg %d0, %d1" : "=w"(r) : "w"(0.0));
        CHECK("fneg 0", dbits(r), 0x8000000000000000ull);
        __asm__ volatile("fabs %d0, %d1" : "=w"(r) : "w"(-2.5));
        CHECK("fabs", dbits(r), (dbits_c(2.5)));
    }
    // Conversions.
    {
        double d;
        float f;
        int64_t i;
        uint64_t u;
        __asm__ volatile("fcvt %d0, %s1" : "=w"(d) : "w"(0.1f));
        CHECK("fcvt s->d exact", dbits(d), (dbits_c((double)0.1f)));
        __asm__ volatile("fcvt %s0, %d1" : "=w"(f) : "w"(0.1));
        CHECK("fcvt d->s rounds", sbits(f), (sbits_c((float)0.1)));
        __asm__ volatile("fcvtzs %0, %d1" : "=r"(i) : "w"(-2.9));
        CHECK("fcvtzs truncates", (uint64_t)i, (uint64_t)-2);
        __asm__ volatile("fcvtzs %0, %d1" : "=r"(i) : "w"(1e300));
        CHECK("fcvtzs saturates", (uint64_t)i, 0x7fffffffffffffffull);
        __asm__ volatile("fcvtzu %0, %d1" : "=r"(u) : "w"(-5.0));
        CHECK("fcvtzu of negative = 0", u, 0);
        __asm__ volatile("fcvtzs %w0, %d1" : "=r"(u) : "w"(dfrom(0x7ff8000000000000ull)));
        CHECK("fcvtzs of NaN = 0", u, 0);
        __asm__ volatile("fcvtns %0, %d1" : "=r"(i) : "w"(2.5));
        CHECK("fcvtns ties to even", (uint64_t)i, 2);
        __asm__ volatile("fcvtas %0, %d1" : "=r"(i) : "w"(2.5));
        CHECK("fcvtas ties away", (uint64_t)i, 3);
        __asm__ volatile("fcvtms %0, %d1" : "=r"(i) : "w"(-2.5));
        CHECK("fcvtms floor", (uint64_t)i, (uint64_t)-3);
        __asm__ volatile("fcvtps %0, %d1" : "=r"(i) : "w"(-2.5));
        CHECK("fcvtps ceil", (uint64_t)i, (uint64_t)-2);
        __asm__ volatile("scvtf %d0, %1" : "=w"(d) : "r"((int64_t)-123456789));
        CHECK("scvtf", dbits(d), (dbits_c(-123456789.0)));
        __asm__ volatile("ucvtf %s0, %1" : "=w"(f) : "r"(0xffffffffffffffffull));
        CHECK("ucvtf rounds", sbits(f), (sbits_c(18446744073709551616.0f)));
        __asm__ volatile("scvtf %d0, %w1, #4" : "=w"(d) : "r"(40));
        CHECK("scvtf fixed-point", dbits(d), (dbits_c(2.5)));
        __asm__ volatile("fmov %d0, #-1.25" : "=w"(d));
        CHECK("fmov immediate", dbits(d), (dbits_c(-1.25)));
        __asm__ volatile("fmov %d0, %1" : "=w"(d) : "r"(0x400921fb54442d18ull));
        CHECK("fmov from x", dbits(d), 0x400921fb54442d18ull);
    }
    // Rounding to integral.
    {
        double r;
        __asm__ volatile("frintn %d0, %d1" : "=w"(r) : "w"(-3.5));
        CHECK("frintn", dbits(r), (dbits_c(-4.0)));
        __asm__ volatile("frinta %d0, %d1" : "=w"(r) : "w"(-3.5));
        CHECK("frinta", dbits(r), (dbits_c(-4.0)));
        __asm__ volatile("frintz %d0, %d1" : "=w"(r) : "w"(-3.5));
        CHECK("frintz", dbits(r), (dbits_c(-3.0)));
        __asm__ volatile("frintm %d0, %d1" : "=w"(r) : "w"(3.5));
        CHECK("frintm", dbits(r), (dbits_c(3.0)));
        __asm__ volatile("frintp %d0, %d1" : "=w"(r) : "w"(3.1));
        CHECK("frintp", dbits(r), (dbits_c(4.0)));
        __asm__ volatile("frintz %d0, %d1" : "=w"(r) : "w"(-0.5));
        CHECK("frintz keeps the sign of zero", dbits(r), 0x8000000000000000ull);
        set_fpcr(2ull << 22);  // RMode = toward minus infinity
        __asm__ volatile("frinti %d0, %d1" : "=w"(r) : "w"(2.7));
        CHECK("frinti uses FPCR.RMode", dbits(r), (dbits_c(2.0)));
        __asm__ volatile("fadd %d0, %d1, %d2" : "=w"(r) : "w"(1.0), "w"(1e-30));
        CHECK("fadd rounds down under RM", dbits(r), (dbits_c(1.0)));
        set_fpcr(1ull << 22);  // toward plus infinity
        __asm__ volatile("fadd %d0, %d1, %d2" : "=w"(r) : "w"(1.0), "w"(1e-30));
        CHECK("fadd rounds up under RP", dbits(r), 0x3ff0000000000001ull);
        set_fpcr(0);
    }
    // Comparisons: NZCV = 0110 equal, 1000 less, 0010 greater, 0011 unordered.
    {
        uint64_t f;
        __asm__ volatile("fcmp %d1, %d2\n mrs %0, nzcv" : "=r"(f) : "w"(1.0), "w"(1.0));
        CHECK("fcmp equal", f >> 28, 0x6);
        __asm__ volatile("fcmp %d1, %d2\n mrs %0, nzcv" : "=r"(f) : "w"(-1.0), "w"(1.0));
        CHECK("fcmp less", f >> 28, 0x8);
        __asm__ volatile("fcmp %s1, #0.0\n mrs %0, nzcv" : "=r"(f) : "w"(2.0f));
        CHECK("fcmp greater (zero form)", f >> 28, 0x2);
        __asm__ volatile("fcmp %d1, %d2\n mrs %0, nzcv" : "=r"(f) : "w"(dfrom(0x7ff8000000000000ull)), "w"(1.0));
        CHECK("fcmp unordered", f >> 28, 0x3);
        __asm__ volatile("fcmp %d1, %d2\n mrs %0, nzcv" : "=r"(f) : "w"(-0.0), "w"(0.0));
        CHECK("fcmp -0 == +0", f >> 28, 0x6);
        double r;
        __asm__ volatile("fcmp %d1, %d2\n fcsel %d0, %d1, %d2, gt" : "=w"(r) : "w"(5.0), "w"(7.0));
        CHECK("fcsel", dbits(r), (dbits_c(7.0)));
    }
    // NaNs: an SNaN operand is quieted and wins; DN gives the default NaN.
    {
        double r;
        const uint64_t snan = 0x7ff0000000000123ull, qnan = 0x7ff8000000000456ull;
        clear_fpsr();
        __asm__ volatile("fadd %d0, %d1, %d2" : "=w"(r) : "w"(dfrom(qnan)), "w"(dfrom(snan)));
        CHECK("SNaN beats QNaN, quieted", dbits(r), 0x7ff8000000000123ull);
        CHECK("SNaN raises IOC", fpsr() & 1, 1);
        __asm__ volatile("fmul %d0, %d1, %d2" : "=w"(r) : "w"(1.0), "w"(dfrom(qnan)));
        CHECK("QNaN propagates", dbits(r), qnan);
        __asm__ volatile("fadd %d0, %d1, %d2" : "=w"(r) : "w"(dfrom(0xfff8000000000001ull)), "w"(dfrom(qnan)));
        CHECK("first QNaN operand wins", dbits(r), 0xfff8000000000001ull);
        __asm__ volatile("fsub %d0, %d1, %d1" : "=w"(r) : "w"(__builtin_inf()));
        CHECK("inf - inf = default NaN", dbits(r), 0x7ff8000000000000ull);
        float f;
        __asm__ volatile("fsqrt %s0, %s1" : "=w"(f) : "w"(-1.0f));
        CHECK("sqrt(-1) = default NaN", sbits(f), 0x7fc00000u);
        __asm__ volatile("fmaxnm %d0, %d1, %d2" : "=w"(r) : "w"(dfrom(qnan)), "w"(3.0));
        CHECK("fmaxnm ignores a QNaN", dbits(r), (dbits_c(3.0)));
        __asm__ volatile("fmax %d0, %d1, %d2" : "=w"(r) : "w"(dfrom(qnan)), "w"(3.0));
        CHECK("fmax propagates a QNaN", dbits(r), qnan);
        set_fpcr(1ull << 25);  // DN
        __asm__ volatile("fadd %d0, %d1, %d2" : "=w"(r) : "w"(dfrom(qnan)), "w"(1.0));
        CHECK("FPCR.DN: default NaN", dbits(r), 0x7ff8000000000000ull);
        set_fpcr(1ull << 24);  // FZ: denormal inputs and outputs flush to zero
        __asm__ volatile("fmul %d0, %d1, %d2" : "=w"(r) : "w"(dfrom(1)), "w"(1.0));
        CHECK("FPCR.FZ flushes a denormal", dbits(r), 0);
        set_fpcr(0);
        __asm__ volatile("fmul %d0, %d1, %d2" : "=w"(r) : "w"(dfrom(1)), "w"(1.0));
        CHECK("denormal kept without FZ", dbits(r), 1);
    }
    // Exception flags accumulate in FPSR.
    {
        double r;
        clear_fpsr();
        __asm__ volatile("fdiv %d0, %d1, %d2" : "=w"(r) : "w"(1.0), "w"(0.0));
        CHECK("1/0 = +inf", dbits(r), 0x7ff0000000000000ull);
        CHECK("DZC set", (fpsr() >> 1) & 1, 1);
        clear_fpsr();
        __asm__ volatile("fdiv %d0, %d1, %d2" : "=w"(r) : "w"(1.0), "w"(3.0));
        CHECK("IXC set by an inexact result", (fpsr() >> 4) & 1, 1);
        clear_fpsr();
        __asm__ volatile("fmul %d0, %d1, %d1" : "=w"(r) : "w"(1e300));
        CHECK("OFC set", (fpsr() >> 2) & 1, 1);
        clear_fpsr();
        __asm__ volatile("fmul %d0, %d1, %d1" : "=w"(r) : "w"(1e-300));
        CHECK("UFC set", (fpsr() >> 3) & 1, 1);
        clear_fpsr();
        __asm__ volatile("fadd %d0, %d1, %d1" : "=w"(r) : "w"(1.0));
        CHECK("exact result sets nothing", fpsr(), 0);
    }
    (void)sfrom;
    return 0;
}

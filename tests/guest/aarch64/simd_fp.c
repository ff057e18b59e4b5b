// AdvSIMD floating point as NEON code uses it (arm_neon.h intrinsics):
// FMLA/FMUL by element (a 4x4 matrix product against a fused scalar
// reference), FRECPE/FRECPS and FRSQRTE/FRSQRTS Newton-Raphson refinement,
// FCVT* with each rounding and fixed point, SCVTF/UCVTF, FCVTL/FCVTN
// (half <-> single, double <-> single), FCVTXN, FRINT*, pairwise and
// across-lanes max/min, compares with zero and FACGT. Expected values are
// folded by the compiler or written from the Arm ARM's rules.
#include <arm_neon.h>

#include "lib/fpbits.h"
#include "lib/rt.h"

static uint64_t lo64(float32x4_t v) {
    return vgetq_lane_u64(vreinterpretq_u64_f32(v), 0);
}
static uint64_t hi64(float32x4_t v) {
    return vgetq_lane_u64(vreinterpretq_u64_f32(v), 1);
}
static uint64_t pack(uint32_t lo, uint32_t hi) {
    return (uint64_t)hi << 32 | lo;
}
// Hides a value from the optimiser, so intrinsics on constants are not
// folded at build time and the instruction really runs.
#define OPQ(x)                           \
    ({                                   \
        __typeof__(x) v_ = (x);          \
        __asm__ volatile("" : "+w"(v_)); \
        v_;                              \
    })

static void set_fpcr(uint64_t v) {
    __asm__ volatile("msr fpcr, %0" : : "r"(v));
}
static uint64_t fpsr(void) {
    return READ_SYSREG(fpsr);
}
static void clear_fpsr(void) {
    __asm__ volatile("msr fpsr, xzr");
}

static float ma[16] __attribute__((aligned(16)));
static float mb[16] __attribute__((aligned(16)));
static float mc[16] __attribute__((aligned(16)));

// C = A * B, rows of C as FMUL/FMLA by element of A's row.
static void matmul_neon(void) {
    float32x4_t b0 = vld1q_f32(mb), b1 = vld1q_f32(mb + 4), b2 = vld1q_f32(mb + 8),
                b3 = vld1q_f32(mb + 12);
    for (int i = 0; i < 4; ++i) {
        float32x4_t a = vld1q_f32(ma + 4 * i);
        float32x4_t c = vmulq_laneq_f32(b0, a, 0);
        c = vfmaq_laneq_f32(c, b1, a, 1);
        c = vfmaq_laneq_f32(c, b2, a, 2);
        c = vfmaq_laneq_f32(c, b3, a, 3);
        vst1q_f32(mc + 4 * i, c);
    }
}

static void matmul_test(void) {
    uint32_t seed = 12345;
    for (int i = 0; i < 16; ++i) {
        seed = seed * 1103515245u + 12345u;
        ma[i] = (float)(int32_t)(seed >> 8) / 3.0e6f;
        seed = seed * 1103515245u + 12345u;
        mb[i] = (float)(int32_t)(seed >> 9) / 7.0e5f;
    }
    matmul_neon();
    int bad = 0;
    for (int i = 0; i < 4; ++i) {
        for (int j = 0; j < 4; ++j) {
            float r = ma[4 * i] * mb[j];
            for (int k = 1; k < 4; ++k)
                r = __builtin_fmaf(mb[4 * k + j], ma[4 * i + k], r);
            bad += sbits(r) != sbits(mc[4 * i + j]);
        }
    }
    CHECK("fmla/fmul by element matrix product", bad, 0);
    // FMLS by element and scalar FMULX by element.
    float32x4_t acc = vdupq_n_f32(10.0f);
    float32x4_t x = OPQ(((float32x4_t){1.0f, 2.0f, -3.0f, 0.5f})),
                y = OPQ(((float32x4_t){0.0f, 4.0f, 0.0f, 0.0f}));
    float32x4_t r = vfmsq_laneq_f32(acc, x, y, 1);
    CHECK("fmls by element lo", lo64(r), pack(sbits(6.0f), sbits(2.0f)));
    CHECK("fmls by element hi", hi64(r), pack(sbits(22.0f), sbits(8.0f)));
    float inf = __builtin_inff();
    float32x4_t z = OPQ(((float32x4_t){0.0f, inf, 0.0f, 0.0f}));
    float m;
    __asm__ volatile("fmulx %s0, %s1, %2.s[1]" : "=w"(m) : "w"(-0.0f), "w"(z));
    CHECK("fmulx -0 * inf = -2", sbits(m), sbits(-2.0f));
}

static void estimate_test(void) {
    float32x4_t x = OPQ(((float32x4_t){1.0f, 3.0f, 0.1f, 1000.0f}));
    float32x4_t e = vrecpeq_f32(x);
    CHECK("frecpe(1.0)", vgetq_lane_u32(vreinterpretq_u32_f32(e), 0), 0x3f7f8000);
    e = vmulq_f32(e, vrecpsq_f32(x, e));
    e = vmulq_f32(e, vrecpsq_f32(x, e));
    float want[4] = {1.0f, 1.0f / 3.0f, 1.0f / 0.1f, 1.0f / 1000.0f};
    int bad = 0;
    for (int i = 0; i < 4; ++i) {
        float got = e[i];
        float err = (got - want[i]) / want[i];
        bad += err > 1e-6f || err < -1e-6f;
    }
    CHECK("reciprocal after two Newton-Raphson steps", bad, 0);
    float32x4_t s = vrsqrteq_f32(x);
    for (int k = 0; k < 3; ++k)
        s = vmulq_f32(s, vrsqrtsq_f32(vmulq_f32(x, s), s));
    bad = 0;
    for (int i = 0; i < 4; ++i) {
        float got = s[i] * s[i] * x[i];
        bad += got > 1.0f + 1e-5f || got < 1.0f - 1e-5f;
    }
    CHECK("reciprocal square root after three steps", bad, 0);
    float32x4_t neg = OPQ(((float32x4_t){-1.0f, 0.0f, __builtin_inff(), 4.0f}));
    clear_fpsr();
    float32x4_t q = vrsqrteq_f32(neg);
    CHECK("frsqrte(-1) = default NaN", vgetq_lane_u32(vreinterpretq_u32_f32(q), 0), 0x7fc00000);
    CHECK("frsqrte(+0) = +inf", vgetq_lane_u32(vreinterpretq_u32_f32(q), 1), 0x7f800000);
    CHECK("frsqrte(+inf) = +0", vgetq_lane_u32(vreinterpretq_u32_f32(q), 2), 0);
    CHECK("frsqrte flags IOC|DZC", fpsr() & 3, 3);
    float px;
    __asm__ volatile("frecpx %s0, %s1" : "=w"(px) : "w"(3.0f));
    CHECK("frecpx(3.0) = 1.0 (NOT of the exponent)", sbits(px), sbits(1.0f));
    uint32x4_t u = vrecpeq_u32(OPQ(vdupq_n_u32(0x80000000u)));
    CHECK("urecpe(0.5) = 1.0 - 2^-9 (0.32 fixed)", vgetq_lane_u32(u, 0), 0xff800000u);
}

static void convert_test(void) {
    float32x4_t v = OPQ(((float32x4_t){2.5f, -2.5f, 1.5f, -0.5f}));
    int32x4_t n = vcvtnq_s32_f32(v), a = vcvtaq_s32_f32(v), mm = vcvtmq_s32_f32(v),
              p = vcvtpq_s32_f32(v), zz = vcvtq_s32_f32(v);
    CHECK("fcvtns", vgetq_lane_u64(vreinterpretq_u64_s32(n), 0), pack(2, (uint32_t)-2));
    CHECK("fcvtns hi", vgetq_lane_u64(vreinterpretq_u64_s32(n), 1), pack(2, 0));
    CHECK("fcvtas", vgetq_lane_u64(vreinterpretq_u64_s32(a), 0), pack(3, (uint32_t)-3));
    CHECK("fcvtms", vgetq_lane_u64(vreinterpretq_u64_s32(mm), 1), pack(1, (uint32_t)-1));
    CHECK("fcvtps", vgetq_lane_u64(vreinterpretq_u64_s32(p), 1), pack(2, 0));
    CHECK("fcvtzs", vgetq_lane_u64(vreinterpretq_u64_s32(zz), 0), pack(2, (uint32_t)-2));
    uint32x4_t un = vcvtnq_u32_f32(v);
    CHECK("fcvtnu clamps negatives", vgetq_lane_u64(vreinterpretq_u64_u32(un), 0), pack(2, 0));
    int32x4_t fx = vcvtq_n_s32_f32(v, 4);
    CHECK("fcvtzs fixed point #4", vgetq_lane_u64(vreinterpretq_u64_s32(fx), 0),
          pack(40, (uint32_t)-40));
    float32x4_t back = vcvtq_n_f32_s32(fx, 4);
    CHECK("scvtf fixed point #4", lo64(back), lo64(v));
    float64x2_t dv = vcvtq_n_f64_u64(OPQ(vdupq_n_u64(3)), 1);
    CHECK("ucvtf fixed point d #1", vgetq_lane_u64(vreinterpretq_u64_f64(dv), 1), dbits(1.5));
    clear_fpsr();
    float32x4_t big = OPQ(((float32x4_t){3e9f, -3e9f, __builtin_nanf(""), 7.0f}));
    int32x4_t sat = vcvtq_s32_f32(big);
    CHECK("fcvtzs saturates", vgetq_lane_u64(vreinterpretq_u64_s32(sat), 0),
          pack(0x7fffffff, 0x80000000));
    CHECK("fcvtzs NaN = 0", vgetq_lane_u32(vreinterpretq_u32_s32(sat), 2), 0);
    CHECK("fcvtzs IOC", fpsr() & 1, 1);
    int64_t dfix;
    __asm__ volatile("fcvtzs %d0, %d1, #64" : "=w"(dfix) : "w"(0.25));
    CHECK("fcvtzs d fixed point #64", (uint64_t)dfix, 1ull << 62);

    // Half <-> single, single <-> double.
    uint16x4_t h = OPQ(((uint16x4_t){0x3c00, 0xc000, 0x7c00, 0x0001}));
    float32x4_t wide = vcvt_f32_f16(vreinterpret_f16_u16(h));
    CHECK("fcvtl h->s lo", lo64(wide), pack(sbits(1.0f), sbits(-2.0f)));
    CHECK("fcvtl h->s hi", hi64(wide), pack(0x7f800000, sbits(0x1p-24f)));
    float16x4_t nar = vcvt_f16_f32(OPQ(((float32x4_t){65504.0f, 65520.0f, 0.1f, -0.0f})));
    CHECK("fcvtn s->h", vget_lane_u64(vreinterpret_u64_f16(nar), 0),
          0x8000ull << 48 | 0x2e66ull << 32 | 0x7c00ull << 16 | 0x7bff);
    float64x2_t dd = vcvt_high_f64_f32(OPQ(((float32x4_t){0, 0, 0.1f, -3.0f})));
    CHECK("fcvtl2 s->d", vgetq_lane_u64(vreinterpretq_u64_f64(dd), 0), dbits((double)0.1f));
    float32x4_t n2 = vcvt_high_f32_f64(OPQ(vdup_n_f32(7.0f)), OPQ(((float64x2_t){0.1, 1e300})));
    CHECK("fcvtn2 keeps the low half", lo64(n2), pack(sbits(7.0f), sbits(7.0f)));
    CHECK("fcvtn2 s", hi64(n2), pack(sbits((float)0.1), 0x7f800000));
    float32x2_t xn = vcvtx_f32_f64(OPQ(((float64x2_t){1.0 + 0x1p-30, 0.1})));
    CHECK("fcvtxn rounds to odd", vget_lane_u32(vreinterpret_u32_f32(xn), 0), 0x3f800001);
}

static void round_test(void) {
    float32x4_t v = OPQ(((float32x4_t){1.5f, -1.5f, 2.5f, -0.25f}));
    CHECK("frintn", hi64(vrndnq_f32(v)), pack(sbits(2.0f), sbits(-0.0f)));
    CHECK("frinta", lo64(vrndaq_f32(v)), pack(sbits(2.0f), sbits(-2.0f)));
    CHECK("frintm", hi64(vrndmq_f32(v)), pack(sbits(2.0f), sbits(-1.0f)));
    CHECK("frintp", lo64(vrndpq_f32(v)), pack(sbits(2.0f), sbits(-1.0f)));
    CHECK("frintz", lo64(vrndq_f32(v)), pack(sbits(1.0f), sbits(-1.0f)));
    set_fpcr(1u << 22);  // round towards +inf
    clear_fpsr();
    CHECK("frinti (FPCR +inf)", hi64(vrndiq_f32(v)), pack(sbits(3.0f), sbits(-0.0f)));
    CHECK("frinti is not exact", fpsr() & 0x10, 0);
    float64x2_t d = vrndxq_f64(OPQ(((float64x2_t){1.25, -1.75})));
    CHECK("frintx (FPCR +inf)", vgetq_lane_u64(vreinterpretq_u64_f64(d), 1), dbits(-1.0));
    CHECK("frintx sets IXC", fpsr() & 0x10, 0x10);
    set_fpcr(0);
}

static void minmax_test(void) {
    float nan = __builtin_nanf("");
    float32x4_t v = OPQ(((float32x4_t){1.0f, nan, 3.0f, -2.0f}));
    float r = vmaxvq_f32(v);
    CHECK("fmaxv propagates NaN", sbits(r) & 0x7fc00000, 0x7fc00000);
    CHECK("fmaxnmv ignores quiet NaN", sbits(vmaxnmvq_f32(v)), sbits(3.0f));
    CHECK("fminnmv", sbits(vminnmvq_f32(v)), sbits(-2.0f));
    CHECK("fminv", sbits(vminvq_f32(OPQ(((float32x4_t){4.0f, -0.0f, 0.0f, 9.0f})))), sbits(-0.0f));
    float32x4_t a = OPQ(((float32x4_t){1.0f, 2.0f, 3.0f, 4.0f})),
                b = OPQ(((float32x4_t){-1.0f, -5.0f, 8.0f, 7.0f}));
    CHECK("fmaxp", hi64(vpmaxq_f32(a, b)), pack(sbits(-1.0f), sbits(8.0f)));
    CHECK("fminp", lo64(vpminq_f32(a, b)), pack(sbits(1.0f), sbits(3.0f)));
    CHECK("fmaxnmp d", dbits(vpmaxnmqd_f64(OPQ(((float64x2_t){__builtin_nan(""), 5.0})))),
          dbits(5.0));
    CHECK("fminp s", sbits(vpmins_f32(OPQ(((float32x2_t){6.0f, -6.0f})))), sbits(-6.0f));
    float32x4_t c = OPQ(((float32x4_t){-1.0f, 0.0f, -0.0f, 2.0f}));
    CHECK("fcmge #0", vgetq_lane_u64(vreinterpretq_u64_u32(vcgezq_f32(c)), 1),
          0xffffffffffffffffull);
    CHECK("fcmlt #0", vgetq_lane_u64(vreinterpretq_u64_u32(vcltzq_f32(c)), 0), 0xffffffffull);
    CHECK("fcmle #0", vgetq_lane_u64(vreinterpretq_u64_u32(vclezq_f32(c)), 1), 0xffffffffull);
    uint32x4_t ac;
    __asm__ volatile("facgt %0.4s, %1.4s, %2.4s" : "=w"(ac) : "w"(c), "w"(a));
    CHECK("facgt", vgetq_lane_u64(vreinterpretq_u64_u32(ac), 0), 0);
    __asm__ volatile("facge %0.4s, %1.4s, %2.4s" : "=w"(ac) : "w"(a), "w"(c));
    CHECK("facge", vgetq_lane_u64(vreinterpretq_u64_u32(ac), 1), 0xffffffffffffffffull);
}

// A loop the compiler vectorises at -O2 (float <-> int conversions).
static int32_t ints[64];
static float floats[64];
static void vectorised_loop_test(void) {
    for (int i = 0; i < 64; ++i)
        ints[i] = (i - 32) * 7919;
    for (int i = 0; i < 64; ++i)
        floats[i] = (float)ints[i] * 0.25f;
    int bad = 0;
    for (int i = 0; i < 64; ++i)
        bad += (int32_t)(floats[i] * 4.0f) != ints[i];
    CHECK("vectorised int <-> float loop", bad, 0);
}

int main(uint64_t dtb) {
    set_fpcr(0);
    matmul_test();
    estimate_test();
    convert_test();
    round_test();
    minmax_test();
    vectorised_loop_test();
    return 0;
}

// AdvSIMD floating-point workload for bench/arm_simd_fp.sh, kept in
// registers (the MMU stays off): 4x4 single-precision matrix products by
// element (FMUL/FMLA), vector normalisation with FRSQRTE/FRSQRTS, a
// double-precision FMLA-by-element recurrence, and float <-> fixed-point
// round trips (FCVTNS, SCVTF #n, FRINTM, FMAXNMV). Prints the results as
// bit patterns (the bench compares them between emulators). BENCH_SCALE
// (default 8) multiplies the work.
#include <arm_neon.h>

#include "lib/fpbits.h"
#include "lib/rt.h"

#ifndef BENCH_SCALE
#define BENCH_SCALE 8
#endif

int main(uint64_t dtb) {
    __asm__ volatile("msr fpcr, xzr");
    // A rotation-like matrix (entries of magnitude < 1 keep products finite).
    float32x4_t r0 = {0.6f, -0.8f, 0.0f, 0.01f}, r1 = {0.8f, 0.6f, 0.0f, -0.01f},
                r2 = {0.0f, 0.0f, 1.0f, 0.001f}, r3 = {0.001f, 0.0f, 0.0f, 0.999f};
    float32x4_t m0 = {1, 0, 0, 0}, m1 = {0, 1, 0, 0}, m2 = {0, 0, 1, 0}, m3 = {0, 0, 0, 1};
    for (uint32_t i = 0; i < 40000u * BENCH_SCALE; ++i) {
        float32x4_t a0 = vmulq_laneq_f32(r0, m0, 0), a1 = vmulq_laneq_f32(r0, m1, 0),
                    a2 = vmulq_laneq_f32(r0, m2, 0), a3 = vmulq_laneq_f32(r0, m3, 0);
        a0 = vfmaq_laneq_f32(a0, r1, m0, 1), a1 = vfmaq_laneq_f32(a1, r1, m1, 1);
        a2 = vfmaq_laneq_f32(a2, r1, m2, 1), a3 = vfmaq_laneq_f32(a3, r1, m3, 1);
        a0 = vfmaq_laneq_f32(a0, r2, m0, 2), a1 = vfmaq_laneq_f32(a1, r2, m1, 2);
        a2 = vfmaq_laneq_f32(a2, r2, m2, 2), a3 = vfmaq_laneq_f32(a3, r2, m3, 2);
        a0 = vfmaq_laneq_f32(a0, r3, m0, 3), a1 = vfmaq_laneq_f32(a1, r3, m1, 3);
        a2 = vfmaq_laneq_f32(a2, r3, m2, 3), a3 = vfmaq_laneq_f32(a3, r3, m3, 3);
        m0 = a0, m1 = a1, m2 = a2, m3 = a3;
    }
    printf("matmul %08x %08x %08x %08x\n", sbits(vgetq_lane_f32(m0, 0)),
           sbits(vgetq_lane_f32(m1, 1)), sbits(vgetq_lane_f32(m2, 2)),
           sbits(vgetq_lane_f32(m3, 3)));

    // Normalise a drifting vector with the reciprocal square root estimate.
    float32x4_t v = {3.0f, 4.0f, 12.0f, 0.5f}, acc = vdupq_n_f32(0.0f);
    for (uint32_t i = 0; i < 30000u * BENCH_SCALE; ++i) {
        float32x4_t sq = vmulq_f32(v, v);
        float32x4_t len2 = vdupq_n_f32(vaddvq_f32(sq));
        float32x4_t e = vrsqrteq_f32(len2);
        e = vmulq_f32(e, vrsqrtsq_f32(vmulq_f32(len2, e), e));
        e = vmulq_f32(e, vrsqrtsq_f32(vmulq_f32(len2, e), e));
        float32x4_t unit = vmulq_f32(v, e);
        acc = vaddq_f32(acc, unit);
        v = vfmaq_n_f32(v, unit, 0.125f);
    }
    printf("rsqrt %08x %08x\n", sbits(vgetq_lane_f32(acc, 0)), sbits(vgetq_lane_f32(acc, 3)));

    // Double precision recurrence by element.
    float64x2_t x = {1.0, 0.5}, c = {0.999, 0.001};
    for (uint32_t i = 0; i < 60000u * BENCH_SCALE; ++i) {
        float64x2_t t = vmulq_laneq_f64(x, c, 0);
        x = vfmaq_laneq_f64(t, vextq_f64(x, x, 1), c, 1);
    }
    printf("double %016lx %016lx\n", dbits(vgetq_lane_f64(x, 0)), dbits(vgetq_lane_f64(x, 1)));

    // Fixed point round trips and reductions.
    float32x4_t f = {1.25f, -7.5f, 100.0f, 0.3f};
    int32x4_t isum = vdupq_n_s32(0);
    float best = 0.0f;
    for (uint32_t i = 0; i < 30000u * BENCH_SCALE; ++i) {
        int32x4_t q = vcvtnq_s32_f32(vmulq_n_f32(f, 256.0f));
        isum = vaddq_s32(isum, q);
        float32x4_t back = vcvtq_n_f32_s32(q, 8);
        f = vaddq_f32(vrndmq_f32(back), vmulq_n_f32(vsubq_f32(back, vrndmq_f32(back)), 1.5f));
        best = vmaxnmvq_f32(f) + best * 0.5f;
    }
    printf("fixed %08x %08x %08x\n", (uint32_t)vgetq_lane_s32(isum, 0),
           (uint32_t)vgetq_lane_s32(isum, 3), sbits(best));
    return 0;
}

// Integer AdvSIMD as fixed-point media code uses it: saturating mixes,
// Q15 gains (SQRDMULH by element), rounding averages, narrowing with
// saturation, rounding shifts, sums of absolute differences (UABAL,
// UADALP) and FPSR.QC. Each kernel runs over a buffer and is compared with
// a plain C model of the Arm pseudocode, element by element.
#include <arm_neon.h>

#include "lib/rt.h"

#define N 64

static int16_t a16[N] __attribute__((aligned(16)));
static int16_t b16[N] __attribute__((aligned(16)));
static int16_t r16[N] __attribute__((aligned(16)));
static int32_t a32[N] __attribute__((aligned(16)));
static uint8_t p8[N] __attribute__((aligned(16)));
static uint8_t q8[N] __attribute__((aligned(16)));
static uint8_t r8[N] __attribute__((aligned(16)));
static uint16_t w16[N] __attribute__((aligned(16)));

static uint32_t lcg = 12345;
static uint32_t rnd(void) {
    lcg = lcg * 1103515245u + 12345u;
    return lcg >> 8;
}
// Edge values mixed in: the saturation boundaries are what matter here.
static int16_t rnd16(void) {
    static const int16_t edges[] = {0, 1, -1, 32767, -32768, 16384, -16384, 255};
    uint32_t r = rnd();
    return (r & 3) == 0 ? edges[(r >> 2) & 7] : (int16_t)(r >> 4);
}

static int32_t sat16(int32_t v) {
    return v > 32767 ? 32767 : v < -32768 ? -32768 : v;
}
static uint32_t satu8(int32_t v) {
    return v > 255 ? 255 : v < 0 ? 0 : (uint32_t)v;
}

static uint32_t read_fpsr(void) {
    uint64_t v;
    __asm__ volatile("mrs %0, fpsr" : "=r"(v));
    return (uint32_t)v;
}
static void write_fpsr(uint32_t v) {
    __asm__ volatile("msr fpsr, %0" : : "r"((uint64_t)v));
}

int main(uint64_t dtb) {
    for (int i = 0; i < N; ++i) {
        a16[i] = rnd16();
        b16[i] = rnd16();
        a32[i] = (int32_t)(rnd() << 9) ^ (int32_t)rnd();
        p8[i] = (uint8_t)rnd();
        q8[i] = (uint8_t)rnd();
    }

    // Saturating mix of two 16-bit streams.
    write_fpsr(0);
    for (int i = 0; i < N; i += 8)
        vst1q_s16(r16 + i, vqaddq_s16(vld1q_s16(a16 + i), vld1q_s16(b16 + i)));
    int bad = 0, sat = 0;
    for (int i = 0; i < N; ++i) {
        int32_t want = sat16(a16[i] + b16[i]);
        bad += r16[i] != want;
        sat |= want != a16[i] + b16[i];
    }
    CHECK("sqadd .8h mix", bad, 0);
    CHECK("sqadd sets QC when it saturates", (read_fpsr() >> 27) & 1, sat);

    // Q15 gain: SQRDMULH by element (lane 1 of the coefficient vector).
    int16_t coef[8] __attribute__((aligned(16))) = {0, 23170, -32768, 0, 0, 0, 0, 0};
    int16x8_t c = vld1q_s16(coef);
    for (int lane = 1; lane <= 2; ++lane) {
        for (int i = 0; i < N; i += 8) {
            int16x8_t x = vld1q_s16(a16 + i);
            vst1q_s16(r16 + i,
                      lane == 1 ? vqrdmulhq_laneq_s16(x, c, 1) : vqrdmulhq_laneq_s16(x, c, 2));
        }
        bad = 0;
        for (int i = 0; i < N; ++i) {
            int64_t p = 2 * (int64_t)a16[i] * coef[lane] + (1 << 15);
            bad += r16[i] != sat16((int32_t)(p >> 16));
        }
        CHECK(lane == 1 ? "sqrdmulh by element (Q15 0.7071)" : "sqrdmulh by element (-1.0)", bad,
              0);
    }

    // Rounding average of pixels; halving difference.
    for (int i = 0; i < N; i += 16)
        vst1q_u8(r8 + i, vrhaddq_u8(vld1q_u8(p8 + i), vld1q_u8(q8 + i)));
    bad = 0;
    for (int i = 0; i < N; ++i)
        bad += r8[i] != (uint8_t)((p8[i] + q8[i] + 1) >> 1);
    CHECK("urhadd .16b", bad, 0);
    for (int i = 0; i < N; i += 8)
        vst1q_s16(r16 + i, vhsubq_s16(vld1q_s16(a16 + i), vld1q_s16(b16 + i)));
    bad = 0;
    for (int i = 0; i < N; ++i)
        bad += r16[i] != (int16_t)((a16[i] - b16[i]) >> 1);
    CHECK("shsub .8h", bad, 0);

    // 32 -> 16 saturating narrow (SQXTN, SQXTN2) and 16 -> 8 unsigned with
    // a rounding shift (SQRSHRUN, as when scaling 12-bit samples to 8 bits).
    for (int i = 0; i < N; i += 8) {
        int16x4_t lo = vqmovn_s32(vld1q_s32(a32 + i));
        vst1q_s16(r16 + i, vqmovn_high_s32(lo, vld1q_s32(a32 + i + 4)));
    }
    bad = 0;
    for (int i = 0; i < N; ++i)
        bad += r16[i] != (a32[i] > 32767 ? 32767 : a32[i] < -32768 ? -32768 : a32[i]);
    CHECK("sqxtn/sqxtn2 .4s -> .8h", bad, 0);
    for (int i = 0; i < N; i += 8)
        vst1_u8(r8 + i, vqrshrun_n_s16(vld1q_s16(a16 + i), 4));
    bad = 0;
    for (int i = 0; i < N; ++i)
        bad += r8[i] != satu8((a16[i] + 8) >> 4);
    CHECK("sqrshrun #4 .8h -> .8b", bad, 0);

    // Sum of absolute differences: UABDL/UABAL into 16-bit, UADALP to 32-bit.
    uint16x8_t acc = vdupq_n_u16(0);
    for (int i = 0; i < N; i += 16) {
        uint8x16_t x = vld1q_u8(p8 + i), y = vld1q_u8(q8 + i);
        acc = vabal_u8(acc, vget_low_u8(x), vget_low_u8(y));
        acc = vabal_high_u8(acc, x, y);
    }
    vst1q_u16(w16, acc);
    uint32x4_t acc32 = vpadalq_u16(vdupq_n_u32(1), acc);
    uint32_t sad_simd = vgetq_lane_u32(acc32, 0) + vgetq_lane_u32(acc32, 1) +
                        vgetq_lane_u32(acc32, 2) + vgetq_lane_u32(acc32, 3) - 4;
    uint32_t sad = 0;
    for (int i = 0; i < N; ++i)
        sad += p8[i] > q8[i] ? p8[i] - q8[i] : q8[i] - p8[i];
    CHECK("uabal/uabal2/uadalp SAD", sad_simd, sad);

    // Rounding shift by a signed register amount, saturating left shifts.
    write_fpsr(0);
    int16_t sh[8] __attribute__((aligned(16))) = {-3, -1, 0, 1, 4, 15, 16, -16};
    int16x8_t shv = vld1q_s16(sh);
    bad = 0;
    for (int i = 0; i < N; i += 8) {
        int16x8_t x = vld1q_s16(a16 + i);
        vst1q_s16(r16 + i, vqrshlq_s16(x, shv));
        for (int k = 0; k < 8; ++k) {
            int64_t v = a16[i + k];
            int s = sh[k];
            v = s >= 0 ? v * ((int64_t)1 << s) : (v + ((int64_t)1 << (-s - 1))) >> -s;
            bad += r16[i + k] != (v > 32767 ? 32767 : v < -32768 ? -32768 : v);
        }
    }
    CHECK("sqrshl .8h", bad, 0);
    CHECK("sqrshl saturated some lane (QC)", (read_fpsr() >> 27) & 1, 1);

    // CLZ / CLS per lane.
    bad = 0;
    for (int i = 0; i < N; i += 8) {
        int16x8_t x = vld1q_s16(a16 + i);
        vst1q_s16(r16 + i, vclzq_s16(x));
        for (int k = 0; k < 8; ++k) {
            uint16_t v = (uint16_t)a16[i + k];
            int n = 0;
            while (n < 16 && !(v & (0x8000 >> n)))
                ++n;
            bad += r16[i + k] != n;
        }
        vst1q_s16(r16 + i, vclsq_s16(x));
        for (int k = 0; k < 8; ++k) {
            uint16_t v = (uint16_t)a16[i + k];
            int n = 0;
            while (n < 15 && ((v >> (14 - n)) & 1) == (v >> 15))
                ++n;
            bad += r16[i + k] != n;
        }
    }
    CHECK("clz/cls .8h", bad, 0);
    return 0;
}

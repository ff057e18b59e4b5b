// Integer AdvSIMD workload for bench/arm_simd_int.sh: fixed-point audio
// (SQADD mix, SQRDMULH gain by element, SQRSHRUN to 8 bits) and video
// (URHADD averages, UABAL/UADALP sums of absolute differences) kernels over
// 8 KiB buffers, as codecs run them. Prints checksums (the bench compares
// them between emulators) after checking one pass against a C model so a
// wrong translation cannot look fast. BENCH_SCALE (default 8) multiplies
// the work. The MMU is on (RAM is Normal memory, as under an OS).
#include <arm_neon.h>

#include "lib/rt.h"

#ifndef BENCH_SCALE
#define BENCH_SCALE 8
#endif

#define N 4096

static int16_t a16[N] __attribute__((aligned(16)));
static int16_t b16[N] __attribute__((aligned(16)));
static int16_t mix[N] __attribute__((aligned(16)));
static uint8_t out8[N] __attribute__((aligned(16)));
static uint8_t p8[N] __attribute__((aligned(16)));
static uint8_t q8[N] __attribute__((aligned(16)));

// mix = sqrdmulh(sqadd(a, b), gain[1]); out8 = sqrshrun(mix, 4).
static void audio(int16x8_t gain) {
    for (int i = 0; i < N; i += 8) {
        int16x8_t s = vqaddq_s16(vld1q_s16(a16 + i), vld1q_s16(b16 + i));
        int16x8_t g = vqrdmulhq_laneq_s16(s, gain, 1);
        vst1q_s16(mix + i, g);
        vst1_u8(out8 + i, vqrshrun_n_s16(g, 4));
    }
}

// Sum of absolute differences between p and the rounding average of p, q.
static uint32_t video(void) {
    uint32x4_t acc32 = vdupq_n_u32(0);
    for (int i = 0; i < N; i += 256) {
        uint16x8_t acc = vdupq_n_u16(0);
        for (int j = i; j < i + 256; j += 16) {
            uint8x16_t x = vld1q_u8(p8 + j);
            uint8x16_t avg = vrhaddq_u8(x, vld1q_u8(q8 + j));
            acc = vabal_u8(acc, vget_low_u8(x), vget_low_u8(avg));
            acc = vabal_high_u8(acc, x, avg);
        }
        acc32 = vpadalq_u16(acc32, acc);
    }
    return vaddvq_u32(acc32);
}

static int32_t sat16(int32_t v) {
    return v > 32767 ? 32767 : v < -32768 ? -32768 : v;
}

int main(uint64_t dtb) {
    rt_mmu_identity_on();
    uint32_t lcg = 1;
    for (int i = 0; i < N; ++i) {
        lcg = lcg * 1103515245u + 12345u;
        a16[i] = (int16_t)(lcg >> 12);
        b16[i] = (int16_t)(lcg >> 3);
        p8[i] = (uint8_t)(lcg >> 20);
        q8[i] = (uint8_t)(lcg >> 7);
    }
    int16_t coef[8] __attribute__((aligned(16))) = {0, 23170, 0, 0, 0, 0, 0, 0};
    int16x8_t gain = vld1q_s16(coef);

    // Correctness first: one pass of each kernel against the C model.
    audio(gain);
    int bad = 0;
    for (int i = 0; i < N; ++i) {
        int32_t s = sat16(a16[i] + b16[i]);
        int32_t g = sat16((int32_t)((2 * (int64_t)s * 23170 + (1 << 15)) >> 16));
        int32_t o = (g + 8) >> 4;
        bad += mix[i] != g || out8[i] != (o > 255 ? 255 : o < 0 ? 0 : o);
    }
    CHECK("audio kernel", bad, 0);
    uint32_t sad = 0;
    for (int i = 0; i < N; ++i) {
        int avg = (p8[i] + q8[i] + 1) >> 1;
        sad += p8[i] > avg ? p8[i] - avg : avg - p8[i];
    }
    CHECK("video kernel", video(), sad);

    uint32_t h = 0;
    for (uint32_t r = 0; r < 200u * BENCH_SCALE; ++r) {
        coef[1] = (int16_t)(23170 - r);
        audio(vld1q_s16(coef));
        h = h * 31 + (uint16_t)mix[r % N] + out8[(r * 7) % N];
    }
    printf("audio %08x\n", h);
    uint32_t v = 0;
    for (uint32_t r = 0; r < 200u * BENCH_SCALE; ++r) {
        p8[r % N] ^= (uint8_t)r;
        v = v * 31 + video();
    }
    printf("video %08x\n", v);
    return 0;
}

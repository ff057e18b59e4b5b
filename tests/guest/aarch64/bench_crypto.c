// Crypto-instruction workload for bench/arm_crypto.sh: AES-128 in counter
// mode (AESE/AESMC), SHA-256 compression (SHA256H/H2/SU0/SU1) and a
// PMULL/PMULL2 fold, as the Linux -ce drivers run them. Prints the results
// (the bench compares them between emulators) and checks an AES round trip
// and SHA-256("abc") so a wrong translation cannot look fast. The MMU is
// turned on (identity map, RAM cacheable) so that memory accesses are to
// Normal memory as under an OS. BENCH_SCALE (default 8) multiplies the work.
#include "lib/rt.h"

#pragma GCC target("+aes+sha2")

#ifndef BENCH_SCALE
#define BENCH_SCALE 8
#endif

#include "lib/sha256_ce.h"

static w4 aese_mc(w4 s, w4 k) {
    __asm__("aese %0.16b, %1.16b\n aesmc %0.16b, %0.16b" : "+w"(s) : "w"(k));
    return s;
}
static w4 aese(w4 s, w4 k) {
    __asm__("aese %0.16b, %1.16b" : "+w"(s) : "w"(k));
    return s;
}
static w4 aesd_imc(w4 s, w4 k) {
    __asm__("aesd %0.16b, %1.16b\n aesimc %0.16b, %0.16b" : "+w"(s) : "w"(k));
    return s;
}
static w4 aesd(w4 s, w4 k) {
    __asm__("aesd %0.16b, %1.16b" : "+w"(s) : "w"(k));
    return s;
}
static w4 aesimc(w4 s) {
    __asm__("aesimc %0.16b, %0.16b" : "+w"(s));
    return s;
}

static w4 rk[11], dk[11];

static void key_schedule(void) {
    rk[0] = W(0x03020100, 0x07060504, 0x0b0a0908, 0x0f0e0d0c);
    uint32_t rcon = 1;
    for (int r = 1; r <= 10; ++r) {
        uint32_t p = rk[r - 1][3];
        uint32_t sub = aese(W(p, p, p, p), W(0, 0, 0, 0))[0];
        w4 k;
        k[0] = rk[r - 1][0] ^ ((sub >> 8 | sub << 24) ^ rcon);
        k[1] = rk[r - 1][1] ^ k[0];
        k[2] = rk[r - 1][2] ^ k[1];
        k[3] = rk[r - 1][3] ^ k[2];
        rk[r] = k;
        rcon = ((rcon << 1) ^ ((rcon & 0x80) ? 0x1b : 0)) & 0xff;
    }
    dk[0] = rk[0];
    dk[10] = rk[10];
    for (int r = 1; r < 10; ++r) dk[r] = aesimc(rk[r]);
}

static w4 encrypt(w4 s) {
    for (int r = 0; r < 9; ++r) s = aese_mc(s, rk[r]);
    return aese(s, rk[9]) ^ rk[10];
}
static w4 decrypt(w4 s) {
    s = aesd_imc(s, rk[10]);
    for (int r = 9; r > 1; --r) s = aesd_imc(s, dk[r]);
    return aesd(s, dk[1]) ^ rk[0];
}

static uint32_t k256[64];

int main(uint64_t dtb) {
    rt_mmu_identity_on();
    key_schedule();
    uint32_t h0[8];
    sha256_constants(h0, k256);

    // Correctness first: AES round trip and SHA-256("abc").
    w4 pt = W(0x33221100, 0x77665544, 0xbbaa9988, 0xffeeddcc);
    w4 ct = encrypt(pt);
    CHECK("AES-128 C.1", ct[0] == 0xd8e0c469 && ct[3] == 0x5ac5b470, 1);
    w4 back = decrypt(ct);
    CHECK("AES-128 round trip", back[0] == pt[0] && back[3] == pt[3], 1);
    w4 abc[4] = {W(0x61626380, 0, 0, 0), W(0, 0, 0, 0), W(0, 0, 0, 0), W(0, 0, 0, 24)};
    w4 h[2] = {W(h0[0], h0[1], h0[2], h0[3]), W(h0[4], h0[5], h0[6], h0[7])};
    sha256_ce_block(h, abc, k256);
    CHECK("SHA-256(abc)", h[0][0] == 0xba7816bf && h[1][3] == 0xf20015ad, 1);

    // AES-128-CTR keystream, folded.
    w4 acc = W(0, 0, 0, 0);
    for (uint32_t i = 0; i < 20000u * BENCH_SCALE; ++i) acc ^= encrypt(W(i, 0, 0, 0x01000000));
    printf("aes-ctr %08x %08x %08x %08x\n", acc[0], acc[1], acc[2], acc[3]);

    // SHA-256 over a generated stream of blocks.
    w4 blk[4];
    for (uint32_t i = 0; i < 6000u * BENCH_SCALE; ++i) {
        for (int j = 0; j < 4; ++j) blk[j] = W(i, i * 3 + j, i ^ 0x5a5a5a5a, j);
        sha256_ce_block(h, blk, k256);
    }
    printf("sha256 %08x %08x %08x %08x\n", h[0][0], h[0][1], h[1][2], h[1][3]);

    // GHASH-style carry-less multiply-accumulate.
    w4 x = W(0x12345678, 0x9abcdef0, 0x0fedcba9, 0x87654321), y = W(1, 2, 3, 4), z = W(0, 0, 0, 0);
    for (uint32_t i = 0; i < 40000u * BENCH_SCALE; ++i) {
        w4 lo, hi;
        __asm__("pmull %0.1q, %2.1d, %3.1d\n pmull2 %1.1q, %2.2d, %3.2d"
                : "=&w"(lo), "=&w"(hi)
                : "w"(x), "w"(y));
        z ^= lo ^ hi;
        x = z ^ W(i, 0, 0, 0);
        y += W(1, 1, 1, 1);
    }
    printf("pmull %08x %08x %08x %08x\n", z[0], z[1], z[2], z[3]);
    return 0;
}

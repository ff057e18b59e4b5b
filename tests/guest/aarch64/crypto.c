// Cryptographic Extension instructions against published known answers:
// AES-128 (FIPS-197 C.1) with AESE/AESMC and AESD/AESIMC, SHA-1 and
// SHA-256 of "abc" (FIPS 180-4) with the SHA1*/SHA256* instructions, and
// PMULL/PMULL2 on products with known results. ID_AA64ISAR0_EL1 must
// advertise each feature used.
#include "lib/rt.h"

#pragma GCC target("+aes+sha2")

#include "lib/sha256_ce.h"

typedef uint8_t v16 __attribute__((vector_size(16)));

static int veq(w4 a, w4 b) {
    return a[0] == b[0] && a[1] == b[1] && a[2] == b[2] && a[3] == b[3];
}

static w4 aese(w4 s, w4 k) {
    __asm__("aese %0.16b, %1.16b" : "+w"(s) : "w"(k));
    return s;
}
static w4 aesd(w4 s, w4 k) {
    __asm__("aesd %0.16b, %1.16b" : "+w"(s) : "w"(k));
    return s;
}
static w4 aesmc(w4 s) {
    w4 r;
    __asm__("aesmc %0.16b, %1.16b" : "=w"(r) : "w"(s));
    return r;
}
static w4 aesimc(w4 s) {
    w4 r;
    __asm__("aesimc %0.16b, %1.16b" : "=w"(r) : "w"(s));
    return r;
}

// FIPS-197 words are big-endian byte strings; a register lane holds them
// little-endian, so byte strings are loaded as words with swapped bytes.
static uint32_t be(uint32_t x) {
    return __builtin_bswap32(x);
}

static void test_aes(void) {
    w4 rk[11];
    rk[0] = W(be(0x00010203), be(0x04050607), be(0x08090a0b), be(0x0c0d0e0f));
    uint32_t rcon = 1;
    for (int r = 1; r <= 10; ++r) {
        uint32_t p = rk[r - 1][3];
        // SubWord by AESE with a zero key on four equal columns.
        uint32_t sub = aese(W(p, p, p, p), W(0, 0, 0, 0))[0];
        uint32_t t = (sub >> 8 | sub << 24) ^ rcon;
        w4 k;
        k[0] = rk[r - 1][0] ^ t;
        k[1] = rk[r - 1][1] ^ k[0];
        k[2] = rk[r - 1][2] ^ k[1];
        k[3] = rk[r - 1][3] ^ k[2];
        rk[r] = k;
        rcon = ((rcon << 1) ^ ((rcon & 0x80) ? 0x1b : 0)) & 0xff;
    }
    CHECK("AES-128 last round key (FIPS-197 A.1)",
          veq(rk[10], W(be(0x13111d7f), be(0xe3944a17), be(0xf307a78b), be(0x4d2b30c5))), 1);
    w4 pt = W(be(0x00112233), be(0x44556677), be(0x8899aabb), be(0xccddeeff));
    w4 ct = W(be(0x69c4e0d8), be(0x6a7b0430), be(0xd8cdb780), be(0x70b4c55a));
    w4 s = pt;
    for (int r = 0; r < 9; ++r)
        s = aesmc(aese(s, rk[r]));
    s = aese(s, rk[9]) ^ rk[10];
    CHECK("AES-128 encrypt (FIPS-197 C.1)", veq(s, ct), 1);
    s = aesd(ct, rk[10]);
    for (int r = 9; r >= 1; --r)
        s = aesd(aesimc(s), aesimc(rk[r]));
    s ^= rk[0];
    CHECK("AES-128 decrypt (FIPS-197 C.1)", veq(s, pt), 1);
}

static void block_abc(w4 w[4]) {
    for (int i = 0; i < 4; ++i) w[i] = W(0, 0, 0, 0);
    w[0][0] = 0x61626380;
    w[3][3] = 24;
}

static void test_sha256(void) {
    static uint32_t k[64], h0[8];
    sha256_constants(h0, k);
    w4 w[4];
    block_abc(w);
    w4 h[2] = {W(h0[0], h0[1], h0[2], h0[3]), W(h0[4], h0[5], h0[6], h0[7])};
    sha256_ce_block(h, w, k);
    CHECK("SHA-256(abc) words 0-3", veq(h[0], W(0xba7816bf, 0x8f01cfea, 0x414140de, 0x5dae2223)),
          1);
    CHECK("SHA-256(abc) words 4-7", veq(h[1], W(0xb00361a3, 0x96177a9c, 0xb410ff61, 0xf20015ad)),
          1);
}

static void test_sha1(void) {
    static const uint32_t kk[4] = {0x5a827999, 0x6ed9eba1, 0x8f1bbcdc, 0xca62c1d6};
    w4 w[4];
    block_abc(w);
    w4 h = W(0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476);
    w4 abcd = h;
    w4 e = W(0xc3d2e1f0, 0, 0, 0);
    for (int g = 0; g < 20; ++g) {
        uint32_t c = kk[g / 5];
        w4 wk = w[g % 4] + W(c, c, c, c);
        w4 e_next;
        __asm__("sha1h %s0, %s1" : "=w"(e_next) : "w"(abcd));
        if (g < 5)
            __asm__("sha1c %q0, %s1, %2.4s" : "+w"(abcd) : "w"(e), "w"(wk));
        else if (g < 10 || g >= 15)
            __asm__("sha1p %q0, %s1, %2.4s" : "+w"(abcd) : "w"(e), "w"(wk));
        else
            __asm__("sha1m %q0, %s1, %2.4s" : "+w"(abcd) : "w"(e), "w"(wk));
        e = e_next;
        if (g < 16) {
            w4 w0 = w[g % 4];
            __asm__("sha1su0 %0.4s, %1.4s, %2.4s"
                    : "+w"(w0)
                    : "w"(w[(g + 1) % 4]), "w"(w[(g + 2) % 4]));
            __asm__("sha1su1 %0.4s, %1.4s" : "+w"(w0) : "w"(w[(g + 3) % 4]));
            w[g % 4] = w0;
        }
    }
    abcd += h;
    CHECK("SHA-1(abc) words 0-3", veq(abcd, W(0xa9993e36, 0x4706816a, 0xba3e2571, 0x7850c26c)),
          1);
    CHECK("SHA-1(abc) word 4", e[0] + 0xc3d2e1f0, 0x9cd0d89d);
    // SHA1H clears everything above the low word.
    w4 r, in = W(0x80000001, 5, 6, 7);
    __asm__("sha1h %s0, %s1" : "=w"(r) : "w"(in));
    CHECK("sha1h", veq(r, W(0x60000000, 0, 0, 0)), 1);
}

static void test_pmull(void) {
    w4 a = W(0, 0x80000000, 0x87, 0), b = W(0, 0x80000000, 3, 0), r;
    __asm__("pmull %0.1q, %1.1d, %2.1d" : "=w"(r) : "w"(a), "w"(b));
    CHECK("pmull .1q: x^63 * x^63 = x^126", veq(r, W(0, 0, 0, 0x40000000)), 1);
    __asm__("pmull2 %0.1q, %1.2d, %2.2d" : "=w"(r) : "w"(a), "w"(b));
    CHECK("pmull2 .1q: 0x87 * 3 = 0x189", veq(r, W(0x189, 0, 0, 0)), 1);
    // 8-bit lanes: 0xff * 0xff = 0x5555; 0x80 * 0x80 = 0x4000; x * 1 = x.
    v16 n = {0xff, 0x80, 0x12, 0x00, 1, 2, 3, 4, 0xff, 0x80, 0x12, 0x00, 1, 2, 3, 4};
    v16 m = {0xff, 0x80, 0x01, 0xff, 1, 2, 3, 4, 1, 0x80, 0x03, 0x55, 3, 3, 3, 3};
    w4 p;
    __asm__("pmull %0.8h, %1.8b, %2.8b" : "=w"(p) : "w"(n), "w"(m));
    CHECK("pmull .8h", veq(p, W(0x40005555, 0x00000012, 0x00040001, 0x00100005)), 1);
    __asm__("pmull2 %0.8h, %1.16b, %2.16b" : "=w"(p) : "w"(n), "w"(m));
    CHECK("pmull2 .8h", veq(p, W(0x400000ff, 0x00000036, 0x00060003, 0x000c0005)), 1);
}

int main(uint64_t dtb) {
    uint64_t isar0 = READ_SYSREG(id_aa64isar0_el1);
    CHECK("ID_AA64ISAR0_EL1.AES = AES+PMULL", (isar0 >> 4) & 0xf, 2);
    CHECK("ID_AA64ISAR0_EL1.SHA1", (isar0 >> 8) & 0xf, 1);
    CHECK("ID_AA64ISAR0_EL1.SHA2 >= 1", ((isar0 >> 12) & 0xf) >= 1, 1);
    CHECK("ID_AA64ISAR0_EL1.CRC32", (isar0 >> 16) & 0xf, 1);
    test_aes();
    test_sha256();
    test_sha1();
    test_pmull();
    return 0;
}

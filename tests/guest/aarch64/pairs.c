// Load/store pair: LDP/STP of W, X, S, D and Q registers with signed
// offset, pre- and post-index; LDPSW; the non-temporal LDNP/STNP.
#include "lib/rt.h"

static uint64_t buf[16] __attribute__((aligned(64)));

int main(uint64_t dtb) {
    for (unsigned i = 0; i < 16; ++i) buf[i] = 0x1111111111111111ull * i;
    uint64_t a, b, p;
    __asm__ volatile("ldp %0, %1, [%2, #16]" : "=&r"(a), "=&r"(b) : "r"(buf) : "memory");
    CHECK("ldp x offset (first)", a, 0x2222222222222222ull);
    CHECK("ldp x offset (second)", b, 0x3333333333333333ull);
    __asm__ volatile("ldp %w0, %w1, [%2, #-8]" : "=&r"(a), "=&r"(b) : "r"(&buf[2]) : "memory");
    CHECK("ldp w negative offset", a, 0x11111111);
    CHECK("ldp w second", b, 0x11111111);
    __asm__ volatile("ldpsw %0, %1, [%2]" : "=&r"(a), "=&r"(b) : "r"(&buf[8]) : "memory");
    CHECK("ldpsw sign-extends", a, 0xffffffff88888888ull);
    CHECK("ldpsw second", b, 0xffffffff88888888ull);
    p = (uint64_t)buf;
    __asm__ volatile("ldp %0, %1, [%2, #32]!" : "=&r"(a), "=&r"(b), "+r"(p) : : "memory");
    CHECK("ldp pre-index", a + b, K(0x4444444444444444ull + 0x5555555555555555ull));
    CHECK("ldp pre-index base", p, (uint64_t)&buf[4]);
    __asm__ volatile("ldp %0, %1, [%2], #-16" : "=&r"(a), "=&r"(b), "+r"(p) : : "memory");
    CHECK("ldp post-index", a, 0x4444444444444444ull);
    CHECK("ldp post-index base", p, (uint64_t)&buf[2]);
    __asm__ volatile("ldnp %0, %1, [%2, #64]" : "=&r"(a), "=&r"(b) : "r"(buf) : "memory");
    CHECK("ldnp", b, 0x9999999999999999ull);
    // Stores.
    p = (uint64_t)&buf[10];
    __asm__ volatile("stp %1, %2, [%0, #-16]!" : "+r"(p) : "r"(0xaull), "r"(0xbull) : "memory");
    CHECK("stp pre-index", buf[8] * 16 + buf[9], 0xab);
    CHECK("stp pre-index base", p, (uint64_t)&buf[8]);
    __asm__ volatile("stp %w1, %w2, [%0], #8" : "+r"(p) : "r"(0xcull), "r"(0xdull) : "memory");
    CHECK("stp w post-index", buf[8], 0x0000000d0000000cull);
    CHECK("stp w post-index base", p, (uint64_t)&buf[9]);
    __asm__ volatile("stnp %1, %2, [%0]" : : "r"(&buf[12]), "r"(1ull), "r"(2ull) : "memory");
    CHECK("stnp", buf[12] + buf[13] * 10, 21);
    __asm__ volatile("stp xzr, xzr, [%0]" : : "r"(&buf[14]) : "memory");
    CHECK("stp xzr", buf[14] | buf[15], 0);
    // FP/SIMD register pairs.
    for (unsigned i = 0; i < 16; ++i) buf[i] = 0x0101010101010101ull * (i + 1);
    __asm__ volatile("ldp q0, q1, [%0]\n stp q1, q0, [%0, #64]\n ldp d2, d3, [%0, #16]\n"
                     "stp d3, d2, [%0, #96]\n ldp s4, s5, [%0]\n stp s5, s4, [%0, #112]"
                     : : "r"(buf) : "v0", "v1", "v2", "v3", "v4", "v5", "memory");
    CHECK("ldp/stp q (swap) [8]", buf[8], 0x0303030303030303ull);
    CHECK("ldp/stp q (swap) [10]", buf[10], 0x0101010101010101ull);
    CHECK("ldp/stp q (swap) [11]", buf[11], 0x0202020202020202ull);
    CHECK("ldp/stp d (swap) [12]", buf[12], 0x0404040404040404ull);
    CHECK("ldp/stp d (swap) [13]", buf[13], 0x0303030303030303ull);
    CHECK("ldp/stp s (swap) [14]", buf[14], 0x0101010101010101ull);
    uint64_t qa = 0, qb = 0;
    __asm__ volatile("ldr q6, [%2]\n mov %0, v6.d[0]\n mov %1, v6.d[1]" : "=r"(qa), "=r"(qb) : "r"(&buf[2]) : "v6", "memory");
    CHECK("ldr q", qa ^ qb, K(0x0303030303030303ull ^ 0x0404040404040404ull));
    return 0;
}

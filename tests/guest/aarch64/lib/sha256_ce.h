// SHA-256 with the Cryptographic Extension (SHA256H/H2/SU0/SU1), shared by
// the crypto test and the crypto benchmark. Include after
// `#pragma GCC target("+aes+sha2")`.
#pragma once
#include <stdint.h>

typedef uint32_t w4 __attribute__((vector_size(16)));

static inline w4 W(uint32_t a, uint32_t b, uint32_t c, uint32_t d) {
    w4 r = {a, b, c, d};
    return r;
}

// floor(p^(1/k) * 2^32) mod 2^32 (FIPS 180-4 constants) by integer roots.
static inline uint32_t frac_root(unsigned p, unsigned k) {
    unsigned __int128 target = (unsigned __int128)p << (32 * k);
    unsigned __int128 lo = 0, hi = (unsigned __int128)1 << 36;
    while (lo < hi) {
        unsigned __int128 mid = (lo + hi + 1) >> 1, pw = 1;
        for (unsigned i = 0; i < k; ++i) pw *= mid;
        if (pw <= target)
            lo = mid;
        else
            hi = mid - 1;
    }
    return (uint32_t)lo;
}

// The initial hash h0[8] and round constants k[64], computed from the
// first primes as FIPS 180-4 defines them (not copied tables).
static inline void sha256_constants(uint32_t h0[8], uint32_t k[64]) {
    unsigned n = 0;
    for (unsigned x = 2; n < 64; ++x) {
        int prime = 1;
        for (unsigned d = 2; d * d <= x; ++d) prime &= x % d != 0;
        if (!prime) continue;
        if (n < 8) h0[n] = frac_root(x, 2);
        k[n++] = frac_root(x, 3);
    }
}

// One compression of the 16 message words in (host order) into h
// (h[0] = a..d, h[1] = e..h).
static inline void sha256_ce_block(w4 h[2], const w4 in[4], const uint32_t k[64]) {
    w4 w[4] = {in[0], in[1], in[2], in[3]};
    w4 abcd = h[0], efgh = h[1];
    for (int g = 0; g < 16; ++g) {
        w4 wk = w[g % 4] + W(k[4 * g], k[4 * g + 1], k[4 * g + 2], k[4 * g + 3]);
        w4 prev = abcd;
        __asm__("sha256h %q0, %q1, %2.4s" : "+w"(abcd) : "w"(efgh), "w"(wk));
        __asm__("sha256h2 %q0, %q1, %2.4s" : "+w"(efgh) : "w"(prev), "w"(wk));
        if (g < 12) {
            w4 w0 = w[g % 4];
            __asm__("sha256su0 %0.4s, %1.4s" : "+w"(w0) : "w"(w[(g + 1) % 4]));
            __asm__("sha256su1 %0.4s, %1.4s, %2.4s"
                    : "+w"(w0)
                    : "w"(w[(g + 2) % 4]), "w"(w[(g + 3) % 4]));
            w[g % 4] = w0;
        }
    }
    h[0] += abcd;
    h[1] += efgh;
}

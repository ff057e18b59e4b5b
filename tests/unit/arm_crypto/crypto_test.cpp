// Cryptographic Extension semantics: known-answer tests built from the
// instructions as the Linux -ce drivers use them (FIPS-197 AES-128, FIPS
// 180-4 SHA-1/SHA-256 of "abc"), and the host-accelerated paths
// (AES-NI/PCLMULQDQ/SHA-NI) against the portable ones on random inputs.
#include <array>
#include <cstring>
#include <random>
#include <string>

#include <catch2/catch.hpp>

#include "target/arm/crypto_helpers.h"
#include "target/arm/translate/translator.h"

using namespace emu::arm;

namespace {

using V = std::array<uint8_t, 16>;

V exec(CryptoOp op, V d, const V& n, const V& m, CryptoImpl impl, bool part2 = false) {
    REQUIRE(crypto_exec(op, part2, d.data(), n.data(), m.data(), impl));
    return d;
}
V exec(CryptoOp op, V d, const V& n, const V& m) {
    return exec(op, d, n, m, crypto_default_impl(op));
}

V from_hex(const std::string& h) {
    V v{};
    for (size_t i = 0; i < 16; ++i)
        v[i] = static_cast<uint8_t>(std::stoul(h.substr(2 * i, 2), nullptr, 16));
    return v;
}
V words(uint32_t a, uint32_t b, uint32_t c, uint32_t d) {
    V v;
    uint32_t w[4] = {a, b, c, d};
    std::memcpy(v.data(), w, 16);
    return v;
}
uint32_t word(const V& v, unsigned i) {
    uint32_t w;
    std::memcpy(&w, v.data() + 4 * i, 4);
    return w;
}
V xor_(const V& a, const V& b) {
    V r;
    for (unsigned i = 0; i < 16; ++i)
        r[i] = a[i] ^ b[i];
    return r;
}
V add32(const V& a, const V& b) {
    return words(word(a, 0) + word(b, 0), word(a, 1) + word(b, 1), word(a, 2) + word(b, 2),
                 word(a, 3) + word(b, 3));
}

// FIPS-197 key expansion for AES-128; SubWord through AESE with a zero key
// on a state whose four columns are equal (ShiftRows is then the identity),
// as the kernel's aes-ce key schedule does.
std::array<V, 11> expand_key(const V& key, CryptoImpl impl) {
    std::array<V, 11> rk;
    rk[0] = key;
    uint8_t rcon = 1;
    for (unsigned r = 1; r <= 10; ++r) {
        uint32_t prev = word(rk[r - 1], 3);
        V s = exec(CryptoOp::Aese, words(prev, prev, prev, prev), V{}, V{}, impl);
        uint32_t sub = word(s, 0);
        uint32_t t = (sub >> 8 | sub << 24) ^ rcon;  // RotWord after SubWord (bytes commute)
        uint32_t w0 = word(rk[r - 1], 0) ^ t;
        uint32_t w1 = word(rk[r - 1], 1) ^ w0;
        uint32_t w2 = word(rk[r - 1], 2) ^ w1;
        uint32_t w3 = word(rk[r - 1], 3) ^ w2;
        rk[r] = words(w0, w1, w2, w3);
        rcon = static_cast<uint8_t>(rcon << 1 ^ ((rcon & 0x80) ? 0x1b : 0));
    }
    return rk;
}

V aes128_encrypt(const std::array<V, 11>& rk, V s, CryptoImpl impl) {
    for (unsigned r = 0; r < 9; ++r) {
        s = exec(CryptoOp::Aese, s, rk[r], V{}, impl);
        s = exec(CryptoOp::Aesmc, V{}, s, V{}, impl);
    }
    s = exec(CryptoOp::Aese, s, rk[9], V{}, impl);
    return xor_(s, rk[10]);
}

V aes128_decrypt(const std::array<V, 11>& rk, V s, CryptoImpl impl) {
    s = exec(CryptoOp::Aesd, s, rk[10], V{}, impl);
    for (unsigned r = 9; r >= 1; --r) {
        s = exec(CryptoOp::Aesimc, V{}, s, V{}, impl);
        V k = exec(CryptoOp::Aesimc, V{}, rk[r], V{}, impl);
        s = exec(CryptoOp::Aesd, s, k, V{}, impl);
    }
    return xor_(s, rk[0]);
}

// One padded block of "abc" as big-endian words.
std::array<uint32_t, 16> abc_block() {
    std::array<uint32_t, 16> w{};
    w[0] = 0x61626380;
    w[15] = 24;
    return w;
}

// floor(cbrt(p) * 2^32) mod 2^32 and floor(sqrt(p) * 2^32) mod 2^32 (FIPS
// 180-4 4.2.2, 5.3.3), by integer roots so the test has no constant table.
uint32_t frac_root(unsigned p, unsigned k) {
    unsigned __int128 target = static_cast<unsigned __int128>(p) << (32 * k);
    unsigned __int128 lo = 0, hi = static_cast<unsigned __int128>(1) << (32 + 4);
    while (lo < hi) {
        unsigned __int128 mid = (lo + hi + 1) / 2, pw = 1;
        for (unsigned i = 0; i < k; ++i)
            pw *= mid;
        if (pw <= target) {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    return static_cast<uint32_t>(lo);
}
std::array<unsigned, 64> primes() {
    std::array<unsigned, 64> p{};
    unsigned n = 0;
    for (unsigned x = 2; n < 64; ++x) {
        bool prime = true;
        for (unsigned d = 2; d * d <= x; ++d)
            prime &= x % d != 0;
        if (prime) p[n++] = x;
    }
    return p;
}

}  // namespace

TEST_CASE("AES-128 FIPS-197 C.1 through AESE/AESMC and AESD/AESIMC", "[crypto]") {
    V key = from_hex("000102030405060708090a0b0c0d0e0f");
    V pt = from_hex("00112233445566778899aabbccddeeff");
    V ct = from_hex("69c4e0d86a7b0430d8cdb78070b4c55a");
    for (CryptoImpl impl : {CryptoImpl::Portable, CryptoImpl::Host}) {
        if (impl == CryptoImpl::Host && !crypto_host_available(CryptoOp::Aese)) continue;
        auto rk = expand_key(key, impl);
        CHECK(rk[10] == from_hex("13111d7fe3944a17f307a78b4d2b30c5"));  // FIPS-197 A.1
        CHECK(aes128_encrypt(rk, pt, impl) == ct);
        CHECK(aes128_decrypt(rk, ct, impl) == pt);
    }
}

TEST_CASE("AESMC/AESIMC on the FIPS-197 MixColumns example columns", "[crypto]") {
    // Round 1 of C.1: after ShiftRows, then after MixColumns.
    V in = from_hex("6353e08c0960e104cd70b751bacad0e7");
    V out = from_hex("5f72641557f5bc92f7be3b291db9f91a");
    CHECK(exec(CryptoOp::Aesmc, V{}, in, V{}, CryptoImpl::Portable) == out);
    CHECK(exec(CryptoOp::Aesimc, V{}, out, V{}, CryptoImpl::Portable) == in);
}

TEST_CASE("SHA-256 of \"abc\" through SHA256H/H2/SU0/SU1", "[crypto]") {
    auto p = primes();
    std::array<uint32_t, 64> k;
    for (unsigned i = 0; i < 64; ++i)
        k[i] = frac_root(p[i], 3);
    CHECK(k[0] == 0x428a2f98);
    CHECK(k[63] == 0xc67178f2);
    uint32_t h[8];
    for (unsigned i = 0; i < 8; ++i)
        h[i] = frac_root(p[i], 2);
    CHECK(h[0] == 0x6a09e667);

    for (CryptoImpl impl : {CryptoImpl::Portable, CryptoImpl::Host}) {
        if (impl == CryptoImpl::Host && !crypto_host_available(CryptoOp::Sha256h)) continue;
        auto blk = abc_block();
        V w[4];
        for (unsigned i = 0; i < 4; ++i)
            w[i] = words(blk[4 * i], blk[4 * i + 1], blk[4 * i + 2], blk[4 * i + 3]);
        V abcd = words(h[0], h[1], h[2], h[3]), efgh = words(h[4], h[5], h[6], h[7]);
        for (unsigned g = 0; g < 16; ++g) {
            V wk = add32(w[g % 4], words(k[4 * g], k[4 * g + 1], k[4 * g + 2], k[4 * g + 3]));
            V prev = abcd;
            abcd = exec(CryptoOp::Sha256h, abcd, efgh, wk, impl);
            efgh = exec(CryptoOp::Sha256h2, efgh, prev, wk, impl);
            if (g < 12) {
                V& w0 = w[g % 4];
                w0 = exec(CryptoOp::Sha256su0, w0, w[(g + 1) % 4], V{});
                w0 = exec(CryptoOp::Sha256su1, w0, w[(g + 2) % 4], w[(g + 3) % 4]);
            }
        }
        uint32_t digest[8];
        for (unsigned i = 0; i < 4; ++i) {
            digest[i] = h[i] + word(abcd, i);
            digest[4 + i] = h[4 + i] + word(efgh, i);
        }
        const uint32_t expect[8] = {0xba7816bf, 0x8f01cfea, 0x414140de, 0x5dae2223,
                                    0xb00361a3, 0x96177a9c, 0xb410ff61, 0xf20015ad};
        for (unsigned i = 0; i < 8; ++i)
            CHECK(digest[i] == expect[i]);
    }
}

TEST_CASE("SHA-1 of \"abc\" through SHA1C/P/M/H/SU0/SU1", "[crypto]") {
    const uint32_t h[5] = {0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0};
    const uint32_t kk[4] = {0x5a827999, 0x6ed9eba1, 0x8f1bbcdc, 0xca62c1d6};
    auto blk = abc_block();
    V w[4];
    for (unsigned i = 0; i < 4; ++i)
        w[i] = words(blk[4 * i], blk[4 * i + 1], blk[4 * i + 2], blk[4 * i + 3]);
    V abcd = words(h[0], h[1], h[2], h[3]);
    V e = words(h[4], 0, 0, 0);
    for (unsigned g = 0; g < 20; ++g) {
        uint32_t kc = kk[g / 5];
        V wk = add32(w[g % 4], words(kc, kc, kc, kc));
        V e_next = exec(CryptoOp::Sha1h, V{}, abcd, V{});
        CryptoOp op = g < 5    ? CryptoOp::Sha1c
                      : g < 10 ? CryptoOp::Sha1p
                      : g < 15 ? CryptoOp::Sha1m
                               : CryptoOp::Sha1p;
        abcd = exec(op, abcd, e, wk);
        e = e_next;
        if (g < 16) {
            V& w0 = w[g % 4];
            w0 = exec(CryptoOp::Sha1su0, w0, w[(g + 1) % 4], w[(g + 2) % 4]);
            w0 = exec(CryptoOp::Sha1su1, w0, w[(g + 3) % 4], V{});
        }
    }
    const uint32_t expect[5] = {0xa9993e36, 0x4706816a, 0xba3e2571, 0x7850c26c, 0x9cd0d89d};
    for (unsigned i = 0; i < 4; ++i)
        CHECK(h[i] + word(abcd, i) == expect[i]);
    CHECK(h[4] + word(e, 0) == expect[4]);
}

TEST_CASE("SHA1H rotates the low word and clears the rest", "[crypto]") {
    V r = exec(CryptoOp::Sha1h, words(1, 2, 3, 4), words(0x80000001u, 5, 6, 7), V{});
    CHECK(r == words(0x60000000u, 0, 0, 0));
}

TEST_CASE("PMULL/PMULL2 products", "[crypto]") {
    // 64-bit: x^63 * x^63 = x^126; (x^7+x^2+x+1) * (x+1) carries no terms.
    V a = words(0, 0x80000000u, 0x87, 0), b = words(0, 0x80000000u, 3, 0);
    CHECK(exec(CryptoOp::Pmull64, V{}, a, b) == words(0, 0, 0, 0x40000000u));
    CHECK(exec(CryptoOp::Pmull64, V{}, a, b, crypto_default_impl(CryptoOp::Pmull64), true) ==
          words(0x189, 0, 0, 0));
    // 8-bit lanes agree with the 64-bit product of each byte pair.
    std::mt19937_64 rng(7);
    V n, m;
    for (auto& x : n)
        x = static_cast<uint8_t>(rng());
    for (auto& x : m)
        x = static_cast<uint8_t>(rng());
    for (bool part2 : {false, true}) {
        V r = exec(CryptoOp::Pmull8, V{}, n, m, CryptoImpl::Portable, part2);
        for (unsigned i = 0; i < 8; ++i) {
            V ln{}, lm{};
            ln[0] = n[i + (part2 ? 8 : 0)];
            lm[0] = m[i + (part2 ? 8 : 0)];
            V p = exec(CryptoOp::Pmull64, V{}, ln, lm, CryptoImpl::Portable);
            CHECK((r[2 * i] | r[2 * i + 1] << 8) == (p[0] | p[1] << 8));
        }
    }
}

TEST_CASE("host AES-NI/PCLMULQDQ/SHA-NI paths equal the portable ones", "[crypto]") {
    const CryptoOp ops[] = {CryptoOp::Aese,    CryptoOp::Aesd,    CryptoOp::Aesmc,
                            CryptoOp::Aesimc,  CryptoOp::Pmull64, CryptoOp::Sha256h,
                            CryptoOp::Sha256h2};
    std::mt19937_64 rng(12345);
    unsigned checked = 0;
    for (CryptoOp op : ops) {
        if (!crypto_host_available(op)) {
            WARN("no host path for op " << static_cast<int>(op) << ": portable only");
            continue;
        }
        for (int i = 0; i < 2000; ++i) {
            V d, n, m;
            for (V* v : {&d, &n, &m}) {
                for (auto& x : *v)
                    x = static_cast<uint8_t>(rng());
            }
            if (i == 0) n.fill(0);
            if (i == 1) n.fill(0xff);
            bool part2 = i & 1;
            V p = exec(op, d, n, m, CryptoImpl::Portable, part2);
            V h = exec(op, d, n, m, CryptoImpl::Host, part2);
            REQUIRE(p == h);
            ++checked;
        }
    }
    // Ops without a host path refuse the host implementation.
    V d{}, n{}, m{};
    CHECK_FALSE(
        crypto_exec(CryptoOp::Sha1c, false, d.data(), n.data(), m.data(), CryptoImpl::Host));
    CHECK_FALSE(
        crypto_exec(CryptoOp::Count, false, d.data(), n.data(), m.data(), CryptoImpl::Portable));
    (void)checked;
}

TEST_CASE("the helper reads and writes V registers in place (aliasing d = n)", "[crypto]") {
    alignas(16) uint8_t env[64] = {};
    for (unsigned i = 0; i < 64; ++i)
        env[i] = static_cast<uint8_t>(i * 7 + 1);
    V before;
    std::memcpy(before.data(), env + 16, 16);
    V key;
    std::memcpy(key.data(), env + 32, 16);
    V expect = exec(CryptoOp::Aese, before, before, key, CryptoImpl::Portable);
    crypto_helper(env, crypto_desc(CryptoOp::Aese), 16, 16, 32);
    V got;
    std::memcpy(got.data(), env + 16, 16);
    CHECK(got == expect);  // AESE d, d: the state XOR itself is zero
    CHECK(got == exec(CryptoOp::Aese, V{}, V{}, V{}, CryptoImpl::Portable));
    CHECK(env[0] == 1);
    CHECK(env[48] == static_cast<uint8_t>(48 * 7 + 1));
    // An out-of-range operation leaves the destination as it was.
    crypto_helper(env, 0xff, 0, 16, 32);
    CHECK(env[0] == 1);
}

TEST_CASE("crypto encodings decode to their groups; other sizes do not", "[crypto]") {
    using emu::arm::A64Translator;
    auto name = [](uint32_t insn) {
        const char* n = A64Translator::decode_name(insn);
        return std::string(n ? n : "(none)");
    };
    CHECK(name(0x4e284822) == "CRYPTO_aes");   // aese v2.16b, v1.16b
    CHECK(name(0x4e286842) == "CRYPTO_aes");   // aesmc v2.16b, v2.16b
    CHECK(name(0x5e280820) == "CRYPTO_sha2");  // sha1h s0, s1
    CHECK(name(0x5e024020) == "CRYPTO_sha3");  // sha256h q0, q1, v2.4s
    CHECK(name(0x0ee1e022) == "SIMD_3diff");   // pmull v2.1q, v1.1d, v1.1d
    CHECK(name(0x4e684822) == "(none)");       // AES group with size = 01
    CHECK(name(0x5e420020) == "(none)");       // SHA three-register with size = 01
    CHECK(name(0x5e024420) != "CRYPTO_sha3");  // bit 10 set: not the SHA group
}

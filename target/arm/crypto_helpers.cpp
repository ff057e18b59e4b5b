// Cryptographic Extension semantics, written from the Arm ARM pseudocode
// (AESSubBytes/AESShiftRows/AESMixColumns, SHA1/SHA256 hash and schedule
// updates, PolynomialMult). The portable forms are the reference; the
// x86-64 forms map each A64 instruction onto AES-NI/PCLMULQDQ, which keep
// the state in the same byte order (byte 0 of the register is the first
// byte of the FIPS-197 state).
#include "target/arm/crypto_helpers.h"

#include <array>
#include <cstdlib>
#include <cstring>

#if defined(__x86_64__)
#include <cpuid.h>
#include <immintrin.h>
#endif

#include "target/arm/vec_args.h"

namespace emu::arm {

namespace {

// ---- AES ----

constexpr uint8_t gf_mul(uint8_t a, uint8_t b) {
    uint8_t p = 0;
    while (b) {
        if (b & 1) p ^= a;
        a = static_cast<uint8_t>(a << 1 ^ ((a & 0x80) ? 0x1b : 0));
        b >>= 1;
    }
    return p;
}

constexpr uint8_t rotl8(uint8_t x, unsigned s) {
    return static_cast<uint8_t>(x << s | x >> (8 - s));
}

// FIPS-197 5.1.1: multiplicative inverse in GF(2^8), then the affine map.
constexpr std::array<uint8_t, 256> make_sbox() {
    std::array<uint8_t, 256> s{};
    for (unsigned x = 0; x < 256; ++x) {
        uint8_t inv = 0;
        if (x) {
            uint8_t p = 1;  // x^254 = x^-1
            for (int i = 0; i < 254; ++i)
                p = gf_mul(p, static_cast<uint8_t>(x));
            inv = p;
        }
        s[x] = static_cast<uint8_t>(inv ^ rotl8(inv, 1) ^ rotl8(inv, 2) ^ rotl8(inv, 3) ^
                                    rotl8(inv, 4) ^ 0x63);
    }
    return s;
}
constexpr std::array<uint8_t, 256> kSbox = make_sbox();
constexpr std::array<uint8_t, 256> make_inv_sbox() {
    std::array<uint8_t, 256> s{};
    for (unsigned x = 0; x < 256; ++x)
        s[kSbox[x]] = static_cast<uint8_t>(x);
    return s;
}
constexpr std::array<uint8_t, 256> kInvSbox = make_inv_sbox();
static_assert(kSbox[0x00] == 0x63 && kSbox[0x53] == 0xed && kInvSbox[0x63] == 0x00);

// State byte i is row i % 4, column i / 4. ShiftRows rotates row r left by
// r columns; the inverse rotates right.
void shift_rows(uint8_t s[16], bool inverse) {
    uint8_t t[16];
    for (unsigned c = 0; c < 4; ++c) {
        for (unsigned r = 0; r < 4; ++r) {
            unsigned src = inverse ? (c + 4 - r) % 4 : (c + r) % 4;
            t[r + 4 * c] = s[r + 4 * src];
        }
    }
    std::memcpy(s, t, 16);
}

constexpr uint8_t xtime(uint8_t a) {
    return static_cast<uint8_t>(a << 1 ^ ((a & 0x80) ? 0x1b : 0));
}

// b_r = 2 a_r + 3 a_(r+1) + a_(r+2) + a_(r+3) per column. InvMixColumns is
// MixColumns after multiplying the column by 4x^2 + 5 (the factorisation of
// the inverse polynomial 0b x^3 + 0d x^2 + 09 x + 0e), which needs only
// two more doublings.
void mix_columns(uint8_t s[16], bool inverse) {
    for (unsigned c = 0; c < 4; ++c) {
        uint8_t* a = s + 4 * c;
        if (inverse) {
            uint8_t u = xtime(xtime(a[0] ^ a[2])), v = xtime(xtime(a[1] ^ a[3]));
            a[0] ^= u;
            a[1] ^= v;
            a[2] ^= u;
            a[3] ^= v;
        }
        uint8_t all = a[0] ^ a[1] ^ a[2] ^ a[3], a0 = a[0];
        for (unsigned r = 0; r < 4; ++r) {
            uint8_t next = r < 3 ? a[r + 1] : a0;
            a[r] ^= all ^ xtime(a[r] ^ next);
        }
    }
}

void aes_round(uint8_t d[16], const uint8_t key[16], bool decrypt) {
    uint8_t s[16];
    for (unsigned i = 0; i < 16; ++i)
        s[i] = d[i] ^ key[i];
    shift_rows(s, decrypt);
    const auto& box = decrypt ? kInvSbox : kSbox;
    for (unsigned i = 0; i < 16; ++i)
        d[i] = box[s[i]];
}

// ---- SHA ----

struct W4 {
    uint32_t w[4];
};
W4 load(const uint8_t v[16]) {
    W4 r;
    std::memcpy(r.w, v, 16);
    return r;
}
void store(uint8_t v[16], const W4& x) {
    std::memcpy(v, x.w, 16);
}

constexpr uint32_t rol(uint32_t x, unsigned s) {
    return x << s | x >> (32 - s);
}
constexpr uint32_t ror(uint32_t x, unsigned s) {
    return x >> s | x << (32 - s);
}
constexpr uint32_t sha_choose(uint32_t x, uint32_t y, uint32_t z) {
    return ((y ^ z) & x) ^ z;
}
constexpr uint32_t sha_majority(uint32_t x, uint32_t y, uint32_t z) {
    return (x & y) | ((x | y) & z);
}
constexpr uint32_t sha_parity(uint32_t x, uint32_t y, uint32_t z) {
    return x ^ y ^ z;
}

// SHA1C/SHA1P/SHA1M: four rounds on (X = Vd, Y = Sn) with W = Vm.
void sha1_hash(uint8_t d[16], const uint8_t n[16], const uint8_t m[16], CryptoOp op) {
    W4 x = load(d), w = load(m);
    uint32_t y;
    std::memcpy(&y, n, 4);
    for (unsigned e = 0; e < 4; ++e) {
        uint32_t t = op == CryptoOp::Sha1c   ? sha_choose(x.w[1], x.w[2], x.w[3])
                     : op == CryptoOp::Sha1p ? sha_parity(x.w[1], x.w[2], x.w[3])
                                             : sha_majority(x.w[1], x.w[2], x.w[3]);
        y = y + rol(x.w[0], 5) + t + w.w[e];
        x.w[1] = rol(x.w[1], 30);
        // <Y, X> = ROL(Y : X, 32)
        uint32_t top = x.w[3];
        x.w[3] = x.w[2];
        x.w[2] = x.w[1];
        x.w[1] = x.w[0];
        x.w[0] = y;
        y = top;
    }
    store(d, x);
}

void sha1_su0(uint8_t d[16], const uint8_t n[16], const uint8_t m[16]) {
    W4 a = load(d), b = load(n), c = load(m);
    W4 r{{a.w[2], a.w[3], b.w[0], b.w[1]}};
    for (unsigned i = 0; i < 4; ++i)
        r.w[i] ^= a.w[i] ^ c.w[i];
    store(d, r);
}

void sha1_su1(uint8_t d[16], const uint8_t n[16]) {
    W4 a = load(d), b = load(n);
    W4 t{{a.w[0] ^ b.w[1], a.w[1] ^ b.w[2], a.w[2] ^ b.w[3], a.w[3]}};
    W4 r{{rol(t.w[0], 1), rol(t.w[1], 1), rol(t.w[2], 1), rol(t.w[3], 1) ^ rol(t.w[0], 2)}};
    store(d, r);
}

// SHA256hash(X, Y, W, part1): four rounds; returns X (part1) or Y.
W4 sha256_hash(W4 x, W4 y, const W4& w, bool part1) {
    for (unsigned e = 0; e < 4; ++e) {
        uint32_t chs = sha_choose(y.w[0], y.w[1], y.w[2]);
        uint32_t maj = sha_majority(x.w[0], x.w[1], x.w[2]);
        uint32_t s1 = ror(y.w[0], 6) ^ ror(y.w[0], 11) ^ ror(y.w[0], 25);
        uint32_t s0 = ror(x.w[0], 2) ^ ror(x.w[0], 13) ^ ror(x.w[0], 22);
        uint32_t t = y.w[3] + s1 + chs + w.w[e];
        x.w[3] = t + x.w[3];
        y.w[3] = t + s0 + maj;
        // <Y, X> = ROL(Y : X, 32)
        uint32_t ytop = y.w[3], xtop = x.w[3];
        y.w[3] = y.w[2];
        y.w[2] = y.w[1];
        y.w[1] = y.w[0];
        y.w[0] = xtop;
        x.w[3] = x.w[2];
        x.w[2] = x.w[1];
        x.w[1] = x.w[0];
        x.w[0] = ytop;
    }
    return part1 ? x : y;
}

void sha256_su0(uint8_t d[16], const uint8_t n[16]) {
    W4 a = load(d), b = load(n);
    W4 t{{a.w[1], a.w[2], a.w[3], b.w[0]}};
    W4 r;
    for (unsigned e = 0; e < 4; ++e) {
        uint32_t x = t.w[e];
        r.w[e] = (ror(x, 7) ^ ror(x, 18) ^ (x >> 3)) + a.w[e];
    }
    store(d, r);
}

void sha256_su1(uint8_t d[16], const uint8_t n[16], const uint8_t m[16]) {
    W4 a = load(d), b = load(n), c = load(m);
    W4 t0{{b.w[1], b.w[2], b.w[3], c.w[0]}};
    auto sig1 = [](uint32_t x) { return ror(x, 17) ^ ror(x, 19) ^ (x >> 10); };
    W4 r;
    r.w[0] = sig1(c.w[2]) + a.w[0] + t0.w[0];
    r.w[1] = sig1(c.w[3]) + a.w[1] + t0.w[1];
    r.w[2] = sig1(r.w[0]) + a.w[2] + t0.w[2];
    r.w[3] = sig1(r.w[1]) + a.w[3] + t0.w[3];
    store(d, r);
}

// ---- polynomial multiplication ----

void clmul64(uint64_t a, uint64_t b, uint64_t* lo, uint64_t* hi) {
    uint64_t l = 0, h = 0;
    for (unsigned i = 0; i < 64; ++i) {
        if (b >> i & 1) {
            l ^= a << i;
            if (i) h ^= a >> (64 - i);
        }
    }
    *lo = l;
    *hi = h;
}

void pmull8(uint8_t d[16], const uint8_t n[16], const uint8_t m[16], bool part2) {
    unsigned base = part2 ? 8 : 0;
    uint16_t r[8];
    for (unsigned i = 0; i < 8; ++i) {
        uint16_t a = n[base + i], p = 0;
        uint8_t b = m[base + i];
        for (unsigned k = 0; k < 8; ++k) {
            if (b >> k & 1) p ^= static_cast<uint16_t>(a << k);
        }
        r[i] = p;
    }
    std::memcpy(d, r, 16);
}

void pmull64(uint8_t d[16], const uint8_t n[16], const uint8_t m[16], bool part2) {
    uint64_t a, b, r[2];
    std::memcpy(&a, n + (part2 ? 8 : 0), 8);
    std::memcpy(&b, m + (part2 ? 8 : 0), 8);
    clmul64(a, b, &r[0], &r[1]);
    std::memcpy(d, r, 16);
}

void exec_portable(CryptoOp op, bool part2, uint8_t d[16], const uint8_t n[16],
                   const uint8_t m[16]) {
    switch (op) {
        case CryptoOp::Aese:
        case CryptoOp::Aesd:
            aes_round(d, n, op == CryptoOp::Aesd);
            return;
        case CryptoOp::Aesmc:
        case CryptoOp::Aesimc: {
            uint8_t s[16];
            std::memcpy(s, n, 16);
            mix_columns(s, op == CryptoOp::Aesimc);
            std::memcpy(d, s, 16);
            return;
        }
        case CryptoOp::Sha1c:
        case CryptoOp::Sha1p:
        case CryptoOp::Sha1m:
            sha1_hash(d, n, m, op);
            return;
        case CryptoOp::Sha1su0:
            sha1_su0(d, n, m);
            return;
        case CryptoOp::Sha1h: {
            uint32_t x;
            std::memcpy(&x, n, 4);
            uint8_t r[16] = {};
            x = rol(x, 30);
            std::memcpy(r, &x, 4);
            std::memcpy(d, r, 16);
            return;
        }
        case CryptoOp::Sha1su1:
            sha1_su1(d, n);
            return;
        case CryptoOp::Sha256h:
        case CryptoOp::Sha256h2: {
            bool h1 = op == CryptoOp::Sha256h;
            W4 r = h1 ? sha256_hash(load(d), load(n), load(m), true)
                      : sha256_hash(load(n), load(d), load(m), false);
            store(d, r);
            return;
        }
        case CryptoOp::Sha256su0:
            sha256_su0(d, n);
            return;
        case CryptoOp::Sha256su1:
            sha256_su1(d, n, m);
            return;
        case CryptoOp::Pmull8:
            pmull8(d, n, m, part2);
            return;
        case CryptoOp::Pmull64:
            pmull64(d, n, m, part2);
            return;
        case CryptoOp::Count:
            return;
    }
}

// ---- x86-64 host paths ----

#if defined(__x86_64__)
struct HostFeatures {
    bool aes = false;
    bool pclmul = false;
    bool sha = false;
};
HostFeatures detect_host() {
    HostFeatures f;
    unsigned a, b, c, d;
    if (__get_cpuid(1, &a, &b, &c, &d)) {
        f.aes = c & bit_AES;
        f.pclmul = c & bit_PCLMUL;
    }
    if (__get_cpuid_count(7, 0, &a, &b, &c, &d)) f.sha = b & bit_SHA;
    return f;
}
const HostFeatures& host() {
    static const HostFeatures f = detect_host();
    return f;
}

__attribute__((target("aes"))) void exec_aesni(CryptoOp op, uint8_t d[16], const uint8_t n[16]) {
    __m128i vn = _mm_loadu_si128(reinterpret_cast<const __m128i*>(n));
    __m128i zero = _mm_setzero_si128(), r;
    switch (op) {
        case CryptoOp::Aese:  // SubBytes(ShiftRows(d ^ n)) = AESENCLAST with a zero key
            r = _mm_aesenclast_si128(
                _mm_xor_si128(_mm_loadu_si128(reinterpret_cast<const __m128i*>(d)), vn), zero);
            break;
        case CryptoOp::Aesd:
            r = _mm_aesdeclast_si128(
                _mm_xor_si128(_mm_loadu_si128(reinterpret_cast<const __m128i*>(d)), vn), zero);
            break;
        case CryptoOp::Aesmc:
            // AESENC is MixColumns(SubBytes(ShiftRows(x))); undo the byte
            // substitution and row shift first (they commute).
            r = _mm_aesenc_si128(_mm_aesdeclast_si128(vn, zero), zero);
            break;
        default:  // Aesimc
            r = _mm_aesimc_si128(vn);
            break;
    }
    _mm_storeu_si128(reinterpret_cast<__m128i*>(d), r);
}

__attribute__((target("pclmul"))) void exec_pclmul(uint8_t d[16], const uint8_t n[16],
                                                   const uint8_t m[16], bool part2) {
    __m128i a = _mm_loadu_si128(reinterpret_cast<const __m128i*>(n));
    __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(m));
    __m128i r = part2 ? _mm_clmulepi64_si128(a, b, 0x11) : _mm_clmulepi64_si128(a, b, 0x00);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(d), r);
}
// SHA256H/SHA256H2: four rounds on X = abcd, Y = efgh (a, e in lane 0),
// returning one half. SHA256RNDS2 does two rounds on the state packed as
// ABEF = [F, E, B, A] and CDGH = [H, G, D, C] (lane 0 first), using the
// low two words of the round input.
__attribute__((target("sha"))) void exec_sha256_ni(bool part1, uint8_t d[16], const uint8_t n[16],
                                                   const uint8_t m[16]) {
    __m128i vd = _mm_loadu_si128(reinterpret_cast<const __m128i*>(d));
    __m128i vn = _mm_loadu_si128(reinterpret_cast<const __m128i*>(n));
    __m128i x = part1 ? vd : vn, y = part1 ? vn : vd;
    __m128i wk = _mm_loadu_si128(reinterpret_cast<const __m128i*>(m));
    __m128i abef = _mm_shuffle_epi32(_mm_unpacklo_epi64(y, x), 0xb1);
    __m128i cdgh = _mm_shuffle_epi32(_mm_unpackhi_epi64(y, x), 0xb1);
    __m128i abef2 = _mm_sha256rnds2_epu32(cdgh, abef, wk);
    __m128i abef4 = _mm_sha256rnds2_epu32(abef, abef2, _mm_shuffle_epi32(wk, 0x0e));
    __m128i rev_abef = _mm_shuffle_epi32(abef4, 0x1b);  // [A, B, E, F]
    __m128i rev_cdgh = _mm_shuffle_epi32(abef2, 0x1b);  // [C, D, G, H]
    __m128i r =
        part1 ? _mm_unpacklo_epi64(rev_abef, rev_cdgh) : _mm_unpackhi_epi64(rev_abef, rev_cdgh);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(d), r);
}
#endif

bool host_available(CryptoOp op) {
#if defined(__x86_64__)
    switch (op) {
        case CryptoOp::Aese:
        case CryptoOp::Aesd:
        case CryptoOp::Aesmc:
        case CryptoOp::Aesimc:
            return host().aes;
        case CryptoOp::Pmull64:
            return host().pclmul;
        case CryptoOp::Sha256h:
        case CryptoOp::Sha256h2:
            return host().sha;
        default:
            return false;
    }
#else
    (void)op;
    return false;
#endif
}

bool host_enabled() {
    static const bool on = [] {
        const char* e = std::getenv("EMU_CRYPTO_HOST");
        return !(e && e[0] == '0');
    }();
    return on;
}

}  // namespace

bool crypto_host_available(CryptoOp op) {
    return host_available(op);
}

CryptoImpl crypto_default_impl(CryptoOp op) {
    return host_enabled() && host_available(op) ? CryptoImpl::Host : CryptoImpl::Portable;
}

bool crypto_exec(CryptoOp op, bool part2, uint8_t d[16], const uint8_t n[16], const uint8_t m[16],
                 CryptoImpl impl) {
    if (op >= CryptoOp::Count) return false;
    if (impl == CryptoImpl::Portable) {
        exec_portable(op, part2, d, n, m);
        return true;
    }
    if (!host_available(op)) return false;
#if defined(__x86_64__)
    if (op == CryptoOp::Pmull64) {
        exec_pclmul(d, n, m, part2);
    } else if (op == CryptoOp::Sha256h || op == CryptoOp::Sha256h2) {
        exec_sha256_ni(op == CryptoOp::Sha256h, d, n, m);
    } else {
        exec_aesni(op, d, n);
    }
    return true;
#else
    return false;
#endif
}

tcg::HelperRet crypto_helper(void* env, uint64_t desc, uint64_t d_off, uint64_t n_off,
                             uint64_t m_off) {
    auto* base = static_cast<uint8_t*>(env);
    auto op = static_cast<CryptoOp>(desc & 0xff);
    bool part2 = (desc >> 8) & 1;
    VecOperands v(base, d_off, n_off, m_off);
    static const auto kImpl = [] {
        std::array<CryptoImpl, static_cast<size_t>(CryptoOp::Count)> a{};
        for (size_t i = 0; i < a.size(); ++i)
            a[i] = crypto_default_impl(static_cast<CryptoOp>(i));
        return a;
    }();
    if (op < CryptoOp::Count)
        crypto_exec(op, part2, v.d, v.n, v.m, kImpl[static_cast<unsigned>(op)]);
    std::memcpy(base + d_off, v.d, 16);
    return {0, 0};
}

}  // namespace emu::arm

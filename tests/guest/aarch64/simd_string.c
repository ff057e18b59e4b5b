// AdvSIMD as C library string routines use it: LD1/ST1, CMEQ, UMAXV/UMINV,
// ADDP/ADDV, AND/ORR/BIC/NOT vector logic, DUP, EXT, TBL, shifts, and
// SHRN-style nibble masks. Each routine is compared with a byte loop over
// many lengths and alignments. 16-byte accesses stay 16-byte aligned (the
// MMU is off, so memory is Device memory and may not be accessed unaligned).
#include "lib/rt.h"

static uint8_t src[512] __attribute__((aligned(16)));
static uint8_t dst[512] __attribute__((aligned(16)));

// strlen: scan aligned 16-byte blocks; mask bytes before the start.
static size_t simd_strlen(const char* s) {
    const uint8_t* p = (const uint8_t*)((uintptr_t)s & ~15ul);
    unsigned skip = (uintptr_t)s & 15;
    for (;;) {
        uint64_t lo, hi;
        __asm__ volatile(
            "ld1 {v0.16b}, [%2]\n"
            "cmeq v0.16b, v0.16b, #0\n"
            "mov %0, v0.d[0]\n"
            "mov %1, v0.d[1]\n"
            : "=r"(lo), "=r"(hi) : "r"(p) : "v0", "memory");
        if (skip) {
            // Ignore zero bytes before the string start.
            if (skip < 8) {
                lo &= ~0ull << (skip * 8);
            } else {
                lo = 0;
                hi &= ~0ull << ((skip - 8) * 8);
            }
            skip = 0;
        }
        if (lo) return (size_t)(p - (const uint8_t*)s) + (__builtin_ctzll(lo) >> 3);
        if (hi) return (size_t)(p - (const uint8_t*)s) + 8 + (__builtin_ctzll(hi) >> 3);
        p += 16;
    }
}

// memchr: DUP the byte, CMEQ, UMAXV to test a block quickly.
static const void* simd_memchr(const void* s, int c, size_t n) {
    const uint8_t* p = s;
    while (n && ((uintptr_t)p & 15)) {
        if (*p == (uint8_t)c) return p;
        ++p, --n;
    }
    while (n >= 16) {
        uint64_t any;
        __asm__ volatile(
            "dup v1.16b, %w2\n"
            "ld1 {v0.16b}, [%1]\n"
            "cmeq v0.16b, v0.16b, v1.16b\n"
            "umaxv b2, v0.16b\n"
            "umov %w0, v2.b[0]\n"
            : "=r"(any) : "r"(p), "r"(c) : "v0", "v1", "v2", "memory");
        if (any) break;
        p += 16, n -= 16;
    }
    for (; n; ++p, --n) {
        if (*p == (uint8_t)c) return p;
    }
    return 0;
}

// memcpy of aligned blocks with LD1/ST1 of four registers.
static void simd_copy64(void* d, const void* s, size_t blocks) {
    __asm__ volatile(
        "1: cbz %2, 2f\n"
        "ld1 {v0.16b-v3.16b}, [%1], #64\n"
        "st1 {v0.16b-v3.16b}, [%0], #64\n"
        "sub %2, %2, #1\n"
        "b 1b\n"
        "2:\n"
        : "+r"(d), "+r"(s), "+r"(blocks) : : "v0", "v1", "v2", "v3", "memory");
}

// memset of aligned blocks with DUP + STP q.
static void simd_set(void* d, int c, size_t blocks32) {
    __asm__ volatile(
        "dup v0.16b, %w3\n"
        "1: cbz %1, 2f\n"
        "stp q0, q0, [%0], #32\n"
        "sub %1, %1, #1\n"
        "b 1b\n"
        "2:\n"
        : "+r"(d), "+r"(blocks32) : "0"(d), "r"(c) : "v0", "memory");
}

// Sum of bytes: UADDLV over each block.
static uint64_t simd_sum(const uint8_t* p, size_t blocks) {
    uint64_t total = 0;
    for (size_t i = 0; i < blocks; ++i, p += 16) {
        uint64_t s;
        __asm__ volatile("ld1 {v0.16b}, [%1]\n uaddlv h1, v0.16b\n umov %w0, v1.h[0]"
                         : "=r"(s) : "r"(p) : "v0", "v1", "memory");
        total += s;
    }
    return total;
}

// 16-byte block compare: EOR + UMAXV; the differing index from CMEQ/NOT.
static int simd_memcmp16(const uint8_t* a, const uint8_t* b, size_t blocks) {
    for (size_t i = 0; i < blocks; ++i, a += 16, b += 16) {
        uint64_t diff;
        __asm__ volatile("ld1 {v0.16b}, [%1]\n ld1 {v1.16b}, [%2]\n eor v2.16b, v0.16b, v1.16b\n"
                         "umaxv b3, v2.16b\n umov %w0, v3.b[0]"
                         : "=r"(diff) : "r"(a), "r"(b) : "v0", "v1", "v2", "v3", "memory");
        if (diff) {
            for (int k = 0; k < 16; ++k) {
                if (a[k] != b[k]) return a[k] < b[k] ? -1 : 1;
            }
        }
    }
    return 0;
}

// Byte reverse of a block with TBL, and hex digits via shifts and TBL.
static void simd_reverse16(uint8_t* d, const uint8_t* s) {
    static const uint8_t idx[16] __attribute__((aligned(16))) = {15, 14, 13, 12, 11, 10, 9, 8,
                                                                 7,  6,  5,  4,  3,  2,  1, 0};
    __asm__ volatile("ld1 {v0.16b}, [%1]\n ld1 {v1.16b}, [%2]\n tbl v2.16b, {v0.16b}, v1.16b\n"
                     "st1 {v2.16b}, [%0]"
                     : : "r"(d), "r"(s), "r"(idx) : "v0", "v1", "v2", "memory");
}

static void simd_hex8(char* out16, const uint8_t* in8) {
    static const char digits[16] __attribute__((aligned(16))) = "0123456789abcdef";
    __asm__ volatile(
        "ld1 {v3.16b}, [%2]\n"
        "ldr d0, [%1]\n"
        "ushr v1.8b, v0.8b, #4\n"          // high nibbles
        "movi v4.8b, #0x0f\n"
        "and v2.8b, v0.8b, v4.8b\n"        // low nibbles
        "zip1 v0.16b, v1.16b, v2.16b\n"    // interleave high, low
        "tbl v0.16b, {v3.16b}, v0.16b\n"
        "st1 {v0.16b}, [%0]\n"
        : : "r"(out16), "r"(in8), "r"(digits) : "v0", "v1", "v2", "v3", "v4", "memory");
}

int main(uint64_t dtb) {
    for (unsigned i = 0; i < sizeof src; ++i) src[i] = (uint8_t)(1 + (i * 7 + i / 13) % 251);
    // strlen over every start alignment and many lengths.
    int bad = 0;
    for (unsigned start = 0; start < 16; ++start) {
        for (unsigned len = 0; len < 100; len += 3) {
            uint8_t save = src[start + len];
            src[start + len] = 0;
            if (simd_strlen((const char*)src + start) != strlen((const char*)src + start)) ++bad;
            if (simd_strlen((const char*)src + start) != len) ++bad;
            src[start + len] = save;
        }
    }
    CHECK("strlen (ld1/cmeq) at all alignments", bad, 0);
    CHECK("strlen of a literal", simd_strlen("hello, world"), K(sizeof("hello, world") - 1));
    // memchr.
    bad = 0;
    for (unsigned start = 0; start < 16; ++start) {
        for (unsigned target = 0; target < 200; target += 7) {
            int c = src[start + target];
            const uint8_t* ref = 0;
            for (unsigned k = 0; k < 300; ++k) {
                if (src[start + k] == c) {
                    ref = &src[start + k];
                    break;
                }
            }
            if (simd_memchr(src + start, c, 300) != ref) ++bad;
        }
        if (simd_memchr(src + start, 0, 300) != 0) ++bad;  // no zero byte in src
    }
    CHECK("memchr (dup/cmeq/umaxv)", bad, 0);
    // Copy, set, compare, sum.
    simd_copy64(dst, src, sizeof src / 64);
    CHECK("ld1/st1 x4 copy", memcmp(dst, src, sizeof src), 0);
    CHECK("memcmp16 equal", simd_memcmp16(dst, src, sizeof src / 16), 0);
    dst[300] ^= 0x80;
    CHECK("memcmp16 finds a difference", simd_memcmp16(dst, src, sizeof src / 16),
          dst[300] < src[300] ? (uint64_t)-1 : 1);
    simd_set(dst, 0xa5, sizeof dst / 32);
    bad = 0;
    for (unsigned i = 0; i < sizeof dst; ++i) bad += dst[i] != 0xa5;
    CHECK("dup/stp q memset", bad, 0);
    uint64_t ref = 0;
    for (unsigned i = 0; i < sizeof src; ++i) ref += src[i];
    CHECK("uaddlv byte sum", simd_sum(src, sizeof src / 16), ref);
    simd_reverse16(dst, src);
    bad = 0;
    for (int i = 0; i < 16; ++i) bad += dst[i] != src[15 - i];
    CHECK("tbl byte reverse", bad, 0);
    static const uint8_t bytes[8] __attribute__((aligned(8))) = {0xde, 0xad, 0xbe, 0xef,
                                                                 0x01, 0x23, 0x45, 0x67};
    static char hex[17] __attribute__((aligned(16)));
    simd_hex8(hex, bytes);
    hex[16] = 0;
    CHECK("tbl hex digits", memcmp(hex, "deadbeef01234567", 16), 0);
    printf("INFO hex %s\n", hex);
    // Integer vector arithmetic.
    {
        uint64_t lo, hi;
        static const uint32_t a[4] __attribute__((aligned(16))) = {1, 2, 0xffffffff, 0x80000000};
        static const uint32_t b[4] __attribute__((aligned(16))) = {10, 20, 1, 0x80000000};
        __asm__ volatile("ld1 {v0.4s}, [%2]\n ld1 {v1.4s}, [%3]\n add v2.4s, v0.4s, v1.4s\n"
                         "mov %0, v2.d[0]\n mov %1, v2.d[1]"
                         : "=r"(lo), "=r"(hi) : "r"(a), "r"(b) : "v0", "v1", "v2", "memory");
        CHECK("add .4s lanes 0-1", lo, 0x000000160000000bull);
        CHECK("add .4s lanes 2-3 wrap", hi, 0);
        __asm__ volatile("ld1 {v0.4s}, [%2]\n ld1 {v1.4s}, [%3]\n cmhi v2.4s, v0.4s, v1.4s\n"
                         "mov %0, v2.d[0]\n mov %1, v2.d[1]"
                         : "=r"(lo), "=r"(hi) : "r"(a), "r"(b) : "v0", "v1", "v2", "memory");
        CHECK("cmhi .4s", lo, 0);
        CHECK("cmhi .4s upper", hi, 0x00000000ffffffffull);
        __asm__ volatile("ld1 {v0.4s}, [%2]\n ext v1.16b, v0.16b, v0.16b, #4\n"
                         "mov %0, v1.d[0]\n mov %1, v1.d[1]"
                         : "=r"(lo), "=r"(hi) : "r"(a), "r"(b) : "v0", "v1", "memory");
        CHECK("ext #4", lo, 0xffffffff00000002ull);
        CHECK("ext #4 upper", hi, 0x0000000180000000ull);
        __asm__ volatile("ld1 {v0.4s}, [%1]\n addv s1, v0.4s\n fmov %w0, s1"
                         : "=r"(lo) : "r"(b) : "v0", "v1", "memory");
        CHECK("addv .4s", lo, K((uint32_t)(10 + 20 + 1 + 0x80000000u)));
        __asm__ volatile("movi v0.2d, #0xff00ff00ff00ff00\n not v1.16b, v0.16b\n"
                         "bic v2.16b, v1.16b, v0.16b\n mov %0, v2.d[1]"
                         : "=r"(lo) : : "v0", "v1", "v2");
        CHECK("movi/not/bic", lo, 0x00ff00ff00ff00ffull);
        __asm__ volatile("movi v0.16b, #0x81\n sshr v1.16b, v0.16b, #1\n ushr v2.16b, v0.16b, #1\n"
                         "orr v3.16b, v1.16b, v2.16b\n mov %0, v3.d[0]"
                         : "=r"(lo) : : "v0", "v1", "v2", "v3");
        CHECK("sshr/ushr/orr", lo, 0xc0c0c0c0c0c0c0c0ull);
        __asm__ volatile("movi v0.8h, #3\n movi v1.8h, #7\n mul v2.8h, v0.8h, v1.8h\n"
                         "mla v2.8h, v0.8h, v0.8h\n umov %w0, v2.h[5]"
                         : "=r"(lo) : : "v0", "v1", "v2");
        CHECK("mul/mla .8h", lo, 30);
    }
    return 0;
}

// Multiply and divide: MUL/MADD/MSUB/MNEG, the long forms (SMULL, UMULL,
// SMADDL, UMSUBL), high halves (SMULH/UMULH), UDIV/SDIV including the
// architected division by zero (result 0) and INT_MIN / -1 (INT_MIN).
#include "lib/rt.h"

#define R2(insn, a, b, want)                                                         \
    do {                                                                             \
        uint64_t r_;                                                                 \
        __asm__ volatile(insn : "=r"(r_) : "r"((uint64_t)(a)), "r"((uint64_t)(b))); \
        CHECK(insn, r_, K(want));                                                    \
    } while (0)
#define R3(insn, a, b, c, want)                                                     \
    do {                                                                            \
        uint64_t r_;                                                                \
        __asm__ volatile(insn : "=r"(r_)                                            \
                         : "r"((uint64_t)(a)), "r"((uint64_t)(b)), "r"((uint64_t)(c))); \
        CHECK(insn, r_, K(want));                                                   \
    } while (0)

static const uint64_t A = 0x0123456789abcdefull, B = 0xfedcba9876543210ull;
typedef unsigned __int128 u128;
typedef __int128 s128;

int main(uint64_t dtb) {
    R2("mul %0, %1, %2", A, B, A * B);
    R2("mul %w0, %w1, %w2", A, B, (uint32_t)((uint32_t)A * (uint32_t)B));
    R3("madd %0, %1, %2, %3", A, B, 12345, A * B + 12345);
    R3("msub %0, %1, %2, %3", A, B, 12345, 12345 - A * B);
    R3("madd %w0, %w1, %w2, %w3", A, B, 7, (uint32_t)((uint32_t)A * (uint32_t)B + 7u));
    R2("mneg %0, %1, %2", 3, 5, (uint64_t)-15);
    R2("smull %0, %w1, %w2", 0x80000000u, 0x7fffffffu,
       (uint64_t)((int64_t)(int32_t)0x80000000u * (int64_t)0x7fffffff));
    R2("umull %0, %w1, %w2", 0xffffffffu, 0xffffffffu, 0xffffffffull * 0xffffffffull);
    R3("smaddl %0, %w1, %w2, %3", 0xfffffffeu, 3, 100, (uint64_t)(100 + (int64_t)-2 * 3));
    R3("umsubl %0, %w1, %w2, %3", 0xfffffffeu, 3, 100, (uint64_t)(100 - 0xfffffffeull * 3));
    R2("smulh %0, %1, %2", A, B, (uint64_t)(((s128)(int64_t)A * (s128)(int64_t)B) >> 64));
    R2("umulh %0, %1, %2", A, B, (uint64_t)(((u128)A * (u128)B) >> 64));
    R2("smulh %0, %1, %2", -1ll, -1ll, 0);
    R2("umulh %0, %1, %2", -1ll, -1ll, 0xfffffffffffffffeull);
    R2("udiv %0, %1, %2", B, 7, B / 7);
    R2("udiv %0, %1, %2", A, 0, 0);
    R2("udiv %w0, %w1, %w2", 0xffffffffu, 2, 0x7fffffffu);
    R2("sdiv %0, %1, %2", B, 7, (uint64_t)((int64_t)B / 7));
    R2("sdiv %0, %1, %2", -7ll, 2, (uint64_t)-3);  // rounds toward zero
    R2("sdiv %0, %1, %2", 0x8000000000000000ull, -1ll, 0x8000000000000000ull);
    R2("sdiv %w0, %w1, %w2", 0x80000000u, 0xffffffffu, 0x80000000u);
    R2("sdiv %0, %1, %2", 5, 0, 0);
    R2("sdiv %w0, %w1, %w2", 0xfffffff9u, 2, 0xfffffffdu);
    // A loop mixing both, checked against a closed form (sum of i*i).
    uint64_t sum = 0;
    for (uint64_t i = 1; i <= 1000; ++i) {
        uint64_t sq;
        __asm__ volatile("mul %0, %1, %1" : "=r"(sq) : "r"(i));
        sum += sq;
    }
    CHECK("sum of squares 1..1000", sum, 1000ull * 1001 * 2001 / 6);
    return 0;
}

// Bitfield moves (UBFM/SBFM/BFM and their aliases), EXTR, and the
// sign/zero extensions. Expected values are folded at build time.
#include "lib/rt.h"

#define R1(insn, a, want)                                        \
    do {                                                         \
        uint64_t r_;                                             \
        __asm__ volatile(insn : "=r"(r_) : "r"((uint64_t)(a)));  \
        CHECK(insn, r_, K(want));                                \
    } while (0)
// Insert forms read the destination: d is the initial value.
#define RD(insn, d, a, want)                                            \
    do {                                                                \
        uint64_t r_ = (d);                                              \
        __asm__ volatile(insn : "+r"(r_) : "r"((uint64_t)(a)));         \
        CHECK(insn, r_, K(want));                                       \
    } while (0)
#define R2(insn, a, b, want)                                                         \
    do {                                                                             \
        uint64_t r_;                                                                 \
        __asm__ volatile(insn : "=r"(r_) : "r"((uint64_t)(a)), "r"((uint64_t)(b))); \
        CHECK(insn, r_, K(want));                                                    \
    } while (0)

static const uint64_t A = 0x0123456789abcdefull, B = 0xfedcba9876543210ull;
#define BITS(x, lsb, w) (((x) >> (lsb)) & ((w) == 64 ? ~0ull : ((1ull << (w)) - 1)))
#define SEXT(x, w) ((uint64_t)(((int64_t)((x) << (64 - (w)))) >> (64 - (w))))

int main(uint64_t dtb) {
    R1("ubfx %0, %1, #12, #20", A, BITS(A, 12, 20));
    R1("ubfx %w0, %w1, #31, #1", B, 0);
    R1("sbfx %0, %1, #60, #4", B, SEXT(BITS(B, 60, 4), 4));
    R1("sbfx %0, %1, #4, #8", A, SEXT(BITS(A, 4, 8), 8));
    R1("sbfx %w0, %w1, #28, #4", B, (uint32_t)SEXT(BITS(B, 28, 4), 4));
    R1("ubfiz %0, %1, #40, #16", A, BITS(A, 0, 16) << 40);
    R1("sbfiz %0, %1, #8, #12", A, SEXT(BITS(A, 0, 12), 12) << 8);
    R1("lsl %0, %1, #63", A, A << 63);
    R1("lsr %w0, %w1, #7", B, (uint32_t)B >> 7);
    R1("asr %0, %1, #1", B, (uint64_t)((int64_t)B >> 1));
    R1("asr %w0, %w1, #30", 0x80000000u, 0xfffffffeu);
    R1("ror %0, %1, #12", A, (A >> 12) | (A << 52));
    RD("bfi %0, %1, #8, #16", B, A, (B & ~(0xffffull << 8)) | ((A & 0xffff) << 8));
    RD("bfxil %0, %1, #4, #12", B, A, (B & ~0xfffull) | BITS(A, 4, 12));
    RD("bfi %w0, %w1, #28, #4", B, A, (uint32_t)((B & 0x0fffffffull) | ((A & 0xf) << 28)));
    RD("bfi %0, xzr, #0, #32", B, 0, B & 0xffffffff00000000ull);
    RD("bfm %0, %1, #60, #3", B, A, (B & ~0xf0ull) | ((A & 0xf) << 4));  // = bfi #4, #4
    R1("sxtb %0, %w1", 0x80, 0xffffffffffffff80ull);
    R1("sxth %0, %w1", 0x7fff, 0x7fff);
    R1("sxth %w0, %w1", 0x8000, 0xffff8000u);
    R1("sxtw %0, %w1", 0x80000000u, 0xffffffff80000000ull);
    R1("uxtb %w0, %w1", 0x1ff, 0xff);
    R1("uxth %w0, %w1", 0x12345, 0x2345);
    R2("extr %0, %1, %2, #16", A, B, (A << 48) | (B >> 16));
    R2("extr %w0, %w1, %w2, #8", A, B, (uint32_t)(((uint32_t)A << 24) | ((uint32_t)B >> 8)));
    R2("extr %0, %1, %2, #0", A, B, B);
    return 0;
}

// Data processing: add/sub (immediate, shifted, extended, with carry),
// logical (immediate bitmasks, shifted register), moves, PC-relative
// addresses, shifts, and the one-source operations (CLZ/CLS/RBIT/REV*).
// Expected values are folded by the compiler at build time (K()).
#include "lib/rt.h"

#define R2(insn, a, b, want)                                                         \
    do {                                                                             \
        uint64_t r_;                                                                 \
        __asm__ volatile(insn : "=r"(r_) : "r"((uint64_t)(a)), "r"((uint64_t)(b))); \
        CHECK(insn, r_, K(want));                                                    \
    } while (0)
#define R1(insn, a, want)                                          \
    do {                                                           \
        uint64_t r_;                                               \
        __asm__ volatile(insn : "=r"(r_) : "r"((uint64_t)(a)));    \
        CHECK(insn, r_, K(want));                                  \
    } while (0)
// Result and NZCV of a flag-setting instruction.
#define F2(insn, a, b, want, nzcv)                                                      \
    do {                                                                                \
        uint64_t r_, f_;                                                                \
        __asm__ volatile(insn "\n mrs %1, nzcv"                                         \
                         : "=r"(r_), "=r"(f_)                                           \
                         : "r"((uint64_t)(a)), "r"((uint64_t)(b)));                     \
        CHECK(insn, r_, K(want));                                                       \
        CHECK(insn " nzcv", f_ >> 28, nzcv);                                            \
    } while (0)
#define WITH_CARRY(c) __asm__ volatile("msr nzcv, %0" : : "r"((uint64_t)(c) << 29))

static const uint64_t A = 0x0123456789abcdefull, B = 0xfedcba9876543210ull;

int main(uint64_t dtb) {
    // Add/subtract, 64 and 32 bit; 32-bit results are zero-extended.
    R2("add %0, %1, %2", A, B, A + B);
    R2("add %w0, %w1, %w2", A, B, (uint32_t)(A + B));
    R2("sub %0, %1, %2", A, B, A - B);
    R2("sub %w0, %w1, %w2", A, B, (uint32_t)((uint32_t)A - (uint32_t)B));
    R1("add %0, %1, #0xfff", A, A + 0xfff);
    R1("add %0, %1, #0xabc, lsl #12", A, A + (0xabcull << 12));
    R1("sub %w0, %w1, #1", 0, 0xffffffffu);
    R2("add %0, %1, %2, lsl #7", A, B, A + (B << 7));
    R2("add %0, %1, %2, lsr #13", A, B, A + (B >> 13));
    R2("add %0, %1, %2, asr #60", A, B, A + (uint64_t)((int64_t)B >> 60));
    R2("sub %w0, %w1, %w2, asr #3", A, B, (uint32_t)((uint32_t)A - (uint32_t)((int32_t)(uint32_t)B >> 3)));
    // Extended register.
    R2("add %0, %1, %w2, uxtb", A, B, A + (uint8_t)B);
    R2("add %0, %1, %w2, sxtb #2", A, B, A + ((uint64_t)(int64_t)(int8_t)B << 2));
    R2("add %0, %1, %w2, uxth #1", A, B, A + ((uint64_t)(uint16_t)B << 1));
    R2("add %0, %1, %w2, sxth", A, B, A + (uint64_t)(int64_t)(int16_t)B);
    R2("add %0, %1, %w2, uxtw #3", A, B, A + ((uint64_t)(uint32_t)B << 3));
    R2("sub %0, %1, %w2, sxtw #4", A, B, A - ((uint64_t)(int64_t)(int32_t)B << 4));
    R2("add %0, %1, %2, sxtx #1", A, B, A + (B << 1));
    {
        // SP as an operand of the extended form.
        uint64_t r;
        __asm__ volatile("mov x9, sp\n add %0, sp, #16\n sub %0, %0, x9" : "=r"(r) : : "x9");
        CHECK("add x, sp, #16", r, 16);
    }
    // Flags: N Z C V (C = no borrow for subtraction).
    F2("adds %0, %2, %3", 0xffffffffffffffffull, 1, 0, 0x6);
    F2("adds %0, %2, %3", 0x7fffffffffffffffull, 1, 0x8000000000000000ull, 0x9);
    F2("subs %0, %2, %3", 5, 7, (uint64_t)-2, 0x8);
    F2("subs %0, %2, %3", 7, 7, 0, 0x6);
    F2("subs %0, %2, %3", 0x8000000000000000ull, 1, 0x7fffffffffffffffull, 0x3);
    F2("adds %w0, %w2, %w3", 0x80000000u, 0x80000000u, 0, 0x7);
    F2("subs %w0, %w2, %w3", 0, 1, 0xffffffffu, 0x8);
    F2("cmn %2, %3\n mov %0, #0", 1, (uint64_t)-1, 0, 0x6);
    F2("cmp %w2, %w3\n mov %0, #0", 3, 0x80000000u, 0, 0x9);
    F2("ands %0, %2, %3", 0xf0, 0x0f, 0, 0x4);
    F2("ands %0, %2, %3", 0x8000000000000001ull, 0x8000000000000000ull, 0x8000000000000000ull, 0x8);
    F2("bics %w0, %w2, %w3", 0xffff, 0xffff, 0, 0x4);
    F2("tst %2, %3\n mov %0, #1", 2, 4, 1, 0x4);
    // Add/sub with carry.
    {
        uint64_t r, f;
        WITH_CARRY(1);
        __asm__ volatile("adc %0, %1, %2" : "=r"(r) : "r"(A), "r"(B));
        CHECK("adc (C=1)", r, K(A + B + 1));
        WITH_CARRY(0);
        __asm__ volatile("adc %0, %1, %2" : "=r"(r) : "r"(A), "r"(B));
        CHECK("adc (C=0)", r, K(A + B));
        WITH_CARRY(0);
        __asm__ volatile("sbc %0, %1, %2" : "=r"(r) : "r"(A), "r"(B));
        CHECK("sbc (C=0)", r, K(A - B - 1));
        WITH_CARRY(1);
        __asm__ volatile("adcs %0, %2, %3\n mrs %1, nzcv" : "=r"(r), "=r"(f) : "r"(~0ull), "r"(0ull));
        CHECK("adcs carry chain", r, 0);
        CHECK("adcs carry chain nzcv", f >> 28, 0x6);
        WITH_CARRY(1);
        __asm__ volatile("sbcs %w0, %w2, %w3\n mrs %1, nzcv" : "=r"(r), "=r"(f) : "r"(0ull), "r"(0ull));
        CHECK("sbcs w (C=1)", r, 0);
        CHECK("sbcs w nzcv", f >> 28, 0x6);
        WITH_CARRY(1);
        __asm__ volatile("ngc %0, %1" : "=r"(r) : "r"(5ull));
        CHECK("ngc", r, K((uint64_t)-5));
    }
    // Logical immediates (bitmask encodings of several element sizes).
    R1("and %0, %1, #0xff00ff00ff00ff00", A, A & 0xff00ff00ff00ff00ull);
    R1("orr %0, %1, #0x5555555555555555", A, A | 0x5555555555555555ull);
    R1("eor %0, %1, #0x0003fffc0003fffc", A, A ^ 0x0003fffc0003fffcull);
    R1("and %w0, %w1, #0x1e", A, A & 0x1e);
    R1("orr %w0, %w1, #0x80000001", A, (uint32_t)(A | 0x80000001u));
    R1("eor %0, %1, #0x8000000000000000", A, A ^ 0x8000000000000000ull);
    R1("and %0, %1, #0x00000000fffffff0", B, B & 0xfffffff0ull);
    // Logical shifted register, including ROR and the inverted forms.
    R2("and %0, %1, %2, ror #17", A, B, A & ((B >> 17) | (B << 47)));
    R2("orr %0, %1, %2, lsl #4", A, B, A | (B << 4));
    R2("orn %0, %1, %2", A, B, A | ~B);
    R2("eon %0, %1, %2, lsr #9", A, B, A ^ ~(B >> 9));
    R2("bic %w0, %w1, %w2, ror #5", A, B, (uint32_t)A & ~(((uint32_t)B >> 5) | ((uint32_t)B << 27)));
    R1("mvn %0, %1", A, ~A);
    // Moves.
    {
        uint64_t r;
        __asm__ volatile("movz %0, #0xbeef, lsl #32\n movk %0, #0xdead, lsl #48\n movk %0, #0x1234"
                         : "=&r"(r));
        CHECK("movz/movk", r, 0xdeadbeef00001234ull);
        __asm__ volatile("movn %0, #0x1234, lsl #16" : "=r"(r));
        CHECK("movn", r, K(~(0x1234ull << 16)));
        __asm__ volatile("movn %w0, #0x1" : "=r"(r));
        CHECK("movn w", r, 0xfffffffeull);
        __asm__ volatile("mov %w0, #-1" : "=r"(r));
        CHECK("mov w, #-1", r, 0xffffffffull);
    }
    // PC-relative addresses agree with the link-time address of a symbol.
    {
        uint64_t r1, r2;
        __asm__ volatile("adr %0, 1f\n 1: adrp %1, 1b\n" : "=r"(r1), "=r"(r2));
        CHECK("adrp = page of adr", r2, r1 & ~0xfffull);
        extern char _start[];
        __asm__ volatile("adr %0, _start" : "=r"(r1));
        CHECK("adr _start", r1, (uint64_t)_start);
        CHECK("_start at 0x40080000", (uint64_t)_start, 0x40080000);
    }
    // Variable shifts take the amount modulo the register size.
    R2("lsl %0, %1, %2", A, 68, A << 4);
    R2("lsr %0, %1, %2", B, 63, 1);
    R2("asr %0, %1, %2", B, 4, (uint64_t)((int64_t)B >> 4));
    R2("ror %0, %1, %2", A, 8, (A >> 8) | (A << 56));
    R2("lsl %w0, %w1, %w2", A, 33, (uint32_t)((uint32_t)A << 1));
    R2("asr %w0, %w1, %w2", 0x80000000u, 31, 0xffffffffu);
    R2("ror %w0, %w1, %w2", A, 4, (uint32_t)(((uint32_t)A >> 4) | ((uint32_t)A << 28)));
    // One-source operations.
    R1("clz %0, %1", 0x00f0000000000000ull, 8);
    R1("clz %0, %1", 0, 64);
    R1("clz %w0, %w1", 1, 31);
    R1("cls %0, %1", 0xfff0000000000000ull, 11);
    R1("cls %w0, %w1", 0, 31);
    R1("rbit %0, %1", 1, 0x8000000000000000ull);
    R1("rbit %w0, %w1", 0x12345678u, 0x1e6a2c48u);
    R1("rev %0, %1", A, 0xefcdab8967452301ull);
    R1("rev %w0, %w1", A, 0xefcdab89u);
    R1("rev16 %0, %1", A, 0x23016745ab89efcdull);
    R1("rev32 %0, %1", A, 0x67452301efcdab89ull);
    R1("rev16 %w0, %w1", A, 0xab89efcdu);
    return 0;
}

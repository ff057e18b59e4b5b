// Conditional select and compare: CSEL/CSINC/CSINV/CSNEG and aliases over
// all condition codes, CCMP/CCMN (register and immediate).
#include "lib/rt.h"

// The 16 conditions, evaluated on an NZCV value the architected way.
static const char* const kNames[16] = {"eq", "ne", "cs", "cc", "mi", "pl", "vs", "vc",
                                       "hi", "ls", "ge", "lt", "gt", "le", "al", "nv"};

#define SEL(cond, nzcv)                                                                   \
    ({                                                                                    \
        uint64_t r_;                                                                      \
        __asm__ volatile("msr nzcv, %1\n csel %0, %2, %3, " cond                          \
                         : "=r"(r_) : "r"((uint64_t)(nzcv) << 28), "r"(1ull), "r"(0ull)); \
        r_;                                                                               \
    })

static int holds(unsigned cond, unsigned f) {
    int n = f >> 3 & 1, z = f >> 2 & 1, c = f >> 1 & 1, v = f & 1;
    int r;
    switch (cond >> 1) {
    case 0: r = z; break;
    case 1: r = c; break;
    case 2: r = n; break;
    case 3: r = v; break;
    case 4: r = c && !z; break;
    case 5: r = n == v; break;
    case 6: r = n == v && !z; break;
    default: return 1;
    }
    return (cond & 1) ? !r : r;
}

static uint64_t sel(unsigned cond, unsigned f) {
    switch (cond) {
    case 0: return SEL("eq", f);
    case 1: return SEL("ne", f);
    case 2: return SEL("cs", f);
    case 3: return SEL("cc", f);
    case 4: return SEL("mi", f);
    case 5: return SEL("pl", f);
    case 6: return SEL("vs", f);
    case 7: return SEL("vc", f);
    case 8: return SEL("hi", f);
    case 9: return SEL("ls", f);
    case 10: return SEL("ge", f);
    case 11: return SEL("lt", f);
    case 12: return SEL("gt", f);
    case 13: return SEL("le", f);
    case 14: return SEL("al", f);
    default: return SEL("nv", f);
    }
}

int main(uint64_t dtb) {
    // Every condition under every flag combination: 256 cases, one line.
    int bad = 0;
    for (unsigned c = 0; c < 16; ++c) {
        for (unsigned f = 0; f < 16; ++f) {
            if (sel(c, f) != (uint64_t)holds(c, f)) {
                printf("FAIL csel.%s with nzcv=%x\n", kNames[c], f);
                ++bad;
            }
        }
    }
    CHECK("csel over all conditions and flags", bad, 0);
    uint64_t r;
    __asm__ volatile("cmp %1, %2\n csinc %0, %1, %2, ne" : "=r"(r) : "r"(5ull), "r"(5ull));
    CHECK("csinc (false: +1)", r, 6);
    __asm__ volatile("cmp %1, %2\n csinv %0, %1, %2, eq" : "=r"(r) : "r"(5ull), "r"(6ull));
    CHECK("csinv (false: ~)", r, K(~6ull));
    __asm__ volatile("cmp %1, %2\n csneg %0, %1, %2, gt" : "=r"(r) : "r"(5ull), "r"(6ull));
    CHECK("csneg (false: -)", r, K((uint64_t)-6));
    __asm__ volatile("cmp %w1, %w2\n csneg %w0, %w1, %w2, lt" : "=r"(r) : "r"(5ull), "r"(6ull));
    CHECK("csneg w (true)", r, 5);
    __asm__ volatile("cmp %1, %2\n cset %0, hi" : "=r"(r) : "r"(7ull), "r"(3ull));
    CHECK("cset hi", r, 1);
    __asm__ volatile("cmp %1, %2\n csetm %w0, lo" : "=r"(r) : "r"(3ull), "r"(7ull));
    CHECK("csetm w lo", r, 0xffffffffull);
    __asm__ volatile("cmp %1, %2\n cinc %0, %1, ge" : "=r"(r) : "r"(-1ull), "r"(-2ull));
    CHECK("cinc ge (signed)", r, 0);
    __asm__ volatile("cmp %1, %2\n cneg %0, %1, mi" : "=r"(r) : "r"(1ull), "r"(2ull));
    CHECK("cneg mi", r, K((uint64_t)-1));
    // CCMP: compare if the condition holds, else set NZCV to the immediate.
    uint64_t f;
    __asm__ volatile("cmp %2, #1\n ccmp %3, %4, #0b0010, eq\n mrs %1, nzcv\n mov %0, #0"
                     : "=r"(r), "=r"(f) : "r"(1ull), "r"(9ull), "r"(9ull));
    CHECK("ccmp (cond true, equal)", f >> 28, 0x6);
    __asm__ volatile("cmp %2, #2\n ccmp %3, %4, #0b1001, eq\n mrs %1, nzcv\n mov %0, #0"
                     : "=r"(r), "=r"(f) : "r"(1ull), "r"(9ull), "r"(9ull));
    CHECK("ccmp (cond false: #nzcv)", f >> 28, 0x9);
    __asm__ volatile("cmp %2, #1\n ccmp %w3, #31, #0, ne\n mrs %1, nzcv\n mov %0, #0"
                     : "=r"(r), "=r"(f) : "r"(2ull), "r"(3ull));
    CHECK("ccmp imm (3 - 31 < 0)", f >> 28, 0x8);
    __asm__ volatile("cmp %2, #1\n ccmn %3, %4, #0, ne\n mrs %1, nzcv\n mov %0, #0"
                     : "=r"(r), "=r"(f) : "r"(2ull), "r"(~0ull), "r"(1ull));
    CHECK("ccmn (-1 + 1 = 0, carry)", f >> 28, 0x6);
    __asm__ volatile("cmp %2, #1\n ccmn %3, #5, #0b0100, eq\n mrs %1, nzcv\n mov %0, #0"
                     : "=r"(r), "=r"(f) : "r"(2ull), "r"(~0ull));
    CHECK("ccmn imm (cond false)", f >> 28, 0x4);
    return 0;
}

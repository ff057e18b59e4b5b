// Exclusives (LDXR/STXR, LDAXR/STLXR, pairs, CLREX), load-acquire and
// store-release (LDAR/STLR and LDAPR where present), and the LSE atomics
// (LDADD/LDCLR/LDEOR/LDSET/LDSMAX/LDUMIN/SWP/CAS/CASP with ordering
// variants) on single values: old values returned and memory updated.
#include "lib/rt.h"

static uint64_t mem[8] __attribute__((aligned(64)));

#define LSE(insn, init, operand, want_old, want_mem)                             \
    do {                                                                         \
        mem[0] = (init);                                                         \
        uint64_t old_;                                                           \
        __asm__ volatile(insn " %1, %0, [%2]" : "=&r"(old_) : "r"((uint64_t)(operand)), \
                         "r"(mem) : "memory");                                   \
        CHECK(insn " old", old_, K(want_old));                                   \
        CHECK(insn " mem", mem[0], K(want_mem));                                 \
    } while (0)
#define LSEW(insn, init, operand, want_old, want_mem)                            \
    do {                                                                         \
        mem[0] = (init);                                                         \
        uint64_t old_;                                                           \
        __asm__ volatile(insn " %w1, %w0, [%2]" : "=&r"(old_) : "r"((uint64_t)(operand)), \
                         "r"(mem) : "memory");                                   \
        CHECK(insn " w old", old_, K(want_old));                                 \
        CHECK(insn " w mem", mem[0], K(want_mem));                               \
    } while (0)

int main(uint64_t dtb) {
    // Exclusive increment loop.
    mem[0] = 0;
    for (int i = 0; i < 100; ++i) {
        uint64_t t, fail;
        __asm__ volatile("1: ldxr %0, [%2]\n add %0, %0, #3\n stxr %w1, %0, [%2]\n cbnz %w1, 1b"
                         : "=&r"(t), "=&r"(fail) : "r"(mem) : "memory");
    }
    CHECK("ldxr/stxr increment loop", mem[0], 300);
    {
        uint64_t v, st;
        __asm__ volatile("ldaxr %0, [%2]\n stlxr %w1, %3, [%2]" : "=&r"(v), "=&r"(st)
                         : "r"(mem), "r"(7ull) : "memory");
        CHECK("ldaxr value", v, 300);
        CHECK("stlxr succeeds", st, 0);
        CHECK("stlxr stored", mem[0], 7);
        // CLREX between the pair makes the store fail.
        __asm__ volatile("ldxr %0, [%2]\n clrex\n stxr %w1, %3, [%2]" : "=&r"(v), "=&r"(st)
                         : "r"(mem), "r"(9ull) : "memory");
        CHECK("stxr after clrex fails", st, 1);
        CHECK("memory unchanged after failed stxr", mem[0], 7);
        // Byte and halfword exclusives.
        mem[1] = 0x1234;
        __asm__ volatile("ldxrb %w0, [%2]\n stxrb %w1, %w3, [%2]" : "=&r"(v), "=&r"(st)
                         : "r"(&mem[1]), "r"(0xabull) : "memory");
        CHECK("ldxrb", v, 0x34);
        CHECK("stxrb", mem[1] * 2 + st, K(0x12abull * 2));
        __asm__ volatile("ldaxrh %w0, [%2]\n stlxrh %w1, %w3, [%2]" : "=&r"(v), "=&r"(st)
                         : "r"(&mem[1]), "r"(0xbeefull) : "memory");
        CHECK("ldaxrh", v, 0x12ab);
        CHECK("stlxrh", mem[1] * 2 + st, K(0xbeefull * 2));
        // Pairs.
        uint64_t lo, hi;
        mem[2] = 1;
        mem[3] = 2;
        __asm__ volatile("ldxp %0, %1, [%3]\n stxp %w2, %4, %5, [%3]"
                         : "=&r"(lo), "=&r"(hi), "=&r"(st)
                         : "r"(&mem[2]), "r"(10ull), "r"(20ull) : "memory");
        CHECK("ldxp", lo + hi * 100, 201);
        CHECK("stxp", mem[2] + mem[3] * 100 + st, 2010);
    }
    // Acquire/release.
    {
        uint64_t v;
        __asm__ volatile("stlr %1, [%2]\n ldar %0, [%2]" : "=&r"(v) : "r"(0x55aaull), "r"(mem) : "memory");
        CHECK("stlr/ldar", v, 0x55aa);
        __asm__ volatile("stlrb %w1, [%2]\n ldarb %w0, [%2]" : "=&r"(v) : "r"(0x1ffull), "r"(mem) : "memory");
        CHECK("stlrb/ldarb", v, 0xff);
        mem[0] = 0xabcd0000ffffull;
        __asm__ volatile("stlrh %w1, [%2]\n ldarh %w0, [%2]" : "=&r"(v) : "r"(0x12345ull), "r"(mem) : "memory");
        CHECK("stlrh/ldarh", v, 0x2345);
        CHECK("stlrh kept upper bytes", mem[0], 0xabcd00002345ull);
    }
    // LSE atomics (ARMv8.1): ID_AA64ISAR0_EL1.Atomic says whether they exist.
    uint64_t isar0 = READ_SYSREG(id_aa64isar0_el1);
    CHECK("LSE atomics implemented", (isar0 >> 20) & 0xf, 2);
    if (((isar0 >> 20) & 0xf) != 2) return 1;
    LSE("ldadd", 40, 2, 40, 42);
    LSE("ldadda", ~0ull, 1, ~0ull, 0);
    LSE("ldclr", 0xff, 0x0f, 0xff, 0xf0);
    LSE("ldeorl", 0xff, 0x0f, 0xff, 0xf0 ^ 0x00);
    LSE("ldset", 0xf0, 0x0f, 0xf0, 0xff);
    LSE("ldsmax", (uint64_t)-5, 3, (uint64_t)-5, 3);
    LSE("ldsmin", (uint64_t)-5, 3, (uint64_t)-5, (uint64_t)-5);
    LSE("ldumax", (uint64_t)-5, 3, (uint64_t)-5, (uint64_t)-5);
    LSE("ldumin", (uint64_t)-5, 3, (uint64_t)-5, 3);
    LSE("swpal", 0x1234, 0x5678, 0x1234, 0x5678);
    LSEW("ldadd", 0x1ffffffffull, 1, 0xffffffffull, 0x100000000ull);
    LSEW("ldsmax", 0x80000000ull, 1, 0x80000000ull, 1);
    LSEW("swp", 0xaaaaaaaabbbbbbbbull, 0xcc, 0xbbbbbbbbull, 0xaaaaaaaa000000ccull);
    {
        uint64_t cmp, r;
        mem[0] = 100;
        cmp = 100;
        __asm__ volatile("cas %0, %2, [%1]" : "+r"(cmp) : "r"(mem), "r"(200ull) : "memory");
        CHECK("cas (match) returns old", cmp, 100);
        CHECK("cas (match) stores", mem[0], 200);
        cmp = 100;
        __asm__ volatile("casal %0, %2, [%1]" : "+r"(cmp) : "r"(mem), "r"(300ull) : "memory");
        CHECK("casal (mismatch) returns current", cmp, 200);
        CHECK("casal (mismatch) leaves memory", mem[0], 200);
        mem[0] = 0x11;
        r = 0x11;
        __asm__ volatile("casb %w0, %w2, [%1]" : "+r"(r) : "r"(mem), "r"(0x22ull) : "memory");
        CHECK("casb", mem[0], 0x22);
        mem[2] = 5;
        mem[3] = 6;
        register uint64_t x0 __asm__("x0") = 5, x1 __asm__("x1") = 6;
        register uint64_t x2 __asm__("x2") = 7, x3 __asm__("x3") = 8;
        __asm__ volatile("casp x0, x1, x2, x3, [%2]" : "+r"(x0), "+r"(x1) : "r"(&mem[2]), "r"(x2), "r"(x3) : "memory");
        volatile uint64_t old_pair = x0 + x1 * 10;
        CHECK("casp returns old pair", old_pair, 65);
        CHECK("casp stores new pair", mem[2] + mem[3] * 10, 87);
    }
    return 0;
}

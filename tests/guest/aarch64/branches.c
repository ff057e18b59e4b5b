// Branches: B, BL/RET, BR/BLR through a table, CBZ/CBNZ, TBZ/TBNZ on
// every bit position, B.cond (through condsel for the condition logic),
// recursion, and a branch forward/backward over a large distance.
#include "lib/rt.h"

static int __attribute__((noinline)) fib(int n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }

static uint64_t f0(uint64_t x) { return x + 1; }
static uint64_t f1(uint64_t x) { return x * 3; }
static uint64_t f2(uint64_t x) { return x ^ 0xff; }
static uint64_t (*const volatile kTable[3])(uint64_t) = {f0, f1, f2};

// A long jump: 512 KiB of padding between the two labels.
__asm__(".text\n .global far_jump\n far_jump:\n mov x0, #1\n b 2f\n .space 0x80000\n"
        " mov x0, #99\n ret\n 2: add x0, x0, #41\n ret\n");
uint64_t far_jump(void);

int main(uint64_t dtb) {
    CHECK("bl/ret recursion fib(20)", fib(20), 6765);
    uint64_t v = 5;
    for (int i = 0; i < 3; ++i) v = kTable[i](v);  // blr
    CHECK("blr through a table", v, K(((5ull + 1) * 3) ^ 0xff));
    {
        uint64_t r;
        __asm__ volatile("adr x9, 1f\n mov %0, #1\n br x9\n mov %0, #2\n 1:" : "=r"(r) : : "x9");
        CHECK("br", r, 1);
        __asm__ volatile("mov %0, #0\n b 1f\n mov %0, #7\n 1: add %0, %0, #3" : "=r"(r));
        CHECK("b forward", r, 3);
        __asm__ volatile("mov %0, #0\n mov x9, #5\n 1: add %0, %0, #2\n subs x9, x9, #1\n b.ne 1b"
                         : "=r"(r) : : "x9", "cc");
        CHECK("b.ne loop", r, 10);
        __asm__ volatile("mov %0, #0\n cbz %1, 1f\n mov %0, #1\n 1:" : "=&r"(r) : "r"(0ull));
        CHECK("cbz taken", r, 0);
        __asm__ volatile("mov %0, #0\n cbz %w1, 1f\n mov %0, #1\n 1:"
                         : "=&r"(r) : "r"(0x100000000ull));
        CHECK("cbz w ignores upper half", r, 0);
        __asm__ volatile("mov %0, #0\n cbnz %1, 1f\n mov %0, #1\n 1:"
                         : "=&r"(r) : "r"(0x100000000ull));
        CHECK("cbnz taken", r, 0);
    }
    // TBZ/TBNZ on all 64 bits of a pattern: rebuild the value bit by bit.
    {
        const uint64_t pat = 0x8123456789abcdefull;
        uint64_t built = 0, built2 = 0;
#define TB(n)                                                                        \
    do {                                                                             \
        uint64_t b_, c_;                                                             \
        __asm__ volatile("mov %0, #1\n tbnz %2, #" #n ", 1f\n mov %0, #0\n 1:\n"     \
                         "mov %1, #0\n tbz %2, #" #n ", 2f\n mov %1, #1\n 2:"        \
                         : "=&r"(b_), "=&r"(c_) : "r"(pat));                          \
        built |= b_ << (n);                                                            \
        built2 |= c_ << (n);                                                           \
    } while (0)
#define TB8(n) TB(n); TB(n + 1); TB(n + 2); TB(n + 3); TB(n + 4); TB(n + 5); TB(n + 6); TB(n + 7)
        TB8(0); TB8(8); TB8(16); TB8(24); TB8(32); TB8(40); TB8(48); TB8(56);
        CHECK("tbnz all bits", built, pat);
        CHECK("tbz all bits", built2, pat);
    }
    CHECK("branch over 512 KiB", far_jump(), 42);
    // Indirect calls through a register, the BL link value.
    {
        uint64_t lr, here;
        __asm__ volatile("bl 1f\n 1: mov %0, x30\n adr %1, 1b" : "=r"(lr), "=r"(here) : : "x30");
        CHECK("bl writes x30 = next instruction", lr, here);
    }
    return 0;
}

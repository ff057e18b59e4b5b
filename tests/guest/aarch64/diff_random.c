// Driver of the differential test: runs each generated block of random
// instructions (diff_random.S, from diff_random.py) on its input state and
// prints the resulting registers, flags and FPSR. The output has no
// PASS/FAIL of its own: tests/functional/aarch64/diff_test.sh compares it
// between our tiers and QEMU.
#include "lib/rt.h"

struct state {
    uint64_t x[16];
    uint64_t d[8];
    uint64_t nzcv, fpcr, fpsr;
};
extern void (*const diff_blocks[])(struct state*);
extern const struct state diff_states[];
extern const uint64_t diff_nblocks;

int main(uint64_t dtb) {
    static struct state s;
    for (uint64_t b = 0; b < diff_nblocks; ++b) {
        s = diff_states[b];
        __asm__ volatile("msr fpsr, xzr");
        diff_blocks[b](&s);
        printf("B%lu", b);
        for (int i = 0; i < 16; ++i) printf(" %lx", s.x[i]);
        printf(" |");
        for (int i = 0; i < 8; ++i) printf(" %lx", s.d[i]);
        printf(" | %lx %lx\n", s.nzcv >> 28, s.fpsr);
    }
    __asm__ volatile("msr fpcr, xzr");
    return 0;
}

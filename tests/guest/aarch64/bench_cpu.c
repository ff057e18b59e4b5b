// CPU-bound workload for bench/arm_baremetal.sh: an FNV-1a checksum over a
// buffer, an insertion-sorted-then-quicksorted array, and a small bytecode
// interpreter loop. Results are checked so a wrong translation cannot look
// fast. The scale (BENCH_SCALE, default 12) multiplies the work.
#include "lib/rt.h"

#ifndef BENCH_SCALE
#define BENCH_SCALE 12
#endif

static uint32_t buf[1 << 16];
static uint32_t arr[1 << 14];

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint32_t next_rand(void) {
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)rng;
}

static uint64_t fnv(const uint32_t* p, unsigned n) {
    uint64_t h = 0xcbf29ce484222325ull;
    for (unsigned i = 0; i < n; ++i) {
        uint32_t v = p[i];
        for (int k = 0; k < 4; ++k) {
            h ^= (v >> (8 * k)) & 0xff;
            h *= 0x100000001b3ull;
        }
    }
    return h;
}

static void quicksort(uint32_t* a, int lo, int hi) {
    while (lo < hi) {
        uint32_t pivot = a[(lo + hi) / 2];
        int i = lo, j = hi;
        while (i <= j) {
            while (a[i] < pivot) ++i;
            while (a[j] > pivot) --j;
            if (i <= j) {
                uint32_t t = a[i];
                a[i] = a[j];
                a[j] = t;
                ++i, --j;
            }
        }
        if (j - lo < hi - i) {
            quicksort(a, lo, j);
            lo = i;
        } else {
            quicksort(a, i, hi);
            hi = j;
        }
    }
}

// Bytecode: a stack machine computing sum_{i<n} (i*i ^ (i>>3)) mod 2^32.
enum { OP_PUSH_I, OP_DUP, OP_MUL, OP_SHR3, OP_XOR, OP_ADD_ACC, OP_INC_I, OP_LOOP, OP_END };
static const uint8_t kProg[] = {OP_PUSH_I, OP_DUP, OP_MUL, OP_PUSH_I, OP_SHR3, OP_XOR,
                                OP_ADD_ACC, OP_INC_I, OP_LOOP, OP_END};

static uint32_t interp(uint32_t n) {
    uint32_t stack[8];
    int sp = 0;
    uint32_t i = 0, acc = 0;
    unsigned pc = 0;
    for (;;) {
        switch (kProg[pc++]) {
        case OP_PUSH_I: stack[sp++] = i; break;
        case OP_DUP: stack[sp] = stack[sp - 1]; ++sp; break;
        case OP_MUL: --sp; stack[sp - 1] *= stack[sp]; break;
        case OP_SHR3: stack[sp - 1] >>= 3; break;
        case OP_XOR: --sp; stack[sp - 1] ^= stack[sp]; break;
        case OP_ADD_ACC: acc += stack[--sp]; break;
        case OP_INC_I: ++i; break;
        case OP_LOOP: if (i < n) pc = 0; break;
        case OP_END: return acc;
        }
    }
}

int main(uint64_t dtb) {
    uint64_t h = 0;
    for (unsigned i = 0; i < sizeof buf / 4; ++i) buf[i] = next_rand();
    for (int r = 0; r < 8 * BENCH_SCALE; ++r) {
        buf[r] ^= (uint32_t)h;
        h = h * 31 + fnv(buf, sizeof buf / 4);
    }
    int sorted_ok = 1;
    for (int r = 0; r < 4 * BENCH_SCALE; ++r) {
        for (unsigned i = 0; i < sizeof arr / 4; ++i) arr[i] = next_rand();
        quicksort(arr, 0, (int)(sizeof arr / 4) - 1);
        for (unsigned i = 1; i < sizeof arr / 4; ++i) sorted_ok &= arr[i - 1] <= arr[i];
    }
    uint32_t n = 400000u * BENCH_SCALE, acc = interp(n);
    uint32_t want = 0;
    for (uint32_t i = 0; i < n; ++i) want += (i * i) ^ (i >> 3);
    CHECK("sorted", sorted_ok, 1);
    CHECK("interpreter = direct loop", acc, want);
    printf("INFO checksum %lx\n", h);
    return 0;
}

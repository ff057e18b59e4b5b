// Loads and stores in every addressing form: unsigned scaled offset,
// unscaled (LDUR/STUR), pre- and post-index writeback, register offset
// with LSL/UXTW/SXTW/SXTX, PC-relative literal, and all sizes with sign
// and zero extension. Buffers are aligned (MMU off: Device memory).
#include "lib/rt.h"

static uint64_t buf[32] __attribute__((aligned(64)));
static const uint64_t kLit = 0x1122334455667788ull;

#define LOAD(insn, base, want)                                            \
    do {                                                                  \
        uint64_t r_;                                                      \
        __asm__ volatile(insn : "=r"(r_) : "r"(base) : "memory");         \
        CHECK(insn, r_, K(want));                                         \
    } while (0)

int main(uint64_t dtb) {
    uint8_t* b = (uint8_t*)buf;
    for (unsigned i = 0; i < sizeof buf; ++i) b[i] = (uint8_t)(0x80 + i);
    LOAD("ldrb %w0, [%1, #5]", b, 0x85);
    LOAD("ldrsb %w0, [%1, #5]", b, 0xffffff85u);
    LOAD("ldrsb %0, [%1, #5]", b, 0xffffffffffffff85ull);
    LOAD("ldrh %w0, [%1, #6]", b, 0x8786);
    LOAD("ldrsh %0, [%1, #6]", b, 0xffffffffffff8786ull);
    LOAD("ldrsh %w0, [%1, #6]", b, 0xffff8786u);
    LOAD("ldr %w0, [%1, #8]", b, 0x8b8a8988u);
    LOAD("ldrsw %0, [%1, #8]", b, 0xffffffff8b8a8988ull);
    LOAD("ldr %0, [%1, #16]", b, 0x9796959493929190ull);
    LOAD("ldr %0, [%1, #248]", b, 0x7f7e7d7c7b7a7978ull);  // scaled imm12
    LOAD("ldur %0, [%1, #-8]", b + 24, 0x9796959493929190ull);
    LOAD("ldur %w0, [%1, #1]", b + 3, 0x87868584u);        // unaligned offset, aligned address
    LOAD("ldursb %0, [%1, #-1]", b + 1, 0xffffffffffffff80ull);
    LOAD("ldurh %w0, [%1, #-2]", b + 4, 0x8382);
    LOAD("ldr %0, =0x1122334455667788", b, 0x1122334455667788ull);  // literal pool
    {
        uint64_t r;
        __asm__ volatile("ldr %0, kLitLabel\n b 1f\n .balign 8\n kLitLabel: .quad 0xcafef00d12345678\n 1:"
                         : "=r"(r));
        CHECK("ldr literal (label)", r, 0xcafef00d12345678ull);
        __asm__ volatile("ldrsw %0, kLitW\n b 1f\n .balign 4\n kLitW: .word 0x80000001\n 1:" : "=r"(r));
        CHECK("ldrsw literal", r, 0xffffffff80000001ull);
        CHECK("ldr of a const global", *(volatile const uint64_t*)&kLit, 0x1122334455667788ull);
    }
    // Register offsets.
    {
        uint64_t r;
        __asm__ volatile("ldr %0, [%1, %2, lsl #3]" : "=r"(r) : "r"(buf), "r"(2ull) : "memory");
        CHECK("ldr [x, x, lsl #3]", r, 0x9796959493929190ull);
        __asm__ volatile("ldr %0, [%1, %2]" : "=r"(r) : "r"(buf), "r"(16ull) : "memory");
        CHECK("ldr [x, x]", r, 0x9796959493929190ull);
        __asm__ volatile("ldr %w0, [%1, %w2, uxtw #2]" : "=r"(r) : "r"(buf), "r"(0x100000002ull) : "memory");
        CHECK("ldr [x, w, uxtw #2]", r, 0x8b8a8988u);
        __asm__ volatile("ldrb %w0, [%1, %w2, sxtw]" : "=r"(r) : "r"(b + 10), "r"(0xfffffffdull) : "memory");
        CHECK("ldrb [x, w, sxtw] (negative)", r, 0x87);
        __asm__ volatile("ldrh %w0, [%1, %2, sxtx #1]" : "=r"(r) : "r"(b + 8), "r"(-2ll) : "memory");
        CHECK("ldrh [x, x, sxtx #1]", r, 0x8584);
    }
    // Pre/post-index writeback.
    {
        uint64_t p = (uint64_t)buf, r;
        __asm__ volatile("ldr %0, [%1, #8]!" : "=r"(r), "+r"(p) : : "memory");
        CHECK("ldr pre-index value", r, 0x8f8e8d8c8b8a8988ull);
        CHECK("ldr pre-index base", p, (uint64_t)buf + 8);
        __asm__ volatile("ldr %0, [%1], #-8" : "=r"(r), "+r"(p) : : "memory");
        CHECK("ldr post-index value", r, 0x8f8e8d8c8b8a8988ull);
        CHECK("ldr post-index base", p, (uint64_t)buf);
        __asm__ volatile("ldrb %w0, [%1, #255]!" : "=r"(r), "+r"(p) : : "memory");
        CHECK("ldrb pre-index #255", r, 0x7f);
        p = (uint64_t)buf;
        __asm__ volatile("ldrsh %0, [%1], #2" : "=r"(r), "+r"(p) : : "memory");
        CHECK("ldrsh post-index", r, 0xffffffffffff8180ull);
        CHECK("ldrsh post-index base", p, (uint64_t)buf + 2);
    }
    // Stores of each size and form.
    {
        for (unsigned i = 0; i < 32; ++i) buf[i] = 0;
        uint64_t p = (uint64_t)buf;
        __asm__ volatile("strb %w1, [%0, #1]\n strh %w1, [%0, #2]\n str %w1, [%0, #4]\n str %1, [%0, #8]"
                         : : "r"(p), "r"(0x0123456789abcdefull) : "memory");
        CHECK("strb/strh/str w/str x", buf[0], 0x89abcdefcdefef00ull);
        CHECK("str x", buf[1], 0x0123456789abcdefull);
        __asm__ volatile("stur %w1, [%0, #-4]" : : "r"(p + 20), "r"(0xa5a5a5a5ull) : "memory");
        CHECK("stur w", buf[2], 0xa5a5a5a5ull);
        __asm__ volatile("str %1, [%0, #24]!\n str %1, [%0], #8\n strb %w1, [%0]"
                         : "+r"(p) : "r"(0x55ull) : "memory");
        CHECK("str pre/post-index", buf[3], 0x55);
        CHECK("strb after writeback", buf[4], 0x55);
        CHECK("writeback base", p, (uint64_t)buf + 32);
        __asm__ volatile("str %2, [%0, %1, lsl #3]" : : "r"(buf), "r"(5ull), "r"(0x77ull) : "memory");
        CHECK("str [x, x, lsl #3]", buf[5], 0x77);
        __asm__ volatile("strh %w2, [%0, %w1, sxtw #1]" : : "r"(&buf[7]), "r"(-4), "r"(0xbeefull) : "memory");
        CHECK("strh [x, w, sxtw #1]", buf[6], 0xbeefull);
        // XZR as the stored register, SP as the base.
        uint64_t r;
        __asm__ volatile("sub sp, sp, #16\n str %1, [sp]\n str xzr, [sp, #8]\n ldr %0, [sp]\n"
                         "ldr x9, [sp, #8]\n add %0, %0, x9\n add sp, sp, #16"
                         : "=r"(r) : "r"(0x1234ull) : "x9", "memory");
        CHECK("str/ldr via sp, xzr", r, 0x1234);
    }
    return 0;
}

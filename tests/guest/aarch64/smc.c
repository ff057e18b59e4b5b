// Self-modifying code: a function is written into RAM, run, rewritten and
// run again. The cache maintenance sequence (DC CVAU, DSB, IC IVAU, DSB,
// ISB) is the architected one; an emulator must notice the write and drop
// the stale translation.
#include "lib/rt.h"

static uint32_t code[64] __attribute__((aligned(64)));
static volatile uint32_t* const vcode = code;

static uint32_t movz_w0(uint16_t imm) { return 0x52800000u | (uint32_t)imm << 5; }
static const uint32_t kRet = 0xd65f03c0u;

static void sync_icache(void* p, size_t len) {
    for (uintptr_t a = (uintptr_t)p & ~63ul; a < (uintptr_t)p + len; a += 64) {
        __asm__ volatile("dc cvau, %0" : : "r"(a) : "memory");
    }
    __asm__ volatile("dsb ish" ::: "memory");
    for (uintptr_t a = (uintptr_t)p & ~63ul; a < (uintptr_t)p + len; a += 64) {
        __asm__ volatile("ic ivau, %0" : : "r"(a) : "memory");
    }
    __asm__ volatile("dsb ish\n isb" ::: "memory");
}

static uint64_t call(void) {
    uint64_t r;
    __asm__ volatile("blr %1\n mov %0, x0" : "=r"(r) : "r"(code)
                     : "x0", "x1", "x30", "memory");
    return r;
}

int main(uint64_t dtb) {
    vcode[0] = movz_w0(111);
    vcode[1] = kRet;
    sync_icache(code, 8);
    CHECK("generated code runs", call(), 111);
    vcode[0] = movz_w0(222);
    sync_icache(code, 8);
    CHECK("rewritten code runs the new instruction", call(), 222);
    // A loop that patches its own immediate each iteration.
    uint64_t sum = 0;
    for (unsigned i = 1; i <= 50; ++i) {
        vcode[0] = movz_w0((uint16_t)i);
        sync_icache(code, 4);
        sum += call();
    }
    CHECK("patched 50 times", sum, 50 * 51 / 2);
    // Longer block: add x0 = 0 then 20 x "add w0, w0, #k" then ret.
    vcode[0] = movz_w0(0);
    for (unsigned k = 1; k <= 20; ++k) vcode[k] = 0x11000000u | (k << 10);  // add w0, w0, #k
    vcode[21] = kRet;
    sync_icache(code, 22 * 4);
    CHECK("block of adds", call(), 210);
    vcode[10] = 0x51000000u | (100u << 10);  // sub w0, w0, #100 in the middle
    sync_icache(code, 22 * 4);
    CHECK("mid-block patch", call(), 210 - 10 - 100);
    return 0;
}

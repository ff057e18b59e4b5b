// The guest of the gdbstub test (tests/functional/arm_gdb): gdb breaks in
// gdb_target and gdb_regcheck, reads registers and memory, steps, watches
// gdb_counter and changes x0 before gdb_regcheck returns it. CPU 1 spins
// in gdb_spin so that -smp 2 shows two live threads. With gdb_hold set
// (by the debugger), main waits in gdb_wait until the debugger clears it.
#include "lib/rt.h"

#define PSCI_CPU_ON 0xc4000003ul

extern char secondary_entry[];
volatile uint64_t gdb_counter;
// In .data, not .bss: the debugger may set it before crt0 clears the bss.
__attribute__((section(".data"))) volatile uint64_t gdb_hold;
volatile uint64_t gdb_spins;
static volatile uint64_t g_stop, g_stopped;

__attribute__((noinline)) uint64_t gdb_target(uint64_t arg) {
    gdb_counter += arg;
    return gdb_counter;
}

__attribute__((noinline)) uint64_t gdb_regcheck(uint64_t v) {
    __asm__ volatile("" : "+r"(v));
    return v;
}

__attribute__((noinline)) void gdb_spin(void) {
    while (!g_stop)
        gdb_spins = gdb_spins + 1;
}

__attribute__((noinline)) void gdb_wait(void) {
    while (gdb_hold)
        __asm__ volatile("yield");
}

void secondary_main(uint64_t ctx) {
    (void)ctx;
    gdb_spin();
    g_stopped = 1;
    for (;;)
        __asm__ volatile("wfi");
}

int main(uint64_t dtb) {
    (void)dtb;
    int64_t r = (int64_t)psci(PSCI_CPU_ON, 1, (uint64_t)secondary_entry, 1);
    printf("gdb: cpu1 %s\n", r == 0 ? "on" : "absent");
    // A known vector register value for the debugger to read.
    __asm__ volatile("movi v7.2d, #0xff00ff00ff00ff00" ::: "v7");
    gdb_target(0x1234);
    gdb_target(0x1235);
    gdb_target(0x1236);
    uint64_t v = gdb_regcheck(7);
    gdb_wait();
    if (r == 0) {
        g_stop = 1;
        while (!g_stopped)
            __asm__ volatile("yield");
    }
    printf("gdb: counter 0x%lx regcheck %lu\n", (unsigned long)gdb_counter, (unsigned long)v);
    printf("TEST PASS\n");
    return 0;
}

// PSCI and SMP: start every secondary CPU with CPU_ON (until the firmware
// says INVALID_PARAMETERS), check ALREADY_ON, AFFINITY_INFO, shared-memory
// atomics across CPUs (exclusives and LSE), and CPU_OFF. Run with -smp 4.
#include "lib/rt.h"

#define PSCI_CPU_OFF 0x84000002ul
#define PSCI_CPU_ON 0xc4000003ul
#define PSCI_AFFINITY_INFO 0xc4000004ul
#define MAX_CPUS 8
#define ITERS 2000

extern char secondary_entry[];
static volatile uint64_t g_go, g_counter, g_lse_counter, g_mpidr[MAX_CPUS], g_done[MAX_CPUS];

void secondary_main(uint64_t ctx) {
    g_mpidr[ctx] = READ_SYSREG(mpidr_el1) & 0xffffff;
    while (!g_go) __asm__ volatile("yield");
    for (int i = 0; i < ITERS; ++i) {
        uint64_t t, fail;
        __asm__ volatile("1: ldaxr %0, [%2]\n add %0, %0, #1\n stlxr %w1, %0, [%2]\n cbnz %w1, 1b"
                         : "=&r"(t), "=&r"(fail) : "r"(&g_counter) : "memory");
        __asm__ volatile("stadd %0, [%1]" : : "r"(1ull), "r"(&g_lse_counter) : "memory");
    }
    __asm__ volatile("dmb ish" ::: "memory");
    g_done[ctx] = 1;
    psci(PSCI_CPU_OFF, 0, 0, 0);
    printf("FAIL CPU_OFF returned\n");
}

int main(uint64_t dtb) {
    unsigned n = 1;
    for (unsigned cpu = 1; cpu < MAX_CPUS; ++cpu) {
        int64_t r = (int64_t)psci(PSCI_CPU_ON, cpu, (uint64_t)secondary_entry, cpu);
        if (r == -2) break;  // INVALID_PARAMETERS: no such CPU
        CHECK("CPU_ON succeeds", r, 0);
        ++n;
    }
    printf("INFO %u cpus\n", n);
    CHECK("at least two CPUs (run with -smp 2 or more)", n >= 2, 1);
    // Wait until all report in, then a second CPU_ON must be refused.
    for (unsigned cpu = 1; cpu < n; ++cpu) {
        while (!g_mpidr[cpu] && cpu != 0) __asm__ volatile("yield");
    }
    for (unsigned cpu = 1; cpu < n; ++cpu) CHECK("secondary sees its MPIDR", g_mpidr[cpu], cpu);
    CHECK("CPU_ON of a running CPU = ALREADY_ON", psci(PSCI_CPU_ON, 1, (uint64_t)secondary_entry, 1),
          (uint64_t)-4);
    CHECK("AFFINITY_INFO(1) = ON", psci(PSCI_AFFINITY_INFO, 1, 0, 0), 0);
    CHECK("AFFINITY_INFO of a missing CPU", psci(PSCI_AFFINITY_INFO, 0xff, 0, 0), (uint64_t)-2);
    g_go = 1;
    for (int i = 0; i < ITERS; ++i) {
        uint64_t t, fail;
        __asm__ volatile("1: ldaxr %0, [%2]\n add %0, %0, #1\n stlxr %w1, %0, [%2]\n cbnz %w1, 1b"
                         : "=&r"(t), "=&r"(fail) : "r"(&g_counter) : "memory");
        __asm__ volatile("stadd %0, [%1]" : : "r"(1ull), "r"(&g_lse_counter) : "memory");
    }
    for (unsigned cpu = 1; cpu < n; ++cpu) {
        while (!g_done[cpu]) __asm__ volatile("yield");
        // CPU_OFF takes effect shortly after the flag: poll AFFINITY_INFO.
        while (psci(PSCI_AFFINITY_INFO, cpu, 0, 0) != 1) __asm__ volatile("yield");
    }
    CHECK("exclusive increments from all CPUs", g_counter, (uint64_t)n * ITERS);
    CHECK("LSE increments from all CPUs", g_lse_counter, (uint64_t)n * ITERS);
    CHECK("AFFINITY_INFO(1) = OFF after CPU_OFF", psci(PSCI_AFFINITY_INFO, 1, 0, 0), 1);
    // A CPU that was turned off can be started again.
    g_done[1] = 0;
    g_go = 1;
    CHECK("CPU_ON after CPU_OFF", psci(PSCI_CPU_ON, 1, (uint64_t)secondary_entry, 1), 0);
    while (!g_done[1]) __asm__ volatile("yield");
    CHECK("restarted CPU ran", g_counter, (uint64_t)(n + 1) * ITERS);
    return 0;
}

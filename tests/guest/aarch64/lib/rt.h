// Tiny runtime for the bare-metal test programs: PL011 output, a printf
// subset, result checks, exits through semihosting or PSCI, exception hooks.
#pragma once
#include <stddef.h>
#include <stdint.h>

#define UART_BASE 0x09000000ul

void uart_putc(char c);
void uart_puts(const char* s);
int printf(const char* fmt, ...) __attribute__((format(printf, 1, 2)));

// Semihosting: op in w0, parameter block address in x1, result in x0.
uint64_t semihost(uint64_t op, uint64_t param);
// Ends the program with `status` (semihosting SYS_EXIT_EXTENDED, or PSCI
// SYSTEM_OFF when built with -DEXIT_PSCI, which cannot carry a status).
void rt_exit(int status) __attribute__((noreturn));

// PSCI over HVC.
uint64_t psci(uint64_t fn, uint64_t a1, uint64_t a2, uint64_t a3);

// The program's entry; returns the number of failed checks.
int main(uint64_t dtb);
// Secondary CPUs (only for programs that start them).
void secondary_main(uint64_t ctx);

// Saved state of an exception (see vectors.S).
struct frame {
    uint64_t x[31];
    uint64_t elr;
    uint64_t spsr;
};
// kind: vector index 0..15 (4 = sync from current EL with SP_ELx, 5 = IRQ).
// Returns nonzero when handled; unhandled exceptions fail the program.
typedef int (*exception_hook)(int kind, struct frame* f);
void set_exception_hook(exception_hook h);

// Checks: print one PASS/FAIL line each and count failures.
extern int g_failures;
void check_u64(const char* what, uint64_t got, uint64_t want, int line);
#define CHECK(what, got, want) check_u64(what, (uint64_t)(got), (uint64_t)(want), __LINE__)
// Expected values must come from the compiler's constant folding (done at
// build time, not by the CPU under test); this says so when it did not.
#define K(x) (__builtin_constant_p(x) ? (x) : rt_not_const(x, __LINE__))
uint64_t rt_not_const(uint64_t v, int line);

void* memcpy(void* d, const void* s, size_t n);
void* memset(void* d, int c, size_t n);
int memcmp(const void* a, const void* b, size_t n);
size_t strlen(const char* s);

static inline uint64_t read_nzcv(void) {
    uint64_t v;
    __asm__ volatile("mrs %0, nzcv" : "=r"(v));
    return v >> 28;
}
#define READ_SYSREG(name)                                   \
    ({                                                      \
        uint64_t v_;                                        \
        __asm__ volatile("mrs %0, " #name : "=r"(v_));      \
        v_;                                                 \
    })

/* Turns the MMU on with an identity map (4K granule, 39-bit VA, 1 GiB
 * blocks): the first GiB (devices) Device-nGnRnE, the second (RAM) Normal
 * write-back, so that memory accesses are to Normal memory as under an OS
 * (benchmarks). */
void rt_mmu_identity_on(void);

/* Waits in WFI until `cond` holds. The condition is checked with IRQs
 * masked: a pending interrupt still wakes WFI, so one arriving between the
 * check and the WFI cannot be missed (unmasked, it could be taken there and
 * WFI would sleep forever). IRQs are unmasked again on return. */
#define WFI_UNTIL(cond)                                                \
    do {                                                               \
        for (;;) {                                                     \
            __asm__ volatile("msr daifset, #2" ::: "memory");          \
            if (cond) break;                                           \
            __asm__ volatile("wfi");                                   \
            __asm__ volatile("msr daifclr, #2\n isb" ::: "memory");    \
        }                                                              \
        __asm__ volatile("msr daifclr, #2\n isb" ::: "memory");        \
    } while (0)

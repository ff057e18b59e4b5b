#include "rt.h"

#include <stdarg.h>

int g_failures;
static exception_hook g_hook;

#define UART_DR (*(volatile uint32_t*)(UART_BASE + 0x00))
#define UART_FR (*(volatile uint32_t*)(UART_BASE + 0x18))

void uart_putc(char c) {
    if (c == '\n') uart_putc('\r');
    while (UART_FR & (1u << 5)) {
    }
    UART_DR = (uint8_t)c;
}

void uart_puts(const char* s) {
    while (*s) uart_putc(*s++);
}

static void put_num(uint64_t v, unsigned base, int width, char pad, int neg) {
    char buf[24];
    int n = 0;
    do {
        unsigned d = (unsigned)(v % base);
        buf[n++] = (char)(d < 10 ? '0' + d : 'a' + d - 10);
        v /= base;
    } while (v);
    if (neg) buf[n++] = '-';
    while (n < width) uart_putc(pad), --width;
    while (n) uart_putc(buf[--n]);
}

int printf(const char* fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    for (; *fmt; ++fmt) {
        if (*fmt != '%') {
            uart_putc(*fmt);
            continue;
        }
        ++fmt;
        char pad = ' ';
        int width = 0, lng = 0;
        if (*fmt == '0') pad = '0', ++fmt;
        while (*fmt >= '0' && *fmt <= '9') width = width * 10 + (*fmt++ - '0');
        while (*fmt == 'l') lng++, ++fmt;
        switch (*fmt) {
        case 'd': {
            int64_t v = lng ? va_arg(ap, int64_t) : va_arg(ap, int);
            put_num(v < 0 ? (uint64_t)-v : (uint64_t)v, 10, width, pad, v < 0);
            break;
        }
        case 'u':
            put_num(lng ? va_arg(ap, uint64_t) : va_arg(ap, unsigned), 10, width, pad, 0);
            break;
        case 'x':
            put_num(lng ? va_arg(ap, uint64_t) : va_arg(ap, unsigned), 16, width, pad, 0);
            break;
        case 'c':
            uart_putc((char)va_arg(ap, int));
            break;
        case 's': {
            const char* s = va_arg(ap, const char*);
            uart_puts(s ? s : "(null)");
            break;
        }
        case '%':
            uart_putc('%');
            break;
        default:
            uart_putc('?');
            break;
        }
    }
    va_end(ap);
    return 0;
}

uint64_t semihost(uint64_t op, uint64_t param) {
    register uint64_t x0 __asm__("x0") = op;
    register uint64_t x1 __asm__("x1") = param;
    __asm__ volatile("hlt #0xf000" : "+r"(x0) : "r"(x1) : "memory");
    return x0;
}

uint64_t psci(uint64_t fn, uint64_t a1, uint64_t a2, uint64_t a3) {
    register uint64_t x0 __asm__("x0") = fn;
    register uint64_t x1 __asm__("x1") = a1;
    register uint64_t x2 __asm__("x2") = a2;
    register uint64_t x3 __asm__("x3") = a3;
    __asm__ volatile("hvc #0" : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3) : : "memory");
    return x0;
}

void rt_exit(int status) {
#ifdef EXIT_PSCI
    printf("EXIT %d\n", status);
    psci(0x84000008, 0, 0, 0);  // SYSTEM_OFF
#else
    // SYS_EXIT_EXTENDED with ADP_Stopped_ApplicationExit and the status.
    static volatile uint64_t block[2];
    block[0] = 0x20026;
    block[1] = (uint64_t)(int64_t)status;
    semihost(0x20, (uint64_t)block);
#endif
    for (;;) __asm__ volatile("wfi");
}

// Names are often the instruction text; print only its first line.
static void put_name(const char* s) {
    for (; *s && *s != '\n'; ++s) uart_putc(*s);
}

void check_u64(const char* what, uint64_t got, uint64_t want, int line) {
    if (got == want) {
        uart_puts("PASS ");
        put_name(what);
        uart_putc('\n');
    } else {
        ++g_failures;
        uart_puts("FAIL ");
        put_name(what);
        printf(" (line %d): got 0x%lx want 0x%lx\n", line, got, want);
    }
}

uint64_t rt_not_const(uint64_t v, int line) {
    printf("NOTE line %d: expected value not folded at build time\n", line);
    return v;
}

void set_exception_hook(exception_hook h) { g_hook = h; }

void rt_exception(int kind, struct frame* f) {
    if (g_hook && g_hook(kind, f)) return;
    uint64_t esr, far;
    __asm__ volatile("mrs %0, esr_el1; mrs %1, far_el1" : "=r"(esr), "=r"(far));
    printf("FAIL unexpected exception kind %d esr 0x%lx elr 0x%lx far 0x%lx\n", kind, esr, f->elr,
           far);
    rt_exit(100);
}

void rt_main(uint64_t dtb) {
    int failures = main(dtb) + g_failures;
    printf("%s: %d failure%s\n", failures ? "FAILED" : "ALL PASSED", failures,
           failures == 1 ? "" : "s");
    rt_exit(failures ? 1 : 0);
}

// GCC may emit calls to these; plain byte loops, deliberately simple.
void* memcpy(void* d, const void* s, size_t n) {
    uint8_t* dd = d;
    const uint8_t* ss = s;
    while (n--) *dd++ = *ss++;
    return d;
}
void* memset(void* d, int c, size_t n) {
    uint8_t* dd = d;
    while (n--) *dd++ = (uint8_t)c;
    return d;
}
int memcmp(const void* a, const void* b, size_t n) {
    const uint8_t *x = a, *y = b;
    for (; n; --n, ++x, ++y) {
        if (*x != *y) return *x < *y ? -1 : 1;
    }
    return 0;
}
size_t strlen(const char* s) {
    size_t n = 0;
    while (s[n]) ++n;
    return n;
}

// Programs that start secondary CPUs define their own.
__attribute__((weak)) void secondary_main(uint64_t ctx) {
    (void)ctx;
    psci(0x84000002, 0, 0, 0);  // CPU_OFF
}

static uint64_t rt_l1[512] __attribute__((aligned(4096)));

void rt_mmu_identity_on(void) {
    rt_l1[0] = 0x0ull | (0u << 2) | (1u << 10) | 1;                      /* attr 0, AF */
    rt_l1[1] = 0x40000000ull | (1u << 2) | (3u << 8) | (1u << 10) | 1;  /* attr 1, ISH, AF */
    uint64_t mair = 0xffull << 8;                                        /* attr 1 Normal WB */
    uint64_t tcr = 25 | (1u << 8) | (1u << 10) | (3u << 12) | (1u << 23); /* T0SZ, WB, ISH, EPD1 */
    __asm__ volatile(
        "msr mair_el1, %0\n msr tcr_el1, %1\n msr ttbr0_el1, %2\n isb\n"
        "tlbi vmalle1\n dsb sy\n isb\n"
        "mrs x9, sctlr_el1\n orr x9, x9, #1\n orr x9, x9, #4\n orr x9, x9, #0x1000\n"
        "msr sctlr_el1, x9\n isb"
        :
        : "r"(mair), "r"(tcr), "r"((uint64_t)rt_l1)
        : "x9", "memory");
}

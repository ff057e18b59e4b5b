// Arm semihosting as QEMU implements it (-semihosting): console output,
// ":tt" and the feature file, host file I/O in the current directory
// (open/write/seek/flen/read/close/remove), clocks, HEAPINFO, ERRNO,
// GET_CMDLINE, and the exit status of SYS_EXIT_EXTENDED taken from the
// command line ("exit=N" in -append).
#include "lib/rt.h"

enum {
    SYS_OPEN = 0x01, SYS_CLOSE = 0x02, SYS_WRITEC = 0x03, SYS_WRITE0 = 0x04, SYS_WRITE = 0x05,
    SYS_READ = 0x06, SYS_ISERROR = 0x08, SYS_ISTTY = 0x09, SYS_SEEK = 0x0a, SYS_FLEN = 0x0c,
    SYS_REMOVE = 0x0e, SYS_CLOCK = 0x10, SYS_TIME = 0x11, SYS_ERRNO = 0x13,
    SYS_GET_CMDLINE = 0x15, SYS_HEAPINFO = 0x16, SYS_EXIT_EXTENDED = 0x20, SYS_ELAPSED = 0x30,
    SYS_TICKFREQ = 0x31,
};

static uint64_t sh(uint64_t op, uint64_t a, uint64_t b, uint64_t c, uint64_t d) {
    static volatile uint64_t block[4];
    block[0] = a, block[1] = b, block[2] = c, block[3] = d;
    return semihost(op, (uint64_t)block);
}

int main(uint64_t dtb) {
    static char cmdline[128];
    static volatile uint64_t cl[2];
    cl[0] = (uint64_t)cmdline;
    cl[1] = sizeof cmdline;
    CHECK("GET_CMDLINE", semihost(SYS_GET_CMDLINE, (uint64_t)cl), 0);
    printf("INFO cmdline '%s' (%lu)\n", cmdline, cl[1]);
    int exit_code = 0;
    for (const char* p = cmdline; *p; ++p) {
        if (p[0] == 'e' && p[1] == 'x' && p[2] == 'i' && p[3] == 't' && p[4] == '=') {
            for (p += 5; *p >= '0' && *p <= '9'; ++p) exit_code = exit_code * 10 + (*p - '0');
            break;
        }
    }
    semihost(SYS_WRITE0, (uint64_t) "semihosting WRITE0\n");
    static const char c = '!';
    semihost(SYS_WRITEC, (uint64_t)&c);
    semihost(SYS_WRITEC, (uint64_t) "\n");
    uint64_t tt = sh(SYS_OPEN, (uint64_t) ":tt", 4, 3, 0);  // mode w: stdout
    CHECK(":tt opens", (int64_t)tt > 0, 1);
    CHECK("write to :tt", sh(SYS_WRITE, tt, (uint64_t) "via :tt\n", 8, 0), 0);
    sh(SYS_CLOSE, tt, 0, 0, 0);
    // Feature file: "SHFB" then a byte of feature bits.
    uint64_t ff = sh(SYS_OPEN, (uint64_t) ":semihosting-features", 0, 21, 0);
    CHECK("feature file opens", (int64_t)ff > 0, 1);
    static uint8_t feat[5];
    CHECK("feature file read", sh(SYS_READ, ff, (uint64_t)feat, 5, 0), 0);
    CHECK("feature magic", memcmp(feat, "SHFB", 4), 0);
    CHECK("EXIT_EXTENDED and STDOUT_STDERR", feat[4] & 3, 3);
    CHECK("feature file length", sh(SYS_FLEN, ff, 0, 0, 0), 5);
    sh(SYS_CLOSE, ff, 0, 0, 0);
    // A host file.
    static const char name[] = "semihost-test.tmp";
    uint64_t f = sh(SYS_OPEN, (uint64_t)name, 6, sizeof name - 1, 0);  // w+
    CHECK("open w+", (int64_t)f > 0, 1);
    CHECK("write 11 bytes", sh(SYS_WRITE, f, (uint64_t) "hello world", 11, 0), 0);
    CHECK("ISTTY(file)", sh(SYS_ISTTY, f, 0, 0, 0), 0);
    CHECK("FLEN", sh(SYS_FLEN, f, 0, 0, 0), 11);
    CHECK("SEEK 6", sh(SYS_SEEK, f, 6, 0, 0), 0);
    static char rb[16];
    CHECK("READ past the end reports bytes not read", sh(SYS_READ, f, (uint64_t)rb, 10, 0), 5);
    CHECK("READ data", memcmp(rb, "world", 5), 0);
    CHECK("CLOSE", sh(SYS_CLOSE, f, 0, 0, 0), 0);
    CHECK("CLOSE again fails", sh(SYS_CLOSE, f, 0, 0, 0), (uint64_t)-1);
    CHECK("ERRNO after a bad close is EBADF", semihost(SYS_ERRNO, 0), 9);
    CHECK("REMOVE", sh(SYS_REMOVE, (uint64_t)name, sizeof name - 1, 0, 0), 0);
    CHECK("open a missing file fails", sh(SYS_OPEN, (uint64_t)name, 0, sizeof name - 1, 0),
          (uint64_t)-1);
    CHECK("ERRNO = ENOENT", semihost(SYS_ERRNO, 0), 2);
    static volatile uint64_t isr = (uint64_t)-1;
    CHECK("ISERROR(-1)", semihost(SYS_ISERROR, (uint64_t)&isr) != 0, 1);
    // Clocks.
    CHECK("TIME after 2020", semihost(SYS_TIME, 0) > 1577836800u, 1);
    CHECK("CLOCK non-negative", (int64_t)semihost(SYS_CLOCK, 0) >= 0, 1);
    uint64_t freq = semihost(SYS_TICKFREQ, 0);
    CHECK("TICKFREQ nonzero", freq != 0, 1);
    static volatile uint64_t el[2];
    CHECK("ELAPSED", semihost(SYS_ELAPSED, (uint64_t)el), 0);
    uint64_t t1 = el[0];
    for (volatile int i = 0; i < 100000; ++i) {
    }
    semihost(SYS_ELAPSED, (uint64_t)el);
    CHECK("ELAPSED advances", el[0] > t1, 1);
    // HEAPINFO: the parameter points to a word holding the block address.
    static volatile uint64_t heap[4];
    static volatile uint64_t hp;
    hp = (uint64_t)heap;
    semihost(SYS_HEAPINFO, (uint64_t)&hp);
    printf("INFO heap %lx-%lx stack %lx-%lx\n", heap[0], heap[1], heap[2], heap[3]);
    CHECK("heap in RAM", heap[0] >= 0x40000000ul, 1);
    if (g_failures) return 0;
    printf("exiting with %d\n", exit_code);
    rt_exit(exit_code);
}

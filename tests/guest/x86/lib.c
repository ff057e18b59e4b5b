#include "lib.h"
#include <stdarg.h>

#define COM1 0x3f8

void serial_init(void) {
    outb(COM1 + 1, 0x00);
    outb(COM1 + 3, 0x80);
    outb(COM1 + 0, 0x01); /* 115200 */
    outb(COM1 + 1, 0x00);
    outb(COM1 + 3, 0x03); /* 8N1 */
    outb(COM1 + 2, 0xc7); /* FIFO on, cleared, 14-byte trigger */
    outb(COM1 + 4, 0x0b);
}

void putc_(char c) {
    while (!(inb(COM1 + 5) & 0x20)) cpu_relax();
    outb(COM1, (uint8_t)c);
}

void puts_(const char* s) {
    while (*s) {
        if (*s == '\n') putc_('\r');
        putc_(*s++);
    }
}

int getc_timeout(unsigned long spins) {
    for (unsigned long i = 0; i < spins; ++i) {
        if (inb(COM1 + 5) & 0x01) return inb(COM1);
        cpu_relax();
    }
    return -1;
}

void debug_exit(uint32_t v) {
    outl(0xf4, v);
    for (;;) __asm__ volatile("cli; hlt");
}

size_t strlen_(const char* s) { size_t n = 0; while (s[n]) ++n; return n; }
int strncmp_(const char* a, const char* b, size_t n) {
    for (size_t i = 0; i < n; ++i) {
        if (a[i] != b[i]) return (unsigned char)a[i] - (unsigned char)b[i];
        if (!a[i]) return 0;
    }
    return 0;
}
const char* strstr_(const char* h, const char* n) {
    size_t l = strlen_(n);
    for (; *h; ++h) if (!strncmp_(h, n, l)) return h;
    return 0;
}
void* memcpy(void* d, const void* s, size_t n) { uint8_t* o = d; const uint8_t* i = s; while (n--) *o++ = *i++; return d; }
void* memset(void* d, int c, size_t n) { uint8_t* o = d; while (n--) *o++ = (uint8_t)c; return d; }

/* Bit-by-bit division: the 32-bit build has no libgcc for 64-bit divides. */
static unsigned divmod(unsigned long long* v, unsigned base) {
    unsigned long long q = 0, r = 0;
    for (int i = 63; i >= 0; --i) {
        r = (r << 1) | ((*v >> i) & 1);
        if (r >= base) { r -= base; q |= 1ull << i; }
    }
    *v = q;
    return (unsigned)r;
}

static void put_num(unsigned long long v, unsigned base, int width, char pad) {
    char buf[66];
    int n = 0;
    do { buf[n++] = "0123456789abcdef"[divmod(&v, base)]; } while (v);
    while (n < width) buf[n++] = pad;
    while (n) putc_(buf[--n]);
}

void printf_(const char* f, ...) {
    va_list ap;
    va_start(ap, f);
    for (; *f; ++f) {
        if (*f != '%') { if (*f == '\n') putc_('\r'); putc_(*f); continue; }
        ++f;
        char pad = ' ';
        int width = 0, lng = 0;
        if (*f == '0') { pad = '0'; ++f; }
        while (*f >= '0' && *f <= '9') width = width * 10 + (*f++ - '0');
        while (*f == 'l') { lng = 1; ++f; }
        switch (*f) {
        case 'd': { long long v = lng ? va_arg(ap, long long) : va_arg(ap, int); if (v < 0) { putc_('-'); v = -v; } put_num((unsigned long long)v, 10, width, pad); break; }
        case 'u': put_num(lng ? va_arg(ap, unsigned long long) : va_arg(ap, unsigned), 10, width, pad); break;
        case 'x': put_num(lng ? va_arg(ap, unsigned long long) : va_arg(ap, unsigned), 16, width, pad); break;
        case 's': puts_(va_arg(ap, const char*)); break;
        case 'c': putc_((char)va_arg(ap, int)); break;
        default: putc_(*f); break;
        }
    }
    va_end(ap);
}

void fw_cfg_select(uint16_t key) { outw(0x510, key); }
void fw_cfg_read(void* buf, uint32_t len) { uint8_t* b = buf; while (len--) *b++ = inb(0x511); }

static uint32_t be32(uint32_t v) { return __builtin_bswap32(v); }

int fw_cfg_find_file(const char* name, uint16_t* key, uint32_t* size) {
    uint32_t count;
    fw_cfg_select(0x19);
    fw_cfg_read(&count, 4);
    count = be32(count);
    for (uint32_t i = 0; i < count; ++i) {
        struct { uint32_t size; uint16_t select; uint16_t reserved; char name[56]; } e;
        fw_cfg_read(&e, sizeof e);
        if (!strncmp_(e.name, name, 56)) {
            *key = __builtin_bswap16(e.select);
            *size = be32(e.size);
            return 1;
        }
    }
    return 0;
}

int fw_cfg_dma_read(uint16_t key, void* buf, uint32_t len) {
    static volatile struct { uint32_t control, length; uint64_t address; } __attribute__((aligned(16))) d;
    d.control = be32(((uint32_t)key << 16) | 0x08 | 0x02);
    d.length = be32(len);
    d.address = __builtin_bswap64((uint64_t)(uintptr_t)buf);
    uint64_t a = (uint64_t)(uintptr_t)&d;
    outl(0x514, be32((uint32_t)(a >> 32)));
    outl(0x518, be32((uint32_t)a));
    for (int i = 0; i < 1000000 && (be32(d.control) & ~1u); ++i) cpu_relax();
    return be32(d.control) == 0;
}

static int checksum_ok(const uint8_t* p, uint32_t len) {
    uint8_t s = 0;
    for (uint32_t i = 0; i < len; ++i) s += p[i];
    return s == 0;
}

const uint8_t* acpi_find_rsdp(void) {
    for (uintptr_t a = 0xe0000; a < 0x100000; a += 16) {
        const uint8_t* p = (const uint8_t*)a;
        if (!strncmp_((const char*)p, "RSD PTR ", 8) && checksum_ok(p, 20)) return p;
    }
    return 0;
}

const uint8_t* acpi_find_table(const char* sig) {
    const uint8_t* rsdp = acpi_find_rsdp();
    if (!rsdp || rsdp[15] < 2 || !checksum_ok(rsdp, 36)) return 0;
    uint64_t xsdt_addr;
    memcpy(&xsdt_addr, rsdp + 24, 8);
    const uint8_t* xsdt = (const uint8_t*)(uintptr_t)xsdt_addr;
    uint32_t len;
    memcpy(&len, xsdt + 4, 4);
    if (strncmp_((const char*)xsdt, "XSDT", 4) || !checksum_ok(xsdt, len)) return 0;
    for (uint32_t off = 36; off + 8 <= len; off += 8) {
        uint64_t t;
        memcpy(&t, xsdt + off, 8);
        const uint8_t* tab = (const uint8_t*)(uintptr_t)t;
        uint32_t tl;
        memcpy(&tl, tab + 4, 4);
        if (!strncmp_((const char*)tab, sig, 4) && checksum_ok(tab, tl)) return tab;
    }
    return 0;
}

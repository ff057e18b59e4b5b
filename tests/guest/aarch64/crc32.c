// CRC32 and CRC32C instructions (all widths) against the published check
// values of the two polynomials ("123456789" -> 0xcbf43926 / 0xe3069283)
// and against a bitwise reference computed without them.
#include "lib/rt.h"

static const char kCheck[] = "123456789";

static uint32_t crc_b(uint32_t c, uint8_t v) {
    __asm__ volatile("crc32b %w0, %w0, %w1" : "+r"(c) : "r"(v));
    return c;
}
static uint32_t crcc_b(uint32_t c, uint8_t v) {
    __asm__ volatile("crc32cb %w0, %w0, %w1" : "+r"(c) : "r"(v));
    return c;
}
// Reflected bitwise CRC: the reference implementation.
static uint32_t ref(uint32_t crc, const uint8_t* p, unsigned n, uint32_t poly) {
    while (n--) {
        crc ^= *p++;
        for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (poly & (0u - (crc & 1)));
    }
    return crc;
}

int main(uint64_t dtb) {
    uint32_t c = ~0u, cc = ~0u;
    for (unsigned i = 0; i < 9; ++i) {
        c = crc_b(c, (uint8_t)kCheck[i]);
        cc = crcc_b(cc, (uint8_t)kCheck[i]);
    }
    CHECK("crc32b check value", ~c, 0xcbf43926u);
    CHECK("crc32cb check value", ~cc, 0xe3069283u);

    // Wider forms over a buffer, each compared with the bitwise reference.
    static uint8_t buf[64];
    for (unsigned i = 0; i < sizeof buf; ++i) buf[i] = (uint8_t)(i * 37 + 11);
    uint32_t h = ~0u, w = ~0u, x = ~0u, hc = ~0u, wc = ~0u, xc = ~0u;
    for (unsigned i = 0; i < sizeof buf; i += 8) {
        uint64_t v = 0;
        for (int k = 7; k >= 0; --k) v = v << 8 | buf[i + k];
        __asm__ volatile("crc32x %w0, %w0, %1" : "+r"(x) : "r"(v));
        __asm__ volatile("crc32cx %w0, %w0, %1" : "+r"(xc) : "r"(v));
        __asm__ volatile("crc32w %w0, %w0, %w1\n crc32w %w0, %w0, %w2"
                         : "+r"(w) : "r"((uint32_t)v), "r"((uint32_t)(v >> 32)));
        __asm__ volatile("crc32cw %w0, %w0, %w1\n crc32cw %w0, %w0, %w2"
                         : "+r"(wc) : "r"((uint32_t)v), "r"((uint32_t)(v >> 32)));
        for (int k = 0; k < 4; ++k) {
            uint32_t half = (uint32_t)(v >> (16 * k)) & 0xffff;
            __asm__ volatile("crc32h %w0, %w0, %w1" : "+r"(h) : "r"(half));
            __asm__ volatile("crc32ch %w0, %w0, %w1" : "+r"(hc) : "r"(half));
        }
    }
    uint32_t r = ref(~0u, buf, sizeof buf, 0xedb88320u);
    uint32_t rc = ref(~0u, buf, sizeof buf, 0x82f63b78u);
    CHECK("crc32h = reference", h, r);
    CHECK("crc32w = reference", w, r);
    CHECK("crc32x = reference", x, r);
    CHECK("crc32ch = reference", hc, rc);
    CHECK("crc32cw = reference", wc, rc);
    CHECK("crc32cx = reference", xc, rc);
    // The bytes above the operand width are ignored.
    uint32_t a = 0, b = 0;
    __asm__ volatile("crc32b %w0, %w1, %w2" : "=r"(a) : "r"(0x1234u), "r"(0xffffff55u));
    __asm__ volatile("crc32b %w0, %w1, %w2" : "=r"(b) : "r"(0x1234u), "r"(0x55u));
    CHECK("crc32b ignores upper bits", a, b);
    return 0;
}

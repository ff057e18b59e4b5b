/* Checks what the 64-bit boot protocol promised: the segment, the zero page
 * (loader type, command line, e820, initrd) and prints it on COM1. */
#include "lib.h"

void bz_main(const uint8_t* zp, uint64_t cs) {
    serial_init();
    printf_("bzImage entry: cs=0x%x zero page at 0x%lx\n", (unsigned)cs, (uint64_t)(uintptr_t)zp);
    printf_("loader type: %x\n", zp[0x210]);
    uint32_t cmd;
    memcpy(&cmd, zp + 0x228, 4);
    printf_("cmdline: %s\n", (const char*)(uintptr_t)cmd);
    unsigned n = zp[0x1e8];
    printf_("e820: %u entries\n", n);
    for (unsigned i = 0; i < n; ++i) {
        uint64_t a, l;
        uint32_t t;
        memcpy(&a, zp + 0x2d0 + 20 * i, 8);
        memcpy(&l, zp + 0x2d0 + 20 * i + 8, 8);
        memcpy(&t, zp + 0x2d0 + 20 * i + 16, 4);
        printf_("e820: %lx-%lx type %u\n", a, a + l - 1, t);
    }
    uint32_t ia, is;
    memcpy(&ia, zp + 0x218, 4);
    memcpy(&is, zp + 0x21c, 4);
    char text[40] = {0};
    if (is) {
        memcpy(text, (const void*)(uintptr_t)ia, is < 39 ? is : 39);
        for (int i = 0; text[i]; ++i) if (text[i] == '\n') text[i] = 0;
    }
    printf_("initrd: %u bytes at %s page boundary: %s\n", is, (ia & 0xfff) ? "off a" : "a", text);
    uint64_t rsdp;
    memcpy(&rsdp, zp + 0x70, 8);
    printf_("acpi_rsdp_addr: %s\n", rsdp && !strncmp_((const char*)(uintptr_t)rsdp, "RSD PTR ", 8) ? "valid" : "missing");
    puts_(cs == 0x10 ? "TEST PASS\n" : "TEST FAIL\n");
    debug_exit(cs == 0x10 ? 0 : 1);
}

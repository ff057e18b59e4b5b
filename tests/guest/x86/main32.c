/* The Multiboot v1 test guest (32-bit): prints what the loader passed and
 * what fw_cfg says, then exits through isa-debug-exit. */
#include "lib.h"

struct mb_info {
    uint32_t flags, mem_lower, mem_upper, boot_device, cmdline, mods_count, mods_addr;
    uint32_t syms[4], mmap_length, mmap_addr;
};
struct mb_module { uint32_t start, end, string, reserved; };

void main32(uint32_t magic, const struct mb_info* mbi) {
    serial_init();
    printf_("Hello from the Multiboot guest\n");
    if (magic != 0x2badb002) {
        printf_("bad magic %x\nTEST FAIL\n", magic);
        debug_exit(1);
    }
    if (mbi->flags & 4) printf_("cmdline: %s\n", (const char*)mbi->cmdline);
    if (mbi->flags & 1) printf_("memory: lower %u KiB, upper %u KiB\n", mbi->mem_lower, mbi->mem_upper);
    if (mbi->flags & 8) {
        printf_("modules: %u\n", mbi->mods_count);
        const struct mb_module* m = (const struct mb_module*)mbi->mods_addr;
        for (uint32_t i = 0; i < mbi->mods_count; ++i) {
            char text[65];
            uint32_t n = m[i].end - m[i].start;
            if (n > 64) n = 64;
            memcpy(text, (const void*)m[i].start, n);
            text[n] = 0;
            for (uint32_t k = 0; k < n; ++k) if (text[k] == '\n') text[k] = 0;
            printf_("module %u: '%s' at %x, %u bytes: %s\n", i, (const char*)m[i].string, m[i].start,
                    m[i].end - m[i].start, text);
        }
    }
    if (mbi->flags & 0x40) {
        uint32_t n = 0;
        for (uint32_t off = 0; off < mbi->mmap_length; ) {
            const uint8_t* e = (const uint8_t*)(mbi->mmap_addr + off);
            uint32_t size; memcpy(&size, e, 4);
            off += size + 4;
            ++n;
        }
        printf_("mmap: %u entries\n", n);
    }
    uint16_t cpus;
    fw_cfg_select(0x05);
    fw_cfg_read(&cpus, 2);
    printf_("fw_cfg cpus: %u\n", cpus);
    puts_("TEST PASS\n");
    debug_exit(0);
}

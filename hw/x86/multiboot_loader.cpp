// Multiboot v1 (the GNU Multiboot Specification 0.6.96): the header in the
// first 8 KiB gives either explicit load addresses (flag 16) or an ELF32
// image; the CPU enters in flat 32-bit protected mode with EAX=0x2BADB002
// and EBX pointing at the multiboot info (memory sizes, command line,
// -initrd as modules, the memory map). Like QEMU, the command line is the
// kernel's file name followed by -append, and -initrd is a comma-separated
// list of "file args" modules.
#include <elf.h>

#include <algorithm>
#include <cstring>

#include "hw/x86/boot_loader.h"
#include "hw/x86/elf_image.h"

namespace emu::x86 {

namespace {
constexpr uint32_t kHeaderMagic = 0x1badb002;
constexpr uint32_t kBootMagic = 0x2badb002;
constexpr uint32_t kFlagPageAlign = 1u << 0;
constexpr uint32_t kFlagMemInfo = 1u << 1;
constexpr uint32_t kFlagVideo = 1u << 2;
constexpr uint32_t kFlagAout = 1u << 16;
// Multiboot info flags.
constexpr uint32_t kInfoMem = 1u << 0, kInfoCmdline = 1u << 2, kInfoMods = 1u << 3,
                   kInfoMmap = 1u << 6, kInfoLoaderName = 1u << 9;

uint32_t rd32(const std::vector<uint8_t>& b, size_t off) {
    uint32_t v;
    std::memcpy(&v, b.data() + off, 4);
    return v;
}

std::vector<std::string> split(const std::string& s, char sep) {
    std::vector<std::string> out;
    size_t pos = 0;
    while (pos <= s.size()) {
        size_t c = s.find(sep, pos);
        if (c == std::string::npos) c = s.size();
        if (c > pos) out.push_back(s.substr(pos, c - pos));
        pos = c + 1;
    }
    return out;
}
}  // namespace

long find_multiboot_header(const std::vector<uint8_t>& img) {
    size_t limit = std::min<size_t>(img.size(), 8192);
    for (size_t off = 0; off + 12 <= limit; off += 4) {
        if (rd32(img, off) != kHeaderMagic) continue;
        uint32_t sum = rd32(img, off) + rd32(img, off + 4) + rd32(img, off + 8);
        if (sum == 0) return static_cast<long>(off);
    }
    return -1;
}

int load_multiboot(const BootInputs& in, LoadContext& ctx, BootResult* out, std::string* err) {
    const auto& img = in.kernel;
    long hoff = find_multiboot_header(img);
    if (hoff < 0) return 0;
    std::string who = "-kernel " + in.kernel_path + ": ";
    uint32_t flags = rd32(img, hoff + 4);
    if (flags & 0x0000fff8u) {
        char b[96];
        std::snprintf(b, sizeof b, "not supported yet: Multiboot header flags 0x%08x", flags);
        *err = who + b;
        return -1;
    }
    (void)kFlagMemInfo;
    (void)kFlagVideo;  // no video mode switching without firmware: ignored, as QEMU does

    uint64_t image_end = 0;
    uint32_t entry = 0;
    if (flags & kFlagAout) {
        if (static_cast<size_t>(hoff) + 32 > img.size()) {
            *err = who + "truncated Multiboot header";
            return -1;
        }
        uint32_t header_addr = rd32(img, hoff + 12), load_addr = rd32(img, hoff + 16),
                 load_end = rd32(img, hoff + 20), bss_end = rd32(img, hoff + 24);
        entry = rd32(img, hoff + 28);
        if (header_addr < load_addr || header_addr - load_addr > static_cast<uint64_t>(hoff)) {
            *err = who + "Multiboot header_addr/load_addr are inconsistent";
            return -1;
        }
        uint64_t file_off = static_cast<uint64_t>(hoff) - (header_addr - load_addr);
        uint64_t size =
            load_end ? static_cast<uint64_t>(load_end) - load_addr : img.size() - file_off;
        if (load_end && load_end < load_addr) {
            *err = who + "Multiboot load_end_addr is below load_addr";
            return -1;
        }
        size = std::min<uint64_t>(size, img.size() - file_off);
        if (!ctx.write(load_addr, img.data() + file_off, size, err, "Multiboot image")) {
            *err = who + *err;
            return -1;
        }
        image_end = load_addr + size;
        if (bss_end > image_end) {
            if (!ctx.zero(image_end, bss_end - image_end, err, "Multiboot bss")) {
                *err = who + *err;
                return -1;
            }
            image_end = bss_end;
        }
        out->kernel_addr = load_addr;
    } else {
        ElfImage elf;
        std::string why;
        if (!parse_elf(img, &elf, &why)) {
            *err = who + "Multiboot image without load addresses must be ELF: " + why;
            return -1;
        }
        if (elf.is64 || elf.machine != EM_386) {
            *err = who +
                   "Multiboot ELF images must be 32-bit x86 (use the a.out kludge or a "
                   "PVH note for 64-bit ELF files)";
            return -1;
        }
        entry = static_cast<uint32_t>(elf.entry);
        for (const auto& s : elf.loads) {
            if (!ctx.write(s.paddr, img.data() + s.offset, s.filesz, err, "ELF segment") ||
                !ctx.zero(s.paddr + s.filesz, s.memsz - s.filesz, err, "ELF segment (bss)")) {
                *err = who + *err;
                return -1;
            }
            // The entry is virtual; translate it through the segment holding it.
            if (elf.entry >= s.vaddr && elf.entry < s.vaddr + s.memsz) {
                entry = static_cast<uint32_t>(elf.entry - s.vaddr + s.paddr);
            }
            image_end = std::max(image_end, s.paddr + s.memsz);
        }
        out->kernel_addr = elf.loads.empty() ? 0 : elf.loads.front().paddr;
    }

    // Modules go after the image, page aligned.
    uint64_t low_end = low_ram_end(ctx.layout());
    uint64_t next = (std::max<uint64_t>(image_end, kKernelLoadAddr) + 0xfff) & ~0xfffull;
    std::vector<uint8_t> info(4096, 0);
    size_t strings = 1024;  // strings area inside the info page
    auto add_string = [&](const std::string& s) -> uint32_t {
        if (strings + s.size() + 1 > info.size()) return 0;
        std::memcpy(info.data() + strings, s.c_str(), s.size() + 1);
        uint32_t addr = static_cast<uint32_t>(kBootInfoAddr + strings);
        strings += s.size() + 1;
        return addr;
    };
    auto put32 = [&](size_t off, uint32_t v) { std::memcpy(info.data() + off, &v, 4); };

    std::vector<std::string> mods = split(in.initrd_path, ',');
    size_t mods_off = 128;
    if (mods.size() > 32) {
        *err = "-initrd: at most 32 Multiboot modules are supported";
        return -1;
    }
    for (size_t i = 0; i < mods.size(); ++i) {
        std::string path = mods[i].substr(0, mods[i].find(' '));
        std::vector<uint8_t> data;
        if (!read_file(path, &data, err)) {
            *err = "-initrd: " + *err;
            return -1;
        }
        if (next + data.size() > low_end) {
            *err = "-initrd: Multiboot module '" + path + "' does not fit in RAM (-m too small)";
            return -1;
        }
        if (!ctx.write(next, data.data(), data.size(), err, "Multiboot module")) return -1;
        put32(mods_off + 16 * i, static_cast<uint32_t>(next));
        put32(mods_off + 16 * i + 4, static_cast<uint32_t>(next + data.size()));
        put32(mods_off + 16 * i + 8, add_string(mods[i]));
        if (i == 0) {
            out->initrd_addr = next;
            out->initrd_size = data.size();
        }
        next = (next + data.size() + 0xfff) & ~0xfffull;
    }
    (void)kFlagPageAlign;  // modules are always page aligned

    // Memory map: {size=20, base, length, type}.
    size_t mmap_off = 128 + 16 * 32;
    const auto& map = ctx.e820();
    size_t n = std::min<size_t>(map.size(), 16);
    for (size_t i = 0; i < n; ++i) {
        uint8_t* e = info.data() + mmap_off + 24 * i;
        uint32_t sz = 20;
        uint32_t type = static_cast<uint32_t>(map[i].type);
        std::memcpy(e, &sz, 4);
        std::memcpy(e + 4, &map[i].addr, 8);
        std::memcpy(e + 12, &map[i].size, 8);
        std::memcpy(e + 20, &type, 4);
    }
    std::string cmdline = in.kernel_path;
    if (!in.cmdline.empty()) cmdline += " " + in.cmdline;
    if (cmdline.size() >= 2048) {
        *err = "-append: the command line is too long for Multiboot (2 KiB)";
        return -1;
    }
    put32(0, kInfoMem | kInfoCmdline | kInfoMods | kInfoMmap | kInfoLoaderName);
    put32(4, 640);
    uint64_t upper = low_end > kKernelLoadAddr ? (low_end - kKernelLoadAddr) >> 10 : 0;
    put32(8, static_cast<uint32_t>(std::min<uint64_t>(upper, 0xffffffffu)));
    put32(16, add_string(cmdline));
    put32(20, static_cast<uint32_t>(mods.size()));
    put32(24, static_cast<uint32_t>(kBootInfoAddr + mods_off));
    put32(44, static_cast<uint32_t>(n * 24));
    put32(48, static_cast<uint32_t>(kBootInfoAddr + mmap_off));
    put32(64, add_string("emu"));
    if (!ctx.write(kBootInfoAddr, info.data(), info.size(), err, "Multiboot info") ||
        !ctx.write_gdt(err)) {
        return -1;
    }
    out->format = "multiboot";
    out->entry.mode = EntryMode::Protected32;
    out->entry.rip = entry;
    out->entry.rax = kBootMagic;
    out->entry.rbx = kBootInfoAddr;
    out->entry.rsp = kBootStackTop;
    out->kernel_size = image_end - out->kernel_addr;
    return 1;
}

}  // namespace emu::x86

// ELF kernels with a PVH entry note (XEN_ELFNOTE_PHYS32_ENTRY): segments
// are loaded at their physical addresses and the CPU enters the note's
// address in flat 32-bit protected mode, paging off, with EBX pointing at
// an hvm_start_info (version 1: command line, initrd as module 0, RSDP and
// the E820 memory map).
#include <algorithm>
#include <cstring>

#include "hw/x86/boot_loader.h"
#include "hw/x86/elf_image.h"

namespace emu::x86 {

namespace {
constexpr uint32_t kXenElfnotePhys32Entry = 18;
constexpr uint32_t kStartInfoMagic = 0x336ec578;

struct HvmStartInfo {
    uint32_t magic, version, flags, nr_modules;
    uint64_t modlist_paddr, cmdline_paddr, rsdp_paddr, memmap_paddr;
    uint32_t memmap_entries, reserved;
};
struct HvmModlistEntry {
    uint64_t paddr, size, cmdline_paddr, reserved;
};
struct HvmMemmapEntry {
    uint64_t addr, size;
    uint32_t type, reserved;
};
static_assert(sizeof(HvmStartInfo) == 56);
}  // namespace

int load_pvh(const BootInputs& in, LoadContext& ctx, BootResult* out, std::string* err) {
    if (!is_elf(in.kernel)) return 0;
    ElfImage elf;
    std::string why;
    if (!parse_elf(in.kernel, &elf, &why)) {
        *err = "-kernel " + in.kernel_path + ": " + why;
        return -1;
    }
    std::vector<uint8_t> desc;
    if (!find_elf_note(in.kernel, elf, "Xen", kXenElfnotePhys32Entry, &desc) || desc.size() < 4) {
        return 0;  // an ELF, but not one we can enter
    }
    uint32_t entry;
    std::memcpy(&entry, desc.data(), 4);
    std::string who = "-kernel " + in.kernel_path + ": ";

    uint64_t image_end = 0;
    for (const auto& s : elf.loads) {
        if (!ctx.write(s.paddr, in.kernel.data() + s.offset, s.filesz, err, "ELF segment") ||
            !ctx.zero(s.paddr + s.filesz, s.memsz - s.filesz, err, "ELF segment (bss)")) {
            *err = who + *err;
            return -1;
        }
        image_end = std::max(image_end, s.paddr + s.memsz);
    }

    // Boot information: start_info, then the memory map and module list,
    // in the 4 KiB at kBootInfoAddr.
    const auto& map = ctx.e820();
    std::vector<uint8_t> info(4096, 0);
    size_t memmap_off = 64;
    size_t n = std::min<size_t>(map.size(), 64);
    size_t mod_off = memmap_off + n * sizeof(HvmMemmapEntry);
    HvmStartInfo si{};
    si.magic = kStartInfoMagic;
    si.version = 1;
    si.cmdline_paddr = kCmdlineAddr;
    si.rsdp_paddr = in.rsdp_addr;
    si.memmap_paddr = kBootInfoAddr + memmap_off;
    si.memmap_entries = static_cast<uint32_t>(n);
    for (size_t i = 0; i < n; ++i) {
        HvmMemmapEntry e{map[i].addr, map[i].size, static_cast<uint32_t>(map[i].type), 0};
        std::memcpy(info.data() + memmap_off + i * sizeof e, &e, sizeof e);
    }
    if (!in.initrd.empty()) {
        uint64_t low_end = low_ram_end(ctx.layout());
        uint64_t size = in.initrd.size();
        uint64_t addr = size <= low_end ? ((low_end - size) & ~0xfffull) : 0;
        if (size > low_end || addr < std::max<uint64_t>(image_end, kKernelLoadAddr)) {
            *err = "-initrd " + in.initrd_path +
                   ": kernel and initrd do not fit in RAM (-m too small)";
            return -1;
        }
        if (!ctx.write(addr, in.initrd.data(), size, err, "initrd")) return -1;
        HvmModlistEntry m{addr, size, 0, 0};
        std::memcpy(info.data() + mod_off, &m, sizeof m);
        si.nr_modules = 1;
        si.modlist_paddr = kBootInfoAddr + mod_off;
        out->initrd_addr = addr;
        out->initrd_size = size;
    }
    std::memcpy(info.data(), &si, sizeof si);
    if (in.cmdline.size() >= kCmdlineMax) {
        *err = "-append: the command line is too long";
        return -1;
    }
    if (!ctx.write(kCmdlineAddr, in.cmdline.c_str(), in.cmdline.size() + 1, err, "command line") ||
        !ctx.write(kBootInfoAddr, info.data(), info.size(), err, "PVH start info") ||
        !ctx.write_gdt(err)) {
        return -1;
    }
    out->format = "pvh";
    out->entry.mode = EntryMode::Protected32;
    out->entry.rip = entry;
    out->entry.rbx = kBootInfoAddr;
    out->entry.rsp = kBootStackTop;
    out->kernel_addr = elf.loads.empty() ? 0 : elf.loads.front().paddr;
    out->kernel_size = image_end - out->kernel_addr;
    out->cmdline_addr = kCmdlineAddr;
    return 1;
}

}  // namespace emu::x86

// Linux bzImage through the 64-bit boot protocol (Documentation/arch/x86/
// boot.rst): the setup header is checked, the protected-mode kernel goes to
// 1 MiB, the zero page gets the header, command line, initrd and E820 map,
// and the CPU enters startup_64 at load address + 0x200 in long mode with
// identity-mapped page tables and our GDT (no firmware, no real mode).
#include <algorithm>
#include <cstring>

#include "hw/x86/boot_loader.h"

namespace emu::x86 {

namespace {

// Offsets into boot_params / the setup header.
constexpr size_t kAcpiRsdpAddr = 0x070;
constexpr size_t kExtRamdiskImage = 0x0c0;
constexpr size_t kExtRamdiskSize = 0x0c4;
constexpr size_t kExtCmdLinePtr = 0x0c8;
constexpr size_t kE820Entries = 0x1e8;
constexpr size_t kSetupSects = 0x1f1;
constexpr size_t kVidMode = 0x1fa;
constexpr size_t kHeaderMagic = 0x202;
constexpr size_t kVersion = 0x206;
constexpr size_t kTypeOfLoader = 0x210;
constexpr size_t kLoadFlags = 0x211;
constexpr size_t kRamdiskImage = 0x218;
constexpr size_t kRamdiskSize = 0x21c;
constexpr size_t kCmdLinePtr = 0x228;
constexpr size_t kInitrdAddrMax = 0x22c;
constexpr size_t kXLoadFlags = 0x236;
constexpr size_t kCmdlineSize = 0x238;
constexpr size_t kPrefAddress = 0x258;
constexpr size_t kInitSize = 0x260;
constexpr size_t kE820Table = 0x2d0;
constexpr size_t kE820Max = 128;

constexpr uint8_t kLoadedHigh = 0x01;
constexpr uint16_t kXlfKernel64 = 0x01;

template <typename T>
T get(const std::vector<uint8_t>& b, size_t off) {
    T v{};
    std::memcpy(&v, b.data() + off, sizeof v);
    return v;
}
template <typename T>
void put(uint8_t* b, size_t off, T v) {
    std::memcpy(b + off, &v, sizeof v);
}

}  // namespace

bool is_bzimage(const std::vector<uint8_t>& img) {
    return img.size() >= 0x270 && std::memcmp(img.data() + kHeaderMagic, "HdrS", 4) == 0;
}

int load_linux(const BootInputs& in, LoadContext& ctx, BootResult* out, std::string* err) {
    const auto& img = in.kernel;
    if (!is_bzimage(img)) return 0;
    std::string who = "-kernel " + in.kernel_path + ": ";
    uint16_t version = get<uint16_t>(img, kVersion);
    if (version < 0x020c) {
        char b[64];
        std::snprintf(b, sizeof b, "%u.%02u", version >> 8, version & 0xff);
        *err =
            who + "Linux boot protocol " + b + " is too old: the 64-bit entry needs 2.12 or later";
        return -1;
    }
    if (!(get<uint16_t>(img, kXLoadFlags) & kXlfKernel64)) {
        *err = who +
               "this kernel has no 64-bit entry point (XLF_KERNEL_64 clear); not "
               "supported yet: 32-bit Linux boot";
        return -1;
    }
    if (!(img[kLoadFlags] & kLoadedHigh)) {
        *err = who + "zImage kernels (not loaded high) are not supported";
        return -1;
    }
    unsigned setup_sects = img[kSetupSects] ? img[kSetupSects] : 4;
    uint64_t setup_size = (setup_sects + 1) * 512ull;
    if (setup_size >= img.size()) {
        *err = who + "truncated bzImage (setup " + std::to_string(setup_size) + " bytes, file " +
               std::to_string(img.size()) + ")";
        return -1;
    }
    uint64_t kernel_size = img.size() - setup_size;
    uint64_t init_size = get<uint32_t>(img, kInitSize);
    uint64_t pref = get<uint64_t>(img, kPrefAddress);
    uint64_t low_end = low_ram_end(ctx.layout());

    // The kernel decompresses itself at max(pref_address, load address) and
    // needs init_size bytes there.
    uint64_t kernel_end =
        std::max(kKernelLoadAddr + kernel_size, std::max(pref, kKernelLoadAddr) + init_size);
    if (kernel_end > low_end) {
        *err = who + "the kernel needs RAM up to " + std::to_string(kernel_end >> 20) +
               " MiB but only " + std::to_string(low_end >> 20) +
               " MiB are below 4 GiB (-m too small)";
        return -1;
    }

    // Command line.
    uint32_t cmdline_max = version >= 0x0206 ? get<uint32_t>(img, kCmdlineSize) : 255;
    if (in.cmdline.size() > cmdline_max || in.cmdline.size() >= kCmdlineMax) {
        *err = "-append: the command line is " + std::to_string(in.cmdline.size()) +
               " bytes; this kernel accepts at most " + std::to_string(cmdline_max);
        return -1;
    }

    // Initrd: as high as allowed, page aligned, clear of the kernel.
    uint64_t initrd_addr = 0;
    if (!in.initrd.empty()) {
        uint64_t max = std::min<uint64_t>(get<uint32_t>(img, kInitrdAddrMax), low_end - 1);
        uint64_t size = in.initrd.size();
        if (size > max + 1) {
            *err = "-initrd " + in.initrd_path + ": " + std::to_string(size >> 20) +
                   " MiB initrd does not fit below 4 GiB (-m too small)";
            return -1;
        }
        initrd_addr = (max + 1 - size) & ~0xfffull;
        if (initrd_addr < kernel_end) {
            *err = "-initrd " + in.initrd_path + ": kernel and initrd do not fit in " +
                   std::to_string(low_end >> 20) + " MiB of RAM (-m too small)";
            return -1;
        }
        if (!ctx.write(initrd_addr, in.initrd.data(), size, err, "initrd")) return -1;
    }

    if (!ctx.write(kKernelLoadAddr, img.data() + setup_size, kernel_size, err, "kernel")) return -1;
    std::string cl = in.cmdline;
    if (!ctx.write(kCmdlineAddr, cl.c_str(), cl.size() + 1, err, "command line")) return -1;

    // Zero page: the setup header as the image has it, then our fields.
    uint8_t zp[4096] = {};
    size_t hdr_end = std::min<size_t>(0x202 + img[0x201], img.size());
    hdr_end = std::min<size_t>(hdr_end, sizeof zp);
    std::memcpy(zp + kSetupSects, img.data() + kSetupSects, hdr_end - kSetupSects);
    put<uint16_t>(zp, kVidMode, 0xffff);
    zp[kTypeOfLoader] = 0xff;
    put<uint32_t>(zp, kCmdLinePtr, static_cast<uint32_t>(kCmdlineAddr));
    put<uint32_t>(zp, kExtCmdLinePtr, 0);
    put<uint32_t>(zp, kRamdiskImage, static_cast<uint32_t>(initrd_addr));
    put<uint32_t>(zp, kRamdiskSize, static_cast<uint32_t>(in.initrd.size()));
    put<uint32_t>(zp, kExtRamdiskImage, static_cast<uint32_t>(initrd_addr >> 32));
    put<uint32_t>(zp, kExtRamdiskSize, static_cast<uint32_t>(in.initrd.size() >> 32));
    put<uint64_t>(zp, kAcpiRsdpAddr, in.rsdp_addr);
    const auto& map = ctx.e820();
    size_t n = std::min(map.size(), kE820Max);
    zp[kE820Entries] = static_cast<uint8_t>(n);
    for (size_t i = 0; i < n; ++i) {
        uint8_t* e = zp + kE820Table + 20 * i;
        put<uint64_t>(e, 0, map[i].addr);
        put<uint64_t>(e, 8, map[i].size);
        put<uint32_t>(e, 16, static_cast<uint32_t>(map[i].type));
    }
    if (!ctx.write(kZeroPageAddr, zp, sizeof zp, err, "zero page")) return -1;
    if (!ctx.write_gdt(err) || !ctx.write_identity_page_tables(err)) return -1;

    out->format = "linux";
    out->entry.mode = EntryMode::Long64;
    out->entry.rip = kKernelLoadAddr + 0x200;
    out->entry.rsi = kZeroPageAddr;
    out->entry.rsp = kBootStackTop;
    out->entry.cr3 = kPageTableAddr;
    out->kernel_addr = kKernelLoadAddr;
    out->kernel_size = kernel_size;
    out->initrd_addr = initrd_addr;
    out->initrd_size = in.initrd.size();
    out->cmdline_addr = kCmdlineAddr;
    return 1;
}

}  // namespace emu::x86

#pragma once
// Direct kernel boot for Arm boards, as QEMU's -kernel/-initrd do it:
// an ELF (entered at e_entry, no device tree pointer), a Linux arm64 Image
// (gzip-compressed accepted; placed at text_offset above a 2 MiB aligned
// base), or anything else as a raw image at RAM base + 0x80000 booted like
// an Image. The initrd goes at RAM base + min(RAM/2, 128 MiB) (or above the
// kernel), the device tree 2 MiB aligned after it. Files are hostile: sizes
// and offsets are checked, decompression is bounded by RAM.
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace emu {

struct ArmBootInput {
    std::string kernel;  // path; may be empty (firmware or nothing)
    std::string initrd;  // path; may be empty
    uint64_t ram_base = 0;
    std::span<uint8_t> ram;  // host view of guest RAM
    uint64_t dtb_size = 0;   // size the device tree will occupy
    bool firmware = false;   // -bios given: the kernel is the firmware's business
};

struct ArmBootPlan {
    enum class Kind { None, Elf, Image, Raw } kind = Kind::None;
    uint64_t entry = 0;
    bool linux_abi = false;  // x0 = device tree, x1..x3 = 0
    uint64_t image_low = 0, image_high = 0;
    bool has_initrd = false;
    uint64_t initrd_start = 0, initrd_size = 0;
    bool place_dtb = false;  // false: no room (an ELF over the RAM base)
    uint64_t dtb_addr = 0;
    // Ranges of RAM holding loaded data (kernel, initrd, device tree), for
    // semihosting HEAPINFO's "largest free gap".
    struct Blob {
        uint64_t start, size;
    };
    std::vector<Blob> blobs;
};

// Loads kernel and initrd into `in.ram` and decides where the device tree
// goes. Returns false with a user-facing message on error.
bool arm_load_kernel(const ArmBootInput& in, ArmBootPlan* plan, std::string* err);

// Largest gap of RAM not covered by blobs: [start, end).
std::pair<uint64_t, uint64_t> arm_largest_free_gap(const ArmBootPlan& plan, uint64_t ram_base,
                                                   uint64_t ram_size);

// Reads a whole file (at most max bytes). Exposed for tests and -dtb/-bios.
bool read_file_limited(const std::string& path, uint64_t max, std::vector<uint8_t>* out,
                       std::string* err);
// gunzip with an output bound; false if not gzip or corrupt/too large.
bool gunzip_limited(std::span<const uint8_t> in, uint64_t max, std::vector<uint8_t>* out,
                    std::string* err);

}  // namespace emu

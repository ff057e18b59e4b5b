#pragma once
// Direct kernel boot without firmware: each loader recognises its format,
// checks it, writes the image and its boot information into guest RAM and
// returns the vCPU entry state. load_kernel tries the formats in QEMU's
// order (Linux bzImage, Multiboot v1, ELF with a PVH note).
#include <cstdint>
#include <string>
#include <vector>

#include "hw/core/guest_memory.h"
#include "hw/x86/e820.h"
#include "target/x86/entry_state.h"

namespace emu::x86 {

struct BootInputs {
    std::string kernel_path;
    std::string initrd_path;  // Multiboot: comma-separated module list
    std::string cmdline;
    std::vector<uint8_t> kernel;  // file contents
    std::vector<uint8_t> initrd;  // Linux/PVH: contents of initrd_path
    uint64_t rsdp_addr = 0;       // 0: no ACPI tables
};

struct BootResult {
    EntryState entry;
    std::string format;  // "linux", "multiboot", "pvh"
    uint64_t kernel_addr = 0, kernel_size = 0;
    uint64_t initrd_addr = 0, initrd_size = 0;
    uint64_t cmdline_addr = 0;
};

// Fixed low-memory places the loaders share.
constexpr uint64_t kBootInfoAddr = 0x6000;   // PVH start_info / Multiboot info (4 KiB)
constexpr uint64_t kZeroPageAddr = 0x7000;   // Linux boot_params
constexpr uint64_t kPageTableAddr = 0x9000;  // PML4, PDPT, 4 PDs (to 0xefff)
constexpr uint64_t kBootStackTop = 0x8ff0;
constexpr uint64_t kCmdlineAddr = 0x20000;
constexpr uint64_t kCmdlineMax = 0x10000;
constexpr uint64_t kKernelLoadAddr = 0x100000;

class LoadContext {
  public:
    LoadContext(GuestMemory mem, const X86MemoryLayout& layout, std::vector<E820Entry> e820)
        : mem_(mem), layout_(layout), e820_(std::move(e820)) {}
    // Writes data at gpa; fails (with a message) unless the range is RAM.
    bool write(uint64_t gpa, const void* data, uint64_t len, std::string* err, const char* what);
    bool zero(uint64_t gpa, uint64_t len, std::string* err, const char* what);
    bool is_ram(uint64_t gpa, uint64_t len) const;
    const X86MemoryLayout& layout() const { return layout_; }
    const std::vector<E820Entry>& e820() const { return e820_; }
    // Writes the boot GDT; Long64 also gets identity page tables for 4 GiB.
    bool write_gdt(std::string* err);
    bool write_identity_page_tables(std::string* err);

  private:
    GuestMemory mem_;
    X86MemoryLayout layout_;
    std::vector<E820Entry> e820_;
};

// Each returns 0 when the image is not of its format, 1 when loaded, -1 on
// an error in an image of its format (err set).
int load_linux(const BootInputs& in, LoadContext& ctx, BootResult* out, std::string* err);
int load_multiboot(const BootInputs& in, LoadContext& ctx, BootResult* out, std::string* err);
int load_pvh(const BootInputs& in, LoadContext& ctx, BootResult* out, std::string* err);

// Reads -kernel/-initrd and dispatches; false with a user-facing message.
bool read_boot_files(BootInputs* in, std::string* err);
// Offset of a valid Multiboot v1 header in the first 8 KiB, or -1.
long find_multiboot_header(const std::vector<uint8_t>& image);
bool is_bzimage(const std::vector<uint8_t>& image);
bool load_kernel(const BootInputs& in, LoadContext& ctx, BootResult* out, std::string* err);

// Reads a whole file (bounded); false with "path: reason".
bool read_file(const std::string& path, std::vector<uint8_t>* out, std::string* err,
               uint64_t max_size = 1ull << 32);

}  // namespace emu::x86

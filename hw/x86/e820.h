#pragma once
// The x86 physical memory map as firmware reports it (BIOS INT 15h E820),
// built once per machine and handed to every boot path.
#include <cstdint>
#include <vector>

namespace emu::x86 {

enum class E820Type : uint32_t { Ram = 1, Reserved = 2, Acpi = 3, Nvs = 4, Unusable = 5 };

struct E820Entry {
    uint64_t addr;
    uint64_t size;
    E820Type type;
};

struct X86MemoryLayout {
    uint64_t ram_size = 0;
    uint64_t below_4g = 0;                  // RAM mapped at [0, below_4g)
    uint64_t above_4g = 0;                  // RAM mapped at [4 GiB, 4 GiB + above_4g)
    uint64_t acpi_base = 0, acpi_size = 0;  // the tables' ROM (0 if none)
    uint64_t ecam_base = 0, ecam_size = 0;  // PCIe ECAM window (0 if none)
};

// Splits ram_size around the PCI hole the way QEMU's q35 does.
X86MemoryLayout make_memory_layout(uint64_t ram_size);

std::vector<E820Entry> build_e820(const X86MemoryLayout& l);

// Highest address + 1 of usable RAM below 4 GiB.
uint64_t low_ram_end(const X86MemoryLayout& l);

}  // namespace emu::x86

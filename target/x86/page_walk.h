#pragma once
// Guest virtual -> guest physical translation for the debugger, done in
// software from the vCPU's control registers: long mode (4- and 5-level),
// PAE, 32-bit paging (with 4 MiB pages when CR4.PSE), and paging off (real
// and protected mode: linear == physical). Segmentation is not applied: gdb
// addresses are linear addresses, as with QEMU.
#include <cstdint>
#include <functional>

namespace emu::x86 {

struct X86PagingState {
    uint64_t cr0 = 0, cr3 = 0, cr4 = 0, efer = 0;
};

// Reads `size` (4 or 8) bytes of guest physical memory; false if unmapped.
using PhysRead = std::function<bool(uint64_t gpa, unsigned size, uint64_t* value)>;

enum class WalkResult { Ok, NotPresent, NonCanonical, BadTable };

// On Ok, *gpa is the physical address of `va` and *page_left the number of
// bytes from `va` to the end of its page (so callers split accesses).
WalkResult x86_translate(const X86PagingState& s, uint64_t va, const PhysRead& read, uint64_t* gpa,
                         uint64_t* page_left);

}  // namespace emu::x86

#include "hw/x86/e820.h"

namespace emu::x86 {

namespace {
constexpr uint64_t k4G = 1ull << 32;
constexpr uint64_t kEbda = 0x9fc00;
constexpr uint64_t k1M = 0x100000;
// KVM's TSS and identity-map pages (see accel/kvm), reserved like QEMU does.
constexpr uint64_t kKvmPagesBase = 0xfeffc000;
constexpr uint64_t kKvmPagesSize = 0x4000;
}  // namespace

X86MemoryLayout make_memory_layout(uint64_t ram_size) {
    X86MemoryLayout l;
    l.ram_size = ram_size;
    uint64_t lowmem = ram_size >= 0xb0000000ull ? 0x80000000ull : ram_size;
    l.below_4g = lowmem;
    l.above_4g = ram_size - lowmem;
    return l;
}

uint64_t low_ram_end(const X86MemoryLayout& l) {
    return l.below_4g;
}

std::vector<E820Entry> build_e820(const X86MemoryLayout& l) {
    std::vector<E820Entry> m;
    m.push_back({0, kEbda, E820Type::Ram});
    // The EBDA, the legacy video hole and the BIOS area (our ACPI tables) as
    // one reserved range: Linux's PVH entry adds 0xa0000-0xfffff itself, so
    // this way every boot path shows the same map.
    m.push_back({kEbda, k1M - kEbda, E820Type::Reserved});
    if (l.below_4g > k1M) m.push_back({k1M, l.below_4g - k1M, E820Type::Ram});
    if (l.ecam_size) m.push_back({l.ecam_base, l.ecam_size, E820Type::Reserved});
    m.push_back({kKvmPagesBase, kKvmPagesSize, E820Type::Reserved});
    if (l.above_4g) m.push_back({k4G, l.above_4g, E820Type::Ram});
    return m;
}

}  // namespace emu::x86

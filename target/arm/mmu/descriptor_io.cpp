#include "target/arm/mmu/descriptor_io.h"

#include <atomic>

namespace emu::arm::mmu {

uint64_t* DescriptorIo::locate(uint64_t pa, bool for_write) const {
    if (pa & 7) return nullptr;
    const FlatRange* r = last_;
    if (!r || pa - r->start >= r->size) r = last_ = view_.lookup(pa);
    if (!r || !(r->is_ram() || (r->is_rom() && !for_write))) return nullptr;
    uint64_t off = pa - r->start;
    if (r->size < 8 || off > r->size - 8) return nullptr;
    uint8_t* host = r->host_ptr() + off;
    // RAM is mmap'ed, so an 8-aligned guest address inside it is 8-aligned
    // on the host unless a region starts at an odd offset; refuse that
    // rather than make a torn access.
    if (reinterpret_cast<uintptr_t>(host) & 7) return nullptr;
    return reinterpret_cast<uint64_t*>(host);
}

bool DescriptorIo::read(uint64_t pa, uint64_t* value) const {
    uint64_t* p = locate(pa, false);
    if (!p) return false;
    // Other vCPUs may be writing the table: read the descriptor as one
    // single-copy-atomic 64-bit access, as the architecture requires.
    *value = to_host(std::atomic_ref<uint64_t>(*p).load(std::memory_order_acquire));
    return true;
}

DescriptorIo::Update DescriptorIo::compare_and_swap(uint64_t pa, uint64_t expected,
                                                    uint64_t desired) const {
    uint64_t* p = locate(pa, true);
    if (!p) return Update::Abort;
    uint64_t exp = to_host(expected);
    bool ok = std::atomic_ref<uint64_t>(*p).compare_exchange_strong(exp, to_host(desired),
                                                                    std::memory_order_acq_rel);
    return ok ? Update::Done : Update::Changed;
}

}  // namespace emu::arm::mmu

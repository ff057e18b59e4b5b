#pragma once
// Reading and atomically updating translation table descriptors in guest
// memory. Tables live in RAM (or ROM, read-only): a descriptor address that
// is unassigned or inside an IO region is an external abort on the walk.
// IO is refused on purpose: a hostile table pointing at a device register
// must not trigger device side effects (a UART FIFO read, a doorbell) and
// the walk must not need the device lock.
#include <cstdint>

#include "hw/core/address_space.h"

namespace emu::arm::mmu {

class DescriptorIo {
  public:
    // `view` must stay alive for the whole walk (the caller holds a
    // snapshot, so a map change during the walk cannot free it).
    DescriptorIo(const FlatView& view, bool big_endian) : view_(view), big_endian_(big_endian) {}

    // The descriptor at `pa` (8-byte aligned by construction), in host
    // order. False: external abort.
    bool read(uint64_t pa, uint64_t* value) const;

    enum class Update { Done, Changed, Abort };
    // Replaces `expected` with `desired` at `pa` if it still holds
    // `expected` (both in host order). Changed: another agent wrote it
    // first (the walk restarts). Abort: not writable RAM.
    Update compare_and_swap(uint64_t pa, uint64_t expected, uint64_t desired) const;

  private:
    // Host pointer for the 8 bytes at pa, or nullptr.
    uint64_t* locate(uint64_t pa, bool for_write) const;
    uint64_t to_host(uint64_t v) const { return big_endian_ ? __builtin_bswap64(v) : v; }

    const FlatView& view_;
    bool big_endian_;
    // The range of the previous descriptor: a walk's tables are nearly
    // always in one RAM range, so one view lookup per walk.
    mutable const FlatRange* last_ = nullptr;
};

}  // namespace emu::arm::mmu

#pragma once
// Bounds-checked access to guest memory for devices (DMA). A hostile guest
// address can never reach host memory outside guest RAM: every access is
// checked against the flat view, and direct pointers are handed out only
// for ranges that lie entirely within one RAM region.
#include <cstdint>
#include <cstring>
#include <span>
#include <type_traits>

#include "hw/core/address_space.h"

namespace emu {

class GuestMemory {
  public:
    explicit GuestMemory(AddressSpace* as) : as_(as) {}

    // False if any byte was outside RAM/ROM/MMIO (the buffer is then
    // zero-filled where nothing was mapped).
    bool read(uint64_t gpa, void* buf, uint64_t len) const {
        return as_->read(gpa, buf, len) == MemTxResult::Ok;
    }
    bool write(uint64_t gpa, const void* buf, uint64_t len) const {
        return as_->write(gpa, buf, len) == MemTxResult::Ok;
    }

    template <typename T>
    bool read_obj(uint64_t gpa, T* out) const {
        static_assert(std::is_trivially_copyable_v<T>);
        return read(gpa, out, sizeof(T));
    }
    template <typename T>
    bool write_obj(uint64_t gpa, const T& v) const {
        static_assert(std::is_trivially_copyable_v<T>);
        return write(gpa, &v, sizeof(T));
    }

    // Host pointer for [gpa, gpa+len) when it lies wholly inside one RAM
    // range (ROM too when !writable); otherwise nullptr. Valid while the
    // memory map is unchanged (devices use it within one request).
    uint8_t* span(uint64_t gpa, uint64_t len, bool writable) const {
        if (len == 0 || gpa + len < gpa) return nullptr;
        auto v = as_->view();
        const FlatRange* r = v->lookup(gpa);
        if (!r || r->is_io() || (writable && !r->is_ram())) return nullptr;
        if (gpa - r->start + len > r->size) return nullptr;
        return r->host_ptr() + (gpa - r->start);
    }

    AddressSpace* address_space() const { return as_; }

  private:
    AddressSpace* as_;
};

}  // namespace emu

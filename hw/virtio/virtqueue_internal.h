#pragma once
// Helpers shared by the split and packed virtqueue implementations.
#include <cstdint>

#include "util/hex.h"

namespace emu::vq_detail {

// Ring fields are shared with vCPUs running concurrently: 16-bit indexes are
// read and written atomically, everything else is copied before use.
inline uint16_t load16(const uint8_t* p) {
    return __atomic_load_n(reinterpret_cast<const uint16_t*>(p), __ATOMIC_RELAXED);
}
inline void store16(uint8_t* p, uint16_t v) {
    __atomic_store_n(reinterpret_cast<uint16_t*>(p), v, __ATOMIC_RELAXED);
}

// 2.7.7.2: true when new_idx has moved past event since old.
inline bool need_event(uint16_t event, uint16_t new_idx, uint16_t old) {
    return uint16_t(new_idx - event - 1) < uint16_t(new_idx - old);
}

}  // namespace emu::vq_detail

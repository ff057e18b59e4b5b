#pragma once
// Element access on a 16-byte AdvSIMD register image (little-endian lanes),
// for the vector helpers.
#include <cstdint>
#include <cstring>

namespace emu::arm {

// Element i of log2 size es, zero-extended.
inline uint64_t vec_lane(const uint8_t* v, unsigned i, unsigned es) {
    uint64_t r = 0;
    std::memcpy(&r, v + (i << es), 1u << es);
    return r;
}
// Stores the low (8 << es) bits of x as element i.
inline void vec_set_lane(uint8_t* v, unsigned i, unsigned es, uint64_t x) {
    std::memcpy(v + (i << es), &x, 1u << es);
}

}  // namespace emu::arm

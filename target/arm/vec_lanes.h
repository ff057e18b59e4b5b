#pragma once
// Lane access on 16-byte AdvSIMD register images, shared by the vector
// helpers. es: log2 of the element size in bytes.
#include <cstdint>
#include <cstring>

namespace emu::arm::vec_lane {

inline uint64_t get(const uint8_t* v, unsigned i, unsigned es) {
    uint64_t r = 0;
    std::memcpy(&r, v + (i << es), 1u << es);
    return r;
}
inline void put(uint8_t* v, unsigned i, unsigned es, uint64_t x) {
    std::memcpy(v + (i << es), &x, 1u << es);
}
// Sign-extends an element of size es.
inline int64_t sx(uint64_t v, unsigned es) {
    unsigned sh = 64 - (8u << es);
    return static_cast<int64_t>(v << sh) >> sh;
}
inline uint64_t mask(unsigned es) {
    return es >= 3 ? ~0ull : (1ull << (8u << es)) - 1;
}

}  // namespace emu::arm::vec_lane

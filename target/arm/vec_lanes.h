#pragma once
// Lane access on 16-byte AdvSIMD register images, shared by the vector
// helpers. es: log2 of the element size in bytes.
#include <cstdint>
#include <cstring>

namespace emu::arm::vec_lane {

// A fixed size per case: a variable-size memcpy is a library call per lane.
template <typename U>
inline U load_lane(const uint8_t* p) {
    U x;
    std::memcpy(&x, p, sizeof(U));
    return x;
}
template <typename U>
inline void store_lane(uint8_t* p, U x) {
    std::memcpy(p, &x, sizeof(U));
}
inline uint64_t get(const uint8_t* v, unsigned i, unsigned es) {
    switch (es) {
        case 0:
            return v[i];
        case 1:
            return load_lane<uint16_t>(v + 2 * i);
        case 2:
            return load_lane<uint32_t>(v + 4 * i);
        default:
            return load_lane<uint64_t>(v + 8 * i);
    }
}
inline void put(uint8_t* v, unsigned i, unsigned es, uint64_t x) {
    switch (es) {
        case 0:
            v[i] = static_cast<uint8_t>(x);
            return;
        case 1:
            return store_lane(v + 2 * i, static_cast<uint16_t>(x));
        case 2:
            return store_lane(v + 4 * i, static_cast<uint32_t>(x));
        default:
            return store_lane(v + 8 * i, x);
    }
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

#pragma once
// Scatter/gather helpers over IoVecSpan.
#include <cstring>
#include <vector>

#include "block/block_driver.h"

namespace emu::block {

// Appends to `out` the pieces of `src` covering [off, off+len).
inline void iov_slice(IoVecSpan src, size_t off, size_t len, std::vector<IoVec>* out) {
    for (const IoVec& v : src) {
        if (len == 0) break;
        if (off >= v.len) {
            off -= v.len;
            continue;
        }
        size_t n = std::min(v.len - off, len);
        out->push_back({static_cast<uint8_t*>(v.base) + off, n});
        len -= n;
        off = 0;
    }
}

inline void iov_memset(IoVecSpan iov, size_t off, int c, size_t len) {
    std::vector<IoVec> s;
    iov_slice(iov, off, len, &s);
    for (const IoVec& v : s)
        std::memset(v.base, c, v.len);
}

inline void iov_from_buf(IoVecSpan iov, size_t off, const void* buf, size_t len) {
    std::vector<IoVec> s;
    iov_slice(iov, off, len, &s);
    auto* p = static_cast<const uint8_t*>(buf);
    for (const IoVec& v : s) {
        std::memcpy(v.base, p, v.len);
        p += v.len;
    }
}

inline void iov_to_buf(IoVecSpan iov, size_t off, void* buf, size_t len) {
    std::vector<IoVec> s;
    iov_slice(iov, off, len, &s);
    auto* p = static_cast<uint8_t*>(buf);
    for (const IoVec& v : s) {
        std::memcpy(p, v.base, v.len);
        p += v.len;
    }
}

// True when the buffer is all zero bytes (fast word-wise check).
inline bool buffer_is_zero(const void* buf, size_t len) {
    auto* p = static_cast<const uint8_t*>(buf);
    size_t i = 0;
    for (; i < len && (reinterpret_cast<uintptr_t>(p + i) & 7); i++)
        if (p[i]) return false;
    for (; i + 32 <= len; i += 32) {
        uint64_t a, b, c, d;
        std::memcpy(&a, p + i, 8);
        std::memcpy(&b, p + i + 8, 8);
        std::memcpy(&c, p + i + 16, 8);
        std::memcpy(&d, p + i + 24, 8);
        if (a | b | c | d) return false;
    }
    for (; i < len; i++)
        if (p[i]) return false;
    return true;
}

}  // namespace emu::block

#pragma once
// What every AdvSIMD helper does first: decode the descriptor and copy its
// three register operands. One layout for vec_ops.h, vec_int_ops.h and
// vec_fp_ops.h:
//   op | esize_log2 << 8 | q << 12 | scalar << 13 | flag << 14 | imm << 16
// (flag: the "2" forms' upper half, or by-element for the integer ops).
#include <cstdint>
#include <cstring>

namespace emu::arm {

constexpr uint64_t encode_vec_desc(unsigned op, unsigned esize_log2, bool q, bool scalar, bool flag,
                                   unsigned imm) {
    return uint64_t(op) | uint64_t(esize_log2) << 8 | uint64_t(q) << 12 | uint64_t(scalar) << 13 |
           uint64_t(flag) << 14 | uint64_t(imm) << 16;
}

// Copies, not pointers: d may alias n or m, and the helpers read their
// sources after starting to write the result.
struct VecOperands {
    uint8_t n[16], m[16], d[16];
    VecOperands(const uint8_t* base, uint64_t d_off, uint64_t n_off, uint64_t m_off) {
        std::memcpy(n, base + n_off, 16);
        std::memcpy(m, base + m_off, 16);
        std::memcpy(d, base + d_off, 16);
    }
};

struct VecArgs : VecOperands {
    unsigned op;
    unsigned es;  // log2 of the element size in bytes
    bool q, scalar, flag;
    unsigned imm;
    uint8_t r[16] = {};  // the result, zero beyond what the op writes

    VecArgs(const uint8_t* base, uint64_t desc, uint64_t d_off, uint64_t n_off, uint64_t m_off)
        : VecOperands(base, d_off, n_off, m_off),
          op(static_cast<unsigned>(desc & 0xff)),
          es(static_cast<unsigned>(desc >> 8) & 3),
          q((desc >> 12) & 1),
          scalar((desc >> 13) & 1),
          flag((desc >> 14) & 1),
          imm(static_cast<unsigned>(desc >> 16)) {}

    // Bytes the operation covers: one element for scalar forms, else 8 or 16.
    unsigned bytes() const { return scalar ? (1u << es) : (q ? 16 : 8); }
};

}  // namespace emu::arm

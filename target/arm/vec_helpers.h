#pragma once
#include <cstdint>

#include "tcg/ir/helpers.h"

namespace emu::arm {
// (desc, d_off, n_off, m_off): offsets of V registers (or, for DUP from a
// general register, of the X register) in the CPU state; desc: vec_ops.h.
tcg::HelperRet vec_helper(void* env, uint64_t desc, uint64_t d_off, uint64_t n_off, uint64_t m_off);
// Same arguments; desc: vec_int_ops.h.
tcg::HelperRet vec_int_helper(void* env, uint64_t desc, uint64_t d_off, uint64_t n_off,
                              uint64_t m_off);
}  // namespace emu::arm

#pragma once
#include <cstdint>

#include "tcg/ir/helpers.h"

namespace emu::arm {
// (desc, d_off, n_off, m_off): offsets of V registers in the CPU state;
// desc: vec_fp_ops.h. Writes all 16 bytes of the destination register.
tcg::HelperRet vec_fp_helper(void* env, uint64_t desc, uint64_t d_off, uint64_t n_off,
                             uint64_t m_off);
}  // namespace emu::arm

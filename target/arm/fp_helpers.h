#pragma once
// Scalar floating point and AdvSIMD helpers (target/arm/fp_helpers.cpp).
#include <cstdint>

#include "target/arm/helpers.h"

namespace emu::arm {

void register_fp_helpers(ArmHelperIds* ids);

// fp_cvt descriptor.
enum class FpCvtKind : uint8_t { ToInt, FromInt, Precision };
constexpr uint64_t fp_cvt_desc(FpCvtKind k, unsigned fp_size, unsigned int_bits, bool is_signed,
                               unsigned round, unsigned to_size = 0, unsigned fbits = 0) {
    return uint64_t(k) | uint64_t(fp_size) << 4 | uint64_t(int_bits) << 8 |
           uint64_t(is_signed) << 16 | uint64_t(round) << 20 | uint64_t(to_size) << 24 |
           uint64_t(fbits) << 32;
}

}  // namespace emu::arm

#pragma once
// Scalar floating point and AdvSIMD helpers (target/arm/fp_helpers.cpp).
#include "target/arm/helpers.h"

namespace emu::arm {
void register_fp_helpers(ArmHelperIds* ids);
}

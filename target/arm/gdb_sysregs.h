#pragma once
// The system registers the gdb stub shows (gdb_regs.h), read from the CPU
// state of a stopped vCPU.
#include <cstdint>

#include "target/arm/cpu_state.h"

namespace emu::arm {

// out[i] for arm_gdb_sysreg_names()[i].
void arm_gdb_read_sysregs(const ArmCpuState& s, uint64_t* out);

}  // namespace emu::arm

#include "target/arm/fp_helpers.h"

namespace emu::arm {
void register_fp_helpers(ArmHelperIds*) {}
}  // namespace emu::arm

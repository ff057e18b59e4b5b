#include "tcg/llvm/llvm_tier.h"

namespace emu::tcg {

void register_llvm_tier() {
    set_tier_compiler_factory(&make_llvm_tier);
}

}  // namespace emu::tcg

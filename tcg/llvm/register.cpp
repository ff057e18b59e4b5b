// Makes the LLVM tier the second tier of tcg/exec. Linked as a whole
// archive by the accelerator, so the static initialiser below runs.
#include "tcg/llvm/llvm_tier.h"

namespace emu::tcg {

void register_llvm_tier() {
    set_tier_compiler_factory(&make_llvm_tier);
}

namespace {
[[maybe_unused]] const bool g_registered = (register_llvm_tier(), true);
}

}  // namespace emu::tcg

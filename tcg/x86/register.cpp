// Makes the x86-64 emitter the first tier of tcg/exec. Linked as a whole
// archive by the accelerator, so the static initialiser below runs.
#include "tcg/x86/baseline.h"

namespace emu::tcg::x86 {

namespace {
[[maybe_unused]] const bool g_registered =
    (set_baseline_compiler_factory(&make_default_baseline), true);
}

}  // namespace emu::tcg::x86

#include "tcg/exec/tier.h"

#include <atomic>

namespace emu::tcg {

namespace {
std::atomic<TierCompilerFactory> g_factory{nullptr};
}

void set_tier_compiler_factory(TierCompilerFactory f) {
    g_factory.store(f);
}
TierCompilerFactory tier_compiler_factory() {
    return g_factory.load();
}

}  // namespace emu::tcg

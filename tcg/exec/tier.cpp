#include "tcg/exec/tier.h"

#include <atomic>

namespace emu::tcg {

namespace {
std::atomic<TierCompilerFactory> g_factory{nullptr};
std::atomic<BaselineCompilerFactory> g_baseline{nullptr};
}  // namespace

void set_baseline_compiler_factory(BaselineCompilerFactory f) {
    g_baseline.store(f);
}
BaselineCompilerFactory baseline_compiler_factory() {
    return g_baseline.load();
}

void set_tier_compiler_factory(TierCompilerFactory f) {
    g_factory.store(f);
}
TierCompilerFactory tier_compiler_factory() {
    return g_factory.load();
}

}  // namespace emu::tcg

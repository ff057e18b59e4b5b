// Compile time per block of the LLVM tier at each optimisation level, on
// random translated-looking blocks (40 ops before optimisation, with guest
// memory accesses and helper calls). Prints median and p90 per level, one
// block per module and batched. Not a test: bench/llvm_compile_time.sh.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <vector>

#include "random_block.h"
#include "tcg/llvm/llvm_tier.h"
#include "tcg/opt/passes.h"

using namespace emu::tcg;
using namespace emu::tcg::test;

int main(int argc, char** argv) {
    unsigned n = argc > 1 ? static_cast<unsigned>(std::atoi(argv[1])) : 200;
    unsigned ops = argc > 2 ? static_cast<unsigned>(std::atoi(argv[2])) : 40;
    std::mt19937_64 rng(7);
    std::vector<Block> blocks;
    size_t total_ops = 0;
    for (unsigned i = 0; i < n; ++i) {
        RandomBlockOptions o;
        o.ops = ops;
        o.faults = false;
        Block b = random_block(rng, o);
        if (!optimize(b).empty()) return 1;
        total_ops += b.insts.size();
        blocks.push_back(std::move(b));
    }
    std::printf("%u blocks, %u generated ops each, %.1f ops after the IR passes\n", n, ops,
                double(total_ops) / n);
    const struct {
        const char* name;
        LlvmOptLevel level;
    } levels[] = {{"O0", LlvmOptLevel::O0}, {"O1", LlvmOptLevel::O1}, {"O2", LlvmOptLevel::O2}};
    for (auto& lv : levels) {
        for (unsigned batch : {1u, 8u}) {
            LlvmTierOptions o;
            o.opt = lv.level;
            o.max_batch = batch;
            std::string err;
            auto tier = LlvmTier::create(o, &err);
            if (!tier) {
                std::fprintf(stderr, "%s\n", err.c_str());
                return 1;
            }
            // Warm up LLVM's one-time initialisation.
            tier->compile_sync(blocks[0]);
            auto t0 = std::chrono::steady_clock::now();
            if (batch == 1) {
                for (auto& b : blocks)
                    tier->compile_sync(b);
            } else {
                for (auto& b : blocks)
                    tier->submit(b, [](CompiledFn) {});
                tier->drain();
            }
            double wall =
                std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0)
                    .count();
            LlvmTierStats s = tier->stats();
            std::printf(
                "%s batch %u: per block median %.3f ms p90 %.3f ms; wall %.3f ms/block; "
                "%.0f code bytes/block\n",
                lv.name, batch, s.median_ms, s.p90_ms, wall / n,
                double(s.code_bytes) / double(s.compiled));
        }
    }
    return 0;
}

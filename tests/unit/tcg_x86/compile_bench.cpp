// Not a test: microseconds per block for the baseline emitter on random
// optimised blocks of typical sizes (bench/x86_compile_time.sh). Prints
// CPU time (this thread), so a loaded machine does not distort it.
#include <cstdio>
#include <ctime>
#include <random>

#include "random_block.h"
#include "tcg/opt/passes.h"
#include "tcg/x86/baseline.h"

using namespace emu::tcg;

namespace {
double cpu_seconds() {
    timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}
}  // namespace

int main(int argc, char** argv) {
    unsigned n = argc > 1 ? static_cast<unsigned>(std::atoi(argv[1])) : 20000;
    std::mt19937_64 rng(1);
    std::vector<Block> blocks;
    size_t insts = 0;
    for (unsigned i = 0; i < n; ++i) {
        test::RandomBlockOptions ro;
        ro.ops = 8 + static_cast<unsigned>(rng() % 40);
        ro.faults = false;
        Block b = test::random_block(rng, ro);
        optimize(b);
        insts += b.insts.size();
        blocks.push_back(std::move(b));
    }
    std::string err;
    auto tier = x86::make_baseline(1u << 30, &err);
    if (!tier) {
        std::fprintf(stderr, "%s\n", err.c_str());
        return 1;
    }
    double t0 = cpu_seconds();
    unsigned ok = 0;
    for (const Block& b : blocks) {
        BaselineCompiler::Result res;
        std::string why;
        if (tier->compile(b, nullptr, &res, &why)) ++ok;
    }
    double t = cpu_seconds() - t0;
    std::printf("%u blocks (%u compiled, %.1f IR ops each): %.2f us/block CPU\n", n, ok,
                double(insts) / n, t * 1e6 / n);
    // Again into the same (now faulted-in) code memory: the emitter alone.
    tier->reset();
    t0 = cpu_seconds();
    for (const Block& b : blocks) {
        BaselineCompiler::Result res;
        std::string why;
        tier->compile(b, nullptr, &res, &why);
    }
    std::printf("warm code buffer: %.2f us/block CPU\n", (cpu_seconds() - t0) * 1e6 / n);
    // As in the translator: each block compiled right after it was built
    // (its IR still in cache); only the compiles are timed, in thread CPU
    // time, less the cost of reading the clock.
    tier->reset();
    std::mt19937_64 rng2(2);
    double hot = 0, clock_cost = 0;
    for (unsigned i = 0; i < n; ++i) {
        test::RandomBlockOptions ro;
        ro.ops = 8 + static_cast<unsigned>(rng2() % 40);
        ro.faults = false;
        Block b = test::random_block(rng2, ro);
        optimize(b);
        double c0 = cpu_seconds();
        double c1 = cpu_seconds();
        BaselineCompiler::Result res;
        std::string why;
        tier->compile(b, nullptr, &res, &why);
        double c2 = cpu_seconds();
        hot += c2 - c1;
        clock_cost += c1 - c0;
    }
    hot -= clock_cost;
    std::printf("fresh IR (as translated): %.2f us/block\n", hot * 1e6 / n);
    std::printf("%s\n", tier->stats().c_str());
    return 0;
}

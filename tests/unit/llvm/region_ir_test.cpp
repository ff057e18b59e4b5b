// Regions at the IR level (lower_region): random blocks linked into cycles
// run as one LLVM function and must end exactly where the interpreter,
// running one member after the other, ends: same exit, env, memory and
// device accesses, including faults in any member and pending requests.
#include <catch2/catch.hpp>
#include <random>

#include "random_block.h"
#include "tcg/interp/interp.h"
#include "tcg/llvm/llvm_tier.h"
#include "tcg/opt/passes.h"
#include "test_world.h"
#include "world_diff.h"

using namespace emu::tcg;
using namespace emu::tcg::test;

namespace {

// Members at 0x1000, 0x1100, ...: each ends "r12 -= 1; r12 != 0 ? member :
// outside" (random_block's self-loop form) with the member chosen at
// random, so the region is a web of cycles that stops when r12 runs out.
std::vector<Block> random_region(std::mt19937_64& rng, unsigned n) {
    std::vector<Block> blocks;
    for (unsigned i = 0; i < n; ++i) {
        RandomBlockOptions ro;
        ro.ops = 5 + static_cast<unsigned>(rng() % 30);
        ro.faults = rng() % 3 == 0;
        ro.self_loop = true;
        ro.guest_pc = 0x1000 + 0x100 * i;
        Block b = random_block(rng, ro);
        Inst& t = b.insts.back();
        uint64_t to = 0x1000 + 0x100 * ((i + 1 + rng() % 2 * (rng() % n)) % n);
        if (t.imm == b.guest_pc) t.imm = to;
        if (t.imm2 == b.guest_pc) t.imm2 = to;
        if (rng() % 2) REQUIRE(optimize(b) == "");
        REQUIRE(verify(b) == "");
        blocks.push_back(std::move(b));
    }
    return blocks;
}

}  // namespace

TEST_CASE("interpreter and LLVM agree on random regions", "[llvm][region]") {
    std::string err;
    auto tier = LlvmTier::create(LlvmTierOptions{}, &err);
    REQUIRE(tier);
    std::mt19937_64 rng(5150);
    constexpr unsigned kRegions = 40;
    World w;
    unsigned member_runs = 0, faulted = 0, stopped = 0;
    for (unsigned k = 0; k < kRegions; ++k) {
        std::vector<Block> blocks = random_region(rng, 2 + static_cast<unsigned>(rng() % 4));
        std::vector<InterpCode> code(blocks.size());
        for (size_t i = 0; i < blocks.size(); ++i)
            REQUIRE(interp_lower(blocks[i], &code[i], &err));
        CompiledFn fn = tier->compile_region_sync(blocks, &err);
        INFO("region " << k << " of " << blocks.size() << " blocks: " << err);
        REQUIRE(fn);
        for (unsigned run = 0; run < 3; ++run) {
            randomize_world(w, rng);
            w.env.r[12] = 1 + rng() % 12;
            // The last run has a request pending: the first edge between
            // members returns to the dispatcher.
            bool request = run == 2;
            w.cpu->tlb_flush();
            World::Snapshot start = w.snapshot();
            ExitInfo ei{};
            size_t cur = 0, runs = 0;
            for (;;) {
                ei = interp_run(code[cur], &w.env);
                ++runs;
                if (ei.status != kStatusContinue) break;
                size_t next = blocks.size();
                for (size_t i = 0; i < blocks.size(); ++i)
                    if (blocks[i].guest_pc == w.env.tcg.pc) next = i;
                if (next == blocks.size()) break;  // left the region
                if (request) {
                    ei.slot = kExitSlotNone;
                    break;
                }
                cur = next;
            }
            // Slots are the entry block's; other members' exits are
            // unchained, and so is any exit with a request pending.
            if (cur != 0 || request) ei.slot = kExitSlotNone;
            member_runs += runs;
            World::Snapshot after_interp = w.snapshot();
            w.restore(start);
            if (request) w.env.tcg.exit_request.store(kRequestInterrupt);
            ExitInfo el = fn(&w.env);
            w.env.tcg.exit_request.store(0);
            World::Snapshot after_llvm = w.snapshot();
            CHECK(ei.status == el.status);
            CHECK(ei.slot == el.slot);
            bool same = after_interp == after_llvm;
            INFO(world_diff(after_interp, after_llvm, "llvm"));
            CHECK(same);
            if (ei.status != kStatusContinue) ++faulted;
            if (request && runs == 1 && ei.status == kStatusContinue) ++stopped;
        }
    }
    // The generator reached the interesting paths.
    CHECK(member_runs > 4 * kRegions);
    CHECK(faulted > 5);
    CHECK(stopped > 5);
    CHECK(tier->stats().regions == kRegions);
}

#pragma once
// What the interpreter-vs-tier difference tests share: a random start state
// for the test world and a readable account of where two snapshots differ.
#include <random>
#include <string>
#include <vector>

#include "random_block.h"
#include "tcg/exec/tier.h"
#include "tcg/interp/interp.h"
#include "test_world.h"

namespace emu::tcg::test {

// Random registers, i1 registers, RAM and exclusive monitor; pc 0x1000; an
// empty device log.
void randomize_world(World& w, std::mt19937_64& rng);

// "" when equal; otherwise one line per differing env byte, pc, monitor,
// RAM byte and the device log, naming the sides "interp" and `tier`.
std::string world_diff(const World::Snapshot& interp, const World::Snapshot& other,
                       const char* tier);

// The blocks of a difference test, the odd ones through the optimiser
// first, as translated blocks are. Straight: 10 + rng() % span
// instructions, with accesses that may fault in all but every fourth
// block. SelfLoop: self loops of 5 + rng() % span instructions, faulting in
// every third. A block the verifier rejects ends the list early, its
// complaint in *err.
enum class DiffMix { Straight, SelfLoop };
std::vector<Block> random_diff_blocks(std::mt19937_64& rng, unsigned count, DiffMix mix,
                                      unsigned span, std::string* err);

// One block run by the interpreter and by a tier's code from the same start
// state (the world as it is, TLB flushed); the world ends as the tier left
// it. With a self_slot the interpreter reruns the block while it exits
// through that slot, as self-linked tier code loops inside itself.
constexpr unsigned kNoSelfLoop = ~0u;
struct DiffRun {
    ExitInfo interp{}, tier{};
    World::Snapshot after_interp, after_tier;
    unsigned interp_runs = 0;
    bool same_exit() const { return interp.status == tier.status && interp.slot == tier.slot; }
    bool same_world() const { return after_interp == after_tier; }
    // Both exits, then world_diff() of the two ends.
    std::string diff(const char* tier) const;
};
DiffRun run_interp_and_tier(World& w, const InterpCode& code, CompiledFn fn,
                            unsigned self_slot = kNoSelfLoop);

}  // namespace emu::tcg::test

#pragma once
// What the interpreter-vs-tier difference tests share: a random start state
// for the test world and a readable account of where two snapshots differ.
#include <random>
#include <string>

#include "test_world.h"

namespace emu::tcg::test {

// Random registers, i1 registers, RAM and exclusive monitor; pc 0x1000; an
// empty device log.
void randomize_world(World& w, std::mt19937_64& rng);

// "" when equal; otherwise one line per differing env byte, pc, monitor,
// RAM byte and the device log, naming the sides "interp" and `tier`.
std::string world_diff(const World::Snapshot& interp, const World::Snapshot& other,
                       const char* tier);

}  // namespace emu::tcg::test

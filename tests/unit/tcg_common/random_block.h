#pragma once
// Random valid IR blocks over the test world's env and memory map
// (test_world.h), built with the IR builder so that they pass the
// verifier: every op the table has, on every type it allows, with guest
// memory accesses that hit, miss, cross pages, touch a device, fault, and
// helper calls that fault.
#include <cstdint>
#include <random>

#include "tcg/ir/ir.h"

namespace emu::tcg::test {

struct RandomBlockOptions {
    unsigned ops = 40;       // instructions before the terminal (roughly)
    bool memory = true;      // guest loads/stores/atomics
    bool faults = true;      // accesses and helpers that may fault
    bool call_void = false;  // see random_block.cpp
    // End with "r12 -= 1; r12 != 0 ? guest_pc : elsewhere" (or the reverse
    // slot order); nothing else writes r12, so the loop terminates.
    bool self_loop = false;
    uint64_t guest_pc = 0x1000;
};

// Helper ids registered on first use (thread-unsafe, call from one thread).
struct TestHelpers {
    uint32_t mix;     // pure: a0 * 0x9e37... ^ a1 >> 3 ^ a2 ^ a3
    uint32_t fault;   // faults (status 21) when a0 & 0xff == 0x5a, else returns ~a0
    uint32_t env_rw;  // r[15] += a0; returns old r[15]
    static const TestHelpers& get();
};

Block random_block(std::mt19937_64& rng, const RandomBlockOptions& opts);

}  // namespace emu::tcg::test

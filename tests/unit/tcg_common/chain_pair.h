#pragma once
// Two blocks that loop through each other once linked, for the chaining
// tests of each tier:
//   A (pc 0x1000): r0 += 1; -> B (slot 0).
//   B (pc 0x2000): r1 += r0; r1 < 1000 ? A (slot 0) : 0x3000 (slot 1).
#include <cstdint>

#include "tcg/ir/ir.h"

namespace emu::tcg::test {

struct ChainPair {
    Block a, b;
    // r0 and r1 after running A, B, A, B, ... from r0 = r1 = 0 until B
    // leaves for 0x3000, computed here in C++.
    uint64_t want0 = 0, want1 = 0;
};

ChainPair make_chain_pair();

}  // namespace emu::tcg::test

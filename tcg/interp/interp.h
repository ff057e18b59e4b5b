#pragma once
// The interpreter tier: the reference semantics of the IR and the cold
// tier. A block is lowered once into a dense pre-decoded form (one 32-byte
// LInst per op, operands as slot indices into a per-run frame of 64-bit
// slots, i128 values taking two) and run by a direct-threaded loop
// (computed goto), so running a block never touches IR objects.
#include <cstdint>
#include <string>
#include <vector>

#include "tcg/exec/env.h"
#include "tcg/ir/ir.h"

namespace emu::tcg {

struct LInst {
    const void* handler;  // label of the variant (direct threading)
    uint16_t d, a, b, c;  // result and operand slots
    uint64_t imm;
    uint64_t imm2;
};

struct InterpCode {
    std::vector<LInst> code;
    std::vector<uint64_t> consts;    // preloaded into slots [0, consts.size())
    std::vector<uint16_t> variants;  // per LInst, for printing
    uint32_t nslots = 0;
};

constexpr uint32_t kInterpMaxSlots = 4096;

// Lowers a verified block. Fails (returns false, sets *err) only if the
// block needs more than kInterpMaxSlots slots; translators cap block size
// well below that.
bool interp_lower(const Block& b, InterpCode* out, std::string* err);

// Runs the block on env (a TcgEnv at the start of the target's CPU state).
ExitInfo interp_run(const InterpCode& code, void* env);

// -d out_asm for the interpreter tier: the lowered form.
std::string interp_print(const InterpCode& code);

}  // namespace emu::tcg

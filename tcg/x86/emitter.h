#pragma once
// IR block -> x86-64 host code (the baseline tier's code generator).
//
// Generated code, per block:
//   main:   push callee-saved; sub rsp, frame; rbx = env; env->reserved1 = 0
//   chain:  env->reserved1 = main          (linked blocks jump here)
//   body:   [hot counter] ops ... terminal
//   exits:  env->pc = target; if (exit_request) return {0, none};
//           jmp rel32 -> (patched: next block's chain entry) else return {0, slot}
//   cold:   TLB-miss and fault paths
// Every block has the same frame, so a chained jump simply continues in
// the caller's frame and the last block's epilogue returns to the
// dispatcher. The env pointer lives in rbx; SSA values live in host
// registers (11 of them) and spill to frame slots only under pressure;
// guest registers are read and written straight in the env.
#include <cstdint>
#include <string>

#include "tcg/exec/tier.h"
#include "tcg/ir/ir.h"

namespace Xbyak {
class CodeGenerator;
}

namespace emu::tcg::x86 {

struct BlockCode {
    const uint8_t* start = nullptr;  // first byte of the block's code
    size_t size = 0;
    const uint8_t* main = nullptr;   // the CompiledFn
    const uint8_t* chain = nullptr;  // where linked blocks jump
    // Chainable exits: the rel32 field of the patchable jmp and the code it
    // jumps to while unlinked (nullptr: no such exit slot).
    uint8_t* site[2] = {nullptr, nullptr};
    const uint8_t* unlinked[2] = {nullptr, nullptr};
};

// Appends the block's code to `gen`. Returns false (with *why) for a block
// it does not support; the generator's contents past the starting point are
// then garbage and the caller rewinds. Throws Xbyak::Error when the code
// does not fit.
bool emit_block(Xbyak::CodeGenerator& gen, const Block& b, const BaselineCompiler::HotHook* hot,
                BlockCode* out, std::string* why,
                const BaselineCompiler::IndirectLookup* ind = nullptr);

// The cross-tier stubs of tier.h (BaselineCompiler::enter_linked and
// foreign_chain), built on the frame every block shares; appended to gen.
struct CrossTierStubs {
    const uint8_t* enter_linked = nullptr;
    const uint8_t* foreign_chain = nullptr;
};
CrossTierStubs emit_cross_tier_stubs(Xbyak::CodeGenerator& gen);

// Upper bound of the code size emit_block can produce for b.
size_t max_code_size(const Block& b);

}  // namespace emu::tcg::x86

#pragma once
// IR block -> x86-64 host code (the baseline tier's code generator).
//
// Generated code, per block:
//   header: BlockHeader (data, 8-byte aligned)
//   main:   push callee-saved; sub rsp, frame; rbx = env; env->reserved1 = 0
//   chain:  env->reserved1 = owner         (linked blocks jump here)
//   body:   [hot counter] ops ... terminal
//   exits:  env->pc = target; if (exit_request) return {0, none};
//           jmp rel32 -> (patched: next block's chain entry) else return {0, slot}
//           (returns jump to the buffer's shared ExitStubs)
//   cold:   TLB-miss and fault paths
// Every block has the same frame, so a chained jump simply continues in
// the caller's frame and the last block's epilogue returns to the
// dispatcher. The env pointer lives in rbx; SSA values live in host
// registers (11 of them) and spill to frame slots only under pressure;
// guest registers are read and written straight in the env.
#include <cstdint>
#include <memory>
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

// Written into the code buffer right before each block's main entry, so
// chain_entry/link/unlink find a block's code layout from its CompiledFn
// with one load instead of a hash lookup. Offsets are from main.
struct BlockHeader {
    uint64_t check;  // kHeaderMagic ^ address of main
    uint32_t size;   // bytes from main to the end of the block's code
    uint32_t chain;
    uint32_t site[2];  // 0: no such exit slot
    uint32_t unlinked[2];
};
static_assert(sizeof(BlockHeader) == 32);
// Every block's prologue has the same length, so the chain entry is at a
// fixed offset from main (chain_entry needs no memory access).
constexpr size_t kChainEntryOffset = 30;
constexpr uint64_t kHeaderMagic = 0x6b6c426e69736142ull;

// The cross-tier stubs of tier.h (BaselineCompiler::enter_linked and
// foreign_chain), built on the frame every block shares; appended to gen.
struct CrossTierStubs {
    const uint8_t* enter_linked = nullptr;
    const uint8_t* foreign_chain = nullptr;
};
CrossTierStubs emit_cross_tier_stubs(Xbyak::CodeGenerator& gen);

// Shared block exits, emitted once at the start of the code buffer (every
// block has the same frame, so one epilogue serves them all): jump to
// slot[0]/slot[1] to return {0, slot}, none to return {0, none}, fault
// with the status in rax to return {status, none}.
struct ExitStubs {
    const uint8_t* slot[2] = {nullptr, nullptr};
    const uint8_t* none = nullptr;
    const uint8_t* fault = nullptr;
};
ExitStubs emit_exit_stubs(Xbyak::CodeGenerator& gen);

struct EmitOptions {
    const BaselineCompiler::HotHook* hot = nullptr;
    const BaselineCompiler::IndirectLookup* ind = nullptr;
    uint64_t owner = 0;  // stored in env->reserved1 at the chain entry; 0: main
    ExitStubs stubs;     // required
};

namespace detail {
class Emitter;
}

// Appends blocks to one CodeGenerator; keeps its scratch tables between
// blocks so emitting a block allocates nothing in the steady state.
class BlockEmitter {
  public:
    explicit BlockEmitter(Xbyak::CodeGenerator& gen);
    ~BlockEmitter();
    // Returns false (with *why) for a block it does not support; the
    // generator's contents past the starting point are then garbage and the
    // caller rewinds. Throws Xbyak::Error when the code does not fit.
    // The BlockHeader precedes out->main; out->start is the header.
    bool emit(const Block& b, const EmitOptions& o, BlockCode* out, std::string* why);

  private:
    std::unique_ptr<detail::Emitter> e_;
};

// Upper bound of the code size BlockEmitter::emit can produce for b.
size_t max_code_size(const Block& b);

}  // namespace emu::tcg::x86

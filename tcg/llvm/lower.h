#pragma once
// IR block -> LLVM IR (internal to tcg/llvm). A block `name` becomes
//     { i64 status, i64 slot } name(ptr env)          the CompiledFn
//     { i64 status, i64 slot } name.b(ptr env, i64 chained)  its body
//     [2 x ptr] name.l                               link cells, one per slot
// The CompiledFn tail-calls the body with chained = 0. A chainable exit
// whose link cell holds another block's body (and no exit request is
// pending) tail-jumps there with chained = 1 instead of returning; a body
// entered that way that returns through a chainable exit records its
// CompiledFn in env->reserved1 (kEnvChainExitOffset) so the dispatcher
// knows which block the returned slot belongs to. {status, slot} is
// ExitInfo in RAX:RDX under the SysV ABI (tcg/exec/tier.h).
#include <cstdint>
#include <string>
#include <vector>

#include "tcg/ir/ir.h"

namespace llvm {
class Function;
class Module;
}  // namespace llvm

namespace emu::tcg::llvmtier {

struct LowerOptions {
    bool self_loops = true;  // see LlvmTierOptions::self_loops
    bool chaining = true;    // link cells at chainable exits
    // The vCPU's jump cache (tier.h, TierCompiler::CrossTier): unlinked
    // chainable exits (except to the block itself, which the dispatcher
    // links as a self loop) and indirect exits look the target up and
    // tail-call its `linked` entry, or enter_linked(env, chain) for a
    // first-tier block, instead of returning. table == nullptr: off.
    const void* jc_table = nullptr;
    unsigned jc_bits = 0;
    const void* enter_linked = nullptr;
};

// Where a body entered through a link records its CompiledFn on return
// (0 otherwise): TcgEnv::reserved1, which the dispatcher reads after a
// chainable exit of compiled code.
constexpr uint64_t kEnvChainExitOffset = 48;

inline std::string body_name(const std::string& n) {
    return n + ".b";
}
inline std::string cells_name(const std::string& n) {
    return n + ".l";
}
// i64: how often the block ran without the dispatcher seeing it (entered
// through a link, or another turn of a self loop), for the statistics.
inline std::string counter_name(const std::string& n) {
    return n + ".n";
}
// [2 x i64]: guest instructions run in those executions (a region's
// members differ in length, so runs alone do not give it), and the calls
// of the function (each entry, however it was entered).
inline std::string insns_name(const std::string& n) {
    return n + ".i";
}

// Adds the block as function `name` to `m`. On failure returns nullptr with
// *err set and leaves no function behind.
llvm::Function* lower_block(const Block& b, llvm::Module& m, const std::string& name,
                            const LowerOptions& opts, std::string* err);

// A region (TierCompiler::submit_region): blocks[0] is the entry. Every
// member's code is one part of the function; a direct exit to a member's
// start branches there while env->exit_request is clear (and stores the
// pc, as the exit would), so guest registers promoted to SSA values stay in
// host registers across the members. Exits of blocks[0] to non-members are
// chainable exits as lower_block makes them; other members' exits to
// non-members look the target up in the jump cache or return
// kExitSlotNone. One block: the same as lower_block.
llvm::Function* lower_region(const std::vector<Block>& blocks, llvm::Module& m,
                             const std::string& name, const LowerOptions& opts, std::string* err);

}  // namespace emu::tcg::llvmtier

#pragma once
// IR block -> LLVM IR function (internal to tcg/llvm). The function is
//     { i64 status, i64 slot } blk(ptr env)
// which is ExitInfo in RAX:RDX under the SysV ABI (tcg/exec/tier.h).
#include <string>

#include "tcg/ir/ir.h"

namespace llvm {
class Function;
class Module;
}  // namespace llvm

namespace emu::tcg::llvmtier {

struct LowerOptions {
    bool self_loops = true;  // see LlvmTierOptions::self_loops
};

// Adds the block as function `name` to `m`. On failure returns nullptr with
// *err set and leaves no function behind.
llvm::Function* lower_block(const Block& b, llvm::Module& m, const std::string& name,
                            const LowerOptions& opts, std::string* err);

}  // namespace emu::tcg::llvmtier

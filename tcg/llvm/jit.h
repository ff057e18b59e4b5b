#pragma once
// One ORC LLJIT instance plus what the tier needs around it (internal to
// tcg/llvm): the IR pass pipeline, a recycled LLVMContext, and the size of
// every function it emitted (for the code budget and -d out_asm). Used by
// the compile thread only.
#include <llvm/ExecutionEngine/Orc/LLJIT.h>
#include <llvm/ExecutionEngine/Orc/ThreadSafeModule.h>
#include <llvm/IR/Module.h>
#include <llvm/Target/TargetMachine.h>

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace emu::tcg::llvmtier {

struct JitConfig {
    // New-PM text pipeline run on each module before codegen ("" = none),
    // e.g. "function(early-cse<memssa>,instcombine,simplifycfg)" or "default<O2>".
    std::string pipeline;
    unsigned codegen_level = 1;  // llvm::CodeGenOptLevel 0..3
    bool fast_isel = false;      // FastISel instead of SelectionDAG at any level
};

struct CodeRange {
    uint64_t addr = 0;  // 0: not found
    uint64_t size = 0;
};

class Jit {
  public:
    static std::unique_ptr<Jit> create(const JitConfig& cfg, std::string* err);
    ~Jit();

    // A fresh module in the current context (which is replaced every few
    // hundred modules: LLVM interns constants per context forever).
    std::unique_ptr<llvm::Module> new_module();
    // Optimises, compiles and links the module, then resolves `names`.
    // Returns false (with *err) when the module as a whole failed.
    bool compile(std::unique_ptr<llvm::Module> m, const std::vector<std::string>& names,
                 std::vector<CodeRange>* out, std::string* err);
    // Bytes of host code emitted so far (text sections).
    uint64_t code_bytes() const { return code_bytes_; }

  private:
    Jit() = default;
    bool optimize(llvm::Module& m, std::string* err);

    JitConfig cfg_;
    std::unique_ptr<llvm::orc::LLJIT> jit_;
    std::unique_ptr<llvm::TargetMachine> tm_;  // for the IR passes' cost models
    llvm::orc::ThreadSafeContext ctx_;
    unsigned modules_in_ctx_ = 0;
    uint64_t code_bytes_ = 0;
    std::unordered_map<std::string, uint64_t> sizes_;  // symbol -> size, last object
    std::string last_error_;
};

}  // namespace emu::tcg::llvmtier

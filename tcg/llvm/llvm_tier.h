#pragma once
// The LLVM tier (DESIGN.md §4): hot IR blocks are lowered to LLVM IR and
// compiled by ORC LLJIT on one background thread; the dispatcher switches a
// block to the compiled function when the TierCompiler callback delivers
// it. This header is the whole public surface and includes no LLVM header.
#include <cstdint>
#include <memory>
#include <string>

#include "tcg/exec/tier.h"

namespace emu::tcg {

// How hard LLVM works on a block. Measured on this machine with
// emu-llvm-compile-bench (bench/llvm_compile_time.sh); see
// docs/architecture.md for the numbers behind the default.
enum class LlvmOptLevel : uint8_t {
    O0,  // no IR passes, FastISel + fast register allocation
    O1,  // a short IR pipeline (early-cse, instcombine, simplifycfg), codegen -O1
    O2,  // LLVM's default -O2 module pipeline, codegen -O2
};

struct LlvmTierOptions {
    LlvmOptLevel opt = LlvmOptLevel::O1;
    // Host code bytes the tier may hold; once used up, further blocks stay
    // in the interpreter (done(nullptr)) so code memory stays bounded.
    uint64_t code_budget = 64ull << 20;
    // Blocks compiled into one LLVM module when several are waiting: the
    // per-module codegen set-up is shared among them.
    unsigned max_batch = 8;
    // A block whose chainable exit jumps to its own start becomes a loop in
    // the compiled code, with the guest registers it uses kept in host
    // registers across iterations. The back edge is taken only while the
    // dispatcher has linked that exit to the block itself and no exit
    // request is pending, so invalidation and interrupts stop it as they
    // stop any chain.
    bool self_loops = true;
};

struct LlvmTierStats {
    uint64_t submitted = 0;
    uint64_t compiled = 0;
    uint64_t regions = 0;      // of those, multi-block regions
    uint64_t failed = 0;       // lowering or LLVM rejected the block
    uint64_t over_budget = 0;  // refused because the code budget is used up
    uint64_t modules = 0;      // LLVM modules (batches) compiled
    uint64_t code_bytes = 0;   // host code (object text) held
    double total_ms = 0;       // compile thread time spent, all blocks
    double median_ms = 0;      // per block: a batch's time shared by its blocks
    double p90_ms = 0;
    double max_ms = 0;
    // Runs of compiled blocks the dispatcher does not see (entered through
    // a link or another turn of a self loop), and their guest instructions:
    // add them to ExecStats' compiled counts for the real share.
    uint64_t unseen_runs = 0;
    uint64_t unseen_insns = 0;
    std::string format() const;  // one line for -d / exit statistics
};

class LlvmTier final : public TierCompiler {
  public:
    static std::unique_ptr<LlvmTier> create(const LlvmTierOptions& opts, std::string* err);
    ~LlvmTier() override;

    const char* name() const override { return "llvm"; }
    // Queued with hotness 0 (tier=auto submits hot blocks; hotter first).
    void submit(Block block, Done done) override;
    void submit(Block block, Done done, uint32_t hotness);
    // As above, looking unlinked and indirect exits up in `cross`'s jump
    // cache (the submitting vCPU's; see TierCompiler::CrossTier).
    void submit(Block block, Done done, uint32_t hotness, const CrossTier& cross);
    // Regions (TierCompiler::submit_region; tcg/llvm/lower.h lower_region).
    void submit_region(std::vector<Block> blocks, Done done) override;
    void submit_region(std::vector<Block> blocks, Done done, uint32_t hotness,
                       const CrossTier& cross);
    // Compiles ahead of everything queued and waits (tier=llvm and tests).
    // Returns nullptr with *err set when the block cannot be compiled.
    CompiledFn compile_sync(Block block, std::string* err = nullptr);
    CompiledFn compile_region_sync(std::vector<Block> blocks, std::string* err = nullptr);
    std::string disassemble(CompiledFn fn) override;
    // Direct chaining between compiled blocks (see tcg/llvm/lower.h): exit
    // `slot` of `from` jumps straight into `to` while no exit request is
    // pending. Both must come from this tier; vCPU thread only.
    bool link(CompiledFn from, unsigned slot, CompiledFn to) override;
    void unlink(CompiledFn from, unsigned slot) override;
    const void* linked_entry(CompiledFn fn) override;
    void set_cross_tier(const CrossTier& ct) override { cross_ = ct; }
    LlvmTierStats stats() const;
    // Blocks until the queue is empty and the worker idle.
    void drain();

    struct Impl;

  private:
    explicit LlvmTier(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
    CrossTier cross_;  // for submit() without one
};

// The process-wide compile service (default options), created on first
// use and destroyed with its last user. Its stats() are the run's totals.
std::shared_ptr<LlvmTier> shared_llvm_tier(std::string* err);

// The TierCompilerFactory for tcg/exec: a per-vCPU handle on the shared
// service.
std::unique_ptr<TierCompiler> make_llvm_tier(std::string* err);

// Registers make_llvm_tier with set_tier_compiler_factory. Library
// emu_tcg_llvm_register also does it from a static initialiser; link it as
// a whole archive ($<LINK_LIBRARY:WHOLE_ARCHIVE,...>) so the linker keeps it.
void register_llvm_tier();

}  // namespace emu::tcg

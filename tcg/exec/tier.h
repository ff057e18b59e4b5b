#pragma once
// The second tier: hot blocks are handed to a TierCompiler (the LLVM ORC
// backend) which compiles them off the vCPU thread; the dispatcher switches
// the block to the compiled function once the callback has delivered it.
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "tcg/exec/env.h"
#include "tcg/ir/ir.h"

namespace emu::tcg {

// A compiled block: runs the block on `env` (a TcgEnv* at the start of the
// target's CPU state) and returns how it ended. ExitInfo is two integers,
// returned in RAX:RDX on x86-64. Semantics are exactly the interpreter's.
using CompiledFn = ExitInfo (*)(void* env);

class TierCompiler {
  public:
    virtual ~TierCompiler() = default;
    virtual const char* name() const = 0;
    // Takes a copy of an optimised, verified block. `done` is called exactly
    // once, from any thread, with the function or nullptr if the block could
    // not be compiled (the block then stays in the interpreter). The
    // compiled code must stay valid until the compiler is destroyed.
    using Done = std::function<void(CompiledFn fn)>;
    virtual void submit(Block block, Done done) = 0;
    // A region (optional): several blocks compiled into one function that
    // is entered at blocks[0]'s start. Direct exits between members are
    // branches inside it (each checks env->exit_request first); exits of
    // blocks[0] to non-members are chainable as a block's; exits of other
    // members to non-members return kExitSlotNone (or continue through the
    // jump cache). The caller owns invalidation: the function must not be
    // entered again once any member's guest code changed. All members
    // share flags and their start PCs lie on blocks[0]'s guest page.
    virtual void submit_region(std::vector<Block> blocks, Done done) { done(nullptr); }
    // -d out_asm: host code of a compiled function (may be empty).
    virtual std::string disassemble(CompiledFn fn) { return {}; }
    // Direct chaining inside compiled code (optional): from now on, exit
    // `slot` of `from` jumps straight to `to` (both compiled by this tier)
    // unless env->exit_request is set. A compiled block entered that way
    // that returns through a chainable exit stores its own CompiledFn in
    // env->reserved1 (else 0), so the dispatcher knows whose slot it got.
    // Called on the vCPU thread, never while it runs compiled code; unlink
    // before `to` is invalidated. Returns false if not supported.
    virtual bool link(CompiledFn from, unsigned slot, CompiledFn to) { return false; }
    virtual void unlink(CompiledFn from, unsigned slot) {}
    // Where code of either tier enters fn as a linked successor: a function
    // ExitInfo(void* env, uint64_t chained) tail-called with chained = 1
    // (the jump cache's JumpCacheEntry::linked). nullptr: not supported.
    virtual const void* linked_entry(CompiledFn fn) { return nullptr; }
    // Cross-tier lookups (optional; see CrossTier below): blocks submitted
    // from now on look their unlinked and indirect exits up in this vCPU's
    // jump cache instead of returning to the dispatcher.
    struct CrossTier;
    virtual void set_cross_tier(const CrossTier& ct) {}
};

// The LLVM backend registers its factory at static-init time (or from its
// library's init function); nullptr factory means no second tier is built.
using TierCompilerFactory = std::unique_ptr<TierCompiler> (*)(std::string* err);
void set_tier_compiler_factory(TierCompilerFactory f);
TierCompilerFactory tier_compiler_factory();

// The first tier (tcg/x86): a direct host-code emitter that compiles
// synchronously at translation time, with the CompiledFn ABI and the
// chaining conventions of TierCompiler (reserved1, exit_request checks).
class BaselineCompiler {
  public:
    virtual ~BaselineCompiler() = default;
    virtual const char* name() const = 0;
    enum class Result { Ok, Unsupported, Full };
    // Counts down *counter at every entry of the block (dispatcher or
    // chained); when it reaches zero, calls fn(env, cookie) before running
    // the block. Used to find hot blocks for the second tier.
    struct HotHook {
        int32_t* counter = nullptr;
        void (*fn)(void* env, void* cookie) = nullptr;
        void* cookie = nullptr;
    };
    // The dispatcher's jump cache as first-tier code sees it: ExitIndirect
    // looks the target up inline and jumps straight to its chain entry when
    // pc and mode flags match (same rules as direct chaining; exit_request
    // is checked first). Entry index: jump_cache_index (the inline code
    // computes the same).
    static unsigned jump_cache_index(uint64_t pc, unsigned bits) {
        return static_cast<unsigned>((pc >> 2 ^ pc >> (2 + bits)) & ((1u << bits) - 1));
    }
    // `chain` is what first-tier code jumps to (with rax pointing at the
    // entry): a block's chain_entry, or foreign_chain() for a block of the
    // second tier. `linked` is the second tier's TierCompiler::linked_entry
    // of the block (nullptr for first-tier blocks), what second-tier code
    // tail-calls; for a first-tier block it calls enter_linked() instead.
    struct JumpCacheEntry {
        uint64_t pc;
        uint64_t flags;
        const void* chain;   // nullptr: empty
        const void* linked;  // second-tier block: its linked entry
    };
    struct IndirectLookup {
        const JumpCacheEntry* table = nullptr;
        unsigned bits = 0;
        uint64_t flags = 0;  // the mode the block was translated in
    };
    // Returns the function (Ok), or nullptr with Unsupported (the block
    // stays in the interpreter; *why names the op or type) or Full (the code
    // buffer is full: flush every block, reset(), and try again).
    // `owner`: what the block stores in env->reserved1 when it is entered
    // through its chain entry (0: the CompiledFn itself, as TierCompiler
    // blocks do); the dispatcher passes a tagged TranslationBlock pointer
    // so a returning chain needs no lookup.
    virtual CompiledFn compile(const Block& b, const HotHook* hot, Result* res, std::string* why,
                               const IndirectLookup* ind = nullptr, uint64_t owner = 0) = 0;
    // Where linked blocks (and the inline jump-cache lookup) enter fn
    // (nullptr for a function this compiler did not make). O(1).
    virtual const void* chain_entry(CompiledFn fn) = 0;
    // Drops every compiled block (after the dispatcher flushed them all).
    // enter_linked() and foreign_chain() keep their addresses.
    virtual void reset() = 0;
    // Cross-tier entry stubs (nullptr: not supported). enter_linked() is
    // ExitInfo(void* env, const void* chain): sets up the frame every block
    // shares and jumps to `chain` (a chain_entry), as a linked exit would;
    // second-tier code tail-calls it to continue in first-tier code.
    // foreign_chain() is the JumpCacheEntry::chain of a second-tier block:
    // it leaves the frame and tail-calls the entry's `linked`(env, 1).
    virtual const void* enter_linked() { return nullptr; }
    virtual const void* foreign_chain() { return nullptr; }
    // As TierCompiler::link/unlink, between blocks of this compiler only;
    // unknown functions are ignored.
    virtual bool link(CompiledFn from, unsigned slot, CompiledFn to) = 0;
    virtual void unlink(CompiledFn from, unsigned slot) = 0;
    virtual std::string disassemble(CompiledFn fn) = 0;
    // One line for EMU_TCG_STATS.
    virtual std::string stats() const { return {}; }
};
// What second-tier code needs to continue in the jump cache's blocks
// (TierCompiler::set_cross_tier): the vCPU's table and the first tier's
// enter_linked() stub (nullptr without a first tier: then only entries
// with `linked` are taken).
struct TierCompiler::CrossTier {
    BaselineCompiler::IndirectLookup table;  // flags unused (each block's own)
    const void* enter_linked = nullptr;
};

using BaselineCompilerFactory = std::unique_ptr<BaselineCompiler> (*)(std::string* err);
void set_baseline_compiler_factory(BaselineCompilerFactory f);
BaselineCompilerFactory baseline_compiler_factory();

// interp: interpreter only; baseline: first tier only (interpreter for
// blocks it cannot compile); llvm: every block through LLVM; auto: the
// first tier, and LLVM for hot blocks.
enum class TierMode { Interp, Baseline, Llvm, Auto };

}  // namespace emu::tcg

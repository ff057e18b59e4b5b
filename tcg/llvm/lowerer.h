#pragma once
// The state of lowering one block (internal to tcg/llvm): lower.cpp holds
// the dispatch and the arithmetic, lower_mem.cpp guest memory and helpers.
//
// Value model: every IR value is an LLVM integer of its width (f32/f64 are
// bit patterns, i32/i64: the IR has no FP arithmetic, FP goes through
// helpers). Guest registers are loads/stores at env offsets tagged with
// their own TBAA type, so LLVM knows guest memory stores cannot clobber
// them and GVN/DSE can forward and drop them across guest accesses.
#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/Module.h>

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "tcg/ir/ir.h"
#include "tcg/llvm/lower.h"

namespace emu::tcg::llvmtier {

class Lowerer {
  public:
    // blocks[0] is the entry; more than one block makes a region.
    Lowerer(const std::vector<Block>& blocks, llvm::Module& m, const LowerOptions& opts);
    // Builds the function; false with *err on a block it cannot lower.
    bool run(const std::string& name, std::string* err);
    llvm::Function* function() const { return wrapper_; }
    // Removes whatever a failed run() left in the module.
    void erase() {
        // They refer to each other: drop the references before erasing.
        if (wrapper_) wrapper_->dropAllReferences();
        if (fn_) fn_->dropAllReferences();
        if (wrapper_) wrapper_->eraseFromParent();
        if (fn_) fn_->eraseFromParent();
        if (cells_) cells_->eraseFromParent();
        if (counter_) counter_->eraseFromParent();
        if (insns_) insns_->eraseFromParent();
    }

  private:
    // One lowering per opcode, expanded from opcodes.inc: an op added to the
    // table without a lowering here fails to compile.
#define OP(name, res, types, nargs, a0, a1, a2, imm, flags) llvm::Value* op_##name(const Inst& in);
#include "tcg/ir/opcodes.inc"
#undef OP

    llvm::IntegerType* ty(Type t) const;
    llvm::Value* arg(const Inst& in, unsigned a) const {
        return vals_[in.args[a].id];
    }
    Type arg_type(const Inst& in, unsigned a) const {
        return cur_->insts[in.args[a].id].type;
    }
    llvm::ConstantInt* c64(uint64_t v) const {
        return ir_.getInt64(v);
    }

    // env access
    llvm::Value* env_ptr(uint64_t offset);
    llvm::Value* load_env(llvm::Type* t, uint64_t offset, bool atomic = false);
    void store_env(llvm::Value* v, uint64_t offset);
    void tag(llvm::Instruction* i, llvm::MDNode* tbaa);

    // Control flow
    void exit_if_status(llvm::Value* status);  // leaves the block on status != 0
    void ret(llvm::Value* status, llvm::Value* slot);
    // The end of a chainable exit (pc already stored): follow the link cell
    // or return {Continue, slot} (kExitSlotNone when exit_request is set).
    // `pc` is the exit's target (already in env->pc), looked up in the jump
    // cache when the link cell is empty, unless it is the block's own start.
    void chain_exit(llvm::Value* slot, llvm::Value* pc);
    // Jump-cache lookup of pc (LowerOptions::jc_table): on a hit tail-calls
    // the target; else continues at `miss`. Regs flushed, no request pending.
    void lookup_and_go(llvm::Value* pc, llvm::BasicBlock* miss);
    bool loops_to_self(uint64_t pc) const;
    // The back edge of a self-looping exit: loops while no request is
    // pending and the dispatcher has linked the exit to this very block
    // (so invalidation, which unlinks, also stops the loop); else ends as a
    // chainable exit.
    void self_loop_exit(llvm::Value* again, llvm::Value* loop_slot,
                        const std::function<std::pair<llvm::Value*, llvm::Value*>()>& way_out);

    // Regions (more than one member; lower_region).
    bool region() const {
        return members_.size() > 1;
    }
    int member_at(uint64_t pc) const;  // index of the member starting at pc, or -1
    // The exit of the current member to `pc` (slot: its exit slot): a
    // branch to a member, a chainable exit of the entry block, or else an
    // exit through the jump cache / dispatcher.
    void region_exit_to(uint64_t pc, unsigned slot);
    // Branch to member `idx` while no exit request is pending.
    void internal_edge(int idx);
    // Leaves with {Continue, kExitSlotNone} after a jump-cache lookup of
    // pc (already in env->pc).
    void unchained_exit(llvm::Value* pc);

    // Register promotion for self-looping blocks: guest registers live in
    // allocas (SSA after sroa) across iterations and are written back to
    // the env before anything that may look at it (helper or softmmu call,
    // leaving the block) and read back after a call.
    void plan_promotion();
    void flush_regs();
    // After a call: reloads the promoted registers if it was a helper.
    void reload_regs();
    // Per-access-site soft-TLB caches of self loops (lower_mem.cpp): the
    // page and addend of the site's last fast-path hit, in SSA across
    // iterations; every call forgets them (it may change the TLB).
    void plan_site_caches();
    void reset_site_caches();
    struct SiteCache {
        llvm::AllocaInst* key;     // page address of the last hit, or ~0
        llvm::AllocaInst* addend;  // its host addend
    };
    std::map<const Inst*, SiteCache> site_caches_;
    // Whether the self loop's exit cell still holds this block (lower_loop.cpp):
    // read on entry and after every call, the only places where it can
    // change while the loop runs (cells are unlinked by this vCPU's thread:
    // in the dispatcher, or in a call of this block that invalidates it),
    // instead of a load and compare on every back edge.
    void plan_self_link();
    void reload_self_link();
    llvm::AllocaInst* self_unlinked_ = nullptr;  // i32 0/1; nullptr: check the cell each time
    uint64_t self_slot_ = 0;
    void load_promoted();
    bool helper_call_ = false;  // op_Call: the call may have written guest registers
    struct Promoted {
        Type type;
        llvm::AllocaInst* slot;
        // Lazy flags (lower_loop.cpp): the block's only write to this
        // register is an AddFlags/SubFlags/LogicFlags result. The loop then
        // carries that op's operands and computes the packed NZCV only where
        // something reads it (a GetReg, a flush before a call, the way out):
        // a guest compare feeding only the back edge's branch costs no
        // flag packing per iteration. `lazy` (i1) says whether the operands
        // (true) or `slot` (false: the value on entry or after a call) hold
        // the current value.
        // An operand is carried in its own slot, or read from a promoted
        // register the block never writes (a loop invariant, e.g. the key
        // of `cmp w5, w2`), truncated to `type`: no extra loop value.
        struct LazyOperand {
            llvm::AllocaInst* slot = nullptr;
            llvm::AllocaInst* reg = nullptr;
            llvm::Type* type = nullptr;
        };
        Op flag_op = Op::Nop;
        llvm::AllocaInst* lazy = nullptr;
        LazyOperand ops[2] = {};
    };
    std::map<uint64_t, Promoted> promoted_;
    // lower_loop.cpp
    void plan_lazy_flags();
    llvm::Value* promoted_value(const Promoted& p);
    void set_lazy_flags(const Promoted& p, const Inst& flag_inst);

    llvm::BasicBlock* new_bb(const char* name);

    // Calls to C functions by absolute address (helpers, softmmu).
    llvm::Value* call_abs(llvm::FunctionType* ft, const void* fn,
                          std::initializer_list<llvm::Value*> args);
    llvm::Value* to_i64(llvm::Value* v);
    llvm::Value* from_i64(llvm::Value* v, Type t);

    // Guest memory (lower_mem.cpp)
    llvm::Value* tlb_entry(llvm::Value* va, unsigned mmu_idx);
    llvm::Value* fast_path_hit(llvm::Value* va, llvm::Value* entry, uint64_t memop, bool write);
    // The inline checks of a plain access: leaves the insertion point in
    // the fast path and returns the host addend, or branches to `slow`.
    llvm::Value* fast_path(const Inst& in, llvm::Value* va, bool write, llvm::BasicBlock* slow);
    llvm::Value* load_slow_128(const Inst& in, llvm::Value* va);
    void store_slow_128(const Inst& in, llvm::Value* va, llvm::Value* v);
    llvm::Value* load_op(const Inst& in, llvm::Value* va);
    void store_op(const Inst& in, llvm::Value* va, llvm::Value* v);

    // Vector ops (lower_vec.cpp): an i128 as <128 >> es+3 x i(8 << es>.
    llvm::Value* as_vec(llvm::Value* v, unsigned es);
    llvm::Value* vec_bin(unsigned kind, llvm::Value* a, llvm::Value* b);

    // NZCV packed as in the env (bit 31 N .. bit 28 V) from four i1.
    llvm::Value* pack_nzcv(llvm::Value* n, llvm::Value* z, llvm::Value* c, llvm::Value* v);
    llvm::Value* add_flags(llvm::Value* a, llvm::Value* b, llvm::Value* carry_in, bool sub);
    llvm::Value* logic_flags(llvm::Value* a);

    const std::vector<Block>& members_;
    const Block& b_;              // the entry block
    const Block* cur_ = nullptr;  // the member being lowered
    std::vector<llvm::BasicBlock*> member_bb_;
    llvm::BasicBlock* stop_bb_ = nullptr;     // region: edge taken with a request pending
    llvm::AllocaInst* runs_slot_ = nullptr;   // region: member runs of this call
    llvm::AllocaInst* insns_slot_ = nullptr;  // region: their guest insns
    llvm::Module& m_;
    llvm::LLVMContext& ctx_;
    LowerOptions opts_;
    mutable llvm::IRBuilder<> ir_;
    llvm::Function* fn_ = nullptr;       // the body
    llvm::Function* wrapper_ = nullptr;  // the CompiledFn
    llvm::GlobalVariable* cells_ = nullptr;
    llvm::GlobalVariable* counter_ = nullptr;  // executions not seen by the dispatcher
    llvm::GlobalVariable* insns_ = nullptr;    // their guest instructions
    llvm::PHINode* iters_ = nullptr;           // of this call: chained entry + back edges
    void count_exit();
    llvm::Value* chained_ = nullptr;
    llvm::FunctionType* body_ty_ = nullptr;
    llvm::Value* env_ = nullptr;
    llvm::BasicBlock* entry_bb_ = nullptr;  // allocas only
    llvm::BasicBlock* body_bb_ = nullptr;   // start of the block's code (self loops)
    llvm::BasicBlock* fault_bb_ = nullptr;
    llvm::PHINode* fault_status_ = nullptr;
    llvm::StructType* ret_ty_ = nullptr;  // {i64, i64}: ExitInfo and HelperRet
    llvm::PointerType* ptr_ty_ = nullptr;
    llvm::MDNode* tbaa_env_ = nullptr;
    llvm::MDNode* tbaa_guest_ = nullptr;
    llvm::MDNode* likely_ = nullptr;
    llvm::MDNode* unlikely_ = nullptr;
    llvm::Value* out128_ = nullptr;  // [2 x i64] alloca for 16-byte loads
    std::vector<llvm::Value*> vals_;
};

}  // namespace emu::tcg::llvmtier

// IR -> LLVM IR: guest memory. Accesses of 1..8 bytes inline the soft-TLB
// fast path of tcg/exec/env.h and call the softmmu entry points
// (tcg/exec/softmmu.h) on a miss; everything else (16-byte accesses,
// exclusives, atomics) calls the softmmu entry points directly, exactly
// as the interpreter does.
#include <llvm/IR/MDBuilder.h>

#include "tcg/exec/env.h"
#include "tcg/exec/softmmu.h"
#include "tcg/llvm/lowerer.h"

namespace emu::tcg::llvmtier {

using llvm::Value;

namespace {
template <typename F>
const void* addr(F* fn) {
    return reinterpret_cast<const void*>(fn);
}
}  // namespace

Value* Lowerer::tlb_entry(Value* va, unsigned mmu_idx) {
    static_assert(sizeof(TlbEntry) == 32);
    uint64_t base = kEnvTlbOffset + uint64_t(mmu_idx) * kTlbSize * sizeof(TlbEntry);
    Value* idx = ir_.CreateAnd(ir_.CreateLShr(va, kPageBits), kTlbSize - 1);
    Value* off = ir_.CreateAdd(ir_.CreateShl(idx, 5), c64(base));
    return ir_.CreateInBoundsGEP(ir_.getInt8Ty(), env_, off);
}

Value* Lowerer::fast_path_hit(Value* va, Value* entry, unsigned size, bool write) {
    uint64_t field = write ? offsetof(TlbEntry, addr_write) : offsetof(TlbEntry, addr_read);
    auto* tag_ptr = ir_.CreateConstInBoundsGEP1_64(ir_.getInt8Ty(), entry, field);
    auto* t = ir_.CreateAlignedLoad(ir_.getInt64Ty(), tag_ptr, llvm::Align(8));
    tag(t, tbaa_env_);
    // A mismatch in the page, a flag bit in the tag or a misaligned address
    // all miss; the slow path handles them.
    Value* key = ir_.CreateAnd(va, c64(kPageMask | (size - 1)));
    return ir_.CreateICmpEQ(key, t);
}

namespace {
Value* host_ptr(llvm::IRBuilder<>& ir, Value* entry, Value* va, llvm::MDNode* tbaa,
                llvm::PointerType* ptr) {
    auto* p = ir.CreateConstInBoundsGEP1_64(ir.getInt8Ty(), entry, offsetof(TlbEntry, addend));
    auto* addend = ir.CreateAlignedLoad(ir.getInt64Ty(), p, llvm::Align(8));
    addend->setMetadata(llvm::LLVMContext::MD_tbaa, tbaa);
    return ir.CreateIntToPtr(ir.CreateAdd(va, addend), ptr);
}
}  // namespace

Value* Lowerer::load_op(const Inst& in, Value* va) {
    unsigned size = MemOp::size(in.imm);
    auto* t = ty(in.type);
    auto* i64 = ir_.getInt64Ty();
    Value* entry = tlb_entry(va, MemOp::mmu_idx(in.imm));
    auto* fast = new_bb("ld.fast");
    auto* slow = new_bb("ld.slow");
    auto* join = new_bb("ld.join");
    ir_.CreateCondBr(fast_path_hit(va, entry, size, false), fast, slow, likely_);

    ir_.SetInsertPoint(fast);
    auto* l =
        ir_.CreateAlignedLoad(t, host_ptr(ir_, entry, va, tbaa_env_, ptr_ty_), llvm::Align(size));
    tag(l, tbaa_guest_);
    // The fast path only takes naturally aligned addresses, so the access
    // may be atomic. Acquire loads are plain moves on x86; the others are
    // volatile so that LLVM never merges or drops a guest access (another
    // vCPU or a device may be watching).
    if (in.imm & MemOp::kAcquire) {
        l->setAtomic(llvm::AtomicOrdering::Acquire);
    } else {
        l->setVolatile(true);
    }
    ir_.CreateBr(join);

    ir_.SetInsertPoint(slow);
    auto* ft = llvm::FunctionType::get(ret_ty_, {ptr_ty_, i64, i64, i64}, false);
    Value* r = call_abs(ft, addr(&mem_load), {env_, va, c64(in.imm), c64(in.imm2)});
    exit_if_status(ir_.CreateExtractValue(r, 1));
    Value* sv = from_i64(ir_.CreateExtractValue(r, 0), in.type);
    llvm::BasicBlock* slow_end = ir_.GetInsertBlock();
    ir_.CreateBr(join);

    ir_.SetInsertPoint(join);
    auto* phi = ir_.CreatePHI(t, 2);
    phi->addIncoming(l, fast);
    phi->addIncoming(sv, slow_end);
    return phi;
}

void Lowerer::store_op(const Inst& in, Value* va, Value* v) {
    unsigned size = MemOp::size(in.imm);
    auto* i64 = ir_.getInt64Ty();
    Value* entry = tlb_entry(va, MemOp::mmu_idx(in.imm));
    auto* fast = new_bb("st.fast");
    auto* slow = new_bb("st.slow");
    auto* join = new_bb("st.join");
    ir_.CreateCondBr(fast_path_hit(va, entry, size, true), fast, slow, likely_);

    ir_.SetInsertPoint(fast);
    auto* s =
        ir_.CreateAlignedStore(v, host_ptr(ir_, entry, va, tbaa_env_, ptr_ty_), llvm::Align(size));
    tag(s, tbaa_guest_);
    // A64 release stores are RCsc: a later load-acquire must not pass them,
    // which on x86 takes a sequentially consistent store (xchg).
    if (in.imm & MemOp::kRelease) {
        s->setAtomic(llvm::AtomicOrdering::SequentiallyConsistent);
    } else {
        s->setVolatile(true);
    }
    ir_.CreateBr(join);

    ir_.SetInsertPoint(slow);
    auto* ft = llvm::FunctionType::get(ret_ty_, {ptr_ty_, i64, i64, i64, i64}, false);
    Value* r = call_abs(ft, addr(&mem_store), {env_, va, to_i64(v), c64(in.imm), c64(in.imm2)});
    exit_if_status(ir_.CreateExtractValue(r, 1));
    ir_.CreateBr(join);
    ir_.SetInsertPoint(join);
}

Value* Lowerer::op_Load(const Inst& in) {
    Value* va = arg(in, 0);
    if (MemOp::size(in.imm) <= 8) return load_op(in, va);
    auto* i64 = ir_.getInt64Ty();
    if (!out128_) {
        auto ip = ir_.saveIP();
        ir_.SetInsertPoint(entry_bb_->getTerminator());
        out128_ = ir_.CreateAlloca(llvm::ArrayType::get(i64, 2), nullptr, "out128");
        ir_.restoreIP(ip);
    }
    auto* ft = llvm::FunctionType::get(i64, {ptr_ty_, i64, i64, i64, ptr_ty_}, false);
    Value* st = call_abs(ft, addr(&mem_load128), {env_, va, c64(in.imm), c64(in.imm2), out128_});
    exit_if_status(st);
    Value* lo = ir_.CreateLoad(i64, out128_);
    Value* hi = ir_.CreateLoad(i64, ir_.CreateConstInBoundsGEP1_64(i64, out128_, 1));
    auto* t = ir_.getInt128Ty();
    return ir_.CreateOr(ir_.CreateZExt(lo, t), ir_.CreateShl(ir_.CreateZExt(hi, t), 64));
}

Value* Lowerer::op_Store(const Inst& in) {
    Value* va = arg(in, 0);
    Value* v = arg(in, 1);
    if (MemOp::size(in.imm) <= 8) {
        store_op(in, va, v);
        return nullptr;
    }
    auto* i64 = ir_.getInt64Ty();
    Value* lo = ir_.CreateTrunc(v, i64);
    Value* hi = ir_.CreateTrunc(ir_.CreateLShr(v, 64), i64);
    auto* ft = llvm::FunctionType::get(i64, {ptr_ty_, i64, i64, i64, i64, i64}, false);
    exit_if_status(
        call_abs(ft, addr(&mem_store128), {env_, va, lo, hi, c64(in.imm), c64(in.imm2)}));
    return nullptr;
}

Value* Lowerer::op_LoadExcl(const Inst& in) {
    auto* i64 = ir_.getInt64Ty();
    auto* ft = llvm::FunctionType::get(ret_ty_, {ptr_ty_, i64, i64, i64}, false);
    Value* r = call_abs(ft, addr(&mem_load_excl), {env_, arg(in, 0), c64(in.imm), c64(in.imm2)});
    exit_if_status(ir_.CreateExtractValue(r, 1));
    return from_i64(ir_.CreateExtractValue(r, 0), in.type);
}

Value* Lowerer::op_StoreExcl(const Inst& in) {
    auto* i64 = ir_.getInt64Ty();
    auto* ft = llvm::FunctionType::get(ret_ty_, {ptr_ty_, i64, i64, i64, i64}, false);
    Value* r = call_abs(ft, addr(&mem_store_excl),
                        {env_, arg(in, 0), to_i64(arg(in, 1)), c64(in.imm), c64(in.imm2)});
    exit_if_status(ir_.CreateExtractValue(r, 1));
    return ir_.CreateTrunc(ir_.CreateExtractValue(r, 0), ir_.getInt32Ty());
}

Value* Lowerer::op_AtomicRmw(const Inst& in) {
    auto* i64 = ir_.getInt64Ty();
    auto* ft = llvm::FunctionType::get(ret_ty_, {ptr_ty_, i64, i64, i64, i64}, false);
    Value* r = call_abs(ft, addr(&mem_atomic_rmw),
                        {env_, arg(in, 0), to_i64(arg(in, 1)), c64(in.imm), c64(in.imm2)});
    exit_if_status(ir_.CreateExtractValue(r, 1));
    return from_i64(ir_.CreateExtractValue(r, 0), in.type);
}

Value* Lowerer::op_CmpXchg(const Inst& in) {
    auto* i64 = ir_.getInt64Ty();
    auto* ft = llvm::FunctionType::get(ret_ty_, {ptr_ty_, i64, i64, i64, i64, i64}, false);
    Value* r = call_abs(
        ft, addr(&mem_cmpxchg),
        {env_, arg(in, 0), to_i64(arg(in, 1)), to_i64(arg(in, 2)), c64(in.imm), c64(in.imm2)});
    exit_if_status(ir_.CreateExtractValue(r, 1));
    return from_i64(ir_.CreateExtractValue(r, 0), in.type);
}

Value* Lowerer::op_Fence(const Inst& in) {
    // x86 keeps loads ordered with loads and stores with stores, so only a
    // full barrier (store->load) needs a fence instruction; the others just
    // stop the compiler from moving accesses across.
    auto kind = static_cast<FenceKind>(in.imm);
    ir_.CreateFence(kind == FenceKind::Full ? llvm::AtomicOrdering::SequentiallyConsistent
                                            : llvm::AtomicOrdering::AcquireRelease);
    return nullptr;
}

}  // namespace emu::tcg::llvmtier

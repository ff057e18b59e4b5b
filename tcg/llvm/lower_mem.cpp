// IR -> LLVM IR: guest memory. Plain loads and stores (1..16 bytes, any
// alignment within a page) inline the soft-TLB fast path of
// tcg/exec/env.h and call the softmmu entry points (tcg/exec/softmmu.h)
// on a miss; exclusives, atomics and ordered 16-byte accesses call the
// softmmu entry points directly, exactly as the interpreter does.
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

// Whether an access may take the fast path when it is not naturally
// aligned: plain accesses without an alignment requirement (A64 allows
// unaligned normal-memory accesses, and memcpy, string and hashing code
// does them all the time). Ordered and alignment-checked accesses stay
// naturally aligned on the fast path (atomic on x86).
static bool unaligned_ok(uint64_t memop) {
    return !(memop & (MemOp::kAligned | MemOp::kAcquire | MemOp::kRelease));
}

Value* Lowerer::fast_path_hit(Value* va, Value* entry, uint64_t memop, bool write) {
    unsigned size = MemOp::size(memop);
    uint64_t field = write ? offsetof(TlbEntry, addr_write) : offsetof(TlbEntry, addr_read);
    auto* tag_ptr = ir_.CreateConstInBoundsGEP1_64(ir_.getInt8Ty(), entry, field);
    auto* t = ir_.CreateAlignedLoad(ir_.getInt64Ty(), tag_ptr, llvm::Align(8));
    tag(t, tbaa_env_);
    // A mismatch in the page or a flag bit in the tag misses; so does a
    // misaligned address where alignment matters, and an access whose last
    // byte is on the next page (its page differs from the entry's, which
    // was found through the first byte). The slow path handles them.
    Value* key = unaligned_ok(memop)
                     ? ir_.CreateAnd(ir_.CreateAdd(va, c64(size - 1)), c64(kPageMask))
                     : ir_.CreateAnd(va, c64(kPageMask | (size - 1)));
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
    ir_.CreateCondBr(fast_path_hit(va, entry, in.imm, false), fast, slow, likely_);

    ir_.SetInsertPoint(fast);
    auto* l = ir_.CreateAlignedLoad(t, host_ptr(ir_, entry, va, tbaa_env_, ptr_ty_),
                                    llvm::Align(unaligned_ok(in.imm) ? 1 : size));
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
    Value* sv;
    if (size == 16) {
        sv = load_slow_128(in, va);
    } else {
        auto* ft = llvm::FunctionType::get(ret_ty_, {ptr_ty_, i64, i64, i64}, false);
        flush_regs();
        Value* r = call_abs(ft, addr(&mem_load), {env_, va, c64(in.imm), c64(in.imm2)});
        exit_if_status(ir_.CreateExtractValue(r, 1));
        reload_regs();
        sv = from_i64(ir_.CreateExtractValue(r, 0), in.type);
    }
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
    ir_.CreateCondBr(fast_path_hit(va, entry, in.imm, true), fast, slow, likely_);

    ir_.SetInsertPoint(fast);
    auto* s = ir_.CreateAlignedStore(v, host_ptr(ir_, entry, va, tbaa_env_, ptr_ty_),
                                     llvm::Align(unaligned_ok(in.imm) ? 1 : size));
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
    if (size == 16) {
        store_slow_128(in, va, v);
    } else {
        auto* ft = llvm::FunctionType::get(ret_ty_, {ptr_ty_, i64, i64, i64, i64}, false);
        flush_regs();
        Value* r = call_abs(ft, addr(&mem_store), {env_, va, to_i64(v), c64(in.imm), c64(in.imm2)});
        exit_if_status(ir_.CreateExtractValue(r, 1));
        reload_regs();
    }
    ir_.CreateBr(join);
    ir_.SetInsertPoint(join);
}

// 16-byte accesses: the inline fast path as for the others when plain
// (LDR/STR Q, LDP/STP X are not single-copy atomic as a whole), else the
// softmmu call only.
Value* Lowerer::op_Load(const Inst& in) {
    Value* va = arg(in, 0);
    if (MemOp::size(in.imm) <= 8 || unaligned_ok(in.imm)) return load_op(in, va);
    return load_slow_128(in, va);
}

Value* Lowerer::load_slow_128(const Inst& in, Value* va) {
    auto* i64 = ir_.getInt64Ty();
    if (!out128_) {
        auto ip = ir_.saveIP();
        ir_.SetInsertPoint(entry_bb_->getTerminator());
        out128_ = ir_.CreateAlloca(llvm::ArrayType::get(i64, 2), nullptr, "out128");
        ir_.restoreIP(ip);
    }
    auto* ft = llvm::FunctionType::get(i64, {ptr_ty_, i64, i64, i64, ptr_ty_}, false);
    flush_regs();
    Value* st = call_abs(ft, addr(&mem_load128), {env_, va, c64(in.imm), c64(in.imm2), out128_});
    exit_if_status(st);
    reload_regs();
    Value* lo = ir_.CreateLoad(i64, out128_);
    Value* hi = ir_.CreateLoad(i64, ir_.CreateConstInBoundsGEP1_64(i64, out128_, 1));
    auto* t = ir_.getInt128Ty();
    return ir_.CreateOr(ir_.CreateZExt(lo, t), ir_.CreateShl(ir_.CreateZExt(hi, t), 64));
}

Value* Lowerer::op_Store(const Inst& in) {
    Value* va = arg(in, 0);
    Value* v = arg(in, 1);
    if (MemOp::size(in.imm) <= 8 || unaligned_ok(in.imm)) {
        store_op(in, va, v);
    } else {
        store_slow_128(in, va, v);
    }
    return nullptr;
}

void Lowerer::store_slow_128(const Inst& in, Value* va, Value* v) {
    auto* i64 = ir_.getInt64Ty();
    Value* lo = ir_.CreateTrunc(v, i64);
    Value* hi = ir_.CreateTrunc(ir_.CreateLShr(v, 64), i64);
    auto* ft = llvm::FunctionType::get(i64, {ptr_ty_, i64, i64, i64, i64, i64}, false);
    flush_regs();
    exit_if_status(
        call_abs(ft, addr(&mem_store128), {env_, va, lo, hi, c64(in.imm), c64(in.imm2)}));
    reload_regs();
}

Value* Lowerer::op_LoadExcl(const Inst& in) {
    auto* i64 = ir_.getInt64Ty();
    auto* ft = llvm::FunctionType::get(ret_ty_, {ptr_ty_, i64, i64, i64}, false);
    flush_regs();
    Value* r = call_abs(ft, addr(&mem_load_excl), {env_, arg(in, 0), c64(in.imm), c64(in.imm2)});
    exit_if_status(ir_.CreateExtractValue(r, 1));
    reload_regs();
    return from_i64(ir_.CreateExtractValue(r, 0), in.type);
}

Value* Lowerer::op_StoreExcl(const Inst& in) {
    auto* i64 = ir_.getInt64Ty();
    auto* ft = llvm::FunctionType::get(ret_ty_, {ptr_ty_, i64, i64, i64, i64}, false);
    flush_regs();
    Value* r = call_abs(ft, addr(&mem_store_excl),
                        {env_, arg(in, 0), to_i64(arg(in, 1)), c64(in.imm), c64(in.imm2)});
    exit_if_status(ir_.CreateExtractValue(r, 1));
    reload_regs();
    return ir_.CreateTrunc(ir_.CreateExtractValue(r, 0), ir_.getInt32Ty());
}

Value* Lowerer::op_AtomicRmw(const Inst& in) {
    auto* i64 = ir_.getInt64Ty();
    auto* ft = llvm::FunctionType::get(ret_ty_, {ptr_ty_, i64, i64, i64, i64}, false);
    flush_regs();
    Value* r = call_abs(ft, addr(&mem_atomic_rmw),
                        {env_, arg(in, 0), to_i64(arg(in, 1)), c64(in.imm), c64(in.imm2)});
    exit_if_status(ir_.CreateExtractValue(r, 1));
    reload_regs();
    return from_i64(ir_.CreateExtractValue(r, 0), in.type);
}

Value* Lowerer::op_CmpXchg(const Inst& in) {
    auto* i64 = ir_.getInt64Ty();
    auto* ft = llvm::FunctionType::get(ret_ty_, {ptr_ty_, i64, i64, i64, i64, i64}, false);
    flush_regs();
    Value* r = call_abs(
        ft, addr(&mem_cmpxchg),
        {env_, arg(in, 0), to_i64(arg(in, 1)), to_i64(arg(in, 2)), c64(in.imm), c64(in.imm2)});
    exit_if_status(ir_.CreateExtractValue(r, 1));
    reload_regs();
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

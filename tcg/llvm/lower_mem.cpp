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

// Self loops keep, per access site, the page of its last fast-path hit
// and that page's addend in SSA values: an access to the same page as the
// previous iteration compares one register instead of indexing and
// reading the soft TLB. Sound because the soft TLB of this vCPU changes
// only in calls (softmmu slow paths, helpers), after which every site
// forgets its page (reload_regs), and at block boundaries; other vCPUs'
// flushes and code-page write protection reach this vCPU through
// exit_request, which the back edge checks, exactly as they reach its
// soft TLB. Only pages that hit (no MMIO, not-dirty or watch flag) are
// kept, so stores into pages with translated code still take the slow
// path. A few sites per block: each costs two registers.
constexpr unsigned kMaxSiteCaches = 4;

static bool inline_fast_path(const Inst& in) {
    return MemOp::size(in.imm) <= 8 || unaligned_ok(in.imm);
}

void Lowerer::plan_site_caches() {
    // Insertion point: the end of the entry block (allocas).
    for (const Inst& in : b_.insts) {
        if (site_caches_.size() >= kMaxSiteCaches) break;
        if ((in.op != Op::Load && in.op != Op::Store) || !inline_fast_path(in)) continue;
        SiteCache sc;
        sc.key = ir_.CreateAlloca(ir_.getInt64Ty(), nullptr, "site.page");
        sc.addend = ir_.CreateAlloca(ir_.getInt64Ty(), nullptr, "site.addend");
        site_caches_[&in] = sc;
    }
}

void Lowerer::reset_site_caches() {
    // kTlbInvalid: no access key (a page address, possibly with alignment
    // bits) equals it.
    for (auto& [in, sc] : site_caches_) {
        ir_.CreateStore(c64(kTlbInvalid), sc.key);
        ir_.CreateStore(c64(0), sc.addend);
    }
}

Value* Lowerer::fast_path(const Inst& in, Value* va, bool write, llvm::BasicBlock* slow) {
    auto* i64 = ir_.getInt64Ty();
    auto entry_addend = [&](Value* entry) {
        auto* p =
            ir_.CreateConstInBoundsGEP1_64(ir_.getInt8Ty(), entry, offsetof(TlbEntry, addend));
        auto* a = ir_.CreateAlignedLoad(i64, p, llvm::Align(8));
        tag(a, tbaa_env_);
        return a;
    };
    auto it = site_caches_.find(&in);
    if (it == site_caches_.end()) {
        Value* entry = tlb_entry(va, MemOp::mmu_idx(in.imm));
        auto* fast = new_bb(write ? "st.fast" : "ld.fast");
        ir_.CreateCondBr(fast_path_hit(va, entry, in.imm, write), fast, slow, likely_);
        ir_.SetInsertPoint(fast);
        return entry_addend(entry);
    }
    const SiteCache& sc = it->second;
    // The site's page matches only a naturally aligned access (which cannot
    // cross into the next page); others go through the soft TLB.
    unsigned size = MemOp::size(in.imm);
    Value* key = ir_.CreateAnd(va, c64(kPageMask | (size - 1)));
    Value* cached_key = ir_.CreateLoad(i64, sc.key);
    Value* cached_addend = ir_.CreateLoad(i64, sc.addend);
    llvm::BasicBlock* here = ir_.GetInsertBlock();
    auto* probe = new_bb("tlb.probe");
    auto* fill = new_bb("site.fill");
    auto* fast = new_bb(write ? "st.fast" : "ld.fast");
    ir_.CreateCondBr(ir_.CreateICmpEQ(key, cached_key), fast, probe, likely_);
    ir_.SetInsertPoint(probe);
    Value* entry = tlb_entry(va, MemOp::mmu_idx(in.imm));
    ir_.CreateCondBr(fast_path_hit(va, entry, in.imm, write), fill, slow, likely_);
    ir_.SetInsertPoint(fill);
    Value* addend = entry_addend(entry);
    ir_.CreateStore(ir_.CreateAnd(va, c64(kPageMask)), sc.key);
    ir_.CreateStore(addend, sc.addend);
    ir_.CreateBr(fast);
    ir_.SetInsertPoint(fast);
    auto* phi = ir_.CreatePHI(i64, 2);
    phi->addIncoming(cached_addend, here);
    phi->addIncoming(addend, fill);
    return phi;
}

Value* Lowerer::load_op(const Inst& in, Value* va) {
    unsigned size = MemOp::size(in.imm);
    auto* t = ty(in.type);
    auto* i64 = ir_.getInt64Ty();
    auto* slow = new_bb("ld.slow");
    auto* join = new_bb("ld.join");
    Value* addend = fast_path(in, va, false, slow);
    llvm::BasicBlock* fast = ir_.GetInsertBlock();
    auto* l = ir_.CreateAlignedLoad(t, ir_.CreateIntToPtr(ir_.CreateAdd(va, addend), ptr_ty_),
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
    // Narrow loads meet the slow path's value as i64 with the upper bits
    // known zero on both sides, so a zero-extending use needs no second
    // extension after the join.
    bool widen = t->getBitWidth() < 64;
    Value* fv = widen ? ir_.CreateZExt(l, i64) : l;
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
        sv = ir_.CreateExtractValue(r, 0);
        sv = widen ? ir_.CreateAnd(sv, c64(type_mask(in.type))) : from_i64(sv, in.type);
    }
    llvm::BasicBlock* slow_end = ir_.GetInsertBlock();
    ir_.CreateBr(join);

    ir_.SetInsertPoint(join);
    auto* phi = ir_.CreatePHI(fv->getType(), 2);
    phi->addIncoming(fv, fast);
    phi->addIncoming(sv, slow_end);
    return widen ? ir_.CreateTrunc(phi, t) : static_cast<Value*>(phi);
}

void Lowerer::store_op(const Inst& in, Value* va, Value* v) {
    unsigned size = MemOp::size(in.imm);
    auto* i64 = ir_.getInt64Ty();
    auto* slow = new_bb("st.slow");
    auto* join = new_bb("st.join");
    Value* addend = fast_path(in, va, true, slow);
    auto* s = ir_.CreateAlignedStore(v, ir_.CreateIntToPtr(ir_.CreateAdd(va, addend), ptr_ty_),
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
    if (inline_fast_path(in)) return load_op(in, va);
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
    if (inline_fast_path(in)) {
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

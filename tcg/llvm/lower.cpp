// IR -> LLVM IR: dispatch, control flow and the pure ops. Semantics are
// exactly the interpreter's (tcg/interp, tcg/ir/eval): shift amounts modulo
// the width, division by zero gives 0, INT_MIN / -1 gives INT_MIN.
#include <llvm/IR/Intrinsics.h>

#include <llvm/IR/MDBuilder.h>
#include <llvm/IR/Verifier.h>
#include <llvm/Support/raw_ostream.h>
#include <algorithm>

#include "tcg/exec/env.h"
#include "tcg/exec/tier.h"
#include "tcg/ir/helpers.h"
#include "tcg/llvm/lowerer.h"

namespace emu::tcg::llvmtier {

using llvm::Value;

Lowerer::Lowerer(const std::vector<Block>& blocks, llvm::Module& m, const LowerOptions& opts)
    : members_(blocks),
      b_(blocks[0]),
      cur_(&blocks[0]),
      m_(m),
      ctx_(m.getContext()),
      opts_(opts),
      ir_(m.getContext()) {}

llvm::IntegerType* Lowerer::ty(Type t) const {
    switch (t) {
        case Type::I1:
            return ir_.getInt1Ty();
        case Type::I8:
            return ir_.getInt8Ty();
        case Type::I16:
            return ir_.getInt16Ty();
        case Type::I32:
        case Type::F32:
            return ir_.getInt32Ty();
        case Type::I64:
        case Type::F64:
            return ir_.getInt64Ty();
        case Type::I128:
            return ir_.getInt128Ty();
        case Type::Void:
            break;
    }
    return nullptr;
}

llvm::BasicBlock* Lowerer::new_bb(const char* name) {
    return llvm::BasicBlock::Create(ctx_, name, fn_);
}

void Lowerer::tag(llvm::Instruction* i, llvm::MDNode* tbaa) {
    i->setMetadata(llvm::LLVMContext::MD_tbaa, tbaa);
}

Value* Lowerer::env_ptr(uint64_t offset) {
    return ir_.CreateConstInBoundsGEP1_64(ir_.getInt8Ty(), env_, offset);
}

Value* Lowerer::load_env(llvm::Type* t, uint64_t offset, bool atomic) {
    auto* l = ir_.CreateAlignedLoad(t, env_ptr(offset), llvm::Align(atomic ? 4 : 1));
    if (atomic) l->setAtomic(llvm::AtomicOrdering::Monotonic);
    tag(l, tbaa_env_);
    return l;
}

void Lowerer::store_env(Value* v, uint64_t offset) {
    // i1 registers are one byte in the env, as in the interpreter.
    if (v->getType()->isIntegerTy(1)) v = ir_.CreateZExt(v, ir_.getInt8Ty());
    tag(ir_.CreateAlignedStore(v, env_ptr(offset), llvm::Align(1)), tbaa_env_);
}

Value* Lowerer::to_i64(Value* v) {
    unsigned w = v->getType()->getIntegerBitWidth();
    if (w == 64) return v;
    return w < 64 ? ir_.CreateZExt(v, ir_.getInt64Ty()) : ir_.CreateTrunc(v, ir_.getInt64Ty());
}

Value* Lowerer::from_i64(Value* v, Type t) {
    llvm::IntegerType* want = ty(t);
    if (want->getBitWidth() == 64) return v;
    return want->getBitWidth() < 64 ? ir_.CreateTrunc(v, want) : ir_.CreateZExt(v, want);
}

Value* Lowerer::call_abs(llvm::FunctionType* ft, const void* fn,
                         std::initializer_list<Value*> args) {
    auto* callee = llvm::ConstantExpr::getIntToPtr(c64(reinterpret_cast<uint64_t>(fn)), ptr_ty_);
    auto* call = ir_.CreateCall(ft, callee, args);
    call->addFnAttr(llvm::Attribute::NoUnwind);
    return call;
}

void Lowerer::count_exit() {
    auto* i64 = ir_.getInt64Ty();
    Value* runs = iters_;
    Value* insns;
    if (region()) {
        runs = ir_.CreateLoad(i64, runs_slot_);
        insns = ir_.CreateLoad(i64, insns_slot_);
    } else {
        insns = ir_.CreateMul(iters_, c64(b_.guest_insns));
    }
    ir_.CreateStore(ir_.CreateAdd(ir_.CreateLoad(i64, counter_), runs), counter_);
    ir_.CreateStore(ir_.CreateAdd(ir_.CreateLoad(i64, insns_), insns), insns_);
    // Calls that ended here (entries through the dispatcher, the jump cache
    // or a link): runs per entry tell a long loop from a short one.
    Value* calls = ir_.CreateConstInBoundsGEP1_64(i64, insns_, 1);
    ir_.CreateStore(ir_.CreateAdd(ir_.CreateLoad(i64, calls), c64(1)), calls);
}

void Lowerer::ret(Value* status, Value* slot) {
    count_exit();
    Value* r = llvm::PoisonValue::get(ret_ty_);
    r = ir_.CreateInsertValue(r, status, 0);
    r = ir_.CreateInsertValue(r, slot, 1);
    ir_.CreateRet(r);
}

void Lowerer::exit_if_status(Value* status) {
    if (!fault_bb_) {
        auto ip = ir_.saveIP();
        fault_bb_ = new_bb("fault");
        ir_.SetInsertPoint(fault_bb_);
        fault_status_ = ir_.CreatePHI(ir_.getInt64Ty(), 4, "status");
        ret(fault_status_, c64(kExitSlotNone));
        ir_.restoreIP(ip);
    }
    auto* cont = new_bb("ok");
    ir_.CreateCondBr(ir_.CreateICmpNE(status, c64(0)), fault_bb_, cont, unlikely_);
    fault_status_->addIncoming(status, ir_.GetInsertBlock());
    ir_.SetInsertPoint(cont);
}

void Lowerer::chain_exit(Value* slot, Value* pc) {
    flush_regs();
    // env.h: a block checks exit_request before taking a chainable exit; a
    // pending request turns the exit into an unchained return so that the
    // dispatcher looks at the request before running anything else.
    Value* req = load_env(ir_.getInt32Ty(), kEnvExitRequestOffset, true);
    Value* quiet = ir_.CreateICmpEQ(req, ir_.getInt32(0));
    if (opts_.chaining) {
        Value* cell = ir_.CreateInBoundsGEP(cells_->getValueType(), cells_, {c64(0), slot});
        auto* next = ir_.CreateAlignedLoad(ptr_ty_, cell, llvm::Align(8));
        next->setAtomic(llvm::AtomicOrdering::Monotonic);
        auto* jump = new_bb("chain");
        auto* out = new_bb("exit");
        Value* linked = ir_.CreateICmpNE(next, llvm::ConstantPointerNull::get(ptr_ty_));
        ir_.CreateCondBr(ir_.CreateAnd(quiet, linked), jump, out, likely_);
        ir_.SetInsertPoint(jump);
        count_exit();
        auto* call = ir_.CreateCall(body_ty_, next, {env_, c64(1)});
        call->setTailCallKind(llvm::CallInst::TCK_MustTail);
        ir_.CreateRet(call);
        ir_.SetInsertPoint(out);
        if (opts_.jc_table) {
            // Not linked (other page, other tier, or not yet seen by the
            // dispatcher): try the jump cache. The block's own start is
            // left to the dispatcher, which links it into a self loop.
            auto* look = new_bb("lookup");
            auto* ret_bb = new_bb("return");
            Value* go = ir_.CreateAnd(quiet, ir_.CreateICmpNE(pc, c64(b_.guest_pc)));
            ir_.CreateCondBr(go, look, ret_bb, likely_);
            ir_.SetInsertPoint(look);
            lookup_and_go(pc, ret_bb);
            ir_.SetInsertPoint(ret_bb);
        }
        Value* self = llvm::ConstantExpr::getPtrToInt(wrapper_, ir_.getInt64Ty());
        Value* chained = ir_.CreateICmpNE(chained_, c64(0));
        store_env(ir_.CreateSelect(chained, self, c64(0)), kEnvChainExitOffset);
    }
    ret(c64(kStatusContinue), ir_.CreateSelect(quiet, slot, c64(kExitSlotNone)));
}

void Lowerer::lookup_and_go(Value* pc, llvm::BasicBlock* miss) {
    using Entry = BaselineCompiler::JumpCacheEntry;
    static_assert(sizeof(Entry) == 32);
    auto* i64 = ir_.getInt64Ty();
    // BaselineCompiler::jump_cache_index
    unsigned bits = opts_.jc_bits;
    Value* h = ir_.CreateXor(ir_.CreateLShr(pc, 2), ir_.CreateLShr(pc, 2 + bits));
    h = ir_.CreateAnd(h, c64((1ull << bits) - 1));
    Value* base =
        ir_.CreateAdd(c64(reinterpret_cast<uint64_t>(opts_.jc_table)), ir_.CreateShl(h, 5));
    auto field = [&](size_t off, llvm::Type* t) {
        Value* p = ir_.CreateIntToPtr(ir_.CreateAdd(base, c64(off)), ptr_ty_);
        return ir_.CreateAlignedLoad(t, p, llvm::Align(8));
    };
    Value* hit = ir_.CreateAnd(ir_.CreateICmpEQ(field(offsetof(Entry, pc), i64), pc),
                               ir_.CreateICmpEQ(field(offsetof(Entry, flags), i64), c64(b_.flags)));
    auto* found = new_bb("jc.hit");
    ir_.CreateCondBr(hit, found, miss, likely_);
    ir_.SetInsertPoint(found);
    Value* linked = field(offsetof(Entry, linked), ptr_ty_);
    Value* has_linked = ir_.CreateICmpNE(linked, llvm::ConstantPointerNull::get(ptr_ty_));
    Value* target;
    Value* arg;
    if (opts_.enter_linked) {
        // A first-tier block: its enter stub sets up that tier's frame and
        // jumps to the entry's chain.
        Value* chain = field(offsetof(Entry, chain), i64);
        Value* stub =
            ir_.CreateIntToPtr(c64(reinterpret_cast<uint64_t>(opts_.enter_linked)), ptr_ty_);
        target = ir_.CreateSelect(has_linked, linked, stub);
        arg = ir_.CreateSelect(has_linked, c64(1), chain);
    } else {
        auto* go = new_bb("jc.go");
        ir_.CreateCondBr(has_linked, go, miss, likely_);
        ir_.SetInsertPoint(go);
        target = linked;
        arg = c64(1);
    }
    count_exit();
    auto* call = ir_.CreateCall(body_ty_, target, {env_, arg});
    call->setTailCallKind(llvm::CallInst::TCK_MustTail);
    ir_.CreateRet(call);
}

void Lowerer::plan_promotion() {
    const Inst& t = b_.insts.back();
    bool loops = (t.op == Op::ExitLink && loops_to_self(t.imm)) ||
                 (t.op == Op::ExitCond && (loops_to_self(t.imm) || loops_to_self(t.imm2)));
    // A region is formed around a cycle: always worth it there.
    if (!region() && (!loops || !opts_.chaining)) return;
    // A register is promoted when every access to its bytes uses the same
    // offset and type; the TcgEnv header (pc, exit_request, TLB, ...) never.
    struct Use {
        Type type;
        bool ok;
        uint64_t width;  // widest access at this offset
    };
    std::map<uint64_t, Use> uses;
    auto width = [](Type t) -> uint64_t { return t == Type::I1 ? 1 : type_bits(t) / 8; };
    for (const Block& mb : members_) {
        for (const Inst& in : mb.insts) {
            Type rt;
            if (in.op == Op::GetReg) {
                rt = in.type;
            } else if (in.op == Op::SetReg) {
                rt = mb.insts[in.args[0].id].type;
            } else {
                continue;
            }
            auto [it, fresh] =
                uses.try_emplace(in.imm, Use{rt, in.imm >= sizeof(TcgEnv), width(rt)});
            if (!fresh) {
                if (it->second.type != rt) it->second.ok = false;
                it->second.width = std::max(it->second.width, width(rt));
            }
        }
    }
    // Any two offsets whose byte ranges overlap stay in the env.
    uint64_t end = 0;
    Use* last = nullptr;
    for (auto& [off, u] : uses) {
        if (last && off < end) {
            u.ok = false;
            last->ok = false;
        }
        if (off + u.width > end) {
            end = off + u.width;
            last = &u;
        }
    }
    auto ip = ir_.saveIP();
    ir_.SetInsertPoint(entry_bb_->getTerminator());
    for (auto& [off, u] : uses) {
        if (!u.ok) continue;
        auto* slot = ir_.CreateAlloca(ty(u.type), nullptr, "r" + std::to_string(off));
        promoted_[off] = Promoted{u.type, slot};
    }
    // The self-loop refinements (lower_loop.cpp, lower_mem.cpp) reason
    // about one block looping to itself; a region's members are not
    // covered by them.
    if (!region()) {
        plan_lazy_flags();
        plan_site_caches();
        plan_self_link();
    }
    helper_call_ = true;  // the first read of every promoted register
    reload_regs();
    ir_.restoreIP(ip);
}

void Lowerer::flush_regs() {
    for (auto& [off, p] : promoted_)
        store_env(promoted_value(p), off);
}

void Lowerer::reload_regs() {
    // Any call may change the TLB (an MMIO access can remap memory) or
    // unlink this block: the site caches and the link state are re-read.
    reset_site_caches();
    reload_self_link();
    // Only helpers change guest registers: the memory entry points
    // (softmmu.h) do not, so after those the promoted values still hold.
    // Reloading there made every slow path a new definition of every
    // promoted register (phis at each join: most of a region's compile).
    if (!helper_call_) return;
    helper_call_ = false;
    load_promoted();
}

void Lowerer::load_promoted() {
    for (auto& [off, p] : promoted_) {
        Value* v = p.type == Type::I1
                       ? ir_.CreateTrunc(load_env(ir_.getInt8Ty(), off), ir_.getInt1Ty())
                       : load_env(ty(p.type), off);
        ir_.CreateStore(v, p.slot);
        if (p.lazy) ir_.CreateStore(ir_.getFalse(), p.lazy);
    }
}

bool Lowerer::loops_to_self(uint64_t pc) const {
    return opts_.self_loops && pc == b_.guest_pc;
}

bool Lowerer::run(const std::string& name, std::string* err) {
    ptr_ty_ = llvm::PointerType::getUnqual(ctx_);
    ret_ty_ = llvm::StructType::get(ctx_, {ir_.getInt64Ty(), ir_.getInt64Ty()});
    body_ty_ = llvm::FunctionType::get(ret_ty_, {ptr_ty_, ir_.getInt64Ty()}, false);
    fn_ = llvm::Function::Create(body_ty_, llvm::GlobalValue::ExternalLinkage, body_name(name), m_);
    fn_->addFnAttr(llvm::Attribute::NoUnwind);
    fn_->addParamAttr(0, llvm::Attribute::NonNull);
    fn_->addParamAttr(0, llvm::Attribute::getWithAlignment(ctx_, llvm::Align(8)));
    fn_->addParamAttr(0, llvm::Attribute::getWithDereferenceableBytes(ctx_, sizeof(TcgEnv)));
    env_ = fn_->getArg(0);
    chained_ = fn_->getArg(1);
    static_assert(offsetof(TcgEnv, reserved1) == kEnvChainExitOffset);

    // The CompiledFn: enters the body as the dispatcher's callee.
    wrapper_ = llvm::Function::Create(llvm::FunctionType::get(ret_ty_, {ptr_ty_}, false),
                                      llvm::GlobalValue::ExternalLinkage, name, m_);
    wrapper_->addFnAttr(llvm::Attribute::NoUnwind);
    {
        llvm::IRBuilder<> w(llvm::BasicBlock::Create(ctx_, "entry", wrapper_));
        auto* call = w.CreateCall(body_ty_, fn_, {wrapper_->getArg(0), w.getInt64(0)});
        call->setTailCallKind(llvm::CallInst::TCK_Tail);
        w.CreateRet(call);
    }
    auto* cells_ty = llvm::ArrayType::get(ptr_ty_, 2);
    cells_ = new llvm::GlobalVariable(m_, cells_ty, false, llvm::GlobalValue::ExternalLinkage,
                                      llvm::ConstantAggregateZero::get(cells_ty), cells_name(name));
    cells_->setAlignment(llvm::Align(16));
    counter_ =
        new llvm::GlobalVariable(m_, ir_.getInt64Ty(), false, llvm::GlobalValue::ExternalLinkage,
                                 c64(0), counter_name(name));
    auto* insns_ty = llvm::ArrayType::get(ir_.getInt64Ty(), 2);
    insns_ = new llvm::GlobalVariable(m_, insns_ty, false, llvm::GlobalValue::ExternalLinkage,
                                      llvm::ConstantAggregateZero::get(insns_ty), insns_name(name));

    llvm::MDBuilder md(ctx_);
    auto* root = md.createTBAARoot("emu.tcg");
    auto* env_t = md.createTBAAScalarTypeNode("env", root);
    auto* guest_t = md.createTBAAScalarTypeNode("guest", root);
    tbaa_env_ = md.createTBAAStructTagNode(env_t, env_t, 0);
    tbaa_guest_ = md.createTBAAStructTagNode(guest_t, guest_t, 0);
    likely_ = md.createBranchWeights(2000, 1);
    unlikely_ = md.createBranchWeights(1, 2000);

    entry_bb_ = new_bb("entry");
    if (region()) {
        for (size_t i = 0; i < members_.size(); ++i)
            member_bb_.push_back(new_bb("member"));
        body_bb_ = member_bb_[0];
    } else {
        body_bb_ = new_bb("body");
    }
    ir_.SetInsertPoint(entry_bb_);
    ir_.CreateBr(body_bb_);
    if (region()) {
        // Runs of members and their instructions in this call, for the
        // statistics: an alloca each, registers after sroa.
        ir_.SetInsertPoint(entry_bb_->getTerminator());
        runs_slot_ = ir_.CreateAlloca(ir_.getInt64Ty(), nullptr, "runs");
        insns_slot_ = ir_.CreateAlloca(ir_.getInt64Ty(), nullptr, "insns");
        ir_.CreateStore(chained_, runs_slot_);
        ir_.CreateStore(ir_.CreateMul(chained_, c64(b_.guest_insns)), insns_slot_);
    }
    plan_promotion();

    for (size_t k = 0; k < members_.size(); ++k) {
        cur_ = &members_[k];
        ir_.SetInsertPoint(body_bb_);
        if (region()) {
            ir_.SetInsertPoint(member_bb_[k]);
        } else {
            iters_ = ir_.CreatePHI(ir_.getInt64Ty(), 2, "iters");
            iters_->addIncoming(chained_, entry_bb_);
        }
        vals_.assign(cur_->insts.size(), nullptr);
        for (size_t i = 0; i < cur_->insts.size(); ++i) {
            const Inst& in = cur_->insts[i];
            Value* v = nullptr;
            switch (in.op) {
#define OP(name, ...)      \
    case Op::name:         \
        v = op_##name(in); \
        break;
#include "tcg/ir/opcodes.inc"
#undef OP
                case Op::Count_:
                    break;
            }
            if (in.type != Type::Void && !v) {
                *err =
                    "inst " + std::to_string(i) + ": no LLVM lowering for " + op_info(in.op).name;
                return false;
            }
            vals_[i] = v;
        }
        if (!ir_.GetInsertBlock()->getTerminator()) {
            *err = "block does not end in a terminal";
            return false;
        }
    }
    cur_ = &b_;
    std::string msg;
    llvm::raw_string_ostream os(msg);
    if (llvm::verifyFunction(*fn_, &os) || llvm::verifyFunction(*wrapper_, &os)) {
        *err = "LLVM verifier: " + os.str();
        return false;
    }
    return true;
}

llvm::Function* lower_block(const Block& b, llvm::Module& m, const std::string& name,
                            const LowerOptions& opts, std::string* err) {
    return lower_region({b}, m, name, opts, err);
}

llvm::Function* lower_region(const std::vector<Block>& blocks, llvm::Module& m,
                             const std::string& name, const LowerOptions& opts, std::string* err) {
    if (blocks.empty()) {
        *err = "empty region";
        return nullptr;
    }
    for (const Block& b : blocks) {
        std::string why = verify(b);
        if (!why.empty()) {
            *err = "invalid block: " + why;
            return nullptr;
        }
        if (b.flags != blocks[0].flags) {
            *err = "region members differ in flags";
            return nullptr;
        }
        for (const Block& o : blocks) {
            if (&o != &b && o.guest_pc == b.guest_pc) {
                *err = "two region members start at one pc";
                return nullptr;
            }
        }
    }
    Lowerer l(blocks, m, opts);
    if (!l.run(name, err)) {
        l.erase();
        return nullptr;
    }
    return l.function();
}

// ---- constants, guest state, markers -------------------------------------

Value* Lowerer::op_Const(const Inst& in) {
    if (in.type == Type::I128) {
        uint64_t words[2] = {in.imm, in.imm2};
        return llvm::ConstantInt::get(ctx_, llvm::APInt(128, words));
    }
    return llvm::ConstantInt::get(ty(in.type), in.imm & type_mask(in.type));
}

Value* Lowerer::op_GetReg(const Inst& in) {
    if (auto it = promoted_.find(in.imm); it != promoted_.end()) {
        return promoted_value(it->second);
    }
    if (in.type == Type::I1) {
        return ir_.CreateTrunc(load_env(ir_.getInt8Ty(), in.imm), ir_.getInt1Ty());
    }
    return load_env(ty(in.type), in.imm);
}

Value* Lowerer::op_SetReg(const Inst& in) {
    if (auto it = promoted_.find(in.imm); it != promoted_.end()) {
        if (it->second.lazy) {
            set_lazy_flags(it->second, b_.insts[in.args[0].id]);
        } else {
            ir_.CreateStore(arg(in, 0), it->second.slot);
        }
        return nullptr;
    }
    store_env(arg(in, 0), in.imm);
    return nullptr;
}

Value* Lowerer::op_GuestInsn(const Inst&) {
    return nullptr;
}
Value* Lowerer::op_Nop(const Inst&) {
    return nullptr;
}

// ---- integer arithmetic and logic ----------------------------------------

Value* Lowerer::op_Add(const Inst& in) {
    return ir_.CreateAdd(arg(in, 0), arg(in, 1));
}
Value* Lowerer::op_Sub(const Inst& in) {
    return ir_.CreateSub(arg(in, 0), arg(in, 1));
}
Value* Lowerer::op_AddCarry(const Inst& in) {
    Value* c = ir_.CreateZExt(arg(in, 2), ty(in.type));
    return ir_.CreateAdd(ir_.CreateAdd(arg(in, 0), arg(in, 1)), c);
}
Value* Lowerer::op_Mul(const Inst& in) {
    return ir_.CreateMul(arg(in, 0), arg(in, 1));
}

Value* Lowerer::op_UMulH(const Inst& in) {
    unsigned w = type_bits(in.type);
    auto* wide = ir_.getIntNTy(2 * w);
    Value* p = ir_.CreateMul(ir_.CreateZExt(arg(in, 0), wide), ir_.CreateZExt(arg(in, 1), wide));
    return ir_.CreateTrunc(ir_.CreateLShr(p, w), ty(in.type));
}
Value* Lowerer::op_SMulH(const Inst& in) {
    unsigned w = type_bits(in.type);
    auto* wide = ir_.getIntNTy(2 * w);
    Value* p = ir_.CreateMul(ir_.CreateSExt(arg(in, 0), wide), ir_.CreateSExt(arg(in, 1), wide));
    return ir_.CreateTrunc(ir_.CreateLShr(p, w), ty(in.type));
}

Value* Lowerer::op_UDiv(const Inst& in) {
    auto* t = ty(in.type);
    Value* zero = ir_.CreateICmpEQ(arg(in, 1), llvm::ConstantInt::get(t, 0));
    Value* d = ir_.CreateSelect(zero, llvm::ConstantInt::get(t, 1), arg(in, 1));
    return ir_.CreateSelect(zero, llvm::ConstantInt::get(t, 0), ir_.CreateUDiv(arg(in, 0), d));
}
Value* Lowerer::op_SDiv(const Inst& in) {
    auto* t = ty(in.type);
    Value* a = arg(in, 0);
    Value* b = arg(in, 1);
    Value* zero = ir_.CreateICmpEQ(b, llvm::ConstantInt::get(t, 0));
    Value* ovf = ir_.CreateAnd(
        ir_.CreateICmpEQ(
            a, llvm::ConstantInt::get(ctx_, llvm::APInt::getSignedMinValue(t->getBitWidth()))),
        ir_.CreateICmpEQ(b, llvm::ConstantInt::getSigned(t, -1)));
    // INT_MIN / 1 = INT_MIN, which is the architected result for INT_MIN / -1.
    Value* d = ir_.CreateSelect(ir_.CreateOr(zero, ovf), llvm::ConstantInt::get(t, 1), b);
    return ir_.CreateSelect(zero, llvm::ConstantInt::get(t, 0), ir_.CreateSDiv(a, d));
}

Value* Lowerer::op_And(const Inst& in) {
    return ir_.CreateAnd(arg(in, 0), arg(in, 1));
}
Value* Lowerer::op_Or(const Inst& in) {
    return ir_.CreateOr(arg(in, 0), arg(in, 1));
}
Value* Lowerer::op_Xor(const Inst& in) {
    return ir_.CreateXor(arg(in, 0), arg(in, 1));
}
Value* Lowerer::op_Not(const Inst& in) {
    return ir_.CreateNot(arg(in, 0));
}
Value* Lowerer::op_Neg(const Inst& in) {
    return ir_.CreateNeg(arg(in, 0));
}

Value* Lowerer::op_Shl(const Inst& in) {
    Value* n = ir_.CreateAnd(arg(in, 1), type_bits(in.type) - 1);
    return ir_.CreateShl(arg(in, 0), n);
}
Value* Lowerer::op_LShr(const Inst& in) {
    Value* n = ir_.CreateAnd(arg(in, 1), type_bits(in.type) - 1);
    return ir_.CreateLShr(arg(in, 0), n);
}
Value* Lowerer::op_AShr(const Inst& in) {
    Value* n = ir_.CreateAnd(arg(in, 1), type_bits(in.type) - 1);
    return ir_.CreateAShr(arg(in, 0), n);
}
Value* Lowerer::op_Ror(const Inst& in) {
    // Funnel shifts take the amount modulo the width.
    return ir_.CreateIntrinsic(llvm::Intrinsic::fshr, {ty(in.type)},
                               {arg(in, 0), arg(in, 0), arg(in, 1)});
}
Value* Lowerer::op_Clz(const Inst& in) {
    return ir_.CreateIntrinsic(llvm::Intrinsic::ctlz, {ty(in.type)}, {arg(in, 0), ir_.getFalse()});
}
Value* Lowerer::op_Rbit(const Inst& in) {
    return ir_.CreateUnaryIntrinsic(llvm::Intrinsic::bitreverse, arg(in, 0));
}
Value* Lowerer::op_Bswap(const Inst& in) {
    if (in.type == Type::I8) return arg(in, 0);
    return ir_.CreateUnaryIntrinsic(llvm::Intrinsic::bswap, arg(in, 0));
}
Value* Lowerer::op_Ctpop(const Inst& in) {
    return ir_.CreateUnaryIntrinsic(llvm::Intrinsic::ctpop, arg(in, 0));
}

// ---- comparisons and select ----------------------------------------------

Value* Lowerer::op_Eq(const Inst& in) {
    return ir_.CreateICmpEQ(arg(in, 0), arg(in, 1));
}
Value* Lowerer::op_Ne(const Inst& in) {
    return ir_.CreateICmpNE(arg(in, 0), arg(in, 1));
}
Value* Lowerer::op_Ult(const Inst& in) {
    return ir_.CreateICmpULT(arg(in, 0), arg(in, 1));
}
Value* Lowerer::op_Ule(const Inst& in) {
    return ir_.CreateICmpULE(arg(in, 0), arg(in, 1));
}
Value* Lowerer::op_Slt(const Inst& in) {
    return ir_.CreateICmpSLT(arg(in, 0), arg(in, 1));
}
Value* Lowerer::op_Sle(const Inst& in) {
    return ir_.CreateICmpSLE(arg(in, 0), arg(in, 1));
}
Value* Lowerer::op_Select(const Inst& in) {
    return ir_.CreateSelect(arg(in, 0), arg(in, 1), arg(in, 2));
}

// ---- width changes -------------------------------------------------------

Value* Lowerer::op_ZExt(const Inst& in) {
    return ir_.CreateZExt(arg(in, 0), ty(in.type));
}
Value* Lowerer::op_SExt(const Inst& in) {
    return ir_.CreateSExt(arg(in, 0), ty(in.type));
}
Value* Lowerer::op_Trunc(const Inst& in) {
    return ir_.CreateTrunc(arg(in, 0), ty(in.type));
}
// f32/f64 are carried as i32/i64 bit patterns, so a same-width bitcast is free.
Value* Lowerer::op_Bitcast(const Inst& in) {
    return arg(in, 0);
}
Value* Lowerer::op_Hi64(const Inst& in) {
    return ir_.CreateTrunc(ir_.CreateLShr(arg(in, 0), 64), ir_.getInt64Ty());
}
Value* Lowerer::op_Pack128(const Inst& in) {
    auto* t = ir_.getInt128Ty();
    Value* lo = ir_.CreateZExt(arg(in, 0), t);
    Value* hi = ir_.CreateShl(ir_.CreateZExt(arg(in, 1), t), 64);
    return ir_.CreateOr(lo, hi);
}

// ---- flags ---------------------------------------------------------------

Value* Lowerer::pack_nzcv(Value* n, Value* z, Value* c, Value* v) {
    auto* i32 = ir_.getInt32Ty();
    Value* r = ir_.CreateShl(ir_.CreateZExt(n, i32), 31);
    r = ir_.CreateOr(r, ir_.CreateShl(ir_.CreateZExt(z, i32), 30));
    r = ir_.CreateOr(r, ir_.CreateShl(ir_.CreateZExt(c, i32), 29));
    return ir_.CreateOr(r, ir_.CreateShl(ir_.CreateZExt(v, i32), 28));
}

// NZCV of a + b (+ carry_in), or of a - b (= a + ~b + 1) when `sub`.
Value* Lowerer::add_flags(Value* a, Value* b, Value* carry_in, bool sub) {
    auto* t = llvm::cast<llvm::IntegerType>(a->getType());
    Value* zero = llvm::ConstantInt::get(t, 0);
    Value* r;
    Value* c;
    Value* ovf_bits;
    if (sub) {
        r = ir_.CreateSub(a, b);
        c = ir_.CreateICmpUGE(a, b);
        ovf_bits = ir_.CreateAnd(ir_.CreateXor(a, b), ir_.CreateXor(a, r));
    } else {
        Value* s1 = ir_.CreateBinaryIntrinsic(llvm::Intrinsic::uadd_with_overflow, a, b);
        r = ir_.CreateExtractValue(s1, 0);
        c = ir_.CreateExtractValue(s1, 1);
        if (carry_in) {
            Value* s2 = ir_.CreateBinaryIntrinsic(llvm::Intrinsic::uadd_with_overflow, r,
                                                  ir_.CreateZExt(carry_in, t));
            r = ir_.CreateExtractValue(s2, 0);
            c = ir_.CreateOr(c, ir_.CreateExtractValue(s2, 1));
        }
        ovf_bits = ir_.CreateAnd(ir_.CreateNot(ir_.CreateXor(a, b)), ir_.CreateXor(a, r));
    }
    return pack_nzcv(ir_.CreateICmpSLT(r, zero), ir_.CreateICmpEQ(r, zero), c,
                     ir_.CreateICmpSLT(ovf_bits, zero));
}

Value* Lowerer::op_AddFlags(const Inst& in) {
    return add_flags(arg(in, 0), arg(in, 1), nullptr, false);
}
Value* Lowerer::op_SubFlags(const Inst& in) {
    return add_flags(arg(in, 0), arg(in, 1), nullptr, true);
}
Value* Lowerer::op_AdcFlags(const Inst& in) {
    return add_flags(arg(in, 0), arg(in, 1), arg(in, 2), false);
}
Value* Lowerer::op_LogicFlags(const Inst& in) {
    return logic_flags(arg(in, 0));
}
Value* Lowerer::logic_flags(Value* a) {
    Value* zero = llvm::ConstantInt::get(a->getType(), 0);
    return pack_nzcv(ir_.CreateICmpSLT(a, zero), ir_.CreateICmpEQ(a, zero), ir_.getFalse(),
                     ir_.getFalse());
}

Value* Lowerer::op_CondHolds(const Inst& in) {
    Value* nzcv = arg(in, 0);
    auto bit = [&](unsigned k) {
        return ir_.CreateTrunc(ir_.CreateLShr(nzcv, k), ir_.getInt1Ty());
    };
    unsigned cond = static_cast<unsigned>(in.imm) & 15;
    Value* r;
    switch (cond >> 1) {
        case 0:
            r = bit(30);
            break;  // EQ: Z
        case 1:
            r = bit(29);
            break;  // CS: C
        case 2:
            r = bit(31);
            break;  // MI: N
        case 3:
            r = bit(28);
            break;  // VS: V
        case 4:
            r = ir_.CreateAnd(bit(29), ir_.CreateNot(bit(30)));
            break;  // HI
        case 5:
            r = ir_.CreateICmpEQ(bit(31), bit(28));
            break;  // GE
        case 6:     // GT
            r = ir_.CreateAnd(ir_.CreateNot(bit(30)), ir_.CreateICmpEQ(bit(31), bit(28)));
            break;
        default:
            return ir_.getTrue();  // AL and NV
    }
    return (cond & 1) ? ir_.CreateNot(r) : r;
}

// ---- helpers -------------------------------------------------------------

Value* Lowerer::op_Call(const Inst& in) {
    const HelperInfo& h = helper_info(static_cast<uint32_t>(in.imm));
    auto* i64 = ir_.getInt64Ty();
    auto* ft = llvm::FunctionType::get(ret_ty_, {ptr_ty_, i64, i64, i64, i64}, false);
    // Missing operands are passed as 0, as the interpreter does.
    Value* a[kMaxArgs];
    for (unsigned i = 0; i < kMaxArgs; ++i)
        a[i] = i < in.nargs ? to_i64(arg(in, i)) : c64(0);
    flush_regs();
    Value* r = call_abs(ft, reinterpret_cast<const void*>(h.fn), {env_, a[0], a[1], a[2], a[3]});
    exit_if_status(ir_.CreateExtractValue(r, 1));
    helper_call_ = true;
    reload_regs();
    if (in.op == Op::CallVoid) return nullptr;
    return from_i64(ir_.CreateExtractValue(r, 0), in.type);
}
Value* Lowerer::op_CallVoid(const Inst& in) {
    return op_Call(in);
}

// ---- terminals -----------------------------------------------------------

// The back edge does not store the pc: env->pc already holds the block's
// start (the value it had on entry, which nothing in the body changes), so
// only the way out stores it.
// `loop_slot` is the slot the back edge goes through; the way out's pc and
// slot are computed on the way out only (LLVM does not sink them out of
// the loop by itself).
void Lowerer::self_loop_exit(Value* again, Value* loop_slot,
                             const std::function<std::pair<Value*, Value*>()>& way_out) {
    Value* req = load_env(ir_.getInt32Ty(), kEnvExitRequestOffset, true);
    Value* go;
    if (self_unlinked_) {
        // One test for both: no request pending and still linked to itself.
        Value* unlinked = ir_.CreateLoad(ir_.getInt32Ty(), self_unlinked_);
        go = ir_.CreateAnd(again, ir_.CreateICmpEQ(ir_.CreateOr(req, unlinked), ir_.getInt32(0)));
    } else {
        Value* cell = ir_.CreateInBoundsGEP(cells_->getValueType(), cells_, {c64(0), loop_slot});
        auto* next = ir_.CreateAlignedLoad(ptr_ty_, cell, llvm::Align(8));
        next->setAtomic(llvm::AtomicOrdering::Monotonic);
        go = ir_.CreateAnd(again, ir_.CreateICmpEQ(req, ir_.getInt32(0)));
        go = ir_.CreateAnd(go, ir_.CreateICmpEQ(next, fn_));
    }
    auto* out = new_bb("exit");
    iters_->addIncoming(ir_.CreateAdd(iters_, c64(1)), ir_.GetInsertBlock());
    ir_.CreateCondBr(go, body_bb_, out, likely_);
    ir_.SetInsertPoint(out);
    auto [pc, slot] = way_out();
    store_env(pc, kEnvPcOffset);
    chain_exit(slot, pc);
}

int Lowerer::member_at(uint64_t pc) const {
    for (size_t i = 0; i < members_.size(); ++i)
        if (members_[i].guest_pc == pc) return static_cast<int>(i);
    return -1;
}

void Lowerer::internal_edge(int idx) {
    const Block& to = members_[idx];
    Value* req = load_env(ir_.getInt32Ty(), kEnvExitRequestOffset, true);
    auto* go = new_bb("edge");
    auto* stop = new_bb("stop.pc");
    if (!stop_bb_) {
        // One way out for every edge (each stores its pc first): a pending
        // request (an interrupt, or a member's code invalidated: the
        // dispatcher requests an exit then) returns to the dispatcher.
        auto ip = ir_.saveIP();
        stop_bb_ = new_bb("stop");
        ir_.SetInsertPoint(stop_bb_);
        flush_regs();
        ret(c64(kStatusContinue), c64(kExitSlotNone));
        ir_.restoreIP(ip);
    }
    ir_.CreateCondBr(ir_.CreateICmpEQ(req, ir_.getInt32(0)), go, stop, likely_);
    // Only the way out stores the pc: nothing reads env->pc inside a block
    // (helpers and memory accesses get the pc as an operand), and every
    // exit stores its own.
    ir_.SetInsertPoint(stop);
    store_env(c64(to.guest_pc), kEnvPcOffset);
    ir_.CreateBr(stop_bb_);
    ir_.SetInsertPoint(go);
    auto* i64 = ir_.getInt64Ty();
    ir_.CreateStore(ir_.CreateAdd(ir_.CreateLoad(i64, runs_slot_), c64(1)), runs_slot_);
    ir_.CreateStore(ir_.CreateAdd(ir_.CreateLoad(i64, insns_slot_), c64(to.guest_insns)),
                    insns_slot_);
    ir_.CreateBr(member_bb_[idx]);
}

void Lowerer::unchained_exit(Value* pc) {
    if (opts_.jc_table) {
        Value* req = load_env(ir_.getInt32Ty(), kEnvExitRequestOffset, true);
        auto* look = new_bb("lookup");
        auto* ret_bb = new_bb("return");
        ir_.CreateCondBr(ir_.CreateICmpEQ(req, ir_.getInt32(0)), look, ret_bb, likely_);
        ir_.SetInsertPoint(look);
        lookup_and_go(pc, ret_bb);
        ir_.SetInsertPoint(ret_bb);
    }
    ret(c64(kStatusContinue), c64(kExitSlotNone));
}

void Lowerer::region_exit_to(uint64_t pc, unsigned slot) {
    if (int idx = member_at(pc); idx >= 0) {
        internal_edge(idx);
        return;
    }
    store_env(c64(pc), kEnvPcOffset);
    if (cur_ == &b_) {
        // The entry block's exits are the function's chainable slots.
        chain_exit(c64(slot), c64(pc));
        return;
    }
    // Slots of other members are not the entry block's: the dispatcher
    // could not attribute them.
    flush_regs();
    unchained_exit(c64(pc));
}

Value* Lowerer::op_ExitLink(const Inst& in) {
    if (region()) {
        region_exit_to(in.imm, 0);
        return nullptr;
    }
    if (loops_to_self(in.imm) && opts_.chaining) {
        self_loop_exit(ir_.getTrue(), c64(0), [&] { return std::pair{c64(in.imm), c64(0)}; });
        return nullptr;
    }
    store_env(c64(in.imm), kEnvPcOffset);
    chain_exit(c64(0), c64(in.imm));
    return nullptr;
}

Value* Lowerer::op_ExitCond(const Inst& in) {
    Value* c = arg(in, 0);
    if (region()) {
        auto* taken = new_bb("taken");
        auto* not_taken = new_bb("not_taken");
        ir_.CreateCondBr(c, taken, not_taken);
        ir_.SetInsertPoint(taken);
        region_exit_to(in.imm, 0);
        ir_.SetInsertPoint(not_taken);
        region_exit_to(in.imm2, 1);
        return nullptr;
    }
    auto way_out = [&] {
        return std::pair{ir_.CreateSelect(c, c64(in.imm), c64(in.imm2)),
                         ir_.CreateSelect(c, c64(0), c64(1))};
    };
    bool self_taken = loops_to_self(in.imm);
    bool self_not = loops_to_self(in.imm2);
    if ((self_taken || self_not) && opts_.chaining) {
        Value* again = self_taken && self_not ? ir_.getTrue() : self_taken ? c : ir_.CreateNot(c);
        // Both ways lead back: the slot depends on c (rare).
        Value* loop_slot = self_taken && self_not ? way_out().second : c64(self_taken ? 0 : 1);
        self_loop_exit(again, loop_slot, way_out);
        return nullptr;
    }
    auto [pc, slot] = way_out();
    store_env(pc, kEnvPcOffset);
    chain_exit(slot, pc);
    return nullptr;
}

Value* Lowerer::op_ExitIndirect(const Inst& in) {
    Value* pc = arg(in, 0);
    if (region()) {
        // A return to a member stays in the region (BR/BLR/RET keep the
        // mode, so the member's code applies). Candidates: the members
        // that follow a member ending in a direct branch elsewhere (a call).
        auto* other = new_bb("indirect");
        auto* sw = ir_.CreateSwitch(pc, other);
        std::vector<int> seen;
        for (const Block& m : members_) {
            const Inst& t = m.insts.back();
            if (m.scattered || t.op != Op::ExitLink || t.imm == m.guest_pc + m.guest_bytes)
                continue;
            int idx = member_at(m.guest_pc + m.guest_bytes);
            if (idx < 0 || std::find(seen.begin(), seen.end(), idx) != seen.end()) continue;
            seen.push_back(idx);
            auto* bb = new_bb("to_member");
            sw->addCase(c64(members_[idx].guest_pc), bb);
            ir_.SetInsertPoint(bb);
            internal_edge(idx);
        }
        ir_.SetInsertPoint(other);
    }
    flush_regs();
    store_env(pc, kEnvPcOffset);
    // Returns and computed branches: the jump cache, as first-tier code
    // does, instead of a dispatcher round trip.
    unchained_exit(pc);
    return nullptr;
}

Value* Lowerer::op_ExitDispatch(const Inst&) {
    flush_regs();
    ret(c64(kStatusContinue), c64(kExitSlotNone));
    return nullptr;
}

}  // namespace emu::tcg::llvmtier

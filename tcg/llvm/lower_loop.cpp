// IR -> LLVM IR: lazy flags of self-looping blocks (see Lowerer::Promoted).
// A typical loop ends in `cmp; b.cond` back to its start: the compare's
// NZCV is written to the env register every iteration but read only by
// the branch (which uses the comparison directly) and, in principle, by
// whatever runs after the loop. Carried as a packed i32 across the back
// edge, LLVM computes the whole N/Z/C/V packing every iteration; carried
// as the compare's operands, the packing happens only on the way out and
// before calls that may look at the env.
#include "tcg/llvm/lowerer.h"

namespace emu::tcg::llvmtier {

using llvm::Value;

void Lowerer::plan_lazy_flags() {
    // Insertion point: the end of the entry block (allocas).
    std::map<uint64_t, unsigned> writes;
    std::map<uint64_t, const Inst*> writer;
    for (const Inst& in : b_.insts) {
        if (in.op != Op::SetReg) continue;
        ++writes[in.imm];
        writer[in.imm] = &b_.insts[in.args[0].id];
    }
    for (auto& [off, p] : promoted_) {
        if (p.type != Type::I32 || writes[off] != 1) continue;
        const Inst& f = *writer[off];
        if (f.op != Op::AddFlags && f.op != Op::SubFlags && f.op != Op::LogicFlags) continue;
        p.flag_op = f.op;
        p.lazy = ir_.CreateAlloca(ir_.getInt1Ty(), nullptr, "lazy" + std::to_string(off));
        for (unsigned k = 0; k < (f.op == Op::LogicFlags ? 1u : 2u); ++k) {
            const Inst* o = &b_.insts[f.args[k].id];
            Promoted::LazyOperand& op = p.ops[k];
            op.type = ty(o->type);
            const Inst* src = o->op == Op::Trunc ? &b_.insts[o->args[0].id] : o;
            if (src->op == Op::GetReg && !writes.count(src->imm)) {
                auto it = promoted_.find(src->imm);
                if (it != promoted_.end() && !it->second.lazy) {
                    op.reg = it->second.slot;
                    continue;
                }
            }
            op.slot = ir_.CreateAlloca(op.type, nullptr, "f" + std::to_string(off));
        }
        // reload_regs (which follows) starts it as not lazy.
    }
}

Value* Lowerer::promoted_value(const Promoted& p) {
    Value* v = ir_.CreateLoad(ty(p.type), p.slot);
    if (!p.lazy) return v;
    auto operand = [&](const Promoted::LazyOperand& op) -> Value* {
        if (op.slot) return ir_.CreateLoad(op.type, op.slot);
        Value* r = ir_.CreateLoad(op.reg->getAllocatedType(), op.reg);
        return r->getType() == op.type ? r : ir_.CreateTrunc(r, op.type);
    };
    Value* a = operand(p.ops[0]);
    Value* f;
    if (p.flag_op == Op::LogicFlags) {
        f = logic_flags(a);
    } else {
        f = add_flags(a, operand(p.ops[1]), nullptr, p.flag_op == Op::SubFlags);
    }
    return ir_.CreateSelect(ir_.CreateLoad(ir_.getInt1Ty(), p.lazy), f, v);
}

void Lowerer::set_lazy_flags(const Promoted& p, const Inst& f) {
    for (unsigned k = 0; k < 2; ++k) {
        if (p.ops[k].slot) ir_.CreateStore(arg(f, k), p.ops[k].slot);
    }
    ir_.CreateStore(ir_.getTrue(), p.lazy);
}

void Lowerer::plan_self_link() {
    // Insertion point: the end of the entry block (allocas).
    const Inst& t = b_.insts.back();
    bool taken = loops_to_self(t.imm);
    bool not_taken = t.op == Op::ExitCond && loops_to_self(t.imm2);
    // Both ways back to the start: the slot depends on the condition, so
    // the back edge checks the cell it goes through.
    if (taken == not_taken) return;
    self_slot_ = taken ? 0 : 1;
    self_unlinked_ = ir_.CreateAlloca(ir_.getInt32Ty(), nullptr, "self.unlinked");
    // reload_regs (which follows) reads the cell.
}

void Lowerer::reload_self_link() {
    if (!self_unlinked_) return;
    Value* cell = ir_.CreateInBoundsGEP(cells_->getValueType(), cells_, {c64(0), c64(self_slot_)});
    auto* next = ir_.CreateAlignedLoad(ptr_ty_, cell, llvm::Align(8));
    next->setAtomic(llvm::AtomicOrdering::Monotonic);
    ir_.CreateStore(ir_.CreateZExt(ir_.CreateICmpNE(next, fn_), ir_.getInt32Ty()), self_unlinked_);
}

}  // namespace emu::tcg::llvmtier

// The vector ops (VecDup .. VecReduce, opcodes.inc) as LLVM vector IR:
// the i128 value is bitcast to <N x iM> (lane 0 = the low bits on the
// little-endian host), so LLVM selects the host's SIMD instructions and
// can keep the value in a vector register across ops.
#include <llvm/IR/Intrinsics.h>
#include <llvm/IR/IntrinsicsX86.h>

#include "tcg/llvm/lowerer.h"

namespace emu::tcg::llvmtier {

using llvm::Value;

namespace {

llvm::FixedVectorType* lanes_ty(llvm::LLVMContext& c, unsigned es) {
    unsigned bits = 8u << es;
    return llvm::FixedVectorType::get(llvm::IntegerType::get(c, bits), 128 / bits);
}

}  // namespace

Value* Lowerer::as_vec(Value* v, unsigned es) {
    return ir_.CreateBitCast(v, lanes_ty(ctx_, es));
}

Value* Lowerer::vec_bin(unsigned kind, Value* a, Value* b) {
    switch (static_cast<VecBinKind>(kind)) {
        case VecBinKind::Add:
            return ir_.CreateAdd(a, b);
        case VecBinKind::Sub:
            return ir_.CreateSub(a, b);
        case VecBinKind::UMax:
            return ir_.CreateBinaryIntrinsic(llvm::Intrinsic::umax, a, b);
        case VecBinKind::UMin:
            return ir_.CreateBinaryIntrinsic(llvm::Intrinsic::umin, a, b);
        case VecBinKind::SMax:
            return ir_.CreateBinaryIntrinsic(llvm::Intrinsic::smax, a, b);
        case VecBinKind::SMin:
            return ir_.CreateBinaryIntrinsic(llvm::Intrinsic::smin, a, b);
    }
    return nullptr;
}

Value* Lowerer::op_VecDup(const Inst& in) {
    unsigned es = VecImm::es(in.imm);
    auto* vt = lanes_ty(ctx_, es);
    Value* x = arg(in, 0);
    auto* et = vt->getElementType();
    unsigned w = x->getType()->getIntegerBitWidth();
    if (w > et->getIntegerBitWidth()) x = ir_.CreateTrunc(x, et);
    if (w < et->getIntegerBitWidth()) x = ir_.CreateZExt(x, et);
    return ir_.CreateBitCast(ir_.CreateVectorSplat(vt->getNumElements(), x), ir_.getInt128Ty());
}

Value* Lowerer::op_VecCmp(const Inst& in) {
    unsigned es = VecImm::es(in.imm);
    Value *a = as_vec(arg(in, 0), es), *b = as_vec(arg(in, 1), es);
    llvm::CmpInst::Predicate p = llvm::CmpInst::ICMP_EQ;
    switch (static_cast<VecCmpKind>(VecImm::kind(in.imm))) {
        case VecCmpKind::Eq:
            p = llvm::CmpInst::ICMP_EQ;
            break;
        case VecCmpKind::UGt:
            p = llvm::CmpInst::ICMP_UGT;
            break;
        case VecCmpKind::UGe:
            p = llvm::CmpInst::ICMP_UGE;
            break;
        case VecCmpKind::SGt:
            p = llvm::CmpInst::ICMP_SGT;
            break;
        case VecCmpKind::SGe:
            p = llvm::CmpInst::ICMP_SGE;
            break;
    }
    Value* m = ir_.CreateSExt(ir_.CreateICmp(p, a, b), lanes_ty(ctx_, es));
    return ir_.CreateBitCast(m, ir_.getInt128Ty());
}

Value* Lowerer::op_VecBin(const Inst& in) {
    unsigned es = VecImm::es(in.imm);
    Value* r = vec_bin(VecImm::kind(in.imm), as_vec(arg(in, 0), es), as_vec(arg(in, 1), es));
    return ir_.CreateBitCast(r, ir_.getInt128Ty());
}

Value* Lowerer::op_VecShiftImm(const Inst& in) {
    unsigned es = VecImm::es(in.imm), bits = VecImm::lane_bits(in.imm);
    unsigned n = VecImm::amount(in.imm);
    auto* vt = lanes_ty(ctx_, es);
    Value* a = as_vec(arg(in, 0), es);
    Value* r;
    // LLVM shifts by >= the width are poison: clamp to the defined results.
    switch (static_cast<VecShiftKind>(VecImm::kind(in.imm))) {
        case VecShiftKind::Shl:
            r = n >= bits ? llvm::Constant::getNullValue(vt)
                          : ir_.CreateShl(a, llvm::ConstantInt::get(vt, n));
            break;
        case VecShiftKind::LShr:
            r = n >= bits ? llvm::Constant::getNullValue(vt)
                          : ir_.CreateLShr(a, llvm::ConstantInt::get(vt, n));
            break;
        default:
            r = ir_.CreateAShr(a, llvm::ConstantInt::get(vt, n >= bits ? bits - 1 : n));
            break;
    }
    return ir_.CreateBitCast(r, ir_.getInt128Ty());
}

Value* Lowerer::op_VecShuffle(const Inst& in) {
    auto* v16 = lanes_ty(ctx_, 0);
    Value *a = as_vec(arg(in, 0), 0), *b = as_vec(arg(in, 1), 0);
    const Inst& t = cur_->insts[in.args[2].id];
    if (t.op == Op::Const) {
        // A shufflevector over a:b; lanes that read neither are zeroed
        // by picking a lane of the zero vector in a second shuffle.
        llvm::SmallVector<int, 16> pick(16), fill(16);
        bool zeros = false;
        for (unsigned i = 0; i < 16; ++i) {
            unsigned k = static_cast<unsigned>((i < 8 ? t.imm : t.imm2) >> (8 * (i % 8))) & 0xff;
            pick[i] = k < 32 ? static_cast<int>(k) : 0;
            fill[i] = k < 32 ? static_cast<int>(i) : 16;
            zeros |= k >= 32;
        }
        Value* r = ir_.CreateShuffleVector(a, b, pick);
        if (zeros) r = ir_.CreateShuffleVector(r, llvm::Constant::getNullValue(v16), fill);
        return ir_.CreateBitCast(r, ir_.getInt128Ty());
    }
    // A table in a register: the host's byte shuffle on each source, with
    // the lanes out of that source's range forced to 0x80 (pshufb's zero).
    Value* tab = as_vec(arg(in, 2), 0);
    llvm::Function* pshufb =
        llvm::Intrinsic::getDeclaration(&m_, llvm::Intrinsic::x86_ssse3_pshuf_b_128);
    Value* r = nullptr;
    for (unsigned src = 0; src < 2; ++src) {
        Value* k = src ? ir_.CreateSub(tab, llvm::ConstantInt::get(v16, 16)) : tab;
        Value* in_range = ir_.CreateICmpULT(k, llvm::ConstantInt::get(v16, 16));
        Value* mask = ir_.CreateSelect(in_range, k, llvm::ConstantInt::get(v16, 0x80));
        Value* part = ir_.CreateCall(pshufb, {src ? b : a, mask});
        r = r ? ir_.CreateOr(r, part) : part;
    }
    return ir_.CreateBitCast(r, ir_.getInt128Ty());
}

Value* Lowerer::op_VecReduce(const Inst& in) {
    unsigned es = VecImm::es(in.imm);
    Value* a = as_vec(arg(in, 0), es);
    llvm::Intrinsic::ID id = llvm::Intrinsic::vector_reduce_add;
    switch (static_cast<VecBinKind>(VecImm::kind(in.imm))) {
        case VecBinKind::UMax:
            id = llvm::Intrinsic::vector_reduce_umax;
            break;
        case VecBinKind::UMin:
            id = llvm::Intrinsic::vector_reduce_umin;
            break;
        case VecBinKind::SMax:
            id = llvm::Intrinsic::vector_reduce_smax;
            break;
        case VecBinKind::SMin:
            id = llvm::Intrinsic::vector_reduce_smin;
            break;
        default:
            break;
    }
    Value* r = ir_.CreateUnaryIntrinsic(id, a);
    return ir_.CreateZExt(r, ir_.getInt128Ty());
}

}  // namespace emu::tcg::llvmtier

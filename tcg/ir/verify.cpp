// The IR verifier: run after translation and after every pass in debug
// builds and tests, so that a malformed block is reported with its index
// instead of being misexecuted.
#include <string>

#include "tcg/ir/eval.h"
#include "tcg/ir/helpers.h"
#include "tcg/ir/ir.h"

namespace emu::tcg {

namespace {

bool type_in_set(Type t, TypeSet s) {
    switch (s) {
        case TypeSet::INT:
            return is_int(t);
        case TypeSet::W:
            return t == Type::I32 || t == Type::I64;
        case TypeSet::BITS:
            return t != Type::Void;
        case TypeSet::I1T:
            return t == Type::I1;
        case TypeSet::NONE:
            return t == Type::Void;
    }
    return false;
}

bool concrete(TypeRule r, Type* out) {
    switch (r) {
        case TypeRule::Void:
            *out = Type::Void;
            return true;
        case TypeRule::I1:
            *out = Type::I1;
            return true;
        case TypeRule::I8:
            *out = Type::I8;
            return true;
        case TypeRule::I16:
            *out = Type::I16;
            return true;
        case TypeRule::I32:
            *out = Type::I32;
            return true;
        case TypeRule::I64:
            *out = Type::I64;
            return true;
        case TypeRule::I128:
            *out = Type::I128;
            return true;
        default:
            return false;
    }
}

std::string fail(uint32_t i, const Inst& in, const std::string& why) {
    return "inst " + std::to_string(i) + " (" + op_info(in.op).name + "): " + why;
}

}  // namespace

std::string verify(const Block& b) {
    if (b.insts.empty()) return "empty block";
    for (uint32_t i = 0; i < b.insts.size(); ++i) {
        const Inst& in = b.insts[i];
        if (static_cast<unsigned>(in.op) >= kNumOps) return fail(i, in, "bad opcode");
        const OpInfo& info = op_info(in.op);
        bool last = i + 1 == b.insts.size();
        if ((info.flags & TERM) && !last) return fail(i, in, "terminal before the end");
        if (last && !(info.flags & TERM)) return fail(i, in, "block does not end in a terminal");

        // Result type.
        Type rt;
        if (info.result == TypeRule::T) {
            if (!type_in_set(in.type, info.types)) {
                return fail(i, in, std::string("type ") + type_name(in.type) + " not allowed");
            }
        } else if (concrete(info.result, &rt) && rt != in.type) {
            return fail(i, in, std::string("result must be ") + type_name(rt));
        }

        // Operands.
        if (info.nargs >= 0 && in.nargs != info.nargs) return fail(i, in, "wrong operand count");
        if (in.nargs > kMaxArgs) return fail(i, in, "too many operands");
        for (unsigned a = 0; a < in.nargs; ++a) {
            Value v = in.args[a];
            if (!v.valid() || v.id >= i) return fail(i, in, "operand not defined before use");
            Type at = b.insts[v.id].type;
            if (at == Type::Void) return fail(i, in, "operand has no value");
            TypeRule r = a < 3 ? info.args[a] : TypeRule::X;
            Type want;
            if (r == TypeRule::T && at != in.type)
                return fail(i, in, "operand type != result type");
            if (r == TypeRule::A && at != b.insts[in.args[0].id].type) {
                return fail(i, in, "operand types differ");
            }
            if (concrete(r, &want) && want != at) {
                return fail(i, in, std::string("operand must be ") + type_name(want));
            }
        }

        // Per-op rules the table cannot express.
        auto arg_t = [&](unsigned a) { return b.insts[in.args[a].id].type; };
        switch (in.op) {
            case Op::ZExt:
            case Op::SExt:
                if (type_bits(arg_t(0)) >= type_bits(in.type)) {
                    return fail(i, in, "extension must widen");
                }
                break;
            case Op::Trunc:
                if (type_bits(arg_t(0)) <= type_bits(in.type)) {
                    return fail(i, in, "truncation must narrow");
                }
                break;
            case Op::Bitcast:
                if (type_bits(arg_t(0)) != type_bits(in.type)) return fail(i, in, "width differs");
                break;
            case Op::AddFlags:
            case Op::SubFlags:
            case Op::AdcFlags:
            case Op::LogicFlags:
                if (arg_t(0) != Type::I32 && arg_t(0) != Type::I64) {
                    return fail(i, in, "flags need i32 or i64");
                }
                break;
            case Op::Eq:
            case Op::Ne:
            case Op::Ult:
            case Op::Ule:
            case Op::Slt:
            case Op::Sle:
                if (!is_int(arg_t(0)) && arg_t(0) != Type::I1 &&
                    !(arg_t(0) == Type::I128 && (in.op == Op::Eq || in.op == Op::Ne))) {
                    return fail(i, in, "compare needs int (i128 only for Eq/Ne)");
                }
                break;
            case Op::Load:
            case Op::LoadExcl:
                if (type_bits(in.type) != 8u * MemOp::size(in.imm) ||
                    MemOp::log2_size(in.imm) > 4) {
                    return fail(i, in, "load type must match the access size");
                }
                break;
            case Op::Store:
            case Op::StoreExcl:
                if (type_bits(arg_t(1)) != 8u * MemOp::size(in.imm) ||
                    MemOp::log2_size(in.imm) > 4) {
                    return fail(i, in, "store value must match the access size");
                }
                break;
            case Op::AtomicRmw:
            case Op::CmpXchg:
                if (type_bits(in.type) != 8u * MemOp::size(in.imm)) {
                    return fail(i, in, "atomic type must match the access size");
                }
                if (in.op == Op::AtomicRmw && MemOp::atomic_op(in.imm) > 8) {
                    return fail(i, in, "bad atomic op");
                }
                break;
            case Op::Call:
            case Op::CallVoid:
                if (in.imm >= helper_count()) return fail(i, in, "unknown helper");
                for (unsigned a = 0; a < in.nargs; ++a) {
                    if (type_bits(arg_t(a)) > 64)
                        return fail(i, in, "helper operand wider than 64");
                }
                if (in.op == Op::Call && type_bits(in.type) > 64) {
                    return fail(i, in, "helper result wider than 64");
                }
                break;
            case Op::CondHolds:
                if (in.imm > 15) return fail(i, in, "condition out of range");
                break;
            case Op::VecDup:
                if (!is_int(arg_t(0))) return fail(i, in, "dup needs an integer");
                [[fallthrough]];
            case Op::VecCmp:
            case Op::VecBin:
            case Op::VecShiftImm:
            case Op::VecShuffle:
            case Op::VecReduce:
                if (!vec_imm_valid(in.op, in.imm)) return fail(i, in, "bad vector imm");
                break;
            default:
                break;
        }
    }
    return {};
}

}  // namespace emu::tcg

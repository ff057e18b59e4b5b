#include "op_shapes.h"

#include <iterator>

#include "test_world.h"

namespace emu::tcg::test {

namespace {

const Type kTypes[] = {Type::I1,  Type::I8,   Type::I16, Type::I32,
                       Type::I64, Type::I128, Type::F32, Type::F64};

std::vector<Type> candidates(TypeRule rule, Type t, const std::vector<Type>& so_far) {
    switch (rule) {
        case TypeRule::T:
            return {t};
        case TypeRule::A:
            return {so_far[0]};
        case TypeRule::X:
            return std::vector<Type>(std::begin(kTypes), std::end(kTypes));
        case TypeRule::I1:
            return {Type::I1};
        case TypeRule::I8:
            return {Type::I8};
        case TypeRule::I16:
            return {Type::I16};
        case TypeRule::I32:
            return {Type::I32};
        case TypeRule::I64:
            return {Type::I64};
        case TypeRule::I128:
            return {Type::I128};
        default:
            return {};
    }
}

// The immediates a shape is built with: every condition of CondHolds;
// for the vector ops every lane size and kind, and the edge shift amounts
// (0, 1, the middle, width - 1, width).
std::vector<uint64_t> shape_imms(Op op) {
    if (op == Op::CondHolds) {
        std::vector<uint64_t> v;
        for (uint64_t c = 0; c < 16; ++c)
            v.push_back(c);
        return v;
    }
    if (op < Op::VecDup || op > Op::VecReduce) return {0};
    std::vector<uint64_t> v;
    for (unsigned es = 0; es < 4; ++es) {
        for (unsigned kind = 0; kind < 16; ++kind) {
            unsigned bits = 8u << es;
            for (unsigned amount : {0u, 1u, bits / 2 + 1, bits - 1, bits}) {
                if (op != Op::VecShiftImm && amount) continue;
                uint64_t imm = VecImm::make(es, kind, amount);
                if (vec_imm_valid(op, imm) && (v.empty() || v.back() != imm)) v.push_back(imm);
            }
        }
    }
    return v;
}

void expand(Op op, Type t, unsigned nargs, std::vector<Type>& args, std::vector<Shape>* out) {
    const OpInfo& info = op_info(op);
    if (args.size() == nargs) {
        for (uint64_t imm : shape_imms(op)) {
            Shape s{op, t, args, imm};
            Block b;
            uint64_t k[3] = {0, 0, 0};
            if (make_shape_block(s, Form::Regs, k, k, &b)) out->push_back(s);
        }
        return;
    }
    for (Type a : candidates(info.args[args.size()], t, args)) {
        args.push_back(a);
        expand(op, t, nargs, args, out);
        args.pop_back();
    }
}

}  // namespace

uint32_t shape_arg_offset(Type t, unsigned i) {
    return t == Type::I1 ? breg(i) : reg(2 * i);
}

uint32_t shape_result_offset(Type t) {
    return t == Type::I1 ? breg(7) : reg(8);
}

bool make_shape_block(const Shape& s, Form form, const uint64_t* k, const uint64_t* khi,
                      Block* out) {
    Block b;
    Builder ir(&b);
    std::vector<Value> v;
    size_t n = s.args.size();
    for (unsigned i = 0; i < n; ++i) {
        bool konst = (form == Form::ConstLast && i == n - 1 && n > 1) ||
                     (form == Form::ConstFirst && i == 0);
        Value c = s.args[i] == Type::I128 ? ir.c128(k[i], khi[i]) : ir.constant(s.args[i], k[i]);
        v.push_back(konst ? c : ir.get_reg(s.args[i], shape_arg_offset(s.args[i], i)));
    }
    Value r;
    switch (n) {
        case 1:
            r = ir.emit(s.op, s.t, {v[0]}, s.imm);
            break;
        case 2:
            r = ir.emit(s.op, s.t, {v[0], v[1]}, s.imm);
            break;
        default:
            r = ir.emit(s.op, s.t, {v[0], v[1], v[2]}, s.imm);
            break;
    }
    ir.set_reg(shape_result_offset(s.t), r);
    if (form == Form::Live) {
        for (unsigned i = 0; i < n; ++i)
            ir.set_reg(shape_arg_offset(s.args[i], i), v[i]);
    }
    ir.exit_dispatch();
    if (!verify(b).empty()) return false;
    *out = std::move(b);
    return true;
}

std::vector<Shape> all_shapes() {
    std::vector<Shape> v;
    for (unsigned o = 0; o < kNumOps; ++o) {
        Op op = static_cast<Op>(o);
        const OpInfo& info = op_info(op);
        if (!(info.flags & PURE) || op == Op::Const) continue;
        std::vector<Type> results;
        switch (info.result) {
            case TypeRule::T:
                results.assign(std::begin(kTypes), std::end(kTypes));
                break;
            case TypeRule::I1:
                results = {Type::I1};
                break;
            case TypeRule::I32:
                results = {Type::I32};
                break;
            case TypeRule::I64:
                results = {Type::I64};
                break;
            case TypeRule::I128:
                results = {Type::I128};
                break;
            default:
                break;
        }
        for (Type t : results) {
            std::vector<Type> args;
            expand(op, t, static_cast<unsigned>(info.nargs), args, &v);
        }
    }
    return v;
}

std::vector<Op> ops_without_shapes(const std::vector<Shape>& shapes) {
    std::vector<bool> seen(kNumOps, false);
    for (const Shape& s : shapes)
        seen[static_cast<unsigned>(s.op)] = true;
    std::vector<Op> missing;
    for (unsigned o = 0; o < kNumOps; ++o) {
        Op op = static_cast<Op>(o);
        if ((op_info(op).flags & PURE) && op != Op::Const && !seen[o]) missing.push_back(op);
    }
    return missing;
}

void set_shape_operands(TestEnv* env, const Shape& s, const uint64_t* lo, const uint64_t* hi) {
    for (unsigned a = 0; a < s.args.size(); ++a) {
        if (s.args[a] == Type::I1) {
            env->b[a] = static_cast<uint8_t>(lo[a] & 1);
        } else {
            env->r[2 * a] = lo[a];
            env->r[2 * a + 1] = hi[a];
        }
    }
}

u128 shape_result(const TestEnv& env, Type t) {
    if (t == Type::I1) return env.b[7];
    unsigned bytes = type_bits(t) / 8;
    uint64_t lo = env.r[8], hi = t == Type::I128 ? env.r[9] : 0;
    if (bytes < 8) lo &= (1ull << (8 * bytes)) - 1;
    return (u128)lo | ((u128)hi << 64);
}

uint64_t pick_operand(std::mt19937_64& rng, unsigned round, unsigned edge_rounds) {
    static const uint64_t edges[] = {0,          1,          2,      0x7f,       0x80,
                                     0xff,       0x7fff,     0x8000, 0xffff,     0x7fffffff,
                                     0x80000000, 0xffffffff, ~0ull,  1ull << 63, (1ull << 63) - 1,
                                     63,         64,         31,     32,         15,
                                     16,         8,          7,      0x100000000};
    if (round < edge_rounds) return edges[rng() % std::size(edges)];
    return rng();
}

ShapeOperands pick_shape_operands(std::mt19937_64& rng, const Shape& s, unsigned round,
                                  unsigned edge_rounds) {
    ShapeOperands o;
    for (unsigned a = 0; a < s.args.size(); ++a) {
        Type at = s.args[a];
        o.lo[a] = pick_operand(rng, round, edge_rounds);
        if (at == Type::I128)
            o.hi[a] = pick_operand(rng, round, edge_rounds);
        else
            o.lo[a] &= at == Type::I1 ? 1 : type_mask(at);
        o.in[a] = (u128)o.lo[a] | ((u128)o.hi[a] << 64);
    }
    return o;
}

}  // namespace emu::tcg::test

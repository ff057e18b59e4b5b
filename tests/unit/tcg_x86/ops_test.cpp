// Every pure op at every type the table allows, compiled by the baseline
// tier, against the reference semantics (tcg/ir/eval) and the interpreter,
// on edge values and random ones, with the operands in registers, as
// constants (the immediate forms), and still live after the op (so the
// result cannot take an operand's register). The cases come from the
// opcode table, so an op added there is tested here without editing this
// file; every pure op must compile.
#include <catch2/catch.hpp>
#include <map>
#include <random>

#include "tcg/interp/interp.h"
#include "tcg/ir/eval.h"
#include "tcg/x86/baseline.h"
#include "test_world.h"

using namespace emu::tcg;
using namespace emu::tcg::test;

namespace {

const Type kTypes[] = {Type::I1,  Type::I8,   Type::I16, Type::I32,
                       Type::I64, Type::I128, Type::F32, Type::F64};

struct Shape {
    Op op;
    Type t;
    std::vector<Type> args;
    uint64_t imm = 0;
};

uint32_t arg_offset(Type t, unsigned i) {
    return t == Type::I1 ? breg(i) : reg(2 * i);
}
uint32_t result_offset(Type t) {
    return t == Type::I1 ? breg(7) : reg(8);
}

enum class Form { Regs, ConstLast, ConstFirst, Live };

// "r = op(args...); set r" with the operands as chosen by `form`; `k` are
// the operand values used for constants.
bool make_block(const Shape& s, Form form, const uint64_t* k, const uint64_t* khi, Block* out) {
    Block b;
    Builder ir(&b);
    std::vector<Value> v;
    size_t n = s.args.size();
    for (unsigned i = 0; i < n; ++i) {
        bool konst = (form == Form::ConstLast && i == n - 1 && n > 1) ||
                     (form == Form::ConstFirst && i == 0);
        Value c = s.args[i] == Type::I128 ? ir.c128(k[i], khi[i]) : ir.constant(s.args[i], k[i]);
        v.push_back(konst ? c : ir.get_reg(s.args[i], arg_offset(s.args[i], i)));
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
    ir.set_reg(result_offset(s.t), r);
    if (form == Form::Live) {
        for (unsigned i = 0; i < n; ++i)
            ir.set_reg(arg_offset(s.args[i], i), v[i]);
    }
    ir.exit_dispatch();
    if (!verify(b).empty()) return false;
    *out = std::move(b);
    return true;
}

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

void expand(Op op, Type t, unsigned nargs, std::vector<Type>& args, std::vector<Shape>* out) {
    const OpInfo& info = op_info(op);
    if (args.size() == nargs) {
        unsigned nimm = op == Op::CondHolds ? 16 : 1;
        for (unsigned imm = 0; imm < nimm; ++imm) {
            Shape s{op, t, args, imm};
            Block b;
            uint64_t k[3] = {0, 0, 0};
            if (make_block(s, Form::Regs, k, k, &b)) out->push_back(s);
        }
        return;
    }
    for (Type a : candidates(info.args[args.size()], t, args)) {
        args.push_back(a);
        expand(op, t, nargs, args, out);
        args.pop_back();
    }
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

uint64_t pick(std::mt19937_64& rng, unsigned round) {
    static const uint64_t edges[] = {0,          1,          2,      0x7f,       0x80,
                                     0xff,       0x7fff,     0x8000, 0xffff,     0x7fffffff,
                                     0x80000000, 0xffffffff, ~0ull,  1ull << 63, (1ull << 63) - 1,
                                     63,         64,         31,     32,         15,
                                     16,         8,          7,      0x100000000};
    if (round < 40) return edges[rng() % std::size(edges)];
    return rng();
}

}  // namespace

TEST_CASE("baseline tier matches the reference semantics for every pure op and type",
          "[x86][ops]") {
    std::vector<Shape> shapes = all_shapes();
    std::map<Op, int> per_op;
    for (const Shape& s : shapes)
        ++per_op[s.op];
    for (unsigned o = 0; o < kNumOps; ++o) {
        Op op = static_cast<Op>(o);
        if ((op_info(op).flags & PURE) && op != Op::Const) {
            INFO(op_info(op).name);
            CHECK(per_op[op] > 0);
        }
    }
    REQUIRE(shapes.size() > 150);

    std::string err;
    auto tier = emu::tcg::x86::make_baseline(64u << 20, &err);
    REQUIRE(tier);
    std::mt19937_64 rng(42);
    unsigned compiled = 0;
    for (const Shape& s : shapes) {
        for (unsigned round = 0; round < 80; ++round) {
            uint64_t lo[3] = {0, 0, 0}, hi[3] = {0, 0, 0};
            u128 in[3] = {0, 0, 0};
            for (unsigned a = 0; a < s.args.size(); ++a) {
                Type at = s.args[a];
                lo[a] = pick(rng, round);
                if (at == Type::I1) {
                    lo[a] &= 1;
                } else if (at != Type::I128) {
                    lo[a] &= type_mask(at);
                } else {
                    hi[a] = pick(rng, round);
                }
                in[a] = (u128)lo[a] | ((u128)hi[a] << 64);
            }
            u128 want;
            REQUIRE(eval_pure(s.op, s.t, s.args.data(), in, s.imm, &want));
            for (Form form : {Form::Regs, Form::ConstLast, Form::ConstFirst, Form::Live}) {
                Block b;
                if (!make_block(s, form, lo, hi, &b)) continue;
                INFO(print_block(b));
                BaselineCompiler::Result res;
                std::string why;
                CompiledFn fn = tier->compile(b, nullptr, &res, &why);
                INFO(why);
                REQUIRE(fn);
                ++compiled;
                InterpCode code;
                REQUIRE(interp_lower(b, &code, &err));
                TestEnv env{}, ienv{};
                for (unsigned a = 0; a < s.args.size(); ++a) {
                    if (s.args[a] == Type::I1) {
                        env.b[a] = static_cast<uint8_t>(lo[a]);
                    } else {
                        env.r[2 * a] = lo[a];
                        env.r[2 * a + 1] = hi[a];
                    }
                }
                // Bytes the block does not write must survive too.
                env.r[8] = env.r[9] = 0x5555555555555555ull;
                env.b[7] = ienv.b[7] = 1;
                std::memcpy(ienv.r, env.r, sizeof env.r);
                std::memcpy(ienv.b, env.b, sizeof env.b);
                ExitInfo ex = fn(&env);
                ExitInfo iex = interp_run(code, &ienv);
                u128 got;
                if (s.t == Type::I1) {
                    got = env.b[7];
                } else {
                    unsigned bytes = type_bits(s.t) / 8;
                    uint64_t v = env.r[8];
                    if (bytes < 8) v &= (1ull << (8 * bytes)) - 1;
                    got = v;
                    if (s.t == Type::I128) got |= (u128)env.r[9] << 64;
                }
                INFO(op_info(s.op).name << " " << type_name(s.t) << " form " << int(form) << " a=0x"
                                        << std::hex << lo[0] << " b=0x" << lo[1] << " c=0x"
                                        << lo[2]);
                CHECK(ex.status == kStatusContinue);
                CHECK(ex.slot == kExitSlotNone);
                CHECK((uint64_t)got == (uint64_t)want);
                CHECK((uint64_t)(got >> 64) == (uint64_t)(want >> 64));
                CHECK(std::memcmp(env.r, ienv.r, sizeof env.r) == 0);
                CHECK(std::memcmp(env.b, ienv.b, sizeof env.b) == 0);
                CHECK(iex.status == ex.status);
            }
        }
        tier->reset();  // keeps the buffer small; also exercises reset()
    }
    CHECK(compiled > 10000);
}

// Every pure op at every type the table allows, compiled by the LLVM tier,
// against the reference semantics (tcg/ir/eval) and the interpreter, on
// edge values and random ones. The cases come from the opcode table itself,
// so an op added there is tested here without editing this file.
#include <catch2/catch.hpp>
#include <map>
#include <random>

#include "tcg/interp/interp.h"
#include "tcg/ir/eval.h"
#include "tcg/llvm/llvm_tier.h"
#include "test_world.h"

using namespace emu::tcg;
using namespace emu::tcg::test;

namespace {

const Type kTypes[] = {Type::I1,  Type::I8,   Type::I16, Type::I32,
                       Type::I64, Type::I128, Type::F32, Type::F64};

struct Case {
    Op op;
    Type t;
    std::vector<Type> args;
    uint64_t imm = 0;
    Block block;
};

uint32_t arg_offset(Type t, unsigned i) {
    return t == Type::I1 ? breg(i) : reg(2 * i);
}
uint32_t result_offset(Type t) {
    return t == Type::I1 ? breg(7) : reg(8);
}

// Builds "r = op(args...); set r" and keeps it if the verifier agrees.
bool make_case(Op op, Type t, const std::vector<Type>& args, uint64_t imm, Case* out) {
    Block b;
    Builder ir(&b);
    std::vector<Value> v;
    for (unsigned i = 0; i < args.size(); ++i)
        v.push_back(ir.get_reg(args[i], arg_offset(args[i], i)));
    Value r;
    switch (args.size()) {
        case 1:
            r = ir.emit(op, t, {v[0]}, imm);
            break;
        case 2:
            r = ir.emit(op, t, {v[0], v[1]}, imm);
            break;
        default:
            r = ir.emit(op, t, {v[0], v[1], v[2]}, imm);
            break;
    }
    ir.set_reg(result_offset(t), r);
    ir.exit_dispatch();
    if (!verify(b).empty()) return false;
    *out = Case{op, t, args, imm, std::move(b)};
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

void expand(Op op, Type t, unsigned nargs, std::vector<Type>& args, std::vector<Case>* out) {
    const OpInfo& info = op_info(op);
    if (args.size() == nargs) {
        unsigned nimm = op == Op::CondHolds ? 16 : 1;
        for (unsigned imm = 0; imm < nimm; ++imm) {
            Case c;
            if (make_case(op, t, args, imm, &c)) out->push_back(std::move(c));
        }
        return;
    }
    for (Type a : candidates(info.args[args.size()], t, args)) {
        args.push_back(a);
        expand(op, t, nargs, args, out);
        args.pop_back();
    }
}

std::vector<Case> all_cases() {
    std::vector<Case> v;
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
    if (round < 60) return edges[rng() % std::size(edges)];
    return rng();
}

}  // namespace

TEST_CASE("LLVM tier matches the reference semantics for every pure op and type", "[llvm]") {
    std::vector<Case> cases = all_cases();
    // Every pure op of the table has at least one case.
    std::map<Op, int> per_op;
    for (const Case& c : cases)
        ++per_op[c.op];
    for (unsigned o = 0; o < kNumOps; ++o) {
        Op op = static_cast<Op>(o);
        if ((op_info(op).flags & PURE) && op != Op::Const) {
            INFO(op_info(op).name);
            CHECK(per_op[op] > 0);
        }
    }
    REQUIRE(cases.size() > 150);

    std::string err;
    auto tier = LlvmTier::create(LlvmTierOptions{}, &err);
    REQUIRE(tier);
    // Submitted together, so they compile in batches on the worker.
    std::vector<CompiledFn> fns(cases.size(), nullptr);
    for (size_t i = 0; i < cases.size(); ++i) {
        tier->submit(cases[i].block, [&fns, i](CompiledFn fn) { fns[i] = fn; });
    }
    tier->drain();

    std::mt19937_64 rng(42);
    for (size_t i = 0; i < cases.size(); ++i) {
        const Case& c = cases[i];
        INFO(print_block(c.block));
        REQUIRE(fns[i]);
        InterpCode code;
        REQUIRE(interp_lower(c.block, &code, &err));
        for (unsigned round = 0; round < 150; ++round) {
            TestEnv env{};
            TestEnv ienv{};
            u128 in[3] = {0, 0, 0};
            for (unsigned a = 0; a < c.args.size(); ++a) {
                Type at = c.args[a];
                uint64_t lo = pick(rng, round), hi = pick(rng, round);
                if (at == Type::I1) {
                    env.b[a] = lo & 1;
                    in[a] = lo & 1;
                    continue;
                }
                if (at != Type::I128) {
                    lo &= type_mask(at);
                    hi = 0;
                }
                env.r[2 * a] = lo;
                env.r[2 * a + 1] = hi;
                in[a] = (u128)lo | ((u128)hi << 64);
            }
            std::memcpy(ienv.r, env.r, sizeof env.r);
            std::memcpy(ienv.b, env.b, sizeof env.b);
            u128 want;
            REQUIRE(eval_pure(c.op, c.t, c.args.data(), in, c.imm, &want));
            ExitInfo ex = fns[i](&env);
            ExitInfo iex = interp_run(code, &ienv);
            u128 got;
            if (c.t == Type::I1) {
                got = env.b[7];
            } else {
                unsigned bytes = type_bits(c.t) / 8;
                uint64_t lo = env.r[8], hi = c.t == Type::I128 ? env.r[9] : 0;
                if (bytes < 8) lo &= (1ull << (8 * bytes)) - 1;
                got = (u128)lo | ((u128)hi << 64);
            }
            INFO(op_info(c.op).name << " " << type_name(c.t) << " a=0x" << std::hex
                                    << (uint64_t)in[0] << " b=0x" << (uint64_t)in[1] << " c=0x"
                                    << (uint64_t)in[2]);
            CHECK(ex.status == kStatusContinue);
            CHECK(ex.slot == kExitSlotNone);
            CHECK((uint64_t)got == (uint64_t)want);
            CHECK((uint64_t)(got >> 64) == (uint64_t)(want >> 64));
            // And byte for byte what the interpreter leaves in the env.
            CHECK(std::memcmp(env.r, ienv.r, sizeof env.r) == 0);
            CHECK(std::memcmp(env.b, ienv.b, sizeof env.b) == 0);
            CHECK(iex.status == ex.status);
        }
    }
    LlvmTierStats st = tier->stats();
    CHECK(st.compiled == cases.size());
    CHECK(st.failed == 0);
}

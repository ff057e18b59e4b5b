// The vector ops compiled by the baseline tier (SSE code, emitter_vec.cpp)
// against the reference semantics and the interpreter, on lane-structured
// operands (vec_inputs.h) in every operand form, and RBIT (inline code).
#include <catch2/catch.hpp>

#include "tcg/interp/interp.h"
#include "tcg/ir/eval.h"
#include "tcg/x86/baseline.h"
#include "test_world.h"
#include "vec_inputs.h"

using namespace emu::tcg;
using namespace emu::tcg::test;

namespace {

void check_shape(BaselineCompiler& tier, const Shape& s, Form form, const uint64_t* lo,
                 const uint64_t* hi) {
    Block b;
    if (!make_shape_block(s, form, lo, hi, &b)) return;
    INFO(print_block(b));
    BaselineCompiler::Result res;
    std::string why, err;
    CompiledFn fn = tier.compile(b, nullptr, &res, &why);
    INFO(why);
    REQUIRE(fn);
    InterpCode code;
    REQUIRE(interp_lower(b, &code, &err));
    u128 in[3] = {0, 0, 0};
    for (unsigned a = 0; a < s.args.size(); ++a)
        in[a] = (u128)lo[a] | ((u128)hi[a] << 64);
    u128 want;
    REQUIRE(eval_pure(s.op, s.t, s.args.data(), in, s.imm, &want));
    TestEnv env{}, ienv{};
    set_shape_operands(&env, s, lo, hi);
    std::memcpy(ienv.r, env.r, sizeof env.r);
    fn(&env);
    interp_run(code, &ienv);
    u128 got = shape_result(env, s.t), igot = shape_result(ienv, s.t);
    INFO(std::hex << "a=" << hi[0] << "_" << lo[0] << " b=" << hi[1] << "_" << lo[1]
                  << " c=" << hi[2] << "_" << lo[2]);
    CHECK((uint64_t)got == (uint64_t)want);
    CHECK((uint64_t)(got >> 64) == (uint64_t)(want >> 64));
    CHECK((uint64_t)igot == (uint64_t)want);
    CHECK((uint64_t)(igot >> 64) == (uint64_t)(want >> 64));
}

}  // namespace

TEST_CASE("baseline vector ops match the reference on lane-structured operands", "[x86][vec]") {
    std::vector<Shape> shapes = vec_shapes();
    REQUIRE(shapes.size() > 100);
    std::string err;
    auto tier = emu::tcg::x86::make_baseline(64u << 20, &err);
    REQUIRE(tier);
    std::mt19937_64 rng(7);
    for (const Shape& s : shapes) {
        for (unsigned round = 0; round < 60; ++round) {
            uint64_t lo[3] = {0, 0, 0}, hi[3] = {0, 0, 0};
            vec_operands(rng, s, lo, hi);
            for (Form form : {Form::Regs, Form::ConstLast, Form::ConstFirst, Form::Live})
                check_shape(*tier, s, form, lo, hi);
        }
    }
}

TEST_CASE("a constant shuffle table with repeated sources and zero lanes", "[x86][vec]") {
    // The emitter merges the two pshufb masks when both sources are the
    // same value, and drops a source the table never reads.
    std::string err;
    auto tier = emu::tcg::x86::make_baseline(64u << 20, &err);
    REQUIRE(tier);
    std::mt19937_64 rng(11);
    for (unsigned round = 0; round < 200; ++round) {
        uint64_t t[2] = {0, 0};
        unsigned mode = round % 4;  // a only, b only, both, with zeros
        for (unsigned i = 0; i < 16; ++i) {
            uint64_t k = mode == 0 ? rng() % 16 : mode == 1 ? 16 + rng() % 16 : rng() % 32;
            if (mode == 3 && rng() % 3 == 0) k = 32 + rng() % 224;
            t[i / 8] |= k << (8 * (i % 8));
        }
        for (bool same : {false, true}) {
            Block b;
            Builder ir(&b);
            Value x = ir.get_reg(Type::I128, reg(0));
            Value y = same ? x : ir.get_reg(Type::I128, reg(2));
            ir.set_reg(reg(8), ir.vec_shuffle(x, y, ir.c128(t[0], t[1])));
            ir.exit_dispatch();
            REQUIRE(verify(b).empty());
            BaselineCompiler::Result res;
            std::string why;
            CompiledFn fn = tier->compile(b, nullptr, &res, &why);
            REQUIRE(fn);
            TestEnv env{};
            for (int i = 0; i < 4; ++i)
                env.r[i] = rng();
            u128 in[3] = {(u128)env.r[0] | (u128)env.r[1] << 64,
                          same ? (u128)env.r[0] | (u128)env.r[1] << 64
                               : (u128)env.r[2] | (u128)env.r[3] << 64,
                          (u128)t[0] | (u128)t[1] << 64};
            u128 want;
            REQUIRE(eval_vec(Op::VecShuffle, in, 0, &want));
            fn(&env);
            CHECK(env.r[8] == (uint64_t)want);
            CHECK(env.r[9] == (uint64_t)(want >> 64));
        }
    }
}

TEST_CASE("RBIT runs inline and reverses 32- and 64-bit values", "[x86][vec]") {
    std::string err;
    auto tier = emu::tcg::x86::make_baseline(64u << 20, &err);
    REQUIRE(tier);
    std::mt19937_64 rng(3);
    for (Type t : {Type::I32, Type::I64}) {
        Block b;
        Builder ir(&b);
        ir.set_reg(reg(8), ir.un(Op::Rbit, ir.get_reg(t, reg(0))));
        ir.exit_dispatch();
        BaselineCompiler::Result res;
        std::string why;
        CompiledFn fn = tier->compile(b, nullptr, &res, &why);
        REQUIRE(fn);
        unsigned bits = type_bits(t);
        for (unsigned round = 0; round < 200; ++round) {
            uint64_t x = round < 64 ? 1ull << round : rng();
            x &= type_mask(t);
            TestEnv env{};
            env.r[0] = x;
            fn(&env);
            uint64_t want = 0;
            for (unsigned i = 0; i < bits; ++i)
                want |= (x >> i & 1) << (bits - 1 - i);
            INFO(type_name(t) << " x=0x" << std::hex << x);
            CHECK((env.r[8] & type_mask(t)) == want);
        }
    }
}

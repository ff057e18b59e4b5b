// The vector ops compiled by the LLVM tier (vector IR, lower_vec.cpp)
// against the reference semantics and the interpreter, on lane-structured
// operands (vec_inputs.h), with the operands in registers (the general
// shuffle with a table in a register) and the last one constant (the
// constant-table shufflevector and constant-folded forms).
#include <catch2/catch.hpp>

#include "tcg/interp/interp.h"
#include "tcg/ir/eval.h"
#include "tcg/llvm/llvm_tier.h"
#include "test_world.h"
#include "vec_inputs.h"

using namespace emu::tcg;
using namespace emu::tcg::test;

TEST_CASE("LLVM vector ops match the reference on lane-structured operands", "[llvm][vec]") {
    std::vector<Shape> shapes = vec_shapes();
    REQUIRE(shapes.size() > 100);
    struct Case {
        Shape s;
        Form form;
        uint64_t lo[3], hi[3];  // operands; the constant ones are fixed in the block
        Block b;
    };
    std::vector<Case> cases;
    std::mt19937_64 rng(5);
    for (const Shape& s : shapes) {
        for (Form form : {Form::Regs, Form::ConstLast}) {
            for (unsigned k = 0; k < (form == Form::Regs ? 1 : 4); ++k) {
                Case c{s, form, {}, {}, {}};
                vec_operands(rng, s, c.lo, c.hi);
                if (!make_shape_block(s, form, c.lo, c.hi, &c.b)) continue;
                cases.push_back(std::move(c));
            }
        }
    }
    std::string err;
    auto tier = LlvmTier::create(LlvmTierOptions{}, &err);
    REQUIRE(tier);
    std::vector<CompiledFn> fns(cases.size(), nullptr);
    for (size_t i = 0; i < cases.size(); ++i)
        tier->submit(cases[i].b, [&fns, i](CompiledFn fn) { fns[i] = fn; });
    tier->drain();
    for (size_t i = 0; i < cases.size(); ++i) {
        Case& c = cases[i];
        INFO(print_block(c.b));
        REQUIRE(fns[i]);
        InterpCode code;
        REQUIRE(interp_lower(c.b, &code, &err));
        for (unsigned round = 0; round < 40; ++round) {
            uint64_t lo[3], hi[3];
            vec_operands(rng, c.s, lo, hi);
            if (c.form == Form::ConstLast) {
                size_t last = c.s.args.size() - 1;
                lo[last] = c.lo[last];
                hi[last] = c.hi[last];
            }
            u128 in[3] = {0, 0, 0};
            for (unsigned a = 0; a < c.s.args.size(); ++a)
                in[a] = (u128)lo[a] | ((u128)hi[a] << 64);
            u128 want;
            REQUIRE(eval_pure(c.s.op, c.s.t, c.s.args.data(), in, c.s.imm, &want));
            TestEnv env{}, ienv{};
            set_shape_operands(&env, c.s, lo, hi);
            std::memcpy(ienv.r, env.r, sizeof env.r);
            fns[i](&env);
            interp_run(code, &ienv);
            u128 got = shape_result(env, c.s.t), igot = shape_result(ienv, c.s.t);
            INFO(std::hex << "a=" << hi[0] << "_" << lo[0] << " b=" << hi[1] << "_" << lo[1]
                          << " c=" << hi[2] << "_" << lo[2]);
            CHECK((uint64_t)got == (uint64_t)want);
            CHECK((uint64_t)(got >> 64) == (uint64_t)(want >> 64));
            CHECK((uint64_t)igot == (uint64_t)want);
            CHECK((uint64_t)(igot >> 64) == (uint64_t)(want >> 64));
        }
    }
}

// Every pure op at every type the table allows, compiled by the baseline
// tier, against the reference semantics (tcg/ir/eval) and the interpreter,
// on edge values and random ones, with the operands in registers, as
// constants (the immediate forms), and still live after the op (so the
// result cannot take an operand's register). The cases come from the
// opcode table, so an op added there is tested here without editing this
// file; every pure op must compile.
#include <catch2/catch.hpp>

#include "op_shapes.h"
#include "tcg/interp/interp.h"
#include "tcg/ir/eval.h"
#include "tcg/x86/baseline.h"
#include "test_world.h"

using namespace emu::tcg;
using namespace emu::tcg::test;

TEST_CASE("baseline tier matches the reference semantics for every pure op and type",
          "[x86][ops]") {
    std::vector<Shape> shapes = all_shapes();
    for (Op op : ops_without_shapes(shapes))
        FAIL_CHECK("no shape for pure op " << op_info(op).name);
    REQUIRE(shapes.size() > 150);

    std::string err;
    auto tier = emu::tcg::x86::make_baseline(64u << 20, &err);
    REQUIRE(tier);
    std::mt19937_64 rng(42);
    unsigned compiled = 0;
    for (const Shape& s : shapes) {
        for (unsigned round = 0; round < 80; ++round) {
            ShapeOperands ops = pick_shape_operands(rng, s, round, 40);
            const uint64_t *lo = ops.lo, *hi = ops.hi;
            const u128* in = ops.in;
            u128 want;
            REQUIRE(eval_pure(s.op, s.t, s.args.data(), in, s.imm, &want));
            for (Form form : {Form::Regs, Form::ConstLast, Form::ConstFirst, Form::Live}) {
                Block b;
                if (!make_shape_block(s, form, lo, hi, &b)) continue;
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
                set_shape_operands(&env, s, lo, hi);
                // Bytes the block does not write must survive too.
                env.r[8] = env.r[9] = 0x5555555555555555ull;
                env.b[7] = ienv.b[7] = 1;
                std::memcpy(ienv.r, env.r, sizeof env.r);
                std::memcpy(ienv.b, env.b, sizeof env.b);
                ExitInfo ex = fn(&env);
                ExitInfo iex = interp_run(code, &ienv);
                u128 got = shape_result(env, s.t);
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

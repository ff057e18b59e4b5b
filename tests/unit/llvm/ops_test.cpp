// Every pure op at every type the table allows, compiled by the LLVM tier,
// against the reference semantics (tcg/ir/eval) and the interpreter, on
// edge values and random ones. The cases come from the opcode table itself,
// so an op added there is tested here without editing this file.
#include <catch2/catch.hpp>
#include <random>

#include "op_shapes.h"
#include "tcg/interp/interp.h"
#include "tcg/ir/eval.h"
#include "tcg/llvm/llvm_tier.h"
#include "test_world.h"

using namespace emu::tcg;
using namespace emu::tcg::test;

namespace {

// A shape with its one-op block (operands in registers), compiled in a batch.
struct Case {
    Shape shape;
    Block block;
};

}  // namespace

TEST_CASE("LLVM tier matches the reference semantics for every pure op and type", "[llvm]") {
    std::vector<Shape> shapes = all_shapes();
    for (Op op : ops_without_shapes(shapes))
        FAIL_CHECK("no shape for pure op " << op_info(op).name);
    std::vector<Case> cases;
    const uint64_t zero[3] = {0, 0, 0};
    for (Shape& s : shapes) {
        Case c{std::move(s), {}};
        REQUIRE(make_shape_block(c.shape, Form::Regs, zero, zero, &c.block));
        cases.push_back(std::move(c));
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
        const Shape& c = cases[i].shape;
        INFO(print_block(cases[i].block));
        REQUIRE(fns[i]);
        InterpCode code;
        REQUIRE(interp_lower(cases[i].block, &code, &err));
        for (unsigned round = 0; round < 150; ++round) {
            ShapeOperands ops = pick_shape_operands(rng, c, round, 60);
            const uint64_t *lo = ops.lo, *hi = ops.hi;
            const u128* in = ops.in;
            TestEnv env{};
            TestEnv ienv{};
            set_shape_operands(&env, c, lo, hi);
            std::memcpy(ienv.r, env.r, sizeof env.r);
            std::memcpy(ienv.b, env.b, sizeof env.b);
            u128 want;
            REQUIRE(eval_pure(c.op, c.t, c.args.data(), in, c.imm, &want));
            ExitInfo ex = fns[i](&env);
            ExitInfo iex = interp_run(code, &ienv);
            u128 got = shape_result(env, c.t);
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

// Conditions on SubFlags results (the emitter repeats the compare and
// branches on the host flags) against the interpreter: every A64
// condition, both widths, edge operands, the second operand in a register
// or as an immediate, the condition branched on or stored, the operands
// dead or still used afterwards.
#include <catch2/catch.hpp>
#include <cstring>
#include <memory>
#include <string>

#include "tcg/interp/interp.h"
#include "tcg/x86/baseline.h"
#include "test_world.h"

using namespace emu::tcg;
using namespace emu::tcg::test;

namespace {

struct Case {
    Type t;
    unsigned cond;
    bool b_const, branch, keep_operands;
};

Block flags_block(const Case& c, uint64_t bval) {
    Block b;
    b.guest_pc = 0x1000;
    Builder ir(&b);
    Value x = ir.get_reg(c.t, reg(0));
    Value y = c.b_const ? ir.constant(c.t, bval) : ir.get_reg(c.t, reg(1));
    Value f = ir.sub_flags(x, y);
    ir.set_reg(reg(2), f);
    ir.set_reg(reg(3), ir.c64(0x77));  // something between, as translated code has
    Value h = ir.cond_holds(f, c.cond);
    if (c.keep_operands) {
        ir.set_reg(reg(4), x);
        ir.set_reg(reg(5), y);
    }
    if (c.branch) {
        ir.exit_cond(h, 0x2000, 0x3000);
    } else {
        ir.set_reg(breg(0), h);
        ir.exit_link(0x2000);
    }
    return b;
}

}  // namespace

TEST_CASE("conditions on compare flags match the interpreter", "[x86][flags]") {
    std::string err;
    auto tier = emu::tcg::x86::make_baseline(64u << 20, &err);
    REQUIRE(tier);
    const uint64_t vals[] = {0,
                             1,
                             2,
                             0x7fffffff,
                             0x80000000,
                             0xffffffff,
                             0x12345678,
                             0x7fffffffffffffffull,
                             0x8000000000000000ull,
                             ~0ull,
                             0xfffffffe,
                             0x100000000ull};
    auto ei_env = std::make_unique<TestEnv>();
    auto ex_env = std::make_unique<TestEnv>();
    unsigned n = 0, taken = 0;
    for (Type t : {Type::I32, Type::I64}) {
        for (unsigned cond = 0; cond < 16; ++cond) {
            for (int form = 0; form < 8; ++form) {
                Case c{t, cond, bool(form & 1), bool(form & 2), bool(form & 4)};
                for (uint64_t av : vals) {
                    for (uint64_t bv : vals) {
                        uint64_t mask = t == Type::I32 ? 0xffffffffull : ~0ull;
                        Block b = flags_block(c, bv & mask);
                        INFO("type " << type_name(t) << " cond " << cond << " form " << form
                                     << " a 0x" << std::hex << av << " b 0x" << bv);
                        std::string why;
                        BaselineCompiler::Result res;
                        CompiledFn fn = tier->compile(b, nullptr, &res, &why);
                        REQUIRE(fn);
                        InterpCode code;
                        REQUIRE(interp_lower(b, &code, &err));
                        for (TestEnv* e : {ei_env.get(), ex_env.get()}) {
                            std::memset(e->r, 0, sizeof e->r);
                            std::memset(e->b, 0, sizeof e->b);
                            e->tcg.pc = 0x1000;
                            e->r[0] = av & mask;
                            e->r[1] = bv & mask;
                        }
                        ExitInfo ei = interp_run(code, ei_env.get());
                        ExitInfo ex = fn(ex_env.get());
                        CHECK(ei.slot == ex.slot);
                        CHECK(ei_env->tcg.pc == ex_env->tcg.pc);
                        CHECK(std::memcmp(ei_env->r, ex_env->r, sizeof ex_env->r) == 0);
                        CHECK(ei_env->b[0] == ex_env->b[0]);
                        if (ex_env->tcg.pc == 0x2000) ++taken;
                        ++n;
                    }
                }
            }
        }
    }
    CHECK(taken > 0);
    CHECK(taken < n);
}

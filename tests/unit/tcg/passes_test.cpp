#include <catch2/catch.hpp>
#include <cstring>
#include <random>

#include "tcg/interp/interp.h"
#include "tcg/opt/passes.h"
#include "test_env.h"

using namespace emu::tcg;
using namespace emu::tcg::test;

namespace {
size_t count(const Block& b, Op op) {
    size_t n = 0;
    for (const Inst& in : b.insts)
        n += in.op == op;
    return n;
}
}  // namespace

TEST_CASE("get/set elimination forwards values", "[tcg][opt]") {
    Block b;
    Builder ir(&b);
    Value x = ir.get_reg(Type::I64, reg(0));
    ir.set_reg(reg(1), ir.add(x, ir.c64(1)));
    Value y = ir.get_reg(Type::I64, reg(1));  // forwarded from the SetReg
    Value z = ir.get_reg(Type::I64, reg(0));  // same as x
    ir.set_reg(reg(2), ir.add(y, z));
    ir.exit_dispatch();
    REQUIRE(optimize(b).empty());
    CHECK(count(b, Op::GetReg) == 1);
}

TEST_CASE("dead store elimination keeps stores before faulting ops", "[tcg][opt]") {
    Block b;
    Builder ir(&b);
    Value x = ir.get_reg(Type::I64, reg(0));
    ir.set_reg(reg(3), ir.c32(1));  // NZCV-like: overwritten below, dead
    ir.set_reg(reg(3), ir.c32(2));  // live across the load (fault path reads it)
    ir.load(Type::I64, x, MemOp::make(3, 0), 0x40);
    ir.set_reg(reg(3), ir.c32(3));
    ir.exit_dispatch();
    REQUIRE(optimize(b).empty());
    CHECK(count(b, Op::SetReg) == 2);
    CHECK(count(b, Op::Load) == 1);  // loads are never removed (they can fault)
}

TEST_CASE("constant folding and dead code", "[tcg][opt]") {
    Block b;
    Builder ir(&b);
    Value a = ir.c64(6);
    Value m = ir.mul(a, ir.c64(7));
    Value unused = ir.add(ir.get_reg(Type::I64, reg(0)), m);
    (void)unused;
    ir.set_reg(reg(1), m);
    ir.exit_cond(ir.cmp(Op::Eq, m, ir.c64(42)), 0x10, 0x20);
    REQUIRE(optimize(b).empty());
    CHECK(count(b, Op::Mul) == 0);
    CHECK(count(b, Op::GetReg) == 0);
    REQUIRE(b.terminal());
    CHECK(b.terminal()->op == Op::ExitLink);
    CHECK(b.terminal()->imm == 0x10);
}

TEST_CASE("optimised random blocks compute what the originals compute", "[tcg][opt]") {
    std::mt19937_64 rng(99);
    const Op ops[] = {Op::Add, Op::Sub, Op::And, Op::Or, Op::Xor, Op::Shl, Op::LShr, Op::Mul};
    for (int iter = 0; iter < 300; ++iter) {
        Block b;
        Builder ir(&b);
        std::vector<Value> vals;
        for (int i = 0; i < 30; ++i) {
            int kind = static_cast<int>(rng() % 5);
            if (kind == 0 || vals.size() < 2) {
                vals.push_back(rng() & 1 ? ir.c64(rng() % 4)
                                         : ir.get_reg(Type::I64, reg(rng() % 6)));
            } else if (kind == 1) {
                ir.set_reg(reg(rng() % 6), vals[rng() % vals.size()]);
            } else {
                vals.push_back(
                    ir.bin(ops[rng() % 8], vals[rng() % vals.size()], vals[rng() % vals.size()]));
            }
        }
        ir.set_reg(reg(7), vals.back());
        ir.exit_dispatch();
        Block opt = b;
        REQUIRE(optimize(opt).empty());
        InterpCode c1, c2;
        std::string err;
        REQUIRE(interp_lower(b, &c1, &err));
        REQUIRE(interp_lower(opt, &c2, &err));
        TestEnv e1{}, e2{};
        for (int r = 0; r < 8; ++r)
            e1.r[r] = e2.r[r] = rng();
        interp_run(c1, &e1);
        interp_run(c2, &e2);
        INFO(print_block(b) << "\n" << print_block(opt));
        CHECK(std::memcmp(e1.r, e2.r, sizeof e1.r) == 0);
        CHECK(opt.insts.size() <= b.insts.size());
    }
}

TEST_CASE("a dead read does not keep an overwritten store alive", "[tcg][opt]") {
    Block b;
    Builder ir(&b);
    ir.set_reg(reg(3), ir.c64(1));  // overwritten below; only a dead GetReg reads it
    Value unused = ir.get_reg(Type::I32, reg(3));
    (void)unused;
    ir.set_reg(reg(3), ir.c64(2));
    ir.exit_dispatch();
    REQUIRE(optimize(b).empty());
    CHECK(count(b, Op::GetReg) == 0);
    CHECK(count(b, Op::SetReg) == 1);
    // A live read in between keeps it.
    Block c;
    Builder jr(&c);
    jr.set_reg(reg(3), jr.c64(1));
    Value used = jr.get_reg(Type::I32, reg(3));
    jr.set_reg(reg(3), jr.c64(2));
    jr.set_reg(reg(4), jr.zext(Type::I64, used));
    jr.exit_dispatch();
    REQUIRE(optimize(c).empty());
    CHECK(count(c, Op::SetReg) == 3);
}

#include <catch2/catch.hpp>

#include "tcg/ir/ir.h"
#include "test_env.h"

using namespace emu::tcg;
using namespace emu::tcg::test;

TEST_CASE("verifier accepts a well-formed block", "[tcg][ir]") {
    Block b;
    Builder ir(&b);
    Value x = ir.get_reg(Type::I64, reg(0));
    Value y = ir.add(x, ir.c64(5));
    ir.set_reg(reg(1), y);
    ir.set_reg(reg(2), ir.zext(Type::I64, ir.sub_flags(x, y)));
    ir.exit_link(0x1000);
    CHECK(verify(b).empty());
    std::string text = print_block(b);
    CHECK(text.find("Add v0, v1") != std::string::npos);
    CHECK(text.find("ExitLink 0x1000") != std::string::npos);
}

TEST_CASE("verifier rejects malformed blocks", "[tcg][ir]") {
    SECTION("no terminal") {
        Block b;
        Builder ir(&b);
        ir.set_reg(reg(0), ir.c64(1));
        CHECK(verify(b).find("terminal") != std::string::npos);
    }
    SECTION("mixed operand types") {
        Block b;
        Builder ir(&b);
        ir.emit(Op::Add, Type::I64, {ir.c64(1), ir.c32(2)});
        ir.exit_dispatch();
        CHECK_FALSE(verify(b).empty());
    }
    SECTION("use before definition") {
        Block b;
        Builder ir(&b);
        ir.emit(Op::Not, Type::I64, {Value{1}});
        ir.c64(0);
        ir.exit_dispatch();
        CHECK(verify(b).find("defined") != std::string::npos);
    }
    SECTION("terminal in the middle") {
        Block b;
        Builder ir(&b);
        ir.exit_dispatch();
        ir.exit_dispatch();
        CHECK(verify(b).find("terminal before") != std::string::npos);
    }
    SECTION("extension that narrows") {
        Block b;
        Builder ir(&b);
        ir.emit(Op::ZExt, Type::I32, {ir.c64(1)});
        ir.exit_dispatch();
        CHECK(verify(b).find("widen") != std::string::npos);
    }
    SECTION("load size mismatch") {
        Block b;
        Builder ir(&b);
        ir.load(Type::I32, ir.c64(0), MemOp::make(3, 0), 0);
        ir.exit_dispatch();
        CHECK(verify(b).find("size") != std::string::npos);
    }
    SECTION("result type not allowed") {
        Block b;
        Builder ir(&b);
        Value c = ir.c128(1, 2);
        ir.emit(Op::Add, Type::I128, {c, c});
        ir.exit_dispatch();
        CHECK(verify(b).find("not allowed") != std::string::npos);
    }
}

TEST_CASE("compact removes nops and renumbers", "[tcg][ir]") {
    Block b;
    Builder ir(&b);
    Value a = ir.c64(1);
    Value dead = ir.c64(2);
    Value s = ir.add(a, a);
    ir.set_reg(reg(0), s);
    ir.exit_dispatch();
    b.insts[dead.id].op = Op::Nop;
    b.compact();
    REQUIRE(b.insts.size() == 4);
    CHECK(b.insts[1].op == Op::Add);
    CHECK(b.insts[2].args[0].id == 1);
    CHECK(verify(b).empty());
}

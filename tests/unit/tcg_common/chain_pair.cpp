#include "chain_pair.h"

#include "test_world.h"

namespace emu::tcg::test {

ChainPair make_chain_pair() {
    ChainPair p;
    p.a.guest_pc = 0x1000;
    {
        Builder ir(&p.a);
        ir.set_reg(reg(0), ir.add(ir.get_reg(Type::I64, reg(0)), ir.c64(1)));
        ir.exit_link(0x2000);
    }
    p.b.guest_pc = 0x2000;
    {
        Builder ir(&p.b);
        Value r1 = ir.add(ir.get_reg(Type::I64, reg(1)), ir.get_reg(Type::I64, reg(0)));
        ir.set_reg(reg(1), r1);
        ir.exit_cond(ir.cmp(Op::Ult, r1, ir.c64(1000)), 0x1000, 0x3000);
    }
    for (;;) {
        p.want0 += 1;
        p.want1 += p.want0;
        if (!(p.want1 < 1000)) break;
    }
    return p;
}

}  // namespace emu::tcg::test

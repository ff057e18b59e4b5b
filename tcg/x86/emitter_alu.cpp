// IR -> x86-64: integer, comparison, width and flag ops.
#include "tcg/x86/emitter_impl.h"

namespace emu::tcg::x86::detail {

void Emitter::binary(const Inst& in) {
    Value a = in.args[0], b = in.args[1];
    unsigned bits = bits_of(in.type);
    bool w64 = bits == 64;
    Reg64 ra = in_reg(a, rax);
    bool bk = is_const(b) && (w64 ? fits_i32(kval(b)) : true);
    Reg64 rb = bk ? rcx : in_reg(b, rcx);
    bool has_c = in.op == Op::AddCarry && !is_const(in.args[2]);
    Reg64 rc = has_c ? in_reg(in.args[2], rdx) : rdx;
    int prefer = pool_of(ra);
    release_dead();
    Reg64 d = def(prefer);
    // dst = a; dst op= b; [dst += c]. When d already holds b (or c), either
    // swap a commutative op or compute in rax.
    Reg64 dst = d;
    bool via_rax = false;
    if (!bk && d.getIdx() == rb.getIdx() && d.getIdx() != ra.getIdx()) {
        if (in.op != Op::Sub && !has_c) {
            std::swap(ra, rb);
        } else {
            via_rax = true;
        }
    }
    if (has_c && d.getIdx() == rc.getIdx()) via_rax = true;
    if (via_rax) dst = rax;
    if (dst.getIdx() != ra.getIdx()) mov_rr(dst, ra);
    Xbyak::Reg X = w64 ? static_cast<Xbyak::Reg>(dst) : static_cast<Xbyak::Reg>(dst.cvt32());
    Xbyak::Reg B = w64 ? static_cast<Xbyak::Reg>(rb) : static_cast<Xbyak::Reg>(rb.cvt32());
    uint32_t k = static_cast<uint32_t>(bk ? kval(b) : 0);
    auto alu = [&](uint8_t op, unsigned ext) {
        if (bk) {
            alu_ri(ext, dst, k, w64);
        } else {
            alu_rr(op, dst, rb, w64);
        }
    };
    switch (in.op) {
        case Op::Add:
        case Op::AddCarry:
            alu(0x01, 0);
            break;
        case Op::Sub:
            alu(0x29, 5);
            break;
        case Op::And:
            alu(0x21, 4);
            break;
        case Op::Or:
            alu(0x09, 1);
            break;
        case Op::Xor:
            alu(0x31, 6);
            break;
        case Op::Mul:
            bk ? g_.imul(X, X, static_cast<int>(k)) : g_.imul(X, B);
            break;
        default:
            throw Unsupported{op_info(in.op).name};
    }
    if (in.op == Op::AddCarry) {
        if (has_c) {
            w64 ? g_.add(X, rc) : g_.add(X, rc.cvt32());
        } else if (kval(in.args[2]) & 1) {
            g_.add(X, 1);
        }
    }
    if (bits < 32) canon(dst, in.type);
    if (via_rax) g_.mov(d, rax);
}

void Emitter::shift(const Inst& in) {
    Value a = in.args[0], b = in.args[1];
    unsigned bits = bits_of(in.type);
    bool w64 = bits == 64;
    Reg64 ra = in_reg(a, rax);
    bool bk = is_const(b);
    if (!bk) {
        Reg64 rb = in_reg(b, rcx);
        g_.mov(ecx, rb.cvt32());
        if (bits < 32) g_.and_(ecx, bits - 1);
    }
    uint8_t k = bk ? static_cast<uint8_t>(kval(b) % bits) : 0;
    int prefer = pool_of(ra);
    release_dead();
    Reg64 d = def(prefer);
    Xbyak::Reg X = w64 ? static_cast<Xbyak::Reg>(d) : static_cast<Xbyak::Reg>(d.cvt32());
    if (in.op == Op::AShr && bits < 32) {
        if (bits == 8) {
            g_.movsx(d.cvt32(), ra.cvt8());
        } else {
            g_.movsx(d.cvt32(), ra.cvt16());
        }
    } else if (d.getIdx() != ra.getIdx()) {
        g_.mov(d, ra);
    }
    auto doit = [&](auto&& f) {
        if (bk) {
            f(X, k);
        } else {
            f(X, cl);
        }
    };
    switch (in.op) {
        case Op::Shl:
            doit([&](const Xbyak::Reg& x, auto y) { g_.shl(x, y); });
            break;
        case Op::LShr:
            doit([&](const Xbyak::Reg& x, auto y) { g_.shr(x, y); });
            break;
        case Op::AShr:
            doit([&](const Xbyak::Reg& x, auto y) { g_.sar(x, y); });
            break;
        case Op::Ror:
            doit([&](const Xbyak::Reg& x, auto y) { g_.ror(x, y); });
            break;
        default:
            break;
    }
    if (bits < 32) canon(d, in.type);
}

void Emitter::muldiv(const Inst& in) {
    unsigned bits = bits_of(in.type);
    bool w64 = bits == 64;
    // Operands go to rax (a) and rcx (b); results come from rax/rdx.
    Value a = in.args[0], b = in.args[1];
    if (is_const(a)) {
        mov_imm(rax, kval(a));
    } else {
        g_.mov(rax, in_reg(a, rax));
    }
    if (is_const(b)) {
        mov_imm(rcx, kval(b));
    } else {
        g_.mov(rcx, in_reg(b, rcx));
    }
    release_dead();
    Reg64 d = def();
    switch (in.op) {
        case Op::UMulH:
            if (w64) {
                g_.mul(rcx);
                g_.mov(d, rdx);
            } else {
                g_.imul(rax, rcx);  // both < 2^32: the low 64 bits are exact
                g_.shr(rax, 32);
                g_.mov(d, rax);
            }
            break;
        case Op::SMulH:
            if (w64) {
                g_.imul(rcx);
                g_.mov(d, rdx);
            } else {
                g_.movsxd(rax, eax);
                g_.movsxd(rcx, ecx);
                g_.imul(rax, rcx);
                g_.shr(rax, 32);
                g_.mov(d.cvt32(), eax);
            }
            break;
        case Op::UDiv:
        case Op::SDiv: {
            // A64: x / 0 = 0; INT_MIN / -1 = INT_MIN (= -x, as for any x / -1).
            Lbl zero = new_label(), neg = new_label(), done = new_label();
            Xbyak::Reg A = w64 ? static_cast<Xbyak::Reg>(rax) : static_cast<Xbyak::Reg>(eax);
            Xbyak::Reg B = w64 ? static_cast<Xbyak::Reg>(rcx) : static_cast<Xbyak::Reg>(ecx);
            g_.test(B, B);
            jcc8(kE, zero);
            if (in.op == Op::SDiv) {
                g_.cmp(B, 0xFFFFFFFFu);
                jcc8(kE, neg);
                if (w64) {
                    g_.cqo();
                } else {
                    g_.cdq();
                }
                g_.idiv(B);
            } else {
                g_.xor_(edx, edx);
                g_.div(B);
            }
            jmp8(done);
            bind(neg);
            g_.neg(A);
            jmp8(done);
            bind(zero);
            g_.xor_(eax, eax);
            bind(done);
            g_.mov(d.cvt32(), eax);
            if (w64) g_.mov(d, rax);
            break;
        }
        default:
            break;
    }
}

void Emitter::unary(const Inst& in) {
    unsigned bits = bits_of(in.type);
    bool w64 = bits == 64;
    Reg64 ra = in_reg(in.args[0], rax);
    int prefer = pool_of(ra);
    release_dead();
    Reg64 d = def(prefer);
    Xbyak::Reg X = w64 ? static_cast<Xbyak::Reg>(d) : static_cast<Xbyak::Reg>(d.cvt32());
    switch (in.op) {
        case Op::Not:
            if (d.getIdx() != ra.getIdx()) g_.mov(d, ra);
            if (bits < 32) {
                g_.xor_(d.cvt32(), static_cast<uint32_t>(type_mask(in.type)));
            } else {
                g_.not_(X);
            }
            break;
        case Op::Neg:
            if (d.getIdx() != ra.getIdx()) g_.mov(d, ra);
            g_.neg(X);
            if (bits < 32) canon(d, in.type);
            break;
        case Op::Clz:
            if (w64) {
                g_.bsr(rax, ra);
            } else {
                g_.bsr(eax, ra.cvt32());
            }
            g_.mov(ecx, 0xFFFFFFFFu);
            g_.cmovz(eax, ecx);
            g_.mov(d.cvt32(), bits - 1);
            g_.sub(d.cvt32(), eax);
            break;
        case Op::Bswap:
            if (d.getIdx() != ra.getIdx()) g_.mov(d, ra);
            if (bits == 16) {
                g_.rol(d.cvt16(), 8);
                canon(d, in.type);
            } else if (bits == 32) {
                g_.bswap(d.cvt32());
            } else if (bits == 64) {
                g_.bswap(d);
            }
            break;
        case Op::Ctpop:
            g_.popcnt(d, ra);
            break;
        default:
            break;
    }
}

void Emitter::compare(const Inst& in) {
    Value a = in.args[0], b = in.args[1];
    unsigned bits = bits_of(ty(a));
    bool sign = in.op == Op::Slt || in.op == Op::Sle;
    bool w64 = bits == 64;
    Reg64 ra = in_reg(a, rax);
    bool bk = is_const(b) && (w64 ? fits_i32(kval(b)) : !sign || bits >= 32);
    Reg64 rb = bk ? rcx : in_reg(b, rcx);
    if (sign && bits < 32) {
        // Compare sign-extended copies at 32 bits.
        auto sx = [&](const Reg64& dst, const Reg64& src) {
            if (bits == 1) {
                g_.mov(dst.cvt32(), src.cvt32());
                g_.neg(dst.cvt32());
            } else if (bits == 8) {
                g_.movsx(dst.cvt32(), src.cvt8());
            } else {
                g_.movsx(dst.cvt32(), src.cvt16());
            }
        };
        sx(rax, ra);
        sx(rcx, rb);
        g_.cmp(eax, ecx);
    } else if (bk) {
        if (w64) {
            g_.cmp(ra, static_cast<uint32_t>(kval(b)));
        } else {
            g_.cmp(ra.cvt32(), static_cast<uint32_t>(kval(b)));
        }
    } else if (w64) {
        g_.cmp(ra, rb);
    } else {
        g_.cmp(ra.cvt32(), rb.cvt32());
    }
    release_dead();
    if (fuse_with_exit(in.op == Op::Eq    ? kE
                       : in.op == Op::Ne  ? kNE
                       : in.op == Op::Ult ? kB
                       : in.op == Op::Ule ? kBE
                       : in.op == Op::Slt ? kL
                                          : kLE)) {
        return;
    }
    Reg64 d = def();
    auto d8 = d.cvt8();
    switch (in.op) {
        case Op::Eq:
            g_.sete(d8);
            break;
        case Op::Ne:
            g_.setne(d8);
            break;
        case Op::Ult:
            g_.setb(d8);
            break;
        case Op::Ule:
            g_.setbe(d8);
            break;
        case Op::Slt:
            g_.setl(d8);
            break;
        case Op::Sle:
            g_.setle(d8);
            break;
        default:
            break;
    }
    g_.movzx(d.cvt32(), d8);
}

void Emitter::select(const Inst& in) {
    Value c = in.args[0], t = in.args[1], f = in.args[2];
    if (is_const(c)) {
        Value pick = (kval(c) & 1) ? t : f;
        Reg64 r = in_reg(pick, rax);
        int prefer = pool_of(r);
        release_dead();
        Reg64 d = def(prefer);
        if (d.getIdx() != r.getIdx()) g_.mov(d, r);
        return;
    }
    Reg64 rc = in_reg(c, rax);
    Reg64 rt = in_reg(t, rcx);
    Reg64 rf = in_reg(f, rdx);
    release_dead();
    Reg64 d = def();
    g_.test(rc.cvt32(), rc.cvt32());
    if (d.getIdx() == rt.getIdx()) {
        g_.cmovz(d, rf);
    } else {
        if (d.getIdx() != rf.getIdx()) g_.mov(d, rf);
        g_.cmovnz(d, rt);
    }
}

void Emitter::widen(const Inst& in) {
    Value a = in.args[0];
    unsigned from = bits_of(ty(a));
    Reg64 ra = in_reg(a, rax);
    int prefer = pool_of(ra);
    release_dead();
    Reg64 d = def(prefer);
    if (in.op == Op::SExt) {
        switch (from) {
            case 1:
                if (d.getIdx() != ra.getIdx()) g_.mov(d, ra);
                g_.neg(d);
                break;
            case 8:
                g_.movsx(d, ra.cvt8());
                break;
            case 16:
                g_.movsx(d, ra.cvt16());
                break;
            default:
                g_.movsxd(d, ra.cvt32());
                break;
        }
        canon(d, in.type);
        return;
    }
    if (d.getIdx() != ra.getIdx()) g_.mov(d, ra);
    if (in.op == Op::Trunc) canon(d, in.type);
}

void Emitter::flags(const Inst& in) {
    Value a = in.args[0];
    bool w64 = bits_of(ty(a)) == 64;
    auto W = [&](const Reg64& r) -> Xbyak::Reg {
        return w64 ? static_cast<Xbyak::Reg>(r) : static_cast<Xbyak::Reg>(r.cvt32());
    };
    Reg64 ra = in_reg(a, rcx);
    if (in.op == Op::LogicFlags) {
        g_.test(W(ra), W(ra));
    } else {
        Value b = in.args[1];
        bool bk = is_const(b) && (w64 ? fits_i32(kval(b)) : true);
        Reg64 rb = bk ? rdx : in_reg(b, rdx);
        Reg64 rcin = rax;
        bool cin_k = in.op == Op::AdcFlags && is_const(in.args[2]);
        if (in.op == Op::AdcFlags && !cin_k) rcin = in_reg(in.args[2], rax);
        auto with_b = [&](auto&& f, const Xbyak::Reg& x) {
            if (bk) {
                f(x, static_cast<uint32_t>(kval(b)));
            } else {
                f(x, W(rb));
            }
        };
        if (in.op == Op::SubFlags) {
            with_b([&](const Xbyak::Reg& x, auto y) { g_.cmp(x, y); }, W(ra));
        } else {
            // rcx may hold a (a constant): add into rcx either way.
            if (ra.getIdx() != rcx.getIdx()) g_.mov(rcx, ra);
            if (in.op == Op::AddFlags) {
                with_b([&](const Xbyak::Reg& x, auto y) { g_.add(x, y); }, W(rcx));
            } else {
                if (cin_k) {
                    if (kval(in.args[2]) & 1) {
                        g_.stc();
                    } else {
                        g_.clc();
                    }
                } else {
                    g_.bt(rcin.cvt32(), 0);
                }
                with_b([&](const Xbyak::Reg& x, auto y) { g_.adc(x, y); }, W(rcx));
            }
        }
    }
    // Host SF ZF CF OF -> N Z C V at bits 31..28: lahf puts SF at bit 15,
    // ZF at 14 and CF at 8 of eax, seto OF at bit 0; one multiply moves all
    // four into place without overlapping carries.
    g_.lahf();
    g_.seto(al);
    g_.and_(eax, 0xC101);
    g_.imul(eax, eax, 0x10210000);
    g_.and_(eax, 0xF0000000u);
    if (in.op == Op::SubFlags) g_.xor_(eax, 0x20000000u);  // A64 C is "no borrow"
    release_dead();
    Reg64 d = def();
    g_.mov(d.cvt32(), eax);
}

void Emitter::cond_holds(const Inst& in) {
    unsigned cond = static_cast<unsigned>(in.imm);
    if (Value f; recompare_source(in, &f)) {
        // A64 condition after a - b -> x86 condition after cmp a, b (A64's
        // C is the inverse of x86's borrow).
        static constexpr Cc kMap[14] = {kE,    kNE, kAE, kB,  kS, Cc(9), kO,
                                        Cc(1), kA,  kBE, kGE, kL, kG,    kLE};
        const Inst& sf = b_->at(f);
        Value a = sf.args[0], b = sf.args[1];
        bool w64 = ty(a) == Type::I64;
        Reg64 ra = in_reg(a, rcx);
        bool bk = is_const(b) && (w64 ? fits_i32(kval(b)) : true);
        if (bk) {
            alu_ri(7, ra, static_cast<uint32_t>(kval(b)), w64);  // cmp ra, imm
        } else {
            alu_rr(0x39, ra, in_reg(b, rdx), w64);  // cmp ra, rb
        }
        release_dead();
        release_if_last(a);
        release_if_last(b);
        Cc cc = kMap[cond];
        if (fuse_with_exit(cc)) return;
        Reg64 d = def();
        Raw w = raw();
        unsigned di = static_cast<unsigned>(d.getIdx());
        w.b(di >= 8 ? 0x41 : 0x40);
        w.b(0x0F);
        w.b(static_cast<uint8_t>(0x90 | cc));  // setcc d8
        w.b(static_cast<uint8_t>(0xC0 | (di & 7)));
        w.b(di >= 8 ? 0x45 : 0x40);
        w.b(0x0F);
        w.b(0xB6);  // movzx d32, d8
        w.b(static_cast<uint8_t>(0xC0 | (di & 7) << 3 | (di & 7)));
        commit(w);
        return;
    }
    uint32_t mask = 0;
    for (uint32_t f = 0; f < 16; ++f)
        if (tcg::cond_holds(f << 28, cond)) mask |= 1u << f;
    Reg64 ra = in_reg(in.args[0], rax);
    g_.mov(eax, ra.cvt32());
    g_.shr(eax, 28);
    g_.mov(ecx, mask);
    g_.bt(ecx, eax);
    release_dead();
    if (fuse_with_exit(kB)) return;
    Reg64 d = def();
    g_.setc(d.cvt8());
    g_.movzx(d.cvt32(), d.cvt8());
}

}  // namespace emu::tcg::x86::detail

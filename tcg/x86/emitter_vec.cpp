// The vector ops (VecDup .. VecReduce, opcodes.inc) as SSE code. i128
// values live in frame slot pairs (emitter_impl.h), so each op loads its
// operands into xmm0.. (constants are built from immediates), computes
// there and stores the result to its slots; no value lives in an xmm
// register across ops, so calls need not save them. Needs SSE4.2 (the
// 64-bit compares): on an older host the op is unsupported and the block
// goes to the interpreter.
#include "tcg/x86/emitter_impl.h"

namespace emu::tcg::x86::detail {

namespace {

using Xbyak::Xmm;

bool host_has_sse42() {
    static const bool has = Xbyak::util::Cpu().has(Xbyak::util::Cpu::tSSE42);
    return has;
}

uint64_t rep8(uint8_t b) {
    return 0x0101010101010101ull * b;
}
// The value with the top bit of every lane of `es` set.
uint64_t lane_tops(unsigned es) {
    static constexpr uint64_t kTop[] = {0x8080808080808080ull, 0x8000800080008000ull,
                                        0x8000000080000000ull, 0x8000000000000000ull};
    return kTop[es];
}

}  // namespace

void Emitter::vec_const(const Xmm& x, uint64_t lo, uint64_t hi) {
    if (lo == 0 && hi == 0) {
        g_.pxor(x, x);
        return;
    }
    if (lo == ~0ull && hi == ~0ull) {
        g_.pcmpeqd(x, x);
        return;
    }
    mov_imm(rax, lo);
    g_.movq(x, rax);
    if (hi == lo) {
        g_.punpcklqdq(x, x);
    } else if (hi != 0) {
        mov_imm(rax, hi);
        g_.pinsrq(x, rax, 1);
    }
}

void Emitter::vec_load(const Xmm& x, Value v) {
    if (is_const(v)) return vec_const(x, kval(v), b_->at(v).imm2);
    g_.movdqu(x, g_.ptr[rsp + slot_[v.id] * 8]);
}

// a = a op b on lanes of es (max/min: es < 3).
void Emitter::vec_bin(unsigned kind, unsigned es, const Xmm& a, const Xmm& b) {
    switch (static_cast<VecBinKind>(kind)) {
        case VecBinKind::Add:
            if (es == 0) g_.paddb(a, b);
            if (es == 1) g_.paddw(a, b);
            if (es == 2) g_.paddd(a, b);
            if (es == 3) g_.paddq(a, b);
            return;
        case VecBinKind::Sub:
            if (es == 0) g_.psubb(a, b);
            if (es == 1) g_.psubw(a, b);
            if (es == 2) g_.psubd(a, b);
            if (es == 3) g_.psubq(a, b);
            return;
        case VecBinKind::UMax:
            if (es == 0) g_.pmaxub(a, b);
            if (es == 1) g_.pmaxuw(a, b);
            if (es == 2) g_.pmaxud(a, b);
            return;
        case VecBinKind::UMin:
            if (es == 0) g_.pminub(a, b);
            if (es == 1) g_.pminuw(a, b);
            if (es == 2) g_.pminud(a, b);
            return;
        case VecBinKind::SMax:
            if (es == 0) g_.pmaxsb(a, b);
            if (es == 1) g_.pmaxsw(a, b);
            if (es == 2) g_.pmaxsd(a, b);
            return;
        case VecBinKind::SMin:
            if (es == 0) g_.pminsb(a, b);
            if (es == 1) g_.pminsw(a, b);
            if (es == 2) g_.pminsd(a, b);
            return;
    }
}

void Emitter::vec_cmp(unsigned kind, unsigned es, const Xmm& a, const Xmm& b) {
    auto eq = [&](const Xmm& x, const Xmm& y) {
        if (es == 0) g_.pcmpeqb(x, y);
        if (es == 1) g_.pcmpeqw(x, y);
        if (es == 2) g_.pcmpeqd(x, y);
        if (es == 3) g_.pcmpeqq(x, y);
    };
    auto gt = [&](const Xmm& x, const Xmm& y) {
        if (es == 0) g_.pcmpgtb(x, y);
        if (es == 1) g_.pcmpgtw(x, y);
        if (es == 2) g_.pcmpgtd(x, y);
        if (es == 3) g_.pcmpgtq(x, y);
    };
    // x = ~y
    auto invert_into = [&](const Xmm& x, const Xmm& y) {
        g_.pcmpeqd(x, x);
        g_.pxor(x, y);
    };
    auto bias = [&]() {  // unsigned order -> signed order
        vec_const(xmm2, lane_tops(es), lane_tops(es));
        g_.pxor(a, xmm2);
        g_.pxor(b, xmm2);
    };
    switch (static_cast<VecCmpKind>(kind)) {
        case VecCmpKind::Eq:
            return eq(a, b);
        case VecCmpKind::SGt:
            return gt(a, b);
        case VecCmpKind::SGe:  // !(b > a)
            gt(b, a);
            return invert_into(a, b);
        case VecCmpKind::UGt:
            bias();
            return gt(a, b);
        case VecCmpKind::UGe:
            if (es < 3) {  // max(a, b) == a
                g_.movdqa(xmm2, a);
                vec_bin(unsigned(VecBinKind::UMax), es, xmm2, b);
                return eq(a, xmm2);
            }
            bias();
            gt(b, a);
            return invert_into(a, b);
    }
}

// x = x shifted per lane (amount <= lane bits, not 0).
void Emitter::vec_shift(unsigned kind, unsigned es, unsigned amount, const Xmm& x) {
    unsigned bits = 8u << es;
    auto k = static_cast<VecShiftKind>(kind);
    if (k != VecShiftKind::AShr && amount >= bits) {
        g_.pxor(x, x);
        return;
    }
    if (k == VecShiftKind::AShr && amount >= bits) amount = bits - 1;
    auto n = static_cast<uint8_t>(amount);
    switch (k) {
        case VecShiftKind::Shl:
            if (es == 0) {
                g_.psllw(x, n);
                vec_const(xmm1, rep8(uint8_t(0xff << n)), rep8(uint8_t(0xff << n)));
                g_.pand(x, xmm1);
            }
            if (es == 1) g_.psllw(x, n);
            if (es == 2) g_.pslld(x, n);
            if (es == 3) g_.psllq(x, n);
            return;
        case VecShiftKind::LShr:
        case VecShiftKind::AShr:
            if (es == 0) {
                g_.psrlw(x, n);
                vec_const(xmm1, rep8(uint8_t(0xff >> n)), rep8(uint8_t(0xff >> n)));
                g_.pand(x, xmm1);
                if (k == VecShiftKind::AShr) {  // sign-extend from bit 7 - n
                    vec_const(xmm1, rep8(uint8_t(0x80 >> n)), rep8(uint8_t(0x80 >> n)));
                    g_.pxor(x, xmm1);
                    g_.psubb(x, xmm1);
                }
                return;
            }
            if (k == VecShiftKind::LShr) {
                if (es == 1) g_.psrlw(x, n);
                if (es == 2) g_.psrld(x, n);
                if (es == 3) g_.psrlq(x, n);
                return;
            }
            if (es == 1) g_.psraw(x, n);
            if (es == 2) g_.psrad(x, n);
            if (es == 3) {  // no psraq: the logical shift or'ed with the sign
                g_.pxor(xmm1, xmm1);
                g_.pcmpgtq(xmm1, x);
                g_.psrlq(x, n);
                g_.psllq(xmm1, static_cast<uint8_t>(64 - n));
                g_.por(x, xmm1);
            }
            return;
    }
}

// xmm0 = shuffle of xmm0 (a) and xmm1 (b) by the table in xmm2 (computed
// masks; the constant table case is handled by the caller).
void Emitter::vec_shuffle_var() {
    // Lanes with t < 16 come from a, 16 <= t < 32 from b: pshufb zeroes a
    // lane whose mask byte has bit 7 set, so each mask is t (or t - 16)
    // where in range and 0xff elsewhere.
    vec_const(xmm3, rep8(0x0f), rep8(0x0f));
    g_.pcmpeqd(xmm5, xmm5);
    for (int src = 0; src < 2; ++src) {
        if (src == 1) {
            vec_const(xmm4, rep8(0x10), rep8(0x10));
            g_.psubb(xmm2, xmm4);
        }
        g_.movdqa(xmm4, xmm2);
        g_.pminub(xmm4, xmm3);
        g_.pcmpeqb(xmm4, xmm2);  // in range
        g_.pxor(xmm4, xmm5);
        g_.por(xmm4, xmm2);
        g_.pshufb(src ? xmm1 : xmm0, xmm4);
    }
    g_.por(xmm0, xmm1);
}

void Emitter::vec_op(const Inst& in) {
    if (!host_has_sse42()) throw Unsupported{"vector ops need SSE4.2"};
    unsigned es = VecImm::es(in.imm), kind = VecImm::kind(in.imm);
    switch (in.op) {
        case Op::VecDup: {
            Reg64 r = in_reg(in.args[0], rax);
            g_.movq(xmm0, r);
            if (es == 0) {
                g_.pxor(xmm1, xmm1);
                g_.pshufb(xmm0, xmm1);
            } else if (es == 1) {
                g_.pshuflw(xmm0, xmm0, 0);
                g_.punpcklqdq(xmm0, xmm0);
            } else if (es == 2) {
                g_.pshufd(xmm0, xmm0, 0);
            } else {
                g_.punpcklqdq(xmm0, xmm0);
            }
            break;
        }
        case Op::VecCmp:
            vec_load(xmm0, in.args[0]);
            vec_load(xmm1, in.args[1]);
            vec_cmp(kind, es, xmm0, xmm1);
            break;
        case Op::VecBin:
            vec_load(xmm0, in.args[0]);
            vec_load(xmm1, in.args[1]);
            vec_bin(kind, es, xmm0, xmm1);
            break;
        case Op::VecShiftImm:
            vec_load(xmm0, in.args[0]);
            if (VecImm::amount(in.imm)) vec_shift(kind, es, VecImm::amount(in.imm), xmm0);
            break;
        case Op::VecShuffle: {
            Value a = in.args[0], b = in.args[1], t = in.args[2];
            if (!is_const(t)) {
                vec_load(xmm0, a);
                vec_load(xmm1, b);
                vec_load(xmm2, t);
                vec_shuffle_var();
                break;
            }
            // Constant table: the two pshufb masks at emit time.
            uint64_t tab[2] = {kval(t), b_->at(t).imm2}, ma[2] = {0, 0}, mb[2] = {0, 0};
            bool use_a = false, use_b = false;
            for (unsigned i = 0; i < 16; ++i) {
                unsigned k = static_cast<unsigned>(tab[i / 8] >> (8 * (i % 8))) & 0xff;
                uint64_t xa = k < 16 ? k : 0x80, xb = k >= 16 && k < 32 ? k - 16 : 0x80;
                use_a |= k < 16;
                use_b |= xb != 0x80;
                ma[i / 8] |= xa << (8 * (i % 8));
                mb[i / 8] |= xb << (8 * (i % 8));
            }
            if (use_a && use_b && a == b) {  // one source: merge the masks
                for (int h = 0; h < 2; ++h) {
                    for (unsigned i = 0; i < 8; ++i) {
                        if ((ma[h] >> (8 * i) & 0xff) == 0x80) {
                            ma[h] &= ~(0xffull << (8 * i));
                            ma[h] |= (mb[h] >> (8 * i) & 0xff) << (8 * i);
                        }
                    }
                }
                use_b = false;
            }
            if (!use_a && !use_b) {
                g_.pxor(xmm0, xmm0);
                break;
            }
            if (use_a) {
                vec_load(xmm0, a);
                vec_const(xmm2, ma[0], ma[1]);
                g_.pshufb(xmm0, xmm2);
            }
            if (use_b) {
                vec_load(use_a ? xmm1 : xmm0, b);
                vec_const(xmm2, mb[0], mb[1]);
                g_.pshufb(use_a ? xmm1 : xmm0, xmm2);
                if (use_a) g_.por(xmm0, xmm1);
            }
            break;
        }
        case Op::VecReduce: {
            vec_load(xmm0, in.args[0]);
            for (unsigned step = 8; step >= (1u << es); step /= 2) {
                g_.movdqa(xmm1, xmm0);
                g_.psrldq(xmm1, static_cast<int>(step));
                vec_bin(kind, es, xmm0, xmm1);
            }
            // Only lane 0 is the result.
            g_.movd(eax, xmm0);
            if (es == 0) g_.movzx(eax, al);
            if (es == 1) g_.movzx(eax, ax);
            g_.movd(xmm0, eax);
            break;
        }
        default:
            throw Unsupported{std::string("vector op ") + op_info(in.op).name};
    }
    release_dead();
    def128();
    g_.movdqu(g_.ptr[rsp + slot_[cur_] * 8], xmm0);
}

// RBIT inline: bytes reversed, then nibbles, bit pairs and bits swapped
// within each byte; 32-bit values end in the high half and shift down.
void Emitter::rbit(const Inst& in) {
    Reg64 a = in_reg(in.args[0], rax);
    release_dead();
    Reg64 d = def();
    mov_rr(rax, a);
    g_.bswap(rax);
    static constexpr uint64_t kMasks[] = {0x0F0F0F0F0F0F0F0Full, 0x3333333333333333ull,
                                          0x5555555555555555ull};
    static constexpr uint8_t kShifts[] = {4, 2, 1};
    for (int i = 0; i < 3; ++i) {
        mov_imm(rdx, kMasks[i]);
        mov_rr(rcx, rax);
        g_.shr(rcx, kShifts[i]);
        g_.and_(rcx, rdx);
        g_.and_(rax, rdx);
        g_.shl(rax, kShifts[i]);
        g_.or_(rax, rcx);
    }
    if (bits_of(in.type) == 32) g_.shr(rax, 32);
    mov_rr(d, rax);
}

}  // namespace emu::tcg::x86::detail

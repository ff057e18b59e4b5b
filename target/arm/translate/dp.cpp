// Data processing: immediate and register forms.
#include "target/arm/helpers.h"
#include "target/arm/translate/translator.h"

namespace emu::arm {

using tcg::Op;

namespace {

uint64_t ones(unsigned n) {
    return n >= 64 ? ~0ull : (1ull << n) - 1;
}
uint64_t ror_bits(uint64_t x, unsigned r, unsigned width) {
    r %= width;
    if (r == 0) return x;
    return ((x >> r) | (x << (width - r))) & ones(width);
}
uint64_t replicate(uint64_t x, unsigned esize, unsigned width) {
    uint64_t r = 0;
    for (unsigned i = 0; i < width; i += esize)
        r |= x << i;
    return r & ones(width);
}

// ADR/ADRP: the signed 21-bit immediate immhi:immlo.
int64_t adr_offset(uint32_t lo, uint32_t hi) {
    return static_cast<int64_t>(static_cast<uint64_t>(hi << 2 | lo) << 43) >> 43;
}

// ADD (sub = false) or SUB of a and b; the S forms (set_flags) also set NZCV.
Value add_sub(A64Translator& t, bool sub, bool set_flags, Value a, Value b) {
    Builder& ir = t.ir();
    Value r = sub ? ir.sub(a, b) : ir.add(a, b);
    if (set_flags) t.set_nzcv(sub ? ir.sub_flags(a, b) : ir.add_flags(a, b));
    return r;
}

// AND, ORR, EOR, ANDS by opc (0-3); ANDS also sets NZCV.
Value logic(A64Translator& t, unsigned opc, Value a, Value b) {
    Builder& ir = t.ir();
    switch (opc) {
        case 0:
            return ir.and_(a, b);
        case 1:
            return ir.or_(a, b);
        case 2:
            return ir.xor_(a, b);
        default: {
            Value r = ir.and_(a, b);
            t.set_nzcv(ir.logic_flags(r));
            return r;
        }
    }
}

// CCMP (sub) / CCMN: NZCV from comparing a with b if `cond` holds, else the
// instruction's immediate flags.
void cond_compare(A64Translator& t, bool sub, Value a, Value b, unsigned cond, uint32_t flags) {
    Builder& ir = t.ir();
    Value cmp = sub ? ir.sub_flags(a, b) : ir.add_flags(a, b);
    Value nz = t.nzcv();
    t.set_nzcv(ir.select(ir.cond_holds(nz, cond), cmp, ir.c32(flags << 28)));
}

}  // namespace

// DecodeBitMasks() from the Arm ARM.
bool decode_bit_masks(unsigned N, unsigned imms, unsigned immr, bool immediate, unsigned width,
                      uint64_t* wmask, uint64_t* tmask) {
    unsigned v = (N << 6) | (~imms & 0x3f);
    if (v == 0) return false;
    int len = 31 - __builtin_clz(v);
    if (len < 1) return false;
    unsigned esize = 1u << len;
    if (esize > width) return false;
    unsigned levels = esize - 1;
    if (immediate && (imms & levels) == levels) return false;
    unsigned S = imms & levels, R = immr & levels;
    unsigned diff = (S - R) & levels;
    uint64_t welem = ones(S + 1), telem = ones(diff + 1);
    *wmask = replicate(ror_bits(welem, R, esize), esize, width);
    *tmask = replicate(telem, esize, width);
    return true;
}

bool A64Translator::ADR(uint32_t lo, uint32_t hi, uint32_t d) {
    set_x(d, ir_.c64(pc_ + adr_offset(lo, hi)));
    return true;
}

bool A64Translator::ADRP(uint32_t lo, uint32_t hi, uint32_t d) {
    set_x(d, ir_.c64((pc_ & ~0xfffull) + (adr_offset(lo, hi) << 12)));
    return true;
}

bool A64Translator::ADDSUB_imm(uint32_t sf, uint32_t op, uint32_t S, uint32_t sh, uint32_t imm12,
                               uint32_t n, uint32_t d) {
    Value a = xsp(n, sf);
    Value b = imm(sf, sh ? uint64_t(imm12) << 12 : imm12);
    Value r = add_sub(*this, op, S, a, b);
    if (S)
        set_x(d, r);
    else
        set_xsp(d, r);
    return true;
}

bool A64Translator::LOGIC_imm(uint32_t sf, uint32_t opc, uint32_t N, uint32_t immr, uint32_t imms,
                              uint32_t n, uint32_t d) {
    if (!sf && N) return false;
    uint64_t wmask, tmask;
    if (!decode_bit_masks(N, imms, immr, true, sf ? 64 : 32, &wmask, &tmask)) return false;
    Value a = xr(n, sf);
    Value r = logic(*this, opc, a, imm(sf, wmask));
    if (opc == 3)  // ANDS writes XZR, the others SP
        set_x(d, r);
    else
        set_xsp(d, r);
    return true;
}

bool A64Translator::MOVWIDE(uint32_t sf, uint32_t opc, uint32_t hw, uint32_t imm16, uint32_t d) {
    if (opc == 1 || (!sf && hw >= 2)) return false;
    unsigned pos = hw * 16;
    uint64_t v = uint64_t(imm16) << pos;
    switch (opc) {
        case 0:
            set_x(d, imm(sf, ~v));
            break;
        case 2:
            set_x(d, imm(sf, v));
            break;
        default: {
            Value old = xr(d, sf);
            Value r = ir_.or_(ir_.and_(old, imm(sf, ~(uint64_t(0xffff) << pos))), imm(sf, v));
            set_x(d, r);
            break;
        }
    }
    return true;
}

bool A64Translator::BITFIELD(uint32_t sf, uint32_t opc, uint32_t N, uint32_t immr, uint32_t imms,
                             uint32_t n, uint32_t d) {
    if (opc == 3 || N != sf) return false;
    unsigned width = sf ? 64 : 32;
    if (!sf && (immr >= 32 || imms >= 32)) return false;
    uint64_t wmask, tmask;
    if (!decode_bit_masks(N, imms, immr, false, width, &wmask, &tmask)) return false;
    Value src = xr(n, sf);
    auto c = [&](uint64_t v) { return imm(sf, v); };
    if (opc == 2 && imms + 1 == immr) {  // LSL
        set_x(d, ir_.shl(src, c(width - 1 - imms)));
        return true;
    }
    if (opc == 2 && imms >= immr) {  // UBFX / LSR
        Value r = ir_.lshr(src, c(immr));
        if (imms != width - 1) r = ir_.and_(r, c(ones(imms - immr + 1)));
        set_x(d, r);
        return true;
    }
    if (opc == 0 && imms >= immr) {  // SBFX / ASR / SXT*
        Value r = ir_.shl(src, c(width - 1 - imms));
        set_x(d, ir_.ashr(r, c(width - 1 - imms + immr)));
        return true;
    }
    Value rot = ir_.ror(src, c(immr));
    Value bot;
    if (opc == 1) {  // BFM
        Value dst = xr(d, sf);
        bot = ir_.or_(ir_.and_(dst, c(~wmask)), ir_.and_(rot, c(wmask)));
        set_x(d, ir_.or_(ir_.and_(dst, c(~tmask)), ir_.and_(bot, c(tmask))));
        return true;
    }
    bot = ir_.and_(rot, c(wmask));
    if (opc == 2) {
        set_x(d, ir_.and_(bot, c(tmask)));
        return true;
    }
    Value top = ir_.ashr(ir_.shl(src, c(width - 1 - imms)), c(width - 1));  // Replicate(src<S>)
    set_x(d, ir_.or_(ir_.and_(top, c(~tmask)), ir_.and_(bot, c(tmask))));
    return true;
}

bool A64Translator::EXTR(uint32_t sf, uint32_t N, uint32_t m, uint32_t imms, uint32_t n,
                         uint32_t d) {
    if (N != sf || (!sf && imms >= 32)) return false;
    unsigned width = sf ? 64 : 32;
    Value lo = xr(m, sf);
    if (imms == 0) {
        set_x(d, lo);
        return true;
    }
    Value hi = xr(n, sf);
    if (n == m) {
        set_x(d, ir_.ror(lo, imm(sf, imms)));
        return true;
    }
    set_x(d, ir_.or_(ir_.lshr(lo, imm(sf, imms)), ir_.shl(hi, imm(sf, width - imms))));
    return true;
}

bool A64Translator::LOGIC_shift(uint32_t sf, uint32_t opc, uint32_t sh, uint32_t N, uint32_t m,
                                uint32_t amount, uint32_t n, uint32_t d) {
    if (!sf && amount >= 32) return false;
    Value b = shift(xr(m, sf), sh, amount);
    if (opc == 1 && n == 31 && !N && amount == 0) {  // MOV
        set_x(d, b);
        return true;
    }
    if (N) b = ir_.not_(b);
    set_x(d, logic(*this, opc, xr(n, sf), b));
    return true;
}

bool A64Translator::ADDSUB_shift(uint32_t sf, uint32_t op, uint32_t S, uint32_t sh, uint32_t m,
                                 uint32_t amount, uint32_t n, uint32_t d) {
    if (sh == 3 || (!sf && amount >= 32)) return false;
    Value a = xr(n, sf);
    Value b = shift(xr(m, sf), sh, amount);
    set_x(d, add_sub(*this, op, S, a, b));
    return true;
}

bool A64Translator::ADDSUB_ext(uint32_t sf, uint32_t op, uint32_t S, uint32_t m, uint32_t option,
                               uint32_t imm3, uint32_t n, uint32_t d) {
    if (imm3 > 4) return false;
    Value a = xsp(n, sf);
    Value b = extend(xr(m, true), option, imm3, sf);
    Value r = add_sub(*this, op, S, a, b);
    if (S)
        set_x(d, r);
    else
        set_xsp(d, r);
    return true;
}

bool A64Translator::ADC(uint32_t sf, uint32_t op, uint32_t S, uint32_t m, uint32_t n, uint32_t d) {
    Value a = xr(n, sf);
    Value b = xr(m, sf);
    if (op) b = ir_.not_(b);
    Value carry = ir_.trunc(Type::I1, ir_.lshr(nzcv(), ir_.c32(29)));
    Value r = ir_.add_carry(a, b, carry);
    if (S) set_nzcv(ir_.adc_flags(a, b, carry));
    set_x(d, r);
    return true;
}

bool A64Translator::CCMP_reg(uint32_t sf, uint32_t op, uint32_t m, uint32_t cond, uint32_t n,
                             uint32_t f) {
    Value a = xr(n, sf), b = xr(m, sf);
    cond_compare(*this, op, a, b, cond, f);
    return true;
}

bool A64Translator::CCMP_imm(uint32_t sf, uint32_t op, uint32_t imm5, uint32_t cond, uint32_t n,
                             uint32_t f) {
    Value a = xr(n, sf), b = imm(sf, imm5);
    cond_compare(*this, op, a, b, cond, f);
    return true;
}

bool A64Translator::CSEL(uint32_t sf, uint32_t op, uint32_t m, uint32_t cond, uint32_t op2,
                         uint32_t n, uint32_t d) {
    Value a = xr(n, sf);
    Value b = xr(m, sf);
    switch (op << 1 | op2) {
        case 1:
            b = ir_.add(b, imm(sf, 1));
            break;  // CSINC
        case 2:
            b = ir_.not_(b);
            break;  // CSINV
        case 3:
            b = ir_.sub(imm(sf, 0), b);
            break;  // CSNEG
        default:
            break;  // CSEL
    }
    Value c = ir_.cond_holds(nzcv(), cond);
    set_x(d, ir_.select(c, a, b));
    return true;
}

bool A64Translator::DP2(uint32_t sf, uint32_t m, uint32_t opcode, uint32_t n, uint32_t d) {
    if ((opcode & 0x38) == 0x10) {  // CRC32{,C}{B,H,W,X}
        unsigned sz = opcode & 3;
        if ((sz == 3) != (sf == 1)) return false;
        bool castagnoli = opcode & 4;
        Value acc = ir_.zext(Type::I64, xr(n, false));
        Value val = xr(m, true);
        Value r = ir_.call(Type::I64, helpers().crc32,
                           {acc, val, ir_.c64((1u << sz) | (castagnoli ? 0x100 : 0))});
        set_x(d, ir_.trunc(Type::I32, r));
        return true;
    }
    Value a = xr(n, sf), b = xr(m, sf);
    Value r;
    switch (opcode) {
        case 2:
            r = ir_.bin(Op::UDiv, a, b);
            break;
        case 3:
            r = ir_.bin(Op::SDiv, a, b);
            break;
        case 8:
            r = ir_.shl(a, b);
            break;
        case 9:
            r = ir_.lshr(a, b);
            break;
        case 10:
            r = ir_.ashr(a, b);
            break;
        case 11:
            r = ir_.ror(a, b);
            break;
        default:
            return false;
    }
    set_x(d, r);
    return true;
}

bool A64Translator::DP1(uint32_t sf, uint32_t opcode, uint32_t n, uint32_t d) {
    Value a = xr(n, sf);
    auto c = [&](uint64_t v) { return imm(sf, v); };
    Value r;
    switch (opcode) {
        case 0:
            r = ir_.un(Op::Rbit, a);
            break;
        case 1: {  // REV16
            uint64_t m = sf ? 0x00ff00ff00ff00ffull : 0x00ff00ff;
            r = ir_.or_(ir_.and_(ir_.lshr(a, c(8)), c(m)), ir_.shl(ir_.and_(a, c(m)), c(8)));
            break;
        }
        case 2:
            r = ir_.un(Op::Bswap, a);
            if (sf) r = ir_.ror(r, c(32));  // REV32
            break;
        case 3:
            if (!sf) return false;
            r = ir_.un(Op::Bswap, a);
            break;
        case 4:
            r = ir_.un(Op::Clz, a);
            break;
        case 5: {  // CLS = CLZ(x ^ (x >> 1, arithmetic)) - 1
            Value x = ir_.xor_(a, ir_.ashr(a, c(1)));
            r = ir_.sub(ir_.un(Op::Clz, x), c(1));
            break;
        }
        default:
            return false;
    }
    set_x(d, r);
    return true;
}

bool A64Translator::DP3(uint32_t sf, uint32_t op, uint32_t m, uint32_t a, uint32_t n, uint32_t d) {
    switch (op) {
        case 0:
        case 1: {  // MADD / MSUB
            Value p = ir_.mul(xr(n, sf), xr(m, sf));
            Value acc = xr(a, sf);
            set_x(d, op ? ir_.sub(acc, p) : ir_.add(acc, p));
            return true;
        }
        case 2:
        case 3:
        case 10:
        case 11: {  // [SU]MADDL / [SU]MSUBL
            if (!sf) return false;
            bool is_signed = op < 8;
            Value x = xr(n, false), y = xr(m, false);
            x = is_signed ? ir_.sext(Type::I64, x) : ir_.zext(Type::I64, x);
            y = is_signed ? ir_.sext(Type::I64, y) : ir_.zext(Type::I64, y);
            Value p = ir_.mul(x, y);
            Value acc = xr(a, true);
            set_x(d, (op & 1) ? ir_.sub(acc, p) : ir_.add(acc, p));
            return true;
        }
        case 4:
        case 12:
            if (!sf) return false;
            set_x(d, ir_.bin(op == 4 ? Op::SMulH : Op::UMulH, xr(n, true), xr(m, true)));
            return true;
        default:
            return false;
    }
}

}  // namespace emu::arm

#include "tcg/ir/eval.h"

namespace emu::tcg {

namespace {

u128 mask_of(Type t) {
    return t == Type::I128 ? ~(u128)0 : (u128)type_mask(t);
}

int64_t to_signed(u128 v, unsigned bits) {
    uint64_t x = (uint64_t)v;
    if (bits >= 64) return (int64_t)x;
    uint64_t sign = 1ull << (bits - 1);
    return (int64_t)((x ^ sign) - sign);
}

uint64_t rbit64(uint64_t x) {
    uint64_t r = 0;
    for (int i = 0; i < 64; ++i)
        r |= ((x >> i) & 1) << (63 - i);
    return r;
}

}  // namespace

bool eval_pure(Op op, Type t, const Type* at, const u128* a, uint64_t imm, u128* out) {
    unsigned bits = type_bits(t);
    u128 m = mask_of(t);
    uint64_t x = (uint64_t)a[0], y = (uint64_t)a[1];
    unsigned sh = bits ? (unsigned)(y % (bits ? bits : 1)) : 0;
    u128 r = 0;
    switch (op) {
        case Op::Add:
            r = a[0] + a[1];
            break;
        case Op::Sub:
            r = a[0] - a[1];
            break;
        case Op::AddCarry:
            r = a[0] + a[1] + (a[2] & 1);
            break;
        case Op::Mul:
            r = (u128)x * y;
            break;
        case Op::UMulH:
            r = ((u128)x * y) >> bits;
            break;
        case Op::SMulH: {
            __int128 p = (__int128)to_signed(x, bits) * to_signed(y, bits);
            r = (u128)(p >> bits);
            break;
        }
        case Op::UDiv:
            r = y == 0 ? 0 : x / y;
            break;
        case Op::SDiv: {
            int64_t sx = to_signed(x, bits), sy = to_signed(y, bits);
            int64_t min = bits == 64 ? INT64_MIN : -(int64_t(1) << (bits - 1));
            if (sy == 0)
                r = 0;
            else if (sx == min && sy == -1)
                r = (uint64_t)sx;
            else
                r = (uint64_t)(sx / sy);
            break;
        }
        case Op::And:
            r = a[0] & a[1];
            break;
        case Op::Or:
            r = a[0] | a[1];
            break;
        case Op::Xor:
            r = a[0] ^ a[1];
            break;
        case Op::Not:
            r = ~a[0];
            break;
        case Op::Neg:
            r = -a[0];
            break;
        case Op::Shl:
            r = (u128)x << sh;
            break;
        case Op::LShr:
            r = (x & (uint64_t)m) >> sh;
            break;
        case Op::AShr:
            r = (uint64_t)(to_signed(x, bits) >> sh);
            break;
        case Op::Ror: {
            uint64_t v = x & (uint64_t)m;
            r = sh == 0 ? v : (v >> sh) | (v << (bits - sh));
            break;
        }
        case Op::Clz: {
            uint64_t v = x & (uint64_t)m;
            r = v == 0 ? bits : (unsigned)__builtin_clzll(v) - (64 - bits);
            break;
        }
        case Op::Rbit:
            r = rbit64(x) >> (64 - bits);
            break;
        case Op::Bswap:
            r = __builtin_bswap64(x) >> (64 - bits);
            break;
        case Op::Ctpop:
            r = (unsigned)__builtin_popcountll(x & (uint64_t)m);
            break;
        case Op::Eq:
            r = a[0] == a[1];
            break;
        case Op::Ne:
            r = a[0] != a[1];
            break;
        case Op::Ult:
            r = a[0] < a[1];
            break;
        case Op::Ule:
            r = a[0] <= a[1];
            break;
        case Op::Slt:
            r = to_signed(x, type_bits(at[0])) < to_signed(y, type_bits(at[0]));
            break;
        case Op::Sle:
            r = to_signed(x, type_bits(at[0])) <= to_signed(y, type_bits(at[0]));
            break;
        case Op::Select:
            r = (a[0] & 1) ? a[1] : a[2];
            break;
        case Op::ZExt:
            r = a[0];
            break;
        case Op::SExt:
            r = (uint64_t)to_signed(x, type_bits(at[0]));
            break;
        case Op::Trunc:
            r = a[0];
            break;
        case Op::Bitcast:
            r = a[0];
            break;
        case Op::Hi64:
            r = a[0] >> 64;
            break;
        case Op::Pack128:
            r = (u128)x | ((u128)y << 64);
            break;
        case Op::AddFlags:
            r = nzcv_add(x, y, 0, type_bits(at[0]));
            break;
        case Op::SubFlags:
            r = nzcv_sub(x, y, type_bits(at[0]));
            break;
        case Op::AdcFlags:
            r = nzcv_add(x, y, (uint64_t)a[2] & 1, type_bits(at[0]));
            break;
        case Op::LogicFlags:
            r = nzcv_logic(x, type_bits(at[0]));
            break;
        case Op::CondHolds:
            r = cond_holds((uint32_t)x, (unsigned)imm);
            break;
        case Op::VecDup:
        case Op::VecCmp:
        case Op::VecBin:
        case Op::VecShiftImm:
        case Op::VecShuffle:
        case Op::VecReduce:
            return eval_vec(op, a, imm, out);
        default:
            return false;
    }
    *out = r & m;
    return true;
}

}  // namespace emu::tcg

// Reference semantics of the vector ops (opcodes.inc): plain loops over
// the lanes of the u128 operands, the definition every backend is tested
// against.
#include "tcg/ir/eval.h"

namespace emu::tcg {

namespace {

uint64_t lane(u128 v, unsigned i, unsigned bits) {
    uint64_t x = (uint64_t)(v >> (i * bits));
    return bits == 64 ? x : x & ((1ull << bits) - 1);
}
int64_t slane(u128 v, unsigned i, unsigned bits) {
    uint64_t x = lane(v, i, bits);
    if (bits == 64) return (int64_t)x;
    uint64_t sign = 1ull << (bits - 1);
    return (int64_t)((x ^ sign) - sign);
}
u128 put(u128 r, unsigned i, unsigned bits, uint64_t x) {
    if (bits < 64) x &= (1ull << bits) - 1;
    return r | ((u128)x << (i * bits));
}
uint64_t ones(unsigned bits) {
    return bits == 64 ? ~0ull : (1ull << bits) - 1;
}

bool cmp(unsigned kind, u128 a, u128 b, unsigned i, unsigned bits, bool* out) {
    switch (static_cast<VecCmpKind>(kind)) {
        case VecCmpKind::Eq:
            *out = lane(a, i, bits) == lane(b, i, bits);
            return true;
        case VecCmpKind::UGt:
            *out = lane(a, i, bits) > lane(b, i, bits);
            return true;
        case VecCmpKind::UGe:
            *out = lane(a, i, bits) >= lane(b, i, bits);
            return true;
        case VecCmpKind::SGt:
            *out = slane(a, i, bits) > slane(b, i, bits);
            return true;
        case VecCmpKind::SGe:
            *out = slane(a, i, bits) >= slane(b, i, bits);
            return true;
    }
    return false;
}

bool bin(unsigned kind, uint64_t x, uint64_t y, unsigned bits, uint64_t* out) {
    auto sx = [&](uint64_t v) {
        if (bits == 64) return (int64_t)v;
        uint64_t sign = 1ull << (bits - 1);
        return (int64_t)((v ^ sign) - sign);
    };
    switch (static_cast<VecBinKind>(kind)) {
        case VecBinKind::Add:
            *out = x + y;
            return true;
        case VecBinKind::Sub:
            *out = x - y;
            return true;
        case VecBinKind::UMax:
            *out = x > y ? x : y;
            return true;
        case VecBinKind::UMin:
            *out = x < y ? x : y;
            return true;
        case VecBinKind::SMax:
            *out = sx(x) > sx(y) ? x : y;
            return true;
        case VecBinKind::SMin:
            *out = sx(x) < sx(y) ? x : y;
            return true;
    }
    return false;
}

}  // namespace

bool vec_imm_valid(Op op, uint64_t imm) {
    unsigned es = VecImm::es(imm), kind = VecImm::kind(imm), amount = VecImm::amount(imm);
    if (imm >> 16) return false;
    switch (op) {
        case Op::VecDup:
            return imm < 4;
        case Op::VecCmp:
            return amount == 0 && kind <= unsigned(VecCmpKind::SGe) && (imm & 12) == 0;
        case Op::VecBin:
            return amount == 0 && kind <= unsigned(VecBinKind::SMin) && (imm & 12) == 0 &&
                   (es < 3 || kind <= unsigned(VecBinKind::Sub));
        case Op::VecShiftImm:
            return kind <= unsigned(VecShiftKind::AShr) && (imm & 12) == 0 &&
                   amount <= VecImm::lane_bits(imm);
        case Op::VecReduce:
            return amount == 0 && kind <= unsigned(VecBinKind::SMin) &&
                   kind != unsigned(VecBinKind::Sub) && (imm & 12) == 0 && es < 3;
        default:
            return imm == 0;
    }
}

bool eval_vec(Op op, const u128* a, uint64_t imm, u128* out) {
    if (!vec_imm_valid(op, imm)) return false;
    unsigned bits = VecImm::lane_bits(imm), n = 128 / bits, kind = VecImm::kind(imm);
    unsigned amount = VecImm::amount(imm);
    u128 r = 0;
    switch (op) {
        case Op::VecDup:
            for (unsigned i = 0; i < n; ++i)
                r = put(r, i, bits, (uint64_t)a[0]);
            break;
        case Op::VecCmp:
            for (unsigned i = 0; i < n; ++i) {
                bool t;
                if (!cmp(kind, a[0], a[1], i, bits, &t)) return false;
                if (t) r = put(r, i, bits, ones(bits));
            }
            break;
        case Op::VecBin:
            for (unsigned i = 0; i < n; ++i) {
                uint64_t x;
                if (!bin(kind, lane(a[0], i, bits), lane(a[1], i, bits), bits, &x)) return false;
                r = put(r, i, bits, x);
            }
            break;
        case Op::VecShiftImm:
            for (unsigned i = 0; i < n; ++i) {
                uint64_t x = lane(a[0], i, bits);
                switch (static_cast<VecShiftKind>(kind)) {
                    case VecShiftKind::Shl:
                        x = amount >= bits ? 0 : x << amount;
                        break;
                    case VecShiftKind::LShr:
                        x = amount >= bits ? 0 : x >> amount;
                        break;
                    case VecShiftKind::AShr:
                        x = (uint64_t)(slane(a[0], i, bits) >>
                                       (amount >= bits ? bits - 1 : amount));
                        break;
                }
                r = put(r, i, bits, x);
            }
            break;
        case Op::VecShuffle:
            for (unsigned i = 0; i < 16; ++i) {
                unsigned t = (unsigned)lane(a[2], i, 8);
                uint64_t x = t < 16 ? lane(a[0], t, 8) : t < 32 ? lane(a[1], t - 16, 8) : 0;
                r = put(r, i, 8, x);
            }
            break;
        case Op::VecReduce: {
            uint64_t acc = lane(a[0], 0, bits);
            for (unsigned i = 1; i < n; ++i) {
                if (!bin(kind, acc, lane(a[0], i, bits), bits, &acc)) return false;
            }
            r = put(0, 0, bits, acc);
            break;
        }
        default:
            return false;
    }
    *out = r;
    return true;
}

}  // namespace emu::tcg

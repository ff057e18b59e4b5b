// Integer AdvSIMD on the IR's vector ops (see simd_vec.h). Values are
// whole i128 registers; a 64-bit (Q=0) form computes on the full register
// and clears the high half when writing, which is exact because every op
// used here is lane-wise or takes its lanes from the low halves only.
// Permutations, narrowing, widening and pairwise ops are byte shuffles
// with a constant table (VecShuffle), so one op covers every arrangement.
#include "target/arm/translate/simd_vec.h"

#include <array>

#include "target/arm/translate/translator.h"

namespace emu::arm::simd_vec {

namespace {

using tcg::VecBinKind;
using tcg::VecCmpKind;
using tcg::VecShiftKind;

constexpr uint8_t kZero = 0xff;  // a table entry that gives 0

// Byte tables built element by element: entry e of the result takes
// element `idx` of source `src` (0 = first operand, 1 = second).
struct Table {
    std::array<uint8_t, 16> b;
    Table() { b.fill(kZero); }
    void element(unsigned e, unsigned es, unsigned src, unsigned idx) {
        unsigned n = 1u << es;
        for (unsigned k = 0; k < n; ++k)
            b[e * n + k] = static_cast<uint8_t>(src * 16 + idx * n + k);
    }
};

struct V {
    A64Translator& t;
    Builder& ir = t.ir();

    Value get(unsigned r) { return ir.get_reg(Type::I128, vreg_off(r)); }
    void set(unsigned r, Value v, bool q) {
        if (!q) v = ir.and_(v, ir.c128(~0ull, 0));
        ir.set_reg(vreg_off(r), v);
    }
    Value zero() { return ir.c128(0, 0); }
    Value table(const Table& tb) {
        uint64_t lo = 0, hi = 0;
        for (unsigned i = 0; i < 8; ++i) {
            lo |= uint64_t(tb.b[i]) << (8 * i);
            hi |= uint64_t(tb.b[8 + i]) << (8 * i);
        }
        return ir.c128(lo, hi);
    }
    Value shuffle(Value a, Value b, const Table& tb) { return ir.vec_shuffle(a, b, table(tb)); }
    Value cmp(VecCmpKind k, unsigned es, Value a, Value b) { return ir.vec_cmp(k, es, a, b); }
    Value bin(VecBinKind k, unsigned es, Value a, Value b) { return ir.vec_bin(k, es, a, b); }
    Value tst(unsigned es, Value a, Value b) {
        return ir.not_(cmp(VecCmpKind::Eq, es, ir.and_(a, b), zero()));
    }
    Value abs(unsigned es, Value a) {
        Value s = ir.vec_shift(VecShiftKind::AShr, es, a, 8u << es);
        return bin(VecBinKind::Sub, es, ir.xor_(a, s), s);
    }
    // Pairwise: the op on adjacent element pairs of the concatenation of
    // a and b (their low halves when !q).
    Value pairwise(VecBinKind k, unsigned es, bool q, Value a, Value b) {
        unsigned per = (q ? 16u : 8u) >> es;  // elements per source
        Table even, odd;
        for (unsigned e = 0; e < per; ++e) {
            unsigned s0 = 2 * e, src = s0 / per;
            even.element(e, es, src, s0 % per);
            odd.element(e, es, src, (s0 + 1) % per);
        }
        return bin(k, es, shuffle(a, b, even), shuffle(a, b, odd));
    }
};

// Three same compares and the lane-wise arithmetic (U:opcode).
std::optional<Value> three_same_op(V& v, unsigned key, unsigned es, bool q, Value a, Value b) {
    switch (key) {
        case 0x31:
            return v.cmp(VecCmpKind::Eq, es, a, b);
        case 0x26:
            return v.cmp(VecCmpKind::UGt, es, a, b);
        case 0x27:
            return v.cmp(VecCmpKind::UGe, es, a, b);
        case 0x06:
            return v.cmp(VecCmpKind::SGt, es, a, b);
        case 0x07:
            return v.cmp(VecCmpKind::SGe, es, a, b);
        case 0x11:
            return v.tst(es, a, b);
        case 0x10:
            return v.bin(VecBinKind::Add, es, a, b);
        case 0x30:
            return v.bin(VecBinKind::Sub, es, a, b);
        default:
            break;
    }
    if (es == 3) return std::nullopt;
    switch (key) {
        case 0x2c:
            return v.bin(VecBinKind::UMax, es, a, b);
        case 0x2d:
            return v.bin(VecBinKind::UMin, es, a, b);
        case 0x0c:
            return v.bin(VecBinKind::SMax, es, a, b);
        case 0x0d:
            return v.bin(VecBinKind::SMin, es, a, b);
        case 0x34:
            return v.pairwise(VecBinKind::UMax, es, q, a, b);
        case 0x35:
            return v.pairwise(VecBinKind::UMin, es, q, a, b);
        case 0x14:
            return v.pairwise(VecBinKind::SMax, es, q, a, b);
        case 0x15:
            return v.pairwise(VecBinKind::SMin, es, q, a, b);
        default:
            return std::nullopt;
    }
}

bool three_same_known(unsigned key, unsigned size) {
    switch (key) {
        case 0x31:
        case 0x26:
        case 0x27:
        case 0x06:
        case 0x07:
        case 0x11:
        case 0x10:
        case 0x30:
        case 0x17:
            return true;
        case 0x2c:
        case 0x2d:
        case 0x0c:
        case 0x0d:
        case 0x34:
        case 0x35:
        case 0x14:
        case 0x15:
            return size != 3;
        default:
            return false;
    }
}

// The compare-with-zero and negate/abs forms of two-register misc (key:
// U << 5 | opcode), vector and scalar alike.
bool two_misc_arith(unsigned key) {
    switch (key) {
        case 0x09:  // CMEQ #0
        case 0x08:  // CMGT #0
        case 0x28:  // CMGE #0
        case 0x0a:  // CMLT #0
        case 0x29:  // CMLE #0
        case 0x2b:  // NEG
        case 0x0b:  // ABS
            return true;
        default:
            return false;
    }
}

std::optional<Value> two_misc_op(V& v, unsigned key, unsigned es, Value a) {
    Value z = v.zero();
    switch (key) {
        case 0x09:
            return v.cmp(VecCmpKind::Eq, es, a, z);
        case 0x08:
            return v.cmp(VecCmpKind::SGt, es, a, z);
        case 0x28:
            return v.cmp(VecCmpKind::SGe, es, a, z);
        case 0x0a:
            return v.cmp(VecCmpKind::SGt, es, z, a);
        case 0x29:
            return v.cmp(VecCmpKind::SGe, es, z, a);
        case 0x2b:
            return v.bin(VecBinKind::Sub, es, z, a);
        case 0x0b:
            return v.abs(es, a);
        default:
            return std::nullopt;
    }
}

}  // namespace

Result three_same(A64Translator& t, uint32_t q, uint32_t u, uint32_t size, uint32_t m,
                  uint32_t opcode, uint32_t n, uint32_t d) {
    unsigned key = u << 5 | opcode;
    if (!three_same_known(key, size)) return std::nullopt;
    if (size == 3 && !q) return false;
    if (!t.fp_access()) return true;
    V v{t};
    Value a = v.get(n), b = v.get(m);
    Value r = key == 0x17 ? v.pairwise(VecBinKind::Add, size, q, a, b)
                          : *three_same_op(v, key, size, q, a, b);
    v.set(d, r, q);
    return true;
}

Result scalar_three_same(A64Translator& t, uint32_t u, uint32_t size, uint32_t m, uint32_t opcode,
                         uint32_t n, uint32_t d) {
    unsigned key = u << 5 | opcode;
    if (size != 3 || key == 0x17 || !three_same_known(key, size)) return std::nullopt;
    if (!t.fp_access()) return true;
    V v{t};
    v.set(d, *three_same_op(v, key, 3, false, v.get(n), v.get(m)), false);
    return true;
}

Result two_misc(A64Translator& t, uint32_t q, uint32_t u, uint32_t size, uint32_t opcode,
                uint32_t n, uint32_t d) {
    unsigned key = u << 5 | opcode;
    V v{t};
    if (two_misc_arith(key)) {
        if (size == 3 && !q) return false;
        if (!t.fp_access()) return true;
        v.set(d, *two_misc_op(v, key, size, v.get(n)), q);
        return true;
    }
    switch (key) {
        case 0x25:  // NOT (RBIT: size 1, stays with the helper)
            if (size != 0) return std::nullopt;
            if (!t.fp_access()) return true;
            v.set(d, v.ir.not_(v.get(n)), q);
            return true;
        case 0x00:    // REV64
        case 0x20:    // REV32
        case 0x01: {  // REV16
            unsigned container = key == 0x00 ? 8 : key == 0x20 ? 4 : 2;
            if ((1u << size) >= container) return false;
            if (!t.fp_access()) return true;
            Table tb;
            unsigned esz = 1u << size;
            for (unsigned i = 0; i < 16; ++i) {
                unsigned c = i / container, e = (i % container) / esz, k = i % esz;
                tb.b[i] = static_cast<uint8_t>(c * container + (container / esz - 1 - e) * esz + k);
            }
            v.set(d, v.shuffle(v.get(n), v.get(n), tb), q);
            return true;
        }
        case 0x12: {  // XTN, XTN2
            if (size == 3) return false;
            if (!t.fp_access()) return true;
            Table tb;
            unsigned per = 8u >> size;
            for (unsigned e = 0; e < per; ++e)
                tb.element(q ? per + e : e, size, 1, 2 * e);
            if (q) {
                for (unsigned i = 0; i < 8; ++i)
                    tb.b[i] = static_cast<uint8_t>(i);
            }
            v.set(d, v.shuffle(q ? v.get(d) : v.zero(), v.get(n), tb), true);
            return true;
        }
        default:
            return std::nullopt;
    }
}

Result scalar_two_misc(A64Translator& t, uint32_t u, uint32_t size, uint32_t opcode, uint32_t n,
                       uint32_t d) {
    unsigned key = u << 5 | opcode;
    if (!two_misc_arith(key)) return std::nullopt;
    if (size != 3) return false;
    if (!t.fp_access()) return true;
    V v{t};
    v.set(d, *two_misc_op(v, key, 3, v.get(n)), false);
    return true;
}

Result across(A64Translator& t, uint32_t q, uint32_t u, uint32_t size, uint32_t opcode, uint32_t n,
              uint32_t d) {
    VecBinKind k;
    switch (u << 5 | opcode) {
        case 0x1b:
            k = VecBinKind::Add;
            break;
        case 0x2a:
            k = VecBinKind::UMax;
            break;
        case 0x3a:
            k = VecBinKind::UMin;
            break;
        case 0x0a:
            k = VecBinKind::SMax;
            break;
        case 0x1a:
            k = VecBinKind::SMin;
            break;
        default:
            return std::nullopt;
    }
    if (size == 3 || (size == 2 && !q)) return false;
    if (!t.fp_access()) return true;
    V v{t};
    Value a = v.get(n);
    if (!q) {
        // Eight bytes of lanes: a sum ignores zeros, the others see the
        // low half twice.
        if (k == VecBinKind::Add) {
            a = v.ir.and_(a, v.ir.c128(~0ull, 0));
        } else {
            Table tb;
            for (unsigned i = 0; i < 16; ++i)
                tb.b[i] = static_cast<uint8_t>(i % 8);
            a = v.shuffle(a, a, tb);
        }
    }
    v.set(d, v.ir.vec_reduce(k, size, a), true);
    return true;
}

namespace {

// Shift by immediate on whole registers: SHL, USHR, SSHR, USRA, SSRA.
bool plain_shift(unsigned key, unsigned es, unsigned right, unsigned left, VecShiftKind* k,
                 unsigned* amount, bool* acc) {
    *acc = false;
    switch (key) {
        case 0x0a:
            *k = VecShiftKind::Shl, *amount = left;
            return true;
        case 0x20:
        case 0x22:
            *k = VecShiftKind::LShr, *amount = right, *acc = key == 0x22;
            return true;
        case 0x00:
        case 0x02:
            *k = VecShiftKind::AShr, *amount = right, *acc = key == 0x02;
            return true;
        default:
            (void)es;
            return false;
    }
}

void emit_plain_shift(V& v, VecShiftKind k, unsigned es, unsigned amount, bool acc, bool q,
                      unsigned n, unsigned d) {
    Value r = v.ir.vec_shift(k, es, v.get(n), amount);
    if (acc) r = v.bin(VecBinKind::Add, es, v.get(d), r);
    v.set(d, r, q);
}

}  // namespace

Result shift_imm(A64Translator& t, uint32_t q, uint32_t u, uint32_t immh, uint32_t immb,
                 uint32_t opcode, uint32_t n, uint32_t d) {
    if (!immh) return std::nullopt;
    unsigned es = 31 - __builtin_clz(immh), esize = 8u << es, immhb = immh << 3 | immb;
    unsigned right = 2 * esize - immhb, left = immhb - esize;
    unsigned key = u << 5 | opcode;
    VecShiftKind k;
    unsigned amount;
    bool acc;
    V v{t};
    if (plain_shift(key, es, right, left, &k, &amount, &acc)) {
        if (es == 3 && !q) return false;
        if (!t.fp_access()) return true;
        emit_plain_shift(v, k, es, amount, acc, q, n, d);
        return true;
    }
    if (key == 0x10) {  // SHRN, SHRN2: shift the wide lanes, keep their low halves
        if (es == 3) return false;
        if (!t.fp_access()) return true;
        Value s = v.ir.vec_shift(VecShiftKind::LShr, es + 1, v.get(n), right);
        Table tb;
        unsigned per = 8u >> es;
        for (unsigned e = 0; e < per; ++e)
            tb.element(q ? per + e : e, es, 1, 2 * e);
        if (q) {
            for (unsigned i = 0; i < 8; ++i)
                tb.b[i] = static_cast<uint8_t>(i);
        }
        v.set(d, v.shuffle(q ? v.get(d) : v.zero(), s, tb), true);
        return true;
    }
    if (key == 0x14 || key == 0x34) {  // SSHLL, USHLL (and the 2 forms)
        if (es == 3) return false;
        if (!t.fp_access()) return true;
        // Each source lane into a lane twice as wide: the low half for the
        // unsigned form (then shift left), the high half for the signed
        // one (then shift right arithmetically by esize - shift).
        bool sign = key == 0x14;
        Table tb;
        unsigned per = 8u >> es;
        for (unsigned e = 0; e < per; ++e)
            tb.element(2 * e + (sign ? 1 : 0), es, 0, (q ? per : 0) + e);
        Value w = v.shuffle(v.get(n), v.get(n), tb);
        Value r = sign ? v.ir.vec_shift(VecShiftKind::AShr, es + 1, w, esize - left)
                       : v.ir.vec_shift(VecShiftKind::Shl, es + 1, w, left);
        v.set(d, r, true);
        return true;
    }
    return std::nullopt;
}

Result scalar_shift_imm(A64Translator& t, uint32_t u, uint32_t immh, uint32_t immb, uint32_t opcode,
                        uint32_t n, uint32_t d) {
    if (!immh) return std::nullopt;
    unsigned immhb = immh << 3 | immb;
    VecShiftKind k;
    unsigned amount;
    bool acc;
    if (!plain_shift(u << 5 | opcode, 3, 128 - immhb, immhb - 64, &k, &amount, &acc)) {
        return std::nullopt;
    }
    if (!(immh & 8)) return false;
    if (!t.fp_access()) return true;
    V v{t};
    emit_plain_shift(v, k, 3, amount, acc, false, n, d);
    return true;
}

Result perm(A64Translator& t, uint32_t q, uint32_t size, uint32_t m, uint32_t opcode, uint32_t n,
            uint32_t d) {
    if ((opcode & 3) == 0) return std::nullopt;
    if (size == 3 && !q) return false;
    if (!t.fp_access()) return true;
    unsigned per = (q ? 16u : 8u) >> size;  // elements per register
    bool second = opcode & 4;
    Table tb;
    for (unsigned e = 0; e < per; ++e) {
        switch (opcode & 3) {
            case 1: {  // UZP: even (odd) elements of n:m
                unsigned s = 2 * e + second;
                tb.element(e, size, s / per, s % per);
                break;
            }
            case 2:  // TRN
                tb.element(e, size, e & 1, (e & ~1u) + second);
                break;
            default:  // ZIP
                tb.element(e, size, e & 1, e / 2 + (second ? per / 2 : 0));
                break;
        }
    }
    V v{t};
    v.set(d, v.shuffle(v.get(n), v.get(m), tb), q);
    return true;
}

void ext(A64Translator& t, uint32_t q, uint32_t m, uint32_t imm4, uint32_t n, uint32_t d) {
    unsigned len = q ? 16 : 8;
    Table tb;
    for (unsigned i = 0; i < len; ++i) {
        unsigned k = imm4 + i;
        tb.b[i] = static_cast<uint8_t>(k < len ? k : 16 + k - len);
    }
    V v{t};
    v.set(d, v.shuffle(v.get(n), v.get(m), tb), q);
}

void dup_element(A64Translator& t, uint32_t q, unsigned es, unsigned index, uint32_t n,
                 uint32_t d) {
    V v{t};
    Value e = v.ir.get_reg(tcg::int_type_bytes(1u << es), vreg_off(n) + (index << es));
    v.set(d, v.ir.vec_dup(es, e), q);
}

void dup_general(A64Translator& t, uint32_t q, unsigned es, uint32_t n, uint32_t d) {
    V v{t};
    v.set(d, v.ir.vec_dup(es, t.xr(n, es == 3)), q);
}

}  // namespace emu::arm::simd_vec

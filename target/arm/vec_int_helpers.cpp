// Integer AdvSIMD lane semantics that need more than the common lane ops:
// halving/rounding/saturating arithmetic, saturating and rounding shifts,
// saturating doubling multiplies, and their long and narrowing forms.
// Intermediate values are computed in 128-bit precision so that the Arm
// pseudocode's unbounded integers (Int(x) + round) << shift, then SatQ) are
// exact for every element size; saturation sets FPSR.QC.
#include <cstring>

#include "target/arm/cpu_state.h"
#include "target/arm/fpu/fpu.h"
#include "target/arm/vec_helpers.h"
#include "target/arm/vec_int_ops.h"
#include "target/arm/vec_lanes.h"

namespace emu::arm {

namespace {

using i128 = __int128;
using u128 = unsigned __int128;

using namespace vec_lane;

constexpr uint32_t kFpsrQc = 1u << 27;

// SatQ for a signed / unsigned destination of `bits` bits.
uint64_t sat_s(i128 v, unsigned bits, bool& qc) {
    i128 hi = (i128(1) << (bits - 1)) - 1, lo = -hi - 1;
    if (v > hi) {
        qc = true;
        return static_cast<uint64_t>(hi);
    }
    if (v < lo) {
        qc = true;
        return static_cast<uint64_t>(lo);
    }
    return static_cast<uint64_t>(v);
}
uint64_t sat_u(i128 v, unsigned bits, bool& qc) {
    i128 hi = (i128(1) << bits) - 1;
    if (v < 0) {
        qc = true;
        return 0;
    }
    if (v > hi) {
        qc = true;
        return static_cast<uint64_t>(hi);
    }
    return static_cast<uint64_t>(v);
}

// (x + round) << sh in unbounded precision for sh in [-128, 127]; a negative
// sh shifts right (floor), adding 2^(-sh-1) first when rounding. x has at
// most 65 significant bits. A left shift by 64 or more of a non-zero value
// sets *huge (the result then only carries x's sign).
i128 shift_value(i128 x, int sh, bool round, bool* huge) {
    if (sh >= 0) {
        if (x == 0) return 0;
        if (sh >= 64) {
            *huge = true;
            return x < 0 ? -1 : 1;
        }
        return x << sh;
    }
    // Beyond 66 every 65-bit value gives the same result (0, or -1 unrounded).
    int s = -sh > 100 ? 100 : -sh;
    if (round) x += i128(1) << (s - 1);
    return x >> s;
}

// SQSHL/UQSHL/SQRSHL/UQRSHL and their non-saturating SRSHL/URSHL forms.
uint64_t shift_reg(uint64_t a, uint64_t b, unsigned es, bool is_signed, bool round, bool saturate,
                   bool& qc) {
    unsigned bits = 8u << es;
    int sh = static_cast<int8_t>(b & 0xff);
    i128 x = is_signed ? i128(sx(a, es)) : i128(a);
    bool huge = false;
    i128 v = shift_value(x, sh, round, &huge);
    if (!saturate) return huge ? 0 : static_cast<uint64_t>(v);
    if (huge) v = v < 0 ? -(i128(1) << 100) : (i128(1) << 100);
    return is_signed ? sat_s(v, bits, qc) : sat_u(v, bits, qc);
}

uint64_t pmul8(uint64_t a, uint64_t b) {
    uint64_t r = 0;
    for (int i = 0; i < 8; ++i) {
        if (b >> i & 1) r ^= a << i;
    }
    return r;
}

unsigned count_leading(uint64_t v, unsigned bits, bool sign) {
    unsigned n = 0;
    if (sign) {
        uint64_t top = v >> (bits - 1) & 1;
        for (int i = static_cast<int>(bits) - 2; i >= 0 && (v >> i & 1) == top; --i)
            ++n;
        return n;
    }
    for (int i = static_cast<int>(bits) - 1; i >= 0 && !(v >> i & 1); --i)
        ++n;
    return n;
}

// 2 * a * b of signed narrow elements, saturated to the doubled width.
uint64_t sqdmull(uint64_t a, uint64_t b, unsigned es, bool& qc) {
    return sat_s(i128(2) * sx(a, es) * sx(b, es), 16u << es, qc);
}

// The element size is a template parameter so that every lane access is a
// fixed-size load or store (a run-time size costs a memcpy call per lane).
template <unsigned ES>
void vec_int_op(ArmCpuState& st, uint8_t* base, uint64_t desc, uint64_t d_off, uint64_t n_off,
                uint64_t m_off) {
    VecArgs a(base, desc, d_off, n_off, m_off);
    auto op = static_cast<VecIntOp>(a.op);
    constexpr unsigned es = ES;
    constexpr unsigned wes = ES < 3 ? ES + 1 : 3;  // wide side of long/narrow forms (ES < 3)
    const bool q = a.q, scalar = a.scalar, elem = a.flag;
    const unsigned imm = a.imm;
    auto &n = a.n, &m = a.m, &d = a.d, &r = a.r;
    const unsigned bits = 8u << es;
    const uint64_t mk = mask(es), wmk = mask(wes);
    bool qc = false;
    // Second operand of lane i (element size e): by element or lane-wise.
    auto second = [&](unsigned i, unsigned e) { return elem ? get(m, imm, e) : get(m, i, e); };

    // Same element size in and out.
    auto same = [&](auto f) {
        unsigned cnt = scalar ? 1 : (q ? 16 : 8) >> es;
        for (unsigned i = 0; i < cnt; ++i)
            put(r, i, es, f(get(n, i, es), second(i, es), get(d, i, es)) & mk);
    };
    // Narrow sources (the upper half for the "2" forms), wide result.
    auto longop = [&](auto f) {
        unsigned cnt = scalar ? 1 : 8 >> es, half = (q && !scalar) ? cnt : 0;
        for (unsigned i = 0; i < cnt; ++i) {
            uint64_t b = elem ? get(m, imm, es) : get(m, i + half, es);
            put(r, i, wes, f(get(n, i + half, es), b, get(d, i, wes)) & wmk);
        }
    };
    // Wide sources, narrow result (into the upper half for the "2" forms,
    // keeping the lower half).
    auto narrow = [&](auto f) {
        unsigned cnt = scalar ? 1 : 8 >> es, half = (q && !scalar) ? cnt : 0;
        if (half) std::memcpy(r, d, 8);
        for (unsigned i = 0; i < cnt; ++i)
            put(r, i + half, es, f(get(n, i, wes), get(m, i, wes)) & mk);
    };
    auto same_or_long = [&](auto f) {
        if (op >= VecIntOp::Sabal && op <= VecIntOp::Shll) {
            longop(f);
        } else {
            same(f);
        }
    };
    const u128 wround = u128(1) << (bits - 1);  // rounding constant of the high-half forms
    auto rshift_imm = [&](i128 x) { return (x + (i128(1) << (imm - 1))) >> imm; };

    switch (op) {
        case VecIntOp::Shadd:
            same([&](uint64_t a, uint64_t b, uint64_t) {
                return uint64_t((sx(a, es) + sx(b, es)) >> 1);
            });
            break;
        case VecIntOp::Uhadd:
            same([](uint64_t a, uint64_t b, uint64_t) { return (a + b) >> 1; });
            break;
        case VecIntOp::Srhadd:
            same([&](uint64_t a, uint64_t b, uint64_t) {
                return uint64_t((sx(a, es) + sx(b, es) + 1) >> 1);
            });
            break;
        case VecIntOp::Urhadd:
            same([](uint64_t a, uint64_t b, uint64_t) { return (a + b + 1) >> 1; });
            break;
        case VecIntOp::Shsub:
            same([&](uint64_t a, uint64_t b, uint64_t) {
                return uint64_t((sx(a, es) - sx(b, es)) >> 1);
            });
            break;
        case VecIntOp::Uhsub:
            same([](uint64_t a, uint64_t b, uint64_t) {
                return uint64_t((int64_t(a) - int64_t(b)) >> 1);
            });
            break;
        case VecIntOp::Sqadd:
            same([&](uint64_t a, uint64_t b, uint64_t) {
                return sat_s(i128(sx(a, es)) + sx(b, es), bits, qc);
            });
            break;
        case VecIntOp::Uqadd:
            same([&](uint64_t a, uint64_t b, uint64_t) { return sat_u(i128(a) + b, bits, qc); });
            break;
        case VecIntOp::Sqsub:
            same([&](uint64_t a, uint64_t b, uint64_t) {
                return sat_s(i128(sx(a, es)) - sx(b, es), bits, qc);
            });
            break;
        case VecIntOp::Uqsub:
            same([&](uint64_t a, uint64_t b, uint64_t) {
                return sat_u(i128(a) - i128(b), bits, qc);
            });
            break;
        case VecIntOp::Sqshl:
        case VecIntOp::Uqshl:
        case VecIntOp::Srshl:
        case VecIntOp::Urshl:
        case VecIntOp::Sqrshl:
        case VecIntOp::Uqrshl: {
            bool is_signed =
                op == VecIntOp::Sqshl || op == VecIntOp::Srshl || op == VecIntOp::Sqrshl;
            bool round = op != VecIntOp::Sqshl && op != VecIntOp::Uqshl;
            bool saturate = op != VecIntOp::Srshl && op != VecIntOp::Urshl;
            same([&](uint64_t a, uint64_t b, uint64_t) {
                return shift_reg(a, b, es, is_signed, round, saturate, qc);
            });
            break;
        }
        case VecIntOp::Saba:
        case VecIntOp::Sabal:
            same_or_long([&](uint64_t a, uint64_t b, uint64_t c) {
                int64_t x = sx(a, es), y = sx(b, es);
                return c + uint64_t(x > y ? x - y : y - x);
            });
            break;
        case VecIntOp::Uaba:
        case VecIntOp::Uabal:
            same_or_long(
                [](uint64_t a, uint64_t b, uint64_t c) { return c + (a > b ? a - b : b - a); });
            break;
        case VecIntOp::Pmul:
            same([](uint64_t a, uint64_t b, uint64_t) { return pmul8(a, b); });
            break;
        case VecIntOp::Sqdmulh:
        case VecIntOp::Sqrdmulh: {
            i128 rc = op == VecIntOp::Sqrdmulh ? i128(1) << (bits - 1) : 0;
            same([&](uint64_t a, uint64_t b, uint64_t) {
                return sat_s((i128(2) * sx(a, es) * sx(b, es) + rc) >> bits, bits, qc);
            });
            break;
        }
        // Same-size products wrap, so they share the unsigned long forms.
        case VecIntOp::Mul:
        case VecIntOp::Umull:
            same_or_long([](uint64_t a, uint64_t b, uint64_t) { return a * b; });
            break;
        case VecIntOp::Mla:
        case VecIntOp::Umlal:
            same_or_long([](uint64_t a, uint64_t b, uint64_t c) { return c + a * b; });
            break;
        case VecIntOp::Mls:
        case VecIntOp::Umlsl:
            same_or_long([](uint64_t a, uint64_t b, uint64_t c) { return c - a * b; });
            break;
        case VecIntOp::Suqadd:
            same([&](uint64_t a, uint64_t, uint64_t c) {
                return sat_s(i128(a) + sx(c, es), bits, qc);
            });
            break;
        case VecIntOp::Usqadd:
            same([&](uint64_t a, uint64_t, uint64_t c) {
                return sat_u(i128(sx(a, es)) + c, bits, qc);
            });
            break;
        case VecIntOp::Cls:
        case VecIntOp::Clz:
            same([&](uint64_t a, uint64_t, uint64_t) {
                return uint64_t(count_leading(a, bits, op == VecIntOp::Cls));
            });
            break;
        case VecIntOp::Sqabs:
            same([&](uint64_t a, uint64_t, uint64_t) {
                i128 x = sx(a, es);
                return sat_s(x < 0 ? -x : x, bits, qc);
            });
            break;
        case VecIntOp::Sqneg:
            same([&](uint64_t a, uint64_t, uint64_t) { return sat_s(-i128(sx(a, es)), bits, qc); });
            break;
        case VecIntOp::Urecpe:
            same([](uint64_t a, uint64_t, uint64_t) { return uint64_t(fpu::urecpe(uint32_t(a))); });
            break;
        case VecIntOp::Ursqrte:
            same(
                [](uint64_t a, uint64_t, uint64_t) { return uint64_t(fpu::ursqrte(uint32_t(a))); });
            break;
        case VecIntOp::Srshr:
            same([&](uint64_t a, uint64_t, uint64_t) { return uint64_t(rshift_imm(sx(a, es))); });
            break;
        case VecIntOp::Urshr:
            same([&](uint64_t a, uint64_t, uint64_t) { return uint64_t(rshift_imm(a)); });
            break;
        case VecIntOp::Srsra:
            same([&](uint64_t a, uint64_t, uint64_t c) {
                return c + uint64_t(rshift_imm(sx(a, es)));
            });
            break;
        case VecIntOp::Ursra:
            same([&](uint64_t a, uint64_t, uint64_t c) { return c + uint64_t(rshift_imm(a)); });
            break;
        case VecIntOp::SqshlImm:
            same([&](uint64_t a, uint64_t, uint64_t) {
                return sat_s(i128(sx(a, es)) << imm, bits, qc);
            });
            break;
        case VecIntOp::UqshlImm:
            same([&](uint64_t a, uint64_t, uint64_t) { return sat_u(i128(a) << imm, bits, qc); });
            break;
        case VecIntOp::Sqshlu:
            same([&](uint64_t a, uint64_t, uint64_t) {
                return sat_u(i128(sx(a, es)) << imm, bits, qc);
            });
            break;
        case VecIntOp::Smull:
            longop(
                [&](uint64_t a, uint64_t b, uint64_t) { return uint64_t(sx(a, es) * sx(b, es)); });
            break;
        case VecIntOp::Smlal:
            longop([&](uint64_t a, uint64_t b, uint64_t c) {
                return c + uint64_t(sx(a, es) * sx(b, es));
            });
            break;
        case VecIntOp::Smlsl:
            longop([&](uint64_t a, uint64_t b, uint64_t c) {
                return c - uint64_t(sx(a, es) * sx(b, es));
            });
            break;
        case VecIntOp::Sqdmull:
            longop([&](uint64_t a, uint64_t b, uint64_t) { return sqdmull(a, b, es, qc); });
            break;
        case VecIntOp::Sqdmlal:
        case VecIntOp::Sqdmlsl: {
            bool sub = op == VecIntOp::Sqdmlsl;
            longop([&](uint64_t a, uint64_t b, uint64_t c) {
                i128 p = sx(sqdmull(a, b, es, qc), wes), acc = sx(c, wes);
                return sat_s(sub ? acc - p : acc + p, 8u << wes, qc);
            });
            break;
        }
        case VecIntOp::Shll:
            longop([&](uint64_t a, uint64_t, uint64_t) { return a << (bits & 63); });  // ES < 3
            break;
        case VecIntOp::Raddhn:
            narrow([&](uint64_t a, uint64_t b) {
                return uint64_t((((a + b) & wmk) + wround) >> bits);
            });
            break;
        case VecIntOp::Rsubhn:
            narrow([&](uint64_t a, uint64_t b) {
                return uint64_t((((a - b) & wmk) + wround) >> bits);
            });
            break;
        case VecIntOp::Rshrn:
            narrow([&](uint64_t a, uint64_t) { return uint64_t(rshift_imm(a)); });
            break;
        case VecIntOp::Sqshrn:
            narrow([&](uint64_t a, uint64_t) { return sat_s(sx(a, wes) >> imm, bits, qc); });
            break;
        case VecIntOp::Uqshrn:
            narrow([&](uint64_t a, uint64_t) { return sat_u(a >> imm, bits, qc); });
            break;
        case VecIntOp::Sqrshrn:
            narrow([&](uint64_t a, uint64_t) { return sat_s(rshift_imm(sx(a, wes)), bits, qc); });
            break;
        case VecIntOp::Uqrshrn:
            narrow([&](uint64_t a, uint64_t) { return sat_u(rshift_imm(a), bits, qc); });
            break;
        case VecIntOp::Sqshrun:
            narrow([&](uint64_t a, uint64_t) { return sat_u(sx(a, wes) >> imm, bits, qc); });
            break;
        case VecIntOp::Sqrshrun:
            narrow([&](uint64_t a, uint64_t) { return sat_u(rshift_imm(sx(a, wes)), bits, qc); });
            break;
        case VecIntOp::Sqxtn:
            narrow([&](uint64_t a, uint64_t) { return sat_s(sx(a, wes), bits, qc); });
            break;
        case VecIntOp::Uqxtn:
            narrow([&](uint64_t a, uint64_t) { return sat_u(a, bits, qc); });
            break;
        case VecIntOp::Sqxtun:
            narrow([&](uint64_t a, uint64_t) { return sat_u(sx(a, wes), bits, qc); });
            break;
        case VecIntOp::Sadalp:
        case VecIntOp::Uadalp: {
            unsigned cnt = (q ? 16 : 8) >> (wes);
            bool is_signed = op == VecIntOp::Sadalp;
            for (unsigned i = 0; i < cnt; ++i) {
                uint64_t a = get(n, 2 * i, es), b = get(n, 2 * i + 1, es);
                uint64_t s = is_signed ? uint64_t(sx(a, es) + sx(b, es)) : a + b;
                put(r, i, wes, (get(d, i, wes) + s) & wmk);
            }
            break;
        }
    }
    if (qc) st.fpsr |= kFpsrQc;
    std::memcpy(base + d_off, r, 16);
}

}  // namespace

tcg::HelperRet vec_int_helper(void* envp, uint64_t desc, uint64_t d_off, uint64_t n_off,
                              uint64_t m_off) {
    auto* base = static_cast<uint8_t*>(envp);
    ArmCpuState& st = *static_cast<ArmCpuState*>(envp);
    switch ((desc >> 8) & 3) {
        case 0:
            vec_int_op<0>(st, base, desc, d_off, n_off, m_off);
            break;
        case 1:
            vec_int_op<1>(st, base, desc, d_off, n_off, m_off);
            break;
        case 2:
            vec_int_op<2>(st, base, desc, d_off, n_off, m_off);
            break;
        default:
            vec_int_op<3>(st, base, desc, d_off, n_off, m_off);
            break;
    }
    return {0, 0};
}

}  // namespace emu::arm

// AdvSIMD / scalar-SIMD floating point that the main vector helper does not
// cover (vec_fp_ops.h): one helper call per instruction, per element through
// the bit-exact library (target/arm/fpu), FPCR from and FPSR flags into the
// CPU state.
#include "target/arm/vec_fp_helpers.h"

#include <cstring>

#include "target/arm/cpu_state.h"
#include "target/arm/fpu/fpu.h"
#include "target/arm/vec_fp_ops.h"
#include "target/arm/vec_lanes.h"

namespace emu::arm {

namespace {

namespace f = fpu;

using vec_lane::get;
using vec_lane::put;

// A binary (or unary) operation in its single and double forms.
struct Bin {
    uint32_t (*s)(uint32_t, uint32_t, uint32_t, uint32_t&);
    uint64_t (*d)(uint64_t, uint64_t, uint32_t, uint32_t&);
};
struct Un {
    uint32_t (*s)(uint32_t, uint32_t, uint32_t&);
    uint64_t (*d)(uint64_t, uint32_t, uint32_t&);
};

constexpr Bin kAdd{f::fadd_s, f::fadd_d};
constexpr Bin kMulx{f::fmulx_s, f::fmulx_d};
constexpr Bin kRecps{f::frecps_s, f::frecps_d};
constexpr Bin kRsqrts{f::frsqrts_s, f::frsqrts_d};
constexpr Bin kAcge{f::facge_s, f::facge_d};
constexpr Bin kAcgt{f::facgt_s, f::facgt_d};
constexpr Bin kCmeq{f::fcmeq_s, f::fcmeq_d};
constexpr Bin kCmge{f::fcmge_s, f::fcmge_d};
constexpr Bin kCmgt{f::fcmgt_s, f::fcmgt_d};
constexpr Bin kMax{f::fmax_s, f::fmax_d};
constexpr Bin kMin{f::fmin_s, f::fmin_d};
constexpr Bin kMaxnm{f::fmaxnm_s, f::fmaxnm_d};
constexpr Bin kMinnm{f::fminnm_s, f::fminnm_d};
constexpr Un kSqrt{f::fsqrt_s, f::fsqrt_d};
constexpr Un kRecpe{f::frecpe_s, f::frecpe_d};
constexpr Un kRsqrte{f::frsqrte_s, f::frsqrte_d};
constexpr Un kRecpx{f::frecpx_s, f::frecpx_d};

struct Ctx {
    unsigned es;
    uint32_t fpcr;
    uint32_t& fpsr;

    uint64_t bin(Bin op, uint64_t a, uint64_t b) const {
        return es == 2 ? op.s(static_cast<uint32_t>(a), static_cast<uint32_t>(b), fpcr, fpsr)
                       : op.d(a, b, fpcr, fpsr);
    }
    uint64_t un(Un op, uint64_t a) const {
        return es == 2 ? op.s(static_cast<uint32_t>(a), fpcr, fpsr) : op.d(a, fpcr, fpsr);
    }
    f::Rounding rounding(unsigned r) const {
        return r == kVecFpRoundFpcr ? f::fpcr_rounding(fpcr) : static_cast<f::Rounding>(r);
    }
    uint64_t to_int(uint64_t a, unsigned imm) const {
        f::Rounding r = rounding(imm & 7);
        bool uns = (imm >> 3) & 1;
        unsigned fbits = imm >> 4, bits = 8u << es;
        return es == 2 ? f::fcvt_to_int_s(static_cast<uint32_t>(a), r, uns, bits, fbits, fpcr, fpsr)
                       : f::fcvt_to_int_d(a, r, uns, bits, fbits, fpcr, fpsr);
    }
    uint64_t from_int(uint64_t a, unsigned imm) const {
        bool uns = imm & 1;
        unsigned fbits = imm >> 1, bits = 8u << es;
        return es == 2 ? f::cvtf_s(a, uns, bits, fbits, fpcr, fpsr)
                       : f::cvtf_d(a, uns, bits, fbits, fpcr, fpsr);
    }
    uint64_t rint(uint64_t a, unsigned imm) const {
        f::Rounding r = rounding(imm & 7);
        bool exact = (imm >> 3) & 1;
        return es == 2 ? f::frint_s(static_cast<uint32_t>(a), r, exact, fpcr, fpsr)
                       : f::frint_d(a, r, exact, fpcr, fpsr);
    }
    // es is the narrow size: 1 (half <-> single) or 2 (single <-> double).
    uint64_t widen(uint64_t a) const {
        return es == 1 ? f::fcvt_h2s(static_cast<uint16_t>(a), fpcr, fpsr)
                       : f::fcvt_s2d(static_cast<uint32_t>(a), fpcr, fpsr);
    }
    uint64_t narrow(uint64_t a) const {
        return es == 1 ? f::fcvt_s2h(static_cast<uint32_t>(a), fpcr, fpsr)
                       : f::fcvt_d2s(a, fpcr, fpsr);
    }
};

Bin pairwise_op(VecFpOp op) {
    switch (op) {
        case VecFpOp::Faddp:
            return kAdd;
        case VecFpOp::Fmaxp:
        case VecFpOp::Fmaxv:
            return kMax;
        case VecFpOp::Fminp:
        case VecFpOp::Fminv:
            return kMin;
        case VecFpOp::Fmaxnmp:
        case VecFpOp::Fmaxnmv:
            return kMaxnm;
        default:
            return kMinnm;
    }
}

}  // namespace

tcg::HelperRet vec_fp_helper(void* envp, uint64_t desc, uint64_t d_off, uint64_t n_off,
                             uint64_t m_off) {
    auto* base = static_cast<uint8_t*>(envp);
    ArmCpuState& st = *static_cast<ArmCpuState*>(envp);
    VecArgs a(base, desc, d_off, n_off, m_off);
    auto op = static_cast<VecFpOp>(a.op);
    const unsigned es = a.es, imm = a.imm;
    const bool scalar = a.scalar, part2 = a.flag;
    auto &n = a.n, &m = a.m, &d = a.d, &r = a.r;
    unsigned bytes = a.bytes();
    unsigned elems = bytes >> es;
    Ctx c{es, st.fpcr, st.fpsr};

    auto lanes2 = [&](Bin b) {
        for (unsigned i = 0; i < elems; ++i)
            put(r, i, es, c.bin(b, get(n, i, es), get(m, i, es)));
    };
    auto lanes1 = [&](auto fn) {
        for (unsigned i = 0; i < elems; ++i)
            put(r, i, es, fn(get(n, i, es)));
    };
    // Compare with +0.0: swapped operands give LE/LT from GE/GT.
    auto cmp0 = [&](Bin b, bool zero_first) {
        lanes1([&](uint64_t a) { return zero_first ? c.bin(b, 0, a) : c.bin(b, a, 0); });
    };
    // By element: one loop per precision, the operation inlined in it.
    uint32_t fpcr = st.fpcr;
    uint32_t& fpsr = st.fpsr;
    // Lane i of n, lane i of m (or, by element, lane imm of m) and lane i of
    // d; the hot arithmetic goes through here.
    auto typed3 = [&](bool elem, auto fs, auto fd) {
        if (es == 2) {
            for (unsigned i = 0; i < elems && i < 4; ++i) {
                auto b = vec_lane::load_lane<uint32_t>(m + 4 * (elem ? imm & 3 : i));
                vec_lane::store_lane(r + 4 * i, fs(vec_lane::load_lane<uint32_t>(n + 4 * i), b,
                                                   vec_lane::load_lane<uint32_t>(d + 4 * i)));
            }
        } else {
            for (unsigned i = 0; i < elems && i < 2; ++i) {
                auto b = vec_lane::load_lane<uint64_t>(m + 8 * (elem ? imm & 1 : i));
                vec_lane::store_lane(r + 8 * i, fd(vec_lane::load_lane<uint64_t>(n + 8 * i), b,
                                                   vec_lane::load_lane<uint64_t>(d + 8 * i)));
            }
        }
    };
    auto by_elem = [&](auto fs, auto fd) { typed3(true, fs, fd); };
// Binary operation op on lanes i of n and m (by element: lane imm of m).
#define EMU_FP_BIN(elem, op)                                                                 \
    typed3(                                                                                  \
        elem, [&](uint32_t a, uint32_t b, uint32_t) { return f::op##_s(a, b, fpcr, fpsr); }, \
        [&](uint64_t a, uint64_t b, uint64_t) { return f::op##_d(a, b, fpcr, fpsr); })

    switch (op) {
        case VecFpOp::Fmulx:
            EMU_FP_BIN(false, fmulx);
            break;
        case VecFpOp::Fadd:
            EMU_FP_BIN(false, fadd);
            break;
        case VecFpOp::Fsub:
            EMU_FP_BIN(false, fsub);
            break;
        case VecFpOp::Fmul:
            EMU_FP_BIN(false, fmul);
            break;
        case VecFpOp::Fdiv:
            EMU_FP_BIN(false, fdiv);
            break;
        case VecFpOp::Fmax:
            EMU_FP_BIN(false, fmax);
            break;
        case VecFpOp::Fmin:
            EMU_FP_BIN(false, fmin);
            break;
        case VecFpOp::Fmaxnm:
            EMU_FP_BIN(false, fmaxnm);
            break;
        case VecFpOp::Fminnm:
            EMU_FP_BIN(false, fminnm);
            break;
        case VecFpOp::Fabd:
            EMU_FP_BIN(false, fabd);
            break;
        case VecFpOp::Fcmeq:
            EMU_FP_BIN(false, fcmeq);
            break;
        case VecFpOp::Fcmge:
            EMU_FP_BIN(false, fcmge);
            break;
        case VecFpOp::Fcmgt:
            EMU_FP_BIN(false, fcmgt);
            break;
        case VecFpOp::Fmla:
            typed3(
                false,
                [&](uint32_t a, uint32_t b, uint32_t acc) {
                    return f::fmuladd_s(acc, a, b, fpcr, fpsr);
                },
                [&](uint64_t a, uint64_t b, uint64_t acc) {
                    return f::fmuladd_d(acc, a, b, fpcr, fpsr);
                });
            break;
        case VecFpOp::Fmls:
            typed3(
                false,
                [&](uint32_t a, uint32_t b, uint32_t acc) {
                    return f::fmuladd_s(acc, f::fneg_s(a), b, fpcr, fpsr);
                },
                [&](uint64_t a, uint64_t b, uint64_t acc) {
                    return f::fmuladd_d(acc, f::fneg_d(a), b, fpcr, fpsr);
                });
            break;
        case VecFpOp::Frecps:
            lanes2(kRecps);
            break;
        case VecFpOp::Frsqrts:
            lanes2(kRsqrts);
            break;
        case VecFpOp::Facge:
            lanes2(kAcge);
            break;
        case VecFpOp::Facgt:
            lanes2(kAcgt);
            break;
        case VecFpOp::Faddp:
        case VecFpOp::Fmaxp:
        case VecFpOp::Fminp:
        case VecFpOp::Fmaxnmp:
        case VecFpOp::Fminnmp: {
            Bin b = pairwise_op(op);
            if (scalar) {  // the two elements of n
                put(r, 0, es, c.bin(b, get(n, 0, es), get(n, 1, es)));
                break;
            }
            uint8_t cat[32];
            std::memcpy(cat, n, bytes);
            std::memcpy(cat + bytes, m, bytes);
            for (unsigned i = 0; i < elems; ++i)
                put(r, i, es, c.bin(b, get(cat, 2 * i, es), get(cat, 2 * i + 1, es)));
            break;
        }
        case VecFpOp::Fabs:
            lanes1([&](uint64_t a) { return es == 2 ? f::fabs_s(uint32_t(a)) : f::fabs_d(a); });
            break;
        case VecFpOp::Fneg:
            lanes1([&](uint64_t a) { return es == 2 ? f::fneg_s(uint32_t(a)) : f::fneg_d(a); });
            break;
        case VecFpOp::Fsqrt:
            lanes1([&](uint64_t a) { return c.un(kSqrt, a); });
            break;
        case VecFpOp::Fcmgt0:
            cmp0(kCmgt, false);
            break;
        case VecFpOp::Fcmeq0:
            cmp0(kCmeq, false);
            break;
        case VecFpOp::Fcmge0:
            cmp0(kCmge, false);
            break;
        case VecFpOp::Fcmle0:
            cmp0(kCmge, true);
            break;
        case VecFpOp::Fcmlt0:
            cmp0(kCmgt, true);
            break;
        case VecFpOp::ToInt:
            lanes1([&](uint64_t a) { return c.to_int(a, imm); });
            break;
        case VecFpOp::FromInt:
            lanes1([&](uint64_t a) { return c.from_int(a, imm); });
            break;
        case VecFpOp::Frint:
            lanes1([&](uint64_t a) { return c.rint(a, imm); });
            break;
        case VecFpOp::Frecpe:
            lanes1([&](uint64_t a) { return c.un(kRecpe, a); });
            break;
        case VecFpOp::Frsqrte:
            lanes1([&](uint64_t a) { return c.un(kRsqrte, a); });
            break;
        case VecFpOp::Frecpx:
            lanes1([&](uint64_t a) { return c.un(kRecpx, a); });
            break;
        case VecFpOp::Urecpe:
            lanes1([](uint64_t a) { return f::urecpe(static_cast<uint32_t>(a)); });
            break;
        case VecFpOp::Ursqrte:
            lanes1([](uint64_t a) { return f::ursqrte(static_cast<uint32_t>(a)); });
            break;
        case VecFpOp::Fcvtl: {
            unsigned cnt = 8 >> es, first = part2 ? cnt : 0;
            for (unsigned i = 0; i < cnt; ++i)
                put(r, i, es + 1, c.widen(get(n, first + i, es)));
            break;
        }
        case VecFpOp::Fcvtn:
        case VecFpOp::Fcvtxn: {
            unsigned cnt = scalar ? 1 : 8 >> es, first = part2 ? cnt : 0;
            if (part2) std::memcpy(r, d, 8);
            for (unsigned i = 0; i < cnt; ++i) {
                uint64_t a = get(n, i, es + 1);
                put(r, first + i, es,
                    op == VecFpOp::Fcvtxn ? f::fcvtxn(a, fpcr, fpsr) : c.narrow(a));
            }
            break;
        }
        case VecFpOp::Fmaxv:
        case VecFpOp::Fminv:
        case VecFpOp::Fmaxnmv:
        case VecFpOp::Fminnmv: {
            // 4S only. Reduce() halves recursively: op(op(e0, e1), op(e2, e3)).
            Bin b = pairwise_op(op);
            uint64_t lo = c.bin(b, get(n, 0, 2), get(n, 1, 2));
            uint64_t hi = c.bin(b, get(n, 2, 2), get(n, 3, 2));
            put(r, 0, 2, c.bin(b, lo, hi));
            break;
        }
        case VecFpOp::FmulElem:
            by_elem([&](uint32_t a, uint32_t b, uint32_t) { return f::fmul_s(a, b, fpcr, fpsr); },
                    [&](uint64_t a, uint64_t b, uint64_t) { return f::fmul_d(a, b, fpcr, fpsr); });
            break;
        case VecFpOp::FmulxElem:
            by_elem([&](uint32_t a, uint32_t b, uint32_t) { return f::fmulx_s(a, b, fpcr, fpsr); },
                    [&](uint64_t a, uint64_t b, uint64_t) { return f::fmulx_d(a, b, fpcr, fpsr); });
            break;
        case VecFpOp::FmlaElem:
            by_elem([&](uint32_t a, uint32_t b,
                        uint32_t acc) { return f::fmuladd_s(acc, a, b, fpcr, fpsr); },
                    [&](uint64_t a, uint64_t b, uint64_t acc) {
                        return f::fmuladd_d(acc, a, b, fpcr, fpsr);
                    });
            break;
        case VecFpOp::FmlsElem:
            // FMLS negates the first multiplicand before NaN processing.
            by_elem([&](uint32_t a, uint32_t b,
                        uint32_t acc) { return f::fmuladd_s(acc, f::fneg_s(a), b, fpcr, fpsr); },
                    [&](uint64_t a, uint64_t b, uint64_t acc) {
                        return f::fmuladd_d(acc, f::fneg_d(a), b, fpcr, fpsr);
                    });
            break;
    }
#undef EMU_FP_BIN
    std::memcpy(base + d_off, r, 16);
    return {0, 0};
}

}  // namespace emu::arm

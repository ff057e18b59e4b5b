// AdvSIMD lane-by-lane semantics (one helper, dispatched on VecOp). The
// translator keeps the common bitwise operations and moves inline; the
// rest is here, written for clarity rather than speed.
#include "target/arm/vec_helpers.h"

#include <cstring>

#include "target/arm/cpu_state.h"
#include "target/arm/vec_args.h"
#include "target/arm/vec_lanes.h"
#include "target/arm/vec_ops.h"

namespace emu::arm {

namespace {

using namespace vec_lane;

}  // namespace

tcg::HelperRet vec_helper(void* envp, uint64_t desc, uint64_t d_off, uint64_t n_off,
                          uint64_t m_off) {
    auto* base = static_cast<uint8_t*>(envp);
    ArmCpuState& st = *static_cast<ArmCpuState*>(envp);
    VecArgs a(base, desc, d_off, n_off, m_off);
    auto op = static_cast<VecOp>(a.op);
    const unsigned es = a.es, imm = a.imm;
    const bool part2 = a.flag;
    auto &n = a.n, &m = a.m, &d = a.d, &r = a.r;
    unsigned bytes = a.bytes();
    unsigned elems = bytes >> es;
    uint64_t mk = mask(es);
    unsigned ebits = 8u << es;

    auto lanes = [&](auto f) {
        for (unsigned i = 0; i < elems; ++i)
            put(r, i, es, f(get(n, i, es), get(m, i, es), get(d, i, es)) & mk);
    };
    auto pairwise = [&](auto f) {
        uint8_t cat[32];
        std::memcpy(cat, n, bytes);
        std::memcpy(cat + bytes, m, bytes);
        for (unsigned i = 0; i < elems; ++i) {
            put(r, i, es, f(get(cat, 2 * i, es), get(cat, 2 * i + 1, es)) & mk);
        }
    };
    // Long/wide: narrow sources of size es from the selected half, wide result.
    auto longop = [&](bool wide_n, auto f) {
        unsigned half = part2 ? 8 >> es : 0;
        unsigned cnt = 8 >> es;
        for (unsigned i = 0; i < cnt; ++i) {
            uint64_t a = wide_n ? get(n, i, es + 1) : get(n, i + half, es);
            uint64_t b = get(m, i + half, es);
            put(r, i, es + 1, f(a, b, get(d, i, es + 1)) & mask(es + 1));
        }
    };
    // Narrow: wide elements of n (and m) to the lower or upper half of d.
    auto narrow = [&](auto f) {
        unsigned cnt = 8 >> es;
        if (part2) std::memcpy(r, d, 8);
        for (unsigned i = 0; i < cnt; ++i) {
            put(r, i + (part2 ? cnt : 0), es, f(get(n, i, es + 1), get(m, i, es + 1)) & mk);
        }
    };
    switch (op) {
        case VecOp::Add:
            lanes([](uint64_t a, uint64_t b, uint64_t) { return a + b; });
            break;
        case VecOp::Sub:
            lanes([](uint64_t a, uint64_t b, uint64_t) { return a - b; });
            break;
        case VecOp::Mul:
            lanes([](uint64_t a, uint64_t b, uint64_t) { return a * b; });
            break;
        case VecOp::Mla:
            lanes([](uint64_t a, uint64_t b, uint64_t c) { return c + a * b; });
            break;
        case VecOp::Mls:
            lanes([](uint64_t a, uint64_t b, uint64_t c) { return c - a * b; });
            break;
        case VecOp::Cmeq:
            lanes([&](uint64_t a, uint64_t b, uint64_t) { return a == b ? mk : 0; });
            break;
        case VecOp::Cmtst:
            lanes([&](uint64_t a, uint64_t b, uint64_t) { return (a & b) ? mk : 0; });
            break;
        case VecOp::Cmhi:
            lanes([&](uint64_t a, uint64_t b, uint64_t) { return a > b ? mk : 0; });
            break;
        case VecOp::Cmhs:
            lanes([&](uint64_t a, uint64_t b, uint64_t) { return a >= b ? mk : 0; });
            break;
        case VecOp::Cmgt:
            lanes([&](uint64_t a, uint64_t b, uint64_t) { return sx(a, es) > sx(b, es) ? mk : 0; });
            break;
        case VecOp::Cmge:
            lanes(
                [&](uint64_t a, uint64_t b, uint64_t) { return sx(a, es) >= sx(b, es) ? mk : 0; });
            break;
        case VecOp::Umax:
            lanes([](uint64_t a, uint64_t b, uint64_t) { return a > b ? a : b; });
            break;
        case VecOp::Umin:
            lanes([](uint64_t a, uint64_t b, uint64_t) { return a < b ? a : b; });
            break;
        case VecOp::Smax:
            lanes([&](uint64_t a, uint64_t b, uint64_t) { return sx(a, es) > sx(b, es) ? a : b; });
            break;
        case VecOp::Smin:
            lanes([&](uint64_t a, uint64_t b, uint64_t) { return sx(a, es) < sx(b, es) ? a : b; });
            break;
        case VecOp::Uabd:
            lanes([](uint64_t a, uint64_t b, uint64_t) { return a > b ? a - b : b - a; });
            break;
        case VecOp::Sabd:
            lanes([&](uint64_t a, uint64_t b, uint64_t) {
                int64_t x = sx(a, es), y = sx(b, es);
                return static_cast<uint64_t>(x > y ? x - y : y - x);
            });
            break;
        case VecOp::Bsl:
            lanes([](uint64_t a, uint64_t b, uint64_t c) { return (c & a) | (~c & b); });
            break;
        case VecOp::Bit:
            lanes([](uint64_t a, uint64_t b, uint64_t c) { return (c & ~b) | (a & b); });
            break;
        case VecOp::Bif:
            lanes([](uint64_t a, uint64_t b, uint64_t c) { return (c & b) | (a & ~b); });
            break;
        case VecOp::Ushl:
        case VecOp::Sshl:
            lanes([&](uint64_t a, uint64_t b, uint64_t) -> uint64_t {
                int sh = static_cast<int8_t>(b & 0xff);
                if (sh >= 0) return sh >= static_cast<int>(ebits) ? 0 : a << sh;
                sh = -sh;
                if (op == VecOp::Ushl) return sh >= static_cast<int>(ebits) ? 0 : (a & mk) >> sh;
                return static_cast<uint64_t>(sx(a, es) >>
                                             (sh >= static_cast<int>(ebits) ? ebits - 1 : sh));
            });
            break;
        case VecOp::Uqadd:
            lanes([&](uint64_t a, uint64_t b, uint64_t) {
                uint64_t s = (a + b) & mk;
                if (s < a) {
                    st.fpsr |= 1u << 27;
                    return mk;
                }
                return s;
            });
            break;
        case VecOp::Uqsub:
            lanes([&](uint64_t a, uint64_t b, uint64_t) -> uint64_t {
                if (b > a) {
                    st.fpsr |= 1u << 27;
                    return 0;
                }
                return a - b;
            });
            break;
        case VecOp::Addp:
            pairwise([](uint64_t a, uint64_t b) { return a + b; });
            break;
        case VecOp::Umaxp:
            pairwise([](uint64_t a, uint64_t b) { return a > b ? a : b; });
            break;
        case VecOp::Uminp:
            pairwise([](uint64_t a, uint64_t b) { return a < b ? a : b; });
            break;
        case VecOp::Smaxp:
            pairwise([&](uint64_t a, uint64_t b) { return sx(a, es) > sx(b, es) ? a : b; });
            break;
        case VecOp::Sminp:
            pairwise([&](uint64_t a, uint64_t b) { return sx(a, es) < sx(b, es) ? a : b; });
            break;
        case VecOp::Uaddl:
            longop(false, [](uint64_t a, uint64_t b, uint64_t) { return a + b; });
            break;
        case VecOp::Saddl:
            longop(false, [&](uint64_t a, uint64_t b, uint64_t) {
                return uint64_t(sx(a, es) + sx(b, es));
            });
            break;
        case VecOp::Uaddw:
            longop(true, [](uint64_t a, uint64_t b, uint64_t) { return a + b; });
            break;
        case VecOp::Saddw:
            longop(true, [&](uint64_t a, uint64_t b, uint64_t) { return a + uint64_t(sx(b, es)); });
            break;
        case VecOp::Usubl:
            longop(false, [](uint64_t a, uint64_t b, uint64_t) { return a - b; });
            break;
        case VecOp::Ssubl:
            longop(false, [&](uint64_t a, uint64_t b, uint64_t) {
                return uint64_t(sx(a, es) - sx(b, es));
            });
            break;
        case VecOp::Usubw:
            longop(true, [](uint64_t a, uint64_t b, uint64_t) { return a - b; });
            break;
        case VecOp::Ssubw:
            longop(true, [&](uint64_t a, uint64_t b, uint64_t) { return a - uint64_t(sx(b, es)); });
            break;
        case VecOp::Umull:
            longop(false, [](uint64_t a, uint64_t b, uint64_t) { return a * b; });
            break;
        case VecOp::Smull:
            longop(false, [&](uint64_t a, uint64_t b, uint64_t) {
                return uint64_t(sx(a, es) * sx(b, es));
            });
            break;
        case VecOp::Umlal:
            longop(false, [](uint64_t a, uint64_t b, uint64_t c) { return c + a * b; });
            break;
        case VecOp::Smlal:
            longop(false, [&](uint64_t a, uint64_t b, uint64_t c) {
                return c + uint64_t(sx(a, es) * sx(b, es));
            });
            break;
        case VecOp::Umlsl:
            longop(false, [](uint64_t a, uint64_t b, uint64_t c) { return c - a * b; });
            break;
        case VecOp::Smlsl:
            longop(false, [&](uint64_t a, uint64_t b, uint64_t c) {
                return c - uint64_t(sx(a, es) * sx(b, es));
            });
            break;
        case VecOp::Uabdl:
            longop(false, [](uint64_t a, uint64_t b, uint64_t) { return a > b ? a - b : b - a; });
            break;
        case VecOp::Sabdl:
            longop(false, [&](uint64_t a, uint64_t b, uint64_t) {
                int64_t x = sx(a, es), y = sx(b, es);
                return uint64_t(x > y ? x - y : y - x);
            });
            break;
        case VecOp::Addhn:
            narrow([&](uint64_t a, uint64_t b) { return (a + b) >> ebits; });
            break;
        case VecOp::Subhn:
            narrow([&](uint64_t a, uint64_t b) { return (a - b) >> ebits; });
            break;
        case VecOp::Xtn:
            narrow([](uint64_t a, uint64_t) { return a; });
            break;
        case VecOp::Shrn:
            narrow([&](uint64_t a, uint64_t) { return a >> imm; });
            break;
        case VecOp::Rev64:
        case VecOp::Rev32:
        case VecOp::Rev16: {
            unsigned cont = op == VecOp::Rev64 ? 8 : op == VecOp::Rev32 ? 4 : 2;
            unsigned per = cont >> es;
            for (unsigned i = 0; i < elems; ++i) {
                unsigned base_i = i - i % per;
                put(r, base_i + (per - 1 - i % per), es, get(n, i, es));
            }
            break;
        }
        case VecOp::Cnt:
            for (unsigned i = 0; i < bytes; ++i)
                r[i] = static_cast<uint8_t>(__builtin_popcount(n[i]));
            break;
        case VecOp::Not:
            for (unsigned i = 0; i < bytes; ++i)
                r[i] = static_cast<uint8_t>(~n[i]);
            break;
        case VecOp::Rbit:
            for (unsigned i = 0; i < bytes; ++i) {
                uint8_t b = n[i], o = 0;
                for (int k = 0; k < 8; ++k)
                    o |= ((b >> k) & 1) << (7 - k);
                r[i] = o;
            }
            break;
        case VecOp::Cmgt0:
            lanes([&](uint64_t a, uint64_t, uint64_t) { return sx(a, es) > 0 ? mk : 0; });
            break;
        case VecOp::Cmeq0:
            lanes([&](uint64_t a, uint64_t, uint64_t) { return a == 0 ? mk : 0; });
            break;
        case VecOp::Cmlt0:
            lanes([&](uint64_t a, uint64_t, uint64_t) { return sx(a, es) < 0 ? mk : 0; });
            break;
        case VecOp::Cmge0:
            lanes([&](uint64_t a, uint64_t, uint64_t) { return sx(a, es) >= 0 ? mk : 0; });
            break;
        case VecOp::Cmle0:
            lanes([&](uint64_t a, uint64_t, uint64_t) { return sx(a, es) <= 0 ? mk : 0; });
            break;
        case VecOp::Abs:
            lanes([&](uint64_t a, uint64_t, uint64_t) { return sx(a, es) < 0 ? 0 - a : a; });
            break;
        case VecOp::Neg:
            lanes([](uint64_t a, uint64_t, uint64_t) { return 0 - a; });
            break;
        case VecOp::Uaddlp:
        case VecOp::Saddlp: {
            unsigned cnt = elems / 2;
            for (unsigned i = 0; i < cnt; ++i) {
                uint64_t a = get(n, 2 * i, es), b = get(n, 2 * i + 1, es);
                uint64_t s = op == VecOp::Uaddlp ? a + b : uint64_t(sx(a, es) + sx(b, es));
                put(r, i, es + 1, s & mask(es + 1));
            }
            break;
        }
        case VecOp::Addv:
        case VecOp::Umaxv:
        case VecOp::Uminv:
        case VecOp::Smaxv:
        case VecOp::Sminv:
        case VecOp::Uaddlv:
        case VecOp::Saddlv: {
            uint64_t acc = get(n, 0, es);
            int64_t sacc = sx(acc, es);
            for (unsigned i = 1; i < elems; ++i) {
                uint64_t v = get(n, i, es);
                switch (op) {
                    case VecOp::Addv:
                    case VecOp::Uaddlv:
                        acc += v;
                        break;
                    case VecOp::Saddlv:
                        sacc += sx(v, es);
                        break;
                    case VecOp::Umaxv:
                        acc = v > acc ? v : acc;
                        break;
                    case VecOp::Uminv:
                        acc = v < acc ? v : acc;
                        break;
                    case VecOp::Smaxv:
                        acc = sx(v, es) > sx(acc, es) ? v : acc;
                        break;
                    default:
                        acc = sx(v, es) < sx(acc, es) ? v : acc;
                        break;
                }
            }
            if (op == VecOp::Uaddlv)
                put(r, 0, es + 1, acc & mask(es + 1));
            else if (op == VecOp::Saddlv)
                put(r, 0, es + 1, uint64_t(sacc) & mask(es + 1));
            else
                put(r, 0, es, acc & mk);
            std::memcpy(base + d_off, r, 16);
            return {0, 0};
        }
        case VecOp::Sshr:
            lanes([&](uint64_t a, uint64_t, uint64_t) {
                return uint64_t(sx(a, es) >> (imm >= ebits ? ebits - 1 : imm));
            });
            break;
        case VecOp::Ushr:
            lanes([&](uint64_t a, uint64_t, uint64_t) { return imm >= ebits ? 0 : a >> imm; });
            break;
        case VecOp::Ssra:
            lanes([&](uint64_t a, uint64_t, uint64_t c) {
                return c + uint64_t(sx(a, es) >> (imm >= ebits ? ebits - 1 : imm));
            });
            break;
        case VecOp::Usra:
            lanes([&](uint64_t a, uint64_t, uint64_t c) {
                return c + (imm >= ebits ? 0 : a >> imm);
            });
            break;
        case VecOp::Shl:
            lanes([&](uint64_t a, uint64_t, uint64_t) { return a << imm; });
            break;
        case VecOp::Sli:
            lanes([&](uint64_t a, uint64_t, uint64_t c) {
                uint64_t keep = imm ? (mk >> (ebits - imm)) : 0;
                return (a << imm) | (c & keep);
            });
            break;
        case VecOp::Sri:
            lanes([&](uint64_t a, uint64_t, uint64_t c) {
                if (imm >= ebits) return c;
                uint64_t keep = ~(mk >> imm) & mk;
                return (a >> imm) | (c & keep);
            });
            break;
        case VecOp::Sshll:
        case VecOp::Ushll: {
            unsigned half = part2 ? 8 >> es : 0;
            for (unsigned i = 0; i < (8u >> es); ++i) {
                uint64_t a = get(n, i + half, es);
                uint64_t w = op == VecOp::Sshll ? uint64_t(sx(a, es)) : a;
                put(r, i, es + 1, (w << imm) & mask(es + 1));
            }
            break;
        }
        case VecOp::Uzp1:
        case VecOp::Uzp2: {
            uint8_t cat[32];
            std::memcpy(cat, n, bytes);
            std::memcpy(cat + bytes, m, bytes);
            unsigned odd = op == VecOp::Uzp2;
            for (unsigned i = 0; i < elems; ++i)
                put(r, i, es, get(cat, 2 * i + odd, es));
            break;
        }
        case VecOp::Trn1:
        case VecOp::Trn2: {
            unsigned odd = op == VecOp::Trn2;
            for (unsigned i = 0; i < elems / 2; ++i) {
                put(r, 2 * i, es, get(n, 2 * i + odd, es));
                put(r, 2 * i + 1, es, get(m, 2 * i + odd, es));
            }
            break;
        }
        case VecOp::Zip1:
        case VecOp::Zip2: {
            unsigned base_i = op == VecOp::Zip2 ? elems / 2 : 0;
            for (unsigned i = 0; i < elems / 2; ++i) {
                put(r, 2 * i, es, get(n, base_i + i, es));
                put(r, 2 * i + 1, es, get(m, base_i + i, es));
            }
            break;
        }
        case VecOp::Ext:
            for (unsigned i = 0; i < bytes; ++i) {
                unsigned idx = imm + i;
                r[i] = idx < bytes ? n[idx] : m[idx - bytes];
            }
            break;
        case VecOp::Tbl:
        case VecOp::Tbx: {
            unsigned len = (imm & 3) + 1, first = imm >> 2;
            uint8_t table[64];
            for (unsigned k = 0; k < len; ++k)
                std::memcpy(table + 16 * k, st.v[(first + k) % 32], 16);
            for (unsigned i = 0; i < bytes; ++i) {
                unsigned idx = m[i];
                r[i] = idx < 16 * len ? table[idx] : (op == VecOp::Tbx ? d[i] : 0);
            }
            break;
        }
        case VecOp::Dup: {
            // part2: from a general register (n_off points at it), else element imm of n.
            uint64_t v = part2 ? get(n, 0, es) : get(n, imm, es);
            for (unsigned i = 0; i < elems; ++i)
                put(r, i, es, v);
            break;
        }
    }
    std::memcpy(base + d_off, r, 16);
    return {0, 0};
}

}  // namespace emu::arm

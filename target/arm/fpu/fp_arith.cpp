// Public arithmetic entry points: host fast path first (fp_fast.h), exact
// model otherwise (fp_soft_arith.h).
#include "target/arm/fpu/fp_fast.h"
#include "target/arm/fpu/fp_soft_arith.h"
#include "target/arm/fpu/fpu.h"

namespace emu::arm::fpu {
namespace {

using namespace detail;

template <int N>
inline typename T<N>::U add(typename T<N>::U xa, typename T<N>::U xb, bool neg, uint32_t fpcr,
                            uint32_t& fpsr) {
    using H = Host<N>;
    using U = typename T<N>::U;
    if (__builtin_expect(fast_fpcr(fpcr) && finite<N>(xa) && finite<N>(xb), 1)) {
        const H a = std::bit_cast<H>(xa);
        const H b = neg ? -std::bit_cast<H>(xb) : std::bit_cast<H>(xb);
        const H s = a + b;
        const U xs = std::bit_cast<U>(s);
        // A sum that lands in or near the subnormal range is exact, so only
        // overflow needs the exact model.
        if (__builtin_expect(finite<N>(xs), 1)) {
            if (!(fpsr & kFpsrIxc)) {
                const H bb = s - a;  // TwoSum: the rounding error of a + b
                const H err = (a - (s - bb)) + (b - bb);
                if (err != 0) fpsr |= kFpsrIxc;
            }
            return xs;
        }
    }
    return soft_add<N>(xa, xb, neg, fpcr, fpsr);
}

template <int N>
inline typename T<N>::U mul(typename T<N>::U xa, typename T<N>::U xb, uint32_t fpcr,
                            uint32_t& fpsr) {
    using H = Host<N>;
    using U = typename T<N>::U;
    if (__builtin_expect(fast_fpcr(fpcr) && finite<N>(xa) && finite<N>(xb), 1)) {
        const H a = std::bit_cast<H>(xa), b = std::bit_cast<H>(xb);
        const H p = a * b;
        const U xp = std::bit_cast<U>(p);
        if (__builtin_expect(safe_normal<N>(xp), 1)) {
            if (fpsr & kFpsrIxc) return xp;
            if constexpr (N == 32) {
                if (double(a) * double(b) != double(p)) fpsr |= kFpsrIxc;
                return xp;
            } else {
                // The residual is representable when p is well above the
                // subnormal range.
                if (T<N>::exp_of(xp) >= unsigned(T<N>::F + 3) && host_has_fma()) {
                    if (host_fma(a, b, -p) != 0) fpsr |= kFpsrIxc;
                    return xp;
                }
            }
        } else if (is_zero<N>(xp) && (is_zero<N>(xa) || is_zero<N>(xb))) {
            return xp;  // exact zero with the sign of the operands
        }
    }
    return soft_mul<N>(xa, xb, false, fpcr, fpsr);
}

template <int N>
inline typename T<N>::U div(typename T<N>::U xa, typename T<N>::U xb, uint32_t fpcr,
                            uint32_t& fpsr) {
    using H = Host<N>;
    using U = typename T<N>::U;
    if (__builtin_expect(fast_fpcr(fpcr) && finite<N>(xa) && finite<N>(xb), 1)) {
        const H a = std::bit_cast<H>(xa), b = std::bit_cast<H>(xb);
        const H q = a / b;
        const U xq = std::bit_cast<U>(q);
        if (__builtin_expect(safe_normal<N>(xq), 1)) {
            if (fpsr & kFpsrIxc) return xq;
            if constexpr (N == 32) {
                if (double(q) * double(b) != double(a)) fpsr |= kFpsrIxc;
                return xq;
            } else {
                if (T<N>::exp_of(xa) >= unsigned(T<N>::F + 3) && host_has_fma()) {
                    if (host_fma(-q, b, a) != 0) fpsr |= kFpsrIxc;
                    return xq;
                }
            }
        } else if (is_zero<N>(xq) && is_zero<N>(xa) && !is_zero<N>(xb)) {
            return xq;
        }
    }
    return soft_div<N>(xa, xb, fpcr, fpsr);
}

template <int N>
inline typename T<N>::U sqrt(typename T<N>::U xa, uint32_t fpcr, uint32_t& fpsr) {
    using H = Host<N>;
    using U = typename T<N>::U;
    // Non-negative finite operands (and -0) have a normal or zero root.
    if (__builtin_expect(fast_fpcr(fpcr) && finite<N>(xa) && (!T<N>::sign_of(xa) || is_zero<N>(xa)),
                         1)) {
        const H a = std::bit_cast<H>(xa);
        const H r = __builtin_sqrt(a);
        const U xr = std::bit_cast<U>(r);
        if (fpsr & kFpsrIxc) return xr;
        if constexpr (N == 32) {
            if (double(r) * double(r) != double(a)) fpsr |= kFpsrIxc;
            return xr;
        } else {
            if (T<N>::exp_of(xa) >= unsigned(T<N>::F + 3) && host_has_fma()) {
                if (host_fma(-r, r, a) != 0) fpsr |= kFpsrIxc;
                return xr;
            }
        }
    }
    return soft_sqrt<N>(xa, fpcr, fpsr);
}

template <int N>
inline typename T<N>::U muladd(typename T<N>::U xc, typename T<N>::U xa, typename T<N>::U xb,
                               uint32_t fpcr, uint32_t& fpsr) {
    using H = Host<N>;
    using U = typename T<N>::U;
    // No cheap exactness test exists for a fused multiply-add, so the fast
    // path needs IXC to be set already (the steady state of real code).
    if (__builtin_expect((fpsr & kFpsrIxc) && fast_fpcr(fpcr) && finite<N>(xa) && finite<N>(xb) &&
                             finite<N>(xc) && host_has_fma(),
                         1)) {
        const H a = std::bit_cast<H>(xa), b = std::bit_cast<H>(xb), c = std::bit_cast<H>(xc);
        H r;
        if constexpr (N == 32)
            r = host_fmaf(a, b, c);
        else
            r = host_fma(a, b, c);
        const U xr = std::bit_cast<U>(r);
        if (__builtin_expect(safe_normal<N>(xr), 1) ||
            (is_zero<N>(xr) && is_zero<N>(xc) && (is_zero<N>(xa) || is_zero<N>(xb))))
            return xr;
    }
    return soft_muladd<N>(xc, xa, xb, fpcr, fpsr);
}

// FRECPS (2 - a*b) and FRSQRTS ((3 - a*b) / 2), fused: the host FMA under
// the conditions of muladd. Halving a result that stays safely normal is
// exact, so it does not add a rounding.
template <int N>
inline typename T<N>::U step(typename T<N>::U xa, typename T<N>::U xb, bool rsqrt, uint32_t fpcr,
                             uint32_t& fpsr) {
    using H = Host<N>;
    using U = typename T<N>::U;
    if (__builtin_expect((fpsr & kFpsrIxc) && fast_fpcr(fpcr) && finite<N>(xa) && finite<N>(xb) &&
                             host_has_fma(),
                         1)) {
        const H a = std::bit_cast<H>(xa), b = std::bit_cast<H>(xb);
        const H k = rsqrt ? H(3) : H(2);
        H r;
        if constexpr (N == 32)
            r = host_fmaf(-a, b, k);
        else
            r = host_fma(-a, b, k);
        if (rsqrt) r *= H(0.5);
        const U xr = std::bit_cast<U>(r);
        if (__builtin_expect(safe_normal<N>(xr), 1)) return xr;
    }
    return soft_step<N>(xa, xb, rsqrt, fpcr, fpsr);
}

}  // namespace

#define EMU_FPU_BINARY(name, expr16, expr32, expr64)                           \
    uint16_t name##_h(uint16_t a, uint16_t b, uint32_t fpcr, uint32_t& fpsr) { \
        return expr16;                                                         \
    }                                                                          \
    uint32_t name##_s(uint32_t a, uint32_t b, uint32_t fpcr, uint32_t& fpsr) { \
        return expr32;                                                         \
    }                                                                          \
    uint64_t name##_d(uint64_t a, uint64_t b, uint32_t fpcr, uint32_t& fpsr) { \
        return expr64;                                                         \
    }

EMU_FPU_BINARY(fadd, soft_add<16>(a, b, false, fpcr, fpsr), add<32>(a, b, false, fpcr, fpsr),
               add<64>(a, b, false, fpcr, fpsr))
EMU_FPU_BINARY(fsub, soft_add<16>(a, b, true, fpcr, fpsr), add<32>(a, b, true, fpcr, fpsr),
               add<64>(a, b, true, fpcr, fpsr))
EMU_FPU_BINARY(fmul, soft_mul<16>(a, b, false, fpcr, fpsr), mul<32>(a, b, fpcr, fpsr),
               mul<64>(a, b, fpcr, fpsr))
EMU_FPU_BINARY(fnmul, fneg_h(soft_mul<16>(a, b, false, fpcr, fpsr)),
               fneg_s(mul<32>(a, b, fpcr, fpsr)), fneg_d(mul<64>(a, b, fpcr, fpsr)))
EMU_FPU_BINARY(fdiv, soft_div<16>(a, b, fpcr, fpsr), div<32>(a, b, fpcr, fpsr),
               div<64>(a, b, fpcr, fpsr))
EMU_FPU_BINARY(fmulx, soft_mul<16>(a, b, true, fpcr, fpsr), soft_mul<32>(a, b, true, fpcr, fpsr),
               soft_mul<64>(a, b, true, fpcr, fpsr))
EMU_FPU_BINARY(fabd, fabs_h(soft_add<16>(a, b, true, fpcr, fpsr)),
               fabs_s(add<32>(a, b, true, fpcr, fpsr)), fabs_d(add<64>(a, b, true, fpcr, fpsr)))
EMU_FPU_BINARY(frecps, soft_step<16>(a, b, false, fpcr, fpsr), step<32>(a, b, false, fpcr, fpsr),
               step<64>(a, b, false, fpcr, fpsr))
EMU_FPU_BINARY(frsqrts, soft_step<16>(a, b, true, fpcr, fpsr), step<32>(a, b, true, fpcr, fpsr),
               step<64>(a, b, true, fpcr, fpsr))

#undef EMU_FPU_BINARY

uint16_t fsqrt_h(uint16_t a, uint32_t fpcr, uint32_t& fpsr) {
    return soft_sqrt<16>(a, fpcr, fpsr);
}
uint32_t fsqrt_s(uint32_t a, uint32_t fpcr, uint32_t& fpsr) {
    return sqrt<32>(a, fpcr, fpsr);
}
uint64_t fsqrt_d(uint64_t a, uint32_t fpcr, uint32_t& fpsr) {
    return sqrt<64>(a, fpcr, fpsr);
}

uint16_t fmuladd_h(uint16_t c, uint16_t a, uint16_t b, uint32_t fpcr, uint32_t& fpsr) {
    return soft_muladd<16>(c, a, b, fpcr, fpsr);
}
uint32_t fmuladd_s(uint32_t c, uint32_t a, uint32_t b, uint32_t fpcr, uint32_t& fpsr) {
    return muladd<32>(c, a, b, fpcr, fpsr);
}
uint64_t fmuladd_d(uint64_t c, uint64_t a, uint64_t b, uint32_t fpcr, uint32_t& fpsr) {
    return muladd<64>(c, a, b, fpcr, fpsr);
}

#define EMU_FPU_FMA_FORMS(sfx, U)                                          \
    U fmadd_##sfx(U n, U m, U a, uint32_t fpcr, uint32_t& fpsr) {          \
        return fmuladd_##sfx(a, n, m, fpcr, fpsr);                         \
    }                                                                      \
    U fmsub_##sfx(U n, U m, U a, uint32_t fpcr, uint32_t& fpsr) {          \
        return fmuladd_##sfx(a, fneg_##sfx(n), m, fpcr, fpsr);             \
    }                                                                      \
    U fnmadd_##sfx(U n, U m, U a, uint32_t fpcr, uint32_t& fpsr) {         \
        return fmuladd_##sfx(fneg_##sfx(a), fneg_##sfx(n), m, fpcr, fpsr); \
    }                                                                      \
    U fnmsub_##sfx(U n, U m, U a, uint32_t fpcr, uint32_t& fpsr) {         \
        return fmuladd_##sfx(fneg_##sfx(a), n, m, fpcr, fpsr);             \
    }

EMU_FPU_FMA_FORMS(h, uint16_t)
EMU_FPU_FMA_FORMS(s, uint32_t)
EMU_FPU_FMA_FORMS(d, uint64_t)

#undef EMU_FPU_FMA_FORMS

}  // namespace emu::arm::fpu

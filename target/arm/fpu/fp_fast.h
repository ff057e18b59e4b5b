#pragma once
// Host-SSE fast paths for single and double precision. A fast path is
// taken only when the FPCR is "IEEE default" (FZ = 0, round to nearest),
// every operand is finite, and the result is one where IEEE 754 (the
// host) and the Arm pseudocode provably agree: no NaN, no overflow, and no
// result near the underflow threshold (Arm detects tininess before
// rounding, SSE after). IXC is computed only while it is still clear in
// the FPSR, with an error-free transformation (the host's MXCSR flags are
// not used: LDMXCSR costs more than the exact model here). Everything else goes to
// the exact models in fp_soft*.h. Internal to target/arm/fpu.
#include <bit>
#include <type_traits>

#include "target/arm/fpu/fp_soft.h"

namespace emu::arm::fpu::detail {

template <int N>
using Host = std::conditional_t<N == 32, float, double>;

inline bool fast_fpcr(uint32_t fpcr) {
    return (fpcr & (kFpcrFz | kFpcrRModeMask)) == 0;
}

template <int N>
inline bool finite(typename T<N>::U x) {
    return T<N>::exp_of(x) != unsigned(T<N>::max_biased);
}

template <int N>
inline bool is_zero(typename T<N>::U x) {
    return (x & ~T<N>::sign_bit) == 0;
}

// A result that is normal and not within a factor 2 of the underflow
// threshold: no Arm/x86 difference in underflow detection can apply.
template <int N>
inline bool safe_normal(typename T<N>::U x) {
    return T<N>::exp_of(x) - 2u < unsigned(T<N>::max_biased - 2);
}

// Whether the host has FMA3 (the functions below need it).
extern const bool g_host_has_fma;
inline bool host_has_fma() {
    return g_host_has_fma;
}

// a*b + c with one rounding: the residual of a product or quotient when
// it is representable, and the fused multiply-add itself.
double fma_residual(double a, double b, double c);
double host_fma(double a, double b, double c);
float host_fmaf(float a, float b, float c);

}  // namespace emu::arm::fpu::detail

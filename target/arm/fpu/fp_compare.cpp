// Public comparison and maximum/minimum entry points (exact models in
// fp_soft_arith.h), with a host fast path for FCMP/FCMPE.
#include "target/arm/fpu/fp_fast.h"
#include "target/arm/fpu/fp_soft_arith.h"
#include "target/arm/fpu/fpu.h"

namespace emu::arm::fpu {

using namespace detail;

namespace {
template <int N>
inline uint32_t compare(typename T<N>::U a, typename T<N>::U b, bool signal_nans, uint32_t fpcr,
                        uint32_t& fpsr) {
    // Without flushing, finite and infinite values compare as the host does.
    if (__builtin_expect(!(fpcr & kFpcrFz), 1)) {
        const auto nan = [](typename T<N>::U x) {
            return T<N>::exp_of(x) == unsigned(T<N>::max_biased) && (x & T<N>::frac_mask);
        };
        if (!nan(a) && !nan(b)) {
            const Host<N> x = std::bit_cast<Host<N>>(a), y = std::bit_cast<Host<N>>(b);
            return x == y ? 0x6 : (x < y ? 0x8 : 0x2);
        }
    }
    return soft_compare<N>(a, b, signal_nans, fpcr, fpsr);
}

template <typename U>
inline U mask_of(bool b) {
    return b ? U(~U(0)) : U(0);
}
}  // namespace

uint32_t fcmp_h(uint16_t a, uint16_t b, bool e, uint32_t fpcr, uint32_t& fpsr) {
    return soft_compare<16>(a, b, e, fpcr, fpsr);
}
uint32_t fcmp_s(uint32_t a, uint32_t b, bool e, uint32_t fpcr, uint32_t& fpsr) {
    return compare<32>(a, b, e, fpcr, fpsr);
}
uint32_t fcmp_d(uint64_t a, uint64_t b, bool e, uint32_t fpcr, uint32_t& fpsr) {
    return compare<64>(a, b, e, fpcr, fpsr);
}

#define EMU_FPU_CMP(name, op, absolute)                                             \
    uint16_t name##_h(uint16_t a, uint16_t b, uint32_t fpcr, uint32_t& fpsr) {      \
        if (absolute) a = fabs_h(a), b = fabs_h(b);                                 \
        return mask_of<uint16_t>(soft_compare_op<16>(a, b, CmpOp::op, fpcr, fpsr)); \
    }                                                                               \
    uint32_t name##_s(uint32_t a, uint32_t b, uint32_t fpcr, uint32_t& fpsr) {      \
        if (absolute) a = fabs_s(a), b = fabs_s(b);                                 \
        return mask_of<uint32_t>(soft_compare_op<32>(a, b, CmpOp::op, fpcr, fpsr)); \
    }                                                                               \
    uint64_t name##_d(uint64_t a, uint64_t b, uint32_t fpcr, uint32_t& fpsr) {      \
        if (absolute) a = fabs_d(a), b = fabs_d(b);                                 \
        return mask_of<uint64_t>(soft_compare_op<64>(a, b, CmpOp::op, fpcr, fpsr)); \
    }

EMU_FPU_CMP(fcmeq, Eq, false)
EMU_FPU_CMP(fcmge, Ge, false)
EMU_FPU_CMP(fcmgt, Gt, false)
EMU_FPU_CMP(facge, Ge, true)
EMU_FPU_CMP(facgt, Gt, true)
#undef EMU_FPU_CMP

namespace {
// Without NaNs and flushing, FPMax/FPMin (and the Num forms) select an
// operand exactly; equal nonzero values have one encoding, and for zeros
// the most positive (max) or most negative (min) sign wins.
template <int N, typename Soft>
inline typename T<N>::U maxmin(typename T<N>::U a, typename T<N>::U b, bool is_max, uint32_t fpcr,
                               uint32_t& fpsr, Soft soft) {
    using H = Host<N>;
    const auto nan = [](typename T<N>::U x) {
        return T<N>::exp_of(x) == unsigned(T<N>::max_biased) && (x & T<N>::frac_mask);
    };
    if (__builtin_expect(!(fpcr & kFpcrFz) && !nan(a) && !nan(b), 1)) {
        const H x = std::bit_cast<H>(a), y = std::bit_cast<H>(b);
        if (x != y) return (x > y) == is_max ? a : b;
        return is_max ? (a & b) : (a | b);
    }
    return soft(a, b, is_max, fpcr, fpsr);
}
}  // namespace

#define EMU_FPU_MAXMIN(name, fn, is_max)                                       \
    uint16_t name##_h(uint16_t a, uint16_t b, uint32_t fpcr, uint32_t& fpsr) { \
        return fn<16>(a, b, is_max, fpcr, fpsr);                               \
    }                                                                          \
    uint32_t name##_s(uint32_t a, uint32_t b, uint32_t fpcr, uint32_t& fpsr) { \
        return maxmin<32>(a, b, is_max, fpcr, fpsr, fn<32>);                   \
    }                                                                          \
    uint64_t name##_d(uint64_t a, uint64_t b, uint32_t fpcr, uint32_t& fpsr) { \
        return maxmin<64>(a, b, is_max, fpcr, fpsr, fn<64>);                   \
    }

EMU_FPU_MAXMIN(fmax, soft_maxmin, true)
EMU_FPU_MAXMIN(fmin, soft_maxmin, false)
EMU_FPU_MAXMIN(fmaxnm, soft_maxmin_num, true)
EMU_FPU_MAXMIN(fminnm, soft_maxmin_num, false)
#undef EMU_FPU_MAXMIN

}  // namespace emu::arm::fpu

#pragma once
// Arm floating-point operations, bit-exact with the Arm ARM's shared
// pseudocode (FPUnpack/FPRound/FPProcessNaNs and the per-operation
// functions), for the A64 scalar FP and AdvSIMD translator helpers.
//
// Interface rules, common to every function:
//  - Operands and results are raw IEEE bit patterns: uint16_t = half
//    (suffix _h), uint32_t = single (_s), uint64_t = double (_d).
//  - `fpcr` is the guest FPCR value. Observed fields: AHP (bit 26, only by
//    the half-precision conversions), DN (25), FZ (24), RMode (23:22), FZ16
//    (19). Trap enables are not observed: no CPU model we emulate
//    implements FP exception trapping (the enables are RAZ/WI), so every
//    exception is "untrapped" and only sets its cumulative flag.
//    FEAT_AFP (FPCR.AH/FIZ/NEP) is not implemented: not supported yet.
//  - `fpsr` is the guest FPSR; functions only OR cumulative exception bits
//    (IOC, DZC, OFC, UFC, IXC, IDC) into it and never clear any.
//  - Functions are pure apart from `fpsr`, thread-safe, and never fail.
//  - Fast paths use host SSE arithmetic and assume the host MXCSR is the
//    ABI default (round to nearest, FTZ/DAZ off), which nothing in emu
//    changes.
//
// Naming: the A64 mnemonic in lower case plus the size suffix. For
// operations with an explicit rounding (FCVT[NAPMZ][SU], FRINT[NAPMZ]) the
// caller passes the Rounding; for the others the FPCR rounding is used.
#include <cstdint>

namespace emu::arm::fpu {

// FPCR fields.
inline constexpr uint32_t kFpcrAhp = 1u << 26;
inline constexpr uint32_t kFpcrDn = 1u << 25;
inline constexpr uint32_t kFpcrFz = 1u << 24;
inline constexpr uint32_t kFpcrRModeShift = 22;
inline constexpr uint32_t kFpcrRModeMask = 3u << 22;
inline constexpr uint32_t kFpcrFz16 = 1u << 19;

// FPSR cumulative exception bits.
inline constexpr uint32_t kFpsrIoc = 1u << 0;  // invalid operation
inline constexpr uint32_t kFpsrDzc = 1u << 1;  // divide by zero
inline constexpr uint32_t kFpsrOfc = 1u << 2;  // overflow
inline constexpr uint32_t kFpsrUfc = 1u << 3;  // underflow
inline constexpr uint32_t kFpsrIxc = 1u << 4;  // inexact
inline constexpr uint32_t kFpsrIdc = 1u << 7;  // input denormal

// The first four values are FPCR.RMode's encodings, in order.
enum class Rounding : uint8_t {
    TieEven = 0,
    PosInf = 1,
    NegInf = 2,
    Zero = 3,
    TieAway = 4,
    Odd = 5
};

inline Rounding fpcr_rounding(uint32_t fpcr) {
    return static_cast<Rounding>((fpcr >> kFpcrRModeShift) & 3);
}

// Default NaNs (FPCR.DN, invalid operations).
inline constexpr uint16_t kDefaultNanH = 0x7e00;
inline constexpr uint32_t kDefaultNanS = 0x7fc00000u;
inline constexpr uint64_t kDefaultNanD = 0x7ff8000000000000ull;

// ---- Arithmetic (FPAdd, FPSub, FPMul, FPDiv, FPMulX, FPSqrt) ----
uint16_t fadd_h(uint16_t a, uint16_t b, uint32_t fpcr, uint32_t& fpsr);
uint32_t fadd_s(uint32_t a, uint32_t b, uint32_t fpcr, uint32_t& fpsr);
uint64_t fadd_d(uint64_t a, uint64_t b, uint32_t fpcr, uint32_t& fpsr);
uint16_t fsub_h(uint16_t a, uint16_t b, uint32_t fpcr, uint32_t& fpsr);
uint32_t fsub_s(uint32_t a, uint32_t b, uint32_t fpcr, uint32_t& fpsr);
uint64_t fsub_d(uint64_t a, uint64_t b, uint32_t fpcr, uint32_t& fpsr);
uint16_t fmul_h(uint16_t a, uint16_t b, uint32_t fpcr, uint32_t& fpsr);
uint32_t fmul_s(uint32_t a, uint32_t b, uint32_t fpcr, uint32_t& fpsr);
uint64_t fmul_d(uint64_t a, uint64_t b, uint32_t fpcr, uint32_t& fpsr);
// FNMUL = FPNeg(FPMul): the sign of a NaN result is inverted too.
uint16_t fnmul_h(uint16_t a, uint16_t b, uint32_t fpcr, uint32_t& fpsr);
uint32_t fnmul_s(uint32_t a, uint32_t b, uint32_t fpcr, uint32_t& fpsr);
uint64_t fnmul_d(uint64_t a, uint64_t b, uint32_t fpcr, uint32_t& fpsr);
uint16_t fdiv_h(uint16_t a, uint16_t b, uint32_t fpcr, uint32_t& fpsr);
uint32_t fdiv_s(uint32_t a, uint32_t b, uint32_t fpcr, uint32_t& fpsr);
uint64_t fdiv_d(uint64_t a, uint64_t b, uint32_t fpcr, uint32_t& fpsr);
// FMULX: like FMUL but (+-0) * (+-inf) = +-2.0 without an exception.
uint16_t fmulx_h(uint16_t a, uint16_t b, uint32_t fpcr, uint32_t& fpsr);
uint32_t fmulx_s(uint32_t a, uint32_t b, uint32_t fpcr, uint32_t& fpsr);
uint64_t fmulx_d(uint64_t a, uint64_t b, uint32_t fpcr, uint32_t& fpsr);
uint16_t fsqrt_h(uint16_t a, uint32_t fpcr, uint32_t& fpsr);
uint32_t fsqrt_s(uint32_t a, uint32_t fpcr, uint32_t& fpsr);
uint64_t fsqrt_d(uint64_t a, uint32_t fpcr, uint32_t& fpsr);
// FABD = FPAbs(FPSub(a, b)): a NaN result has its sign cleared.
uint16_t fabd_h(uint16_t a, uint16_t b, uint32_t fpcr, uint32_t& fpsr);
uint32_t fabd_s(uint32_t a, uint32_t b, uint32_t fpcr, uint32_t& fpsr);
uint64_t fabd_d(uint64_t a, uint64_t b, uint32_t fpcr, uint32_t& fpsr);

// ---- Fused multiply-add (FPMulAdd: addend + op1 * op2, one rounding) ----
// NaN priority is addend, op1, op2; a quiet-NaN addend with an infinite
// times zero product gives the default NaN and IOC. Vector FMLA is
// fmuladd(acc, n, m); FMLS is fmuladd(acc, fneg(n), m).
uint16_t fmuladd_h(uint16_t addend, uint16_t op1, uint16_t op2, uint32_t fpcr, uint32_t& fpsr);
uint32_t fmuladd_s(uint32_t addend, uint32_t op1, uint32_t op2, uint32_t fpcr, uint32_t& fpsr);
uint64_t fmuladd_d(uint64_t addend, uint64_t op1, uint64_t op2, uint32_t fpcr, uint32_t& fpsr);
// Scalar forms with the A64 operand names: Rd = f(Rn, Rm, Ra).
//   FMADD  = Ra + Rn*Rm        FMSUB  = Ra - Rn*Rm
//   FNMADD = -Ra - Rn*Rm       FNMSUB = -Ra + Rn*Rm
// The negations are FPNeg of the operands before NaN processing, so a NaN
// operand that is negated comes out with its sign inverted.
uint16_t fmadd_h(uint16_t n, uint16_t m, uint16_t a, uint32_t fpcr, uint32_t& fpsr);
uint32_t fmadd_s(uint32_t n, uint32_t m, uint32_t a, uint32_t fpcr, uint32_t& fpsr);
uint64_t fmadd_d(uint64_t n, uint64_t m, uint64_t a, uint32_t fpcr, uint32_t& fpsr);
uint16_t fmsub_h(uint16_t n, uint16_t m, uint16_t a, uint32_t fpcr, uint32_t& fpsr);
uint32_t fmsub_s(uint32_t n, uint32_t m, uint32_t a, uint32_t fpcr, uint32_t& fpsr);
uint64_t fmsub_d(uint64_t n, uint64_t m, uint64_t a, uint32_t fpcr, uint32_t& fpsr);
uint16_t fnmadd_h(uint16_t n, uint16_t m, uint16_t a, uint32_t fpcr, uint32_t& fpsr);
uint32_t fnmadd_s(uint32_t n, uint32_t m, uint32_t a, uint32_t fpcr, uint32_t& fpsr);
uint64_t fnmadd_d(uint64_t n, uint64_t m, uint64_t a, uint32_t fpcr, uint32_t& fpsr);
uint16_t fnmsub_h(uint16_t n, uint16_t m, uint16_t a, uint32_t fpcr, uint32_t& fpsr);
uint32_t fnmsub_s(uint32_t n, uint32_t m, uint32_t a, uint32_t fpcr, uint32_t& fpsr);
uint64_t fnmsub_d(uint64_t n, uint64_t m, uint64_t a, uint32_t fpcr, uint32_t& fpsr);

// FPNeg / FPAbs: pure sign-bit operations, never any exception.
inline uint16_t fneg_h(uint16_t a) {
    return a ^ 0x8000u;
}
inline uint32_t fneg_s(uint32_t a) {
    return a ^ 0x80000000u;
}
inline uint64_t fneg_d(uint64_t a) {
    return a ^ (1ull << 63);
}
inline uint16_t fabs_h(uint16_t a) {
    return a & 0x7fffu;
}
inline uint32_t fabs_s(uint32_t a) {
    return a & 0x7fffffffu;
}
inline uint64_t fabs_d(uint64_t a) {
    return a & ~(1ull << 63);
}

// ---- Maximum / minimum (FPMax, FPMin, FPMaxNum, FPMinNum) ----
// FMAX/FMIN propagate NaNs; FMAXNM/FMINNM treat a single quiet NaN as
// missing (a signalling NaN still propagates with IOC).
uint16_t fmax_h(uint16_t a, uint16_t b, uint32_t fpcr, uint32_t& fpsr);
uint32_t fmax_s(uint32_t a, uint32_t b, uint32_t fpcr, uint32_t& fpsr);
uint64_t fmax_d(uint64_t a, uint64_t b, uint32_t fpcr, uint32_t& fpsr);
uint16_t fmin_h(uint16_t a, uint16_t b, uint32_t fpcr, uint32_t& fpsr);
uint32_t fmin_s(uint32_t a, uint32_t b, uint32_t fpcr, uint32_t& fpsr);
uint64_t fmin_d(uint64_t a, uint64_t b, uint32_t fpcr, uint32_t& fpsr);
uint16_t fmaxnm_h(uint16_t a, uint16_t b, uint32_t fpcr, uint32_t& fpsr);
uint32_t fmaxnm_s(uint32_t a, uint32_t b, uint32_t fpcr, uint32_t& fpsr);
uint64_t fmaxnm_d(uint64_t a, uint64_t b, uint32_t fpcr, uint32_t& fpsr);
uint16_t fminnm_h(uint16_t a, uint16_t b, uint32_t fpcr, uint32_t& fpsr);
uint32_t fminnm_s(uint32_t a, uint32_t b, uint32_t fpcr, uint32_t& fpsr);
uint64_t fminnm_d(uint64_t a, uint64_t b, uint32_t fpcr, uint32_t& fpsr);

// ---- Comparisons ----
// FCMP (signal_all_nans = false) / FCMPE (true). Returns NZCV in bits 3:0
// (N=8, Z=4, C=2, V=1): equal 0110, less 1000, greater 0010, unordered
// 0011. IOC for a signalling NaN, or for any NaN with FCMPE.
uint32_t fcmp_h(uint16_t a, uint16_t b, bool signal_all_nans, uint32_t fpcr, uint32_t& fpsr);
uint32_t fcmp_s(uint32_t a, uint32_t b, bool signal_all_nans, uint32_t fpcr, uint32_t& fpsr);
uint32_t fcmp_d(uint64_t a, uint64_t b, bool signal_all_nans, uint32_t fpcr, uint32_t& fpsr);
// Vector compares: all ones when true, zero when false (or unordered).
// FCMEQ signals IOC only for signalling NaNs; GE/GT (and FACGE/FACGT,
// which compare magnitudes) for any NaN. The compare-with-zero forms are
// FCMEQ(x,0), FCMGE(x,0), FCMGT(x,0), FCMLE = FCMGE(0,x), FCMLT = FCMGT(0,x).
uint16_t fcmeq_h(uint16_t a, uint16_t b, uint32_t fpcr, uint32_t& fpsr);
uint32_t fcmeq_s(uint32_t a, uint32_t b, uint32_t fpcr, uint32_t& fpsr);
uint64_t fcmeq_d(uint64_t a, uint64_t b, uint32_t fpcr, uint32_t& fpsr);
uint16_t fcmge_h(uint16_t a, uint16_t b, uint32_t fpcr, uint32_t& fpsr);
uint32_t fcmge_s(uint32_t a, uint32_t b, uint32_t fpcr, uint32_t& fpsr);
uint64_t fcmge_d(uint64_t a, uint64_t b, uint32_t fpcr, uint32_t& fpsr);
uint16_t fcmgt_h(uint16_t a, uint16_t b, uint32_t fpcr, uint32_t& fpsr);
uint32_t fcmgt_s(uint32_t a, uint32_t b, uint32_t fpcr, uint32_t& fpsr);
uint64_t fcmgt_d(uint64_t a, uint64_t b, uint32_t fpcr, uint32_t& fpsr);
uint16_t facge_h(uint16_t a, uint16_t b, uint32_t fpcr, uint32_t& fpsr);
uint32_t facge_s(uint32_t a, uint32_t b, uint32_t fpcr, uint32_t& fpsr);
uint64_t facge_d(uint64_t a, uint64_t b, uint32_t fpcr, uint32_t& fpsr);
uint16_t facgt_h(uint16_t a, uint16_t b, uint32_t fpcr, uint32_t& fpsr);
uint32_t facgt_s(uint32_t a, uint32_t b, uint32_t fpcr, uint32_t& fpsr);
uint64_t facgt_d(uint64_t a, uint64_t b, uint32_t fpcr, uint32_t& fpsr);

// ---- Precision conversions (FCVT, FPConvert) ----
// FPCR rounding; FZ applies to single/double inputs and outputs, FZ16 is
// ignored; FPCR.AHP selects the alternative half-precision format for
// half inputs and outputs (no NaN/infinity: NaN -> zero, infinity ->
// largest value, both with IOC; out of range -> largest value with IOC).
uint32_t fcvt_h2s(uint16_t a, uint32_t fpcr, uint32_t& fpsr);
uint64_t fcvt_h2d(uint16_t a, uint32_t fpcr, uint32_t& fpsr);
uint16_t fcvt_s2h(uint32_t a, uint32_t fpcr, uint32_t& fpsr);
uint64_t fcvt_s2d(uint32_t a, uint32_t fpcr, uint32_t& fpsr);
uint16_t fcvt_d2h(uint64_t a, uint32_t fpcr, uint32_t& fpsr);
uint32_t fcvt_d2s(uint64_t a, uint32_t fpcr, uint32_t& fpsr);
// FCVTXN: double to single with round to odd (for exact double rounding).
uint32_t fcvtxn(uint64_t a, uint32_t fpcr, uint32_t& fpsr);

// ---- FP to integer / fixed point (FPToFixed) ----
// FCVT{N,A,P,M,Z}{S,U}: rounding TieEven, TieAway, PosInf, NegInf, Zero;
// FCVTZ with fbits > 0 is the fixed-point form. int_bits is 16 (AdvSIMD
// half-precision elements), 32 or 64; the
// result saturates (IOC, no IXC) and is zero-extended to 64 bits. NaN
// gives 0 with IOC. fbits is 0..int_bits.
uint64_t fcvt_to_int_h(uint16_t a, Rounding r, bool is_unsigned, unsigned int_bits, unsigned fbits,
                       uint32_t fpcr, uint32_t& fpsr);
uint64_t fcvt_to_int_s(uint32_t a, Rounding r, bool is_unsigned, unsigned int_bits, unsigned fbits,
                       uint32_t fpcr, uint32_t& fpsr);
uint64_t fcvt_to_int_d(uint64_t a, Rounding r, bool is_unsigned, unsigned int_bits, unsigned fbits,
                       uint32_t fpcr, uint32_t& fpsr);

// ---- Integer / fixed point to FP (FixedToFP): SCVTF, UCVTF ----
// `a` holds an int_bits-wide (16, 32 or 64) integer in its low bits; it is
// read as signed unless is_unsigned. Rounds with the FPCR rounding mode.
uint16_t cvtf_h(uint64_t a, bool is_unsigned, unsigned int_bits, unsigned fbits, uint32_t fpcr,
                uint32_t& fpsr);
uint32_t cvtf_s(uint64_t a, bool is_unsigned, unsigned int_bits, unsigned fbits, uint32_t fpcr,
                uint32_t& fpsr);
uint64_t cvtf_d(uint64_t a, bool is_unsigned, unsigned int_bits, unsigned fbits, uint32_t fpcr,
                uint32_t& fpsr);

// ---- Round to integral (FPRoundInt, FPRoundIntN) ----
// FRINTN/A/P/M/Z: explicit rounding, exact = false. FRINTI: FPCR rounding,
// exact = false. FRINTX: FPCR rounding, exact = true (IXC when inexact).
uint16_t frint_h(uint16_t a, Rounding r, bool exact, uint32_t fpcr, uint32_t& fpsr);
uint32_t frint_s(uint32_t a, Rounding r, bool exact, uint32_t fpcr, uint32_t& fpsr);
uint64_t frint_d(uint64_t a, Rounding r, bool exact, uint32_t fpcr, uint32_t& fpsr);
// FRINT32Z/FRINT32X/FRINT64Z/FRINT64X (FEAT_FRINTTS): int_bits 32 or 64;
// NaN, infinity or out of range give -2^(int_bits-1) with IOC.
uint32_t frint_n_s(uint32_t a, Rounding r, unsigned int_bits, uint32_t fpcr, uint32_t& fpsr);
uint64_t frint_n_d(uint64_t a, Rounding r, unsigned int_bits, uint32_t fpcr, uint32_t& fpsr);

// ---- Estimates and Newton-Raphson steps ----
uint16_t frecpe_h(uint16_t a, uint32_t fpcr, uint32_t& fpsr);
uint32_t frecpe_s(uint32_t a, uint32_t fpcr, uint32_t& fpsr);
uint64_t frecpe_d(uint64_t a, uint32_t fpcr, uint32_t& fpsr);
uint16_t frsqrte_h(uint16_t a, uint32_t fpcr, uint32_t& fpsr);
uint32_t frsqrte_s(uint32_t a, uint32_t fpcr, uint32_t& fpsr);
uint64_t frsqrte_d(uint64_t a, uint32_t fpcr, uint32_t& fpsr);
// FRECPS = 2 - a*b, FRSQRTS = (3 - a*b) / 2, fused (FPRecipStepFused,
// FPRSqrtStepFused); `a` is negated before NaN processing.
uint16_t frecps_h(uint16_t a, uint16_t b, uint32_t fpcr, uint32_t& fpsr);
uint32_t frecps_s(uint32_t a, uint32_t b, uint32_t fpcr, uint32_t& fpsr);
uint64_t frecps_d(uint64_t a, uint64_t b, uint32_t fpcr, uint32_t& fpsr);
uint16_t frsqrts_h(uint16_t a, uint16_t b, uint32_t fpcr, uint32_t& fpsr);
uint32_t frsqrts_s(uint32_t a, uint32_t b, uint32_t fpcr, uint32_t& fpsr);
uint64_t frsqrts_d(uint64_t a, uint64_t b, uint32_t fpcr, uint32_t& fpsr);
// FRECPX (FPRecpX).
uint16_t frecpx_h(uint16_t a, uint32_t fpcr, uint32_t& fpsr);
uint32_t frecpx_s(uint32_t a, uint32_t fpcr, uint32_t& fpsr);
uint64_t frecpx_d(uint64_t a, uint32_t fpcr, uint32_t& fpsr);
// FJCVTZS (FEAT_JSCVT, FPToFixedJS): double to int32 rounding toward
// zero, the result modulo 2^32 (0 for NaN/infinity, with IOC when out of
// int32 range). *z receives the Z flag (NZCV = 0:Z:0:0): set only when the
// conversion was exact, in range and not from -0.
uint32_t fjcvtzs(uint64_t a, uint32_t fpcr, uint32_t& fpsr, bool* z);

// URECPE / URSQRTE (UnsignedRecipEstimate / UnsignedRSqrtEstimate): no
// FPCR/FPSR involvement.
uint32_t urecpe(uint32_t a);
uint32_t ursqrte(uint32_t a);

}  // namespace emu::arm::fpu

#pragma once
// The translator's view of A64 floating point: operations selected by
// enum and size (2 = single, 3 = double) on bit patterns, mapped onto the
// bit-exact Arm FP library in target/arm/fpu (FPCR rounding/DN/FZ, NaN
// rules, cumulative FPSR flags).
#include <cstdint>

namespace emu::arm {

struct FpEnv {
    uint32_t fpcr;
    uint32_t* fpsr;
};

enum class FpBin : uint8_t { Mul, Div, Add, Sub, Max, Min, MaxNm, MinNm, NMul, Abd };
enum class FpUn : uint8_t { Mov, Abs, Neg, Sqrt, RintN, RintP, RintM, RintZ, RintA, RintX, RintI };
enum class FpRound : uint8_t { Nearest, PlusInf, MinusInf, Zero, Away, Current };

uint64_t fp_binop(FpBin op, unsigned size, uint64_t a, uint64_t b, FpEnv& e);
uint64_t fp_unop(FpUn op, unsigned size, uint64_t a, FpEnv& e);
// d = a + n*m with the negations of FMADD/FMSUB/FNMADD/FNMSUB: neg_a, neg_p.
uint64_t fp_fma(unsigned size, uint64_t a, uint64_t n, uint64_t m, bool neg_a, bool neg_p,
                FpEnv& e);
// NZCV for FCMP/FCMPE (signal: raise Invalid for quiet NaNs too).
uint32_t fp_compare(unsigned size, uint64_t a, uint64_t b, bool signal, FpEnv& e);
// Compare-to-mask for FCMEQ/FCMGE/FCMGT (kind 0 eq, 1 ge, 2 gt).
bool fp_compare_mask(unsigned size, uint64_t a, uint64_t b, int kind, FpEnv& e);
uint64_t fp_to_int(unsigned size, uint64_t v, unsigned int_bits, bool is_signed, FpRound r,
                   FpEnv& e, unsigned fbits = 0);
uint64_t int_to_fp(unsigned size, uint64_t v, unsigned int_bits, bool is_signed, FpEnv& e,
                   unsigned fbits = 0);
uint64_t fp_convert(unsigned from_size, unsigned to_size, uint64_t v, FpEnv& e);
// VFPExpandImm for FMOV (immediate).
uint64_t fp_expand_imm(unsigned size, uint32_t imm8);

}  // namespace emu::arm

#include "target/arm/fp_helpers.h"

#include "target/arm/cpu_state.h"
#include "target/arm/fp_ops.h"
#include "target/arm/vec_helpers.h"
#include "tcg/ir/helpers.h"

namespace emu::arm {

namespace {

using tcg::HelperRet;

FpEnv fenv(void* env) {
    auto& s = *static_cast<ArmCpuState*>(env);
    return FpEnv{s.fpcr, &s.fpsr};
}

HelperRet h_binop(void* env, uint64_t desc, uint64_t a, uint64_t b, uint64_t) {
    FpEnv e = fenv(env);
    return {fp_binop(static_cast<FpBin>(desc & 0xff), (desc >> 8) & 3, a, b, e), 0};
}

HelperRet h_unop(void* env, uint64_t desc, uint64_t a, uint64_t, uint64_t) {
    FpEnv e = fenv(env);
    return {fp_unop(static_cast<FpUn>(desc & 0xff), (desc >> 8) & 3, a, e), 0};
}

// desc: size | neg_a << 8 | neg_p << 9; args a (addend), n, m.
HelperRet h_fma(void* env, uint64_t desc, uint64_t a, uint64_t n, uint64_t m) {
    FpEnv e = fenv(env);
    return {fp_fma(desc & 3, a, n, m, (desc >> 8) & 1, (desc >> 9) & 1, e), 0};
}

// desc: size | signalling << 8 | conditional << 9 | nzcv_imm << 12; for
// FCCMP (conditional) the fourth argument says whether the condition holds.
HelperRet h_cmp(void* env, uint64_t desc, uint64_t a, uint64_t b, uint64_t cond_holds) {
    if (((desc >> 9) & 1) && !cond_holds) return {((desc >> 12) & 0xf) << 28, 0};
    FpEnv e = fenv(env);
    return {fp_compare(desc & 3, a, b, (desc >> 8) & 1, e), 0};
}

HelperRet h_cvt(void* env, uint64_t desc, uint64_t v, uint64_t, uint64_t) {
    FpEnv e = fenv(env);
    auto kind = static_cast<FpCvtKind>(desc & 15);
    unsigned size = (desc >> 4) & 3, bits = (desc >> 8) & 0xff;
    bool sgn = (desc >> 16) & 1;
    auto round = static_cast<FpRound>((desc >> 20) & 7);
    unsigned fbits = (desc >> 32) & 0xff;
    switch (kind) {
        case FpCvtKind::ToInt:
            return {fp_to_int(size, v, bits, sgn, round, e, fbits), 0};
        case FpCvtKind::FromInt:
            return {int_to_fp(size, v, bits, sgn, e, fbits), 0};
        default:
            return {fp_convert(size, (desc >> 24) & 3, v, e), 0};
    }
}

}  // namespace

void register_fp_helpers(ArmHelperIds* h) {
    constexpr uint8_t kFpFlags = tcg::kHelperReadsState | tcg::kHelperWritesState;
    h->fp_binop = tcg::register_helper("arm_fp_binop", h_binop, kFpFlags);
    h->fp_unop = tcg::register_helper("arm_fp_unop", h_unop, kFpFlags);
    h->fp_fma = tcg::register_helper("arm_fp_fma", h_fma, kFpFlags);
    h->fp_cmp = tcg::register_helper("arm_fp_cmp", h_cmp, kFpFlags);
    h->fp_cvt = tcg::register_helper("arm_fp_cvt", h_cvt, kFpFlags);
    h->vec = tcg::register_helper("arm_vec", vec_helper, kFpFlags);
    h->vec_int = tcg::register_helper("arm_vec_int", vec_int_helper, kFpFlags);
}

}  // namespace emu::arm

/* Operations the aarch64 probe program executes, shared by the probe (C,
 * built with the aarch64 cross compiler) and the differential test (C++).
 * X(name, kind): kind F = FP result in d0, I = integer result, C = NZCV.
 * Suffix H/S/D is the operand precision. */
#ifndef EMU_TESTS_ARM_FPU_PROBE_OPS_H
#define EMU_TESTS_ARM_FPU_PROBE_OPS_H

#include <stdint.h>

#define PROBE_ARITH(X, S)                                                           \
    X(FADD_##S, F) X(FSUB_##S, F) X(FMUL_##S, F) X(FDIV_##S, F) X(FMULX_##S, F)     \
    X(FNMUL_##S, F) X(FABD_##S, F) X(FMAX_##S, F) X(FMIN_##S, F) X(FMAXNM_##S, F)   \
    X(FMINNM_##S, F) X(FRECPS_##S, F) X(FRSQRTS_##S, F) X(FCMEQ_##S, F)             \
    X(FCMGE_##S, F) X(FCMGT_##S, F) X(FACGE_##S, F) X(FACGT_##S, F) X(FSQRT_##S, F) \
    X(FRECPE_##S, F) X(FRSQRTE_##S, F) X(FRECPX_##S, F) X(FMADD_##S, F)             \
    X(FMSUB_##S, F) X(FNMADD_##S, F) X(FNMSUB_##S, F) X(FCMP_##S, C) X(FCMPE_##S, C) \
    X(FRINTN_##S, F) X(FRINTA_##S, F) X(FRINTP_##S, F) X(FRINTM_##S, F)             \
    X(FRINTZ_##S, F) X(FRINTX_##S, F) X(FRINTI_##S, F)                              \
    X(FCVTNS_W_##S, I) X(FCVTNU_W_##S, I) X(FCVTAS_W_##S, I) X(FCVTAU_W_##S, I)     \
    X(FCVTPS_W_##S, I) X(FCVTPU_W_##S, I) X(FCVTMS_W_##S, I) X(FCVTMU_W_##S, I)     \
    X(FCVTZS_W_##S, I) X(FCVTZU_W_##S, I) X(FCVTNS_X_##S, I) X(FCVTNU_X_##S, I)     \
    X(FCVTAS_X_##S, I) X(FCVTAU_X_##S, I) X(FCVTPS_X_##S, I) X(FCVTPU_X_##S, I)     \
    X(FCVTMS_X_##S, I) X(FCVTMU_X_##S, I) X(FCVTZS_X_##S, I) X(FCVTZU_X_##S, I)     \
    X(FCVTZS_W5_##S, I) X(FCVTZU_W30_##S, I) X(FCVTZS_X60_##S, I)                   \
    X(FCVTZU_X5_##S, I) X(SCVTF_W_##S, F) X(UCVTF_W_##S, F) X(SCVTF_X_##S, F)        \
    X(UCVTF_X_##S, F) X(SCVTF_W7_##S, F) X(UCVTF_X40_##S, F)

#define PROBE_OPS(X)                                                                    \
    PROBE_ARITH(X, H) PROBE_ARITH(X, S) PROBE_ARITH(X, D)                               \
    X(FRINT32Z_S, F) X(FRINT32X_S, F) X(FRINT64Z_S, F) X(FRINT64X_S, F)                 \
    X(FRINT32Z_D, F) X(FRINT32X_D, F) X(FRINT64Z_D, F) X(FRINT64X_D, F)                 \
    X(FCVT_H2S, F) X(FCVT_H2D, F) X(FCVT_S2H, F) X(FCVT_S2D, F) X(FCVT_D2H, F)          \
    X(FCVT_D2S, F) X(FCVTXN_D, F) X(FJCVTZS_D, I) X(URECPE_V, F) X(URSQRTE_V, F)

enum ProbeOp {
#define PROBE_ENUM(name, kind) PROBE_##name,
    PROBE_OPS(PROBE_ENUM)
#undef PROBE_ENUM
    PROBE_COUNT
};

struct ProbeIn {
    uint32_t op;
    uint32_t fpcr;
    uint64_t a, b, c;
};

struct ProbeOut {
    uint64_t result;
    uint32_t fpsr;
    uint32_t nzcv;
};

#endif

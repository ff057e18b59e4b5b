/* aarch64 Linux user-mode probe for the differential FP test: reads
 * ProbeIn records on stdin, runs the instruction with the given FPCR and a
 * clear FPSR, writes ProbeOut records on stdout. Freestanding (no libc):
 * built with the cross compiler and run under qemu-aarch64. */
#include "probe_ops.h"

static long sys3(long n, long a, long b, long c) {
    register long x8 __asm__("x8") = n;
    register long x0 __asm__("x0") = a;
    register long x1 __asm__("x1") = b;
    register long x2 __asm__("x2") = c;
    __asm__ volatile("svc 0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2) : "memory");
    return x0;
}

static int read_full(void* p, long n) {
    char* s = (char*)p;
    while (n > 0) {
        long r = sys3(63, 0, (long)s, n);
        if (r <= 0) return 0;
        s += r;
        n -= r;
    }
    return 1;
}

static void write_full(const void* p, long n) {
    const char* s = (const char*)p;
    while (n > 0) {
        long r = sys3(64, 1, (long)s, n);
        if (r <= 0) sys3(93, 2, 0, 0);
        s += r;
        n -= r;
    }
}

static const char kinds[] = {
#define PROBE_KIND(name, kind) #kind[0],
    PROBE_OPS(PROBE_KIND)
#undef PROBE_KIND
};

#define RUN(body)                                                                     \
    __asm__ volatile(                                                                 \
        "fmov d1, %x[a]\n\tfmov d2, %x[b]\n\tfmov d3, %x[c]\n\tmovi d0, #0\n\t"       \
        "msr fpcr, %x[cr]\n\tmsr fpsr, xzr\n\t" body                                  \
        "\n\tmrs %x[sr], fpsr\n\tmrs %x[nz], nzcv\n\tfmov %x[res], d0\n\tmsr fpcr, xzr" \
        : [res] "=&r"(res), [sr] "=&r"(sr), [nz] "=&r"(nz), [ir] "=&r"(ir)            \
        : [a] "r"(a), [b] "r"(b), [c] "r"(c), [cr] "r"(cr)                            \
        : "v0", "v1", "v2", "v3", "cc")

#define ARITH_CASES(S, r)                                                                        \
    case PROBE_FADD_##S: RUN("fadd " r "0, " r "1, " r "2"); break;                              \
    case PROBE_FSUB_##S: RUN("fsub " r "0, " r "1, " r "2"); break;                              \
    case PROBE_FMUL_##S: RUN("fmul " r "0, " r "1, " r "2"); break;                              \
    case PROBE_FDIV_##S: RUN("fdiv " r "0, " r "1, " r "2"); break;                              \
    case PROBE_FMULX_##S: RUN("fmulx " r "0, " r "1, " r "2"); break;                            \
    case PROBE_FNMUL_##S: RUN("fnmul " r "0, " r "1, " r "2"); break;                            \
    case PROBE_FABD_##S: RUN("fabd " r "0, " r "1, " r "2"); break;                              \
    case PROBE_FMAX_##S: RUN("fmax " r "0, " r "1, " r "2"); break;                              \
    case PROBE_FMIN_##S: RUN("fmin " r "0, " r "1, " r "2"); break;                              \
    case PROBE_FMAXNM_##S: RUN("fmaxnm " r "0, " r "1, " r "2"); break;                          \
    case PROBE_FMINNM_##S: RUN("fminnm " r "0, " r "1, " r "2"); break;                          \
    case PROBE_FRECPS_##S: RUN("frecps " r "0, " r "1, " r "2"); break;                          \
    case PROBE_FRSQRTS_##S: RUN("frsqrts " r "0, " r "1, " r "2"); break;                        \
    case PROBE_FCMEQ_##S: RUN("fcmeq " r "0, " r "1, " r "2"); break;                            \
    case PROBE_FCMGE_##S: RUN("fcmge " r "0, " r "1, " r "2"); break;                            \
    case PROBE_FCMGT_##S: RUN("fcmgt " r "0, " r "1, " r "2"); break;                            \
    case PROBE_FACGE_##S: RUN("facge " r "0, " r "1, " r "2"); break;                            \
    case PROBE_FACGT_##S: RUN("facgt " r "0, " r "1, " r "2"); break;                            \
    case PROBE_FSQRT_##S: RUN("fsqrt " r "0, " r "1"); break;                                    \
    case PROBE_FRECPE_##S: RUN("frecpe " r "0, " r "1"); break;                                  \
    case PROBE_FRSQRTE_##S: RUN("frsqrte " r "0, " r "1"); break;                                \
    case PROBE_FRECPX_##S: RUN("frecpx " r "0, " r "1"); break;                                  \
    case PROBE_FMADD_##S: RUN("fmadd " r "0, " r "1, " r "2, " r "3"); break;                    \
    case PROBE_FMSUB_##S: RUN("fmsub " r "0, " r "1, " r "2, " r "3"); break;                    \
    case PROBE_FNMADD_##S: RUN("fnmadd " r "0, " r "1, " r "2, " r "3"); break;                  \
    case PROBE_FNMSUB_##S: RUN("fnmsub " r "0, " r "1, " r "2, " r "3"); break;                  \
    case PROBE_FCMP_##S: RUN("fcmp " r "1, " r "2"); break;                                      \
    case PROBE_FCMPE_##S: RUN("fcmpe " r "1, " r "2"); break;                                    \
    case PROBE_FRINTN_##S: RUN("frintn " r "0, " r "1"); break;                                  \
    case PROBE_FRINTA_##S: RUN("frinta " r "0, " r "1"); break;                                  \
    case PROBE_FRINTP_##S: RUN("frintp " r "0, " r "1"); break;                                  \
    case PROBE_FRINTM_##S: RUN("frintm " r "0, " r "1"); break;                                  \
    case PROBE_FRINTZ_##S: RUN("frintz " r "0, " r "1"); break;                                  \
    case PROBE_FRINTX_##S: RUN("frintx " r "0, " r "1"); break;                                  \
    case PROBE_FRINTI_##S: RUN("frinti " r "0, " r "1"); break;                                  \
    case PROBE_FCVTNS_W_##S: RUN("fcvtns %w[ir], " r "1"); break;                                \
    case PROBE_FCVTNU_W_##S: RUN("fcvtnu %w[ir], " r "1"); break;                                \
    case PROBE_FCVTAS_W_##S: RUN("fcvtas %w[ir], " r "1"); break;                                \
    case PROBE_FCVTAU_W_##S: RUN("fcvtau %w[ir], " r "1"); break;                                \
    case PROBE_FCVTPS_W_##S: RUN("fcvtps %w[ir], " r "1"); break;                                \
    case PROBE_FCVTPU_W_##S: RUN("fcvtpu %w[ir], " r "1"); break;                                \
    case PROBE_FCVTMS_W_##S: RUN("fcvtms %w[ir], " r "1"); break;                                \
    case PROBE_FCVTMU_W_##S: RUN("fcvtmu %w[ir], " r "1"); break;                                \
    case PROBE_FCVTZS_W_##S: RUN("fcvtzs %w[ir], " r "1"); break;                                \
    case PROBE_FCVTZU_W_##S: RUN("fcvtzu %w[ir], " r "1"); break;                                \
    case PROBE_FCVTNS_X_##S: RUN("fcvtns %x[ir], " r "1"); break;                                \
    case PROBE_FCVTNU_X_##S: RUN("fcvtnu %x[ir], " r "1"); break;                                \
    case PROBE_FCVTAS_X_##S: RUN("fcvtas %x[ir], " r "1"); break;                                \
    case PROBE_FCVTAU_X_##S: RUN("fcvtau %x[ir], " r "1"); break;                                \
    case PROBE_FCVTPS_X_##S: RUN("fcvtps %x[ir], " r "1"); break;                                \
    case PROBE_FCVTPU_X_##S: RUN("fcvtpu %x[ir], " r "1"); break;                                \
    case PROBE_FCVTMS_X_##S: RUN("fcvtms %x[ir], " r "1"); break;                                \
    case PROBE_FCVTMU_X_##S: RUN("fcvtmu %x[ir], " r "1"); break;                                \
    case PROBE_FCVTZS_X_##S: RUN("fcvtzs %x[ir], " r "1"); break;                                \
    case PROBE_FCVTZU_X_##S: RUN("fcvtzu %x[ir], " r "1"); break;                                \
    case PROBE_FCVTZS_W5_##S: RUN("fcvtzs %w[ir], " r "1, #5"); break;                           \
    case PROBE_FCVTZU_W30_##S: RUN("fcvtzu %w[ir], " r "1, #30"); break;                         \
    case PROBE_FCVTZS_X60_##S: RUN("fcvtzs %x[ir], " r "1, #60"); break;                         \
    case PROBE_FCVTZU_X5_##S: RUN("fcvtzu %x[ir], " r "1, #5"); break;                           \
    case PROBE_SCVTF_W_##S: RUN("scvtf " r "0, %w[a]"); break;                                   \
    case PROBE_UCVTF_W_##S: RUN("ucvtf " r "0, %w[a]"); break;                                   \
    case PROBE_SCVTF_X_##S: RUN("scvtf " r "0, %x[a]"); break;                                   \
    case PROBE_UCVTF_X_##S: RUN("ucvtf " r "0, %x[a]"); break;                                   \
    case PROBE_SCVTF_W7_##S: RUN("scvtf " r "0, %w[a], #7"); break;                              \
    case PROBE_UCVTF_X40_##S: RUN("ucvtf " r "0, %x[a], #40"); break;

static void run(const struct ProbeIn* in, struct ProbeOut* out) {
    uint64_t a = in->a, b = in->b, c = in->c, cr = in->fpcr;
    uint64_t res = 0, sr = 0, nz = 0, ir = 0;
    switch (in->op) {
        ARITH_CASES(H, "h")
        ARITH_CASES(S, "s")
        ARITH_CASES(D, "d")
    case PROBE_FRINT32Z_S: RUN("frint32z s0, s1"); break;
    case PROBE_FRINT32X_S: RUN("frint32x s0, s1"); break;
    case PROBE_FRINT64Z_S: RUN("frint64z s0, s1"); break;
    case PROBE_FRINT64X_S: RUN("frint64x s0, s1"); break;
    case PROBE_FRINT32Z_D: RUN("frint32z d0, d1"); break;
    case PROBE_FRINT32X_D: RUN("frint32x d0, d1"); break;
    case PROBE_FRINT64Z_D: RUN("frint64z d0, d1"); break;
    case PROBE_FRINT64X_D: RUN("frint64x d0, d1"); break;
    case PROBE_FCVT_H2S: RUN("fcvt s0, h1"); break;
    case PROBE_FCVT_H2D: RUN("fcvt d0, h1"); break;
    case PROBE_FCVT_S2H: RUN("fcvt h0, s1"); break;
    case PROBE_FCVT_S2D: RUN("fcvt d0, s1"); break;
    case PROBE_FCVT_D2H: RUN("fcvt h0, d1"); break;
    case PROBE_FCVT_D2S: RUN("fcvt s0, d1"); break;
    case PROBE_FCVTXN_D: RUN("fcvtxn s0, d1"); break;
    case PROBE_FJCVTZS_D: RUN("fjcvtzs %w[ir], d1"); break;
    case PROBE_URECPE_V: RUN("urecpe v0.2s, v1.2s"); break;
    case PROBE_URSQRTE_V: RUN("ursqrte v0.2s, v1.2s"); break;
    default:
        break;
    }
    out->result = (in->op < PROBE_COUNT && kinds[in->op] == 'I') ? ir : res;
    out->fpsr = (uint32_t)sr;
    out->nzcv = (uint32_t)(nz >> 28);
}

void probe_main(void) {
    struct ProbeIn in;
    struct ProbeOut out;
    while (read_full(&in, sizeof in)) {
        run(&in, &out);
        write_full(&out, sizeof out);
    }
    sys3(93, 0, 0, 0);
}

__asm__(".globl _start\n_start:\n\tmov x29, #0\n\tbl probe_main\n");

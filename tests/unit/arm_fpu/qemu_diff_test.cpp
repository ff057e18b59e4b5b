// Differential test against Debian's qemu-aarch64 (user mode, -cpu max):
// a freestanding aarch64 probe runs each instruction with the given FPCR
// and reports the result, FPSR and NZCV. Skipped (with a warning) where
// qemu-aarch64 or the aarch64 cross compiler is not installed: the MPFR
// oracle tests are the primary check, this one cross-checks the reading of
// the pseudocode against an independent implementation.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <string>
#include <vector>

#include "target/arm/fpu/fpu.h"
#include "tests/unit/arm_fpu/fp_test_util.h"
#include "tests/unit/arm_fpu/qemu_probe/probe_ops.h"

extern char** environ;

namespace fpu = emu::arm::fpu;
namespace oracle = emu::arm::fpu::oracle;
using emu::arm::fpu::testing::Gen;
using emu::arm::fpu::testing::hex;
using fpu::Rounding;
using oracle::Format;

namespace {

const char* const kNames[] = {
#define PROBE_NAME(name, kind) #name,
    PROBE_OPS(PROBE_NAME)
#undef PROBE_NAME
};

// Operand format of an operation: 16/32/64, or 0 for integer operands.
int operand_bits(const std::string& name) {
    if (name.rfind("SCVTF", 0) == 0 || name.rfind("UCVTF", 0) == 0) return 0;
    if (name.rfind("UREC", 0) == 0 || name.rfind("URSQ", 0) == 0) return 0;
    if (name.rfind("FCVT_", 0) == 0) {
        const char c = name[5];
        return c == 'H' ? 16 : c == 'S' ? 32 : 64;
    }
    const char c = name.back();
    return c == 'H' ? 16 : c == 'S' ? 32 : 64;
}

// Our library's answer for one probe record.
uint64_t emulate(const ProbeIn& in, uint32_t& fpsr, uint32_t& nzcv) {
    const uint64_t a = in.a, b = in.b, c = in.c;
    const uint32_t fpcr = in.fpcr;
    const Rounding rm = fpu::fpcr_rounding(fpcr);
    using H = uint16_t;
    using S = uint32_t;
    using D = uint64_t;
    switch (in.op) {
#define ARITH(SZ, sz, U)                                                                 \
    case PROBE_FADD_##SZ:                                                                \
        return fpu::fadd_##sz(U(a), U(b), fpcr, fpsr);                                   \
    case PROBE_FSUB_##SZ:                                                                \
        return fpu::fsub_##sz(U(a), U(b), fpcr, fpsr);                                   \
    case PROBE_FMUL_##SZ:                                                                \
        return fpu::fmul_##sz(U(a), U(b), fpcr, fpsr);                                   \
    case PROBE_FDIV_##SZ:                                                                \
        return fpu::fdiv_##sz(U(a), U(b), fpcr, fpsr);                                   \
    case PROBE_FMULX_##SZ:                                                               \
        return fpu::fmulx_##sz(U(a), U(b), fpcr, fpsr);                                  \
    case PROBE_FNMUL_##SZ:                                                               \
        return fpu::fnmul_##sz(U(a), U(b), fpcr, fpsr);                                  \
    case PROBE_FABD_##SZ:                                                                \
        return fpu::fabd_##sz(U(a), U(b), fpcr, fpsr);                                   \
    case PROBE_FMAX_##SZ:                                                                \
        return fpu::fmax_##sz(U(a), U(b), fpcr, fpsr);                                   \
    case PROBE_FMIN_##SZ:                                                                \
        return fpu::fmin_##sz(U(a), U(b), fpcr, fpsr);                                   \
    case PROBE_FMAXNM_##SZ:                                                              \
        return fpu::fmaxnm_##sz(U(a), U(b), fpcr, fpsr);                                 \
    case PROBE_FMINNM_##SZ:                                                              \
        return fpu::fminnm_##sz(U(a), U(b), fpcr, fpsr);                                 \
    case PROBE_FRECPS_##SZ:                                                              \
        return fpu::frecps_##sz(U(a), U(b), fpcr, fpsr);                                 \
    case PROBE_FRSQRTS_##SZ:                                                             \
        return fpu::frsqrts_##sz(U(a), U(b), fpcr, fpsr);                                \
    case PROBE_FCMEQ_##SZ:                                                               \
        return fpu::fcmeq_##sz(U(a), U(b), fpcr, fpsr);                                  \
    case PROBE_FCMGE_##SZ:                                                               \
        return fpu::fcmge_##sz(U(a), U(b), fpcr, fpsr);                                  \
    case PROBE_FCMGT_##SZ:                                                               \
        return fpu::fcmgt_##sz(U(a), U(b), fpcr, fpsr);                                  \
    case PROBE_FACGE_##SZ:                                                               \
        return fpu::facge_##sz(U(a), U(b), fpcr, fpsr);                                  \
    case PROBE_FACGT_##SZ:                                                               \
        return fpu::facgt_##sz(U(a), U(b), fpcr, fpsr);                                  \
    case PROBE_FSQRT_##SZ:                                                               \
        return fpu::fsqrt_##sz(U(a), fpcr, fpsr);                                        \
    case PROBE_FRECPE_##SZ:                                                              \
        return fpu::frecpe_##sz(U(a), fpcr, fpsr);                                       \
    case PROBE_FRSQRTE_##SZ:                                                             \
        return fpu::frsqrte_##sz(U(a), fpcr, fpsr);                                      \
    case PROBE_FRECPX_##SZ:                                                              \
        return fpu::frecpx_##sz(U(a), fpcr, fpsr);                                       \
    case PROBE_FMADD_##SZ:                                                               \
        return fpu::fmadd_##sz(U(a), U(b), U(c), fpcr, fpsr);                            \
    case PROBE_FMSUB_##SZ:                                                               \
        return fpu::fmsub_##sz(U(a), U(b), U(c), fpcr, fpsr);                            \
    case PROBE_FNMADD_##SZ:                                                              \
        return fpu::fnmadd_##sz(U(a), U(b), U(c), fpcr, fpsr);                           \
    case PROBE_FNMSUB_##SZ:                                                              \
        return fpu::fnmsub_##sz(U(a), U(b), U(c), fpcr, fpsr);                           \
    case PROBE_FCMP_##SZ:                                                                \
        nzcv = fpu::fcmp_##sz(U(a), U(b), false, fpcr, fpsr);                            \
        return 0;                                                                        \
    case PROBE_FCMPE_##SZ:                                                               \
        nzcv = fpu::fcmp_##sz(U(a), U(b), true, fpcr, fpsr);                             \
        return 0;                                                                        \
    case PROBE_FRINTN_##SZ:                                                              \
        return fpu::frint_##sz(U(a), Rounding::TieEven, false, fpcr, fpsr);              \
    case PROBE_FRINTA_##SZ:                                                              \
        return fpu::frint_##sz(U(a), Rounding::TieAway, false, fpcr, fpsr);              \
    case PROBE_FRINTP_##SZ:                                                              \
        return fpu::frint_##sz(U(a), Rounding::PosInf, false, fpcr, fpsr);               \
    case PROBE_FRINTM_##SZ:                                                              \
        return fpu::frint_##sz(U(a), Rounding::NegInf, false, fpcr, fpsr);               \
    case PROBE_FRINTZ_##SZ:                                                              \
        return fpu::frint_##sz(U(a), Rounding::Zero, false, fpcr, fpsr);                 \
    case PROBE_FRINTX_##SZ:                                                              \
        return fpu::frint_##sz(U(a), rm, true, fpcr, fpsr);                              \
    case PROBE_FRINTI_##SZ:                                                              \
        return fpu::frint_##sz(U(a), rm, false, fpcr, fpsr);                             \
    case PROBE_FCVTNS_W_##SZ:                                                            \
        return fpu::fcvt_to_int_##sz(U(a), Rounding::TieEven, false, 32, 0, fpcr, fpsr); \
    case PROBE_FCVTNU_W_##SZ:                                                            \
        return fpu::fcvt_to_int_##sz(U(a), Rounding::TieEven, true, 32, 0, fpcr, fpsr);  \
    case PROBE_FCVTAS_W_##SZ:                                                            \
        return fpu::fcvt_to_int_##sz(U(a), Rounding::TieAway, false, 32, 0, fpcr, fpsr); \
    case PROBE_FCVTAU_W_##SZ:                                                            \
        return fpu::fcvt_to_int_##sz(U(a), Rounding::TieAway, true, 32, 0, fpcr, fpsr);  \
    case PROBE_FCVTPS_W_##SZ:                                                            \
        return fpu::fcvt_to_int_##sz(U(a), Rounding::PosInf, false, 32, 0, fpcr, fpsr);  \
    case PROBE_FCVTPU_W_##SZ:                                                            \
        return fpu::fcvt_to_int_##sz(U(a), Rounding::PosInf, true, 32, 0, fpcr, fpsr);   \
    case PROBE_FCVTMS_W_##SZ:                                                            \
        return fpu::fcvt_to_int_##sz(U(a), Rounding::NegInf, false, 32, 0, fpcr, fpsr);  \
    case PROBE_FCVTMU_W_##SZ:                                                            \
        return fpu::fcvt_to_int_##sz(U(a), Rounding::NegInf, true, 32, 0, fpcr, fpsr);   \
    case PROBE_FCVTZS_W_##SZ:                                                            \
        return fpu::fcvt_to_int_##sz(U(a), Rounding::Zero, false, 32, 0, fpcr, fpsr);    \
    case PROBE_FCVTZU_W_##SZ:                                                            \
        return fpu::fcvt_to_int_##sz(U(a), Rounding::Zero, true, 32, 0, fpcr, fpsr);     \
    case PROBE_FCVTNS_X_##SZ:                                                            \
        return fpu::fcvt_to_int_##sz(U(a), Rounding::TieEven, false, 64, 0, fpcr, fpsr); \
    case PROBE_FCVTNU_X_##SZ:                                                            \
        return fpu::fcvt_to_int_##sz(U(a), Rounding::TieEven, true, 64, 0, fpcr, fpsr);  \
    case PROBE_FCVTAS_X_##SZ:                                                            \
        return fpu::fcvt_to_int_##sz(U(a), Rounding::TieAway, false, 64, 0, fpcr, fpsr); \
    case PROBE_FCVTAU_X_##SZ:                                                            \
        return fpu::fcvt_to_int_##sz(U(a), Rounding::TieAway, true, 64, 0, fpcr, fpsr);  \
    case PROBE_FCVTPS_X_##SZ:                                                            \
        return fpu::fcvt_to_int_##sz(U(a), Rounding::PosInf, false, 64, 0, fpcr, fpsr);  \
    case PROBE_FCVTPU_X_##SZ:                                                            \
        return fpu::fcvt_to_int_##sz(U(a), Rounding::PosInf, true, 64, 0, fpcr, fpsr);   \
    case PROBE_FCVTMS_X_##SZ:                                                            \
        return fpu::fcvt_to_int_##sz(U(a), Rounding::NegInf, false, 64, 0, fpcr, fpsr);  \
    case PROBE_FCVTMU_X_##SZ:                                                            \
        return fpu::fcvt_to_int_##sz(U(a), Rounding::NegInf, true, 64, 0, fpcr, fpsr);   \
    case PROBE_FCVTZS_X_##SZ:                                                            \
        return fpu::fcvt_to_int_##sz(U(a), Rounding::Zero, false, 64, 0, fpcr, fpsr);    \
    case PROBE_FCVTZU_X_##SZ:                                                            \
        return fpu::fcvt_to_int_##sz(U(a), Rounding::Zero, true, 64, 0, fpcr, fpsr);     \
    case PROBE_FCVTZS_W5_##SZ:                                                           \
        return fpu::fcvt_to_int_##sz(U(a), Rounding::Zero, false, 32, 5, fpcr, fpsr);    \
    case PROBE_FCVTZU_W30_##SZ:                                                          \
        return fpu::fcvt_to_int_##sz(U(a), Rounding::Zero, true, 32, 30, fpcr, fpsr);    \
    case PROBE_FCVTZS_X60_##SZ:                                                          \
        return fpu::fcvt_to_int_##sz(U(a), Rounding::Zero, false, 64, 60, fpcr, fpsr);   \
    case PROBE_FCVTZU_X5_##SZ:                                                           \
        return fpu::fcvt_to_int_##sz(U(a), Rounding::Zero, true, 64, 5, fpcr, fpsr);     \
    case PROBE_SCVTF_W_##SZ:                                                             \
        return fpu::cvtf_##sz(a, false, 32, 0, fpcr, fpsr);                              \
    case PROBE_UCVTF_W_##SZ:                                                             \
        return fpu::cvtf_##sz(a, true, 32, 0, fpcr, fpsr);                               \
    case PROBE_SCVTF_X_##SZ:                                                             \
        return fpu::cvtf_##sz(a, false, 64, 0, fpcr, fpsr);                              \
    case PROBE_UCVTF_X_##SZ:                                                             \
        return fpu::cvtf_##sz(a, true, 64, 0, fpcr, fpsr);                               \
    case PROBE_SCVTF_W7_##SZ:                                                            \
        return fpu::cvtf_##sz(a, false, 32, 7, fpcr, fpsr);                              \
    case PROBE_UCVTF_X40_##SZ:                                                           \
        return fpu::cvtf_##sz(a, true, 64, 40, fpcr, fpsr);
        ARITH(H, h, H)
        ARITH(S, s, S)
        ARITH(D, d, D)
#undef ARITH
        case PROBE_FRINT32Z_S:
            return fpu::frint_n_s(S(a), Rounding::Zero, 32, fpcr, fpsr);
        case PROBE_FRINT32X_S:
            return fpu::frint_n_s(S(a), rm, 32, fpcr, fpsr);
        case PROBE_FRINT64Z_S:
            return fpu::frint_n_s(S(a), Rounding::Zero, 64, fpcr, fpsr);
        case PROBE_FRINT64X_S:
            return fpu::frint_n_s(S(a), rm, 64, fpcr, fpsr);
        case PROBE_FRINT32Z_D:
            return fpu::frint_n_d(a, Rounding::Zero, 32, fpcr, fpsr);
        case PROBE_FRINT32X_D:
            return fpu::frint_n_d(a, rm, 32, fpcr, fpsr);
        case PROBE_FRINT64Z_D:
            return fpu::frint_n_d(a, Rounding::Zero, 64, fpcr, fpsr);
        case PROBE_FRINT64X_D:
            return fpu::frint_n_d(a, rm, 64, fpcr, fpsr);
        case PROBE_FCVT_H2S:
            return fpu::fcvt_h2s(H(a), fpcr, fpsr);
        case PROBE_FCVT_H2D:
            return fpu::fcvt_h2d(H(a), fpcr, fpsr);
        case PROBE_FCVT_S2H:
            return fpu::fcvt_s2h(S(a), fpcr, fpsr);
        case PROBE_FCVT_S2D:
            return fpu::fcvt_s2d(S(a), fpcr, fpsr);
        case PROBE_FCVT_D2H:
            return fpu::fcvt_d2h(a, fpcr, fpsr);
        case PROBE_FCVT_D2S:
            return fpu::fcvt_d2s(a, fpcr, fpsr);
        case PROBE_FCVTXN_D:
            return fpu::fcvtxn(a, fpcr, fpsr);
        case PROBE_URECPE_V:
            return fpu::urecpe(uint32_t(a)) | uint64_t(fpu::urecpe(uint32_t(a >> 32))) << 32;
        case PROBE_URSQRTE_V:
            return fpu::ursqrte(uint32_t(a)) | uint64_t(fpu::ursqrte(uint32_t(a >> 32))) << 32;
        case PROBE_FJCVTZS_D: {
            bool z = false;
            const uint32_t r = fpu::fjcvtzs(a, fpcr, fpsr, &z);
            nzcv = z ? 4 : 0;
            return r;
        }
    }
    return ~0ull;
}

class QemuProbe {
  public:
    // False when qemu-aarch64 cannot be started.
    bool start(const char* probe) {
        int to_child[2], from_child[2];
        if (pipe(to_child) || pipe(from_child)) return false;
        posix_spawn_file_actions_t fa;
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_adddup2(&fa, to_child[0], 0);
        posix_spawn_file_actions_adddup2(&fa, from_child[1], 1);
        posix_spawn_file_actions_addclose(&fa, to_child[1]);
        posix_spawn_file_actions_addclose(&fa, from_child[0]);
        char* argv[] = {const_cast<char*>("qemu-aarch64"), const_cast<char*>("-cpu"),
                        const_cast<char*>("max"), const_cast<char*>(probe), nullptr};
        const int rc = posix_spawnp(&pid_, "qemu-aarch64", &fa, nullptr, argv, environ);
        posix_spawn_file_actions_destroy(&fa);
        close(to_child[0]);
        close(from_child[1]);
        to_ = to_child[1];
        from_ = from_child[0];
        if (rc != 0) pid_ = -1;
        return rc == 0;
    }

    bool run(const std::vector<ProbeIn>& in, std::vector<ProbeOut>& out) {
        out.resize(in.size());
        constexpr size_t kBatch = 256;  // stays below both pipe buffers
        for (size_t i = 0; i < in.size(); i += kBatch) {
            const size_t n = std::min(kBatch, in.size() - i);
            if (!io(true, const_cast<ProbeIn*>(&in[i]), n * sizeof(ProbeIn))) return false;
            if (!io(false, &out[i], n * sizeof(ProbeOut))) return false;
        }
        return true;
    }

    ~QemuProbe() {
        if (to_ >= 0) close(to_);
        if (from_ >= 0) close(from_);
        if (pid_ > 0) waitpid(pid_, nullptr, 0);
    }

  private:
    bool io(bool write_side, void* p, size_t n) {
        char* s = static_cast<char*>(p);
        while (n > 0) {
            const ssize_t r = write_side ? write(to_, s, n) : read(from_, s, n);
            if (r <= 0) return false;
            s += r;
            n -= size_t(r);
        }
        return true;
    }

    pid_t pid_ = -1;
    int to_ = -1, from_ = -1;
};

}  // namespace

TEST_CASE("qemu-aarch64 differential: every probed instruction", "[arm_fpu][qemu]") {
    const char* probe = EMU_FP_PROBE;
    if (!*probe || access(probe, R_OK) != 0) {
        WARN("skipped: the aarch64 probe was not built (no aarch64-linux-gnu-gcc)");
        return;
    }
    signal(SIGPIPE, SIG_IGN);
    QemuProbe q;
    if (!q.start(probe)) {
        WARN("skipped: qemu-aarch64 (Debian package qemu-user) is not installed");
        return;
    }
    const int per_op = emu::arm::fpu::testing::oracle_iters(20000) / 40;
    Gen g(77);
    std::vector<ProbeIn> ins;
    for (uint32_t op = 0; op < PROBE_COUNT; op++) {
        const int bits = operand_bits(kNames[op]);
        for (int i = 0; i < per_op; i++) {
            ProbeIn in{op, g.fpcr(), 0, 0, 0};
            if (bits == 0 && kNames[op][0] == 'U' && kNames[op][1] == 'R') {
                in.a = g.bits(64);  // two 32-bit lanes over the whole range
            } else if (bits == 0) {
                in.a = g.bits(64) >> g.range(0, 63);
                if (g.chance(30)) in.a = uint64_t(0) - in.a;
            } else {
                const Format& f = bits == 16   ? oracle::kHalf
                                  : bits == 32 ? oracle::kSingle
                                               : oracle::kDouble;
                const int centre = g.chance(50) ? g.centre(f) : f.bias() + g.range(-4, 66);
                in.a = g.any(f, std::min(centre, (1 << f.E) - 2), f.F);
                in.b = g.any(f, std::min(centre, (1 << f.E) - 2), f.F);
                in.c = g.any(f, std::min(centre, (1 << f.E) - 2), f.F);
            }
            ins.push_back(in);
        }
    }
    std::vector<ProbeOut> outs;
    REQUIRE(q.run(ins, outs));
    int failures = 0;
    for (size_t i = 0; i < ins.size() && failures < 20; i++) {
        uint32_t fpsr = 0, nzcv = 0;
        const uint64_t got = emulate(ins[i], fpsr, nzcv);
        const uint32_t want_fpsr = outs[i].fpsr & 0x9f;  // cumulative exception bits
        const uint32_t want_nzcv = outs[i].nzcv;
        // QEMU up to 9.0 sets Z for FJCVTZS of a denormal flushed by FZ;
        // the pseudocode clears it (QEMU issue 2375). Compare Z there only
        // against the rule itself.
        const bool fjcvtzs = ins[i].op == PROBE_FJCVTZS_D;
        const bool qemu_fjcvtzs_bug = fjcvtzs && (ins[i].fpcr & fpu::kFpcrFz) &&
                                      oracle::is_denormal(oracle::kDouble, ins[i].a);
        const bool nzcv_matters =
            (std::strstr(kNames[ins[i].op], "FCMP") || fjcvtzs) && !qemu_fjcvtzs_bug;
        if (qemu_fjcvtzs_bug) CHECK(nzcv == 0);
        if (got != outs[i].result || fpsr != want_fpsr || (nzcv_matters && nzcv != want_nzcv)) {
            failures++;
            UNSCOPED_INFO(kNames[ins[i].op]
                          << " a=" << hex(ins[i].a) << " b=" << hex(ins[i].b)
                          << " c=" << hex(ins[i].c) << " fpcr=" << hex(ins[i].fpcr) << ": ours "
                          << hex(got) << " fpsr " << hex(fpsr) << " nzcv " << nzcv << ", qemu "
                          << hex(outs[i].result) << " fpsr " << hex(want_fpsr) << " nzcv "
                          << want_nzcv);
            CHECK(false);
        }
    }
}

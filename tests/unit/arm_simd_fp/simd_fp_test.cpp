// AdvSIMD / scalar-SIMD floating point: hand-assembled sequences run under
// the interpreter and (when built) the LLVM tier; expected values are worked
// out by hand from the Arm ARM rules (NaN propagation, FPCR.FZ/RMode, FPSR
// cumulative flags), never taken from the implementation.
#include <catch2/catch.hpp>
#include <cstring>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "hw/core/address_space.h"
#include "hw/core/memory_region.h"
#include "target/arm/arm_cpu.h"
#include "tcg/exec/env.h"
#ifdef EMU_TEST_LLVM_TIER
#include "tcg/llvm/llvm_tier.h"
#endif

using namespace emu;
using namespace emu::arm;

namespace {

constexpr uint64_t kRamBase = 0x40000000;
constexpr uint64_t kRamSize = 1 << 20;
constexpr uint32_t kWfi = 0xd503207f;

constexpr uint32_t kIoc = 1, kOfc = 4, kIxc = 0x10, kIdc = 0x80;
constexpr uint32_t kFz = 1u << 24, kRModePosInf = 1u << 22;

struct Machine {
    std::unique_ptr<MemoryRegion> root = MemoryRegion::container("system", ~0ull);
    std::unique_ptr<MemoryRegion> ram = MemoryRegion::ram("ram", kRamSize);
    std::unique_ptr<AddressSpace> as;
    std::unique_ptr<ArmCpu> cpu;

    explicit Machine(bool llvm) {
        root->add_subregion(kRamBase, ram.get());
        as = std::make_unique<AddressSpace>("memory", root.get());
        ArmCpuConfig cfg;
        cfg.memory = as.get();
        tcg::ExecOptions opts;
        opts.tier = llvm ? tcg::TierMode::Llvm : tcg::TierMode::Interp;
        std::unique_ptr<tcg::TierCompiler> compiler;
#ifdef EMU_TEST_LLVM_TIER
        std::string err;
        if (llvm) compiler = tcg::make_llvm_tier(&err);
#endif
        cpu = std::make_unique<ArmCpu>(cfg, opts, std::move(compiler));
        ArmCpuState& s = cpu->st();
        s.cpacr_el1 = 3u << 20;  // FP/SIMD enabled
        s.x[31] = kRamBase + kRamSize - 16;
        s.vbar_el1 = kRamBase + 0x1000;
        load(kRamBase + 0x1200, {kWfi});  // synchronous exception, current EL, SPx
    }
    void load(uint64_t addr, const std::vector<uint32_t>& words) {
        std::memcpy(ram->host_ptr() + (addr - kRamBase), words.data(), words.size() * 4);
    }
};

using StateFn = std::function<void(ArmCpuState&)>;

// Runs prog (ending in WFI) on every tier, after setup, then check.
void on_all_tiers(const std::vector<uint32_t>& prog, const StateFn& setup, const StateFn& check) {
    std::vector<bool> tiers = {false};
#ifdef EMU_TEST_LLVM_TIER
    tiers.push_back(true);
#endif
    for (bool llvm : tiers) {
        INFO("tier " << (llvm ? "llvm" : "interp"));
        Machine m(llvm);
        m.load(kRamBase, prog);
        setup(m.cpu->st());
        m.cpu->st().tcg.pc = kRamBase;
        REQUIRE(m.cpu->exec() == tcg::kStatusHalt);
        check(m.cpu->st());
    }
}

void set_v(ArmCpuState& s, unsigned r, uint64_t lo, uint64_t hi) {
    s.v[r][0] = lo;
    s.v[r][1] = hi;
}
uint64_t pack_s(uint32_t lo, uint32_t hi) {
    return uint64_t(hi) << 32 | lo;
}

}  // namespace

TEST_CASE("AdvSIMD FP pairwise and across-lanes max/min", "[arm][simd_fp]") {
    on_all_tiers(
        {
            0x6e30f820,  // fmaxv s0, v1.4s
            0x6e30c822,  // fmaxnmv s2, v1.4s
            0x7ef0c883,  // fminnmp d3, v4.2d
            0x6e29f507,  // fmaxp v7.4s, v8.4s, v9.4s
            kWfi,
        },
        [](ArmCpuState& s) {
            // 1.0, quiet NaN, 3.0, -2.0
            set_v(s, 1, pack_s(0x3f800000, 0x7fc00001), pack_s(0x40400000, 0xc0000000));
            set_v(s, 0, ~0ull, ~0ull);
            set_v(s, 2, ~0ull, ~0ull);
            set_v(s, 4, 0x7ff8000000000001ull, 0x4014000000000000ull);  // qNaN, 5.0
            set_v(s, 8, pack_s(0x3f800000, 0x40000000), pack_s(0x40400000, 0x40800000));
            set_v(s, 9, pack_s(0xbf800000, 0xc0a00000), pack_s(0x41000000, 0x40e00000));
            s.fpcr = 0;
            s.fpsr = 0;
        },
        [](ArmCpuState& s) {
            // max(max(1, NaN), max(3, -2)) propagates the quiet NaN.
            CHECK(s.v[0][0] == 0x7fc00001u);
            CHECK(s.v[0][1] == 0);
            // maxnm ignores the quiet NaN: maxnm(1, 3) = 3.
            CHECK(s.v[2][0] == 0x40400000u);
            CHECK(s.v[2][1] == 0);
            CHECK(s.v[3][0] == 0x4014000000000000ull);
            CHECK(s.v[3][1] == 0);
            // pairs of the concatenation v8:v9: max(1,2), max(3,4), max(-1,-5), max(8,7)
            CHECK(s.v[7][0] == pack_s(0x40000000, 0x40800000));
            CHECK(s.v[7][1] == pack_s(0xbf800000, 0x41000000));
            CHECK(s.fpsr == 0);  // quiet NaNs raise nothing here
        });
}

TEST_CASE("AdvSIMD FP precision and integer conversions", "[arm][simd_fp]") {
    on_all_tiers(
        {
            0x0e2178c5,  // fcvtl v5.4s, v6.4h
            0x4e616907,  // fcvtn2 v7.4s, v8.2d
            0x4f38fe72,  // fcvtzs v18.4s, v19.4s, #8
            0x5f7ce6b4,  // scvtf d20, d21, #4
            0x0e21c862,  // fcvtas v2.2s, v3.2s
            kWfi,
        },
        [](ArmCpuState& s) {
            // halves 1.0, -2.0, +inf, smallest subnormal (2^-24); upper half ignored
            set_v(s, 6, 0x00017c00c0003c00ull, 0xdeadbeefdeadbeefull);
            set_v(s, 7, 0x1111222233334444ull, ~0ull);
            set_v(s, 8, 0x3ff8000000000000ull, 0x7e37e43c8800759cull);  // 1.5, 1e300
            // 1.5, -1.0, 1e10, quiet NaN
            set_v(s, 19, pack_s(0x3fc00000, 0xbf800000), pack_s(0x501502f9, 0x7fc00000));
            set_v(s, 20, ~0ull, ~0ull);
            set_v(s, 21, 40, 0x1234);
            set_v(s, 3, pack_s(0x40200000, 0xc0200000), ~0ull);  // 2.5, -2.5
            set_v(s, 2, ~0ull, ~0ull);
            s.fpcr = 0;
            s.fpsr = 0;
        },
        [](ArmCpuState& s) {
            CHECK(s.v[5][0] == pack_s(0x3f800000, 0xc0000000));
            CHECK(s.v[5][1] == pack_s(0x7f800000, 0x33800000));
            // FCVTN2 keeps the lower half; 1e300 overflows single to +inf.
            CHECK(s.v[7][0] == 0x1111222233334444ull);
            CHECK(s.v[7][1] == pack_s(0x3fc00000, 0x7f800000));
            // 1.5 * 2^8 = 384; -256; saturated; NaN -> 0
            CHECK(s.v[18][0] == pack_s(384, 0xffffff00));
            CHECK(s.v[18][1] == pack_s(0x7fffffff, 0));
            CHECK(s.v[20][0] == 0x4004000000000000ull);  // 40 / 2^4 = 2.5
            CHECK(s.v[20][1] == 0);
            CHECK(s.v[2][0] == pack_s(3, 0xfffffffd));  // ties away from zero
            CHECK(s.v[2][1] == 0);
            CHECK(s.fpsr == (kIoc | kOfc | kIxc));
        });
}

TEST_CASE("AdvSIMD FP by element", "[arm][simd_fp]") {
    on_all_tiers(
        {
            0x4fab1949,  // fmla v9.4s, v10.4s, v11.s[3]
            0x4fce59ac,  // fmls v12.2d, v13.2d, v14.d[1]
            0x7fb1920f,  // fmulx s15, s16, v17.s[1]
            kWfi,
        },
        [](ArmCpuState& s) {
            set_v(s, 11, 0, pack_s(0, 0x40000000));  // s[3] = 2.0
            set_v(s, 10, pack_s(0x3f800000, 0x40000000), pack_s(0x40400000, 0x40800000));
            set_v(s, 9, pack_s(0x41200000, 0x41200000), pack_s(0x41200000, 0x41200000));
            set_v(s, 14, 0x7ff0000000000001ull, 0x4008000000000000ull);  // d[1] = 3.0
            set_v(s, 13, 0x3ff0000000000000ull, 0xc000000000000000ull);  // 1.0, -2.0
            set_v(s, 12, 0x4024000000000000ull, 0x4024000000000000ull);  // 10.0, 10.0
            set_v(s, 16, 0x80000000u, ~0ull);                            // -0.0
            set_v(s, 17, pack_s(0, 0x7f800000), 0);                      // s[1] = +inf
            set_v(s, 15, ~0ull, ~0ull);
            s.fpcr = 0;
            s.fpsr = 0;
        },
        [](ArmCpuState& s) {
            CHECK(s.v[9][0] == pack_s(0x41400000, 0x41600000));  // 12, 14
            CHECK(s.v[9][1] == pack_s(0x41800000, 0x41900000));  // 16, 18
            CHECK(s.v[12][0] == 0x401c000000000000ull);          // 10 - 1*3 = 7
            CHECK(s.v[12][1] == 0x4030000000000000ull);          // 10 + 2*3 = 16
            CHECK(s.v[15][0] == 0xc0000000u);                    // -0 * inf = -2.0
            CHECK(s.v[15][1] == 0);
            CHECK(s.fpsr == 0);
        });
}

TEST_CASE("AdvSIMD FP estimates, compares with zero and FPCR", "[arm][simd_fp]") {
    const std::vector<uint32_t> prog = {
        0x5ea1daf6,  // frecpe s22, s23
        0x5e3aff38,  // frecps s24, s25, s26
        0x6ee0dbbb,  // fcmle v27.2d, v29.2d, #0.0
        0x6e619bfe,  // frintx v30.2d, v31.2d
        0x7e616820,  // fcvtxn s0, d1
        0x6ee6eca4,  // facgt v4.2d, v5.2d, v6.2d
        kWfi,
    };
    auto setup = [](uint32_t fpcr) {
        return [fpcr](ArmCpuState& s) {
            set_v(s, 23, 0x3f800000u, 0);                                // 1.0
            set_v(s, 25, 0x40000000u, 0);                                // 2.0
            set_v(s, 26, 0x3f000000u, 0);                                // 0.5
            set_v(s, 29, 0x8000000000000000ull, 1);                      // -0.0, smallest denormal
            set_v(s, 31, 0x3ff4000000000000ull, 0xbffc000000000000ull);  // 1.25, -1.75
            set_v(s, 1, 0x3ff0000004000000ull, 0);                       // 1 + 2^-30
            set_v(s, 5, 0xc008000000000000ull, 0x3ff0000000000000ull);   // -3.0, 1.0
            set_v(s, 6, 0x4000000000000000ull, 0xbff0000000000000ull);   // 2.0, -1.0
            s.fpcr = fpcr;
            s.fpsr = 0;
        };
    };
    auto common = [](ArmCpuState& s) {
        CHECK(s.v[22][0] == 0x3f7f8000u);  // FRECPE(1.0) = 511/512
        CHECK(s.v[24][0] == 0x3f800000u);  // 2 - 2*0.5
        CHECK(s.v[0][0] == 0x3f800001u);   // round to odd
        CHECK(s.v[4][0] == ~0ull);         // |-3| > |2|
        CHECK(s.v[4][1] == 0);             // |1| > |-1| is false
    };
    SECTION("round to nearest, no flush") {
        on_all_tiers(prog, setup(0), [&](ArmCpuState& s) {
            common(s);
            CHECK(s.v[27][0] == ~0ull);                  // -0.0 <= 0
            CHECK(s.v[27][1] == 0);                      // denormal > 0
            CHECK(s.v[30][0] == 0x3ff0000000000000ull);  // 1.25 -> 1.0
            CHECK(s.v[30][1] == 0xc000000000000000ull);  // -1.75 -> -2.0
            CHECK(s.fpsr == kIxc);
        });
    }
    SECTION("flush to zero, round towards +inf") {
        on_all_tiers(prog, setup(kFz | kRModePosInf), [&](ArmCpuState& s) {
            common(s);
            CHECK(s.v[27][0] == ~0ull);
            CHECK(s.v[27][1] == ~0ull);                  // the denormal is flushed to +0
            CHECK(s.v[30][0] == 0x4000000000000000ull);  // 1.25 -> 2.0
            CHECK(s.v[30][1] == 0xbff0000000000000ull);  // -1.75 -> -1.0
            CHECK(s.fpsr == (kIxc | kIdc));
        });
    }
}

TEST_CASE("AdvSIMD FP reserved encodings are Undefined", "[arm][simd_fp]") {
    struct Case {
        uint32_t insn;
        const char* what;
    };
    const Case cases[] = {
        {0x4fe29020, "fmul .2d by element with L = 1"},
        {0x0fc29020, "fmul .2d by element with Q = 0"},
        {0x2e216820, "fcvtxn with sz = 0"},
        {0x0e30f820, "fmaxv h0, v1.4h (FP16)"},
        {0x2eb0f820, "fminv with Q = 0"},
        {0x0e62cc20, "fmla .2d with Q = 0"},
        {0x0f10fc20, "fcvtzs .4h fixed point (FP16)"},
        {0x7ee1f820, "scalar two-register misc U=1 size=11 opcode 0x1f"},
        {0x5ef0c820, "scalar pairwise with U = 0 (FP16)"},
    };
    for (const Case& c : cases) {
        INFO(c.what);
        on_all_tiers(
            {c.insn, kWfi},
            [](ArmCpuState& s) {
                set_v(s, 0, 0x1234, 0x5678);
                s.esr_el1 = 0;
            },
            [&](ArmCpuState& s) {
                CHECK(s.esr_el1 == 1u << 25);  // EC 0 (unknown), IL
                CHECK(s.elr_el1 == kRamBase);
                CHECK(s.v[0][0] == 0x1234);
                CHECK(s.v[0][1] == 0x5678);
            });
    }
}

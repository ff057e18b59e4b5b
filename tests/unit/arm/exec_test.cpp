// Hand-assembled A64 sequences run on the CPU over RAM; the architectural
// state afterwards is checked against values derived independently here.
#include <catch2/catch.hpp>
#include <string>

#include "test_machine.h"

using namespace emu;
using namespace emu::arm;
using namespace emu::arm::test;

namespace {

uint32_t crc32c_ref(uint32_t crc, uint64_t data) {
    for (int i = 0; i < 8; ++i) {
        crc ^= (data >> (8 * i)) & 0xff;
        for (int b = 0; b < 8; ++b)
            crc = (crc & 1) ? (crc >> 1) ^ 0x82f63b78u : crc >> 1;
    }
    return crc;
}

uint32_t rbit32(uint32_t x) {
    uint32_t r = 0;
    for (int i = 0; i < 32; ++i)
        r |= ((x >> i) & 1) << (31 - i);
    return r;
}

const std::vector<uint32_t> kDataProcessing = {
    0xd2a24680,  // mov x0, #0x12340000
    0xf28acf00,  // movk x0, #0x5678
    0x91404001,  // add x1, x0, #0x10, lsl #12
    0x51000402,  // sub w2, w0, #0x1
    0xeb000003,  // subs x3, x0, x0
    0xd53b4204,  // mrs x4, nzcv
    0x92781c05,  // and x5, x0, #0xff00
    0x3200f3e6,  // mov w6, #0x55555555
    0xd2400007,  // eor x7, x0, #0x1
    0xd37cec08,  // lsl x8, x0, #4
    0x9341fc69,  // asr x9, x3, #1
    0xd3484c0a,  // ubfx x10, x0, #8, #12
    0x934c3c0b,  // sbfx x11, x0, #12, #4
    0xb3603c0c,  // bfi x12, x0, #32, #16
    0x93c1200d,  // extr x13, x0, x1, #8
    0x9a81000e,  // csel x14, x0, x1, eq
    0x9a81140f,  // csinc x15, x0, x1, ne
    0xda801410,  // cneg x16, x0, eq
    0x9b010811,  // madd x17, x0, x1, x2
    0x9bc07c12,  // umulh x18, x0, x0
    0x9ac20813,  // udiv x19, x0, x2
    0x9ac70cb4,  // sdiv x20, x5, x7
    0xdac01015,  // clz x21, x0
    0x5ac00016,  // rbit w22, w0
    0xdac00c17,  // rev x23, x0
    0xdac01538,  // cls x24, x9
    0xab000019,  // adds x25, x0, x0
    0x9a01001a,  // adc x26, x0, x1
    0x9ac15c1b,  // crc32cx w27, w0, x1
    0xd503207f,  // wfi
};

}  // namespace

TEST_CASE("A64 data processing", "[arm][exec]") {
    for (auto tier : {tcg::TierMode::Interp}) {
        TestMachine m(tier);
        m.load(kRamBase, kDataProcessing);
        REQUIRE(m.run(kRamBase) == tcg::kStatusHalt);
        const ArmCpuState& s = m.st();
        const uint64_t x0 = 0x12345678, x1 = x0 + 0x10000;
        CHECK(s.x[0] == x0);
        CHECK(s.x[1] == x1);
        CHECK(s.x[2] == 0x12345677);
        CHECK(s.x[3] == 0);
        CHECK(s.x[4] == 0x60000000);  // Z and C after x0 - x0
        CHECK(s.x[5] == (x0 & 0xff00));
        CHECK(s.x[6] == 0x55555555);
        CHECK(s.x[7] == (x0 ^ 1));
        CHECK(s.x[8] == x0 << 4);
        CHECK(s.x[9] == 0);
        CHECK(s.x[10] == ((x0 >> 8) & 0xfff));
        CHECK(s.x[11] == ((x0 >> 12) & 0xf));
        CHECK(s.x[12] == (x0 & 0xffff) << 32);
        CHECK(s.x[13] == ((x1 >> 8) | (x0 << 56)));
        CHECK(s.x[14] == x0);
        CHECK(s.x[15] == x1 + 1);
        CHECK(s.x[16] == 0 - x0);
        CHECK(s.x[17] == 0x12345677 + x0 * x1);
        CHECK(s.x[18] == static_cast<uint64_t>((static_cast<unsigned __int128>(x0) * x0) >> 64));
        CHECK(s.x[19] == 1);
        CHECK(s.x[20] == 0);
        CHECK(s.x[21] == 35);
        CHECK(s.x[22] == rbit32(static_cast<uint32_t>(x0)));
        CHECK(s.x[23] == __builtin_bswap64(x0));
        CHECK(s.x[24] == 63);
        CHECK(s.x[25] == 2 * x0);
        CHECK(s.nzcv == 0);
        CHECK(s.x[26] == x0 + x1);
        CHECK(s.x[27] == crc32c_ref(static_cast<uint32_t>(x0), x1));
        CHECK(s.tcg.pc == kRamBase + 4 * kDataProcessing.size());
    }
}

TEST_CASE("A64 branches, loops and calls", "[arm][exec]") {
    TestMachine m;
    m.load(kRamBase, {
                         0xd2800000,  // mov x0, #0
                         0xd2800c81,  // mov x1, #100
                         0x8b010000,  // 1: add x0, x0, x1
                         0xf1000421,  // subs x1, x1, #1
                         0x54ffffc1,  // b.ne 1b
                         0xb4000041,  // cbz x1, 2f
                         0xd2800000,  // mov x0, #0
                         0x37100040,  // 2: tbnz w0, #2, 3f
                         0xd2800020,  // mov x0, #1
                         0x94000002,  // 3: bl 4f
                         0xd503207f,  // wfi
                         0xaa1e03e2,  // 4: mov x2, x30
                         0xd65f03c0,  // ret
                     });
    REQUIRE(m.run(kRamBase) == tcg::kStatusHalt);
    CHECK(m.st().x[0] == 1);  // 5050 has bit 2 clear, so tbnz falls through
    CHECK(m.st().x[1] == 0);
    CHECK(m.st().x[2] == kRamBase + 0x28);
    CHECK(m.st().tcg.pc == kRamBase + 0x2c);
    CHECK(m.cpu->stats().blocks_translated >= 5);
}

TEST_CASE("A64 loads, stores, exclusives and atomics", "[arm][exec]") {
    TestMachine m;
    m.load(kRamBase, {
                         0xd2a80001,  // mov x1, #0x40000000
                         0x91400821,  // add x1, x1, #0x2, lsl #12
                         0xd2822442,  // mov x2, #0x1122
                         0xf8008422,  // str x2, [x1], #8
                         0xb8008c22,  // str w2, [x1, #8]!
                         0xf85f0023,  // ldur x3, [x1, #-16]
                         0x385f0024,  // ldurb w4, [x1, #-16]
                         0x79800025,  // ldrsh x5, [x1]
                         0xa9010c22,  // stp x2, x3, [x1, #16]
                         0x29421c26,  // ldp w6, w7, [x1, #16]
                         0xf8626828,  // ldr x8, [x1, x2]
                         0xd2800089,  // mov x9, #4
                         0xb869482a,  // ldr w10, [x1, w9, uxtw]
                         0xc85f7c2b,  // ldxr x11, [x1]
                         0x9100056b,  // add x11, x11, #1
                         0xc80c7c2b,  // stxr w12, x11, [x1]
                         0xf829002d,  // ldadd x9, x13, [x1]
                         0xf940002e,  // ldr x14, [x1]
                         0xc8ae7c29,  // cas x14, x9, [x1]
                         0xf940002f,  // ldr x15, [x1]
                         0xb8e90030,  // ldaddal w9, w16, [x1]
                         0xf8228031,  // swp x2, x17, [x1]
                         0x58000052,  // ldr x18, =0x123456789abcdef0
                         0xd503207f,  // wfi
                         0x9abcdef0, 0x12345678,
                     });
    REQUIRE(m.run(kRamBase) == tcg::kStatusHalt);
    const ArmCpuState& s = m.st();
    CHECK(s.x[1] == kRamBase + 0x2010);
    CHECK(m.read64(kRamBase + 0x2000) == 0x1122);
    CHECK(s.x[3] == 0x1122);
    CHECK(s.x[4] == 0x22);
    CHECK(s.x[5] == 0x1122);
    CHECK(m.read64(kRamBase + 0x2020) == 0x1122);
    CHECK(m.read64(kRamBase + 0x2028) == 0x1122);
    CHECK(s.x[6] == 0x1122);
    CHECK(s.x[7] == 0);
    CHECK(s.x[8] == 0);
    CHECK(s.x[10] == 0);
    CHECK(s.x[11] == 0x1123);
    CHECK(s.x[12] == 0);  // store-exclusive succeeded
    CHECK(s.x[13] == 0x1123);
    CHECK(s.x[14] == 0x1127);
    CHECK(s.x[15] == 4);
    CHECK(s.x[16] == 4);
    CHECK(s.x[17] == 8);
    CHECK(m.read64(kRamBase + 0x2010) == 0x1122);
    CHECK(s.x[18] == 0x123456789abcdef0);
}

TEST_CASE("A64 exceptions: undefined, SVC, data abort, ERET", "[arm][exec]") {
    TestMachine m;
    m.load(kRamBase, {
                         0xd2a80014,  // mov x20, #0x40000000
                         0x91400e94,  // add x20, x20, #0x3, lsl #12
                         0xd2a80000,  // mov x0, #0x40000000
                         0x91400400,  // add x0, x0, #0x1, lsl #12
                         0xd518c000,  // msr vbar_el1, x0
                         0xd2800009,  // mov x9, #0
                         0x00000000,  // udf #0
                         0xd4000541,  // svc #42
                         0xd2800029,  // mov x9, #1 (skipped: ELR is after the SVC)
                         0xd2802007,  // mov x7, #0x100
                         0xf94000e8,  // ldr x8, [x7] (nothing mapped at 0x100)
                         0xd538424a,  // mrs x10, currentel
                         0xd503207f,  // wfi
                     });
    // Current EL with SP_ELx, synchronous: VBAR + 0x200. The handler logs
    // ESR, FAR and ELR and returns past the faulting instruction.
    m.load(kRamBase + 0x1200, {
                                  0xd5385201,  // mrs x1, esr_el1
                                  0xf8008681,  // str x1, [x20], #8
                                  0xd5386001,  // mrs x1, far_el1
                                  0xf8008681,  // str x1, [x20], #8
                                  0xd5384022,  // mrs x2, elr_el1
                                  0xf8008682,  // str x2, [x20], #8
                                  0x91001042,  // add x2, x2, #4
                                  0xd5184022,  // msr elr_el1, x2
                                  0xd69f03e0,  // eret
                              });
    REQUIRE(m.run(kRamBase) == tcg::kStatusHalt);
    const ArmCpuState& s = m.st();
    uint64_t log = kRamBase + 0x3000;
    CHECK(m.read64(log + 0) == 0x02000000);                        // EC 0 (unknown), IL
    CHECK(m.read64(log + 16) == kRamBase + 0x18);                  // ELR = the UDF
    CHECK(m.read64(log + 24) == (0x15ull << 26 | 1u << 25 | 42));  // SVC #42
    CHECK(m.read64(log + 40) == kRamBase + 0x20);                  // ELR = after the SVC
    CHECK(s.x[9] == 0);
    CHECK(m.read64(log + 48) == (0x25ull << 26 | 1u << 25 | 0x10));  // data abort, external
    CHECK(m.read64(log + 56) == 0x100);                              // FAR
    CHECK(m.read64(log + 64) == kRamBase + 0x28);
    CHECK(s.x[8] == 0);          // the faulting load wrote nothing
    CHECK(s.x[10] == 4);         // back in EL1
    CHECK(s.daif == kDaifMask);  // restored from SPSR
}

TEST_CASE("self-modifying code is retranslated", "[arm][exec]") {
    TestMachine m;
    m.load(kRamBase, {
                         0xd2800003,  // mov x3, #0
                         0x94000009,  // 1: bl 3f
                         0x91000463,  // add x3, x3, #1
                         0xf100087f,  // cmp x3, #2
                         0x540000a0,  // b.eq 2f
                         0x100000a0,  // adr x0, 3f
                         0x180000c1,  // ldr w1, 4f
                         0xb9000001,  // str w1, [x0]
                         0x17fffff9,  // b 1b
                         0xd503207f,  // 2: wfi
                         0xd2800022,  // 3: mov x2, #1
                         0xd65f03c0,  // ret
                         0xd2800542,  // 4: .word (mov x2, #42)
                     });
    REQUIRE(m.run(kRamBase) == tcg::kStatusHalt);
    CHECK(m.st().x[2] == 42);
    CHECK(m.cpu->stats().blocks_invalidated >= 1);
}

TEST_CASE("instruction fetch from unmapped memory raises a prefetch abort", "[arm][exec]") {
    TestMachine m;
    m.st().vbar_el1 = kRamBase + 0x1000;
    m.load(kRamBase + 0x1200, {0xd503207f});  // wfi at the sync vector
    REQUIRE(m.run(0x8000) == tcg::kStatusHalt);
    CHECK(m.st().esr_el1 == (0x21ull << 26 | 1u << 25 | 0x10));
    CHECK(m.st().elr_el1 == 0x8000);
    CHECK(m.st().far_el1 == 0x8000);
}

TEST_CASE("LSE atomics are Undefined on the ARMv8.0 models and execute on max", "[arm][exec]") {
    for (const char* model : {"cortex-a57", "cortex-a53", "cortex-a72", "max"}) {
        for (uint32_t insn :
             {0xf829002du /* ldadd x9, x13, [x1] */, 0xc8ae7c29u /* cas x14, x9, [x1] */,
              0x48207c82u /* casp w0, w1, w2, w3, [x4] */}) {
            TestMachine m(tcg::TierMode::Interp, 2000, model);
            m.st().vbar_el1 = kRamBase + 0x1000;
            m.st().esr_el1 = 0;
            m.load(kRamBase + 0x1200, {0xd503207f});  // wfi in the sync vector
            m.load(kRamBase, {insn, 0xd503207f});
            m.st().x[1] = m.st().x[4] = kRamBase + 0x2000;
            REQUIRE(m.run(kRamBase) == tcg::kStatusHalt);
            bool lse = std::string(model) == "max";
            INFO(model << " " << std::hex << insn);
            CHECK(m.st().tcg.pc == (lse ? kRamBase + 8 : kRamBase + 0x1204));
            CHECK(m.st().esr_el1 == (lse ? 0 : 1ull << 25));  // EC 0 (unknown reason), IL
            CHECK(m.st().elr_el1 == (lse ? 0 : kRamBase));
        }
    }
}

TEST_CASE("FP/SIMD instructions trap while CPACR_EL1.FPEN is off", "[arm][exec]") {
    TestMachine m;
    m.st().cpacr_el1 = 0;
    m.st().vbar_el1 = kRamBase + 0x1000;
    m.load(kRamBase + 0x1200, {0xd503207f});
    m.load(kRamBase, {0x3dc00020});  // ldr q0, [x1]
    m.st().x[1] = kRamBase;
    REQUIRE(m.run(kRamBase) == tcg::kStatusHalt);
    CHECK((m.st().esr_el1 >> 26) == 0x07);
}

TEST_CASE("MMU on: stage 1 block mappings, aliases and translation faults", "[arm][exec][mmu]") {
    TestMachine m;
    const uint64_t table = kRamBase + 0x10000;
    // 39-bit VA, 4K granule: level 1 blocks of 1 GiB. VA 1 GiB and 2 GiB
    // both map RAM at 0x40000000; VA 3 GiB is invalid.
    uint64_t block = kRamBase | (1u << 10) | 1;  // AF, block, AttrIndx 0
    std::memcpy(m.host(table + 8), &block, 8);
    std::memcpy(m.host(table + 16), &block, 8);
    m.st().x[1] = 0xff;                            // MAIR attr0: normal write-back
    m.st().x[2] = 25 | (1u << 23) | (2ull << 32);  // T0SZ 25, EPD1, IPS 40 bits
    m.st().x[3] = table;
    m.st().vbar_el1 = kRamBase + 0x1000;
    m.load(kRamBase + 0x1200, {0xd503207f});  // wfi at the sync vector
    m.load(kRamBase, {
                         0xd518a201,  // msr mair_el1, x1
                         0xd5182042,  // msr tcr_el1, x2
                         0xd5182003,  // msr ttbr0_el1, x3
                         0xd5033fdf,  // isb
                         0xd5381004,  // mrs x4, sctlr_el1
                         0xb2400084,  // orr x4, x4, #1
                         0xd5181004,  // msr sctlr_el1, x4
                         0xd5033fdf,  // isb
                         0xd2b00005,  // mov x5, #0x80000000
                         0x91400ca5,  // add x5, x5, #0x3, lsl #12
                         0xd2824686,  // mov x6, #0x1234
                         0xf90000a6,  // str x6, [x5]     (through the alias)
                         0xd2a80008,  // mov x8, #0x40000000
                         0x91400d08,  // add x8, x8, #0x3, lsl #12
                         0xf9400107,  // ldr x7, [x8]     (identity)
                         0xd2b80009,  // mov x9, #0xc0000000
                         0xf940012a,  // ldr x10, [x9]    (translation fault, level 1)
                         0xd503207f,  // wfi
                     });
    REQUIRE(m.run(kRamBase) == tcg::kStatusHalt);
    CHECK(m.st().x[7] == 0x1234);
    CHECK(m.read64(kRamBase + 0x3000) == 0x1234);
    CHECK(m.st().esr_el1 == (0x25ull << 26 | 1u << 25 | 0x05));
    CHECK(m.st().far_el1 == 0xc0000000);
    CHECK(m.st().elr_el1 == kRamBase + 0x40);
}

TEST_CASE("a branch to a misaligned address raises a PC alignment fault", "[arm][exec]") {
    TestMachine m;
    m.st().vbar_el1 = kRamBase + 0x1000;
    m.load(kRamBase + 0x1200, {0xd503207f});
    m.load(kRamBase, {
                         0xd2a80000,  // mov x0, #0x40000000
                         0x91040800,  // add x0, x0, #0x102
                         0xd61f0000,  // br x0
                     });
    REQUIRE(m.run(kRamBase) == tcg::kStatusHalt);
    CHECK(m.st().esr_el1 == (0x22ull << 26 | 1u << 25));
    CHECK(m.st().elr_el1 == kRamBase + 0x102);
    CHECK(m.st().far_el1 == kRamBase + 0x102);
}

TEST_CASE("a patched branch target is retranslated in blocks that followed the branch",
          "[arm][exec]") {
    // The block at L follows `b P` and `b Q` and loops back to L, so it
    // holds P's instruction although P lies before L. It runs, then P is
    // patched: the store must invalidate it too, and the next run sees the
    // new instruction.
    TestMachine m;
    m.load(kRamBase, {
                         0xd2800003,  //       mov x3, #0
                         0x14000003,  //       b L
                         0xd2800022,  // P:    mov x2, #1
                         0x14000002,  //       b Q
                         0x17fffffe,  // L:    b P
                         0x91000463,  // Q:    add x3, x3, #1
                         0xf100087f,  //       cmp x3, #2
                         0x54ffffab,  //       b.lt L
                         0xf100107f,  //       cmp x3, #4
                         0x540000a0,  //       b.eq done
                         0x10ffff00,  //       adr x0, P
                         0x18000081,  //       ldr w1, NEWI
                         0xb9000001,  //       str w1, [x0]
                         0x54fffeee,  //       b.al L (not followed)
                         0xd503207f,  // done: wfi
                         0xd2800542,  // NEWI: mov x2, #42
                     });
    REQUIRE(m.run(kRamBase) == tcg::kStatusHalt);
    CHECK(m.st().x[3] == 4);
    CHECK(m.st().x[2] == 42);
    CHECK(m.cpu->stats().blocks_invalidated >= 1);
}

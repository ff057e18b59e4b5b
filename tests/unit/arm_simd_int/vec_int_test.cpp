// Integer AdvSIMD helper at the edges the random differential test reaches
// rarely: saturation boundaries, shifts by the element size and beyond,
// rounding carries out of 64 bits, the "2" forms' half selection, and
// FPSR.QC (set only on saturation, sticky otherwise). Expected values are
// worked out from the Arm pseudocode by hand.
#include <catch2/catch.hpp>
#include <cstring>
#include <memory>

#include "target/arm/cpu_state.h"
#include "target/arm/vec_helpers.h"
#include "target/arm/vec_int_ops.h"

namespace emu::arm {
namespace {

constexpr uint32_t kQc = 1u << 27;

struct Fixture {
    std::unique_ptr<ArmCpuState> st = std::make_unique<ArmCpuState>();  // value-initialized: zeros
    void set16(unsigned r, unsigned i, uint16_t v) {
        std::memcpy(reinterpret_cast<uint8_t*>(st->v[r]) + 2 * i, &v, 2);
    }
    void set32(unsigned r, unsigned i, uint32_t v) {
        std::memcpy(reinterpret_cast<uint8_t*>(st->v[r]) + 4 * i, &v, 4);
    }
    uint16_t get16(unsigned r, unsigned i) {
        uint16_t v;
        std::memcpy(&v, reinterpret_cast<uint8_t*>(st->v[r]) + 2 * i, 2);
        return v;
    }
    uint32_t get32(unsigned r, unsigned i) {
        uint32_t v;
        std::memcpy(&v, reinterpret_cast<uint8_t*>(st->v[r]) + 4 * i, 4);
        return v;
    }
    void run(uint64_t desc, unsigned d, unsigned n, unsigned m) {
        vec_int_helper(st.get(), desc, vreg_off(d), vreg_off(n), vreg_off(m));
    }
    bool qc() const { return st->fpsr & kQc; }
};

TEST_CASE("SQDMULH and SQRDMULH saturate only INT_MIN * INT_MIN") {
    Fixture f;
    f.set16(1, 0, 0x8000);
    f.set16(2, 0, 0x8000);
    f.set16(1, 1, 0x4000);
    f.set16(2, 1, 0x4000);
    f.set16(1, 2, 0x8000);
    f.set16(2, 2, 0x7fff);
    f.run(vec_int_desc(VecIntOp::Sqdmulh, 1, false), 0, 1, 2);
    CHECK(f.get16(0, 0) == 0x7fff);
    CHECK(f.get16(0, 1) == 0x2000);
    CHECK(f.get16(0, 2) == 0x8001);  // -2^15 * (2^15-1) * 2 >> 16, floor
    CHECK(f.st->v[0][1] == 0);       // 64-bit form clears the upper half
    CHECK(f.qc());

    Fixture g;
    g.set32(1, 0, 0x40000000);
    g.set32(2, 0, 1);
    g.run(vec_int_desc(VecIntOp::Sqdmulh, 2, true), 0, 1, 2);
    CHECK(g.get32(0, 0) == 0);
    g.run(vec_int_desc(VecIntOp::Sqrdmulh, 2, true), 0, 1, 2);
    CHECK(g.get32(0, 0) == 1);  // the rounding constant carries into bit 32
    CHECK_FALSE(g.qc());
}

TEST_CASE("saturating and rounding shifts by register") {
    Fixture f;
    f.st->v[1][0] = 1;
    f.st->v[1][1] = 3;
    f.st->v[2][0] = 64;    // shift left by the element size
    f.st->v[2][1] = 0xff;  // -1: rounding right shift
    f.run(vec_int_desc(VecIntOp::Sqrshl, 3, true), 0, 1, 2);
    CHECK(f.st->v[0][0] == 0x7fffffffffffffffull);
    CHECK(f.st->v[0][1] == 2);
    CHECK(f.qc());

    Fixture g;
    g.st->v[1][0] = 0x8000000000000000ull;
    g.st->v[2][0] = 0x80;  // -128: everything shifted out
    g.st->v[1][1] = 0xffffffffffffffffull;
    g.st->v[2][1] = 0xc0;  // -64
    g.run(vec_int_desc(VecIntOp::Urshl, 3, true), 0, 1, 2);
    CHECK(g.st->v[0][0] == 0);
    CHECK(g.st->v[0][1] == 1);  // (2^64 - 1 + 2^63) >> 64
    g.run(vec_int_desc(VecIntOp::Srshl, 3, true), 0, 1, 2);
    CHECK(g.st->v[0][0] == 0);
    CHECK(g.st->v[0][1] == 0);  // (-1 + 2^63) >> 64
    g.st->v[2][0] = 0x80;
    g.run(vec_int_desc(VecIntOp::Sqshl, 3, true), 0, 1, 2);
    CHECK(g.st->v[0][0] == 0xffffffffffffffffull);  // floor(-2^63 / 2^128)
    CHECK_FALSE(g.qc());
}

TEST_CASE("scalar saturating forms write only element 0 and keep QC sticky") {
    Fixture f;
    f.st->v[1][0] = 0x80;
    f.st->v[1][1] = 0x1234;
    f.st->v[0][1] = 0xdead;
    f.run(vec_int_desc(VecIntOp::UqshlImm, 0, false, true, false, 1), 0, 1, 1);
    CHECK(f.st->v[0][0] == 0xff);
    CHECK(f.st->v[0][1] == 0);
    CHECK(f.qc());
    f.st->v[1][0] = 0x01;
    f.run(vec_int_desc(VecIntOp::UqshlImm, 0, false, true, false, 1), 0, 1, 1);
    CHECK(f.st->v[0][0] == 0x02);
    CHECK(f.qc());  // cumulative: not cleared by a non-saturating result
}

TEST_CASE("SUQADD and USQADD mix signedness") {
    Fixture f;
    f.st->v[0][0] = 0x7f;  // d: +127 signed
    f.st->v[1][0] = 0x01;  // n: +1 unsigned
    f.run(vec_int_desc(VecIntOp::Suqadd, 0, false, true), 0, 1, 1);
    CHECK(f.st->v[0][0] == 0x7f);
    CHECK(f.qc());
    Fixture g;
    g.st->v[0][0] = 0x01;  // d: 1 unsigned
    g.st->v[1][0] = 0xfe;  // n: -2 signed
    g.run(vec_int_desc(VecIntOp::Usqadd, 0, false, true), 0, 1, 1);
    CHECK(g.st->v[0][0] == 0);
    CHECK(g.qc());
}

TEST_CASE("narrowing forms: saturation and the upper-half variant") {
    Fixture f;
    f.st->v[0][0] = 0x1111111111111111ull;
    f.st->v[1][0] = 0x00000000ffffffffull;                    // lane 0: 0xffffffff, lane 1: 0
    f.st->v[1][1] = 0x8000000000000005ull;                    // lane 2: 5, lane 3: 0x80000000
    f.run(vec_int_desc(VecIntOp::Sqxtun, 1, true), 0, 1, 1);  // SQXTUN2 .8h, .4s
    CHECK(f.st->v[0][0] == 0x1111111111111111ull);
    CHECK(f.get16(0, 4) == 0);  // -1 -> 0
    CHECK(f.get16(0, 5) == 0);  // 0
    CHECK(f.get16(0, 6) == 5);
    CHECK(f.get16(0, 7) == 0);  // INT32_MIN -> 0
    CHECK(f.qc());

    Fixture g;
    g.st->v[1][0] = 0x0000000000017fffull;  // lane 0 (s): 0x17fff
    g.run(vec_int_desc(VecIntOp::Sqrshrn, 1, false, false, false, 1), 0, 1, 1);
    CHECK(g.get16(0, 0) == 0x7fff);  // (0x17fff + 1) >> 1 = 0xc000 > INT16_MAX
    CHECK(g.qc());
    Fixture h;
    h.st->v[1][0] = 0x0000000000000003ull;
    h.run(vec_int_desc(VecIntOp::Rshrn, 1, false, false, false, 1), 0, 1, 1);
    CHECK(h.get16(0, 0) == 2);
    CHECK_FALSE(h.qc());
}

TEST_CASE("rounding shift right by 64 carries out of the element") {
    Fixture f;
    f.st->v[1][0] = 0xffffffffffffffffull;
    f.st->v[1][1] = 0x8000000000000000ull;
    f.run(vec_int_desc(VecIntOp::Urshr, 3, true, false, false, 64), 0, 1, 1);
    CHECK(f.st->v[0][0] == 1);
    CHECK(f.st->v[0][1] == 1);
    f.run(vec_int_desc(VecIntOp::Srshr, 3, true, false, false, 64), 0, 1, 1);
    CHECK(f.st->v[0][0] == 0);
    CHECK(f.st->v[0][1] == 0);
}

TEST_CASE("CLS and CLZ count within the element") {
    Fixture f;
    f.set32(1, 0, 0xffffffff);
    f.set32(1, 1, 0);
    f.set32(1, 2, 0x40000000);
    f.set32(1, 3, 0x00010000);
    f.run(vec_int_desc(VecIntOp::Cls, 2, true), 0, 1, 1);
    CHECK(f.get32(0, 0) == 31);
    CHECK(f.get32(0, 1) == 31);
    CHECK(f.get32(0, 2) == 0);
    CHECK(f.get32(0, 3) == 14);
    f.run(vec_int_desc(VecIntOp::Clz, 2, true), 0, 1, 1);
    CHECK(f.get32(0, 0) == 0);
    CHECK(f.get32(0, 1) == 32);
    CHECK(f.get32(0, 3) == 15);
}

TEST_CASE("SQDMLAL saturates the product and then the accumulation") {
    Fixture f;
    f.set16(1, 4, 0x8000);  // upper half: the "2" form reads lanes 4..7
    f.set16(2, 4, 0x8000);
    f.set32(0, 0, 0);
    f.set32(0, 1, 0xffffffff);  // acc -1
    f.set16(1, 5, 0x0002);
    f.set16(2, 5, 0x0003);
    f.run(vec_int_desc(VecIntOp::Sqdmlal, 1, true), 0, 1, 2);
    CHECK(f.get32(0, 0) == 0x7fffffff);  // 2 * 2^30 saturates
    CHECK(f.get32(0, 1) == 11);          // -1 + 12
    CHECK(f.qc());

    Fixture g;  // by element: lane 3 of m for every lane
    g.set16(1, 0, 0x0010);
    g.set16(1, 1, 0xfff0);
    g.set16(2, 3, 0x0100);
    g.run(vec_int_desc(VecIntOp::Sqdmull, 1, false, false, true, 3), 0, 1, 2);
    CHECK(g.get32(0, 0) == 0x2000);
    CHECK(g.get32(0, 1) == 0xffffe000);
    CHECK_FALSE(g.qc());
}

}  // namespace
}  // namespace emu::arm

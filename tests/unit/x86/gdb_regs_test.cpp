#include <catch2/catch.hpp>
#include <cstring>

#include "target/x86/gdb_regs.h"

using namespace emu::x86;

TEST_CASE("x86 gdb register blob follows the target.xml order", "[x86][gdb]") {
    // 16 GPRs + rip (8 bytes), eflags + 6 selectors (4), 8 x 10-byte st,
    // 8 x87 control words, 16 xmm, mxcsr, fs_base and gs_base.
    CHECK(x86_gdb_blob_size() == 16 * 8 + 8 + 4 + 6 * 4 + 80 + 32 + 256 + 4 + 16);
    CHECK(x86_gdb_reg_offset(gdbreg::kRip) == 128);
    CHECK(x86_gdb_reg_offset(gdbreg::kEflags) == 136);
    CHECK(x86_gdb_reg_offset(gdbreg::kSt0) == 164);
    CHECK(x86_gdb_reg_offset(gdbreg::kXmm0) == 276);
    CHECK(x86_gdb_reg_offset(gdbreg::kMxcsr) == 532);
    CHECK(x86_gdb_reg_offset(gdbreg::kGsBase) == 544);
    CHECK(x86_gdb_reg_size(gdbreg::kSt0 + 7) == 10);
    CHECK(x86_gdb_reg_size(gdbreg::kCount) == 0);
    CHECK(x86_gdb_reg_size(1000) == 0);

    X86GdbRegs r;
    for (unsigned i = 0; i < 16; ++i)
        r.gpr[i] = 0x1111111111111111ull * (i + 1);
    r.rip = 0xffffffff81000000ull;
    r.eflags = 0x246;
    r.seg[0] = 0x10;
    r.st[3][9] = 0x40;
    r.ftag = 0xffff;
    r.xmm[15][0] = 0xab;
    r.mxcsr = 0x1f80;
    r.fs_base = 0x7000;
    r.gs_base = 0x8000;
    auto b = x86_gdb_pack(r);
    REQUIRE(b.size() == x86_gdb_blob_size());
    uint64_t rip;
    std::memcpy(&rip, b.data() + x86_gdb_reg_offset(gdbreg::kRip), 8);
    CHECK(rip == r.rip);
    uint32_t cs;
    std::memcpy(&cs, b.data() + x86_gdb_reg_offset(gdbreg::kCs), 4);
    CHECK(cs == 0x10);
    CHECK(b[x86_gdb_reg_offset(gdbreg::kSt0 + 3) + 9] == 0x40);
    CHECK(b[x86_gdb_reg_offset(gdbreg::kXmm0 + 15)] == 0xab);
    uint64_t gsb;
    std::memcpy(&gsb, b.data() + x86_gdb_reg_offset(gdbreg::kGsBase), 8);
    CHECK(gsb == 0x8000);

    X86GdbRegs back;
    REQUIRE(x86_gdb_unpack(b, &back));
    CHECK(x86_gdb_pack(back) == b);
    b.pop_back();
    CHECK_FALSE(x86_gdb_unpack(b, &back));  // short blobs are refused
}

TEST_CASE("x86 target.xml names the features gdb needs", "[x86][gdb]") {
    std::string x = x86_gdb_target_xml("target.xml");
    CHECK(x.find("<architecture>i386:x86-64</architecture>") != std::string::npos);
    CHECK(x.find("org.gnu.gdb.i386.core") != std::string::npos);
    CHECK(x.find("org.gnu.gdb.i386.sse") != std::string::npos);
    CHECK(x.find("name=\"fs_base\" bitsize=\"64\" type=\"int\" regnum=\"57\"") !=
          std::string::npos);
    CHECK(x.find("name=\"xmm0\" bitsize=\"128\" type=\"vec128\" regnum=\"40\"") !=
          std::string::npos);
    // Count registers: the blob must match the XML exactly.
    size_t n = 0;
    for (size_t p = 0; (p = x.find("<reg ", p)) != std::string::npos; ++p)
        ++n;
    CHECK(n == gdbreg::kCount);
    CHECK(x86_gdb_target_xml("other.xml").empty());
}

TEST_CASE("x87 tag word conversions", "[x86][gdb]") {
    uint8_t st[8][10] = {};
    // ST(0) = 1.0 (exponent 0x3fff, integer bit set), ST(1) = +0.
    st[0][7] = 0x80;
    st[0][8] = 0xff;
    st[0][9] = 0x3f;
    // TOP = 6: ST(0) is physical register 6, ST(1) physical 7.
    uint16_t fsw = 6 << 11;
    uint8_t abridged = (1 << 6) | (1 << 7);
    uint16_t full = x86_full_tag_word(abridged, st, fsw);
    CHECK(((full >> 12) & 3) == 0);    // valid
    CHECK(((full >> 14) & 3) == 1);    // zero
    CHECK((full & 0x0fff) == 0x0fff);  // the rest empty
    CHECK(x86_abridged_tag(full) == abridged);
    CHECK(x86_abridged_tag(0xffff) == 0);
}

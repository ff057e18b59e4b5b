// gdb's aarch64 register file: blob layout, pack/unpack and target.xml.
#include <catch2/catch.hpp>
#include <regex>
#include <string>
#include <vector>

#include "target/arm/gdb_regs.h"

using namespace emu::arm;

TEST_CASE("aarch64 gdb registers: sizes and offsets follow gdb's numbering", "[arm][gdb]") {
    for (unsigned i = 0; i <= gdbreg::kPc; ++i)
        CHECK(arm_gdb_reg_size(i) == 8);
    CHECK(arm_gdb_reg_size(gdbreg::kCpsr) == 4);
    for (unsigned i = gdbreg::kV0; i < gdbreg::kV0 + 32; ++i)
        CHECK(arm_gdb_reg_size(i) == 16);
    CHECK(arm_gdb_reg_size(gdbreg::kFpsr) == 4);
    CHECK(arm_gdb_reg_size(gdbreg::kFpcr) == 4);
    CHECK(arm_gdb_reg_size(gdbreg::kCount) == 0);
    CHECK(arm_gdb_reg_size(1000) == 0);
    CHECK(arm_gdb_reg_offset(gdbreg::kSp) == 248);
    CHECK(arm_gdb_reg_offset(gdbreg::kPc) == 256);
    CHECK(arm_gdb_reg_offset(gdbreg::kCpsr) == 264);
    CHECK(arm_gdb_reg_offset(gdbreg::kV0) == 268);
    CHECK(arm_gdb_reg_offset(gdbreg::kFpsr) == 268 + 512);
    CHECK(arm_gdb_reg_offset(gdbreg::kFpcr) == 268 + 516);
    CHECK(arm_gdb_blob_size() == 788);
}

TEST_CASE("aarch64 gdb registers: pack puts each register at its offset, unpack inverts",
          "[arm][gdb]") {
    ArmGdbRegs r;
    for (int i = 0; i < 31; ++i)
        r.x[i] = 0x1111111111111111ull * uint64_t(i % 15 + 1) + uint64_t(i);
    r.sp = 0x40099ff0;
    r.pc = 0xffff800010001234ull;
    r.cpsr = 0x600003c5;
    for (int i = 0; i < 32; ++i)
        for (int b = 0; b < 16; ++b)
            r.v[i][b] = uint8_t(i * 16 + b);
    r.fpsr = 0x8000009f;
    r.fpcr = 0x03c00000;
    std::vector<uint8_t> blob = arm_gdb_pack(r);
    REQUIRE(blob.size() == arm_gdb_blob_size());
    auto u64_at = [&](size_t off) {
        uint64_t v = 0;
        for (int b = 7; b >= 0; --b)
            v = v << 8 | blob[off + size_t(b)];  // little-endian
        return v;
    };
    auto u32_at = [&](size_t off) { return uint32_t(u64_at(off)); };
    CHECK(u64_at(arm_gdb_reg_offset(7)) == r.x[7]);
    CHECK(u64_at(arm_gdb_reg_offset(30)) == r.x[30]);
    CHECK(u64_at(arm_gdb_reg_offset(gdbreg::kSp)) == r.sp);
    CHECK(u64_at(arm_gdb_reg_offset(gdbreg::kPc)) == r.pc);
    CHECK(u32_at(arm_gdb_reg_offset(gdbreg::kCpsr)) == r.cpsr);
    CHECK(blob[arm_gdb_reg_offset(gdbreg::kV0 + 5) + 3] == uint8_t(5 * 16 + 3));
    CHECK(blob[arm_gdb_reg_offset(gdbreg::kV0 + 31) + 15] == uint8_t(31 * 16 + 15));
    CHECK(u32_at(arm_gdb_reg_offset(gdbreg::kFpsr)) == r.fpsr);
    CHECK((u64_at(arm_gdb_reg_offset(gdbreg::kFpcr) - 4) >> 32) == r.fpcr);

    ArmGdbRegs back;
    REQUIRE(arm_gdb_unpack(blob, &back));
    CHECK(arm_gdb_pack(back) == blob);
    CHECK(back.pc == r.pc);
    CHECK(back.fpcr == r.fpcr);

    blob.push_back(0xaa);  // extra bytes are ignored
    CHECK(arm_gdb_unpack(blob, &back));
    blob.resize(arm_gdb_blob_size() - 1);  // short: refused, nothing half-written matters
    CHECK_FALSE(arm_gdb_unpack(blob, &back));
    CHECK_FALSE(arm_gdb_unpack({}, &back));
}

TEST_CASE("aarch64 target.xml: both features, registers in gdb's order", "[arm][gdb]") {
    std::string xml = arm_gdb_target_xml("target.xml");
    REQUIRE_FALSE(xml.empty());
    CHECK(arm_gdb_target_xml("other.xml").empty());
    CHECK(arm_gdb_target_xml("").empty());
    CHECK(xml.find("<architecture>aarch64</architecture>") != std::string::npos);
    size_t core = xml.find("<feature name=\"org.gnu.gdb.aarch64.core\">");
    size_t fpu = xml.find("<feature name=\"org.gnu.gdb.aarch64.fpu\">");
    REQUIRE(core != std::string::npos);
    REQUIRE(fpu != std::string::npos);
    CHECK(core < fpu);

    std::vector<std::string> want;
    for (int i = 0; i < 31; ++i)
        want.push_back("x" + std::to_string(i));
    want.insert(want.end(), {"sp", "pc", "cpsr"});
    for (int i = 0; i < 32; ++i)
        want.push_back("v" + std::to_string(i));
    want.insert(want.end(), {"fpsr", "fpcr"});
    REQUIRE(want.size() == gdbreg::kCount);

    std::regex reg_re("<reg name=\"([a-z0-9]+)\" bitsize=\"([0-9]+)\"");
    std::vector<std::string> got;
    unsigned n = 0;
    for (auto it = std::sregex_iterator(xml.begin(), xml.end(), reg_re);
         it != std::sregex_iterator(); ++it, ++n) {
        got.push_back((*it)[1]);
        // bitsize matches the blob layout
        CHECK(std::stoul((*it)[2]) == 8 * arm_gdb_reg_size(n));
        // fpu registers come after the fpu feature starts
        if (n >= gdbreg::kV0) CHECK(size_t(it->position()) > fpu);
    }
    CHECK(got == want);
    // Every tag that opens closes: a cheap well-formedness check.
    auto count = [&](const std::string& s) {
        size_t c = 0;
        for (size_t p = xml.find(s); p != std::string::npos; p = xml.find(s, p + 1))
            ++c;
        return c;
    };
    CHECK(count("<feature ") == count("</feature>"));
    // The system registers: a third feature, numbered from kCount on.
    size_t sys = xml.find("<feature name=\"org.qemu.gdb.arm.sys.regs\">");
    REQUIRE(sys != std::string::npos);
    CHECK(fpu < sys);
    REQUIRE(arm_gdb_num_sysregs() >= 20);
    for (size_t i = 0; i < arm_gdb_num_sysregs(); ++i) {
        std::string tag = std::string("<reg name=\"") + arm_gdb_sysreg_names()[i] +
                          "\" bitsize=\"64\" type=\"int\" regnum=\"" +
                          std::to_string(gdbreg::kCount + i) + "\"";
        INFO(tag);
        size_t at = xml.find(tag);
        CHECK(at != std::string::npos);
        CHECK(at > sys);
    }
    CHECK(count("<union ") == count("</union>"));
    CHECK(count("<flags ") == count("</flags>"));
}

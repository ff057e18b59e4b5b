#include "target/arm/gdb_regs.h"

#include "hw/core/gdb_blob.h"

namespace emu::arm {

namespace {

// One document with all three features: gdb validates the register names
// of the two standard ones and numbers them in document order.
constexpr const char* kXml = R"(<?xml version="1.0"?>
<!DOCTYPE target SYSTEM "gdb-target.dtd">
<target version="1.0">
<architecture>aarch64</architecture>
<feature name="org.gnu.gdb.aarch64.core">
<flags id="cpsr_flags" size="4">
<field name="SP" start="0" end="0"/>
<field name="EL" start="2" end="3"/>
<field name="nRW" start="4" end="4"/>
<field name="F" start="6" end="6"/>
<field name="I" start="7" end="7"/>
<field name="A" start="8" end="8"/>
<field name="D" start="9" end="9"/>
<field name="V" start="28" end="28"/>
<field name="C" start="29" end="29"/>
<field name="Z" start="30" end="30"/>
<field name="N" start="31" end="31"/>
</flags>
@XREGS@<reg name="sp" bitsize="64" type="data_ptr"/>
<reg name="pc" bitsize="64" type="code_ptr"/>
<reg name="cpsr" bitsize="32" type="cpsr_flags"/>
</feature>
<feature name="org.gnu.gdb.aarch64.fpu">
<vector id="v2d" type="ieee_double" count="2"/>
<vector id="v2u" type="uint64" count="2"/>
<vector id="v2i" type="int64" count="2"/>
<vector id="v4f" type="ieee_single" count="4"/>
<vector id="v4u" type="uint32" count="4"/>
<vector id="v4i" type="int32" count="4"/>
<vector id="v8u" type="uint16" count="8"/>
<vector id="v8i" type="int16" count="8"/>
<vector id="v16u" type="uint8" count="16"/>
<vector id="v16i" type="int8" count="16"/>
<vector id="v1u" type="uint128" count="1"/>
<vector id="v1i" type="int128" count="1"/>
<union id="vnd"><field name="f" type="v2d"/><field name="u" type="v2u"/><field name="s" type="v2i"/></union>
<union id="vns"><field name="f" type="v4f"/><field name="u" type="v4u"/><field name="s" type="v4i"/></union>
<union id="vnh"><field name="u" type="v8u"/><field name="s" type="v8i"/></union>
<union id="vnb"><field name="u" type="v16u"/><field name="s" type="v16i"/></union>
<union id="vnq"><field name="u" type="v1u"/><field name="s" type="v1i"/></union>
<union id="aarch64v"><field name="d" type="vnd"/><field name="s" type="vns"/><field name="h" type="vnh"/><field name="b" type="vnb"/><field name="q" type="vnq"/></union>
@VREGS@<reg name="fpsr" bitsize="32" type="int"/>
<reg name="fpcr" bitsize="32" type="int"/>
</feature>
<feature name="org.qemu.gdb.arm.sys.regs">
@SYSREGS@</feature>
</target>
)";

std::string build_xml() {
    std::string xregs, vregs;
    for (int i = 0; i < 31; ++i) {
        xregs += "<reg name=\"x" + std::to_string(i) + "\" bitsize=\"64\" type=\"int\"" +
                 (i == 0 ? " regnum=\"0\"" : "") + "/>\n";
    }
    for (int i = 0; i < 32; ++i) {
        vregs += "<reg name=\"v" + std::to_string(i) + "\" bitsize=\"128\" type=\"aarch64v\"" +
                 (i == 0 ? " regnum=\"34\"" : "") + "/>\n";
    }
    std::string sysregs;
    unsigned n = gdbreg::kCount;
    for (const char* name : arm_gdb_sysreg_names()) {
        sysregs += std::string("<reg name=\"") + name + "\" bitsize=\"64\" type=\"int\" regnum=\"" +
                   std::to_string(n++) + "\" group=\"cp_regs\"/>\n";
    }
    std::string doc = kXml;
    doc.replace(doc.find("@XREGS@"), 7, xregs);
    doc.replace(doc.find("@VREGS@"), 7, vregs);
    doc.replace(doc.find("@SYSREGS@"), 9, sysregs);
    return doc;
}

// The fields of the 'g' blob in order: pack and unpack both walk this list
// (R is const ArmGdbRegs when packing).
template <typename R, typename F>
void blob_fields(R& r, F& f) {
    f(r.x, sizeof r.x);
    f(&r.sp, 8);
    f(&r.pc, 8);
    f(&r.cpsr, 4);
    f(r.v, sizeof r.v);
    f(&r.fpsr, 4);
    f(&r.fpcr, 4);
}

}  // namespace

size_t arm_gdb_reg_size(unsigned n) {
    if (n < gdbreg::kCpsr) return 8;  // x0-x30, sp, pc
    if (n == gdbreg::kCpsr) return 4;
    if (n < gdbreg::kFpsr) return 16;  // v0-v31
    if (n < gdbreg::kCount) return 4;  // fpsr, fpcr
    return 0;
}

size_t arm_gdb_reg_offset(unsigned n) {
    return gdb_reg_offset(arm_gdb_reg_size, gdbreg::kCount, n);
}

size_t arm_gdb_blob_size() {
    return arm_gdb_reg_offset(gdbreg::kCount);
}

std::vector<uint8_t> arm_gdb_pack(const ArmGdbRegs& r) {
    GdbBlobWriter w(arm_gdb_blob_size());
    blob_fields(r, w);
    return w.take();
}

bool arm_gdb_unpack(const std::vector<uint8_t>& blob, ArmGdbRegs* r) {
    if (blob.size() < arm_gdb_blob_size()) return false;
    GdbBlobReader rd(blob);
    blob_fields(*r, rd);
    return true;
}

std::string arm_gdb_target_xml(const std::string& annex) {
    if (annex != "target.xml") return {};
    static const std::string doc = build_xml();
    return doc;
}

}  // namespace emu::arm

#include "target/x86/gdb_regs.h"

#include <cstring>

#include "hw/core/gdb_blob.h"

namespace emu::x86 {

namespace {

// Sizes in gdb register order (see x86_gdb_target_xml).
size_t reg_size(unsigned n) {
    if (n < 16) return 8;               // rax..r15
    if (n == gdbreg::kRip) return 8;    // rip
    if (n < gdbreg::kSt0) return 4;     // eflags, cs..gs
    if (n < gdbreg::kFctrl) return 10;  // st0..st7
    if (n < gdbreg::kXmm0) return 4;    // fctrl..fop
    if (n < gdbreg::kMxcsr) return 16;  // xmm0..xmm15
    if (n == gdbreg::kMxcsr) return 4;  // mxcsr
    if (n < gdbreg::kCount) return 8;   // fs_base, gs_base
    return 0;
}

constexpr const char* kXml = R"(<?xml version="1.0"?>
<!DOCTYPE target SYSTEM "gdb-target.dtd">
<target version="1.0">
<architecture>i386:x86-64</architecture>
<feature name="org.gnu.gdb.i386.core">
<flags id="i386_eflags" size="4">
<field name="" start="22" end="31"/><field name="CF" start="0" end="0"/>
<field name="" start="1" end="1"/><field name="PF" start="2" end="2"/>
<field name="AF" start="4" end="4"/><field name="ZF" start="6" end="6"/>
<field name="SF" start="7" end="7"/><field name="TF" start="8" end="8"/>
<field name="IF" start="9" end="9"/><field name="DF" start="10" end="10"/>
<field name="OF" start="11" end="11"/><field name="NT" start="14" end="14"/>
<field name="RF" start="16" end="16"/><field name="VM" start="17" end="17"/>
<field name="AC" start="18" end="18"/><field name="VIF" start="19" end="19"/>
<field name="VIP" start="20" end="20"/><field name="ID" start="21" end="21"/>
</flags>
<reg name="rax" bitsize="64" type="int64"/>
<reg name="rbx" bitsize="64" type="int64"/>
<reg name="rcx" bitsize="64" type="int64"/>
<reg name="rdx" bitsize="64" type="int64"/>
<reg name="rsi" bitsize="64" type="int64"/>
<reg name="rdi" bitsize="64" type="int64"/>
<reg name="rbp" bitsize="64" type="data_ptr"/>
<reg name="rsp" bitsize="64" type="data_ptr"/>
<reg name="r8" bitsize="64" type="int64"/>
<reg name="r9" bitsize="64" type="int64"/>
<reg name="r10" bitsize="64" type="int64"/>
<reg name="r11" bitsize="64" type="int64"/>
<reg name="r12" bitsize="64" type="int64"/>
<reg name="r13" bitsize="64" type="int64"/>
<reg name="r14" bitsize="64" type="int64"/>
<reg name="r15" bitsize="64" type="int64"/>
<reg name="rip" bitsize="64" type="code_ptr"/>
<reg name="eflags" bitsize="32" type="i386_eflags"/>
<reg name="cs" bitsize="32" type="int32"/>
<reg name="ss" bitsize="32" type="int32"/>
<reg name="ds" bitsize="32" type="int32"/>
<reg name="es" bitsize="32" type="int32"/>
<reg name="fs" bitsize="32" type="int32"/>
<reg name="gs" bitsize="32" type="int32"/>
<reg name="st0" bitsize="80" type="i387_ext"/>
<reg name="st1" bitsize="80" type="i387_ext"/>
<reg name="st2" bitsize="80" type="i387_ext"/>
<reg name="st3" bitsize="80" type="i387_ext"/>
<reg name="st4" bitsize="80" type="i387_ext"/>
<reg name="st5" bitsize="80" type="i387_ext"/>
<reg name="st6" bitsize="80" type="i387_ext"/>
<reg name="st7" bitsize="80" type="i387_ext"/>
<reg name="fctrl" bitsize="32" type="int" group="float"/>
<reg name="fstat" bitsize="32" type="int" group="float"/>
<reg name="ftag" bitsize="32" type="int" group="float"/>
<reg name="fiseg" bitsize="32" type="int" group="float"/>
<reg name="fioff" bitsize="32" type="int" group="float"/>
<reg name="foseg" bitsize="32" type="int" group="float"/>
<reg name="fooff" bitsize="32" type="int" group="float"/>
<reg name="fop" bitsize="32" type="int" group="float"/>
</feature>
<feature name="org.gnu.gdb.i386.sse">
<vector id="v4f" type="ieee_single" count="4"/>
<vector id="v2d" type="ieee_double" count="2"/>
<vector id="v16i8" type="int8" count="16"/>
<vector id="v8i16" type="int16" count="8"/>
<vector id="v4i32" type="int32" count="4"/>
<vector id="v2i64" type="int64" count="2"/>
<union id="vec128">
<field name="v4_float" type="v4f"/><field name="v2_double" type="v2d"/>
<field name="v16_int8" type="v16i8"/><field name="v8_int16" type="v8i16"/>
<field name="v4_int32" type="v4i32"/><field name="v2_int64" type="v2i64"/>
<field name="uint128" type="uint128"/>
</union>
<flags id="i386_mxcsr" size="4">
<field name="IE" start="0" end="0"/><field name="DE" start="1" end="1"/>
<field name="ZE" start="2" end="2"/><field name="OE" start="3" end="3"/>
<field name="UE" start="4" end="4"/><field name="PE" start="5" end="5"/>
<field name="DAZ" start="6" end="6"/><field name="IM" start="7" end="7"/>
<field name="DM" start="8" end="8"/><field name="ZM" start="9" end="9"/>
<field name="OM" start="10" end="10"/><field name="UM" start="11" end="11"/>
<field name="PM" start="12" end="12"/><field name="FZ" start="15" end="15"/>
</flags>
<reg name="xmm0" bitsize="128" type="vec128" regnum="40"/>
<reg name="xmm1" bitsize="128" type="vec128"/>
<reg name="xmm2" bitsize="128" type="vec128"/>
<reg name="xmm3" bitsize="128" type="vec128"/>
<reg name="xmm4" bitsize="128" type="vec128"/>
<reg name="xmm5" bitsize="128" type="vec128"/>
<reg name="xmm6" bitsize="128" type="vec128"/>
<reg name="xmm7" bitsize="128" type="vec128"/>
<reg name="xmm8" bitsize="128" type="vec128"/>
<reg name="xmm9" bitsize="128" type="vec128"/>
<reg name="xmm10" bitsize="128" type="vec128"/>
<reg name="xmm11" bitsize="128" type="vec128"/>
<reg name="xmm12" bitsize="128" type="vec128"/>
<reg name="xmm13" bitsize="128" type="vec128"/>
<reg name="xmm14" bitsize="128" type="vec128"/>
<reg name="xmm15" bitsize="128" type="vec128"/>
<reg name="mxcsr" bitsize="32" type="i386_mxcsr" group="vector"/>
</feature>
<feature name="org.gnu.gdb.i386.segments">
<reg name="fs_base" bitsize="64" type="int" regnum="57"/>
<reg name="gs_base" bitsize="64" type="int"/>
</feature>
</target>
)";

// The fields of the 'g' blob in order: pack and unpack both walk this list
// (R is const X86GdbRegs when packing).
template <typename R, typename F>
void blob_fields(R& r, F& f) {
    f(r.gpr, sizeof r.gpr);
    f(&r.rip, 8);
    f(&r.eflags, 4);
    f(r.seg, sizeof r.seg);
    f(r.st, sizeof r.st);
    for (auto* v : {&r.fctrl, &r.fstat, &r.ftag, &r.fiseg, &r.fioff, &r.foseg, &r.fooff, &r.fop})
        f(v, 4);
    f(r.xmm, sizeof r.xmm);
    f(&r.mxcsr, 4);
    f(&r.fs_base, 8);
    f(&r.gs_base, 8);
}

}  // namespace

size_t x86_gdb_reg_size(unsigned regno) {
    return reg_size(regno);
}

size_t x86_gdb_reg_offset(unsigned regno) {
    return gdb_reg_offset(reg_size, gdbreg::kCount, regno);
}

size_t x86_gdb_blob_size() {
    return x86_gdb_reg_offset(gdbreg::kCount);
}

std::vector<uint8_t> x86_gdb_pack(const X86GdbRegs& r) {
    GdbBlobWriter w(x86_gdb_blob_size());
    blob_fields(r, w);
    return w.take();
}

bool x86_gdb_unpack(const std::vector<uint8_t>& b, X86GdbRegs* r) {
    if (b.size() < x86_gdb_blob_size()) return false;
    GdbBlobReader rd(b);
    blob_fields(*r, rd);
    return true;
}

std::string x86_gdb_target_xml(const std::string& annex) {
    return annex == "target.xml" ? kXml : "";
}

uint16_t x86_full_tag_word(uint8_t abridged, const uint8_t st[8][10], uint16_t fsw) {
    unsigned top = (fsw >> 11) & 7;
    uint16_t tag = 0;
    for (unsigned phys = 0; phys < 8; ++phys) {
        unsigned t = 3;  // empty
        if (abridged & (1u << phys)) {
            const uint8_t* v = st[(phys - top) & 7];  // FXSAVE keeps stack order
            uint64_t mant;
            std::memcpy(&mant, v, 8);
            unsigned exp = (v[8] | (v[9] << 8)) & 0x7fff;
            if (exp == 0x7fff)
                t = 2;  // special: inf/NaN
            else if (exp == 0)
                t = mant == 0 ? 1 : 2;  // zero, or denormal
            else
                t = (mant >> 63) ? 0 : 2;  // valid, or unnormal
        }
        tag |= uint16_t(t << (2 * phys));
    }
    return tag;
}

uint8_t x86_abridged_tag(uint16_t full) {
    uint8_t a = 0;
    for (unsigned i = 0; i < 8; ++i) {
        if (((full >> (2 * i)) & 3) != 3) a |= uint8_t(1u << i);
    }
    return a;
}

}  // namespace emu::x86

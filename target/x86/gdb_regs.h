#pragma once
// gdb's i386:x86-64 register file as the remote protocol carries it: the
// layout of our target.xml (features org.gnu.gdb.i386.core, .sse and
// .segments), independent of KVM so that it can be unit-tested.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace emu::x86 {

struct X86GdbRegs {
    uint64_t gpr[16] = {};  // gdb order: rax rbx rcx rdx rsi rdi rbp rsp r8..r15
    uint64_t rip = 0;
    uint32_t eflags = 0;
    uint32_t seg[6] = {};    // cs ss ds es fs gs selectors
    uint8_t st[8][10] = {};  // x87 80-bit registers, physical order st0..st7
    uint32_t fctrl = 0, fstat = 0, ftag = 0, fiseg = 0, fioff = 0, foseg = 0, fooff = 0, fop = 0;
    uint8_t xmm[16][16] = {};
    uint32_t mxcsr = 0;
    uint64_t fs_base = 0, gs_base = 0;
};

// gdb register numbers of interest.
namespace gdbreg {
constexpr unsigned kRip = 16, kEflags = 17, kCs = 18, kSt0 = 24, kFctrl = 32, kXmm0 = 40,
                   kMxcsr = 56, kFsBase = 57, kGsBase = 58, kCount = 59;
}

// Size in bytes of register `regno` (0: no such register) and its offset
// in the 'g' packet blob.
size_t x86_gdb_reg_size(unsigned regno);
size_t x86_gdb_reg_offset(unsigned regno);
size_t x86_gdb_blob_size();

std::vector<uint8_t> x86_gdb_pack(const X86GdbRegs& r);
// False if the blob is shorter than the register file (extra bytes are ignored).
bool x86_gdb_unpack(const std::vector<uint8_t>& blob, X86GdbRegs* r);

// The document for annex "target.xml" ("" for any other annex).
std::string x86_gdb_target_xml(const std::string& annex);

// x87 tag word conversions: FXSAVE's abridged tag byte (1 bit per register,
// set = not empty) to the full 2-bit-per-register word gdb shows, and back.
uint16_t x86_full_tag_word(uint8_t abridged, const uint8_t st[8][10], uint16_t fsw);
uint8_t x86_abridged_tag(uint16_t full);

}  // namespace emu::x86

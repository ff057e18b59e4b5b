#pragma once
// Integer AdvSIMD forms translated to the IR's vector ops (tcg/ir
// opcodes.inc: VecDup, VecCmp, VecBin, VecShiftImm, VecShuffle,
// VecReduce), which the code generators turn into host SIMD code instead
// of a call to the vector helper. The decode-group handlers in simd.cpp
// call these first: std::nullopt when the encoding is not one of these
// forms (the caller goes on), else the handler result (false: unallocated).
#include <cstdint>
#include <optional>

namespace emu::arm {
class A64Translator;
}

namespace emu::arm::simd_vec {

using Result = std::optional<bool>;

// CMEQ CMHS CMHI CMGT CMGE CMTST, UMAX UMIN SMAX SMIN, ADD SUB, ADDP UMAXP
// UMINP SMAXP SMINP.
Result three_same(A64Translator& t, uint32_t q, uint32_t u, uint32_t size, uint32_t m,
                  uint32_t opcode, uint32_t n, uint32_t d);
// The 64-bit scalar forms of CMEQ CMHS CMHI CMGT CMGE CMTST ADD SUB.
Result scalar_three_same(A64Translator& t, uint32_t u, uint32_t size, uint32_t m, uint32_t opcode,
                         uint32_t n, uint32_t d);
// CMEQ CMGT CMGE CMLT CMLE (zero), NEG, ABS, NOT, REV16 REV32 REV64, XTN.
Result two_misc(A64Translator& t, uint32_t q, uint32_t u, uint32_t size, uint32_t opcode,
                uint32_t n, uint32_t d);
Result scalar_two_misc(A64Translator& t, uint32_t u, uint32_t size, uint32_t opcode, uint32_t n,
                       uint32_t d);
// ADDV UMAXV UMINV SMAXV SMINV.
Result across(A64Translator& t, uint32_t q, uint32_t u, uint32_t size, uint32_t opcode, uint32_t n,
              uint32_t d);
// SHL USHR SSHR USRA SSRA, SHRN, USHLL SSHLL (UXTL SXTL).
Result shift_imm(A64Translator& t, uint32_t q, uint32_t u, uint32_t immh, uint32_t immb,
                 uint32_t opcode, uint32_t n, uint32_t d);
Result scalar_shift_imm(A64Translator& t, uint32_t u, uint32_t immh, uint32_t immb, uint32_t opcode,
                        uint32_t n, uint32_t d);
// ZIP1 ZIP2 UZP1 UZP2 TRN1 TRN2.
Result perm(A64Translator& t, uint32_t q, uint32_t size, uint32_t m, uint32_t opcode, uint32_t n,
            uint32_t d);
// EXT (validity already checked).
void ext(A64Translator& t, uint32_t q, uint32_t m, uint32_t imm4, uint32_t n, uint32_t d);
// DUP (element) and DUP (general) (validity already checked).
void dup_element(A64Translator& t, uint32_t q, unsigned es, unsigned index, uint32_t n, uint32_t d);
void dup_general(A64Translator& t, uint32_t q, unsigned es, uint32_t n, uint32_t d);

}  // namespace emu::arm::simd_vec

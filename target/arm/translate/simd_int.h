#pragma once
// Integer AdvSIMD forms translated through the integer vector helper
// (target/arm/vec_int_ops.h). The decode-group handlers in simd.cpp call
// these first: each returns std::nullopt when the encoding is not one of
// its integer forms (the caller goes on with its own cases), otherwise the
// handler result (false: unallocated).
#include <cstdint>
#include <optional>

namespace emu::arm {
class A64Translator;
}

namespace emu::arm::simd_int {

using Result = std::optional<bool>;

Result three_same(A64Translator& t, uint32_t q, uint32_t u, uint32_t size, uint32_t m,
                  uint32_t opcode, uint32_t n, uint32_t d);
Result scalar_three_same(A64Translator& t, uint32_t u, uint32_t size, uint32_t m, uint32_t opcode,
                         uint32_t n, uint32_t d);
Result three_diff(A64Translator& t, uint32_t q, uint32_t u, uint32_t size, uint32_t m,
                  uint32_t opcode, uint32_t n, uint32_t d);
Result two_misc(A64Translator& t, uint32_t q, uint32_t u, uint32_t size, uint32_t opcode,
                uint32_t n, uint32_t d);
Result scalar_two_misc(A64Translator& t, uint32_t u, uint32_t size, uint32_t opcode, uint32_t n,
                       uint32_t d);
Result shift_imm(A64Translator& t, uint32_t q, uint32_t u, uint32_t immh, uint32_t immb,
                 uint32_t opcode, uint32_t n, uint32_t d);
Result scalar_shift_imm(A64Translator& t, uint32_t u, uint32_t immh, uint32_t immb, uint32_t opcode,
                        uint32_t n, uint32_t d);
// By element; m is the 5-bit M:Rm field.
Result by_element(A64Translator& t, uint32_t q, uint32_t u, uint32_t size, uint32_t l, uint32_t m,
                  uint32_t opcode, uint32_t h, uint32_t n, uint32_t d);
Result scalar_by_element(A64Translator& t, uint32_t u, uint32_t size, uint32_t l, uint32_t m,
                         uint32_t opcode, uint32_t h, uint32_t n, uint32_t d);

}  // namespace emu::arm::simd_int

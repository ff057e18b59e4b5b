#pragma once
// Reference semantics of the pure ops, shared by constant folding, the
// interpreter's rarely used paths and the tests. Values are zero-extended
// bit patterns of their type; i128 uses the full unsigned __int128.
#include <cstdint>

#include "tcg/ir/ir.h"

namespace emu::tcg {

using u128 = unsigned __int128;

// Evaluates a PURE op (not Const) on constant operands. `arg_types` are the
// operand types. Returns false for ops it does not fold.
bool eval_pure(Op op, Type t, const Type* arg_types, const u128* args, uint64_t imm, u128* out);

// The vector ops (VecDup .. VecReduce): operands as u128 (VecDup's scalar
// zero-extended). False for an imm the op does not define.
bool eval_vec(Op op, const u128* args, uint64_t imm, u128* out);
// Whether imm is a valid immediate of the vector op (the verifier's rule).
bool vec_imm_valid(Op op, uint64_t imm);

// A64 condition on a packed NZCV word (bit 31 N ... bit 28 V).
constexpr bool cond_holds(uint32_t nzcv, unsigned cond) {
    bool n = nzcv >> 31 & 1, z = nzcv >> 30 & 1, c = nzcv >> 29 & 1, v = nzcv >> 28 & 1;
    bool r;
    switch (cond >> 1) {
        case 0:
            r = z;
            break;
        case 1:
            r = c;
            break;
        case 2:
            r = n;
            break;
        case 3:
            r = v;
            break;
        case 4:
            r = c && !z;
            break;
        case 5:
            r = n == v;
            break;
        case 6:
            r = !z && n == v;
            break;
        default:
            return true;  // AL, NV
    }
    return (cond & 1) ? !r : r;
}

// Packed NZCV of a + b + carry at `bits` (32 or 64) width.
inline uint32_t nzcv_add(uint64_t a, uint64_t b, uint64_t c, unsigned bits) {
    if (bits == 32) {
        uint64_t r = (uint64_t)(uint32_t)a + (uint32_t)b + c;
        uint32_t r32 = (uint32_t)r;
        uint32_t n = r32 >> 31, z = r32 == 0, cf = (uint32_t)(r >> 32) & 1;
        uint32_t v = (uint32_t)((~((uint32_t)a ^ (uint32_t)b) & ((uint32_t)a ^ r32)) >> 31);
        return n << 31 | z << 30 | cf << 29 | v << 28;
    }
    u128 r = (u128)a + b + c;
    uint64_t r64 = (uint64_t)r;
    uint32_t n = r64 >> 63, z = r64 == 0, cf = (uint32_t)(r >> 64) & 1;
    uint32_t v = (uint32_t)((~(a ^ b) & (a ^ r64)) >> 63);
    return n << 31 | z << 30 | cf << 29 | v << 28;
}
// The common cases without a carry in, in a form that compiles to a few
// instructions (these run for every flag-setting guest instruction).
template <typename U>
inline uint32_t nzcv_add_fast(U a, U b) {
    constexpr unsigned kTop = sizeof(U) * 8 - 1;
    U r = a + b;
    uint32_t n = (uint32_t)(r >> kTop), z = r == 0, c = r < a;
    uint32_t v = (uint32_t)((~(a ^ b) & (a ^ r)) >> kTop);
    return n << 31 | z << 30 | c << 29 | v << 28;
}
template <typename U>
inline uint32_t nzcv_sub_fast(U a, U b) {
    constexpr unsigned kTop = sizeof(U) * 8 - 1;
    U r = a - b;
    uint32_t n = (uint32_t)(r >> kTop), z = r == 0, c = a >= b;
    uint32_t v = (uint32_t)(((a ^ b) & (a ^ r)) >> kTop);
    return n << 31 | z << 30 | c << 29 | v << 28;
}
// a - b (C is "no borrow", as a + ~b + 1).
inline uint32_t nzcv_sub(uint64_t a, uint64_t b, unsigned bits) {
    return bits == 32 ? nzcv_sub_fast<uint32_t>((uint32_t)a, (uint32_t)b) : nzcv_sub_fast(a, b);
}
inline uint32_t nzcv_logic(uint64_t r, unsigned bits) {
    uint64_t sign = bits == 32 ? (r >> 31) & 1 : r >> 63;
    bool z = bits == 32 ? (uint32_t)r == 0 : r == 0;
    return (uint32_t)(sign << 31) | (uint32_t)z << 30;
}

}  // namespace emu::tcg

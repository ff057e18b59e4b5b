// Integer AdvSIMD: saturating, halving, rounding, doubling and by-element
// forms. One table per decode group maps U:opcode to the helper operation
// and the element sizes the encoding allows; everything runs through the
// integer vector helper (vec_int_helpers.cpp).
#include "target/arm/translate/simd_int.h"

#include <span>

#include "target/arm/helpers.h"
#include "target/arm/translate/translator.h"
#include "target/arm/vec_int_ops.h"

namespace emu::arm::simd_int {

namespace {

// Allowed values of the size field.
enum Sizes : uint8_t {
    kAll = 0xf,
    kBHS = 0x7,  // not 64-bit elements
    kHS = 0x6,   // 16- and 32-bit elements (doubling multiplies)
    kB = 0x1,
    kS = 0x4,
    kD = 0x8,
};

struct Form {
    uint8_t key;  // U << 5 | opcode
    VecIntOp op;
    uint8_t sizes;
};

const Form* find(std::span<const Form> table, unsigned key) {
    for (const Form& f : table) {
        if (f.key == key) return &f;
    }
    return nullptr;
}

void emit(A64Translator& t, VecIntOp op, unsigned es, bool q, unsigned d, unsigned n, unsigned m,
          bool scalar = false, bool elem = false, unsigned imm = 0) {
    Builder& ir = t.ir();
    ir.call(Type::Void, t.helpers().vec_int,
            {ir.c64(vec_int_desc(op, es, q, scalar, elem, imm)), ir.c64(vreg_off(d)),
             ir.c64(vreg_off(n)), ir.c64(vreg_off(m))});
}

// Looks the form up, checks its size, then emits it (after the FP access
// check, which may raise instead).
template <typename Emit>
Result run(A64Translator& t, std::span<const Form> table, unsigned key, unsigned size,
           bool extra_ok, Emit&& e) {
    const Form* f = find(table, key);
    if (!f) return std::nullopt;
    if (!(f->sizes >> size & 1) || !extra_ok) return false;
    if (!t.fp_access()) return true;
    e(f->op);
    return true;
}

// Vector and scalar three same (scalar forms: the entries marked kScalar).
constexpr Form kThreeSame[] = {
    {0x00, VecIntOp::Shadd, kBHS},   {0x20, VecIntOp::Uhadd, kBHS},  {0x02, VecIntOp::Srhadd, kBHS},
    {0x22, VecIntOp::Urhadd, kBHS},  {0x04, VecIntOp::Shsub, kBHS},  {0x24, VecIntOp::Uhsub, kBHS},
    {0x01, VecIntOp::Sqadd, kAll},   {0x05, VecIntOp::Sqsub, kAll},  {0x09, VecIntOp::Sqshl, kAll},
    {0x29, VecIntOp::Uqshl, kAll},   {0x0a, VecIntOp::Srshl, kAll},  {0x2a, VecIntOp::Urshl, kAll},
    {0x0b, VecIntOp::Sqrshl, kAll},  {0x2b, VecIntOp::Uqrshl, kAll}, {0x0f, VecIntOp::Saba, kBHS},
    {0x2f, VecIntOp::Uaba, kBHS},    {0x33, VecIntOp::Pmul, kB},     {0x16, VecIntOp::Sqdmulh, kHS},
    {0x36, VecIntOp::Sqrdmulh, kHS},
};

constexpr Form kScalarThreeSame[] = {
    {0x01, VecIntOp::Sqadd, kAll},  {0x21, VecIntOp::Uqadd, kAll},  {0x05, VecIntOp::Sqsub, kAll},
    {0x25, VecIntOp::Uqsub, kAll},  {0x09, VecIntOp::Sqshl, kAll},  {0x29, VecIntOp::Uqshl, kAll},
    {0x0a, VecIntOp::Srshl, kD},    {0x2a, VecIntOp::Urshl, kD},    {0x0b, VecIntOp::Sqrshl, kAll},
    {0x2b, VecIntOp::Uqrshl, kAll}, {0x16, VecIntOp::Sqdmulh, kHS}, {0x36, VecIntOp::Sqrdmulh, kHS},
};

constexpr Form kThreeDiff[] = {
    {0x24, VecIntOp::Raddhn, kBHS}, {0x26, VecIntOp::Rsubhn, kBHS}, {0x05, VecIntOp::Sabal, kBHS},
    {0x25, VecIntOp::Uabal, kBHS},  {0x09, VecIntOp::Sqdmlal, kHS}, {0x0b, VecIntOp::Sqdmlsl, kHS},
    {0x0d, VecIntOp::Sqdmull, kHS},
};

constexpr Form kScalarThreeDiff[] = {
    {0x09, VecIntOp::Sqdmlal, kHS},
    {0x0b, VecIntOp::Sqdmlsl, kHS},
    {0x0d, VecIntOp::Sqdmull, kHS},
};

bool is_narrowing(VecIntOp op) {
    return op >= VecIntOp::Raddhn && op <= VecIntOp::Sqxtun;
}
bool is_long(VecIntOp op) {
    return op >= VecIntOp::Sabal && op <= VecIntOp::Shll;
}

constexpr Form kTwoMisc[] = {
    {0x03, VecIntOp::Suqadd, kAll}, {0x23, VecIntOp::Usqadd, kAll}, {0x04, VecIntOp::Cls, kBHS},
    {0x24, VecIntOp::Clz, kBHS},    {0x06, VecIntOp::Sadalp, kBHS}, {0x26, VecIntOp::Uadalp, kBHS},
    {0x07, VecIntOp::Sqabs, kAll},  {0x27, VecIntOp::Sqneg, kAll},  {0x32, VecIntOp::Sqxtun, kBHS},
    {0x14, VecIntOp::Sqxtn, kBHS},  {0x34, VecIntOp::Uqxtn, kBHS},  {0x33, VecIntOp::Shll, kBHS},
};

constexpr Form kScalarTwoMisc[] = {
    {0x03, VecIntOp::Suqadd, kAll}, {0x23, VecIntOp::Usqadd, kAll}, {0x07, VecIntOp::Sqabs, kAll},
    {0x27, VecIntOp::Sqneg, kAll},  {0x32, VecIntOp::Sqxtun, kBHS}, {0x14, VecIntOp::Sqxtn, kBHS},
    {0x34, VecIntOp::Uqxtn, kBHS},
};

// Shift by immediate; sizes here are the element sizes immh selects.
constexpr Form kShiftImm[] = {
    {0x04, VecIntOp::Srshr, kAll},    {0x24, VecIntOp::Urshr, kAll},
    {0x06, VecIntOp::Srsra, kAll},    {0x26, VecIntOp::Ursra, kAll},
    {0x2c, VecIntOp::Sqshlu, kAll},   {0x0e, VecIntOp::SqshlImm, kAll},
    {0x2e, VecIntOp::UqshlImm, kAll}, {0x30, VecIntOp::Sqshrun, kBHS},
    {0x11, VecIntOp::Rshrn, kBHS},    {0x31, VecIntOp::Sqrshrun, kBHS},
    {0x12, VecIntOp::Sqshrn, kBHS},   {0x32, VecIntOp::Uqshrn, kBHS},
    {0x13, VecIntOp::Sqrshrn, kBHS},  {0x33, VecIntOp::Uqrshrn, kBHS},
};

constexpr Form kScalarShiftImm[] = {
    {0x04, VecIntOp::Srshr, kD},      {0x24, VecIntOp::Urshr, kD},
    {0x06, VecIntOp::Srsra, kD},      {0x26, VecIntOp::Ursra, kD},
    {0x2c, VecIntOp::Sqshlu, kAll},   {0x0e, VecIntOp::SqshlImm, kAll},
    {0x2e, VecIntOp::UqshlImm, kAll}, {0x30, VecIntOp::Sqshrun, kBHS},
    {0x31, VecIntOp::Sqrshrun, kBHS}, {0x12, VecIntOp::Sqshrn, kBHS},
    {0x32, VecIntOp::Uqshrn, kBHS},   {0x13, VecIntOp::Sqrshrn, kBHS},
    {0x33, VecIntOp::Uqrshrn, kBHS},
};

// By element (U:opcode); the FP forms belong to the FP translator.
constexpr Form kByElement[] = {
    {0x20, VecIntOp::Mla, kHS},     {0x24, VecIntOp::Mls, kHS},      {0x08, VecIntOp::Mul, kHS},
    {0x02, VecIntOp::Smlal, kHS},   {0x22, VecIntOp::Umlal, kHS},    {0x06, VecIntOp::Smlsl, kHS},
    {0x26, VecIntOp::Umlsl, kHS},   {0x0a, VecIntOp::Smull, kHS},    {0x2a, VecIntOp::Umull, kHS},
    {0x03, VecIntOp::Sqdmlal, kHS}, {0x07, VecIntOp::Sqdmlsl, kHS},  {0x0b, VecIntOp::Sqdmull, kHS},
    {0x0c, VecIntOp::Sqdmulh, kHS}, {0x0d, VecIntOp::Sqrdmulh, kHS},
};

constexpr Form kScalarByElement[] = {
    {0x03, VecIntOp::Sqdmlal, kHS}, {0x07, VecIntOp::Sqdmlsl, kHS},  {0x0b, VecIntOp::Sqdmull, kHS},
    {0x0c, VecIntOp::Sqdmulh, kHS}, {0x0d, VecIntOp::Sqrdmulh, kHS},
};

// Element size (log2 bytes) of a shift-by-immediate immh field, and the
// encoded right and left shift amounts.
struct ShiftAmount {
    unsigned es, right, left;
};
ShiftAmount shift_amount(uint32_t immh, uint32_t immb) {
    unsigned es = 31 - __builtin_clz(immh);
    unsigned esize = 8u << es, immhb = immh << 3 | immb;
    return {es, 2 * esize - immhb, immhb - esize};
}

bool uses_left_shift(VecIntOp op) {
    return op == VecIntOp::Sqshlu || op == VecIntOp::SqshlImm || op == VecIntOp::UqshlImm;
}

// The index and register of a by-element operand (size 1: Rm is 4 bits).
void element_operand(uint32_t size, uint32_t l, uint32_t m, uint32_t h, unsigned* rm,
                     unsigned* index) {
    if (size == 1) {
        *index = h << 2 | l << 1 | (m >> 4);
        *rm = m & 0xf;
    } else {
        *index = h << 1 | l;
        *rm = m;
    }
}

}  // namespace

Result three_same(A64Translator& t, uint32_t q, uint32_t u, uint32_t size, uint32_t m,
                  uint32_t opcode, uint32_t n, uint32_t d) {
    return run(t, kThreeSame, u << 5 | opcode, size, size != 3 || q,
               [&](VecIntOp op) { emit(t, op, size, q, d, n, m); });
}

Result scalar_three_same(A64Translator& t, uint32_t u, uint32_t size, uint32_t m, uint32_t opcode,
                         uint32_t n, uint32_t d) {
    return run(t, kScalarThreeSame, u << 5 | opcode, size, true,
               [&](VecIntOp op) { emit(t, op, size, false, d, n, m, true); });
}

Result three_diff(A64Translator& t, uint32_t q, uint32_t u, uint32_t size, uint32_t m,
                  uint32_t opcode, uint32_t n, uint32_t d) {
    return run(t, kThreeDiff, u << 5 | opcode, size, true,
               [&](VecIntOp op) { emit(t, op, size, q, d, n, m); });
}

Result two_misc(A64Translator& t, uint32_t q, uint32_t u, uint32_t size, uint32_t opcode,
                uint32_t n, uint32_t d) {
    unsigned key = u << 5 | opcode;
    if (opcode == 0x1c) {  // URECPE / URSQRTE; size 0x is FCVTAS/FCVTAU
        if (size < 2) return std::nullopt;
        if (size == 3) return false;
        if (!t.fp_access()) return true;
        emit(t, u ? VecIntOp::Ursqrte : VecIntOp::Urecpe, 2, q, d, n, n);
        return true;
    }
    const Form* f = find(kTwoMisc, key);
    bool whole = f && !is_narrowing(f->op) && !is_long(f->op) && f->op != VecIntOp::Sadalp &&
                 f->op != VecIntOp::Uadalp;
    return run(t, kTwoMisc, key, size, !whole || size != 3 || q,
               [&](VecIntOp op) { emit(t, op, size, q, d, n, n); });
}

Result scalar_two_misc(A64Translator& t, uint32_t u, uint32_t size, uint32_t opcode, uint32_t n,
                       uint32_t d) {
    return run(t, kScalarTwoMisc, u << 5 | opcode, size, true,
               [&](VecIntOp op) { emit(t, op, size, false, d, n, n, true); });
}

Result shift_imm(A64Translator& t, uint32_t q, uint32_t u, uint32_t immh, uint32_t immb,
                 uint32_t opcode, uint32_t n, uint32_t d) {
    if (!immh) return std::nullopt;
    ShiftAmount s = shift_amount(immh, immb);
    const Form* f = find(kShiftImm, u << 5 | opcode);
    bool narrowing = f && is_narrowing(f->op);
    return run(t, kShiftImm, u << 5 | opcode, s.es, narrowing || s.es != 3 || q, [&](VecIntOp op) {
        emit(t, op, s.es, q, d, n, n, false, false, uses_left_shift(op) ? s.left : s.right);
    });
}

Result scalar_shift_imm(A64Translator& t, uint32_t u, uint32_t immh, uint32_t immb, uint32_t opcode,
                        uint32_t n, uint32_t d) {
    if (!immh) return std::nullopt;
    ShiftAmount s = shift_amount(immh, immb);
    return run(t, kScalarShiftImm, u << 5 | opcode, s.es, true, [&](VecIntOp op) {
        emit(t, op, s.es, false, d, n, n, true, false, uses_left_shift(op) ? s.left : s.right);
    });
}

Result by_element(A64Translator& t, uint32_t q, uint32_t u, uint32_t size, uint32_t l, uint32_t m,
                  uint32_t opcode, uint32_t h, uint32_t n, uint32_t d) {
    unsigned rm, index;
    element_operand(size, l, m, h, &rm, &index);
    return run(t, kByElement, u << 5 | opcode, size, true,
               [&](VecIntOp op) { emit(t, op, size, q, d, n, rm, false, true, index); });
}

Result scalar_by_element(A64Translator& t, uint32_t u, uint32_t size, uint32_t l, uint32_t m,
                         uint32_t opcode, uint32_t h, uint32_t n, uint32_t d) {
    unsigned rm, index;
    element_operand(size, l, m, h, &rm, &index);
    return run(t, kScalarByElement, u << 5 | opcode, size, true,
               [&](VecIntOp op) { emit(t, op, size, false, d, n, rm, true, true, index); });
}

}  // namespace emu::arm::simd_int

namespace emu::arm {

// AdvSIMD scalar three different: only the saturating doubling multiplies.
bool A64Translator::SIMDS_3diff(uint32_t u, uint32_t size, uint32_t m, uint32_t opcode, uint32_t n,
                                uint32_t d) {
    auto r =
        simd_int::run(*this, simd_int::kScalarThreeDiff, u << 5 | opcode, size, true,
                      [&](VecIntOp op) { simd_int::emit(*this, op, size, false, d, n, m, true); });
    return r.value_or(false);
}

}  // namespace emu::arm

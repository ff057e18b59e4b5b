#include "tcg/interp/interp.h"

#include <algorithm>
#include <atomic>
#include <bit>
#include <cinttypes>
#include <cstdio>
#include <cstring>

#include "tcg/exec/softmmu.h"
#include "tcg/ir/eval.h"
#include "tcg/ir/helpers.h"

namespace emu::tcg {

namespace {

enum Variant : uint16_t {
#define IV(n) V_##n,
#include "tcg/interp/variants.inc"
#undef IV
    V_COUNT
};

const char* const kVariantNames[] = {
#define IV(n) #n,
#include "tcg/interp/variants.inc"
#undef IV
};

// cond_mask[cond] bit k: whether `cond` holds when NZCV >> 28 == k.
struct CondTable {
    uint16_t mask[16];
    constexpr CondTable() : mask{} {
        for (unsigned c = 0; c < 16; ++c) {
            for (unsigned k = 0; k < 16; ++k) {
                if (cond_holds(k << 28, c)) mask[c] |= uint16_t(1u << k);
            }
        }
    }
};
constexpr CondTable kCond;

const void* const* g_labels = nullptr;

ExitInfo run_impl(const InterpCode* c, void* envp, const void* const** export_labels);

const void* const* labels() {
    if (!g_labels) run_impl(nullptr, nullptr, &g_labels);
    return g_labels;
}

inline uint64_t rbit64(uint64_t x) {
    x = ((x >> 1) & 0x5555555555555555ull) | ((x & 0x5555555555555555ull) << 1);
    x = ((x >> 2) & 0x3333333333333333ull) | ((x & 0x3333333333333333ull) << 2);
    x = ((x >> 4) & 0x0f0f0f0f0f0f0f0full) | ((x & 0x0f0f0f0f0f0f0f0full) << 4);
    return __builtin_bswap64(x);
}

ExitInfo run_impl(const InterpCode* c, void* envp, const void* const** export_labels) {
    static const void* const kLabels[] = {
#define IV(n) &&L_##n,
#include "tcg/interp/variants.inc"
#undef IV
    };
    if (export_labels) {
        *export_labels = kLabels;
        return {0, kExitSlotNone};
    }
    auto* env = static_cast<TcgEnv*>(envp);
    auto* base = static_cast<uint8_t*>(envp);
    uint64_t s[kInterpMaxSlots];
    for (size_t i = 0, n = c->consts.size(); i < n; ++i)
        s[i] = c->consts[i];
    const LInst* ip = c->code.data();

#define NEXT goto*(++ip)->handler
#define D s[ip->d]
#define A s[ip->a]
#define B s[ip->b]
#define C s[ip->c]
#define LOAD_FAST(T, SZ)                                                                           \
    {                                                                                              \
        uint64_t va = A;                                                                           \
        const TlbEntry& e = env->tlb[MemOp::mmu_idx(ip->imm)][(va >> kPageBits) & (kTlbSize - 1)]; \
        if ((va & (kPageMask | (SZ - 1))) == e.addr_read) {                                        \
            T v;                                                                                   \
            std::memcpy(&v, reinterpret_cast<void*>(va + e.addend), SZ);                           \
            D = v;                                                                                 \
        } else {                                                                                   \
            HelperRet r = mem_load(envp, va, ip->imm, ip->imm2);                                   \
            if (r.status) return {r.status, kExitSlotNone};                                        \
            D = r.value;                                                                           \
        }                                                                                          \
        NEXT;                                                                                      \
    }
#define STORE_FAST(T, SZ)                                                                          \
    {                                                                                              \
        uint64_t va = A;                                                                           \
        const TlbEntry& e = env->tlb[MemOp::mmu_idx(ip->imm)][(va >> kPageBits) & (kTlbSize - 1)]; \
        if ((va & (kPageMask | (SZ - 1))) == e.addr_write) {                                       \
            T v = static_cast<T>(B);                                                               \
            std::memcpy(reinterpret_cast<void*>(va + e.addend), &v, SZ);                           \
        } else {                                                                                   \
            HelperRet r = mem_store(envp, va, B, ip->imm, ip->imm2);                               \
            if (r.status) return {r.status, kExitSlotNone};                                        \
        }                                                                                          \
        NEXT;                                                                                      \
    }

    goto * ip->handler;

L_GET8 : {
    uint8_t v;
    std::memcpy(&v, base + ip->imm, 1);
    D = v;
    NEXT;
}
L_GET16 : {
    uint16_t v;
    std::memcpy(&v, base + ip->imm, 2);
    D = v;
    NEXT;
}
L_GET32 : {
    uint32_t v;
    std::memcpy(&v, base + ip->imm, 4);
    D = v;
    NEXT;
}
L_GET64 : {
    std::memcpy(&D, base + ip->imm, 8);
    NEXT;
}
L_GET128 : {
    std::memcpy(&s[ip->d], base + ip->imm, 16);
    NEXT;
}
L_SET8 : {
    uint8_t v = (uint8_t)A;
    std::memcpy(base + ip->imm, &v, 1);
    NEXT;
}
L_SET16 : {
    uint16_t v = (uint16_t)A;
    std::memcpy(base + ip->imm, &v, 2);
    NEXT;
}
L_SET32 : {
    uint32_t v = (uint32_t)A;
    std::memcpy(base + ip->imm, &v, 4);
    NEXT;
}
L_SET64 : {
    std::memcpy(base + ip->imm, &A, 8);
    NEXT;
}
L_SET128 : {
    std::memcpy(base + ip->imm, &s[ip->a], 16);
    NEXT;
}
L_MOV:
    D = A;
    NEXT;
L_MOV128:
    s[ip->d] = s[ip->a];
    s[ip->d + 1] = s[ip->a + 1];
    NEXT;
L_MASK:
    D = A & ip->imm2;
    NEXT;
L_ADD64:
    D = A + B;
    NEXT;
L_ADDM:
    D = (A + B) & ip->imm2;
    NEXT;
L_SUB64:
    D = A - B;
    NEXT;
L_SUBM:
    D = (A - B) & ip->imm2;
    NEXT;
L_ADC64:
    D = A + B + C;
    NEXT;
L_ADCM:
    D = (A + B + C) & ip->imm2;
    NEXT;
L_MUL64:
    D = A * B;
    NEXT;
L_MULM:
    D = (A * B) & ip->imm2;
    NEXT;
L_UMULH32:
    D = (A * B) >> 32;
    NEXT;
L_UMULH64:
    D = (uint64_t)(((u128)A * B) >> 64);
    NEXT;
L_SMULH32:
    D = (uint32_t)(((int64_t)(int32_t)A * (int32_t)B) >> 32);
    NEXT;
L_SMULH64:
    D = (uint64_t)(((__int128)(int64_t)A * (int64_t)B) >> 64);
    NEXT;
L_UDIV32:
    D = (uint32_t)B ? (uint32_t)A / (uint32_t)B : 0;
    NEXT;
L_UDIV64:
    D = B ? A / B : 0;
    NEXT;
L_SDIV32 : {
    int32_t x = (int32_t)A, y = (int32_t)B;
    D = (uint32_t)(y == 0 ? 0 : (x == INT32_MIN && y == -1) ? x : x / y);
    NEXT;
}
L_SDIV64 : {
    int64_t x = (int64_t)A, y = (int64_t)B;
    D = (uint64_t)(y == 0 ? 0 : (x == INT64_MIN && y == -1) ? x : x / y);
    NEXT;
}
L_AND:
    D = A & B;
    NEXT;
L_OR:
    D = A | B;
    NEXT;
L_XOR:
    D = A ^ B;
    NEXT;
L_AND128:
    s[ip->d] = s[ip->a] & s[ip->b];
    s[ip->d + 1] = s[ip->a + 1] & s[ip->b + 1];
    NEXT;
L_OR128:
    s[ip->d] = s[ip->a] | s[ip->b];
    s[ip->d + 1] = s[ip->a + 1] | s[ip->b + 1];
    NEXT;
L_XOR128:
    s[ip->d] = s[ip->a] ^ s[ip->b];
    s[ip->d + 1] = s[ip->a + 1] ^ s[ip->b + 1];
    NEXT;
L_NOTM:
    D = ~A & ip->imm2;
    NEXT;
L_NOT128:
    s[ip->d] = ~s[ip->a];
    s[ip->d + 1] = ~s[ip->a + 1];
    NEXT;
L_NEGM:
    D = (0 - A) & ip->imm2;
    NEXT;
L_SHL64:
    D = A << (B & 63);
    NEXT;
L_SHLN:
    D = (A << (B % ip->imm)) & ip->imm2;
    NEXT;
L_LSHR64:
    D = A >> (B & 63);
    NEXT;
L_LSHRN:
    D = A >> (B % ip->imm);
    NEXT;
L_ASHR64:
    D = (uint64_t)((int64_t)A >> (B & 63));
    NEXT;
L_ASHRN : {
    unsigned up = 64 - (unsigned)ip->imm;
    D = (uint64_t)(((int64_t)(A << up) >> up) >> (B % ip->imm)) & ip->imm2;
    NEXT;
}
L_ROR32 : {
    uint32_t x = (uint32_t)A;
    unsigned n = B & 31;
    D = (uint32_t)((x >> n) | (x << ((32 - n) & 31)));
    NEXT;
}
L_ROR64 : {
    unsigned n = B & 63;
    D = (A >> n) | (A << ((64 - n) & 63));
    NEXT;
}
L_CLZ32:
    D = (uint32_t)A ? (unsigned)__builtin_clz((uint32_t)A) : 32;
    NEXT;
L_CLZ64:
    D = A ? (unsigned)__builtin_clzll(A) : 64;
    NEXT;
L_RBIT32:
    D = rbit64(A) >> 32;
    NEXT;
L_RBIT64:
    D = rbit64(A);
    NEXT;
L_BSWAP16:
    D = __builtin_bswap16((uint16_t)A);
    NEXT;
L_BSWAP32:
    D = __builtin_bswap32((uint32_t)A);
    NEXT;
L_BSWAP64:
    D = __builtin_bswap64(A);
    NEXT;
L_CTPOP:
    D = (unsigned)__builtin_popcountll(A);
    NEXT;
L_EQ:
    D = A == B;
    NEXT;
L_NE:
    D = A != B;
    NEXT;
L_ULT:
    D = A < B;
    NEXT;
L_ULE:
    D = A <= B;
    NEXT;
L_SLTN : {
    unsigned up = (unsigned)ip->imm;
    D = (int64_t)(A << up) < (int64_t)(B << up);
    NEXT;
}
L_SLEN : {
    unsigned up = (unsigned)ip->imm;
    D = (int64_t)(A << up) <= (int64_t)(B << up);
    NEXT;
}
L_EQ128:
    D = s[ip->a] == s[ip->b] && s[ip->a + 1] == s[ip->b + 1];
    NEXT;
L_NE128:
    D = !(s[ip->a] == s[ip->b] && s[ip->a + 1] == s[ip->b + 1]);
    NEXT;
L_SELECT:
    D = A ? B : C;
    NEXT;
L_SELECT128 : {
    uint16_t from = A ? ip->b : ip->c;
    s[ip->d] = s[from];
    s[ip->d + 1] = s[from + 1];
    NEXT;
}
L_SEXT : {
    unsigned up = (unsigned)ip->imm;
    D = (uint64_t)((int64_t)(A << up) >> up) & ip->imm2;
    NEXT;
}
L_ZEXT128:
    s[ip->d] = s[ip->a];
    s[ip->d + 1] = 0;
    NEXT;
L_HI64:
    D = s[ip->a + 1];
    NEXT;
L_PACK128 : {
    uint64_t lo = A, hi = B;
    s[ip->d] = lo;
    s[ip->d + 1] = hi;
    NEXT;
}
L_VEC : {
    // The vector ops: imm = op << 32 | the op's imm; operands are i128
    // (slot pairs) except VecDup's scalar.
    Op op = static_cast<Op>(ip->imm >> 32);
    u128 in[3] = {0, 0, 0}, r = 0;
    const uint16_t sl[3] = {ip->a, ip->b, ip->c};
    for (unsigned k = 0; k < 3; ++k) {
        in[k] = op == Op::VecDup ? (u128)s[sl[k]] : (u128)s[sl[k]] | (u128)s[sl[k] + 1] << 64;
    }
    eval_vec(op, in, ip->imm & 0xffffffffu, &r);
    s[ip->d] = (uint64_t)r;
    s[ip->d + 1] = (uint64_t)(r >> 64);
    NEXT;
}
L_ADDF32:
    D = nzcv_add_fast<uint32_t>((uint32_t)A, (uint32_t)B);
    NEXT;
L_ADDF64:
    D = nzcv_add_fast<uint64_t>(A, B);
    NEXT;
L_SUBF32:
    D = nzcv_sub_fast<uint32_t>((uint32_t)A, (uint32_t)B);
    NEXT;
L_SUBF64:
    D = nzcv_sub_fast<uint64_t>(A, B);
    NEXT;
L_ADCF32:
    D = nzcv_add(A, B, C, 32);
    NEXT;
L_ADCF64:
    D = nzcv_add(A, B, C, 64);
    NEXT;
L_LOGF32:
    D = nzcv_logic(A, 32);
    NEXT;
L_LOGF64:
    D = nzcv_logic(A, 64);
    NEXT;
L_COND:
    D = (kCond.mask[ip->imm] >> ((uint32_t)A >> 28)) & 1;
    NEXT;
L_LD8:
    LOAD_FAST(uint8_t, 1)
L_LD16:
    LOAD_FAST(uint16_t, 2)
L_LD32:
    LOAD_FAST(uint32_t, 4)
L_LD64:
    LOAD_FAST(uint64_t, 8)
L_LD128 : {
    uint64_t st = mem_load128(envp, A, ip->imm, ip->imm2, &s[ip->d]);
    if (st) return {st, kExitSlotNone};
    NEXT;
}
L_ST8:
    STORE_FAST(uint8_t, 1)
L_ST16:
    STORE_FAST(uint16_t, 2)
L_ST32:
    STORE_FAST(uint32_t, 4)
L_ST64:
    STORE_FAST(uint64_t, 8)
L_ST128 : {
    uint64_t st = mem_store128(envp, A, s[ip->b], s[ip->b + 1], ip->imm, ip->imm2);
    if (st) return {st, kExitSlotNone};
    NEXT;
}
L_LDEXCL : {
    HelperRet r = mem_load_excl(envp, A, ip->imm, ip->imm2);
    if (r.status) return {r.status, kExitSlotNone};
    D = r.value;
    NEXT;
}
L_STEXCL : {
    HelperRet r = mem_store_excl(envp, A, B, ip->imm, ip->imm2);
    if (r.status) return {r.status, kExitSlotNone};
    D = r.value;
    NEXT;
}
L_RMW : {
    HelperRet r = mem_atomic_rmw(envp, A, B, ip->imm, ip->imm2);
    if (r.status) return {r.status, kExitSlotNone};
    D = r.value;
    NEXT;
}
L_CMPXCHG : {
    HelperRet r = mem_cmpxchg(envp, A, B, C, ip->imm, ip->imm2);
    if (r.status) return {r.status, kExitSlotNone};
    D = r.value;
    NEXT;
}
L_ADD64I:
    D = A + ip->imm;
    NEXT;
L_SUB64I:
    D = A - ip->imm;
    NEXT;
L_ANDI:
    D = A & ip->imm;
    NEXT;
L_ORI:
    D = A | ip->imm;
    NEXT;
L_XORI:
    D = A ^ ip->imm;
    NEXT;
L_SHL64I:
    D = A << ip->imm;
    NEXT;
L_LSHR64I:
    D = A >> ip->imm;
    NEXT;
L_ASHR64I:
    D = (uint64_t)((int64_t)A >> ip->imm);
    NEXT;
L_ADDMI:
    D = (A + ip->imm) & ip->imm2;
    NEXT;
L_SUBMI:
    D = (A - ip->imm) & ip->imm2;
    NEXT;
L_EQI:
    D = A == ip->imm;
    NEXT;
L_NEI:
    D = A != ip->imm;
    NEXT;
L_SUBF32I:
    D = nzcv_sub_fast<uint32_t>((uint32_t)A, (uint32_t)ip->imm);
    NEXT;
L_SUBF64I:
    D = nzcv_sub_fast<uint64_t>(A, ip->imm);
    NEXT;
L_ADDF32I:
    D = nzcv_add_fast<uint32_t>((uint32_t)A, (uint32_t)ip->imm);
    NEXT;
L_ADDF64I:
    D = nzcv_add_fast<uint64_t>(A, ip->imm);
    NEXT;
L_SET8I : {
    uint8_t v = (uint8_t)ip->imm2;
    std::memcpy(base + ip->imm, &v, 1);
    NEXT;
}
L_SET16I : {
    uint16_t v = (uint16_t)ip->imm2;
    std::memcpy(base + ip->imm, &v, 2);
    NEXT;
}
L_SET32I : {
    uint32_t v = (uint32_t)ip->imm2;
    std::memcpy(base + ip->imm, &v, 4);
    NEXT;
}
L_SET64I:
    std::memcpy(base + ip->imm, &ip->imm2, 8);
    NEXT;
L_FENCE:
    std::atomic_thread_fence(std::memory_order_seq_cst);
    NEXT;
L_CALL : {
    auto fn = reinterpret_cast<HelperFn>(ip->imm);
    HelperRet r = fn(envp, A, B, C, s[ip->imm2]);
    if (r.status) return {r.status, kExitSlotNone};
    D = r.value;
    NEXT;
}
L_EXIT_LINK:
    env->pc = ip->imm;
    return {kStatusContinue, 0};
L_EXIT_COND : {
    bool t = A & 1;
    env->pc = t ? ip->imm : ip->imm2;
    return {kStatusContinue, t ? 0u : 1u};
}
L_EXIT_IND:
    env->pc = A;
    return {kStatusContinue, kExitSlotNone};
L_EXIT_DISPATCH:
    return {kStatusContinue, kExitSlotNone};

#undef NEXT
#undef D
#undef A
#undef B
#undef C
#undef LOAD_FAST
#undef STORE_FAST
}

// The 8/16/32/64/128-bit variants of one access stand in that order in
// variants.inc (the immediate SETs for 8..64 bits too): log2 of the size in
// bytes picks one; anything larger takes the 128-bit one.
static_assert(V_GET128 - V_GET8 == 4 && V_SET128 - V_SET8 == 4);
static_assert(V_LD128 - V_LD8 == 4 && V_ST128 - V_ST8 == 4 && V_SET64I - V_SET8I == 3);

Variant sized(Variant v8, unsigned log2_bytes) {
    return Variant(v8 + std::min(log2_bytes, 4u));
}

// A register access's size: i1 is kept in a byte.
unsigned reg_log2_bytes(Type t) {
    return t == Type::I1 ? 0 : unsigned(std::countr_zero(type_bits(t))) - 3;
}

// The immediate-operand form of a two-operand variant, used when the second
// operand is a constant; shift amounts are taken modulo 64 as the register
// forms do.
struct ImmForm {
    Variant reg, imm;
    bool shift;
};
constexpr ImmForm kImmForms[] = {
    {V_ADD64, V_ADD64I, false},   {V_SUB64, V_SUB64I, false},   {V_ADDM, V_ADDMI, false},
    {V_SUBM, V_SUBMI, false},     {V_AND, V_ANDI, false},       {V_OR, V_ORI, false},
    {V_XOR, V_XORI, false},       {V_SHL64, V_SHL64I, true},    {V_LSHR64, V_LSHR64I, true},
    {V_ASHR64, V_ASHR64I, true},  {V_EQ, V_EQI, false},         {V_NE, V_NEI, false},
    {V_SUBF32, V_SUBF32I, false}, {V_SUBF64, V_SUBF64I, false}, {V_ADDF32, V_ADDF32I, false},
    {V_ADDF64, V_ADDF64I, false},
};

// The variant for an instruction, plus the imm/imm2 the variant expects.
bool pick(const Block& b, const Inst& in, Variant* v, uint64_t* imm, uint64_t* imm2) {
    Type t = in.type;
    Type a0 = in.nargs ? b.insts[in.args[0].id].type : Type::Void;
    unsigned bits = type_bits(t);
    bool w64 = bits == 64;
    bool w128 = t == Type::I128;
    *imm = in.imm;
    *imm2 = type_mask(t);
    switch (in.op) {
        case Op::Const:
        case Op::GuestInsn:
        case Op::Nop:
            return false;
        case Op::GetReg:
            *v = sized(V_GET8, reg_log2_bytes(t));
            return true;
        case Op::SetReg:
            *v = sized(V_SET8, reg_log2_bytes(a0));
            return true;
        case Op::Add:
            *v = w64 ? V_ADD64 : V_ADDM;
            return true;
        case Op::Sub:
            *v = w64 ? V_SUB64 : V_SUBM;
            return true;
        case Op::AddCarry:
            *v = w64 ? V_ADC64 : V_ADCM;
            return true;
        case Op::Mul:
            *v = w64 ? V_MUL64 : V_MULM;
            return true;
        case Op::UMulH:
            *v = w64 ? V_UMULH64 : V_UMULH32;
            return true;
        case Op::SMulH:
            *v = w64 ? V_SMULH64 : V_SMULH32;
            return true;
        case Op::UDiv:
            *v = w64 ? V_UDIV64 : V_UDIV32;
            return true;
        case Op::SDiv:
            *v = w64 ? V_SDIV64 : V_SDIV32;
            return true;
        case Op::And:
            *v = w128 ? V_AND128 : V_AND;
            return true;
        case Op::Or:
            *v = w128 ? V_OR128 : V_OR;
            return true;
        case Op::Xor:
            *v = w128 ? V_XOR128 : V_XOR;
            return true;
        case Op::Not:
            *v = w128 ? V_NOT128 : V_NOTM;
            return true;
        case Op::Neg:
            *v = V_NEGM;
            return true;
        case Op::Shl:
            *v = w64 ? V_SHL64 : V_SHLN;
            *imm = bits;
            return true;
        case Op::LShr:
            *v = w64 ? V_LSHR64 : V_LSHRN;
            *imm = bits;
            return true;
        case Op::AShr:
            *v = w64 ? V_ASHR64 : V_ASHRN;
            *imm = bits;
            return true;
        case Op::Ror:
            *v = w64 ? V_ROR64 : V_ROR32;
            return true;
        case Op::Clz:
            *v = w64 ? V_CLZ64 : V_CLZ32;
            return true;
        case Op::Rbit:
            *v = w64 ? V_RBIT64 : V_RBIT32;
            return true;
        case Op::Bswap:
            *v = bits == 64 ? V_BSWAP64 : bits == 32 ? V_BSWAP32 : bits == 16 ? V_BSWAP16 : V_MOV;
            return true;
        case Op::Ctpop:
            *v = V_CTPOP;
            return true;
        case Op::Eq:
            *v = a0 == Type::I128 ? V_EQ128 : V_EQ;
            return true;
        case Op::Ne:
            *v = a0 == Type::I128 ? V_NE128 : V_NE;
            return true;
        case Op::Ult:
            *v = V_ULT;
            return true;
        case Op::Ule:
            *v = V_ULE;
            return true;
        case Op::Slt:
            *v = V_SLTN;
            *imm = 64 - type_bits(a0);
            return true;
        case Op::Sle:
            *v = V_SLEN;
            *imm = 64 - type_bits(a0);
            return true;
        case Op::Select:
            *v = w128 ? V_SELECT128 : V_SELECT;
            return true;
        case Op::ZExt:
            *v = w128 ? V_ZEXT128 : V_MOV;
            return true;
        case Op::SExt:
            *v = V_SEXT;
            *imm = 64 - type_bits(a0);
            return true;
        case Op::Trunc:
            *v = V_MASK;
            return true;
        case Op::Bitcast:
            *v = w128 ? V_MOV128 : V_MOV;
            return true;
        case Op::Hi64:
            *v = V_HI64;
            return true;
        case Op::Pack128:
            *v = V_PACK128;
            return true;
        case Op::VecDup:
        case Op::VecCmp:
        case Op::VecBin:
        case Op::VecShiftImm:
        case Op::VecShuffle:
        case Op::VecReduce:
            *v = V_VEC;
            *imm = uint64_t(in.op) << 32 | (in.imm & 0xffffffffu);
            return true;
        case Op::AddFlags:
            *v = a0 == Type::I64 ? V_ADDF64 : V_ADDF32;
            return true;
        case Op::SubFlags:
            *v = a0 == Type::I64 ? V_SUBF64 : V_SUBF32;
            return true;
        case Op::AdcFlags:
            *v = a0 == Type::I64 ? V_ADCF64 : V_ADCF32;
            return true;
        case Op::LogicFlags:
            *v = a0 == Type::I64 ? V_LOGF64 : V_LOGF32;
            return true;
        case Op::CondHolds:
            *v = V_COND;
            return true;
        case Op::Load:
            *v = sized(V_LD8, MemOp::log2_size(in.imm));
            *imm2 = in.imm2;
            return true;
        case Op::Store:
            *v = sized(V_ST8, MemOp::log2_size(in.imm));
            *imm2 = in.imm2;
            return true;
        case Op::LoadExcl:
            *v = V_LDEXCL;
            *imm2 = in.imm2;
            return true;
        case Op::StoreExcl:
            *v = V_STEXCL;
            *imm2 = in.imm2;
            return true;
        case Op::AtomicRmw:
            *v = V_RMW;
            *imm2 = in.imm2;
            return true;
        case Op::CmpXchg:
            *v = V_CMPXCHG;
            *imm2 = in.imm2;
            return true;
        case Op::Fence:
            *v = V_FENCE;
            return true;
        case Op::Call:
        case Op::CallVoid:
            *v = V_CALL;
            *imm = reinterpret_cast<uint64_t>(helper_info(static_cast<uint32_t>(in.imm)).fn);
            return true;
        case Op::ExitLink:
            *v = V_EXIT_LINK;
            *imm2 = in.imm2;
            return true;
        case Op::ExitCond:
            *v = V_EXIT_COND;
            *imm2 = in.imm2;
            return true;
        case Op::ExitIndirect:
            *v = V_EXIT_IND;
            return true;
        case Op::ExitDispatch:
            *v = V_EXIT_DISPATCH;
            return true;
        case Op::Count_:
            return false;
    }
    return false;
}

}  // namespace

bool interp_lower(const Block& b, InterpCode* out, std::string* err) {
    const void* const* lab = labels();
    out->code.clear();
    out->consts.clear();
    out->variants.clear();
    // Slot 0 is a constant zero: the "no operand" slot and the helper
    // calls' padding arguments read it.
    std::vector<uint32_t> slot(b.insts.size(), 0);
    out->consts.push_back(0);
    for (uint32_t i = 0; i < b.insts.size(); ++i) {
        const Inst& in = b.insts[i];
        if (in.op != Op::Const) continue;
        slot[i] = static_cast<uint32_t>(out->consts.size());
        out->consts.push_back(in.imm);
        if (in.type == Type::I128) out->consts.push_back(in.imm2);
    }
    uint32_t next = static_cast<uint32_t>(out->consts.size());
    for (uint32_t i = 0; i < b.insts.size(); ++i) {
        const Inst& in = b.insts[i];
        if (in.op == Op::Const) continue;
        if (in.type != Type::Void) {
            slot[i] = next;
            next += in.type == Type::I128 ? 2 : 1;
        }
        if (next > kInterpMaxSlots) {
            *err = "block too large for the interpreter (" + std::to_string(next) + " slots)";
            return false;
        }
        Variant v;
        uint64_t imm, imm2;
        if (!pick(b, in, &v, &imm, &imm2)) continue;
        int const_operand = -1;  // operand replaced by an immediate
        // Second operand a constant: use the immediate form (the most
        // common shape: add #imm, cmp #imm, shifts by a constant).
        if (in.nargs == 2 && b.insts[in.args[1].id].op == Op::Const &&
            b.insts[in.args[1].id].type != Type::I128) {
            uint64_t k = b.insts[in.args[1].id].imm;
            Variant iv = v;
            for (const ImmForm& f : kImmForms) {
                if (f.reg != v) continue;
                iv = f.imm;
                if (f.shift) k &= 63;
                break;
            }
            if (iv != v) {
                v = iv;
                imm = k;
                const_operand = 1;
            }
        }
        // SetReg of a constant: store the immediate.
        if (in.op == Op::SetReg && b.insts[in.args[0].id].op == Op::Const &&
            b.insts[in.args[0].id].type != Type::I128) {
            if (v >= V_SET8 && v <= V_SET64) v = Variant(V_SET8I + (v - V_SET8));
            imm2 = b.insts[in.args[0].id].imm;
            if (v != V_SET128) const_operand = 0;
        }
        LInst li{};
        li.handler = lab[v];
        li.d = static_cast<uint16_t>(slot[i]);
        uint16_t* ops[3] = {&li.a, &li.b, &li.c};
        for (unsigned a = 0; a < in.nargs && a < 3; ++a) {
            *ops[a] = static_cast<uint16_t>(slot[in.args[a].id]);
        }
        // An operand turned into an immediate reads no slot.
        if (const_operand >= 0) *ops[const_operand] = 0;
        li.imm = imm;
        li.imm2 = imm2;
        if (v == V_CALL) li.imm2 = in.nargs > 3 ? slot[in.args[3].id] : 0;
        out->code.push_back(li);
        out->variants.push_back(v);
    }
    out->nslots = next;
    // Preload only the constants some operand still reads (immediate
    // variants consumed the others); slot 0 is then never read as a value.
    uint32_t used = 0;
    auto mark = [&](uint32_t sl) {
        if (sl != 0 && sl < out->consts.size() && sl + 1 > used) used = sl + 1;
    };
    for (size_t k = 0; k < out->code.size(); ++k) {
        const LInst& li = out->code[k];
        mark(li.a);
        mark(li.b);
        mark(li.c);
        if (out->variants[k] == V_CALL) mark(static_cast<uint32_t>(li.imm2));
        // A 128-bit constant operand occupies two slots.
        for (uint32_t sl : {uint32_t(li.a), uint32_t(li.b), uint32_t(li.c)}) {
            if (sl != 0) mark(sl + 1);
        }
    }
    out->consts.resize(used);
    return true;
}

ExitInfo interp_run(const InterpCode& code, void* env) {
    return run_impl(&code, env, nullptr);
}

std::string interp_print(const InterpCode& c) {
    std::string s;
    char buf[160];
    std::snprintf(buf, sizeof buf, "interp: %zu ops, %u slots, %zu consts\n", c.code.size(),
                  c.nslots, c.consts.size());
    s += buf;
    for (size_t i = 0; i < c.code.size(); ++i) {
        const LInst& li = c.code[i];
        std::snprintf(buf, sizeof buf,
                      "  %4zu %-12s d=s%u a=s%u b=s%u c=s%u imm=0x%" PRIx64 " imm2=0x%" PRIx64 "\n",
                      i, kVariantNames[c.variants[i]], li.d, li.a, li.b, li.c, li.imm, li.imm2);
        s += buf;
    }
    return s;
}

}  // namespace emu::tcg

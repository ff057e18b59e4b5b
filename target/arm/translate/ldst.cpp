// Loads and stores: single registers in every addressing mode, pairs,
// literals, exclusives, acquire/release, compare-and-swap and the LSE
// atomics. The access always comes before the base register write-back
// and before the destination is written, so a fault leaves the registers
// as they were (precise exceptions).
#include <cstddef>

#include "target/arm/helpers.h"
#include "target/arm/translate/translator.h"
#include "util/log.h"

namespace emu::arm {

using tcg::MemOp;
using tcg::Op;

namespace {

int64_t sext(uint64_t v, unsigned bits) {
    return static_cast<int64_t>(v << (64 - bits)) >> (64 - bits);
}

struct LdstKind {
    bool valid = false;
    bool prefetch = false;
    bool load = false;
    bool fp = false;
    bool sign = false;
    bool to64 = false;  // sign-extend to 64 (else to 32)
    unsigned log2 = 0;
};

LdstKind classify(uint32_t size, uint32_t v, uint32_t opc) {
    LdstKind k;
    if (v) {
        k.fp = true;
        k.log2 = (opc & 2) << 1 | size;
        if (k.log2 > 4) return k;
        k.load = opc & 1;
        k.valid = true;
        return k;
    }
    k.log2 = size;
    switch (opc) {
        case 0:
            k.valid = true;
            break;
        case 1:
            k.valid = k.load = true;
            break;
        case 2:
            if (size == 3) {
                k.prefetch = k.valid = true;
            } else {
                k.valid = k.load = k.sign = k.to64 = true;
            }
            break;
        default:
            if (size >= 2) return k;
            k.valid = k.load = k.sign = true;
            break;
    }
    return k;
}

}  // namespace

// One register transfer at addr (kind already validated).
static void transfer(A64Translator& tr, const LdstKind& k, Value addr, unsigned t, unsigned mmu) {
    Builder& ir = tr.ir();
    Type mt = tcg::int_type_bytes(1u << k.log2);
    uint64_t memop = MemOp::make(k.log2, mmu);
    if (k.fp) {
        if (k.load) {
            Value v = ir.load(mt, addr, memop, tr.pc());
            ir.set_reg(vreg_off(t), ir.zext(Type::I128, v));
        } else {
            Value v = ir.get_reg(mt, vreg_off(t));
            ir.store(addr, v, memop, tr.pc());
        }
        return;
    }
    if (k.load) {
        Value v = ir.load(mt, addr, memop, tr.pc());
        if (k.sign) v = ir.sext(k.to64 ? Type::I64 : Type::I32, v);
        tr.set_x(t, ir.zext(Type::I64, v));
    } else {
        ir.store(addr, ir.trunc(mt, tr.xr(t, true)), memop, tr.pc());
    }
}

// kind: 0 offset, 1 pre-index, 2 post-index.
static bool ldst_imm(A64Translator& tr, uint32_t size, uint32_t v, uint32_t opc, int64_t offset,
                     uint32_t n, uint32_t t, int mode, bool unpriv) {
    LdstKind k = classify(size, v, opc);
    if (!k.valid || (k.prefetch && mode != 0)) return false;
    if (k.prefetch) return true;
    if (k.fp && !tr.fp_access()) return true;
    Builder& ir = tr.ir();
    Value base = tr.xsp(n, true);
    Value moved = offset ? ir.add(base, ir.c64(static_cast<uint64_t>(offset))) : base;
    Value addr = mode == 2 ? base : moved;
    transfer(tr, k, addr, t, unpriv ? 0 : tr.mmu_idx());
    if (mode != 0) tr.set_xsp(n, moved);
    return true;
}

bool A64Translator::LDST_unscaled(uint32_t size, uint32_t v, uint32_t opc, uint32_t imm9,
                                  uint32_t n, uint32_t t) {
    return ldst_imm(*this, size, v, opc, sext(imm9, 9), n, t, 0, false);
}

bool A64Translator::LDST_post(uint32_t size, uint32_t v, uint32_t opc, uint32_t imm9, uint32_t n,
                              uint32_t t) {
    return ldst_imm(*this, size, v, opc, sext(imm9, 9), n, t, 2, false);
}

bool A64Translator::LDST_pre(uint32_t size, uint32_t v, uint32_t opc, uint32_t imm9, uint32_t n,
                             uint32_t t) {
    return ldst_imm(*this, size, v, opc, sext(imm9, 9), n, t, 1, false);
}

bool A64Translator::LDST_unpriv(uint32_t size, uint32_t opc, uint32_t imm9, uint32_t n,
                                uint32_t t) {
    LdstKind k = classify(size, 0, opc);
    if (k.prefetch) return false;
    return ldst_imm(*this, size, 0, opc, sext(imm9, 9), n, t, 0, true);
}

bool A64Translator::LDST_uimm(uint32_t size, uint32_t v, uint32_t opc, uint32_t imm12, uint32_t n,
                              uint32_t t) {
    LdstKind k = classify(size, v, opc);
    if (!k.valid) return false;
    return ldst_imm(*this, size, v, opc, int64_t(imm12) << k.log2, n, t, 0, false);
}

bool A64Translator::LDST_regoff(uint32_t size, uint32_t v, uint32_t opc, uint32_t m,
                                uint32_t option, uint32_t S, uint32_t n, uint32_t t) {
    if (!(option & 2)) return false;
    LdstKind k = classify(size, v, opc);
    if (!k.valid) return false;
    if (k.prefetch) return true;
    if (k.fp && !fp_access()) return true;
    Value off = extend(xr(m, true), option, S ? k.log2 : 0, true);
    Value addr = ir_.add(xsp(n, true), off);
    transfer(*this, k, addr, t, mmu_idx());
    return true;
}

bool A64Translator::LDR_lit(uint32_t opc, uint32_t v, uint32_t imm19, uint32_t t) {
    Value addr = ir_.c64(pc_ + sext(uint64_t(imm19) << 2, 21));
    LdstKind k;
    k.valid = k.load = true;
    if (v) {
        if (opc == 3) return false;
        if (!fp_access()) return true;
        k.fp = true;
        k.log2 = 2 + opc;
    } else {
        if (opc == 3) return true;  // PRFM
        k.log2 = opc == 1 ? 3 : 2;
        k.sign = k.to64 = opc == 2;
    }
    transfer(*this, k, addr, t, mmu_idx());
    return true;
}

bool A64Translator::LDST_pair(uint32_t opc, uint32_t v, uint32_t mode, uint32_t L, uint32_t imm7,
                              uint32_t t2, uint32_t n, uint32_t t) {
    if (opc == 3) return false;
    LdstKind k;
    k.valid = true;
    k.load = L;
    if (v) {
        k.fp = true;
        k.log2 = 2 + opc;
        if (!fp_access()) return true;
    } else {
        if (opc == 1 && (!L || mode == 0)) return false;  // STGP (MTE), LDNPSW
        k.log2 = opc == 2 ? 3 : 2;
        k.sign = k.to64 = opc == 1;
    }
    int64_t off = sext(imm7, 7) * (int64_t(1) << k.log2);
    Value base = xsp(n, true);
    Value moved = ir_.add(base, ir_.c64(static_cast<uint64_t>(off)));
    Value a1 = mode == 1 ? base : moved;
    Value a2 = ir_.add(a1, ir_.c64(1u << k.log2));
    Type mt = tcg::int_type_bytes(1u << k.log2);
    uint64_t mo = memop(k.log2);
    if (L) {
        // Both loads before either register is written (precise faults).
        Value v1 = ir_.load(mt, a1, mo, pc_);
        Value v2 = ir_.load(mt, a2, mo, pc_);
        if (k.fp) {
            ir_.set_reg(vreg_off(t), ir_.zext(Type::I128, v1));
            ir_.set_reg(vreg_off(t2), ir_.zext(Type::I128, v2));
        } else {
            if (k.sign) {
                v1 = ir_.sext(Type::I64, v1);
                v2 = ir_.sext(Type::I64, v2);
            }
            set_x(t, ir_.zext(Type::I64, v1));
            set_x(t2, ir_.zext(Type::I64, v2));
        }
    } else {
        Value v1 = k.fp ? ir_.get_reg(mt, vreg_off(t)) : ir_.trunc(mt, xr(t, true));
        Value v2 = k.fp ? ir_.get_reg(mt, vreg_off(t2)) : ir_.trunc(mt, xr(t2, true));
        ir_.store(a1, v1, mo, pc_);
        ir_.store(a2, v2, mo, pc_);
    }
    if (mode == 1 || mode == 3) set_xsp(n, moved);
    return true;
}

bool A64Translator::LDSTX(uint32_t size, uint32_t L, uint32_t s, uint32_t o0, uint32_t, uint32_t n,
                          uint32_t t) {
    Type mt = tcg::int_type_bytes(1u << size);
    Value addr = xsp(n, true);
    uint64_t mo = memop(size, MemOp::kAligned);
    if (L) {
        Value v = ir_.emit(Op::LoadExcl, mt, {addr}, mo, pc_);
        if (o0) ir_.emit(Op::Fence, Type::Void, {}, 0);
        set_x(t, ir_.zext(Type::I64, v));
    } else {
        if (o0) ir_.emit(Op::Fence, Type::Void, {}, 0);
        Value st = ir_.emit(Op::StoreExcl, Type::I32, {addr, ir_.trunc(mt, xr(t, true))}, mo, pc_);
        set_x(s, st);
    }
    return true;
}

bool A64Translator::LDSTXP(uint32_t sz, uint32_t L, uint32_t s, uint32_t o0, uint32_t t2,
                           uint32_t n, uint32_t t) {
    if (sz) {
        ir_.call(Type::Void, helpers().pair128,
                 {ir_.c64((L ? 0 : 1) | t << 8 | t2 << 13 | s << 18), xsp(n, true), ir_.c64(pc_)});
        return true;
    }
    Value addr = xsp(n, true);
    uint64_t mo = memop(3, MemOp::kAligned);
    if (L) {
        Value v = ir_.emit(Op::LoadExcl, Type::I64, {addr}, mo, pc_);
        if (o0) ir_.emit(Op::Fence, Type::Void, {}, 0);
        set_x(t, ir_.and_(v, ir_.c64(0xffffffff)));
        set_x(t2, ir_.lshr(v, ir_.c64(32)));
    } else {
        if (o0) ir_.emit(Op::Fence, Type::Void, {}, 0);
        Value v = ir_.or_(ir_.zext(Type::I64, xr(t, false)),
                          ir_.shl(ir_.zext(Type::I64, xr(t2, false)), ir_.c64(32)));
        Value st = ir_.emit(Op::StoreExcl, Type::I32, {addr, v}, mo, pc_);
        set_x(s, st);
    }
    return true;
}

bool A64Translator::LDSTLR(uint32_t size, uint32_t L, uint32_t, uint32_t, uint32_t, uint32_t n,
                           uint32_t t) {
    Type mt = tcg::int_type_bytes(1u << size);
    Value addr = xsp(n, true);
    uint64_t mo = memop(size, MemOp::kAligned);
    if (L) {
        Value v = ir_.load(mt, addr, mo | MemOp::kAcquire, pc_);
        ir_.emit(Op::Fence, Type::Void, {}, 0);
        set_x(t, ir_.zext(Type::I64, v));
    } else {
        ir_.emit(Op::Fence, Type::Void, {}, 0);
        ir_.store(addr, ir_.trunc(mt, xr(t, true)), mo | MemOp::kRelease, pc_);
    }
    return true;
}

bool A64Translator::LDAPR(uint32_t size, uint32_t n, uint32_t t) {
    return LDSTLR(size, 1, 31, 1, 31, n, t);
}

bool A64Translator::CAS(uint32_t size, uint32_t L, uint32_t s, uint32_t o0, uint32_t t2, uint32_t n,
                        uint32_t t) {
    if (!(flags_ & kTbLse)) return false;  // ARMv8.1 LSE: Undefined on v8.0 models
    if (t2 != 31) return false;
    Type mt = tcg::int_type_bytes(1u << size);
    Value addr = xsp(n, true);
    Value expected = ir_.trunc(mt, xr(s, true));
    Value desired = ir_.trunc(mt, xr(t, true));
    Value old =
        ir_.emit(Op::CmpXchg, mt, {addr, expected, desired}, memop(size, MemOp::kAligned), pc_);
    set_x(s, ir_.zext(Type::I64, old));
    return true;
}

bool A64Translator::CASP(uint32_t sz, uint32_t L, uint32_t s, uint32_t o0, uint32_t t2, uint32_t n,
                         uint32_t t) {
    if (!(flags_ & kTbLse)) return false;  // ARMv8.1 LSE: Undefined on v8.0 models
    if (t2 != 31 || (s & 1) || (t & 1)) return false;
    if (sz) {
        ir_.call(Type::Void, helpers().pair128,
                 {ir_.c64(2 | t << 8 | s << 18), xsp(n, true), ir_.c64(pc_)});
        return true;
    }
    Value addr = xsp(n, true);
    auto pair = [&](unsigned r) {
        return ir_.or_(ir_.zext(Type::I64, xr(r, false)),
                       ir_.shl(ir_.zext(Type::I64, xr(r + 1, false)), ir_.c64(32)));
    };
    Value old =
        ir_.emit(Op::CmpXchg, Type::I64, {addr, pair(s), pair(t)}, memop(3, MemOp::kAligned), pc_);
    set_x(s, ir_.and_(old, ir_.c64(0xffffffff)));
    set_x(s + 1, ir_.lshr(old, ir_.c64(32)));
    return true;
}

bool A64Translator::ATOMIC(uint32_t size, uint32_t A, uint32_t R, uint32_t s, uint32_t opc,
                           uint32_t n, uint32_t t) {
    if (!(flags_ & kTbLse)) return false;  // ARMv8.1 LSE: Undefined on v8.0 models
    tcg::AtomicOp op;
    if (opc == 8) {
        op = tcg::AtomicOp::Swp;
    } else if (opc < 8) {
        op = static_cast<tcg::AtomicOp>(opc);
    } else {
        return false;
    }
    Type mt = tcg::int_type_bytes(1u << size);
    Value addr = xsp(n, true);
    Value v = ir_.trunc(mt, xr(s, true));
    Value old = ir_.emit(Op::AtomicRmw, mt, {addr, v},
                         memop(size, MemOp::kAligned | tcg::atomic_bits(op)), pc_);
    set_x(t, ir_.zext(Type::I64, old));
    return true;
}

// The structure forms go through one helper (they are rare in hot code).
static bool simd_ldst(A64Translator& tr, uint64_t desc, unsigned n, unsigned m, bool post,
                      unsigned total_bytes) {
    if (!tr.fp_access()) return true;
    Builder& ir = tr.ir();
    Value base = tr.xsp(n, true);
    ir.call(Type::Void, tr.helpers().simd_ldst, {ir.c64(desc), base, ir.c64(tr.pc())});
    if (post) {
        Value inc = m == 31 ? ir.c64(total_bytes) : tr.xr(m, true);
        tr.set_xsp(n, ir.add(base, inc));
    }
    return true;
}

// LD1/ST1 (multiple structures, one to four registers) inline: the bytes
// are consecutive in memory and in the registers whatever the element
// size (little-endian), so each register is one 8- or 16-byte access. All
// loads happen before any register is written, so a fault on a later
// register leaves the destinations unchanged.
static bool ld1_st1(A64Translator& tr, bool load, bool q, unsigned regs, unsigned t, unsigned n,
                    unsigned m, bool post) {
    if (!tr.fp_access()) return true;
    Builder& ir = tr.ir();
    Value base = tr.xsp(n, true);
    unsigned bytes = q ? 16 : 8;
    Type mt = q ? Type::I128 : Type::I64;
    uint64_t memop = MemOp::make(q ? 4 : 3, tr.mmu_idx());
    Value vals[4];
    for (unsigned r = 0; r < regs; ++r) {
        Value addr = r ? ir.add(base, ir.c64(r * bytes)) : base;
        unsigned reg = (t + r) % 32;
        if (load) {
            vals[r] = ir.load(mt, addr, memop, tr.pc());
        } else {
            ir.store(addr, ir.get_reg(mt, vreg_off(reg)), memop, tr.pc());
        }
    }
    if (load) {
        for (unsigned r = 0; r < regs; ++r)
            ir.set_reg(vreg_off((t + r) % 32), ir.zext(Type::I128, vals[r]));
    }
    if (post) {
        Value inc = m == 31 ? ir.c64(regs * bytes) : tr.xr(m, true);
        tr.set_xsp(n, ir.add(base, inc));
    }
    return true;
}

namespace {
bool is_ld1_st1(uint32_t opcode) {
    return opcode == 2 || opcode == 6 || opcode == 7 || opcode == 10;
}
// desc: bit 0 L, 1 q, 2 single, 3 R, 4 S, 8-11 opcode, 12-13 size, 16-20 t
uint64_t simd_desc(uint32_t L, uint32_t q, bool single, uint32_t R, uint32_t S, uint32_t opcode,
                   uint32_t size, uint32_t t) {
    return L | q << 1 | uint64_t(single) << 2 | R << 3 | S << 4 | opcode << 8 | size << 12 |
           uint64_t(t) << 16;
}
// Registers and bytes of a multiple-structure form; false if unallocated.
bool mult_shape(uint32_t opcode, uint32_t q, uint32_t size, unsigned* regs) {
    switch (opcode) {
        case 0:
            *regs = 4;
            break;  // LD4/ST4
        case 2:
            *regs = 4;
            break;  // LD1/ST1 x4
        case 4:
            *regs = 3;
            break;  // LD3/ST3
        case 6:
            *regs = 3;
            break;  // LD1/ST1 x3
        case 7:
            *regs = 1;
            break;  // LD1/ST1 x1
        case 8:
            *regs = 2;
            break;  // LD2/ST2
        case 10:
            *regs = 2;
            break;  // LD1/ST1 x2
        default:
            return false;
    }
    if (size == 3 && !q && opcode != 2 && opcode != 6 && opcode != 7 && opcode != 10) return false;
    return true;
}
// Single structure: selem and element size; false if unallocated.
bool single_shape(uint32_t L, uint32_t R, uint32_t opcode, uint32_t S, uint32_t size, uint32_t q,
                  unsigned* selem, unsigned* esize_log2) {
    unsigned scale = opcode >> 1;
    *selem = ((opcode & 1) << 1 | R) + 1;
    switch (scale) {
        case 0:
            *esize_log2 = 0;
            break;
        case 1:
            if (size & 1) return false;
            *esize_log2 = 1;
            break;
        case 2:
            if (size & 2) return false;
            if (size & 1) {
                if (S) return false;
                *esize_log2 = 3;
            } else {
                *esize_log2 = 2;
            }
            break;
        default:  // LDnR
            if (!L || S) return false;
            *esize_log2 = size;
            break;
    }
    return true;
}
}  // namespace

bool A64Translator::SIMD_LDST_mult(uint32_t q, uint32_t L, uint32_t opcode, uint32_t size,
                                   uint32_t n, uint32_t t) {
    unsigned regs;
    if (!mult_shape(opcode, q, size, &regs)) return false;
    if (is_ld1_st1(opcode)) return ld1_st1(*this, L, q, regs, t, n, 31, false);
    return simd_ldst(*this, simd_desc(L, q, false, 0, 0, opcode, size, t), n, 31, false, 0);
}

bool A64Translator::SIMD_LDST_mult_post(uint32_t q, uint32_t L, uint32_t m, uint32_t opcode,
                                        uint32_t size, uint32_t n, uint32_t t) {
    unsigned regs;
    if (!mult_shape(opcode, q, size, &regs)) return false;
    if (is_ld1_st1(opcode)) return ld1_st1(*this, L, q, regs, t, n, m, true);
    return simd_ldst(*this, simd_desc(L, q, false, 0, 0, opcode, size, t), n, m, true,
                     regs * (q ? 16 : 8));
}

bool A64Translator::SIMD_LDST_single(uint32_t q, uint32_t L, uint32_t R, uint32_t opcode,
                                     uint32_t S, uint32_t size, uint32_t n, uint32_t t) {
    unsigned selem, es;
    if (!single_shape(L, R, opcode, S, size, q, &selem, &es)) return false;
    return simd_ldst(*this, simd_desc(L, q, true, R, S, opcode, size, t), n, 31, false, 0);
}

bool A64Translator::SIMD_LDST_single_post(uint32_t q, uint32_t L, uint32_t R, uint32_t m,
                                          uint32_t opcode, uint32_t S, uint32_t size, uint32_t n,
                                          uint32_t t) {
    unsigned selem, es;
    if (!single_shape(L, R, opcode, S, size, q, &selem, &es)) return false;
    return simd_ldst(*this, simd_desc(L, q, true, R, S, opcode, size, t), n, m, true, selem << es);
}

}  // namespace emu::arm

// Branches, exception generation and system instructions.
#include <cstddef>

#include "target/arm/helpers.h"
#include "target/arm/sysregs.h"
#include "target/arm/translate/translator.h"

namespace emu::arm {

using tcg::Op;

namespace {
int64_t sext(uint64_t v, unsigned bits) {
    return static_cast<int64_t>(v << (64 - bits)) >> (64 - bits);
}
constexpr uint64_t kIL = 1u << 25;
}  // namespace

bool A64Translator::B_uncond(uint32_t op, uint32_t imm26) {
    if (op) set_x(30, ir_.c64(next_pc()));
    uint64_t target = pc_ + sext(uint64_t(imm26) << 2, 28);
    if (!op && follow(target)) return true;
    jump_to(target);
    return true;
}

bool A64Translator::CBZ(uint32_t sf, uint32_t op, uint32_t imm19, uint32_t t) {
    Value c = ir_.cmp(op ? Op::Ne : Op::Eq, xr(t, sf), imm(sf, 0));
    ir_.exit_cond(c, pc_ + sext(uint64_t(imm19) << 2, 21), next_pc());
    end_ = true;
    return true;
}

bool A64Translator::TBZ(uint32_t b, uint32_t op, uint32_t imm14, uint32_t t) {
    Value bit = ir_.and_(ir_.lshr(xr(t, true), ir_.c64(b)), ir_.c64(1));
    Value c = ir_.cmp(op ? Op::Ne : Op::Eq, bit, ir_.c64(0));
    ir_.exit_cond(c, pc_ + sext(uint64_t(imm14) << 2, 16), next_pc());
    end_ = true;
    return true;
}

bool A64Translator::B_cond(uint32_t imm19, uint32_t cond) {
    uint64_t target = pc_ + sext(uint64_t(imm19) << 2, 21);
    if (cond >= 14) {
        jump_to(target);
        return true;
    }
    ir_.exit_cond(ir_.cond_holds(nzcv(), cond), target, next_pc());
    end_ = true;
    return true;
}

bool A64Translator::SVC(uint32_t imm16) {
    raise(uint64_t(0x15) << 26 | kIL | imm16, next_pc());
    return true;
}

bool A64Translator::HVC(uint32_t imm16) {
    if (el_ == 0) return false;
    ir_.call(Type::Void, helpers().hvc, {ir_.c64(imm16), ir_.c64(pc_)});
    end_dispatch();
    return true;
}

bool A64Translator::SMC(uint32_t imm16) {
    if (el_ == 0) return false;
    ir_.call(Type::Void, helpers().smc, {ir_.c64(imm16), ir_.c64(pc_)});
    end_dispatch();
    return true;
}

bool A64Translator::BRK(uint32_t imm16) {
    raise(uint64_t(0x3c) << 26 | kIL | imm16, pc_);
    return true;
}

bool A64Translator::HLT(uint32_t imm16) {
    ir_.call(Type::Void, helpers().hlt, {ir_.c64(imm16), ir_.c64(pc_)});
    end_dispatch();
    return true;
}

bool A64Translator::BR(uint32_t n) {
    jump_indirect(xr(n, true));
    return true;
}

bool A64Translator::BLR(uint32_t n) {
    Value target = xr(n, true);
    set_x(30, ir_.c64(next_pc()));
    jump_indirect(target);
    return true;
}

bool A64Translator::RET(uint32_t n) {
    jump_indirect(xr(n, true));
    return true;
}

bool A64Translator::ERET() {
    if (el_ == 0) return false;
    ir_.call(Type::Void, helpers().eret, {ir_.c64(pc_)});
    ir_.exit_dispatch();
    end_ = true;
    return true;
}

bool A64Translator::HINT(uint32_t crm, uint32_t op2) {
    switch (crm << 3 | op2) {
        case 2:  // WFE: no event model yet; yield to the dispatcher
        case 1:  // YIELD
            end_dispatch();
            return true;
        case 3:  // WFI
            ir_.call(Type::Void, helpers().wfi, {ir_.c64(next_pc())});
            ir_.exit_dispatch();
            end_ = true;
            return true;
        default:
            return true;  // NOP, SEV, SEVL, and the unallocated hints
    }
}

bool A64Translator::CLREX(uint32_t) {
    ir_.set_reg(offsetof(tcg::TcgEnv, excl_addr), ir_.c64(tcg::kTlbInvalid));
    return true;
}

bool A64Translator::DSB(uint32_t) {
    ir_.emit(Op::Fence, Type::Void, {}, static_cast<uint64_t>(tcg::FenceKind::Full));
    return true;
}

bool A64Translator::DMB(uint32_t crm) {
    ir_.emit(Op::Fence, Type::Void, {}, static_cast<uint64_t>(tcg::FenceKind::Full));
    return true;
}

bool A64Translator::ISB(uint32_t) {
    // Context synchronisation: later instructions see earlier system
    // register writes and code changes; ending the block does that.
    jump_to(next_pc());
    return true;
}

bool A64Translator::MSR_imm(uint32_t op1, uint32_t crm, uint32_t op2) {
    if (op1 == 0 && op2 == 0 && crm == 0) {  // CFINV
        set_nzcv(ir_.xor_(nzcv(), ir_.c32(1u << 29)));
        return true;
    }
    if (el_ == 0) return false;  // SCTLR_EL1.UMA is not supported
    ir_.call(Type::Void, helpers().msr_imm, {ir_.c64(op1 << 3 | op2), ir_.c64(crm), ir_.c64(pc_)});
    // Interrupt masks are not part of the translation mode. Masking more
    // (DAIFSet) cannot make an interrupt takeable: the block goes on.
    // Unmasking (DAIFClr) asks for an interrupt check when one is pending,
    // which the chained exit honours, so the block ends chainably. The
    // kernel masks and unmasks around every spinlock: a dispatcher round
    // trip each time was a large share of all block exits.
    if (op1 == 3 && op2 == 6) return true;
    if (op1 == 3 && op2 == 7) {
        jump_to(next_pc());
        return true;
    }
    end_dispatch();
    return true;
}

bool A64Translator::SYS(uint32_t op1, uint32_t crn, uint32_t crm, uint32_t op2, uint32_t t) {
    if (crn == 7 && (crm == 5 || crm == 1) && op1 <= 3) return true;  // IC: code writes are tracked
    if (crn == 7 && op1 == 3 && crm == 4 && op2 == 1) {               // DC ZVA
        ir_.call(Type::Void, helpers().sys,
                 {ir_.c64(op1 << 11 | crn << 7 | crm << 3 | op2), xr(t, true), ir_.c64(pc_)});
        return true;
    }
    if (crn == 7 &&
        (crm == 6 || crm == 10 || crm == 11 || crm == 12 || crm == 13 || crm == 14 || crm == 3)) {
        // DC IVAC/ISW/CSW/CISW/CVAC/CVAU/CVAP/CIVAC...: no caches modelled.
        if (el_ == 0 && op1 != 3) return false;
        return true;
    }
    if (el_ == 0) return false;
    if (crn == 8 || (crn == 7 && crm == 8)) {  // TLBI, AT
        ir_.call(Type::Void, helpers().sys,
                 {ir_.c64(op1 << 11 | crn << 7 | crm << 3 | op2), xr(t, true), ir_.c64(pc_)});
        end_dispatch();
        return true;
    }
    return false;
}

bool A64Translator::SYSL(uint32_t, uint32_t, uint32_t, uint32_t, uint32_t) {
    return false;
}

bool A64Translator::MRS(uint32_t s, uint32_t t) {
    uint32_t enc = 0x8000 | s;
    const SysregInfo* r = find_sysreg(enc);
    if (r && (r->flags & kSrWriteOnly)) return false;
    if (r && el_ == 0 && !(r->flags & kSrEl0Read)) return false;
    if (enc == sr::CurrentEL) {
        set_x(t, ir_.c64(uint64_t(el_) << 2));
        return true;
    }
    if (r && r->offset >= 0 && !(r->flags & kSrHelper)) {
        bool narrow =
            enc == sr::NZCV || enc == sr::enc(3, 3, 4, 4, 0) || enc == sr::enc(3, 3, 4, 4, 1);
        Type ty = narrow ? Type::I32 : Type::I64;
        set_x(t, ir_.zext(Type::I64, ir_.get_reg(ty, static_cast<uint32_t>(r->offset))));
        return true;
    }
    // Helper: computed registers, the GIC CPU interface, and unknown ones
    // (the helper raises Undefined for those).
    set_x(t, ir_.call(Type::I64, helpers().mrs, {ir_.c64(enc), ir_.c64(pc_)}));
    return true;
}

namespace {
bool is_timer_reg(uint32_t enc) {
    switch (enc) {
        case sr::CNTP_TVAL_EL0:
        case sr::CNTP_CTL_EL0:
        case sr::CNTP_CVAL_EL0:
        case sr::CNTV_TVAL_EL0:
        case sr::CNTV_CTL_EL0:
        case sr::CNTV_CVAL_EL0:
            return true;
        default:
            return false;
    }
}
}  // namespace

bool A64Translator::MSR_reg(uint32_t s, uint32_t t) {
    uint32_t enc = 0x8000 | s;
    const SysregInfo* r = find_sysreg(enc);
    if (r && (r->flags & kSrReadOnly)) return false;
    if (r && el_ == 0 && !(r->flags & kSrEl0Write)) return false;
    Value v = xr(t, true);
    if (r && r->offset >= 0 && !(r->flags & (kSrHelper | kSrEndBlock))) {
        bool narrow =
            enc == sr::NZCV || enc == sr::enc(3, 3, 4, 4, 0) || enc == sr::enc(3, 3, 4, 4, 1);
        Value m = ir_.and_(v, ir_.c64(r->write_mask));
        if (r->write_mask != ~0ull && !narrow) {
            Value old = ir_.get_reg(Type::I64, static_cast<uint32_t>(r->offset));
            m = ir_.or_(m, ir_.and_(old, ir_.c64(~r->write_mask)));
        }
        ir_.set_reg(static_cast<uint32_t>(r->offset), narrow ? ir_.trunc(Type::I32, m) : m);
        return true;
    }
    ir_.call(Type::Void, helpers().msr, {ir_.c64(enc), v, ir_.c64(pc_)});
    if (enc == sr::DAIF || is_timer_reg(enc)) {
        // They only change interrupt state, which the helper turns into an
        // exit request; a chained exit checks it (see MSR_imm).
        jump_to(next_pc());
    } else if (!r || (r->flags & (kSrEndBlock | kSrHelper))) {
        end_dispatch();
    }
    return true;
}

}  // namespace emu::arm

// Helpers for translated A64 code: exceptions, system registers, PSCI and
// semihosting calls, WFI, cache/TLB maintenance, CRC32 and the SIMD
// structure loads/stores.
#include "target/arm/helpers.h"

#include <cinttypes>
#include <cstring>

#include "target/arm/arm_cpu.h"
#include "target/arm/crypto_helpers.h"
#include "target/arm/fp_helpers.h"
#include "target/arm/sysregs.h"
#include "tcg/exec/softmmu.h"
#include "tcg/ir/helpers.h"
#include "util/bql.h"
#include "util/log.h"

namespace emu::arm {

using tcg::HelperRet;

namespace {

ArmCpu& cpu_of(void* env) {
    return *static_cast<ArmCpu*>(static_cast<tcg::TcgEnv*>(env)->cpu);
}
ArmCpuState& st_of(void* env) {
    return *static_cast<ArmCpuState*>(env);
}

HelperRet h_exception(void* env, uint64_t esr, uint64_t ret, uint64_t, uint64_t) {
    return {0, cpu_of(env).take_exception(ExcKind::Sync, esr, ret, 0, false)};
}

HelperRet h_eret(void* env, uint64_t, uint64_t, uint64_t, uint64_t) {
    cpu_of(env).exception_return();
    return {0, tcg::kStatusExit};
}

HelperRet h_wfi(void* env, uint64_t next_pc, uint64_t, uint64_t, uint64_t) {
    st_of(env).tcg.pc = next_pc;
    return {0, tcg::kStatusHalt};
}

HelperRet psci(void* env, PsciConduit conduit, uint64_t imm, uint64_t pc) {
    ArmCpu& cpu = cpu_of(env);
    ArmCpuState& s = st_of(env);
    const ArmCpuConfig& cfg = cpu.config();
    if (cfg.psci == conduit && imm == 0 && cfg.hooks) {
        uint64_t regs[4] = {s.x[0], s.x[1], s.x[2], s.x[3]};
        uint64_t out = 0;
        bool ok;
        {
            BqlGuard g;
            ok = cfg.hooks->psci_call(cfg.index, regs, &out);
        }
        if (ok) {
            s.x[0] = out;
            if (cpu.powered_off) {
                s.tcg.pc = pc + 4;
                return {0, kStatusPowerOff};
            }
            return {0, 0};
        }
    }
    // No EL2/EL3: HVC and SMC are Undefined unless they are the PSCI conduit.
    return {0, cpu.undefined_at(pc)};
}

HelperRet h_hvc(void* env, uint64_t imm, uint64_t pc, uint64_t, uint64_t) {
    return psci(env, PsciConduit::Hvc, imm, pc);
}
HelperRet h_smc(void* env, uint64_t imm, uint64_t pc, uint64_t, uint64_t) {
    return psci(env, PsciConduit::Smc, imm, pc);
}

HelperRet h_hlt(void* env, uint64_t imm, uint64_t pc, uint64_t, uint64_t) {
    ArmCpu& cpu = cpu_of(env);
    ArmCpuState& s = st_of(env);
    const ArmCpuConfig& cfg = cpu.config();
    if (imm == 0xf000 && cfg.semihosting && cfg.hooks) {
        uint64_t r;
        {
            BqlGuard g;
            r = cfg.hooks->semihosting_call(cfg.index, s.x[0] & 0xffffffff, s.x[1]);
        }
        s.x[0] = r;
        return {0, 0};
    }
    return {0, cpu.undefined_at(pc)};  // no halting debug
}

// Timer register views.
uint64_t* timer_ctl(ArmCpuState& s, uint32_t enc) {
    return enc == sr::CNTP_CTL_EL0 || enc == sr::CNTP_TVAL_EL0 || enc == sr::CNTP_CVAL_EL0
               ? &s.cntp_ctl
               : &s.cntv_ctl;
}
uint64_t* timer_cval(ArmCpuState& s, uint32_t enc) {
    return timer_ctl(s, enc) == &s.cntp_ctl ? &s.cntp_cval : &s.cntv_cval;
}

bool sysreg_read(ArmCpu& cpu, uint32_t enc, uint64_t* v) {
    ArmCpuState& s = cpu.st();
    switch (enc) {
        case sr::SPSel:
            *v = s.spsel;
            return true;
        case sr::DAIF:
            *v = s.daif;
            return true;
        case sr::CurrentEL:
            *v = s.el << 2;
            return true;
        case sr::SP_EL0:
            *v = s.spsel ? s.sp_el[0] : s.x[31];
            return true;
        case sr::CNTPCT_EL0:
            *v = cpu.counter();
            return true;
        case sr::CNTVCT_EL0:
            *v = cpu.counter() - s.cntvoff;
            return true;
        case sr::ISR_EL1: {
            cpu.timer_update();
            *v = cpu.interrupt_pending() ? (1u << 7) : 0;  // I (the IRQ line); FIQ shares it here
            return true;
        }
        case sr::CNTP_CTL_EL0:
        case sr::CNTV_CTL_EL0: {
            uint64_t ctl = *timer_ctl(s, enc);
            uint64_t now = cpu.counter() - (enc == sr::CNTV_CTL_EL0 ? s.cntvoff : 0);
            bool istatus = (ctl & 1) && now >= *timer_cval(s, enc);
            *v = (ctl & 3) | (istatus ? 4 : 0);
            return true;
        }
        case sr::CNTP_CVAL_EL0:
        case sr::CNTV_CVAL_EL0:
            *v = *timer_cval(s, enc);
            return true;
        case sr::CNTP_TVAL_EL0:
        case sr::CNTV_TVAL_EL0: {
            uint64_t now = cpu.counter() - (enc == sr::CNTV_TVAL_EL0 ? s.cntvoff : 0);
            *v = static_cast<uint32_t>(*timer_cval(s, enc) - now);
            return true;
        }
        default:
            break;
    }
    const SysregInfo* r = find_sysreg(enc);
    if (r && r->offset >= 0) {
        const uint8_t* p = reinterpret_cast<const uint8_t*>(&s) + r->offset;
        bool narrow =
            enc == sr::NZCV || enc == sr::enc(3, 3, 4, 4, 0) || enc == sr::enc(3, 3, 4, 4, 1);
        uint32_t w;
        if (narrow) {
            std::memcpy(&w, p, 4);
            *v = w;
        } else {
            std::memcpy(v, p, 8);
        }
        return true;
    }
    const ArmCpuConfig& cfg = cpu.config();
    if (cfg.gic_sysregs) {
        BqlGuard g;
        if (cfg.gic_sysregs->sysreg_read(cfg.index, enc, v)) return true;
    }
    return false;
}

bool sysreg_write(ArmCpu& cpu, uint32_t enc, uint64_t v) {
    ArmCpuState& s = cpu.st();
    switch (enc) {
        case sr::SPSel:
            cpu.set_el_spsel(s.el, v & 1);
            return true;
        case sr::DAIF:
            s.daif = v & kDaifMask;
            cpu.check_unmasked();
            return true;
        case sr::SP_EL0:
            if (s.spsel) {
                s.sp_el[0] = v;
            } else {
                s.x[31] = v;
            }
            return true;
        case sr::CNTP_CTL_EL0:
        case sr::CNTV_CTL_EL0:
            *timer_ctl(s, enc) = v & 3;
            cpu.timer_update();
            cpu.check_unmasked();
            return true;
        case sr::CNTP_CVAL_EL0:
        case sr::CNTV_CVAL_EL0:
            *timer_cval(s, enc) = v;
            cpu.timer_update();
            return true;
        case sr::CNTP_TVAL_EL0:
        case sr::CNTV_TVAL_EL0: {
            uint64_t now = cpu.counter() - (enc == sr::CNTV_TVAL_EL0 ? s.cntvoff : 0);
            *timer_cval(s, enc) =
                now + static_cast<uint64_t>(static_cast<int64_t>(static_cast<int32_t>(v)));
            cpu.timer_update();
            return true;
        }
        case sr::enc(2, 0, 1, 0, 4):
            return true;  // OSLAR_EL1: no OS lock model
        default:
            break;
    }
    const SysregInfo* r = find_sysreg(enc);
    if (r && r->offset >= 0 && !(r->flags & kSrReadOnly)) {
        uint8_t* p = reinterpret_cast<uint8_t*>(&s) + r->offset;
        uint64_t old;
        std::memcpy(&old, p, 8);
        uint64_t nv = (old & ~r->write_mask) | (v & r->write_mask);
        std::memcpy(p, &nv, 8);
        // Translation controls (SCTLR, TTBRn, TCR): the TLB is not tagged
        // by ASID or regime, so a change drops it; rewriting the same value
        // (the kernel does on every return to user space with some
        // configurations) changes nothing.
        if ((enc == sr::SCTLR_EL1 || (r->flags & kSrHelper)) && nv != old) {
            cpu.translation_reg_written(enc, old, nv);
        }
        return true;
    }
    const ArmCpuConfig& cfg = cpu.config();
    if (cfg.gic_sysregs) {
        BqlGuard g;
        if (cfg.gic_sysregs->sysreg_write(cfg.index, enc, v)) return true;
    }
    return false;
}

std::string sysreg_name(uint32_t enc) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "S%u_%u_C%u_C%u_%u", enc >> 14, (enc >> 11) & 7, (enc >> 7) & 15,
                  (enc >> 3) & 15, enc & 7);
    return buf;
}

HelperRet h_mrs(void* env, uint64_t enc, uint64_t pc, uint64_t, uint64_t) {
    ArmCpu& cpu = cpu_of(env);
    uint64_t v = 0;
    if (sysreg_read(cpu, static_cast<uint32_t>(enc), &v)) return {v, 0};
    log_mask(LOG_UNIMP, "MRS of unimplemented system register %s at 0x%" PRIx64 "\n",
             sysreg_name(static_cast<uint32_t>(enc)).c_str(), pc);
    return {0, cpu.undefined_at(pc)};
}

HelperRet h_msr(void* env, uint64_t enc, uint64_t v, uint64_t pc, uint64_t) {
    ArmCpu& cpu = cpu_of(env);
    if (sysreg_write(cpu, static_cast<uint32_t>(enc), v)) return {0, 0};
    log_mask(LOG_UNIMP, "MSR to unimplemented system register %s at 0x%" PRIx64 "\n",
             sysreg_name(static_cast<uint32_t>(enc)).c_str(), pc);
    return {0, cpu.undefined_at(pc)};
}

HelperRet h_msr_imm(void* env, uint64_t field, uint64_t crm, uint64_t pc, uint64_t) {
    ArmCpu& cpu = cpu_of(env);
    ArmCpuState& s = st_of(env);
    switch (field) {
        case 0 << 3 | 5:
            cpu.set_el_spsel(s.el, crm & 1);
            return {0, 0};  // SPSel
        case 3 << 3 | 6:
            s.daif |= (crm << 6) & kDaifMask;
            return {0, 0};  // DAIFSet
        case 3 << 3 | 7:    // DAIFClr
            s.daif &= ~((crm << 6) & kDaifMask);
            cpu.check_unmasked();
            return {0, 0};
        default:
            log_mask(LOG_UNIMP, "MSR (immediate) field op1=%u op2=%u: not implemented\n",
                     static_cast<unsigned>(field >> 3), static_cast<unsigned>(field & 7));
            return {0, cpu.undefined_at(pc)};
    }
}

HelperRet h_sys(void* env, uint64_t op, uint64_t value, uint64_t pc, uint64_t) {
    ArmCpu& cpu = cpu_of(env);
    ArmCpuState& s = st_of(env);
    unsigned crn = (op >> 7) & 15, crm = (op >> 3) & 15;
    if (crn == 7 && crm == 4) {  // DC ZVA
        uint64_t base = value & ~uint64_t(63);
        return {0, tcg::mem_zero_block(env, base, 64, s.el, pc)};
    }
    if (crn == 8) return {0, tlbi(cpu, static_cast<uint32_t>(op), value, pc)};
    if (crn == 7 && crm == 8 && ((op >> 11) & 7) == 0) {  // AT S1E1R/W, S1E0R/W
        static const mmu::AtOp kOps[4] = {mmu::AtOp::S1E1R, mmu::AtOp::S1E1W, mmu::AtOp::S1E0R,
                                          mmu::AtOp::S1E0W};
        unsigned op2 = op & 7;
        if (op2 > 3) return {0, cpu.undefined_at(pc)};
        s.par_el1 =
            mmu::address_translate(*cpu.address_space(), cpu.current_mmu_regs(), kOps[op2], value);
        return {0, 0};
    }
    return {0, cpu.undefined_at(pc)};
}

HelperRet h_crc32(void*, uint64_t acc, uint64_t val, uint64_t desc, uint64_t) {
    unsigned bytes = desc & 0xff;
    uint32_t poly = (desc & 0x100) ? 0x82f63b78u : 0xedb88320u;
    uint32_t crc = static_cast<uint32_t>(acc);
    for (unsigned i = 0; i < bytes; ++i) {
        crc ^= (val >> (8 * i)) & 0xff;
        for (int b = 0; b < 8; ++b)
            crc = (crc >> 1) ^ (poly & (0u - (crc & 1)));
    }
    return {crc, 0};
}

HelperRet h_check_irq(void* env, uint64_t, uint64_t, uint64_t, uint64_t) {
    cpu_of(env).check_unmasked();
    return {0, 0};
}

// LDn/STn structure forms; desc as built by translate/ldst.cpp.
HelperRet h_simd_ldst(void* env, uint64_t desc, uint64_t addr, uint64_t pc, uint64_t) {
    ArmCpuState& s = st_of(env);
    bool L = desc & 1, q = desc & 2, single = desc & 4;
    unsigned R = (desc >> 3) & 1, S = (desc >> 4) & 1, opcode = (desc >> 8) & 15,
             size = (desc >> 12) & 3, t = (desc >> 16) & 31;
    unsigned mmu = s.el;
    uint8_t regs[4][16];
    auto access = [&](uint64_t a, unsigned es, uint8_t* p) -> uint64_t {
        uint64_t memop = tcg::MemOp::make(es, mmu);
        if (L) {
            HelperRet r = tcg::mem_load(env, a, memop, pc);
            if (r.status) return r.status;
            std::memcpy(p, &r.value, 1u << es);
            return 0;
        }
        uint64_t v = 0;
        std::memcpy(&v, p, 1u << es);
        return tcg::mem_store(env, a, v, memop, pc).status;
    };
    if (!single) {
        unsigned rpt, selem;
        switch (opcode) {
            case 0:
                rpt = 1, selem = 4;
                break;
            case 2:
                rpt = 4, selem = 1;
                break;
            case 4:
                rpt = 1, selem = 3;
                break;
            case 6:
                rpt = 3, selem = 1;
                break;
            case 7:
                rpt = 1, selem = 1;
                break;
            case 8:
                rpt = 1, selem = 2;
                break;
            default:
                rpt = 2, selem = 1;
                break;
        }
        unsigned nregs = rpt * selem;
        for (unsigned r = 0; r < nregs; ++r)
            std::memcpy(regs[r], s.v[(t + r) % 32], 16);
        unsigned elems = (q ? 16 : 8) >> size;
        uint64_t a = addr;
        for (unsigned r = 0; r < rpt; ++r) {
            for (unsigned e = 0; e < elems; ++e) {
                for (unsigned k = 0; k < selem; ++k) {
                    if (uint64_t st = access(a, size, &regs[r + k][e << size])) return {0, st};
                    a += 1u << size;
                }
            }
        }
        if (L) {
            for (unsigned r = 0; r < nregs; ++r) {
                if (!q) std::memset(regs[r] + 8, 0, 8);
                std::memcpy(s.v[(t + r) % 32], regs[r], 16);
            }
        }
        return {0, 0};
    }
    unsigned scale = opcode >> 1;
    unsigned selem = ((opcode & 1) << 1 | R) + 1;
    unsigned index;
    unsigned es = scale;
    switch (scale) {
        case 0:
            index = q << 3 | S << 2 | size;
            break;
        case 1:
            index = q << 2 | S << 1 | (size >> 1);
            break;
        case 2:
            if (size & 1) {
                es = 3;
                index = q;
            } else {
                index = q << 1 | S;
            }
            break;
        default:
            es = size, index = 0;
            break;
    }
    for (unsigned k = 0; k < selem; ++k)
        std::memcpy(regs[k], s.v[(t + k) % 32], 16);
    uint64_t a = addr;
    if (scale == 3) {  // LDnR: load one element per register and replicate
        for (unsigned k = 0; k < selem; ++k) {
            uint8_t e[8];
            if (uint64_t st = access(a, es, e)) return {0, st};
            a += 1u << es;
            std::memset(regs[k], 0, 16);
            for (unsigned off = 0; off < (q ? 16u : 8u); off += 1u << es) {
                std::memcpy(regs[k] + off, e, 1u << es);
            }
        }
    } else {
        for (unsigned k = 0; k < selem; ++k) {
            if (uint64_t st = access(a, es, &regs[k][index << es])) return {0, st};
            a += 1u << es;
        }
    }
    if (L) {
        for (unsigned k = 0; k < selem; ++k)
            std::memcpy(s.v[(t + k) % 32], regs[k], 16);
    }
    return {0, 0};
}

// 16-byte compare-and-swap on host memory (x86-64 CMPXCHG16B).
bool cas128(void* p, uint64_t* exp_lo, uint64_t* exp_hi, uint64_t new_lo, uint64_t new_hi) {
    bool ok;
    asm volatile("lock cmpxchg16b %1"
                 : "=@ccz"(ok), "+m"(*static_cast<volatile unsigned __int128*>(p)), "+a"(*exp_lo),
                   "+d"(*exp_hi)
                 : "b"(new_lo), "c"(new_hi)
                 : "memory");
    return ok;
}

// kind 0 LDXP, 1 STXP, 2 CASP; regs: t | t2 << 5 | s << 10.
HelperRet h_pair128(void* env, uint64_t desc, uint64_t addr, uint64_t pc, uint64_t) {
    ArmCpuState& s = st_of(env);
    unsigned kind = desc & 0xff, t = (desc >> 8) & 31, t2 = (desc >> 13) & 31,
             rs = (desc >> 18) & 31;
    auto xget = [&](unsigned r) { return r == 31 ? 0 : s.x[r]; };
    auto xset = [&](unsigned r, uint64_t v) {
        if (r != 31) s.x[r] = v;
    };
    void* host;
    if (uint64_t st = tcg::mem_atomic_host(env, addr, 16, s.el, pc, &host)) return {0, st};
    uint64_t lo = 0, hi = 0;
    if (!host) {
        // Device memory: no atomicity to offer; two plain accesses.
        HelperRet a = tcg::mem_load(env, addr, tcg::MemOp::make(3, s.el), pc);
        if (a.status) return a;
        HelperRet b = tcg::mem_load(env, addr + 8, tcg::MemOp::make(3, s.el), pc);
        if (b.status) return b;
        lo = a.value, hi = b.value;
    } else {
        cas128(host, &lo, &hi, 0, 0);  // atomic 16-byte read (stores only if it was zero)
    }
    switch (kind) {
        case 0:
            s.tcg.excl_addr = addr;
            s.tcg.excl_val[0] = lo;
            s.tcg.excl_val[1] = hi;
            xset(t, lo);
            xset(t2, hi);
            return {0, 0};
        case 1: {
            bool hold = s.tcg.excl_addr == addr;
            s.tcg.excl_addr = tcg::kTlbInvalid;
            uint64_t el = s.tcg.excl_val[0], eh = s.tcg.excl_val[1];
            bool ok =
                hold && (host ? cas128(host, &el, &eh, xget(t), xget(t2)) : (lo == el && hi == eh));
            if (ok && !host) {
                tcg::mem_store(env, addr, xget(t), tcg::MemOp::make(3, s.el), pc);
                tcg::mem_store(env, addr + 8, xget(t2), tcg::MemOp::make(3, s.el), pc);
            }
            xset(rs, ok ? 0 : 1);
            return {0, 0};
        }
        default: {
            uint64_t el = xget(rs), eh = xget(rs + 1);
            if (host) {
                cas128(host, &el, &eh, xget(t), xget(t + 1));
            } else {
                if (lo == el && hi == eh) {
                    tcg::mem_store(env, addr, xget(t), tcg::MemOp::make(3, s.el), pc);
                    tcg::mem_store(env, addr + 8, xget(t + 1), tcg::MemOp::make(3, s.el), pc);
                }
                el = lo, eh = hi;
            }
            xset(rs, el);
            xset(rs + 1, eh);
            return {0, 0};
        }
    }
}

using namespace tcg;

}  // namespace

const ArmHelperIds& arm_helpers() {
    static const ArmHelperIds ids = [] {
        ArmHelperIds h{};
        constexpr uint8_t kAll = kHelperReadsState | kHelperWritesState | kHelperFault | kHelperMem;
        h.exception = register_helper("arm_exception", h_exception, kAll);
        h.mrs = register_helper("arm_mrs", h_mrs, kAll);
        h.msr = register_helper("arm_msr", h_msr, kAll);
        h.msr_imm = register_helper("arm_msr_imm", h_msr_imm, kAll);
        h.eret = register_helper("arm_eret", h_eret, kAll);
        h.wfi = register_helper("arm_wfi", h_wfi, kAll);
        h.hvc = register_helper("arm_hvc", h_hvc, kAll);
        h.smc = register_helper("arm_smc", h_smc, kAll);
        h.hlt = register_helper("arm_hlt", h_hlt, kAll);
        h.sys = register_helper("arm_sys", h_sys, kAll);
        h.crc32 = register_helper("arm_crc32", h_crc32, kHelperPure);
        h.simd_ldst = register_helper("arm_simd_ldst", h_simd_ldst, kAll);
        h.pair128 = register_helper("arm_pair128", h_pair128, kAll);
        h.check_irq = register_helper("arm_check_irq", h_check_irq, kHelperReadsState);
        register_fp_helpers(&h);
        h.crypto =
            register_helper("arm_crypto", crypto_helper, kHelperReadsState | kHelperWritesState);
        return h;
    }();
    return ids;
}

}  // namespace emu::arm

#include "target/arm/arm_cpu.h"

#include <capstone/capstone.h>

#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstring>

#include "target/arm/mmu/regs.h"
#include "target/arm/sysregs.h"
#include "target/arm/translate/translator.h"
#include "util/bql.h"
#include "util/log.h"

namespace emu::arm {

namespace {

const ArmModel kModels[] = {
    {"cortex-a57", "ARM Cortex-A57", 0x411fd070, 0x00011120},
    {"cortex-a53", "ARM Cortex-A53", 0x410fd034, 0x00011120},
    {"cortex-a72", "ARM Cortex-A72", 0x410fd083, 0x00011120},
    {"max", "the most capable CPU this translator implements (cortex-a57 base)", 0x411fd070,
     0x00211120},
};

int64_t now_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

// The generic timer's count starts with the first vCPU: all vCPUs share
// it, as the system counter is one for all PEs. Per-vCPU epochs made one
// vCPU's count trail another's by the time between their constructions
// (milliseconds with an LLVM tier to set up): Linux then saw its
// clocksource go backwards between CPUs and timekeeping jumped by the
// clamped maximum (2^41 ns), stalling RCU under -smp 2.
int64_t counter_epoch_ns() {
    static const int64_t epoch = now_ns();
    return epoch;
}

constexpr unsigned kMaxBlockInsns = 128;

// Register names for -d op.
std::string env_name(uint32_t off) {
    char buf[32];
    if (off >= xreg_off(0) && off < xreg_off(31) && (off - xreg_off(0)) % 8 == 0) {
        std::snprintf(buf, sizeof buf, "x%u", (off - xreg_off(0)) / 8);
        return buf;
    }
    if (off == kSpOff) return "sp";
    if (off == kNzcvOff) return "nzcv";
    if (off == tcg::kEnvPcOffset) return "pc";
    if (off >= vreg_off(0) && off < vreg_off(32)) {
        unsigned r = (off - vreg_off(0)) / 16, b = (off - vreg_off(0)) % 16;
        if (b) {
            std::snprintf(buf, sizeof buf, "v%u+%u", r, b);
        } else {
            std::snprintf(buf, sizeof buf, "v%u", r);
        }
        return buf;
    }
    return {};
}

}  // namespace

const ArmModel* find_model(const std::string& name) {
    for (const ArmModel& m : kModels) {
        if (name == m.name) return &m;
    }
    return nullptr;
}

const std::vector<ArmCpuModelInfo>& arm_cpu_models() {
    static const std::vector<ArmCpuModelInfo> list = [] {
        std::vector<ArmCpuModelInfo> v;
        for (const ArmModel& m : kModels)
            v.push_back({m.name, m.description});
        return v;
    }();
    return list;
}

ArmCpu::ArmCpu(const ArmCpuConfig& cfg, tcg::ExecOptions opts,
               std::unique_ptr<tcg::TierCompiler> compiler)
    : tcg::Cpu(&state->tcg, cfg.memory, opts, std::move(compiler)),
      cfg_(cfg),
      boot_ns_(counter_epoch_ns()) {
    tcg::set_env_namer(env_name);
    arm_gdb_register_helpers();  // before any vCPU thread translates
    model_ = find_model(cfg.model);
    if (!model_) model_ = &kModels[0];
    reset();
    timer_thread_ = std::thread([this] { timer_thread_main(); });
}

ArmCpu::~ArmCpu() {
    {
        std::lock_guard<std::mutex> g(wait_lock_);
        timer_stop_ = true;
    }
    wait_cv_.notify_all();
    timer_thread_.join();
}

void ArmCpu::reset() {
    ArmCpuState& s = st();
    // Everything after the TcgEnv header is architectural state.
    std::memset(reinterpret_cast<uint8_t*>(&s) + sizeof(tcg::TcgEnv), 0,
                sizeof(ArmCpuState) - sizeof(tcg::TcgEnv));
    s.tcg.pc = 0;
    s.tcg.excl_addr = tcg::kTlbInvalid;
    s.el = 1;
    s.spsel = 1;
    s.daif = kDaifMask;
    s.sctlr_el1 = 0x30d00800;  // RES1 bits; MMU, caches, alignment checks off
    s.midr = model_->midr;
    s.mpidr = (1ull << 31) | cfg_.mpidr;
    s.id_aa64pfr0 = 0x11 | (cfg_.gic_sysregs ? 1ull << 24 : 0);  // EL0/EL1 AArch64, FP, AdvSIMD
    s.id_aa64isar0 = model_->id_aa64isar0;
    s.id_aa64mmfr0 = 0x00001124;
    // Debug architecture v8, 2 breakpoints and 2 watchpoints (the architected
    // minimum; their registers are storage only), no PMU.
    s.id_aa64dfr0 = 0x00101006;
    s.ctr_el0 = 0x8444c004;
    s.dczid_el0 = 4;  // DC ZVA on 64-byte blocks
    s.clidr = 0x0a200023;
    s.oslsr_el1 = 0xa;
    s.cntfrq = cfg_.generic_timer_hz;
    powered_off = cfg_.start_powered_off;
    tlb_flush();
    tlb_set_asid(current_asid());
    tb_flush();
    timer_update();
}

void ArmCpu::set_boot_state(uint64_t pc, const uint64_t x[4]) {
    ArmCpuState& s = st();
    set_el_spsel(1, 1);
    s.daif = kDaifMask;
    for (int i = 0; i < 4; ++i)
        s.x[i] = x[i];
    s.tcg.pc = pc;
    powered_off = false;
}

uint32_t ArmCpu::pstate_bits() const {
    const ArmCpuState& s = *state;
    return s.nzcv | s.daif | s.el << 2 | s.spsel;
}

void ArmCpu::set_el_spsel(uint32_t el, uint32_t spsel) {
    ArmCpuState& s = st();
    unsigned old_bank = s.spsel ? s.el : 0;
    unsigned new_bank = spsel ? el : 0;
    if (old_bank != new_bank) {
        s.sp_el[old_bank] = s.x[31];
        s.x[31] = s.sp_el[new_bank];
    }
    s.el = el;
    s.spsel = spsel;
}

uint64_t ArmCpu::take_exception(ExcKind kind, uint64_t esr, uint64_t ret, uint64_t far,
                                bool far_valid) {
    ArmCpuState& s = st();
    uint64_t offset = static_cast<uint64_t>(kind);
    if (s.el == 0) {
        offset += 0x400;
    } else if (s.spsel) {
        offset += 0x200;
    }
    if (log_enabled(LOG_INT)) {
        log_printf("Taking exception %s [EL%u -> EL1] ESR 0x%" PRIx64 " ELR 0x%" PRIx64
                   " FAR 0x%" PRIx64 " vector 0x%" PRIx64 "\n",
                   kind == ExcKind::Sync  ? "sync"
                   : kind == ExcKind::Irq ? "IRQ"
                                          : "FIQ",
                   s.el, esr, ret, far, s.vbar_el1 + offset);
    }
    s.spsr_el1 = pstate_bits();
    s.elr_el1 = ret;
    if (kind == ExcKind::Sync) {
        s.esr_el1 = esr;
        if (far_valid) s.far_el1 = far;
    }
    set_el_spsel(1, 1);
    s.daif = kDaifMask;
    s.tcg.excl_addr = tcg::kTlbInvalid;
    s.tcg.pc = s.vbar_el1 + offset;
    if (dbg_.single_step) {
        // A stepped instruction that traps stops at the vector, as in QEMU.
        step_done_ = true;
        request(tcg::kRequestKick);
    }
    return tcg::kStatusException;
}

void ArmCpu::exception_return() {
    ArmCpuState& s = st();
    uint64_t spsr = s.spsr_el1;
    uint32_t m = spsr & 0x1f;
    uint32_t el = (m >> 2) & 3;
    s.tcg.pc = s.elr_el1;
    s.tcg.excl_addr = tcg::kTlbInvalid;
    if ((m & 0x10) || el > 1 || (el == 0 && (m & 1))) {
        // Illegal exception return: stay in EL1 with PSTATE.IL semantics
        // reduced to continuing at ELR (AArch32 and EL2/EL3 do not exist).
        log_mask(LOG_GUEST_ERROR, "ERET to an illegal mode (SPSR 0x%" PRIx64 ")\n", spsr);
        el = 1;
        m = 5;
    }
    s.nzcv = static_cast<uint32_t>(spsr) & 0xf0000000;
    s.daif = static_cast<uint32_t>(spsr) & kDaifMask;
    set_el_spsel(el, m & 1);
    check_unmasked();
}

void ArmCpu::set_line(int n, bool level) {
    uint32_t bit = 1u << n;
    if (level) {
        lines_.fetch_or(bit);
    } else {
        lines_.fetch_and(~bit);
    }
    if (level) {
        request(tcg::kRequestInterrupt);
        wake();
    }
}

bool ArmCpu::interrupt_pending() const {
    return (lines_.load() & ((1u << kArmIrq) | (1u << kArmFiq))) != 0;
}

void ArmCpu::check_unmasked() {
    uint32_t l = lines_.load();
    uint32_t daif = st().daif;
    if (((l >> kArmIrq) & 1 && !(daif & kPstateI)) || ((l >> kArmFiq) & 1 && !(daif & kPstateF))) {
        request(tcg::kRequestInterrupt);
    }
}

bool ArmCpu::take_interrupt() {
    // gdb single steps run with interrupts held off (QEMU's default):
    // the request stays pending for the next continue.
    if (dbg_.single_step) return true;
    timer_update();
    uint32_t l = lines_.load();
    ArmCpuState& s = st();
    if ((l >> kArmFiq) & 1 && !(s.daif & kPstateF)) {
        take_exception(ExcKind::Fiq, 0, s.tcg.pc, 0, false);
    } else if ((l >> kArmIrq) & 1 && !(s.daif & kPstateI)) {
        take_exception(ExcKind::Irq, 0, s.tcg.pc, 0, false);
    }
    return false;
}

uint64_t ArmCpu::counter() const {
    __int128 ns = now_ns() - boot_ns_;
    return static_cast<uint64_t>(ns * cfg_.generic_timer_hz / 1000000000);
}

void ArmCpu::connect_timer(ArmTimerOutput which, IrqLine line) {
    timer_out_[which] = line;
}

void ArmCpu::timer_update() {
    ArmCpuState& s = st();
    uint64_t now = counter();
    int64_t deadline = INT64_MAX;
    struct T {
        uint64_t ctl, cval;
        ArmTimerOutput out;
    } timers[2] = {{s.cntp_ctl, s.cntp_cval, kTimerPhys},
                   {s.cntv_ctl, s.cntv_cval - s.cntvoff, kTimerVirt}};
    for (const T& t : timers) {
        bool enabled = t.ctl & 1;
        bool fired = enabled && now >= t.cval;
        bool level = fired && !(t.ctl & 2);
        if (level != timer_level_[t.out]) {
            timer_level_[t.out] = level;
            if (timer_out_[t.out].connected()) {
                BqlGuard g;
                timer_out_[t.out].set(level);
            }
        }
        if (enabled && !fired) {
            __int128 ticks = static_cast<__int128>(t.cval - now);
            __int128 ns = ticks * 1000000000 / cfg_.generic_timer_hz + 1;
            int64_t when = now_ns() + static_cast<int64_t>(ns > INT64_MAX / 4 ? INT64_MAX / 4 : ns);
            if (when < deadline) deadline = when;
        }
    }
    // The timer thread sleeps until the old deadline; it only needs waking
    // when the new one is earlier (a later one it finds when it wakes).
    // Guest kernels re-arm the timer on every idle entry and tick, so
    // sparing the futex wake-up and context switch matters.
    int64_t old = timer_deadline_ns_.exchange(deadline);
    if (deadline < old) {
        std::lock_guard<std::mutex> g(wait_lock_);
        wait_cv_.notify_all();
    }
}

void ArmCpu::timer_thread_main() {
    std::unique_lock<std::mutex> g(wait_lock_);
    while (!timer_stop_) {
        int64_t d = timer_deadline_ns_.load();
        if (d == INT64_MAX) {
            wait_cv_.wait(g);
            continue;
        }
        if (now_ns() >= d) {
            // Let the vCPU re-evaluate its timer outputs at the next block
            // boundary; it moves the deadline on.
            request(tcg::kRequestInterrupt);
            wait_cv_.wait_for(g, std::chrono::milliseconds(1));
            continue;
        }
        wait_cv_.wait_until(g, std::chrono::steady_clock::time_point(std::chrono::nanoseconds(d)));
    }
}

void ArmCpu::wake() {
    std::lock_guard<std::mutex> g(wait_lock_);
    wait_cv_.notify_all();
}

bool ArmCpu::wait_for_interrupt(const std::atomic<bool>& kicked) {
    for (;;) {
        timer_update();
        if (interrupt_pending()) return true;
        if (kicked.load()) return false;
        std::unique_lock<std::mutex> g(wait_lock_);
        if (interrupt_pending() || kicked.load()) continue;
        int64_t d = timer_deadline_ns_.load();
        auto until = d == INT64_MAX
                         ? std::chrono::steady_clock::now() + std::chrono::milliseconds(100)
                         : std::chrono::steady_clock::time_point(std::chrono::nanoseconds(d));
        wait_cv_.wait_until(g, until);
    }
}

uint64_t ArmCpu::tb_flags() {
    const ArmCpuState& s = *state;
    uint64_t f = uint64_t(s.el) << kTbElShift;
    unsigned fpen = (s.cpacr_el1 >> 20) & 3;
    if (fpen == 3 || (fpen == 1 && s.el == 1)) f |= kTbFpEnabled;
    if (s.sctlr_el1 & 1) f |= kTbMmuOn;
    if (((s.id_aa64isar0 >> 20) & 0xf) >= 2) f |= kTbLse;
    if (dbg_.single_step) f |= kTbSingleInsn | kTbGdbStep;
    return f;
}

bool ArmCpu::translate_block(tcg::Block* b, tcg::CodeReader& code) {
    unsigned max_insns = kMaxBlockInsns;
    if (debug_active_ && (max_insns = debug_translate_prologue(b, max_insns)) == 0) return true;
    A64Translator tr(b, b->flags);
    return tr.translate(code, max_insns);
}

mmu::Regs ArmCpu::current_mmu_regs() const {
    const ArmCpuState& s = *state;
    mmu::Regs r;
    r.sctlr = s.sctlr_el1;
    r.tcr = s.tcr_el1;
    r.ttbr0 = s.ttbr0_el1;
    r.ttbr1 = s.ttbr1_el1;
    r.mair = s.mair_el1;
    r.el = s.el;
    r.id.mmfr0 = s.id_aa64mmfr0;
    r.id.mmfr1 = s.id_aa64mmfr1;
    r.id.mmfr2 = s.id_aa64mmfr2;
    return r;
}

bool ArmCpu::mmu_translate(uint64_t va, tcg::Access access, unsigned mmu_idx,
                           tcg::PageTranslation* out, tcg::FaultKind* fault) {
    mmu::Access acc;
    acc.type = access == tcg::Access::Write   ? mmu::AccessType::Write
               : access == tcg::Access::Fetch ? mmu::AccessType::Fetch
                                              : mmu::AccessType::Read;
    acc.unprivileged = mmu_idx == 0 && st().el == 1;
    acc.size = 1;  // alignment is checked by the access itself
    // The view of the last TLB flush: a memory map change flushes the TLB
    // (and renews it) before the next block.
    const FlatView* view = flat_view();
    mmu::Result r = view ? mmu::translate(*view, current_mmu_regs(), va, acc)
                         : mmu::translate(*address_space(), current_mmu_regs(), va, acc);
    if (!r.ok()) {
        last_fault_ = r.fault;
        last_fault_valid_ = true;
        switch (r.fault.type) {
            case mmu::FaultType::Permission:
            case mmu::FaultType::AccessFlag:
                *fault = tcg::FaultKind::Permission;
                break;
            case mmu::FaultType::WalkExternalAbort:
                *fault = tcg::FaultKind::External;
                break;
            case mmu::FaultType::Alignment:
                *fault = tcg::FaultKind::Alignment;
                break;
            default:
                *fault = tcg::FaultKind::Translation;
                break;
        }
        return false;
    }
    const mmu::Permissions& p = mmu_idx == 0 ? r.tr.el0 : r.tr.el1;
    out->pa_page = r.tr.pa & tcg::kPageMask;
    // Blocks (levels 0-2) make by-VA TLB flushes drop the whole index;
    // a 16K/64K page is invalidated as a whole by TLBI (its granule).
    out->size = r.tr.level >= 0 && r.tr.level < 3 ? r.tr.block_size : tcg::kPageSize;
    out->global = r.tr.global;
    // With the MMU off the library reports everything accessible; with it
    // on, the entry allows exactly what this EL may do on the page.
    out->readable = p.read;
    out->writable = p.write;
    out->executable = p.exec;
    return true;
}

void ArmCpu::translation_reg_written(uint32_t enc, uint64_t old, uint64_t nv) {
    // The TLB tags non-global entries with the ASID (tcg::Cpu::tlb_set_asid),
    // as the architecture does, so an ASID change keeps every ASID's
    // entries: a KPTI kernel (Debian's, with KASLR) switches TTBR1 between
    // its tables with one ASID and the trampoline's with the other on every
    // exception entry and return. The table base that comes with the new
    // ASID does not flush either: TLB entries are tagged by ASID, not by
    // table, and software that reuses an ASID for other tables invalidates
    // it first (Linux does on ASID rollover; QEMU does not flush on a base
    // change either). A base change under the same ASID drops what it
    // changes (the lower half for TTBR0, everything for TTBR1): the
    // architecture would let the entries stay, this is only cautious and
    // rare. SCTLR, TCR and the rest: everything.
    constexpr uint64_t kAsid = 0xffffull << 48;
    const ArmCpuState& s = *state;
    bool a1 = (s.tcr_el1 >> mmu::tcr::A1) & 1;
    bool ttbr0 = enc == sr::enc(3, 0, 2, 0, 0), ttbr1 = enc == sr::enc(3, 0, 2, 0, 1);
    if (!ttbr0 && !ttbr1) {
        tlb_flush();
        tlb_set_asid(current_asid());
        return;
    }
    uint32_t asid = current_asid();
    if (ttbr1 == a1 && asid != tlb_asid()) {
        tlb_set_asid(asid);
        return;
    }
    if (!((old ^ nv) & ~kAsid)) return;  // an ASID field the ASID does not come from
    if (ttbr1) {
        tlb_flush();
        return;
    }
    tcg::TlbFlushOp op;
    op.idx_mask = 0xffff;
    op.all = true;
    op.lower_half = true;
    tlb_flush_op(op);
}

uint32_t ArmCpu::current_asid() const {
    const ArmCpuState& s = *state;
    uint64_t ttbr = (s.tcr_el1 >> mmu::tcr::A1) & 1 ? s.ttbr1_el1 : s.ttbr0_el1;
    bool asid16 = ((s.id_aa64mmfr0 >> 4) & 0xf) == 2 && ((s.tcr_el1 >> mmu::tcr::AS) & 1);
    return static_cast<uint32_t>(ttbr >> 48 & (asid16 ? 0xffff : 0xff));
}

uint64_t ArmCpu::raise_mem_fault(uint64_t va, tcg::Access access, tcg::FaultKind kind, uint64_t pc,
                                 bool is_write) {
    uint64_t esr, far;
    if (access == tcg::Access::Fetch && (va & 3)) {
        // A branch to a misaligned address: PC alignment fault (EC 0x22).
        last_fault_valid_ = false;
        return take_exception(ExcKind::Sync, 0x22ull << 26 | 1u << 25, va, va, true);
    }
    if (last_fault_valid_ && last_fault_.va == va) {
        esr = mmu::abort_syndrome(last_fault_, st().el);
        far = mmu::fault_address(last_fault_);
    } else {
        // Faults found by the access itself: alignment, bus errors.
        mmu::Fault f;
        f.va = va;
        f.access.type = access == tcg::Access::Write   ? mmu::AccessType::Write
                        : access == tcg::Access::Fetch ? mmu::AccessType::Fetch
                                                       : mmu::AccessType::Read;
        f.type = kind == tcg::FaultKind::Alignment    ? mmu::FaultType::Alignment
                 : kind == tcg::FaultKind::External   ? mmu::FaultType::ExternalAbort
                 : kind == tcg::FaultKind::Permission ? mmu::FaultType::Permission
                                                      : mmu::FaultType::Translation;
        esr = mmu::abort_syndrome(f, st().el);
        far = mmu::fault_address(f);
        if (kind == tcg::FaultKind::External) {
            log_mask(LOG_GUEST_ERROR, "bus error at 0x%" PRIx64 "\n", va);
        }
    }
    last_fault_valid_ = false;
    return take_exception(ExcKind::Sync, esr, pc, far, true);
}

std::string ArmCpu::disassemble_guest(uint64_t pc, uint32_t bytes) {
    std::string out;
    std::vector<uint8_t> code(bytes);
    if (address_space()->read(pc, code.data(), bytes) != MemTxResult::Ok) {
        // With the MMU off, virtual == physical.
        return "  (code not readable)\n";
    }
    csh h;
    if (cs_open(CS_ARCH_ARM64, CS_MODE_ARM, &h) != CS_ERR_OK) return "  (capstone unavailable)\n";
    cs_insn* insn;
    size_t n = cs_disasm(h, code.data(), code.size(), pc, 0, &insn);
    char buf[256];
    size_t done = 0;
    for (size_t i = 0; i < n; ++i) {
        uint32_t w;
        std::memcpy(&w, insn[i].bytes, 4);
        std::snprintf(buf, sizeof buf, "0x%016" PRIx64 ":  %08x      %-8s %s\n", insn[i].address, w,
                      insn[i].mnemonic, insn[i].op_str);
        out += buf;
        done += insn[i].size;
    }
    // Capstone stops at words it cannot decode; show them raw.
    for (; done + 4 <= bytes; done += 4) {
        uint32_t w;
        std::memcpy(&w, &code[done], 4);
        std::snprintf(buf, sizeof buf, "0x%016" PRIx64 ":  %08x      .inst    0x%08x\n", pc + done,
                      w, w);
        out += buf;
    }
    if (n) cs_free(insn, n);
    cs_close(&h);
    return out;
}

std::string ArmCpu::dump_state() {
    const ArmCpuState& s = *state;
    std::string out;
    char buf[128];
    std::snprintf(buf, sizeof buf, " PC=%016" PRIx64 " X00=%016" PRIx64 " X01=%016" PRIx64 "\n",
                  s.tcg.pc, s.x[0], s.x[1]);
    out += buf;
    for (int i = 2; i < 31; i += 4) {
        std::string line;
        for (int j = i; j < i + 4 && j < 31; ++j) {
            std::snprintf(buf, sizeof buf, "X%02d=%016" PRIx64 " ", j, s.x[j]);
            line += buf;
        }
        out += line + "\n";
    }
    std::snprintf(buf, sizeof buf, "SP=%016" PRIx64 " PSTATE=%08x %c%c%c%c EL%u%c DAIF=%x\n",
                  s.x[31], pstate_bits(), (s.nzcv >> 31) & 1 ? 'N' : '-',
                  (s.nzcv >> 30) & 1 ? 'Z' : '-', (s.nzcv >> 29) & 1 ? 'C' : '-',
                  (s.nzcv >> 28) & 1 ? 'V' : '-', s.el, s.spsel ? 'h' : 't', s.daif >> 6);
    out += buf;
    return out;
}

}  // namespace emu::arm

#include "target/arm/arm_cpu.h"

#include <capstone/capstone.h>

#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstring>

#include "target/arm/translate/translator.h"
#include "util/bql.h"
#include "util/log.h"

namespace emu::arm {

namespace {

const ArmModel kModels[] = {
    {"cortex-a57", "ARM Cortex-A57", 0x411fd070},
    {"cortex-a53", "ARM Cortex-A53", 0x410fd034},
    {"cortex-a72", "ARM Cortex-A72", 0x410fd083},
    {"max", "the most capable CPU this translator implements (cortex-a57 base)", 0x411fd070},
};

int64_t now_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

constexpr unsigned kMaxBlockInsns = 128;

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
    : tcg::Cpu(&state->tcg, cfg.memory, opts, std::move(compiler)), cfg_(cfg), boot_ns_(now_ns()) {
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
    s.id_aa64isar0 = 0x00210000;                                 // CRC32, LSE atomics
    s.id_aa64mmfr0 = 0x00001124;
    s.id_aa64dfr0 = 0x00000006;  // debug architecture v8
    s.ctr_el0 = 0x8444c004;
    s.dczid_el0 = 4;  // DC ZVA on 64-byte blocks
    s.clidr = 0x0a200023;
    s.oslsr_el1 = 0xa;
    s.cntfrq = cfg_.generic_timer_hz;
    powered_off = cfg_.start_powered_off;
    tlb_flush();
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
    int64_t old = timer_deadline_ns_.exchange(deadline);
    if (old != deadline) {
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
    return f;
}

bool ArmCpu::translate_block(tcg::Block* b, tcg::CodeReader& code) {
    A64Translator tr(b, b->flags);
    return tr.translate(code, kMaxBlockInsns);
}

bool ArmCpu::mmu_translate(uint64_t va, tcg::Access access, unsigned mmu_idx,
                           tcg::PageTranslation* out, tcg::FaultKind* fault) {
    // MMU off (the stage 1 walk comes with the next issue): flat mapping
    // of the implemented physical address range.
    if (st().sctlr_el1 & 1) {
        log_mask(LOG_UNIMP, "stage 1 translation (SCTLR_EL1.M=1): not supported yet\n");
    }
    if (va >> 48) {
        *fault = tcg::FaultKind::Translation;  // outside the 48-bit PA range: level 0 fault
        return false;
    }
    out->pa_page = va & tcg::kPageMask;
    out->writable = true;
    out->executable = true;
    return true;
}

uint64_t ArmCpu::raise_mem_fault(uint64_t va, tcg::Access access, tcg::FaultKind kind, uint64_t pc,
                                 bool is_write) {
    unsigned fsc;
    switch (kind) {
        case tcg::FaultKind::Translation:
            fsc = 0x04;
            break;  // level 0 translation fault
        case tcg::FaultKind::Permission:
            fsc = 0x0f;
            break;
        case tcg::FaultKind::Alignment:
            fsc = 0x21;
            break;
        default:
            fsc = 0x10;
            break;  // synchronous external abort
    }
    bool same_el = st().el == 1;
    uint64_t ec;
    uint64_t iss = fsc;
    if (access == tcg::Access::Fetch) {
        ec = same_el ? 0x21 : 0x20;
    } else {
        ec = same_el ? 0x25 : 0x24;
        if (is_write) iss |= 1u << 6;  // WnR
    }
    if (kind == tcg::FaultKind::External)
        log_mask(LOG_GUEST_ERROR, "bus error at 0x%" PRIx64 "\n", va);
    return take_exception(ExcKind::Sync, ec << 26 | 1u << 25 | iss, pc, va, true);
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

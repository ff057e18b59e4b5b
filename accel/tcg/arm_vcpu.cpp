// The aarch64 vCPU of the TCG accelerator: glues the execution core and the
// A64 translator (target/arm) to the accelerator contract (accel/accel.h)
// and the board contract (target/arm/cpu_api.h).
#include <atomic>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "accel/tcg/pc_sampler.h"
#include "hw/core/guest_memory.h"
#include "target/arm/arm_cpu.h"
#include "target/arm/cpu_api.h"
#include "target/arm/gdb_sysregs.h"
#include "target/arm/gdb_target.h"
#include "target/arm/mmu/mmu.h"
#include "util/bql.h"
#include "util/keyval.h"
#include "util/log.h"

namespace emu::arm {

namespace {

class TcgArmVcpu final : public ArmVcpu, public ArmVcpuDebug {
  public:
    TcgArmVcpu(const ArmCpuConfig& cfg, tcg::ExecOptions opts,
               std::unique_ptr<tcg::TierCompiler> compiler)
        : cpu_(cfg, opts, std::move(compiler)),
          index_(cfg.index),
          sampler_(tcg::PcSampler::from_env(&cpu_.env()->pc, cfg.index)) {}

    ~TcgArmVcpu() override {
        sampler_.reset();
        if (std::getenv("EMU_TCG_STATS")) std::fprintf(stderr, "%s", stats().c_str());
    }

    unsigned index() const override { return index_; }

    VcpuExit run() override {
        apply_pending_debug();
        for (;;) {
            if (kicked_.exchange(false)) {
                cpu_.env()->exit_request.fetch_and(~tcg::kRequestKick);
                return exit::Kicked{};
            }
            if (cpu_.powered_off) {
                std::unique_lock<std::mutex> g(power_lock_);
                power_cv_.wait(g, [&] { return !cpu_.powered_off || kicked_.load(); });
                continue;
            }
            uint64_t status = cpu_.exec();
            switch (status) {
                case tcg::kStatusKicked:
                    cpu_.env()->exit_request.fetch_and(~tcg::kRequestKick);
                    kicked_ = false;
                    if (cpu_.take_step_done()) return exit::Debug{};
                    return exit::Kicked{};
                case tcg::kStatusHalt:
                    // A stepped WFI completes the step (no waiting under gdb).
                    if (cpu_.take_step_done()) {
                        cpu_.env()->exit_request.fetch_and(~tcg::kRequestKick);
                        return exit::Debug{};
                    }
                    if (!cpu_.wait_for_interrupt(kicked_)) continue;  // kicked: loop returns
                    break;
                case kStatusDebug:
                    // A breakpoint or watchpoint ended a step early: that
                    // is the stop reason, not the step.
                    if (cpu_.take_step_done()) {
                        cpu_.env()->exit_request.fetch_and(~tcg::kRequestKick);
                    }
                    return exit::Debug{};
                case kStatusPowerOff:
                    break;
                default: {
                    char buf[96];
                    std::snprintf(buf, sizeof buf, "vCPU %u stopped with status %" PRIu64 "\n",
                                  index_, status);
                    return exit::Error{buf + cpu_.dump_state()};
                }
            }
        }
    }

    void kick() override {
        kicked_ = true;
        cpu_.request(tcg::kRequestKick);
        cpu_.wake();
        std::lock_guard<std::mutex> g(power_lock_);
        power_cv_.notify_all();
    }

    std::string dump_state() override { return cpu_.dump_state(); }

    void set_irq(int n, bool level) override {
        if (n < 0 || n > kArmVfiq) return;
        cpu_.set_line(n, level);
    }

    void set_boot_state(uint64_t pc, const uint64_t x[4]) override { cpu_.set_boot_state(pc, x); }
    void reset() override { cpu_.reset(); }

    void power_on(uint64_t entry, uint64_t context_id) override {
        {
            std::lock_guard<std::mutex> g(power_lock_);
            uint64_t x[4] = {context_id, 0, 0, 0};
            cpu_.reset();
            cpu_.set_boot_state(entry, x);
            cpu_.powered_off = false;
        }
        power_cv_.notify_all();
    }

    void power_off() override {
        std::lock_guard<std::mutex> g(power_lock_);
        cpu_.powered_off = true;
        cpu_.request(tcg::kRequestKick);
    }

    bool powered_on() const override { return !cpu_.powered_off; }

    void connect_timer(ArmTimerOutput which, IrqLine line) override {
        cpu_.connect_timer(which, line);
    }

    // --- ArmVcpuDebug (the vCPU is stopped) --------------------------------
    ArmVcpuDebug* debug() override { return this; }

    ArmGdbRegs get_gdb_regs() override {
        const ArmCpuState& s = cpu_.st();
        ArmGdbRegs r;
        for (int i = 0; i < 31; ++i)
            r.x[i] = s.x[i];
        r.sp = s.x[31];
        r.pc = s.tcg.pc;
        r.cpsr = cpu_.pstate_bits();
        std::memcpy(r.v, s.v, sizeof r.v);
        r.fpsr = s.fpsr;
        r.fpcr = s.fpcr;
        arm_gdb_read_sysregs(s, r.sys);
        return r;
    }

    bool set_gdb_regs(const ArmGdbRegs& r) override {
        ArmCpuState& s = cpu_.st();
        uint32_t el = (r.cpsr >> 2) & 3;
        if ((r.cpsr & 0x10) || el > 1 || (el == 0 && (r.cpsr & 1))) {
            error_report("gdb: not supported: cpsr 0x%x (only EL0t, EL1t and EL1h exist here)",
                         r.cpsr);
            return false;
        }
        for (int i = 0; i < 31; ++i)
            s.x[i] = r.x[i];
        // sp belongs to the mode gdb read it in; a new cpsr then selects
        // the other stack pointer (as a cpsr-only write does in QEMU).
        s.x[31] = r.sp;
        cpu_.set_el_spsel(el, r.cpsr & 1);
        s.tcg.pc = r.pc;
        s.nzcv = r.cpsr & 0xf0000000u;
        s.daif = r.cpsr & kDaifMask;
        std::memcpy(s.v, r.v, sizeof r.v);
        s.fpsr = r.fpsr;
        s.fpcr = r.fpcr;
        s.tcg.excl_addr = tcg::kTlbInvalid;  // as after an exception return
        cpu_.check_unmasked();
        return true;
    }

    bool debug_read(uint64_t va, uint8_t* buf, size_t len) override {
        return debug_access(va, buf, len, false);
    }
    bool debug_write(uint64_t va, const uint8_t* buf, size_t len) override {
        return debug_access(va, const_cast<uint8_t*>(buf), len, true);
    }

    void set_debug_config(const ArmDebugConfig& cfg) override {
        std::lock_guard<std::mutex> g(debug_lock_);
        pending_debug_ = cfg;
        debug_dirty_ = true;
    }

    BreakpointKind debug_stop_reason(uint64_t* addr) override {
        return cpu_.debug_stop_reason(addr);
    }

    std::string stats() const {
        const tcg::ExecStats& s = cpu_.stats();
        char buf[512];
        // Dispatched blocks only: chained runs are not counted.
        uint64_t total = s.insns_interp + s.insns_baseline + s.insns_compiled;
        std::snprintf(buf, sizeof buf,
                      "tcg vCPU %u: blocks translated %" PRIu64
                      " (%.1f us each), invalidated %" PRIu64 ", compiled %" PRIu64
                      "; dispatched guest insns %" PRIu64
                      " (interp %.1f%%, baseline %.1f%%, llvm %.1f%%)\n",
                      index_, s.blocks_translated,
                      s.blocks_translated ? s.translate_ns / 1e3 / s.blocks_translated : 0.0,
                      s.blocks_invalidated, s.blocks_compiled, total,
                      total ? 100.0 * s.insns_interp / total : 0.0,
                      total ? 100.0 * s.insns_baseline / total : 0.0,
                      total ? 100.0 * s.insns_compiled / total : 0.0);
        std::string out = buf;
        if (const tcg::BaselineCompiler* b = cpu_.baseline()) {
            std::snprintf(buf, sizeof buf,
                          "tcg vCPU %u: baseline blocks %" PRIu64 ", interpreter-only %" PRIu64
                          ", code-buffer flushes %" PRIu64 "'\n",
                          index_, s.blocks_baseline, s.blocks_baseline_rejected,
                          s.baseline_flushes);
            out += buf;
            out += "tcg vCPU " + std::to_string(index_) + ": " + b->stats() + "\n";
        }
        const tcg::TlbStats& t = cpu_.tlb_stats();
        out += "tcg vCPU " + std::to_string(index_) + ": TLBI";
        for (unsigned k = 0; k < static_cast<unsigned>(TlbiKind::Count); ++k) {
            for (bool is : {false, true}) {
                if (uint64_t n = cpu_.tlbi_count(static_cast<TlbiKind>(k), is)) {
                    out += std::string(" ") + tlbi_name(static_cast<TlbiKind>(k)) +
                           (is ? "IS " : " ") + std::to_string(n);
                }
            }
        }
        std::snprintf(buf, sizeof buf,
                      "; TLB flushes: full %" PRIu64 ", lower half %" PRIu64 ", index %" PRIu64
                      ", page %" PRIu64 ", skipped %" PRIu64 ", broadcast %" PRIu64
                      ", received %" PRIu64 ", sync waits %" PRIu64
                      " (%.1f ms); ASID switches %" PRIu64 " (%" PRIu64 " saved TLBs reused)\n",
                      t.flush_full, t.flush_lower, t.flush_idx, t.flush_page, t.flush_skipped,
                      t.broadcasts, t.remote_ops, t.sync_waits, t.sync_wait_ns / 1e6,
                      t.asid_switches, t.bank_hits);
        out += buf;
        return out;
    }

  private:
    void apply_pending_debug() {
        if (!debug_dirty_.load()) return;
        std::lock_guard<std::mutex> g(debug_lock_);
        cpu_.apply_debug_config(pending_debug_);
        debug_dirty_ = false;
    }

    // Debugger memory access: the page walk of the current regime without
    // permission checks, then RAM/ROM only (never a device register).
    bool debug_access(uint64_t va, uint8_t* buf, size_t len, bool write) {
        GuestMemory mem(cpu_.address_space());
        mmu::Regs regs = cpu_.current_mmu_regs();
        mmu::Access acc;
        acc.type = mmu::AccessType::Read;
        acc.debug = true;
        while (len) {
            mmu::Result r = mmu::translate(*cpu_.address_space(), regs, va, acc);
            if (!r.ok()) return false;
            // 4 KiB pieces are contiguous under every granule.
            size_t n = size_t(std::min<uint64_t>(len, tcg::kPageSize - (va & ~tcg::kPageMask)));
            uint64_t pa = r.tr.pa;
            for (size_t done = 0; done < n;) {
                // Whole piece when it lies in one range, else byte by byte.
                size_t k = mem.span(pa + done, n - done, write) ? n - done : 1;
                uint8_t* host = mem.span(pa + done, k, write);
                if (!host) return false;
                if (write) {
                    std::memcpy(host, buf + done, k);
                } else {
                    std::memcpy(buf + done, host, k);
                }
                done += k;
            }
            va += n, buf += n, len -= n;
        }
        return true;
    }

    ArmCpu cpu_;
    unsigned index_;
    std::atomic<bool> kicked_{false};
    std::mutex power_lock_;
    std::condition_variable power_cv_;
    std::unique_ptr<tcg::PcSampler> sampler_;
    std::mutex debug_lock_;
    ArmDebugConfig pending_debug_;
    std::atomic<bool> debug_dirty_{false};
};

// -accel tcg sub-options, as QEMU spells them where QEMU has them.
bool parse_accel_options(const std::string& text, tcg::ExecOptions* opts, std::string* err) {
    if (text.empty()) return true;
    auto kv = KeyValueList::parse(text, "", err);
    if (!kv) return false;
    if (auto bad = kv->first_unknown({"tier", "hot-threshold", "thread", "tb-size"})) {
        *err = "-accel tcg: invalid parameter '" + *bad + "'";
        return false;
    }
    std::string tier = kv->get_or("tier", "auto");
    if (tier == "interp") {
        opts->tier = tcg::TierMode::Interp;
    } else if (tier == "baseline") {
        opts->tier = tcg::TierMode::Baseline;
    } else if (tier == "llvm") {
        opts->tier = tcg::TierMode::Llvm;
    } else if (tier == "auto") {
        opts->tier = tcg::TierMode::Auto;
    } else {
        *err = "-accel tcg,tier=" + tier + ": expected interp, baseline, llvm or auto";
        return false;
    }
    if (kv->has("hot-threshold")) {
        auto v = kv->get_uint("hot-threshold", err);
        if (!v) return false;
        if (*v == 0 || *v > 1000000000) {
            *err = "-accel tcg,hot-threshold: expected 1..1000000000";
            return false;
        }
        opts->hot_threshold = static_cast<uint32_t>(*v);
    }
    return true;
}

}  // namespace

std::unique_ptr<ArmVcpu> create_arm_vcpu(const ArmCpuConfig& cfg, std::string* err) {
    if (!find_model(cfg.model)) {
        *err = "unable to find CPU model '" + cfg.model + "'";
        return nullptr;
    }
    if (!cfg.memory) {
        *err = "no address space for the vCPU";
        return nullptr;
    }
    tcg::ExecOptions opts;
    if (!parse_accel_options(cfg.accel_options, &opts, err)) return nullptr;
    std::unique_ptr<tcg::TierCompiler> compiler;
    if (opts.tier == tcg::TierMode::Baseline && !tcg::baseline_compiler_factory()) {
        *err = "-accel tcg,tier=baseline: not supported yet (no baseline tier in this build)";
        return nullptr;
    }
    if (opts.tier == tcg::TierMode::Llvm || opts.tier == tcg::TierMode::Auto) {
        if (auto factory = tcg::tier_compiler_factory()) {
            std::string cerr;
            compiler = factory(&cerr);
            if (!compiler && opts.tier == tcg::TierMode::Llvm) {
                *err = "-accel tcg,tier=llvm: " + cerr;
                return nullptr;
            }
        } else if (opts.tier == tcg::TierMode::Llvm) {
            *err = "-accel tcg,tier=llvm: not supported yet (no LLVM tier in this build)";
            return nullptr;
        }
    }
    return std::make_unique<TcgArmVcpu>(cfg, opts, std::move(compiler));
}

}  // namespace emu::arm

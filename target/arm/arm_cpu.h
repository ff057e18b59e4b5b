#pragma once
// An aarch64 CPU on the translator: the target hooks of the execution core
// (translation, MMU, faults, interrupts), exception entry and return, the
// PSTATE/SP banking, the generic timer and the platform calls (PSCI,
// semihosting, GIC system registers).
#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "target/arm/cpu_api.h"
#include "target/arm/cpu_state.h"
#include "target/arm/gdb_target.h"
#include "target/arm/mmu/mmu.h"
#include "target/arm/tlbi.h"
#include "tcg/exec/cpu.h"

namespace emu::arm {

enum class ExcKind { Sync = 0, Irq = 0x80, Fiq = 0x100, SError = 0x180 };

// Target statuses returned through the dispatcher.
constexpr uint64_t kStatusPowerOff = tcg::kStatusTargetBase + 0;
// A gdbstub breakpoint or watchpoint stopped the CPU before the instruction
// at env->pc (ArmCpu::debug_stop_reason() says which).
constexpr uint64_t kStatusDebug = tcg::kStatusTargetBase + 1;

// TB flag of blocks translated for a gdb single step (one instruction,
// ending the run after it). Far above the target's mode bits.
constexpr uint64_t kTbGdbStep = 1ull << 40;

struct ArmModel {
    const char* name;
    const char* description;
    uint64_t midr;
    // ARMv8.0 cores: AES+PMULL, SHA1, SHA256, CRC32 (0x11120, as the
    // cores with the Cryptographic Extension and QEMU's models report);
    // LSE atomics (ARMv8.1) are advertised by "max" alone, so Linux on a
    // Cortex model uses LL/SC as on hardware.
    uint64_t id_aa64isar0;
};
const ArmModel* find_model(const std::string& name);
// Registers the gdbstub's translator helpers (once per process).
void arm_gdb_register_helpers();

namespace detail {
struct StateHolder {
    std::unique_ptr<ArmCpuState> state = std::make_unique<ArmCpuState>();
};
}  // namespace detail

class ArmCpu : private detail::StateHolder, public tcg::Cpu {
  public:
    ArmCpu(const ArmCpuConfig& cfg, tcg::ExecOptions opts,
           std::unique_ptr<tcg::TierCompiler> compiler);
    ~ArmCpu() override;

    ArmCpuState& st() { return *state; }
    const ArmCpuConfig& config() const { return cfg_; }

    void reset();
    void set_boot_state(uint64_t pc, const uint64_t x[4]);

    // Exception entry to EL1; returns kStatusException.
    uint64_t take_exception(ExcKind kind, uint64_t esr, uint64_t ret, uint64_t far, bool far_valid);
    uint64_t undefined_at(uint64_t pc) {
        return take_exception(ExcKind::Sync, 1u << 25, pc, 0, false);
    }
    void exception_return();
    // Changes EL/SPSel, banking the stack pointer.
    void set_el_spsel(uint32_t el, uint32_t spsel);
    uint32_t pstate_bits() const;

    // Interrupt lines (IrqSink numbers of cpu_api.h), any thread.
    void set_line(int n, bool level);
    bool interrupt_pending() const;  // any line asserted (WFI wake-up, ISR_EL1)
    void check_unmasked();           // request a check if something can be taken now

    // Generic timer.
    uint64_t counter() const;
    void timer_update();  // recompute outputs and the next deadline
    int64_t next_timer_deadline_ns() const { return timer_deadline_ns_.load(); }
    void connect_timer(ArmTimerOutput which, IrqLine line);

    // WFI: blocks until an interrupt line is asserted, a kick, or the next
    // timer deadline. Returns false if it returned because of a kick.
    // The translation regime's controlling registers, for the page walk.
    mmu::Regs current_mmu_regs() const;

    bool wait_for_interrupt(const std::atomic<bool>& kicked);
    void wake();

    // tcg::Cpu hooks
    uint64_t tb_flags() override;
    unsigned fetch_mmu_idx(uint64_t flags) override { return (flags >> kTbElShift) & 3; }
    bool translate_block(tcg::Block* b, tcg::CodeReader& code) override;
    bool mmu_translate(uint64_t va, tcg::Access access, unsigned mmu_idx, tcg::PageTranslation* out,
                       tcg::FaultKind* fault) override;
    uint64_t raise_mem_fault(uint64_t va, tcg::Access access, tcg::FaultKind kind, uint64_t pc,
                             bool is_write) override;
    bool take_interrupt() override;
    std::string disassemble_guest(uint64_t pc, uint32_t bytes) override;
    std::string dump_state() override;

    bool powered_off = false;

    // gdbstub (target/arm/gdb_exec.cpp), on the vCPU thread between runs.
    // Drops translations made under the old breakpoints and the TLB entries
    // of the old watchpoints.
    void apply_debug_config(const ArmDebugConfig& cfg);
    const ArmDebugConfig& debug_config() const { return dbg_; }
    // True once per finished single step (the run then reports a debug exit).
    bool take_step_done() {
        bool d = step_done_;
        step_done_ = false;
        return d;
    }
    BreakpointKind debug_stop_reason(uint64_t* addr) const {
        *addr = debug_addr_;
        return debug_reason_;
    }
    // Helper bodies: stop before the instruction at pc / arm the step exit.
    uint64_t debug_break(uint64_t pc, BreakpointKind why);
    void debug_step_begin();
    bool watch_page(uint64_t va_page, tcg::Access access) override;
    // A write changed SCTLR_EL1, TCR_EL1 or TTBRn_EL1 (enc) from old to nv:
    // switches the TLB's ASID or drops the entries it may change.
    void translation_reg_written(uint32_t enc, uint64_t old, uint64_t nv);
    // The ASID of the EL1&0 regime (TTBR1's with TCR.A1, else TTBR0's).
    uint32_t current_asid() const;
    // TLBI instructions executed, by kind and IS form (EMU_TCG_STATS).
    void count_tlbi(TlbiKind k, bool shareable) {
        ++tlbi_counts_[shareable][static_cast<unsigned>(k)];
    }
    uint64_t tlbi_count(TlbiKind k, bool shareable) const {
        return tlbi_counts_[shareable][static_cast<unsigned>(k)];
    }
    uint64_t check_watchpoint(uint64_t va, unsigned size, bool write, uint64_t pc) override;

  private:
    uint64_t tlbi_counts_[2][static_cast<unsigned>(TlbiKind::Count)] = {};
    void timer_thread_main();
    // Emits the breakpoint stop / step arming into b; returns the largest
    // number of instructions the translator may add (0: block complete).
    unsigned debug_translate_prologue(tcg::Block* b, unsigned max_insns);

    ArmDebugConfig dbg_;
    bool debug_active_ = false;  // any breakpoint or step: translation checks
    bool step_done_ = false;
    BreakpointKind debug_reason_ = BreakpointKind::SingleStep;
    uint64_t debug_addr_ = 0;

    // The walk's fault record for the raise_mem_fault() that follows a
    // failed mmu_translate() (the tcg interface carries only the kind).
    mmu::Fault last_fault_;
    bool last_fault_valid_ = false;

    ArmCpuConfig cfg_;
    const ArmModel* model_;
    std::atomic<uint32_t> lines_{0};
    IrqLine timer_out_[4];
    bool timer_level_[4] = {};
    int64_t boot_ns_;
    std::atomic<int64_t> timer_deadline_ns_{INT64_MAX};

    std::mutex wait_lock_;
    std::condition_variable wait_cv_;
    std::thread timer_thread_;
    bool timer_stop_ = false;
};

}  // namespace emu::arm

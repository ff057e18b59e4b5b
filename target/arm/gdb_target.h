#pragma once
// The gdbstub's view of the aarch64 vCPUs (DebugTarget), over the
// accelerator's per-vCPU debug interface (ArmVcpuDebug). Breakpoints and
// watchpoints are global (every vCPU gets the same set, as in QEMU); a
// single step runs one vCPU while the others stay stopped.
#include <memory>
#include <mutex>
#include <vector>

#include "hw/core/debug.h"
#include "target/arm/gdb_regs.h"

namespace emu::arm {

class ArmVcpu;

// What the gdbstub asks the translator to watch for (one copy per vCPU).
struct ArmDebugConfig {
    struct Watch {
        uint64_t addr = 0, len = 0;
        BreakpointKind kind = BreakpointKind::WatchWrite;
    };
    std::vector<uint64_t> sw_breakpoints;  // guest virtual PCs
    std::vector<uint64_t> hw_breakpoints;
    std::vector<Watch> watchpoints;
    bool single_step = false;
    // Bumped when the debugger writes guest memory: translations go.
    uint64_t code_generation = 0;
};

// Implemented by the accelerator's vCPU. Every call happens with the vCPU
// stopped (outside run()); set_debug_config takes effect when it runs next.
class ArmVcpuDebug {
  public:
    virtual ~ArmVcpuDebug() = default;
    virtual ArmGdbRegs get_gdb_regs() = 0;
    // False (nothing changed) if the state cannot be represented (e.g. an
    // exception level this CPU does not implement).
    virtual bool set_gdb_regs(const ArmGdbRegs& r) = 0;
    // By virtual address through the current translation regime (physical
    // with the MMU off); RAM and ROM only, never device registers (writes:
    // RAM only). False if any byte is unmapped.
    virtual bool debug_read(uint64_t va, uint8_t* buf, size_t len) = 0;
    virtual bool debug_write(uint64_t va, const uint8_t* buf, size_t len) = 0;
    virtual void set_debug_config(const ArmDebugConfig& cfg) = 0;
    // Why the last exit::Debug happened (a watchpoint also gives the address).
    virtual BreakpointKind debug_stop_reason(uint64_t* addr) = 0;
};

// Limits as QEMU's TCG gdbstub has none, but a bound keeps a hostile or
// confused client from growing the lists without end.
constexpr size_t kMaxGdbBreakpoints = 1024;
constexpr size_t kMaxGdbWatchpoints = 64;

class ArmGdbTarget : public DebugTarget {
  public:
    // `vcpus` is the board's list (stable for the machine's lifetime).
    explicit ArmGdbTarget(std::vector<std::unique_ptr<ArmVcpu>>* vcpus) : vcpus_(vcpus) {}

    unsigned num_cpus() const override;
    std::string target_xml(const std::string& annex) const override;
    std::vector<uint8_t> read_registers(unsigned cpu) override;
    bool write_registers(unsigned cpu, const std::vector<uint8_t>& blob) override;
    std::vector<uint8_t> read_register(unsigned cpu, unsigned regno) override;
    bool write_register(unsigned cpu, unsigned regno, const std::vector<uint8_t>& v) override;
    bool read_memory(unsigned cpu, uint64_t addr, uint8_t* buf, size_t len) override;
    bool write_memory(unsigned cpu, uint64_t addr, const uint8_t* buf, size_t len) override;
    bool insert_breakpoint(BreakpointKind kind, uint64_t addr, uint64_t len) override;
    bool remove_breakpoint(BreakpointKind kind, uint64_t addr, uint64_t len) override;
    bool set_single_step(unsigned cpu, bool on) override;

    // The vCPU armed for a single step, or -1 (the board then starts only it).
    int stepping_cpu() const { return step_cpu_; }
    // The stop reason of vCPU `cpu`'s last exit::Debug.
    BreakpointKind stop_reason(unsigned cpu, uint64_t* addr);

  private:
    ArmVcpuDebug* dbg(unsigned cpu) const;
    void push_config();

    std::vector<std::unique_ptr<ArmVcpu>>* vcpus_;
    ArmDebugConfig cfg_;
    int step_cpu_ = -1;
};

}  // namespace emu::arm

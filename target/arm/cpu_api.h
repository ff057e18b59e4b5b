#pragma once
// What a board (hw/arm/virt) needs from an aarch64 vCPU, and what the vCPU
// needs from the board. This is the contract between the translator
// (target/arm, tcg, accel/tcg) and the board; it is accelerator-neutral so
// that a KVM-on-arm64 backend could implement it too.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "accel/accel.h"
#include "hw/core/irq.h"

namespace emu {

class AddressSpace;

namespace arm {

class ArmVcpuDebug;  // target/arm/gdb_target.h

// Board services a vCPU calls on its own thread (with the big lock held).
class ArmPlatformHooks {
  public:
    virtual ~ArmPlatformHooks() = default;
    // HVC #0 / SMC #0 when the board implements PSCI on that conduit.
    // regs = x0..x3 on entry; returns false if the call is not PSCI (the
    // CPU then raises the architected exception / Undefined).
    virtual bool psci_call(unsigned cpu_index, const uint64_t regs[4], uint64_t* x0_out) = 0;
    // Arm semihosting (HLT #0xF000 in A64): op = w0, param = x1; returns
    // the value for x0. Only called when -semihosting is on.
    virtual uint64_t semihosting_call(unsigned cpu_index, uint64_t op, uint64_t param) = 0;
};

// The GICv3 CPU interface system registers (ICC_*_EL1), implemented by the
// interrupt controller model and reached by the CPU's MRS/MSR. Encodings
// are (op0, op1, CRn, CRm, op2) packed as in the MRS instruction:
// op0<<14 | op1<<11 | CRn<<7 | CRm<<3 | op2.
class ArmSysregProvider {
  public:
    virtual ~ArmSysregProvider() = default;
    // False if the encoding is not one of this provider's (the CPU then
    // treats it as unknown: Undefined).
    virtual bool sysreg_read(unsigned cpu_index, uint32_t encoding, uint64_t* value) = 0;
    virtual bool sysreg_write(unsigned cpu_index, uint32_t encoding, uint64_t value) = 0;
};

enum class PsciConduit { None, Hvc, Smc };

struct ArmCpuConfig {
    std::string model = "cortex-a57";  // -cpu model, already validated
    unsigned index = 0;
    uint64_t mpidr = 0;              // affinity as the board lays CPUs out
    AddressSpace* memory = nullptr;  // the system address space
    ArmPlatformHooks* hooks = nullptr;
    ArmSysregProvider* gic_sysregs = nullptr;  // GICv3 CPU interface, or nullptr
    PsciConduit psci = PsciConduit::Hvc;
    bool semihosting = false;
    bool start_powered_off = false;          // secondaries wait for PSCI CPU_ON
    uint64_t generic_timer_hz = 62'500'000;  // CNTFRQ_EL0, as QEMU's virt
    // Accelerator options (-accel tcg,tier=...), passed through.
    std::string accel_options;
};

// Interrupt inputs of a vCPU (IrqSink numbers).
enum ArmCpuIrq : int { kArmIrq = 0, kArmFiq = 1, kArmVirq = 2, kArmVfiq = 3 };

// Generic timer outputs a board wires to its interrupt controller (PPIs).
enum ArmTimerOutput : int { kTimerPhys = 0, kTimerVirt = 1, kTimerHyp = 2, kTimerSec = 3 };

class ArmVcpu : public VcpuBackend, public IrqSink {
  public:
    // Register state at entry (Linux boot protocol / bare-metal entry):
    // EL1h (or EL2h if the model starts there), MMU and caches off, DAIF
    // masked, x0..x3 as given.
    virtual void set_boot_state(uint64_t pc, const uint64_t x[4]) = 0;
    virtual void reset() = 0;
    // PSCI CPU_ON / CPU_OFF, called by the board (any thread, big lock held).
    virtual void power_on(uint64_t entry, uint64_t context_id) = 0;
    virtual void power_off() = 0;
    virtual bool powered_on() const = 0;
    // Where the generic timer's outputs go (connected before running).
    virtual void connect_timer(ArmTimerOutput which, IrqLine line) = 0;
    // The gdbstub's access to this vCPU; nullptr if the accelerator has none.
    virtual ArmVcpuDebug* debug() { return nullptr; }
};

struct ArmCpuModelInfo {
    std::string name;
    std::string description;
};

// Implemented by the accelerator (accel/tcg today).
const std::vector<ArmCpuModelInfo>& arm_cpu_models();
std::unique_ptr<ArmVcpu> create_arm_vcpu(const ArmCpuConfig& cfg, std::string* err);

}  // namespace arm
}  // namespace emu

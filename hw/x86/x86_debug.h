#pragma once
// The gdbstub's view of the x86 boards' KVM vCPUs: registers through
// KVM_GET/SET_REGS/SREGS/FPU, memory by guest virtual address (software
// page walk from the vCPU's CR3), breakpoints and single step through
// KVM_SET_GUEST_DEBUG (int3 patching for software breakpoints, DR0-DR3/DR7
// for hardware breakpoints and watchpoints).
#include <array>
#include <map>
#include <memory>
#include <vector>

#include "accel/kvm/kvm_accel.h"
#include "hw/core/debug.h"
#include "hw/core/guest_memory.h"
#include "target/x86/gdb_regs.h"

namespace emu::x86 {

class X86KvmDebug : public DebugTarget {
  public:
    // `vcpus` is the board's list (it is rebuilt on reset); `guest_debug_caps`
    // is KVM_CAP_SET_GUEST_DEBUG2 (the KVM_GUESTDBG_* flags KVM accepts).
    // `accel` (may be null: no watchpoints) is asked once whether data
    // breakpoints work before the first watchpoint is accepted.
    X86KvmDebug(std::vector<std::unique_ptr<kvm::KvmVcpu>>* vcpus, AddressSpace* memory,
                uint32_t guest_debug_caps, kvm::KvmAccel* accel);

    unsigned num_cpus() const override { return unsigned(vcpus_->size()); }
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

    // Programs every vCPU's guest-debug state for its next KVM_RUN; called
    // by the board before it starts the vCPU threads.
    bool apply(std::string* err);
    // The vCPU armed for a single step, or -1: while it steps the others stay stopped.
    int stepping_cpu() const { return step_cpu_; }
    // Turns vCPU `cpu`'s last KVM_EXIT_DEBUG into a stop reason. False if
    // the exception was the guest's own (an int3 that is not one of our
    // breakpoints, a #DB we did not arm): reinject() hands it back.
    bool decode_exit(unsigned cpu, BreakpointKind* why, uint64_t* addr) const;
    // Queues the #BP/#DB of `cpu`'s last debug exit into the guest (false
    // if KVM cannot: then report it to gdb instead).
    bool reinject(unsigned cpu);
    // True (and the breakpoint's address) if `cpu` stands on one of our int3
    // bytes. kvm_pvm does not intercept #BP for KVM_GUESTDBG_USE_SW_BP: it
    // fails the int3 with an emulation error instead, leaving RIP on it, so
    // the board treats such a failure as the breakpoint hit.
    bool at_sw_breakpoint(unsigned cpu, uint64_t* addr);

  private:
    struct SwBreak {
        uint64_t gpa;
        uint8_t orig;
    };
    struct HwSlot {
        bool used = false;
        BreakpointKind kind = BreakpointKind::Hardware;
        uint64_t addr = 0, len = 0;
    };

    kvm::KvmVcpu* vcpu(unsigned cpu) const;
    bool get_state(unsigned cpu, X86GdbRegs* r);
    bool set_state(unsigned cpu, const X86GdbRegs& r);
    // Guest virtual -> physical through `cpu`'s page tables.
    bool translate(unsigned cpu, uint64_t va, uint64_t* gpa, uint64_t* page_left);
    uint64_t dr7() const;
    bool ram_read(uint64_t gpa, void* buf, uint64_t len) const;
    bool ram_write(uint64_t gpa, const void* buf, uint64_t len) const;
    kvm_guest_debug debug_state(unsigned cpu) const;

    std::vector<std::unique_ptr<kvm::KvmVcpu>>* vcpus_;
    GuestMemory mem_;
    uint32_t caps_;
    std::map<uint64_t, SwBreak> sw_;  // by guest virtual address
    std::array<HwSlot, 4> hw_;
    int step_cpu_ = -1;
    kvm::KvmAccel* accel_;
    int data_bp_ok_ = -1;  // probed on first use
};

// Runs a throw-away VM to see whether KVM reports DR7 data breakpoints.
bool kvm_data_breakpoints_work(kvm::KvmAccel& accel);

}  // namespace emu::x86

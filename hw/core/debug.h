#pragma once
// What the gdbstub needs from the vCPUs, independent of the accelerator.
// Register blobs use gdb's layout for the architecture's target XML
// (aarch64: x0-x30, sp, pc, cpsr, then v0-v31, fpsr, fpcr; x86-64: gdb's
// i386:x86-64 order).
#include <cstdint>
#include <string>
#include <vector>

namespace emu {

enum class BreakpointKind {
    Software = 0,
    Hardware = 1,
    WatchWrite = 2,
    WatchRead = 3,
    WatchAccess = 4,
    SingleStep = 5  // a stop reason only (a finished step), never a Z type
};

class DebugTarget {
  public:
    virtual ~DebugTarget() = default;
    virtual unsigned num_cpus() const = 0;
    // The contents of qXfer:features:read:target.xml (and files it includes).
    virtual std::string target_xml(const std::string& annex) const = 0;

    // All calls below happen with the VM stopped.
    virtual std::vector<uint8_t> read_registers(unsigned cpu) = 0;
    virtual bool write_registers(unsigned cpu, const std::vector<uint8_t>& blob) = 0;
    // One register by gdb number; empty if the number is unknown.
    virtual std::vector<uint8_t> read_register(unsigned cpu, unsigned regno) = 0;
    virtual bool write_register(unsigned cpu, unsigned regno, const std::vector<uint8_t>& v) = 0;
    // Virtual addresses, translated by the CPU's current MMU state.
    virtual bool read_memory(unsigned cpu, uint64_t addr, uint8_t* buf, size_t len) = 0;
    virtual bool write_memory(unsigned cpu, uint64_t addr, const uint8_t* buf, size_t len) = 0;

    virtual bool insert_breakpoint(BreakpointKind kind, uint64_t addr, uint64_t len) = 0;
    virtual bool remove_breakpoint(BreakpointKind kind, uint64_t addr, uint64_t len) = 0;
    // Arms single-stepping of `cpu` for the next resume (the others stay
    // stopped while it steps, as QEMU does by default).
    virtual bool set_single_step(unsigned cpu, bool on) = 0;
};

// The gdbstub's side: boards/accelerators report why a vCPU stopped.
class DebugEvents {
  public:
    virtual ~DebugEvents() = default;
    // A vCPU hit a breakpoint/watchpoint or finished a single step. Called
    // on the vCPU thread with the big lock held; the stub stops the VM.
    virtual void debug_stop(unsigned cpu, BreakpointKind why, uint64_t watch_addr) = 0;
};

}  // namespace emu

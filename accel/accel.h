#pragma once
// The accelerator interface: VM level and vCPU level kept apart. KVM and
// TCG both implement it; boards see only this (never KVM or TCG internals).
//
// A VcpuBackend runs guest code on the calling thread until something needs
// the outside world. KVM returns MMIO/PIO exits for the shared device model
// to handle (accel/vcpu_loop.h does that for both accelerators); TCG does
// its MMIO inline through the AddressSpace and returns only for halts,
// shutdown, debug and kicks.
#include <cstdint>
#include <memory>
#include <string>
#include <variant>

namespace emu {

class AddressSpace;
struct AccelConfig;

namespace exit {
struct Mmio {
    uint64_t addr;
    unsigned size;
    bool is_write;
    uint64_t* data;  // in for writes, out for reads; owned by the backend
};
struct Pio {
    uint16_t port;
    unsigned size;  // 1, 2 or 4
    bool is_write;
    uint32_t count;  // string I/O repeats
    uint8_t* data;   // count * size bytes, owned by the backend
};
struct Halt {};    // WFI/HLT with nothing pending: wait for an interrupt
struct Kicked {};  // kick() or a signal interrupted the run
struct Shutdown {
    int status;  // guest asked to power off (e.g. PSCI SYSTEM_OFF)
};
struct Reset {};  // guest asked for a reset (PSCI SYSTEM_RESET, triple fault)
struct Debug {};  // breakpoint / single step for the gdbstub
struct Error {
    std::string message;  // already includes register state where useful
};
}  // namespace exit

using VcpuExit = std::variant<exit::Mmio, exit::Pio, exit::Halt, exit::Kicked, exit::Shutdown,
                              exit::Reset, exit::Debug, exit::Error>;

class VcpuBackend {
  public:
    virtual ~VcpuBackend() = default;
    virtual unsigned index() const = 0;
    // Runs guest code until an exit. Called only on this vCPU's thread.
    virtual VcpuExit run() = 0;
    // Thread-safe: makes a current or the next run() return exit::Kicked soon.
    virtual void kick() = 0;
    // Register dump for -d cpu and error reports.
    virtual std::string dump_state() = 0;
};

class VmBackend {
  public:
    virtual ~VmBackend() = default;
    // Guest physical memory: the backend follows the address space's map
    // (KVM: memory slots through a MemoryListener; TCG: TLB flushes).
    virtual void attach_memory(AddressSpace* memory) = 0;
};

class Accelerator {
  public:
    virtual ~Accelerator() = default;
    virtual const char* name() const = 0;
};

}  // namespace emu

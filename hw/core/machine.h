#pragma once
// What every board gets from the command line and from the system layer,
// and the registries that back "-M help" and "-device help".
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "hw/core/clock.h"
#include "hw/core/debug.h"
#include "util/event_loop.h"
#include "util/keyval.h"

namespace emu {

class CharBackend;
class NetBackend;

struct SmpConfig {
    unsigned cpus = 1;
    unsigned sockets = 1;
    unsigned dies = 1;
    unsigned clusters = 1;
    unsigned cores = 1;
    unsigned threads = 1;
    unsigned maxcpus = 1;
};

struct AccelConfig {
    std::string name;      // "tcg" or "kvm"
    KeyValueList options;  // accelerator sub-options (e.g. tcg tier=)
};

struct MachineConfig {
    std::string type;
    KeyValueList machine_options;  // -M sub-options other than the type
    uint64_t ram_size = 0;
    SmpConfig smp;
    std::string cpu_model;  // -cpu, including "+flag,-flag" suffixes
    std::string kernel, initrd, append, dtb, bios;
    bool no_reboot = false;
    bool no_shutdown = false;
    bool snapshot = false;
    bool semihosting = false;
    std::string name;
    AccelConfig accel;
    std::vector<KeyValueList> devices;  // -device, in command-line order
    // Boards must reject (with "not supported yet") any -drive/-device they
    // cannot attach: nothing on the command line is silently ignored.
    std::vector<KeyValueList> drives;  // -drive
    // -netdev and -nic; -nic entries carry nic=on (and model=) and ask the
    // board for its default NIC on that backend.
    std::vector<KeyValueList> netdevs;
    bool gdb_wait = false;  // -S
};

enum class ShutdownCause { GuestPoweroff, GuestReset, HostSignal, HostQuit, GuestPanic, Error };

// Services the system layer provides to a board.
class MachineServices {
  public:
    virtual ~MachineServices() = default;
    virtual EventLoop& loop() = 0;
    virtual VirtualClock& clock() = 0;
    // The chardev behind -serial N (nullptr: none).
    virtual CharBackend* serial(unsigned index) = 0;
    // The backend behind -netdev id=... (nullptr: none). A NIC attaches with
    // NetBackend::set_receiver; backends left without a NIC are reported.
    virtual NetBackend* netdev(const std::string& id) = 0;
    // Thread-safe. Power-off ends the emulator with `status`; reset reboots
    // unless -no-reboot is given, in which case it exits with status 0.
    virtual void request_shutdown(ShutdownCause cause, int status) = 0;
    virtual void request_reset() = 0;
    // A vCPU stopped for the debugger (breakpoint, watchpoint, single step):
    // called on the vCPU thread with the big lock held; the vCPU should park
    // (ExitAction::Park) and the system stops the VM and tells gdb.
    virtual void debug_stop(unsigned cpu, BreakpointKind why, uint64_t watch_addr) = 0;
};

class Machine {
  public:
    virtual ~Machine() = default;
    // Starts the vCPUs (they run until stop()).
    virtual void start() = 0;
    // Stops and joins every vCPU thread.
    virtual void stop() = 0;
    // System reset: devices and CPUs back to their power-on state.
    virtual void reset() = 0;
    // The gdbstub's view of the vCPUs, or nullptr if this board/accelerator
    // cannot be debugged yet.
    virtual DebugTarget* debug_target() { return nullptr; }
};

// One -M sub-option a board accepts, as "-M <type>,help" lists it.
struct MachineProperty {
    std::string name;
    std::string type;  // as QEMU's help spells it: bool, string, OnOffAuto
    std::string description;
    std::string default_value;  // empty: no default shown
};

struct MachineType {
    std::string name;
    std::string description;
    bool is_default = false;
    std::vector<std::string> aliases;
    // Throws std::runtime_error with a user-facing message on bad config.
    std::function<std::unique_ptr<Machine>(const MachineConfig&, MachineServices&)> create;
    std::string qom_name;  // "virt-7.2-machine": the prefix of "-M <type>,help"
    std::vector<MachineProperty> properties;
};

class MachineRegistry {
  public:
    void add(MachineType t) { types_.push_back(std::move(t)); }
    const MachineType* find(const std::string& name) const;
    const MachineType* default_type() const;
    const std::vector<MachineType>& types() const { return types_; }

  private:
    std::vector<MachineType> types_;
};

struct DeviceTypeInfo {
    std::string name;
    std::string bus;  // "System", "PCI", "virtio-bus", "ISA", "Misc"
    std::string description;
};

// Devices a binary knows for -device; boards instantiate them.
class DeviceRegistry {
  public:
    void add(DeviceTypeInfo t) { types_.push_back(std::move(t)); }
    const DeviceTypeInfo* find(const std::string& name) const;
    const std::vector<DeviceTypeInfo>& types() const { return types_; }

  private:
    std::vector<DeviceTypeInfo> types_;
};

}  // namespace emu

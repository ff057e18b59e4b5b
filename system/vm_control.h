#pragma once
// What the monitors (HMP, QMP) and gdbstub may do to the running VM.
#include <string>

namespace emu {

enum class RunState { Prelaunch, Running, Paused, Shutdown };

class VmControl {
  public:
    virtual ~VmControl() = default;
    virtual RunState run_state() const = 0;
    virtual void pause() = 0;
    virtual void resume() = 0;
    virtual void system_reset() = 0;
    // ACPI/PSCI-style power button; boards without one power off directly.
    virtual void system_powerdown() = 0;
    virtual void quit() = 0;
    virtual std::string guest_name() const = 0;
};

const char* run_state_name(RunState s);

}  // namespace emu

#pragma once
// The human monitor (HMP): a line-oriented command interpreter on a chardev,
// with QEMU's "(qemu) " prompt so that existing expect scripts keep working.
#include <string>

#include "hw/core/char_backend.h"
#include "system/vm_control.h"

namespace emu {

class HumanMonitor : public CharFrontend {
  public:
    HumanMonitor(CharBackend* chr, VmControl* vm);

    size_t can_receive() override { return 256; }
    void receive(const uint8_t* data, size_t len) override;
    void char_event(CharEvent ev) override;

    // Runs one command line and returns its output (exposed for tests).
    std::string execute(const std::string& line);

  private:
    void print(const std::string& s);
    void prompt();

    CharBackend* chr_;
    VmControl* vm_;
    std::string line_;
    bool greeted_ = false;
};

}  // namespace emu

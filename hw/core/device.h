#pragma once
// Devices are plain classes with a typed config struct passed to their
// constructor; the base class only names them and resets them.
#include <string>

namespace emu {

class Device {
  public:
    explicit Device(std::string name) : name_(std::move(name)) {}
    virtual ~Device() = default;
    Device(const Device&) = delete;
    Device& operator=(const Device&) = delete;

    const std::string& name() const { return name_; }
    // Puts the device in its power-on state (system reset).
    virtual void reset() {}

  private:
    std::string name_;
};

}  // namespace emu

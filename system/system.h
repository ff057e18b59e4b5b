#pragma once
// The entry point shared by emu-system-aarch64 and emu-system-x86_64: each
// binary describes its target (boards, devices, CPU models, accelerators)
// and hands over to system_main.
#include <string>
#include <vector>

#include "hw/core/machine.h"
#include "system/cmdline.h"

namespace emu {

struct NamedItem {
    std::string name;
    std::string description;
};

struct TargetInfo {
    TargetArch arch;
    std::string binary_name;
    MachineRegistry machines;
    DeviceRegistry devices;
    std::vector<NamedItem> cpu_models;
    std::vector<NamedItem> accelerators;  // first is the default
};

int system_main(int argc, char** argv, TargetInfo& target);

}  // namespace emu

#pragma once
// QEMU's -M virt for aarch64 guests: RAM at 1 GiB, GICv2 or GICv3, PL011,
// PL031, PSCI over HVC, semihosting, direct kernel boot (ELF, Image, raw),
// -bios into flash, and a device tree describing it all.
//
// The CPU comes from whoever implements target/arm/cpu_api.h (the TCG
// translator today). The board takes it as an ArmCpuBackend so that a
// binary built without a CPU (or a unit test) can still create the board
// and get a clear "not supported yet" when it needs one.
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "hw/core/machine.h"
#include "target/arm/cpu_api.h"

namespace emu {

struct ArmCpuBackend {
    // Empty when the binary has no aarch64 CPU.
    std::function<const std::vector<arm::ArmCpuModelInfo>&()> models;
    std::function<std::unique_ptr<arm::ArmVcpu>(const arm::ArmCpuConfig&, std::string*)> create;
};

// Adds "virt" (alias "virt-7.2") to the registry.
void register_virt_machine(MachineRegistry& registry, ArmCpuBackend backend);

// Creates the board directly (tests). Throws std::runtime_error with a
// user-facing message on bad configuration.
std::unique_ptr<Machine> create_virt_machine(const MachineConfig& cfg, MachineServices& services,
                                             const ArmCpuBackend& backend);

}  // namespace emu

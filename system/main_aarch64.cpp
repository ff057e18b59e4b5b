// emu-system-aarch64: aarch64 guests through the dynamic binary translator.
#include "hw/arm/virt.h"
#include "system/system.h"

int main(int argc, char** argv) {
    emu::TargetInfo target;
    target.arch = emu::TargetArch::Aarch64;
    target.binary_name = "emu-system-aarch64";
    target.accelerators = {{"tcg", "emu's dynamic binary translator (default)"}};

    emu::ArmCpuBackend cpu;
#ifdef EMU_HAVE_ARM_VCPU
    cpu.models = []() -> const std::vector<emu::arm::ArmCpuModelInfo>& {
        return emu::arm::arm_cpu_models();
    };
    cpu.create = [](const emu::arm::ArmCpuConfig& c, std::string* err) {
        return emu::arm::create_arm_vcpu(c, err);
    };
    for (const auto& m : emu::arm::arm_cpu_models()) {
        target.cpu_models.push_back({m.name, m.description});
    }
#endif
    // Like QEMU's qemu-system-aarch64 there is no default machine.
    emu::register_virt_machine(target.machines, cpu);
    return emu::system_main(argc, argv, target);
}

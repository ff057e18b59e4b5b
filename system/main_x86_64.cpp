// emu-system-x86_64: x86-64 guests through KVM.
#include "hw/x86/x86_machine.h"
#include "system/system.h"
#include "target/x86/cpu_model.h"

int main(int argc, char** argv) {
    emu::TargetInfo target;
    target.arch = emu::TargetArch::X86_64;
    target.binary_name = "emu-system-x86_64";
    target.accelerators = {{"kvm", "Linux KVM (the only accelerator for x86-64 guests)"}};
    emu::x86::register_x86_machines(target.machines);
    emu::x86::register_x86_devices(target.devices);
    for (const auto& m : emu::x86::cpu_models()) target.cpu_models.push_back({m.name, m.description});
    return emu::system_main(argc, argv, target);
}

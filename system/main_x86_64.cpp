// emu-system-x86_64: x86-64 guests through KVM.
#include "system/system.h"

int main(int argc, char** argv) {
    emu::TargetInfo target;
    target.arch = emu::TargetArch::X86_64;
    target.binary_name = "emu-system-x86_64";
    target.accelerators = {{"kvm", "Linux KVM (the only accelerator for x86-64 guests)"}};
    return emu::system_main(argc, argv, target);
}

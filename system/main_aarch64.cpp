// emu-system-aarch64: aarch64 guests through the dynamic binary translator.
#include "system/system.h"

int main(int argc, char** argv) {
    emu::TargetInfo target;
    target.arch = emu::TargetArch::Aarch64;
    target.binary_name = "emu-system-aarch64";
    target.accelerators = {{"tcg", "emu's dynamic binary translator (default)"}};
    return emu::system_main(argc, argv, target);
}

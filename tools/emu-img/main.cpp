// emu-img: create, inspect, check and convert disk images (qemu-img's
// command line).
#include <cstdio>
#include <cstring>
#include <string>

#include "util/log.h"
#include "util/version.h"

int main(int argc, char** argv) {
    emu::set_program_name("emu-img");
    if (argc < 2) {
        emu::error_report("Not enough arguments\nTry 'emu-img --help' for more information");
        return 1;
    }
    std::string cmd = argv[1];
    if (cmd == "-V" || cmd == "--version" || cmd == "-version") {
        std::printf("emu-img version %s (emu)\n", EMU_VERSION);
        return 0;
    }
    if (cmd == "-h" || cmd == "--help" || cmd == "-help") {
        std::printf(
            "usage: emu-img [standard options] command [command options]\n"
            "Disk image utility, command-line compatible with qemu-img.\n");
        return 0;
    }
    if (!cmd.empty() && cmd[0] == '-') {
        emu::error_report("invalid option -- '%s'\nTry 'emu-img --help' for more information",
                          cmd.c_str());
        return 1;
    }
    emu::error_report("Command not found: %s", cmd.c_str());
    return 1;
}

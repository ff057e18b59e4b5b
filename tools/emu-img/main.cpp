// emu-img: create, inspect, check, convert and snapshot disk images, with
// qemu-img's command line and output formats.
#include <cstdio>
#include <cstring>
#include <string>

#include "tools/emu-img/img_common.h"
#include "util/log.h"
#include "util/version.h"

namespace {

struct Command {
    const char* name;
    emu::img::CommandFn fn;
    const char* synopsis;
};

const Command kCommands[] = {
    {"check", emu::img::cmd_check,
     "check [--output=ofmt] [-r [leaks | all]] [-f fmt] [-q] filename"},
    {"compare", emu::img::cmd_compare,
     "compare [-f fmt] [-F fmt] [-p] [-q] [-s] filename1 filename2"},
    {"convert", emu::img::cmd_convert,
     "convert [-c] [-p] [-q] [-n] [-f fmt] [-O output_fmt] [-o options] [-S sparse_size] "
     "[-m num_coroutines] [-W] filename [filename2 [...]] output_filename"},
    {"create", emu::img::cmd_create,
     "create [-q] [-f fmt] [-b backing_file [-F backing_fmt]] [-u] [-o options] filename "
     "[size]"},
    {"info", emu::img::cmd_info, "info [-f fmt] [--output=ofmt] [--backing-chain] [-U] filename"},
    {"map", emu::img::cmd_map,
     "map [-f fmt] [--output=ofmt] [--start-offset=offset] "
     "[--max-length=len] filename"},
    {"rebase", emu::img::cmd_rebase,
     "rebase [-f fmt] [-p] [-u] [-q] -b backing_file [-F backing_fmt] filename"},
    {"resize", emu::img::cmd_resize,
     "resize [-f fmt] [--preallocation=prealloc] [-q] [--shrink] filename [+ | -]size"},
    {"snapshot", emu::img::cmd_snapshot,
     "snapshot [-q] [-l | -a snapshot | -c snapshot | -d snapshot] filename"},
};

void print_help() {
    std::printf(
        "emu-img version %s (emu)\n"
        "usage: emu-img [standard options] command [command options]\n"
        "Disk image utility, command-line compatible with qemu-img.\n\n"
        "    '-h', '--help'       display this help and exit\n"
        "    '-V', '--version'    output version information and exit\n\n"
        "Command syntax:\n",
        EMU_VERSION);
    for (const Command& c : kCommands)
        std::printf("  %s\n", c.synopsis);
    std::printf("\nSupported formats: qcow2 raw\n");
}

}  // namespace

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
        print_help();
        return 0;
    }
    if (!cmd.empty() && cmd[0] == '-') {
        emu::error_report("invalid option -- '%s'\nTry 'emu-img --help' for more information",
                          cmd.c_str());
        return 1;
    }
    for (const Command& c : kCommands) {
        if (cmd == c.name) return c.fn(argc - 1, argv + 1);
    }
    emu::error_report("Command not found: %s", cmd.c_str());
    return 1;
}

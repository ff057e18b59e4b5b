#pragma once
// QEMU's command-line syntax: single-dash long options parsed by Boost
// program_options, with sub-options parsed by util/keyval.
#include <optional>
#include <string>
#include <vector>

#include "hw/core/machine.h"
#include "util/keyval.h"

namespace emu {

// Which binary is parsing: options and defaults differ slightly.
enum class TargetArch { Aarch64, X86_64 };

struct CommandLine {
    MachineConfig machine;
    bool machine_help = false;
    bool machine_props_help = false;  // -M <type>,help
    bool cpu_help = false;
    bool device_help = false;
    bool log_help = false;
    bool accel_help = false;
    bool version = false;
    bool help = false;
    bool nographic = false;
    std::string display;                 // -display (empty: default)
    std::vector<std::string> serials;    // -serial specs, in order
    std::vector<std::string> monitors;   // -monitor specs
    std::vector<std::string> qmps;       // -qmp specs
    std::vector<KeyValueList> chardevs;  // -chardev
    std::vector<KeyValueList> mons;      // -mon
    std::string gdb;                     // -gdb / -s ("tcp::1234")
    uint32_t log_mask = 0;
    std::string log_file;
    std::optional<KeyValueList> smp_raw;
};

// Parses argv. On error returns nullopt after printing a message that names
// the offending option; the caller exits with status 1.
std::optional<CommandLine> parse_command_line(int argc, const char* const* argv, TargetArch arch);

// Text for -h.
std::string command_line_usage(TargetArch arch);

// Parses an -smp value into cfg (exposed for tests). Returns an error
// message or empty.
std::string parse_smp(const KeyValueList& kv, SmpConfig* cfg);

}  // namespace emu

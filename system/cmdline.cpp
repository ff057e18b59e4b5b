#include "system/cmdline.h"

#include <boost/program_options.hpp>
#include <cstdio>
#include <sstream>

#include "util/log.h"

namespace po = boost::program_options;

namespace emu {

namespace {

enum class Arg { None, Value };

struct OptionSpec {
    const char* name;
    Arg arg;
    const char* help;  // empty: not shown in -h
    bool supported = true;
};

// Every option QEMU users commonly pass. Unsupported ones are still known so
// that the error says "not supported yet" rather than "invalid option".
const std::vector<OptionSpec>& option_specs() {
    static const std::vector<OptionSpec> specs = {
        {"h", Arg::None, "display this help and exit"},
        {"help", Arg::None, ""},
        {"version", Arg::None, "display version information and exit"},
        {"M", Arg::Value,
         "-M/-machine [type=]name[,prop=value[,...]]  select the board (help: list)"},
        {"machine", Arg::Value, ""},
        {"cpu", Arg::Value, "-cpu model[,+feature,...]  select the CPU model (help: list)"},
        {"accel", Arg::Value, "-accel tcg|kvm[,prop=value]  select the accelerator"},
        {"enable-kvm", Arg::None, "-enable-kvm  same as -accel kvm"},
        {"m", Arg::Value, "-m [size=]megs[,slots=n,maxmem=size]  RAM size (suffixes K, M, G, T)"},
        {"smp", Arg::Value,
         "-smp [cpus=]n[,maxcpus=][,sockets=][,dies=][,clusters=][,cores=][,threads=]"},
        {"kernel", Arg::Value, "-kernel file  kernel image (Linux Image, bzImage, ELF, raw)"},
        {"initrd", Arg::Value, "-initrd file  initial ram disk"},
        {"append", Arg::Value, "-append cmdline  kernel command line"},
        {"dtb", Arg::Value, "-dtb file  use this device tree instead of the generated one"},
        {"bios", Arg::Value, "-bios file  firmware image"},
        {"drive", Arg::Value, "-drive file=...,format=...,if=...,id=...  a disk"},
        {"device", Arg::Value, "-device driver[,prop=value]  add a device (help: list)"},
        {"netdev", Arg::Value, "-netdev user|tap,id=...  a network backend"},
        {"nic", Arg::Value, "-nic user|tap[,model=...]  a NIC with its backend"},
        {"chardev", Arg::Value, "-chardev backend,id=id[,...]  a character device"},
        {"serial", Arg::Value, "-serial dev  redirect the next serial port to dev"},
        {"monitor", Arg::Value, "-monitor dev  the human monitor on dev"},
        {"mon", Arg::Value, "-mon chardev=id[,mode=readline|control]"},
        {"qmp", Arg::Value, "-qmp dev  QMP on dev"},
        {"nographic", Arg::None, "-nographic  no display; serial and monitor on stdio"},
        {"display", Arg::Value, "-display none  select the display (only 'none')"},
        {"d", Arg::Value, "-d item1,...  log items (help: list)"},
        {"D", Arg::Value, "-D logfile  log to logfile instead of stderr"},
        {"s", Arg::None, "-s  shorthand for -gdb tcp::1234"},
        {"S", Arg::None, "-S  do not start CPUs at start-up"},
        {"gdb", Arg::Value, "-gdb dev  accept a gdb connection on dev"},
        {"name", Arg::Value, "-name string  guest name"},
        {"no-reboot", Arg::None, "-no-reboot  exit instead of rebooting"},
        {"no-shutdown", Arg::None, "-no-shutdown  stop instead of exiting on guest power-off"},
        {"snapshot", Arg::None, "-snapshot  write to temporary files instead of disk images"},
        {"semihosting", Arg::None, "-semihosting  enable Arm semihosting"},
        {"semihosting-config", Arg::Value, "-semihosting-config enable=on|off[,target=native]"},
        {"nodefaults", Arg::None, "-nodefaults  create no default devices"},
        {"no-user-config", Arg::None, "-no-user-config  (emu reads no user configuration)"},
        // Known but not implemented: rejected with "not supported yet".
        {"object", Arg::Value, "", false},
        {"global", Arg::Value, "", false},
        {"boot", Arg::Value, "", false},
        {"rtc", Arg::Value, "", false},
        {"icount", Arg::Value, "", false},
        {"vga", Arg::Value, "", false},
        {"usb", Arg::None, "", false},
        {"usbdevice", Arg::Value, "", false},
        {"net", Arg::Value, "", false},
        {"pidfile", Arg::Value, "", false},
        {"daemonize", Arg::None, "", false},
        {"loadvm", Arg::Value, "", false},
        {"incoming", Arg::Value, "", false},
        {"trace", Arg::Value, "", false},
        {"overcommit", Arg::Value, "", false},
        {"numa", Arg::Value, "", false},
        {"fw_cfg", Arg::Value, "", false},
        {"smbios", Arg::Value, "", false},
        {"blockdev", Arg::Value, "", false},
        {"hda", Arg::Value, "", false},
        {"cdrom", Arg::Value, "", false},
        {"L", Arg::Value, "", false},
        {"parallel", Arg::Value, "", false},
        {"virtfs", Arg::Value, "", false},
        {"fsdev", Arg::Value, "", false},
        {"audiodev", Arg::Value, "", false},
        {"sandbox", Arg::Value, "", false},
        {"k", Arg::Value, "", false},
        {"full-screen", Arg::None, "", false},
    };
    return specs;
}

const OptionSpec* find_spec(const std::string& name) {
    for (const auto& s : option_specs()) {
        if (name == s.name) return &s;
    }
    return nullptr;
}

bool fail(const std::string& opt, const std::string& value, const std::string& msg) {
    if (value.empty()) {
        error_report("-%s: %s", opt.c_str(), msg.c_str());
    } else {
        error_report("-%s %s: %s", opt.c_str(), value.c_str(), msg.c_str());
    }
    return false;
}

std::optional<KeyValueList> parse_kv(const std::string& opt, const std::string& value,
                                     std::string_view implied) {
    std::string err;
    auto kv = KeyValueList::parse(value, implied, &err);
    if (!kv) fail(opt, value, err);
    return kv;
}

bool parse_memory(const std::string& value, CommandLine& cl) {
    auto kv = parse_kv("m", value, "size");
    if (!kv) return false;
    if (auto bad = kv->first_unknown({"size", "slots", "maxmem"})) {
        return fail("m", value, "Invalid parameter '" + *bad + "'");
    }
    if (kv->has("slots") || kv->has("maxmem")) {
        return fail("m", value, "not supported yet: memory hotplug (slots=, maxmem=)");
    }
    auto sz = kv->get("size");
    if (!sz) return fail("m", value, "missing RAM size");
    auto bytes = parse_size(*sz, 'M');
    if (!bytes) {
        return fail("m", value,
                    "invalid RAM size '" + *sz + "' (expected a size like 512M, 1G or 2048)");
    }
    if (*bytes == 0) return fail("m", value, "RAM size must be greater than 0");
    cl.machine.ram_size = *bytes;
    return true;
}

}  // namespace

std::string parse_smp(const KeyValueList& kv, SmpConfig* cfg) {
    if (auto bad = kv.first_unknown({"cpus", "maxcpus", "sockets", "dies", "clusters", "cores",
                                     "threads", "books", "drawers"})) {
        return "Invalid parameter '" + *bad + "'";
    }
    auto get = [&](const char* key, unsigned* out, bool* given) -> std::string {
        *given = false;
        std::string err;
        auto v = kv.get_uint(key, &err);
        if (!err.empty()) return err;
        if (!v) return "";
        if (*v == 0 || *v > 4096) {
            return std::string("Parameter '") + key + "' must be between 1 and 4096";
        }
        *out = unsigned(*v);
        *given = true;
        return "";
    };
    unsigned cpus = 0, maxcpus = 0, sockets = 1, dies = 1, clusters = 1, cores = 1, threads = 1;
    bool g_cpus, g_max, g_sockets, g_dies, g_clusters, g_cores, g_threads, g_unused;
    unsigned unused;
    for (auto [key, out, given] :
         {std::tuple{"cpus", &cpus, &g_cpus}, std::tuple{"maxcpus", &maxcpus, &g_max},
          std::tuple{"sockets", &sockets, &g_sockets}, std::tuple{"dies", &dies, &g_dies},
          std::tuple{"clusters", &clusters, &g_clusters}, std::tuple{"cores", &cores, &g_cores},
          std::tuple{"threads", &threads, &g_threads}, std::tuple{"books", &unused, &g_unused},
          std::tuple{"drawers", &unused, &g_unused}}) {
        std::string e = get(key, out, given);
        if (!e.empty()) return e;
    }
    // QEMU's rules: missing topology members are derived, preferring cores.
    unsigned known = maxcpus ? maxcpus : cpus;
    if (!known) known = sockets * dies * clusters * cores * threads;
    if (!g_sockets && !g_cores) {
        cores = known / (dies * clusters * threads);
        if (cores == 0) cores = 1;
    } else if (!g_sockets) {
        sockets = known / (dies * clusters * cores * threads);
        if (sockets == 0) sockets = 1;
    } else if (!g_cores) {
        cores = known / (sockets * dies * clusters * threads);
        if (cores == 0) cores = 1;
    }
    unsigned product = sockets * dies * clusters * cores * threads;
    if (!maxcpus) maxcpus = product;
    if (!cpus) cpus = maxcpus;
    if (product != maxcpus) {
        return "Invalid CPU topology: product of the hierarchy must match maxcpus: sockets (" +
               std::to_string(sockets) + ") * cores (" + std::to_string(cores) + ") * threads (" +
               std::to_string(threads) + ") != maxcpus (" + std::to_string(maxcpus) + ")";
    }
    if (cpus > maxcpus) {
        return "maxcpus must be equal to or greater than smp (" + std::to_string(cpus) + " > " +
               std::to_string(maxcpus) + ")";
    }
    cfg->cpus = cpus;
    cfg->maxcpus = maxcpus;
    cfg->sockets = sockets;
    cfg->dies = dies;
    cfg->clusters = clusters;
    cfg->cores = cores;
    cfg->threads = threads;
    return "";
}

std::optional<CommandLine> parse_command_line(int argc, const char* const* argv, TargetArch arch) {
    po::options_description desc;
    for (const auto& s : option_specs()) {
        if (s.arg == Arg::Value) {
            desc.add_options()(s.name, po::value<std::string>());
        } else {
            desc.add_options()(s.name, "");
        }
    }
    // Single-dash long options, exact names only (no prefix guessing), and
    // "--opt" accepted too as QEMU does. No short-option bundling.
    int style = po::command_line_style::allow_long | po::command_line_style::long_allow_next |
                po::command_line_style::long_allow_adjacent |
                po::command_line_style::allow_long_disguise;

    // A bare word is QEMU's legacy "disk image" argument; collect it so the
    // error can name it.
    desc.add_options()("legacy-image", po::value<std::string>());
    po::positional_options_description positional;
    positional.add("legacy-image", -1);
    po::parsed_options parsed(&desc);
    try {
        parsed = po::command_line_parser(argc, argv)
                     .options(desc)
                     .style(style)
                     .positional(positional)
                     .run();
    } catch (const po::unknown_option& e) {
        std::string name = e.get_option_name();
        while (name.size() > 1 && name[0] == '-' && name[1] == '-')
            name.erase(0, 1);
        if (name.empty() || name[0] != '-') name = "-" + name;
        error_report("%s: invalid option", name.c_str());
        return std::nullopt;
    } catch (const po::invalid_command_line_syntax& e) {
        std::string name = e.get_option_name();
        while (name.size() > 1 && name[0] == '-' && name[1] == '-')
            name.erase(0, 1);
        if (e.kind() == po::invalid_command_line_syntax::missing_parameter) {
            error_report("%s: requires an argument", name.c_str());
        } else {
            error_report("%s: %s", name.c_str(), e.what());
        }
        return std::nullopt;
    } catch (const po::error& e) {
        error_report("%s", e.what());
        return std::nullopt;
    }

    CommandLine cl;
    cl.machine.ram_size = arch == TargetArch::Aarch64 ? (128ull << 20) : (128ull << 20);
    bool nodefaults = false;

    for (const auto& o : parsed.options) {
        const std::string& name = o.string_key;
        if (name == "legacy-image") {
            // An unknown "-word" is not recognised as an option by Boost and
            // lands here as a positional argument.
            if (!o.value.empty() && o.value.front().size() > 1 && o.value.front()[0] == '-') {
                std::string bad = o.value.front();
                if (bad.rfind("--", 0) == 0) bad.erase(0, 1);
                error_report("%s: invalid option", bad.c_str());
                return std::nullopt;
            }
            error_report(
                "%s: not supported yet: a disk image given without an option (use "
                "-drive file=...)",
                o.value.empty() ? "" : o.value.front().c_str());
            return std::nullopt;
        }
        const OptionSpec* spec = find_spec(name);
        if (!spec) {
            error_report("-%s: invalid option", name.c_str());
            return std::nullopt;
        }
        std::string v = o.value.empty() ? "" : o.value.front();
        if (!spec->supported) {
            fail(name, v, "not supported yet");
            return std::nullopt;
        }
        bool ok = true;
        if (name == "h" || name == "help") {
            cl.help = true;
        } else if (name == "version") {
            cl.version = true;
        } else if (name == "M" || name == "machine") {
            auto kv = parse_kv(name, v, "type");
            if (!kv) return std::nullopt;
            for (const auto& [k, val] : kv->items()) {
                if (k == "type") {
                    if (val == "help" || val == "?") {
                        cl.machine_help = true;
                    } else {
                        cl.machine.type = val;
                    }
                } else if (k == "accel") {
                    cl.machine.accel.name = val;
                } else if (k == "help" || k == "?") {
                    cl.machine_props_help = true;
                } else {
                    cl.machine.machine_options.set(k, val);
                }
            }
        } else if (name == "cpu") {
            if (v == "help" || v == "?") {
                cl.cpu_help = true;
            } else if (v.empty()) {
                ok = fail(name, v, "empty CPU model");
            } else {
                cl.machine.cpu_model = v;
            }
        } else if (name == "accel") {
            auto kv = parse_kv(name, v, "accel");
            if (!kv) return std::nullopt;
            std::string a = kv->get_or("accel", "");
            if (a == "help" || a == "?") {
                cl.accel_help = true;
                continue;
            }
            cl.machine.accel.name = a;
            for (const auto& [k, val] : kv->items()) {
                if (k != "accel") cl.machine.accel.options.set(k, val);
            }
        } else if (name == "enable-kvm") {
            cl.machine.accel.name = "kvm";
        } else if (name == "m") {
            ok = parse_memory(v, cl);
        } else if (name == "smp") {
            auto kv = parse_kv(name, v, "cpus");
            if (!kv) return std::nullopt;
            std::string e = parse_smp(*kv, &cl.machine.smp);
            if (!e.empty()) ok = fail(name, v, e);
        } else if (name == "kernel") {
            cl.machine.kernel = v;
        } else if (name == "initrd") {
            cl.machine.initrd = v;
        } else if (name == "append") {
            cl.machine.append = v;
        } else if (name == "dtb") {
            cl.machine.dtb = v;
        } else if (name == "bios") {
            cl.machine.bios = v;
        } else if (name == "drive") {
            auto kv = parse_kv(name, v, "");
            if (!kv) return std::nullopt;
            cl.machine.drives.push_back(*kv);
        } else if (name == "device") {
            auto kv = parse_kv(name, v, "driver");
            if (!kv) return std::nullopt;
            std::string drv = kv->get_or("driver", "");
            if (drv == "help" || drv == "?") {
                cl.device_help = true;
            } else if (kv->has("help")) {
                ok = fail(name, v, "not supported yet: per-device property help");
            } else {
                cl.machine.devices.push_back(*kv);
            }
        } else if (name == "netdev" || name == "nic") {
            auto kv = parse_kv(name, v, "type");
            if (!kv) return std::nullopt;
            if (name == "nic") kv->set("nic", "on");
            cl.machine.netdevs.push_back(*kv);
        } else if (name == "chardev") {
            auto kv = parse_kv(name, v, "backend");
            if (!kv) return std::nullopt;
            if (!kv->has("id")) {
                ok = fail(name, v, "Parameter 'id' is missing");
            } else {
                cl.chardevs.push_back(*kv);
            }
        } else if (name == "serial") {
            cl.serials.push_back(v);
        } else if (name == "monitor") {
            cl.monitors.push_back(v);
        } else if (name == "mon") {
            auto kv = parse_kv(name, v, "chardev");
            if (!kv) return std::nullopt;
            cl.mons.push_back(*kv);
        } else if (name == "qmp") {
            cl.qmps.push_back(v);
        } else if (name == "nographic") {
            cl.nographic = true;
        } else if (name == "display") {
            auto kv = parse_kv(name, v, "type");
            if (!kv) return std::nullopt;
            std::string t = kv->get_or("type", "");
            if (t != "none") {
                ok = fail(name, v,
                          "not supported yet: display '" + t +
                              "' (emu has no graphical display; use -display none)");
            } else {
                cl.display = t;
            }
        } else if (name == "d") {
            if (v == "help" || v == "?") {
                cl.log_help = true;
            } else {
                std::string bad;
                uint32_t m = parse_log_mask(v, &bad);
                if (!m) {
                    ok = fail(name, v, "unknown log item '" + bad + "' (-d help lists them)");
                }
                cl.log_mask |= m;
            }
        } else if (name == "D") {
            cl.log_file = v;
        } else if (name == "s") {
            cl.gdb = "tcp::1234";
        } else if (name == "gdb") {
            cl.gdb = v;
        } else if (name == "S") {
            cl.machine.gdb_wait = true;
        } else if (name == "name") {
            auto kv = parse_kv(name, v, "guest");
            if (!kv) return std::nullopt;
            cl.machine.name = kv->get_or("guest", "");
        } else if (name == "no-reboot") {
            cl.machine.no_reboot = true;
        } else if (name == "no-shutdown") {
            cl.machine.no_shutdown = true;
        } else if (name == "snapshot") {
            cl.machine.snapshot = true;
        } else if (name == "semihosting") {
            cl.machine.semihosting = true;
        } else if (name == "semihosting-config") {
            auto kv = parse_kv(name, v, "enable");
            if (!kv) return std::nullopt;
            if (auto bad = kv->first_unknown({"enable", "target", "userspace"})) {
                ok = fail(name, v, "Invalid parameter '" + *bad + "'");
            } else {
                std::string err;
                auto en = kv->get_bool("enable", &err);
                if (!err.empty()) {
                    ok = fail(name, v, err);
                } else {
                    cl.machine.semihosting = en.value_or(true);
                    std::string target = kv->get_or("target", "native");
                    if (target != "native" && target != "auto") {
                        ok =
                            fail(name, v, "not supported yet: semihosting target '" + target + "'");
                    }
                }
            }
        } else if (name == "nodefaults") {
            nodefaults = true;
        } else if (name == "no-user-config") {
            // emu reads no configuration files, so there is nothing to skip.
        }
        if (!ok) return std::nullopt;
    }

    // Default serial/monitor wiring, as QEMU does it.
    if (cl.nographic) {
        if (cl.serials.empty() && !nodefaults) {
            cl.serials.push_back("mon:stdio");
        } else if (cl.monitors.empty() && cl.mons.empty() && !nodefaults) {
            cl.monitors.push_back("stdio");
        }
    }
    return cl;
}

std::string command_line_usage(TargetArch arch) {
    std::ostringstream out;
    std::string prog = program_name();
    out << "usage: " << prog << " [options]\n\n";
    out << (arch == TargetArch::Aarch64
                ? "Runs an aarch64 guest through emu's dynamic binary translator.\n\n"
                : "Runs an x86-64 guest through KVM.\n\n");
    for (const auto& s : option_specs()) {
        if (!s.help[0] || !s.supported) continue;
        std::string h = s.help;
        if (h[0] == '-') {
            out << h << "\n";
        } else {
            out << "-" << s.name << "  " << h << "\n";
        }
    }
    out << "\nDuring emulation with -nographic, Ctrl-a h lists the console escapes\n"
           "(Ctrl-a x quits, Ctrl-a c switches between the console and the monitor).\n";
    return out.str();
}

}  // namespace emu

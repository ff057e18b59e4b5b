// Start-up and lifetime of a system emulator process: parse the command
// line, answer the "help" queries, build chardevs and the board, run the
// main loop, and shut everything down on every exit path.
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <memory>

#include "hw/core/machine.h"
#include "net/net_backend.h"
#include "system/chardev/chardev.h"
#include "system/chardev/mux.h"
#include "system/gdbstub/gdbstub.h"
#include "system/monitor/hmp.h"
#include "system/monitor/qmp.h"
#include "system/system.h"
#include "system/vm_control.h"
#include "util/bql.h"
#include "util/log.h"
#include "util/version.h"

namespace emu {

namespace {

EventLoop* g_loop = nullptr;
std::atomic<int> g_signal{0};

void on_terminate_signal(int sig) {
    g_signal.store(sig);
    if (g_loop) g_loop->request_exit(0);
}

class System : public MachineServices, public VmControl {
  public:
    System(const CommandLine& cl, EventLoop& loop, std::string arch)
        : cl_(cl), loop_(loop), clock_(&loop), arch_(std::move(arch)), qmp_hmp_(nullptr, this) {}

    EventLoop& loop() override { return loop_; }
    VirtualClock& clock() override { return clock_; }
    CharBackend* serial(unsigned index) override {
        return index < serials_.size() ? serials_[index] : nullptr;
    }
    NetBackend* netdev(const std::string& id) override {
        for (auto& n : netdevs_) {
            if (n->id() == id) return n.get();
        }
        return nullptr;
    }

    bool setup_netdevs() {
        int anon = 0;
        for (KeyValueList kv : cl_.machine.netdevs) {
            bool nic = kv.has("nic");
            std::string type = kv.get_or("type", "");
            if (nic && type == "none") continue;
            if (nic && !kv.has("id")) kv.set("id", "__nic" + std::to_string(anon++));
            machine_cfg_.netdevs.push_back(kv);  // with the id the board's NIC looks up
            std::string err;
            auto be = create_net_backend(kv, &loop_, &err);
            if (!be) {
                error_report("-%s %s: %s", nic ? "nic" : "netdev", type.c_str(), err.c_str());
                return false;
            }
            if (netdev(be->id())) {
                error_report("-netdev id=%s: duplicate netdev id", be->id().c_str());
                return false;
            }
            netdevs_.push_back(std::move(be));
        }
        return true;
    }

    bool check_netdev_peers() {
        for (size_t i = 0; i < netdevs_.size(); ++i) {
            if (netdevs_[i]->has_peer()) continue;
            if (netdevs_[i]->id().rfind("__nic", 0) == 0) {
                error_report("-nic: not supported yet: a NIC for this machine");
                return false;
            }
            warn_report("netdev %s has no peer", netdevs_[i]->id().c_str());
        }
        return true;
    }

    void request_shutdown(ShutdownCause cause, int status) override {
        bool guest = cause == ShutdownCause::GuestPoweroff || cause == ShutdownCause::GuestReset ||
                     cause == ShutdownCause::GuestPanic;
        const char* reason = cause == ShutdownCause::GuestPoweroff ? "guest-shutdown"
                             : cause == ShutdownCause::GuestReset  ? "guest-reset"
                             : cause == ShutdownCause::HostSignal  ? "host-signal"
                             : cause == ShutdownCause::GuestPanic  ? "guest-panic"
                                                                   : "host-qmp-quit";
        loop_.defer([this, guest, reason] {
            Json d = Json::object();
            d.set("guest", guest).set("reason", reason);
            emit("SHUTDOWN", d);
        });
        if (cause == ShutdownCause::GuestPoweroff && cl_.machine.no_shutdown) {
            loop_.defer([this] { pause(); });
            return;
        }
        state_.store(RunState::Shutdown);
        loop_.request_exit(status);
    }

    void request_reset() override {
        if (cl_.machine.no_reboot) {
            request_shutdown(ShutdownCause::GuestReset, 0);
            return;
        }
        loop_.defer([this] { do_reset(true); });
    }

    void debug_stop(unsigned cpu, BreakpointKind why, uint64_t watch_addr) override {
        if (gdb_) gdb_->debug_stop(cpu, why, watch_addr);
        loop_.defer([this] {
            pause();
            if (gdb_) gdb_->on_vm_stopped();
        });
    }

    RunState run_state() const override { return state_.load(); }
    void pause() override {
        if (state_.load() != RunState::Running) return;
        if (machine_) machine_->stop();
        clock_.stop();
        state_.store(RunState::Paused);
        emit("STOP", Json());
    }
    void resume() override {
        RunState s = state_.load();
        if (s != RunState::Paused && s != RunState::Prelaunch) return;
        clock_.start();
        state_.store(RunState::Running);
        if (machine_) machine_->start();
        if (s == RunState::Paused) emit("RESUME", Json());
    }
    void system_reset() override {
        loop_.defer([this] { do_reset(false); });
    }
    void system_powerdown() override {
        emit("POWERDOWN", Json());
        // Boards with a power button route it to the guest; until one does,
        // a power-down request ends the VM as a forced power-off would.
        request_shutdown(ShutdownCause::HostQuit, 0);
    }
    void quit() override {
        state_.store(RunState::Shutdown);
        loop_.request_exit(0);
    }
    std::string guest_name() const override { return cl_.machine.name; }

    bool setup_chardevs(ChardevManager& mgr) {
        chardevs_ = &mgr;
        std::string err;
        for (const auto& kv : cl_.chardevs) {
            if (!mgr.create(kv, &err)) {
                error_report("-chardev %s: %s", kv.get_or("id", "").c_str(), err.c_str());
                return false;
            }
        }
        MuxChardev* mon_mux = nullptr;
        for (size_t i = 0; i < cl_.serials.size(); ++i) {
            bool mux = false;
            Chardev* c =
                mgr.create_from_spec(cl_.serials[i], "serial" + std::to_string(i), &err, &mux);
            if (!c && !err.empty()) {
                error_report("-serial %s: %s", cl_.serials[i].c_str(), err.c_str());
                return false;
            }
            if (c && mux) {
                mon_mux = mgr.make_mux(c);
                serials_.push_back(mon_mux->add_frontend());
                monitors_.push_back(std::make_unique<HumanMonitor>(mon_mux->add_frontend(), this));
                mon_mux->set_quit_handler([this] { quit(); });
            } else {
                serials_.push_back(c);
            }
        }
        for (const auto& spec : cl_.monitors) {
            bool mux = false;
            Chardev* c = mgr.create_from_spec(spec, "monitor" + std::to_string(monitors_.size()),
                                              &err, &mux);
            if (!c && !err.empty()) {
                error_report("-monitor %s: %s", spec.c_str(), err.c_str());
                return false;
            }
            if (c) monitors_.push_back(std::make_unique<HumanMonitor>(c, this));
        }
        for (const auto& kv : cl_.mons) {
            std::string id = kv.get_or("chardev", "");
            Chardev* c = mgr.find(id);
            if (!c) {
                error_report("-mon chardev=%s: chardev '%s' not found", id.c_str(), id.c_str());
                return false;
            }
            std::string mode = kv.get_or("mode", "readline");
            if (mode == "control") {
                qmps_.push_back(std::make_unique<QmpMonitor>(c, this, arch_, &qmp_hmp_));
            } else if (mode == "readline") {
                monitors_.push_back(std::make_unique<HumanMonitor>(c, this));
            } else {
                error_report("-mon %s: invalid mode '%s' (readline or control)", id.c_str(),
                             mode.c_str());
                return false;
            }
        }
        for (const auto& spec : cl_.qmps) {
            bool mux = false;
            Chardev* c =
                mgr.create_from_spec(spec, "qmp" + std::to_string(qmps_.size()), &err, &mux);
            if (!c) {
                error_report("-qmp %s: %s", spec.c_str(), err.empty() ? "no chardev" : err.c_str());
                return false;
            }
            qmps_.push_back(std::make_unique<QmpMonitor>(c, this, arch_, &qmp_hmp_));
        }
        return true;
    }

    bool setup_gdb() {
        DebugTarget* t = machine_->debug_target();
        if (!t) {
            error_report("-gdb %s: not supported yet: debugging this machine/accelerator",
                         cl_.gdb.c_str());
            return false;
        }
        std::string spec = cl_.gdb;
        // QEMU's -gdb tcp::port / unix:path imply a server that does not wait.
        if ((spec.rfind("tcp:", 0) == 0 || spec.rfind("unix:", 0) == 0) &&
            spec.find("server") == std::string::npos) {
            spec += ",server=on,wait=off";
        }
        std::string err;
        bool mux = false;
        Chardev* c = chardevs_->create_from_spec(spec, "gdb", &err, &mux);
        if (!c) {
            error_report("-gdb %s: %s", cl_.gdb.c_str(), err.empty() ? "no chardev" : err.c_str());
            return false;
        }
        gdb_ = std::make_unique<GdbStub>(c, this, t);
        return true;
    }

    void emit(const std::string& name, Json data) {
        for (auto& q : qmps_)
            q->emit_event(name, data);
    }

    int run(const MachineType& type) {
        machine_cfg_ = cl_.machine;
        machine_cfg_.netdevs.clear();
        if (!setup_netdevs()) return 1;
        try {
            machine_ = type.create(machine_cfg_, *this);
        } catch (const std::exception& e) {
            error_report("%s", e.what());
            return 1;
        }
        if (!check_netdev_peers()) return 1;
        if (!cl_.gdb.empty() && !setup_gdb()) return 1;
        if (cl_.machine.gdb_wait) {
            clock_.stop();
            state_.store(RunState::Paused);
        } else {
            state_.store(RunState::Prelaunch);
            resume();
        }
        int status = loop_.run();
        machine_->stop();
        if (int sig = g_signal.load()) {
            restore_terminal();
            error_report("terminating on signal %d", sig);
        }
        return status;
    }

  private:
    void do_reset(bool guest) {
        if (!machine_) return;
        bool was_running = state_.load() == RunState::Running;
        machine_->stop();
        machine_->reset();
        Json d = Json::object();
        d.set("guest", guest).set("reason", guest ? "guest-reset" : "host-qmp-system-reset");
        emit("RESET", d);
        if (was_running) machine_->start();
    }

    const CommandLine& cl_;
    MachineConfig machine_cfg_;  // cl_.machine, -nic entries given their ids
    EventLoop& loop_;
    VirtualClock clock_;
    std::vector<CharBackend*> serials_;
    std::string arch_;
    HumanMonitor qmp_hmp_;  // serves QMP's human-monitor-command
    std::vector<std::unique_ptr<HumanMonitor>> monitors_;
    std::vector<std::unique_ptr<QmpMonitor>> qmps_;
    ChardevManager* chardevs_ = nullptr;
    std::vector<std::unique_ptr<NetBackend>> netdevs_;
    std::unique_ptr<GdbStub> gdb_;
    std::unique_ptr<Machine> machine_;
    std::atomic<RunState> state_{RunState::Prelaunch};
};

void print_list(const char* title, const std::vector<NamedItem>& items) {
    std::printf("%s\n", title);
    for (const auto& i : items)
        std::printf("  %-24s %s\n", i.name.c_str(), i.description.c_str());
}

// QEMU's layout ("name=<type>", padded, " - description"), sorted by name,
// so scripts that scrape "-M virt,help" read ours the same way.
void print_machine_properties(const MachineType& type) {
    std::vector<const MachineProperty*> props;
    for (const auto& p : type.properties)
        props.push_back(&p);
    std::sort(props.begin(), props.end(), [](auto* a, auto* b) { return a->name < b->name; });
    std::printf("%s options:\n", (type.qom_name.empty() ? type.name : type.qom_name).c_str());
    for (const auto* p : props) {
        std::string lhs = p->name + "=<" + p->type + ">";
        std::string rhs = p->description;
        if (!p->default_value.empty()) rhs += " (default: " + p->default_value + ")";
        std::printf("  %-22s - %s\n", lhs.c_str(), rhs.c_str());
    }
}

}  // namespace

int system_main(int argc, char** argv, TargetInfo& target) {
    set_program_name(target.binary_name);
    auto parsed = parse_command_line(argc, argv, target.arch);
    if (!parsed) return 1;
    CommandLine& cl = *parsed;

    if (cl.version) {
        std::printf("%s version %s (emu)\n", target.binary_name.c_str(), EMU_VERSION);
        std::printf("emu: a full-system emulator with QEMU-compatible interfaces\n");
        return 0;
    }
    if (cl.help) {
        std::fputs(command_line_usage(target.arch).c_str(), stdout);
        return 0;
    }
    if (cl.machine_help) {
        // As QEMU: one line per name, aliases included, sorted by name.
        std::vector<std::pair<std::string, std::string>> lines{{"none", "empty machine"}};
        for (const auto& m : target.machines.types()) {
            lines.emplace_back(m.name, m.description + (m.is_default ? " (default)" : ""));
            for (const auto& a : m.aliases)
                lines.emplace_back(a, m.description + " (alias of " + m.name + ")");
        }
        std::sort(lines.begin(), lines.end());
        std::printf("Supported machines are:\n");
        for (const auto& [name, desc] : lines)
            std::printf("%-20s %s\n", name.c_str(), desc.c_str());
        return 0;
    }
    if (cl.cpu_help) {
        print_list("Available CPUs:", target.cpu_models);
        return 0;
    }
    if (cl.accel_help) {
        print_list("Accelerators supported in this binary:", target.accelerators);
        return 0;
    }
    if (cl.device_help) {
        std::string bus;
        for (const auto& d : target.devices.types()) {
            if (d.bus != bus) {
                bus = d.bus;
                std::printf("\n%s devices:\n", bus.c_str());
            }
            std::printf("name \"%s\", desc \"%s\"\n", d.name.c_str(), d.description.c_str());
        }
        return 0;
    }
    if (cl.log_help) {
        std::printf("Log items (comma separated):\n");
        for (const auto& c : log_categories()) {
            std::printf("%-15s %s\n", std::string(c.name).c_str(), std::string(c.help).c_str());
        }
        std::printf("%-15s %s\n", "all", "all of the above");
        return 0;
    }

    if (!cl.log_file.empty()) {
        std::string err;
        if (!log_set_file(cl.log_file, &err)) {
            error_report("-D %s: %s", cl.log_file.c_str(), err.c_str());
            return 1;
        }
    }
    g_log_mask.store(cl.log_mask);

    // Accelerator choice.
    if (cl.machine.accel.name.empty() && !target.accelerators.empty()) {
        cl.machine.accel.name = target.accelerators.front().name;
    }
    bool accel_ok = false;
    for (const auto& a : target.accelerators)
        accel_ok |= a.name == cl.machine.accel.name;
    if (!accel_ok) {
        error_report("-accel %s: invalid accelerator %s for this binary (-accel help lists them)",
                     cl.machine.accel.name.c_str(), cl.machine.accel.name.c_str());
        return 1;
    }

    for (const auto& d : cl.machine.devices) {
        std::string drv = d.get_or("driver", "");
        if (!target.devices.find(drv)) {
            error_report(
                "-device %s: '%s' is not a valid device model name (-device help lists "
                "them)",
                drv.c_str(), drv.c_str());
            return 1;
        }
    }

    const MachineType* type = nullptr;
    if (cl.machine.type.empty()) {
        type = target.machines.default_type();
        if (!type) {
            error_report(
                "No machine specified, and there is no default\n"
                "Use -machine help to list supported machines");
            return 1;
        }
        cl.machine.type = type->name;
    } else if (cl.machine.type == "none") {
        error_report("-M none: not supported yet: the empty machine");
        return 1;
    } else {
        type = target.machines.find(cl.machine.type);
        if (!type) {
            error_report(
                "-M %s: unsupported machine type\nUse -machine help to list supported "
                "machines",
                cl.machine.type.c_str());
            return 1;
        }
    }

    if (cl.machine_props_help) {
        print_machine_properties(*type);
        return 0;
    }

    EventLoop loop;
    g_loop = &loop;
    struct sigaction sa {};
    sa.sa_handler = on_terminate_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, nullptr);
    sigaction(SIGTERM, &sa, nullptr);
    sigaction(SIGHUP, &sa, nullptr);
    signal(SIGPIPE, SIG_IGN);

    int status;
    {
        BqlGuard lock;
        ChardevManager chardevs(&loop);
        System sys(cl, loop, target.arch == TargetArch::Aarch64 ? "aarch64" : "x86_64");
        if (!sys.setup_chardevs(chardevs)) {
            restore_terminal();
            return 1;
        }
        status = sys.run(*type);
    }
    g_loop = nullptr;
    restore_terminal();
    std::fflush(stdout);
    return status;
}

}  // namespace emu

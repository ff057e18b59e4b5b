#include "system/monitor/hmp.h"

#include <sstream>
#include <vector>

#include "util/version.h"

namespace emu {

const char* run_state_name(RunState s) {
    switch (s) {
        case RunState::Prelaunch:
            return "prelaunch";
        case RunState::Running:
            return "running";
        case RunState::Paused:
            return "paused";
        case RunState::Shutdown:
            return "shutdown";
    }
    return "unknown";
}

HumanMonitor::HumanMonitor(CharBackend* chr, VmControl* vm) : chr_(chr), vm_(vm) {
    // Without a chardev the monitor only serves QMP's human-monitor-command.
    if (chr_) chr_->set_frontend(this);
}

void HumanMonitor::print(const std::string& s) {
    if (!chr_) return;
    // The terminal is raw: turn "\n" into "\r\n".
    std::string out;
    for (char c : s) {
        if (c == '\n') out += '\r';
        out += c;
    }
    chr_->write(reinterpret_cast<const uint8_t*>(out.data()), out.size());
}

void HumanMonitor::prompt() {
    print("(qemu) ");
}

void HumanMonitor::char_event(CharEvent ev) {
    if (ev == CharEvent::FocusIn) {
        prompt();
        return;
    }
    if (ev == CharEvent::Opened && !greeted_) {
        greeted_ = true;
        print(std::string("emu ") + EMU_VERSION + " monitor - type 'help' for more information\n");
        prompt();
    }
}

void HumanMonitor::receive(const uint8_t* data, size_t len) {
    for (size_t i = 0; i < len; ++i) {
        char c = char(data[i]);
        if (c == '\r' || c == '\n') {
            print("\n");
            std::string out = execute(line_);
            line_.clear();
            print(out);
            if (vm_->run_state() != RunState::Shutdown) prompt();
        } else if (c == 0x7f || c == 0x08) {
            if (!line_.empty()) {
                line_.pop_back();
                print("\b \b");
            }
        } else if (c >= 0x20 && c < 0x7f && line_.size() < 4096) {
            line_ += c;
            chr_->write(reinterpret_cast<const uint8_t*>(&c), 1);
        }
    }
}

std::string HumanMonitor::execute(const std::string& line) {
    std::istringstream in(line);
    std::vector<std::string> words;
    for (std::string w; in >> w;)
        words.push_back(w);
    if (words.empty()) return "";
    const std::string& cmd = words[0];
    if (cmd == "help" || cmd == "?" || cmd == "h") {
        return "cont|c -- resume emulation\n"
               "help|? -- show the help\n"
               "info status|version|name -- show information about the system\n"
               "quit|q -- quit the emulator\n"
               "stop|s -- stop emulation\n"
               "system_powerdown -- send system power down event\n"
               "system_reset -- reset the system\n";
    }
    if (cmd == "info") {
        if (words.size() < 2) return "info status|version|name\n";
        if (words[1] == "status") {
            RunState s = vm_->run_state();
            if (s == RunState::Running) return "VM status: running\n";
            return std::string("VM status: paused") +
                   (s == RunState::Paused ? "" : std::string(" (") + run_state_name(s) + ")") +
                   "\n";
        }
        if (words[1] == "version") return std::string(EMU_VERSION) + " (emu)\n";
        if (words[1] == "name") {
            std::string n = vm_->guest_name();
            return n.empty() ? "" : n + "\n";
        }
        return "info: unknown item '" + words[1] + "'\n";
    }
    if (cmd == "quit" || cmd == "q") {
        vm_->quit();
        return "";
    }
    if (cmd == "stop" || cmd == "s") {
        vm_->pause();
        return "";
    }
    if (cmd == "cont" || cmd == "c") {
        vm_->resume();
        return "";
    }
    if (cmd == "system_reset") {
        vm_->system_reset();
        return "";
    }
    if (cmd == "system_powerdown") {
        vm_->system_powerdown();
        return "";
    }
    return "unknown command: '" + cmd + "'\n";
}

}  // namespace emu

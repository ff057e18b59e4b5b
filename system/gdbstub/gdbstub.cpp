#include "system/gdbstub/gdbstub.h"

#include <cstdio>

#include "util/log.h"

namespace emu {

GdbStub::GdbStub(CharBackend* chr, VmControl* vm, DebugTarget* target)
    : chr_(chr),
      vm_(vm),
      target_(target),
      reader_(GdbPacketReader::Callbacks{
          [this](std::string p) {
              std::string reply = handle(p);
              // c/s/vCont reply later, with the stop packet.
              if (!(reply.size() == 1 && reply[0] == '\x01')) send_packet(reply);
          },
          [this] {
              // Ctrl-C: stop everything and report SIGINT.
              if (vm_->run_state() == RunState::Running) vm_->pause();
              stop_signal_ = 2;
              if (waiting_for_stop_) {
                  waiting_for_stop_ = false;
                  send_packet(stop_reply());
              }
          },
          [this](char ack) { chr_->write(reinterpret_cast<const uint8_t*>(&ack), 1); }}) {
    chr_->set_frontend(this);
}

void GdbStub::char_event(CharEvent ev) {
    if (ev == CharEvent::Opened) {
        no_ack_ = false;
        reader_.set_no_ack(false);
        attached_ = true;
        waiting_for_stop_ = false;
        // gdb expects the target stopped when it attaches.
        if (vm_->run_state() == RunState::Running) vm_->pause();
    } else if (ev == CharEvent::Closed && attached_) {
        attached_ = false;
        for (unsigned i = 0; i < target_->num_cpus(); ++i)
            target_->set_single_step(i, false);
        vm_->resume();
    }
}

void GdbStub::send_packet(const std::string& payload) {
    std::string f = gdb_frame(payload);
    chr_->write(reinterpret_cast<const uint8_t*>(f.data()), f.size());
}

void GdbStub::debug_stop(unsigned cpu, BreakpointKind why, uint64_t watch_addr) {
    stop_cpu_ = cpu;
    stop_why_ = why;
    stop_addr_ = watch_addr;
    stop_signal_ = 5;
}

void GdbStub::on_vm_stopped() {
    for (unsigned i = 0; i < target_->num_cpus(); ++i)
        target_->set_single_step(i, false);
    if (waiting_for_stop_) {
        waiting_for_stop_ = false;
        send_packet(stop_reply());
    }
}

std::string GdbStub::stop_reply() const {
    char buf[96];
    std::snprintf(buf, sizeof buf, "T%02xthread:%x;", stop_signal_, stop_cpu_ + 1);
    std::string r = buf;
    if (stop_signal_ == 5) {
        switch (stop_why_) {
            case BreakpointKind::Software:
                r += "swbreak:;";
                break;
            case BreakpointKind::Hardware:
                r += "hwbreak:;";
                break;
            case BreakpointKind::WatchWrite:
                std::snprintf(buf, sizeof buf, "watch:%llx;", (unsigned long long)stop_addr_);
                r += buf;
                break;
            case BreakpointKind::WatchRead:
                std::snprintf(buf, sizeof buf, "rwatch:%llx;", (unsigned long long)stop_addr_);
                r += buf;
                break;
            case BreakpointKind::WatchAccess:
                std::snprintf(buf, sizeof buf, "awatch:%llx;", (unsigned long long)stop_addr_);
                r += buf;
                break;
            case BreakpointKind::SingleStep:
                break;  // a plain SIGTRAP
        }
    }
    return r;
}

bool GdbStub::parse_thread(const std::string& s, int* cpu) const {
    if (s == "-1" || s == "0") {
        *cpu = -1;
        return true;
    }
    uint64_t t;
    if (!parse_hex_u64(s, &t) || t == 0 || t > target_->num_cpus()) return false;
    *cpu = int(t - 1);
    return true;
}

std::string GdbStub::resume(bool step, unsigned step_cpu) {
    if (step) target_->set_single_step(step_cpu, true);
    stop_signal_ = 5;
    stop_why_ = BreakpointKind::Software;
    waiting_for_stop_ = true;
    vm_->resume();
    return "\x01";  // no immediate reply
}

std::string GdbStub::handle_vcont(const std::string& args) {
    // vCont;action[:thread];... — the first action naming a thread (or the
    // default) decides; a step applies to one CPU, the others stay stopped.
    size_t pos = 0;
    bool step = false;
    unsigned step_cpu = unsigned(g_cpu_ < 0 ? 0 : g_cpu_);
    while (pos < args.size()) {
        if (args[pos] != ';') return "E22";
        size_t end = args.find(';', pos + 1);
        std::string item =
            args.substr(pos + 1, end == std::string::npos ? std::string::npos : end - pos - 1);
        pos = end == std::string::npos ? args.size() : end;
        if (item.empty()) return "E22";
        char act = item[0];
        int cpu = -1;
        size_t colon = item.find(':');
        if (colon != std::string::npos && !parse_thread(item.substr(colon + 1), &cpu)) {
            return "E22";
        }
        if (act == 's' || act == 'S') {
            step = true;
            step_cpu = cpu < 0 ? step_cpu : unsigned(cpu);
            break;
        }
        if (act != 'c' && act != 'C') return "E22";
    }
    return resume(step, step_cpu);
}

std::string GdbStub::handle_breakpoint(const std::string& p, bool insert) {
    // Z<type>,<addr>,<kind>
    size_t c1 = p.find(',', 1), c2 = p.find(',', c1 == std::string::npos ? 1 : c1 + 1);
    if (p.size() < 2 || c1 == std::string::npos || c2 == std::string::npos) return "E22";
    int type = p[1] - '0';
    if (type < 0 || type > 4) return "";
    uint64_t addr, kind;
    if (!parse_hex_u64(p.substr(c1 + 1, c2 - c1 - 1), &addr)) return "E22";
    std::string k = p.substr(c2 + 1);
    size_t semi = k.find(';');  // conditions are not supported: ignore the list
    if (!parse_hex_u64(k.substr(0, semi), &kind)) return "E22";
    auto bk = BreakpointKind(type);
    bool ok = insert ? target_->insert_breakpoint(bk, addr, kind)
                     : target_->remove_breakpoint(bk, addr, kind);
    return ok ? "OK" : (insert ? "E22" : "E22");
}

std::string GdbStub::handle_query(const std::string& p) {
    if (p.rfind("qSupported", 0) == 0) {
        return "PacketSize=4000;qXfer:features:read+;QStartNoAckMode+;vContSupported+;"
               "swbreak+;hwbreak+";
    }
    if (p == "QStartNoAckMode") {
        no_ack_ = true;
        // The OK itself is still acked by gdb; stop sending acks after it.
        reader_.set_no_ack(true);
        return "OK";
    }
    if (p == "qAttached") return "1";
    if (p == "qC") {
        char buf[32];
        std::snprintf(buf, sizeof buf, "QC%x", unsigned(g_cpu_ < 0 ? 0 : g_cpu_) + 1);
        return buf;
    }
    if (p == "qfThreadInfo") {
        std::string r = "m";
        for (unsigned i = 0; i < target_->num_cpus(); ++i) {
            char buf[16];
            std::snprintf(buf, sizeof buf, "%s%x", i ? "," : "", i + 1);
            r += buf;
        }
        return r;
    }
    if (p == "qsThreadInfo") return "l";
    if (p.rfind("qThreadExtraInfo,", 0) == 0) {
        int cpu;
        if (!parse_thread(p.substr(17), &cpu) || cpu < 0) return "E22";
        char buf[64];
        std::snprintf(buf, sizeof buf, "CPU#%d [%s]", cpu,
                      vm_->run_state() == RunState::Running ? "running" : "halted");
        return to_hex(std::string_view(buf));
    }
    if (p.rfind("qXfer:features:read:", 0) == 0) {
        std::string rest = p.substr(20);
        size_t colon = rest.find(':');
        if (colon == std::string::npos) return "E00";
        std::string annex = rest.substr(0, colon);
        std::string range = rest.substr(colon + 1);
        size_t comma = range.find(',');
        uint64_t off, len;
        if (comma == std::string::npos || !parse_hex_u64(range.substr(0, comma), &off) ||
            !parse_hex_u64(range.substr(comma + 1), &len)) {
            return "E00";
        }
        std::string doc = target_->target_xml(annex);
        if (doc.empty()) return "E00";
        if (off > doc.size()) return "E00";
        len = std::min<uint64_t>(len, GdbPacketReader::kMaxPacket - 16);
        std::string chunk = doc.substr(off, len);
        return (off + chunk.size() >= doc.size() ? "l" : "m") + chunk;
    }
    if (p == "qSymbol::") return "OK";
    if (p == "qOffsets") return "";
    return "";
}

std::string GdbStub::handle(const std::string& p) {
    if (p.empty()) return "";
    unsigned cpu = unsigned(g_cpu_ < 0 ? 0 : g_cpu_);
    switch (p[0]) {
        case '?':
            return stop_reply();
        case 'q':
        case 'Q':
            return handle_query(p);
        case 'H': {
            if (p.size() < 2) return "E22";
            int c;
            if (!parse_thread(p.substr(2), &c)) return "E22";
            if (p[1] == 'g') g_cpu_ = c;
            return "OK";
        }
        case 'T': {
            int c;
            return parse_thread(p.substr(1), &c) && c >= 0 ? "OK" : "E22";
        }
        case 'g': {
            auto regs = target_->read_registers(cpu);
            return to_hex(regs.data(), regs.size());
        }
        case 'G': {
            std::vector<uint8_t> blob;
            if (!from_hex(p.substr(1), &blob)) return "E22";
            return target_->write_registers(cpu, blob) ? "OK" : "E22";
        }
        case 'p': {
            uint64_t n;
            if (!parse_hex_u64(p.substr(1), &n)) return "E22";
            auto v = target_->read_register(cpu, unsigned(n));
            return v.empty() ? "E22" : to_hex(v.data(), v.size());
        }
        case 'P': {
            size_t eq = p.find('=');
            uint64_t n;
            std::vector<uint8_t> v;
            if (eq == std::string::npos || !parse_hex_u64(p.substr(1, eq - 1), &n) ||
                !from_hex(p.substr(eq + 1), &v)) {
                return "E22";
            }
            return target_->write_register(cpu, unsigned(n), v) ? "OK" : "E22";
        }
        case 'm': {
            size_t comma = p.find(',');
            uint64_t addr, len;
            if (comma == std::string::npos || !parse_hex_u64(p.substr(1, comma - 1), &addr) ||
                !parse_hex_u64(p.substr(comma + 1), &len)) {
                return "E22";
            }
            len = std::min<uint64_t>(len, GdbPacketReader::kMaxPacket / 2);
            std::vector<uint8_t> buf(len);
            if (!target_->read_memory(cpu, addr, buf.data(), len)) return "E14";
            return to_hex(buf.data(), buf.size());
        }
        case 'M':
        case 'X': {
            size_t comma = p.find(','), colon = p.find(':');
            uint64_t addr, len;
            if (comma == std::string::npos || colon == std::string::npos || colon < comma ||
                !parse_hex_u64(p.substr(1, comma - 1), &addr) ||
                !parse_hex_u64(p.substr(comma + 1, colon - comma - 1), &len)) {
                return "E22";
            }
            std::vector<uint8_t> data;
            if (p[0] == 'M') {
                if (!from_hex(p.substr(colon + 1), &data)) return "E22";
            } else {
                data.assign(p.begin() + long(colon) + 1, p.end());
            }
            if (data.size() != len) return "E22";
            if (len == 0) return "OK";
            return target_->write_memory(cpu, addr, data.data(), len) ? "OK" : "E14";
        }
        case 'c':
        case 'C':
            return resume(false, cpu);
        case 's':
        case 'S':
            return resume(true, cpu);
        case 'v':
            if (p == "vCont?") return "vCont;c;C;s;S";
            if (p.rfind("vCont;", 0) == 0) return handle_vcont(p.substr(5));
            if (p == "vMustReplyEmpty") return "";
            if (p.rfind("vKill", 0) == 0) {
                vm_->quit();
                return "OK";
            }
            return "";
        case 'Z':
            return handle_breakpoint(p, true);
        case 'z':
            return handle_breakpoint(p, false);
        case 'k':
            vm_->quit();
            return "\x01";
        case 'D':
            attached_ = false;
            for (unsigned i = 0; i < target_->num_cpus(); ++i)
                target_->set_single_step(i, false);
            send_packet("OK");
            vm_->resume();
            return "\x01";
        default:
            return "";
    }
}

}  // namespace emu

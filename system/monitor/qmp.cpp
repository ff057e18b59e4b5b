#include "system/monitor/qmp.h"

#include <sys/time.h>

#include "system/monitor/hmp.h"
#include "util/version.h"

namespace emu {

namespace {

const char* const kCommands[] = {
    "qmp_capabilities",
    "query-commands",
    "query-status",
    "query-version",
    "query-name",
    "query-target",
    "query-kvm",
    "stop",
    "cont",
    "system_reset",
    "system_powerdown",
    "quit",
    "human-monitor-command",
};

Json version_json() {
    // QEMU's version numbers are what clients check for features; report the
    // QEMU release whose interfaces we follow, and our own in "package".
    Json q = Json::object();
    q.set("micro", 0).set("minor", 2).set("major", 7);
    Json v = Json::object();
    v.set("qemu", q).set("package", std::string("emu ") + EMU_VERSION);
    return v;
}

}  // namespace

Json qmp_error(const std::string& cls, const std::string& desc) {
    Json e = Json::object();
    e.set("class", cls).set("desc", desc);
    Json r = Json::object();
    r.set("error", e);
    return r;
}

QmpMonitor::QmpMonitor(CharBackend* chr, VmControl* vm, std::string target_arch, HumanMonitor* hmp)
    : chr_(chr), vm_(vm), arch_(std::move(target_arch)), hmp_(hmp) {
    chr_->set_frontend(this);
}

void QmpMonitor::send(const Json& msg) {
    std::string s = msg.dump() + "\r\n";
    chr_->write(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}

void QmpMonitor::char_event(CharEvent ev) {
    if (ev == CharEvent::Opened) {
        // Every new client starts in capabilities-negotiation mode.
        negotiated_ = false;
        buf_.clear();
        depth_ = 0;
        in_string_ = escape_ = false;
        Json caps = Json::array();
        caps.push("oob");
        Json qmp = Json::object();
        qmp.set("version", version_json()).set("capabilities", caps);
        Json greet = Json::object();
        greet.set("QMP", qmp);
        send(greet);
    }
}

void QmpMonitor::emit_event(const std::string& name, Json data) {
    if (!negotiated_) return;
    timeval tv;
    gettimeofday(&tv, nullptr);
    Json ts = Json::object();
    ts.set("seconds", int64_t(tv.tv_sec)).set("microseconds", int64_t(tv.tv_usec));
    Json ev = Json::object();
    ev.set("event", name);
    if (!data.is_null()) ev.set("data", std::move(data));
    ev.set("timestamp", ts);
    send(ev);
}

void QmpMonitor::receive(const uint8_t* data, size_t len) {
    for (size_t i = 0; i < len; ++i) {
        char c = char(data[i]);
        if (discarding_) {
            // After an oversized request, resynchronise at the next line.
            if (c == '\n') discarding_ = false;
            continue;
        }
        bool space = c == ' ' || c == '\n' || c == '\r' || c == '\t';
        if (depth_ == 0 && !in_string_ && buf_.empty() && space) continue;
        // A stray top-level token (not an object or array) runs until
        // whitespace or the next '{' and gets one error, not one per byte.
        if (depth_ == 0 && !in_string_ && !buf_.empty() && buf_[0] != '{' && buf_[0] != '[' &&
            (space || c == '{' || c == '[')) {
            std::string text;
            text.swap(buf_);
            handle_text(text);
            if (space) continue;
        }
        buf_ += c;
        if (in_string_) {
            if (escape_) {
                escape_ = false;
            } else if (c == '\\') {
                escape_ = true;
            } else if (c == '"') {
                in_string_ = false;
            }
        } else if (c == '"') {
            in_string_ = true;
        } else if (c == '{' || c == '[') {
            ++depth_;
        } else if (c == '}' || c == ']') {
            --depth_;
        }
        bool complete = !in_string_ && depth_ <= 0 && (buf_[0] == '{' || buf_[0] == '[');
        if (buf_.size() > kMaxInput) {
            send(qmp_error("GenericError", "JSON parse error, input too large"));
            buf_.clear();
            depth_ = 0;
            in_string_ = escape_ = false;
            discarding_ = true;
            continue;
        }
        if (complete) {
            std::string text;
            text.swap(buf_);
            depth_ = 0;
            handle_text(text);
        }
    }
}

void QmpMonitor::handle_text(const std::string& text) {
    std::string err;
    auto req = Json::parse(text, &err);
    if (!req) {
        send(qmp_error("GenericError", "JSON parse error, " + err));
        return;
    }
    Json resp = dispatch(*req);
    if (!resp.is_null()) send(resp);
}

Json QmpMonitor::dispatch(const Json& req) {
    if (!req.is_object()) return qmp_error("GenericError", "QMP input must be a JSON object");
    const Json* id = req.find("id");
    auto with_id = [&](Json r) {
        if (id) r.set("id", *id);
        return r;
    };
    const Json* exec = req.find("execute");
    const Json* exec_oob = req.find("exec-oob");
    for (const auto& [k, v] : req.as_object()) {
        if (k != "execute" && k != "exec-oob" && k != "arguments" && k != "id") {
            return with_id(qmp_error("GenericError", "QMP input member '" + k + "' is unexpected"));
        }
    }
    if (exec_oob) exec = exec_oob;
    if (!exec) return with_id(qmp_error("GenericError", "QMP input lacks member 'execute'"));
    if (!exec->is_string()) {
        return with_id(qmp_error("GenericError", "QMP input member 'execute' must be a string"));
    }
    const Json* args = req.find("arguments");
    if (args && !args->is_object()) {
        return with_id(qmp_error("GenericError", "QMP input member 'arguments' must be an object"));
    }
    Json empty = Json::object();
    const std::string& name = exec->as_string();
    if (!negotiated_ && name != "qmp_capabilities") {
        return with_id(qmp_error("CommandNotFound",
                                 "Expecting capabilities negotiation with 'qmp_capabilities'"));
    }
    if (negotiated_ && name == "qmp_capabilities") {
        return with_id(qmp_error("CommandNotFound",
                                 "Capabilities negotiation is already complete, command ignored"));
    }
    bool found = true;
    Json r = run_command(name, args ? *args : empty, &found);
    if (!found) {
        return with_id(qmp_error("CommandNotFound", "The command " + name + " has not been found"));
    }
    return with_id(std::move(r));
}

Json QmpMonitor::run_command(const std::string& name, const Json& args, bool* found) {
    auto ok = [](Json v = Json::object()) {
        Json r = Json::object();
        r.set("return", std::move(v));
        return r;
    };
    auto no_args = [&]() -> std::optional<Json> {
        if (!args.as_object().empty()) {
            return qmp_error("GenericError",
                             "Parameter '" + args.as_object().front().first + "' is unexpected");
        }
        return std::nullopt;
    };
    if (name == "qmp_capabilities") {
        if (const Json* en = args.find("enable")) {
            if (!en->is_array())
                return qmp_error("GenericError",
                                 "Invalid parameter type for 'enable', expected: array");
            for (const auto& c : en->as_array()) {
                if (!c.is_string() || c.as_string() != "oob") {
                    return qmp_error("GenericError", "Capability is not supported");
                }
            }
        }
        negotiated_ = true;
        return ok();
    }
    if (name == "query-commands") {
        Json list = Json::array();
        for (const char* c : kCommands) {
            Json e = Json::object();
            e.set("name", c);
            list.push(e);
        }
        return ok(list);
    }
    if (name == "query-status") {
        if (auto e = no_args()) return *e;
        Json s = Json::object();
        RunState st = vm_->run_state();
        s.set("status", run_state_name(st))
            .set("singlestep", false)
            .set("running", st == RunState::Running);
        return ok(s);
    }
    if (name == "query-version") return ok(version_json());
    if (name == "query-name") {
        Json n = Json::object();
        if (!vm_->guest_name().empty()) n.set("name", vm_->guest_name());
        return ok(n);
    }
    if (name == "query-target") {
        Json t = Json::object();
        t.set("arch", arch_);
        return ok(t);
    }
    if (name == "query-kvm") {
        Json t = Json::object();
        bool kvm = arch_ == "x86_64";
        t.set("enabled", kvm).set("present", kvm);
        return ok(t);
    }
    if (name == "stop") {
        if (auto e = no_args()) return *e;
        vm_->pause();
        return ok();
    }
    if (name == "cont") {
        if (auto e = no_args()) return *e;
        vm_->resume();
        return ok();
    }
    if (name == "system_reset") {
        if (auto e = no_args()) return *e;
        vm_->system_reset();
        return ok();
    }
    if (name == "system_powerdown") {
        if (auto e = no_args()) return *e;
        vm_->system_powerdown();
        return ok();
    }
    if (name == "quit") {
        if (auto e = no_args()) return *e;
        // Answer before the process goes away.
        send(ok());
        vm_->quit();
        return Json();
    }
    if (name == "human-monitor-command") {
        const Json* cmd = args.find("command-line");
        if (!cmd || !cmd->is_string()) {
            return qmp_error("GenericError", "Parameter 'command-line' is missing");
        }
        if (!hmp_) return qmp_error("GenericError", "no human monitor available");
        return ok(hmp_->execute(cmd->as_string()));
    }
    *found = false;
    return Json();
}

}  // namespace emu

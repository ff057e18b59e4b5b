#include "system/chardev/chardev.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstring>

#include "system/chardev/fd_chardev.h"
#include "system/chardev/mux.h"

namespace emu {

std::unique_ptr<Chardev> make_stdio_chardev(std::string id, EventLoop* loop, bool signal,
                                            std::string* err);
std::unique_ptr<Chardev> make_socket_chardev(std::string id, const KeyValueList& opts,
                                             EventLoop* loop, std::string* err);

void Chardev::set_frontend(CharFrontend* fe) {
    frontend_ = fe;
}

size_t Chardev::deliver(const uint8_t* data, size_t len) {
    if (!frontend_) return len;
    size_t room = frontend_->can_receive();
    size_t n = std::min(room, len);
    if (n) frontend_->receive(data, n);
    return n;
}

namespace {

class NullChardev : public Chardev {
  public:
    using Chardev::Chardev;
    size_t write(const uint8_t*, size_t len) override { return len; }
    void set_frontend(CharFrontend* fe) override {
        Chardev::set_frontend(fe);
        if (fe) fe->char_event(CharEvent::Opened);
    }
};

class FileChardev : public FdChardev {
  public:
    FileChardev(std::string id, EventLoop* loop) : FdChardev(std::move(id), loop) {}
    ~FileChardev() override {
        detach_input();
        if (in_ >= 0) close(in_);
        if (out_ >= 0) close(out_);
    }
    bool open_files(const std::string& out_path, const std::string& in_path, bool append,
                    std::string* err) {
        out_ = ::open(out_path.c_str(),
                      O_WRONLY | O_CREAT | O_CLOEXEC | (append ? O_APPEND : O_TRUNC), 0666);
        if (out_ < 0) {
            *err = "Could not open '" + out_path + "': " + std::strerror(errno);
            return false;
        }
        if (!in_path.empty()) {
            in_ = ::open(in_path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
            if (in_ < 0) {
                *err = "Could not open '" + in_path + "': " + std::strerror(errno);
                return false;
            }
        }
        attach(in_, out_);
        return true;
    }

  private:
    int in_ = -1;
    int out_ = -1;
};

}  // namespace

std::unique_ptr<Chardev> make_null_chardev(std::string id) {
    return std::make_unique<NullChardev>(std::move(id));
}

std::unique_ptr<Chardev> make_file_chardev(std::string id, const std::string& out_path,
                                           const std::string& in_path, bool append, EventLoop* loop,
                                           std::string* err) {
    auto c = std::make_unique<FileChardev>(std::move(id), loop);
    if (!c->open_files(out_path, in_path, append, err)) return nullptr;
    return c;
}

ChardevManager::~ChardevManager() = default;

Chardev* ChardevManager::find(const std::string& id) const {
    for (const auto& d : devs_) {
        if (d->id() == id) return d.get();
    }
    return nullptr;
}

Chardev* ChardevManager::create(const KeyValueList& opts, std::string* err) {
    std::string backend = opts.get_or("backend", "");
    std::string id = opts.get_or("id", "");
    if (id.empty()) {
        *err = "Parameter 'id' is missing";
        return nullptr;
    }
    if (find(id)) {
        *err = "attempt to add duplicate property '" + id + "'";
        return nullptr;
    }
    std::unique_ptr<Chardev> dev;
    auto check = [&](std::vector<std::string_view> known) {
        known.push_back("backend");
        known.push_back("id");
        known.push_back("mux");
        known.push_back("logfile");
        if (auto bad = opts.first_unknown(known)) {
            *err = "Invalid parameter '" + *bad + "' for chardev '" + backend + "'";
            return false;
        }
        if (opts.has("logfile")) {
            *err = "not supported yet: chardev logfile=";
            return false;
        }
        return true;
    };
    if (backend == "null") {
        if (!check({})) return nullptr;
        dev = make_null_chardev(id);
    } else if (backend == "stdio") {
        if (!check({"signal"})) return nullptr;
        auto sig = opts.get_bool("signal", err);
        if (!err->empty()) return nullptr;
        dev = make_stdio_chardev(id, loop_, sig.value_or(true), err);
    } else if (backend == "file") {
        if (!check({"path", "append", "input-path"})) return nullptr;
        auto path = opts.get("path");
        if (!path) {
            *err = "chardev: file: no filename given";
            return nullptr;
        }
        auto append = opts.get_bool("append", err);
        if (!err->empty()) return nullptr;
        dev = make_file_chardev(id, *path, opts.get_or("input-path", ""), append.value_or(false),
                                loop_, err);
    } else if (backend == "socket") {
        if (!check({"path", "host", "port", "server", "wait", "nodelay", "telnet", "reconnect",
                    "abstract", "tight", "ipv4", "ipv6", "to"})) {
            return nullptr;
        }
        dev = make_socket_chardev(id, opts, loop_, err);
    } else if (backend.empty()) {
        *err = "chardev: backend is missing";
        return nullptr;
    } else {
        *err = "not supported yet: chardev backend '" + backend + "'";
        return nullptr;
    }
    if (!dev) return nullptr;
    bool mux = false;
    if (auto m = opts.get_bool("mux", err)) mux = *m;
    if (!err->empty()) return nullptr;
    Chardev* raw = dev.get();
    devs_.push_back(std::move(dev));
    if (mux) return make_mux(raw);
    return raw;
}

MuxChardev* ChardevManager::make_mux(Chardev* base) {
    auto mux = std::make_unique<MuxChardev>(base->id() + "-mux", base);
    MuxChardev* raw = mux.get();
    devs_.push_back(std::move(mux));
    return raw;
}

Chardev* ChardevManager::create_from_spec(const std::string& spec, const std::string& id,
                                          std::string* err, bool* mux_monitor) {
    *mux_monitor = false;
    std::string s = spec;
    if (s.rfind("mon:", 0) == 0) {
        *mux_monitor = true;
        s = s.substr(4);
    }
    if (s == "none") return nullptr;
    if (s.rfind("chardev:", 0) == 0) {
        Chardev* c = find(s.substr(8));
        if (!c) *err = "chardev '" + s.substr(8) + "' not found";
        return c;
    }
    std::string backend = s;
    std::string rest;
    size_t colon = s.find(':');
    if (colon != std::string::npos) {
        backend = s.substr(0, colon);
        rest = s.substr(colon + 1);
    }
    KeyValueList kv;
    kv.set("id", id.empty() ? "compat" + std::to_string(anon_++) : id);
    if (backend == "stdio" || backend == "null") {
        if (!rest.empty()) {
            *err = "'" + spec + "': unexpected ':" + rest + "'";
            return nullptr;
        }
        kv.set("backend", backend);
        if (backend == "stdio" && *mux_monitor) kv.set("signal", "off");
    } else if (backend == "file") {
        kv.set("backend", "file");
        kv.set("path", rest);
    } else if (backend == "tcp" || backend == "unix" || backend == "telnet") {
        // tcp:[host]:port[,opt=..] / unix:path[,opt=..]
        std::string err2;
        auto sub = KeyValueList::parse(rest, backend == "unix" ? "path" : "addr", &err2);
        if (!sub) {
            *err = "'" + spec + "': " + err2;
            return nullptr;
        }
        kv.set("backend", "socket");
        for (const auto& [k, v] : sub->items()) {
            if (k == "addr") {
                size_t c = v.rfind(':');
                if (c == std::string::npos) {
                    *err = "'" + spec + "': expected host:port";
                    return nullptr;
                }
                kv.set("host", v.substr(0, c));
                kv.set("port", v.substr(c + 1));
            } else {
                kv.set(k, v);
            }
        }
        if (backend == "telnet") kv.set("telnet", "on");
    } else if (backend == "vc" || backend == "pty" || backend == "pipe" || backend == "udp" ||
               backend == "msmouse" || backend == "braille" || backend == "serial" ||
               backend == "parallel") {
        *err = "not supported yet: character device '" + backend + "'";
        return nullptr;
    } else {
        *err = "'" + spec + "' is not a valid char driver";
        return nullptr;
    }
    return create(kv, err);
}

}  // namespace emu

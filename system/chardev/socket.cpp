// Socket chardev: unix or tcp, server side (server=on) with wait=on/off, or
// client side. One peer at a time; output is dropped while none is there.
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>

#include "system/chardev/fd_chardev.h"
#include "util/log.h"

namespace emu {

namespace {

class SocketChardev : public FdChardev {
  public:
    SocketChardev(std::string id, EventLoop* loop) : FdChardev(std::move(id), loop) {}
    ~SocketChardev() override {
        drop_peer();
        if (listen_handle_) loop_->remove_fd(listen_handle_);
        if (listen_fd_ >= 0) close(listen_fd_);
        if (!unix_path_.empty()) unlink(unix_path_.c_str());
    }

    bool listen_on(int fd, std::string unix_path) {
        listen_fd_ = fd;
        unix_path_ = std::move(unix_path);
        listen_handle_ = loop_->add_fd(listen_fd_, POLLIN, [this](int, short) { on_accept(); });
        return true;
    }

    void wait_for_peer(const std::string& desc) {
        std::fprintf(stderr, "%s: info: waiting for connection on %s\n", program_name().c_str(),
                     desc.c_str());
        pollfd p{listen_fd_, POLLIN, 0};
        while (peer_ < 0) {
            if (poll(&p, 1, -1) > 0) on_accept();
        }
    }

    void connect_fd(int fd) { set_peer(fd); }

  protected:
    void input_closed() override { drop_peer(); }

  private:
    void on_accept() {
        int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
        if (fd < 0) return;
        if (peer_ >= 0) {  // one peer at a time
            close(fd);
            return;
        }
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        set_peer(fd);
    }

    void set_peer(int fd) {
        peer_ = fd;
        attach(fd, fd);
        if (frontend_) frontend_->char_event(CharEvent::Opened);
    }

    void drop_peer() {
        if (peer_ < 0) return;
        detach_input();
        out_fd_ = -1;
        close(peer_);
        peer_ = -1;
        if (frontend_) frontend_->char_event(CharEvent::Closed);
    }

    int listen_fd_ = -1;
    int peer_ = -1;
    EventLoop::Handle listen_handle_ = 0;
    std::string unix_path_;
};

}  // namespace

std::unique_ptr<Chardev> make_socket_chardev(std::string id, const KeyValueList& opts,
                                             EventLoop* loop, std::string* err) {
    auto server = opts.get_bool("server", err);
    if (!err->empty()) return nullptr;
    auto wait = opts.get_bool("wait", err);
    if (!err->empty()) return nullptr;
    if (opts.has("telnet") && opts.get_bool("telnet", err).value_or(false)) {
        *err = "not supported yet: telnet=on";
        return nullptr;
    }
    if (opts.has("reconnect")) {
        *err = "not supported yet: reconnect=";
        return nullptr;
    }
    bool is_server = server.value_or(false);
    bool do_wait = wait.value_or(true);
    auto path = opts.get("path");
    int fd = -1;
    std::string desc;
    std::string unlink_path;
    if (path) {
        sockaddr_un sa{};
        sa.sun_family = AF_UNIX;
        if (path->size() >= sizeof sa.sun_path) {
            *err = "UNIX socket path '" + *path + "' is too long";
            return nullptr;
        }
        std::memcpy(sa.sun_path, path->c_str(), path->size() + 1);
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (is_server) {
            unlink(path->c_str());
            if (bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) < 0 || listen(fd, 1) < 0) {
                *err = "Failed to bind socket to " + *path + ": " + std::strerror(errno);
                close(fd);
                return nullptr;
            }
            unlink_path = *path;
        } else if (connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) < 0) {
            *err = "Failed to connect to '" + *path + "': " + std::strerror(errno);
            close(fd);
            return nullptr;
        }
        desc = "unix:" + *path + (is_server ? ",server=on" : "");
    } else {
        std::string host = opts.get_or("host", "");
        auto port = opts.get("port");
        if (!port) {
            *err = "chardev: socket: needs either 'path' or 'port'";
            return nullptr;
        }
        addrinfo hints{};
        hints.ai_family = AF_UNSPEC;
        hints.ai_socktype = SOCK_STREAM;
        hints.ai_flags = is_server ? AI_PASSIVE : 0;
        addrinfo* res = nullptr;
        int rc = getaddrinfo(host.empty() ? (is_server ? nullptr : "localhost") : host.c_str(),
                             port->c_str(), &hints, &res);
        if (rc != 0) {
            *err = "address resolution failed for " + host + ":" + *port + ": " + gai_strerror(rc);
            return nullptr;
        }
        // Prefer IPv4 for the wildcard, matching QEMU's "tcp::port".
        addrinfo* pick = res;
        for (addrinfo* a = res; a; a = a->ai_next) {
            if (a->ai_family == AF_INET) {
                pick = a;
                break;
            }
        }
        fd = socket(pick->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
        int one = 1;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        bool ok = is_server ? (bind(fd, pick->ai_addr, pick->ai_addrlen) == 0 && listen(fd, 1) == 0)
                            : connect(fd, pick->ai_addr, pick->ai_addrlen) == 0;
        freeaddrinfo(res);
        if (!ok) {
            *err = std::string(is_server ? "Failed to bind socket" : "Failed to connect") + " to " +
                   host + ":" + *port + ": " + std::strerror(errno);
            close(fd);
            return nullptr;
        }
        desc = "tcp:" + host + ":" + *port + (is_server ? ",server=on" : "");
    }
    auto c = std::make_unique<SocketChardev>(std::move(id), loop);
    if (is_server) {
        c->listen_on(fd, unlink_path);
        if (do_wait) c->wait_for_peer(desc);
    } else {
        c->connect_fd(fd);
    }
    return c;
}

}  // namespace emu

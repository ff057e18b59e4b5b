// -netdev tap: a host TAP interface (/dev/net/tun), or an fd handed over by
// a management tool (fd=N), as in QEMU. Helper scripts are not run.
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "net/net_backend.h"

namespace emu {

namespace {

class TapBackend : public NetBackend {
  public:
    TapBackend(std::string id, EventLoop* loop) : NetBackend(std::move(id)), loop_(loop) {}
    ~TapBackend() override {
        if (handle_) loop_->remove_fd(handle_);
        if (fd_ >= 0 && owns_fd_) close(fd_);
    }
    const char* type() const override { return "tap"; }

    bool init(const KeyValueList& o, std::string* err) {
        if (auto bad = o.first_unknown({"type", "id", "ifname", "script", "downscript", "fd",
                                        "vhost", "nic", "model", "mac", "br", "helper"})) {
            *err = "Invalid parameter '" + *bad + "'";
            return false;
        }
        for (const char* k : {"script", "downscript"}) {
            std::string v = o.get_or(k, "no");
            if (v != "no" && v != "") {
                *err = std::string("not supported yet: ") + k + "=" + v +
                       " (configure the interface beforehand and use " + k + "=no)";
                return false;
            }
        }
        if (o.has("br") || o.has("helper")) {
            *err = "not supported yet: the bridge helper";
            return false;
        }
        if (o.get_bool("vhost", err).value_or(false)) {
            *err = "not supported yet: vhost=on";
            return false;
        }
        if (!err->empty()) return false;
        if (auto fdstr = o.get("fd")) {
            auto fd = parse_uint(*fdstr);
            if (!fd || *fd > 65535 || fcntl(int(*fd), F_GETFD) < 0) {
                *err = "Parameter 'fd' expects an open file descriptor, not '" + *fdstr + "'";
                return false;
            }
            fd_ = int(*fd);
            owns_fd_ = false;
        } else {
            fd_ = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
            if (fd_ < 0) {
                *err = std::string("could not open /dev/net/tun: ") + std::strerror(errno);
                return false;
            }
            ifreq ifr{};
            ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
            std::string name = o.get_or("ifname", "");
            if (name.size() >= IFNAMSIZ) {
                *err = "Parameter 'ifname' is too long: '" + name + "'";
                return false;
            }
            std::memcpy(ifr.ifr_name, name.c_str(), name.size());
            if (ioctl(fd_, TUNSETIFF, &ifr) < 0) {
                *err = "could not configure /dev/net/tun (" +
                       (name.empty() ? std::string("new interface") : name) +
                       "): " + std::strerror(errno);
                return false;
            }
            ifname_ = ifr.ifr_name;
        }
        fcntl(fd_, F_SETFL, fcntl(fd_, F_GETFL) | O_NONBLOCK);
        handle_ = loop_->add_fd(fd_, POLLIN, [this](int, short) { on_readable(); });
        return true;
    }

    bool send(const uint8_t* frame, size_t len) override {
        ssize_t n = write(fd_, frame, len);
        if (n < 0 && errno == EAGAIN) return false;
        return true;  // other errors: the frame is lost, as on a real wire
    }

    void receiver_ready() override {
        if (pending_len_ && deliver(pending_.data(), pending_len_)) pending_len_ = 0;
        if (!pending_len_) loop_->set_fd_events(handle_, POLLIN);
    }

  private:
    void on_readable() {
        for (int i = 0; i < 64; ++i) {
            if (pending_len_) {
                if (!deliver(pending_.data(), pending_len_)) {
                    // The NIC is full: stop reading until it says it has room.
                    loop_->set_fd_events(handle_, 0);
                    return;
                }
                pending_len_ = 0;
            }
            ssize_t n = read(fd_, pending_.data(), pending_.size());
            if (n <= 0) return;
            pending_len_ = size_t(n);
        }
    }

    EventLoop* loop_;
    int fd_ = -1;
    bool owns_fd_ = true;
    std::string ifname_;
    EventLoop::Handle handle_ = 0;
    std::vector<uint8_t> pending_ = std::vector<uint8_t>(kMaxFrame);
    size_t pending_len_ = 0;
};

}  // namespace

std::unique_ptr<NetBackend> make_tap_backend(const std::string& id, const KeyValueList& opts,
                                             EventLoop* loop, std::string* err) {
    auto b = std::make_unique<TapBackend>(id, loop);
    if (!b->init(opts, err)) return nullptr;
    return b;
}

}  // namespace emu

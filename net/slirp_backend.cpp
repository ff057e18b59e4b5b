// -netdev user: QEMU's user-mode NAT through libslirp. The guest sees the
// 10.0.2.0/24 network with the gateway at .2, DNS at .3 and DHCP handing out
// .15 onwards, exactly as under QEMU.
#include <arpa/inet.h>
#include <poll.h>
#include <slirp/libslirp.h>

#include <climits>
#include <cstring>
#include <deque>
#include <vector>

#include "net/net_backend.h"
#include "util/log.h"

namespace emu {

namespace {

class SlirpBackend;

struct SlirpTimer {
    SlirpBackend* owner;
    SlirpTimerId id;
    void* cb_opaque;
    int64_t deadline_ns = INT64_MAX;
};

class SlirpBackend : public NetBackend, public PollSource, public TimerSource {
  public:
    SlirpBackend(std::string id, EventLoop* loop) : NetBackend(std::move(id)), loop_(loop) {}

    ~SlirpBackend() override {
        if (loop_) {
            loop_->remove_poll_source(this);
            loop_->remove_timer_source(this);
        }
        if (slirp_) slirp_cleanup(slirp_);
    }

    const char* type() const override { return "user"; }

    bool init(const KeyValueList& o, std::string* err) {
        if (auto bad = o.first_unknown({"type", "id", "net", "host", "dhcpstart", "dns", "hostfwd",
                                        "restrict", "ipv4", "ipv6", "hostname", "domainname", "nic",
                                        "model", "mac"})) {
            *err = "Invalid parameter '" + *bad + "'";
            return false;
        }
        in_addr net{}, mask{}, host{}, dhcp{}, dns{};
        std::string netspec = o.get_or("net", "10.0.2.0/24");
        size_t slash = netspec.find('/');
        std::string netaddr = netspec.substr(0, slash);
        int prefix = 24;
        if (slash != std::string::npos) {
            auto p = parse_uint(netspec.substr(slash + 1));
            if (!p || *p < 8 || *p > 30) {
                *err = "Parameter 'net' expects an address/prefix (8..30), not '" + netspec + "'";
                return false;
            }
            prefix = int(*p);
        }
        if (inet_pton(AF_INET, netaddr.c_str(), &net) != 1) {
            *err = "Parameter 'net' expects an IPv4 network, not '" + netspec + "'";
            return false;
        }
        mask.s_addr = htonl(~((1u << (32 - prefix)) - 1));
        net.s_addr &= mask.s_addr;
        auto addr_in_net = [&](const char* key, uint32_t dflt_host, in_addr* out) {
            std::string v = o.get_or(key, "");
            if (v.empty()) {
                out->s_addr = htonl(ntohl(net.s_addr) | dflt_host);
                return true;
            }
            if (inet_pton(AF_INET, v.c_str(), out) != 1 ||
                (out->s_addr & mask.s_addr) != net.s_addr) {
                *err = std::string("Parameter '") + key + "' must be an address in " + netspec +
                       ", not '" + v + "'";
                return false;
            }
            return true;
        };
        if (!addr_in_net("host", 2, &host) || !addr_in_net("dhcpstart", 15, &dhcp) ||
            !addr_in_net("dns", 3, &dns)) {
            return false;
        }
        auto restrict_on = o.get_bool("restrict", err);
        if (!err->empty()) return false;
        auto ipv6 = o.get_bool("ipv6", err);
        if (!err->empty()) return false;
        auto ipv4 = o.get_bool("ipv4", err);
        if (!err->empty()) return false;
        hostname_ = o.get_or("hostname", "");
        domainname_ = o.get_or("domainname", "");

        SlirpConfig cfg{};
        cfg.version = 4;
        cfg.restricted = restrict_on.value_or(false);
        cfg.in_enabled = ipv4.value_or(true);
        cfg.vnetwork = net;
        cfg.vnetmask = mask;
        cfg.vhost = host;
        cfg.in6_enabled = ipv6.value_or(true);
        inet_pton(AF_INET6, "fec0::", &cfg.vprefix_addr6);
        cfg.vprefix_len = 64;
        inet_pton(AF_INET6, "fec0::2", &cfg.vhost6);
        inet_pton(AF_INET6, "fec0::3", &cfg.vnameserver6);
        cfg.vhostname = hostname_.empty() ? nullptr : hostname_.c_str();
        cfg.vdhcp_start = dhcp;
        cfg.vnameserver = dns;
        cfg.vdomainname = domainname_.empty() ? nullptr : domainname_.c_str();
        cfg.if_mtu = 1500;
        cfg.if_mru = 1500;

        static const SlirpCb callbacks = {
            &SlirpBackend::cb_send,
            &SlirpBackend::cb_guest_error,
            &SlirpBackend::cb_clock,
            nullptr,
            &SlirpBackend::cb_timer_free,
            &SlirpBackend::cb_timer_mod,
            &SlirpBackend::cb_register_fd,
            &SlirpBackend::cb_unregister_fd,
            &SlirpBackend::cb_notify,
            nullptr,
            &SlirpBackend::cb_timer_new_opaque,
        };
        slirp_ = slirp_new(&cfg, &callbacks, this);
        if (!slirp_) {
            *err = "could not initialise user networking";
            return false;
        }
        // hostfwd=[tcp|udp]:[hostaddr]:hostport-[guestaddr]:guestport, repeatable.
        for (const auto& [k, v] : o.items()) {
            if (k == "hostfwd" && !add_hostfwd(v, dhcp, err)) return false;
        }
        if (loop_) {
            loop_->add_poll_source(this);
            loop_->add_timer_source(this);
        }
        return true;
    }

    bool send(const uint8_t* frame, size_t len) override {
        if (len < 14 || len > kMaxFrame) return true;  // runt/giant: drop
        slirp_input(slirp_, frame, int(len));
        return true;
    }

    void receiver_ready() override {
        while (!held_.empty()) {
            if (!deliver(held_.front().data(), held_.front().size())) return;
            held_.pop_front();
        }
    }

    // PollSource
    void fill(std::vector<pollfd>* fds, int64_t* timeout_ns) override {
        base_ = fds->size();
        fds_ = fds;
        uint32_t tmo = *timeout_ns < 0
                           ? UINT32_MAX
                           : uint32_t(std::min<int64_t>(*timeout_ns / 1000000, UINT32_MAX - 1));
        slirp_pollfds_fill(slirp_, &tmo, &SlirpBackend::cb_add_poll, this);
        if (tmo != UINT32_MAX) {
            int64_t t = int64_t(tmo) * 1000000;
            if (*timeout_ns < 0 || t < *timeout_ns) *timeout_ns = t;
        }
        fds_ = nullptr;
    }
    void dispatch(const pollfd* fds, size_t n) override {
        polled_ = fds;
        polled_n_ = n;
        slirp_pollfds_poll(slirp_, 0, &SlirpBackend::cb_get_revents, this);
        polled_ = nullptr;
    }

    // TimerSource (host monotonic time)
    int64_t next_deadline_ns() override {
        int64_t best = INT64_MAX;
        for (auto& t : timers_)
            best = std::min(best, t->deadline_ns);
        return best;
    }
    void run_expired() override {
        int64_t now = monotonic_ns();
        for (size_t i = 0; i < timers_.size(); ++i) {
            SlirpTimer* t = timers_[i].get();
            if (t->deadline_ns <= now) {
                t->deadline_ns = INT64_MAX;
                slirp_handle_timer(slirp_, t->id, t->cb_opaque);
            }
        }
    }

  private:
    bool add_hostfwd(const std::string& spec, in_addr guest_default, std::string* err) {
        std::string s = spec;
        bool udp = false;
        size_t c = s.find(':');
        if (c == std::string::npos) return bad_fwd(spec, err);
        std::string proto = s.substr(0, c);
        if (proto == "udp") {
            udp = true;
        } else if (!proto.empty() && proto != "tcp") {
            return bad_fwd(spec, err);
        }
        s = s.substr(c + 1);
        size_t dash = s.find('-');
        if (dash == std::string::npos) return bad_fwd(spec, err);
        std::string hostpart = s.substr(0, dash), guestpart = s.substr(dash + 1);
        size_t hc = hostpart.find(':'), gc = guestpart.find(':');
        if (hc == std::string::npos || gc == std::string::npos) return bad_fwd(spec, err);
        in_addr haddr{}, gaddr = guest_default;
        std::string ha = hostpart.substr(0, hc), ga = guestpart.substr(0, gc);
        if (!ha.empty() && inet_pton(AF_INET, ha.c_str(), &haddr) != 1) return bad_fwd(spec, err);
        if (!ga.empty() && inet_pton(AF_INET, ga.c_str(), &gaddr) != 1) return bad_fwd(spec, err);
        auto hp = parse_uint(hostpart.substr(hc + 1)), gp = parse_uint(guestpart.substr(gc + 1));
        if (!hp || !gp || *hp > 65535 || *gp == 0 || *gp > 65535) return bad_fwd(spec, err);
        if (slirp_add_hostfwd(slirp_, udp, haddr, int(*hp), gaddr, int(*gp)) < 0) {
            *err = "could not set up host forwarding rule '" + spec + "': " + std::strerror(errno);
            return false;
        }
        return true;
    }
    static bool bad_fwd(const std::string& spec, std::string* err) {
        *err = "Parameter 'hostfwd': invalid host forwarding rule '" + spec +
               "' (expected [tcp|udp]:[hostaddr]:hostport-[guestaddr]:guestport)";
        return false;
    }

    static ssize_t cb_send(const void* buf, size_t len, void* opaque) {
        auto* self = static_cast<SlirpBackend*>(opaque);
        const auto* p = static_cast<const uint8_t*>(buf);
        // Keep order: once something is held, queue behind it. The queue is
        // bounded; beyond it frames are dropped and TCP retransmits.
        if (!self->held_.empty() || !self->deliver(p, len)) {
            if (self->held_.size() < 256) self->held_.emplace_back(p, p + len);
        }
        return ssize_t(len);
    }
    static void cb_guest_error(const char* msg, void*) {
        log_mask(LOG_GUEST_ERROR, "slirp: %s\n", msg);
    }
    static int64_t cb_clock(void*) { return monotonic_ns(); }
    static void* cb_timer_new_opaque(SlirpTimerId id, void* cb_opaque, void* opaque) {
        auto* self = static_cast<SlirpBackend*>(opaque);
        self->timers_.push_back(std::make_unique<SlirpTimer>(SlirpTimer{self, id, cb_opaque}));
        return self->timers_.back().get();
    }
    static void cb_timer_free(void* timer, void* opaque) {
        auto* self = static_cast<SlirpBackend*>(opaque);
        for (size_t i = 0; i < self->timers_.size(); ++i) {
            if (self->timers_[i].get() == timer) {
                self->timers_.erase(self->timers_.begin() + long(i));
                return;
            }
        }
    }
    static void cb_timer_mod(void* timer, int64_t expire_ms, void*) {
        // expire_ms is on cb_clock's time base, in milliseconds.
        static_cast<SlirpTimer*>(timer)->deadline_ns = expire_ms * 1000000;
    }
    static void cb_register_fd(int, void*) {}
    static void cb_unregister_fd(int, void*) {}
    static void cb_notify(void* opaque) {
        auto* self = static_cast<SlirpBackend*>(opaque);
        if (self->loop_) self->loop_->wake();
    }
    static int cb_add_poll(int fd, int events, void* opaque) {
        auto* self = static_cast<SlirpBackend*>(opaque);
        short ev = 0;
        if (events & SLIRP_POLL_IN) ev |= POLLIN;
        if (events & SLIRP_POLL_OUT) ev |= POLLOUT;
        if (events & SLIRP_POLL_PRI) ev |= POLLPRI;
        self->fds_->push_back(pollfd{fd, ev, 0});
        return int(self->fds_->size() - 1 - self->base_);
    }
    static int cb_get_revents(int idx, void* opaque) {
        auto* self = static_cast<SlirpBackend*>(opaque);
        if (idx < 0 || size_t(idx) >= self->polled_n_) return 0;
        short r = self->polled_[idx].revents;
        int out = 0;
        if (r & POLLIN) out |= SLIRP_POLL_IN;
        if (r & POLLOUT) out |= SLIRP_POLL_OUT;
        if (r & POLLPRI) out |= SLIRP_POLL_PRI;
        if (r & POLLERR) out |= SLIRP_POLL_ERR;
        if (r & POLLHUP) out |= SLIRP_POLL_HUP;
        return out;
    }

    EventLoop* loop_;
    Slirp* slirp_ = nullptr;
    std::string hostname_, domainname_;
    std::vector<std::unique_ptr<SlirpTimer>> timers_;
    std::deque<std::vector<uint8_t>> held_;
    std::vector<pollfd>* fds_ = nullptr;
    size_t base_ = 0;
    const pollfd* polled_ = nullptr;
    size_t polled_n_ = 0;
};

}  // namespace

std::unique_ptr<NetBackend> make_slirp_backend(const std::string& id, const KeyValueList& opts,
                                               EventLoop* loop, std::string* err) {
    auto b = std::make_unique<SlirpBackend>(id, loop);
    if (!b->init(opts, err)) return nullptr;
    return b;
}

}  // namespace emu

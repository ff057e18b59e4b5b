#include "net/net_backend.h"

namespace emu {

std::unique_ptr<NetBackend> make_slirp_backend(const std::string& id, const KeyValueList& opts,
                                               EventLoop* loop, std::string* err);
std::unique_ptr<NetBackend> make_tap_backend(const std::string& id, const KeyValueList& opts,
                                             EventLoop* loop, std::string* err);

std::unique_ptr<NetBackend> create_net_backend(const KeyValueList& opts, EventLoop* loop,
                                               std::string* err) {
    std::string type = opts.get_or("type", "");
    std::string id = opts.get_or("id", "");
    if (id.empty()) {
        *err = "Parameter 'id' is missing";
        return nullptr;
    }
    if (type == "user") return make_slirp_backend(id, opts, loop, err);
    if (type == "tap") return make_tap_backend(id, opts, loop, err);
    if (type.empty()) {
        *err = "Parameter 'type' is missing";
    } else if (type == "socket" || type == "bridge" || type == "vde" || type == "l2tpv3" ||
               type == "vhost-user" || type == "stream" || type == "dgram" || type == "hubport") {
        *err = "not supported yet: netdev type '" + type + "'";
    } else {
        *err = "Parameter 'type' expects a netdev backend type (user, tap), not '" + type + "'";
    }
    return nullptr;
}

}  // namespace emu

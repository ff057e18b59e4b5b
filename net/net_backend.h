#pragma once
// Network backends (-netdev user|tap) and the interface a NIC sees. Frames
// are whole Ethernet frames without FCS. Flow control both ways: a NIC that
// cannot take a frame says so in can_receive() and calls receiver_ready()
// when it has room again; a backend that cannot send returns false from
// send() and the NIC retries on its own schedule.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "util/event_loop.h"
#include "util/keyval.h"

namespace emu {

class NetReceiver {
  public:
    virtual ~NetReceiver() = default;
    virtual bool can_receive() = 0;
    virtual void receive(const uint8_t* frame, size_t len) = 0;
};

class NetBackend {
  public:
    static constexpr size_t kMaxFrame = 65536 + 14;

    explicit NetBackend(std::string id) : id_(std::move(id)) {}
    virtual ~NetBackend() = default;
    NetBackend(const NetBackend&) = delete;
    NetBackend& operator=(const NetBackend&) = delete;

    const std::string& id() const { return id_; }
    virtual const char* type() const = 0;
    // Guest -> outside. Called with the big lock held (any thread).
    virtual bool send(const uint8_t* frame, size_t len) = 0;
    void set_receiver(NetReceiver* r) { receiver_ = r; }
    bool has_peer() const { return receiver_ != nullptr; }
    // The NIC has room again: deliver what was held back.
    virtual void receiver_ready() {}

  protected:
    // Outside -> guest: false if the NIC has no room (the caller keeps it).
    bool deliver(const uint8_t* frame, size_t len) {
        if (!receiver_) return true;  // no NIC attached: drop, as a cable-less port
        if (!receiver_->can_receive()) return false;
        receiver_->receive(frame, len);
        return true;
    }
    NetReceiver* receiver_ = nullptr;

  private:
    std::string id_;
};

// Creates a backend from -netdev options (type=user|tap, id=...). Returns
// nullptr with *err naming the bad parameter.
std::unique_ptr<NetBackend> create_net_backend(const KeyValueList& opts, EventLoop* loop,
                                               std::string* err);

}  // namespace emu

#include "hw/virtio/virtio_net.h"

#include <cstdio>
#include <cstring>

namespace emu {

VirtioNet::VirtioNet(std::string name, NetBackend* backend, std::array<uint8_t, 6> mac)
    : VirtioDevice(std::move(name), virtio::kIdNet, 2, 256, (1ull << kFMac) | (1ull << kFStatus)),
      backend_(backend) {
    // Config: mac[6], status (LINK_UP), max_virtqueue_pairs.
    auto& c = config();
    c.assign(10, 0);
    std::memcpy(c.data(), mac.data(), 6);
    c[6] = 1;  // VIRTIO_NET_S_LINK_UP
    c[8] = 1;
    frame_.reserve(NetBackend::kMaxFrame);
    if (backend_) backend_->set_receiver(this);
}

VirtioNet::~VirtioNet() {
    if (backend_) backend_->set_receiver(nullptr);
}

bool VirtioNet::parse_mac(const std::string& s, std::array<uint8_t, 6>* out) {
    unsigned b[6];
    char tail;
    if (s.size() != 17 || std::sscanf(s.c_str(), "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2],
                                      &b[3], &b[4], &b[5], &tail) != 6) {
        return false;
    }
    for (int i = 0; i < 6; ++i)
        (*out)[size_t(i)] = uint8_t(b[i]);
    return !((*out)[0] & 1);  // a multicast address cannot be a NIC's
}

std::array<uint8_t, 6> VirtioNet::default_mac(unsigned nic_index) {
    return {0x52, 0x54, 0x00, 0x12, 0x34, uint8_t(0x56 + nic_index)};
}

bool VirtioNet::can_receive() {
    if (!driver_ok() || kRxQueue >= num_queues()) return false;
    Virtqueue& q = queue(kRxQueue);
    return q.ready() && !q.broken() && q.has_work();
}

void VirtioNet::receive(const uint8_t* frame, size_t len) {
    auto e = pop(kRxQueue);
    if (!e) {
        ++stats_.rx_dropped;
        return;
    }
    if (e->in_len < kHeaderLen + len) {
        // The driver's buffer is too small for this frame (no mergeable
        // buffers are offered): drop the frame, give the buffer back unused.
        ++stats_.rx_dropped;
        push_and_notify(kRxQueue, *e, 0);
        return;
    }
    uint8_t hdr[kHeaderLen] = {};
    hdr[10] = 1;  // num_buffers = 1
    buf_to_iov(e->in, 0, hdr, kHeaderLen);
    buf_to_iov(e->in, kHeaderLen, frame, len);
    ++stats_.rx_frames;
    push_and_notify(kRxQueue, *e, uint32_t(kHeaderLen + len));
}

void VirtioNet::transmit() {
    bool pushed = false;
    for (unsigned n = 0; n < kTxBurst; ++n) {
        auto e = pop(kTxQueue);
        if (!e) break;
        size_t total = e->out_len;
        if (total < kHeaderLen || total - kHeaderLen > NetBackend::kMaxFrame) {
            ++stats_.tx_dropped;  // malformed: no header, or a giant frame
        } else {
            frame_.resize(total - kHeaderLen);
            iov_to_buf(e->out, kHeaderLen, frame_.data(), frame_.size());
            if (!backend_ || !backend_->send(frame_.data(), frame_.size())) {
                ++stats_.tx_dropped;
            } else {
                ++stats_.tx_frames;
            }
        }
        push(kTxQueue, *e, 0);
        pushed = true;
    }
    if (pushed) notify(kTxQueue);
}

void VirtioNet::handle_queue(unsigned q) {
    if (q == kTxQueue) {
        transmit();
    } else if (q == kRxQueue && backend_) {
        // New receive buffers: let the backend deliver what it held back.
        backend_->receiver_ready();
    }
}

void VirtioNet::device_activated() {
    if (backend_) backend_->receiver_ready();
}

void VirtioNet::device_reset() {}

}  // namespace emu

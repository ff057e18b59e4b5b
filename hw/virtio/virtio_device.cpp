#include "hw/virtio/virtio_device.h"

#include <cstring>

#include "util/log.h"

namespace emu {

using namespace virtio;

VirtioDevice::VirtioDevice(std::string name, uint16_t device_id, unsigned num_queues,
                           uint16_t queue_max_size, uint64_t device_features)
    : Device(std::move(name)),
      device_id_(device_id),
      host_features_(device_features | bit(kFVersion1) | bit(kFEventIdx) | bit(kFIndirectDesc)) {
    for (unsigned i = 0; i < num_queues; ++i) {
        queues_.push_back(std::make_unique<Virtqueue>(queue_max_size));
    }
}

VirtioDevice::~VirtioDevice() = default;

void VirtioDevice::attach(VirtioTransport* transport, GuestMemory mem) {
    transport_ = transport;
    mem_ = mem;
}

uint32_t VirtioDevice::host_features_word(unsigned word) const {
    return word < 2 ? uint32_t(host_features_ >> (32 * word)) : 0;
}

void VirtioDevice::set_guest_features_word(unsigned word, uint32_t value) {
    if (word >= 2 || (status_ & kStatusFeaturesOk)) return;
    uint64_t mask = 0xffffffffull << (32 * word);
    uint64_t v = (uint64_t(value) << (32 * word)) & host_features_;
    guest_features_ = (guest_features_ & ~mask) | v;
}

void VirtioDevice::set_status(uint8_t status) {
    if (status == 0) {
        do_reset();
        return;
    }
    uint8_t old = status_;
    // NEEDS_RESET belongs to the device; the driver cannot set or clear it.
    uint8_t v = uint8_t((status & ~kStatusNeedsReset) | (old & kStatusNeedsReset));
    if ((v & kStatusFeaturesOk) && !(old & kStatusFeaturesOk)) {
        // A modern-only device: without VERSION_1 the features are refused
        // (FEATURES_OK does not stick, so the driver sees the failure).
        if (!has_feature(kFVersion1)) {
            log_mask(LOG_GUEST_ERROR, "%s: driver did not accept VIRTIO_F_VERSION_1\n",
                     name().c_str());
            v &= uint8_t(~kStatusFeaturesOk);
        }
    }
    status_ = v;
    if ((v & kStatusDriverOk) && !(old & kStatusDriverOk)) {
        device_activated();
        // Buffers the driver queued before DRIVER_OK are processed now.
        for (unsigned q = 0; q < num_queues(); ++q) {
            if (queues_[q]->has_work()) handle_queue(q);
        }
    }
}

void VirtioDevice::do_reset() {
    device_reset();
    status_ = 0;
    guest_features_ = 0;
    for (auto& q : queues_)
        q->reset();
}

void VirtioDevice::reset() {
    do_reset();
}

uint64_t VirtioDevice::read_config(uint64_t offset, unsigned size) {
    if (size > 8 || offset >= config_.size() || config_.size() - offset < size) return 0;
    uint64_t v = 0;
    std::memcpy(&v, &config_[offset], size);
    return v;
}

void VirtioDevice::write_config(uint64_t offset, uint64_t value, unsigned size) {
    if (size > 8 || offset >= config_.size() || config_.size() - offset < size) return;
    config_written(offset, value, size);
}

void VirtioDevice::config_changed() {
    ++config_generation_;
    if (transport_ && driver_ok()) transport_->notify_config();
}

void VirtioDevice::queue_enabled(unsigned i) {
    if (i >= queues_.size() || !transport_) return;
    std::string err;
    if (!queues_[i]->enable(mem_, has_feature(kFEventIdx), has_feature(kFIndirectDesc), &err,
                            has_feature(kFRingPacked))) {
        device_error("queue " + std::to_string(i) + ": " + err);
    }
}

void VirtioDevice::queue_notify(unsigned i) {
    if (i >= queues_.size()) {
        log_mask(LOG_GUEST_ERROR, "%s: notify for queue %u, which does not exist\n", name().c_str(),
                 i);
        return;
    }
    if (!driver_ok() || (status_ & kStatusNeedsReset) || !queues_[i]->ready()) return;
    handle_queue(i);
}

void VirtioDevice::device_error(const std::string& why) {
    log_mask(LOG_GUEST_ERROR, "%s: %s; device needs reset\n", name().c_str(), why.c_str());
    if (status_ & kStatusNeedsReset) return;
    status_ |= kStatusNeedsReset;
    ++config_generation_;
    if (transport_ && (status_ & kStatusDriverOk)) transport_->notify_config();
}

std::optional<VirtqElement> VirtioDevice::pop(unsigned q) {
    if (status_ & kStatusNeedsReset) return std::nullopt;
    VirtqElement e;
    std::string err;
    switch (queues_.at(q)->pop(&e, &err)) {
        case Virtqueue::PopResult::Ok:
            return e;
        case Virtqueue::PopResult::Empty:
            return std::nullopt;
        case Virtqueue::PopResult::Error:
            device_error("queue " + std::to_string(q) + ": " + err);
            return std::nullopt;
    }
    return std::nullopt;
}

void VirtioDevice::push(unsigned q, const VirtqElement& e, uint32_t written) {
    queues_.at(q)->push(e, written);
}

void VirtioDevice::notify(unsigned q) {
    if (transport_ && queues_.at(q)->should_notify()) transport_->notify_queue(q);
}

void VirtioDevice::push_and_notify(unsigned q, const VirtqElement& e, uint32_t written) {
    push(q, e, written);
    notify(q);
}

}  // namespace emu

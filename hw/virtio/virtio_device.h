#pragma once
// The transport-independent half of a virtio device (like kvmtool's and
// Firecracker's split): feature negotiation, device status and reset,
// configuration space with its generation counter, the virtqueues, and the
// error path (DEVICE_NEEDS_RESET). A transport (virtio-mmio, virtio-pci)
// turns guest register accesses into calls here and delivers the two kinds
// of notification this layer raises.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "hw/core/device.h"
#include "hw/core/guest_memory.h"
#include "hw/virtio/virtqueue.h"

namespace emu {

class VirtioTransport {
  public:
    virtual ~VirtioTransport() = default;
    // A used buffer notification for queue q (after should_notify()).
    virtual void notify_queue(unsigned q) = 0;
    // A configuration change notification (also sent on NEEDS_RESET).
    virtual void notify_config() = 0;
};

class VirtioDevice : public Device {
  public:
    VirtioDevice(std::string name, uint16_t device_id, unsigned num_queues, uint16_t queue_max_size,
                 uint64_t device_features);
    ~VirtioDevice() override;

    uint16_t device_id() const { return device_id_; }
    // Offered features: the device's own plus VERSION_1, EVENT_IDX and
    // INDIRECT_DESC; packed rings only after offer_packed_ring() (like
    // QEMU's packed=on, off by default).
    uint64_t host_features() const { return host_features_; }
    uint64_t guest_features() const { return guest_features_; }
    // Withdraws offered features (-device ...,event_idx=off); before use.
    void withdraw_features(uint64_t bits) { host_features_ &= ~bits; }
    void offer_packed_ring() { host_features_ |= virtio::bit(virtio::kFRingPacked); }
    bool has_feature(unsigned bit) const { return guest_features_ >> bit & 1; }
    // The driver writes 32 bits at a time; bits not offered are dropped.
    // Ignored once FEATURES_OK is set.
    void set_guest_features_word(unsigned word, uint32_t value);
    uint32_t host_features_word(unsigned word) const;

    uint8_t status() const { return status_; }
    // Handles reset (0), the FEATURES_OK check and DRIVER_OK.
    void set_status(uint8_t status);

    uint8_t config_generation() const { return config_generation_; }
    size_t config_size() const { return config_.size(); }
    // Driver accesses to the device-specific configuration; out of range
    // reads are zero and writes are ignored.
    uint64_t read_config(uint64_t offset, unsigned size);
    void write_config(uint64_t offset, uint64_t value, unsigned size);

    unsigned num_queues() const { return unsigned(queues_.size()); }
    Virtqueue& queue(unsigned i) { return *queues_.at(i); }
    // The driver made queue i ready (QueueReady / queue_enable).
    void queue_enabled(unsigned i);
    // The driver kicked queue i.
    void queue_notify(unsigned i);

    // Called by the transport when it takes the device.
    void attach(VirtioTransport* transport, GuestMemory mem);
    bool attached() const { return transport_ != nullptr; }

    // System reset.
    void reset() final;

    // The device enters an error state: logged under guest_errors, status
    // gets DEVICE_NEEDS_RESET and the driver is told. Public for tests.
    void device_error(const std::string& why);

  protected:
    // Work to do after the driver kicked queue q (only with DRIVER_OK).
    virtual void handle_queue(unsigned q) = 0;
    // The device is being reset (status 0 or system reset): stop using the
    // queues and guest memory. Requests in flight must be finished or
    // forgotten before returning.
    virtual void device_reset() {}
    // DRIVER_OK was set: the driver is ready for the device to use queues.
    virtual void device_activated() {}
    // A driver write to a writable configuration field (default: ignored).
    virtual void config_written(uint64_t offset, uint64_t value, unsigned size) {}

    // Pops with the error path folded in: nullopt when the queue is empty
    // or broken (the error has then been reported).
    std::optional<VirtqElement> pop(unsigned q);
    // Pushes and raises the used buffer notification when the driver wants it.
    void push_and_notify(unsigned q, const VirtqElement& e, uint32_t written);
    void push(unsigned q, const VirtqElement& e, uint32_t written);
    void notify(unsigned q);

    // The device-specific configuration space (devices fill it; a change
    // the driver should see goes through config_changed()).
    std::vector<uint8_t>& config() { return config_; }
    void config_changed();

    const GuestMemory& mem() const { return mem_; }
    bool driver_ok() const { return status_ & virtio::kStatusDriverOk; }

  private:
    void do_reset();

    uint16_t device_id_;
    uint64_t host_features_;
    uint64_t guest_features_ = 0;
    uint8_t status_ = 0;
    uint8_t config_generation_ = 0;
    std::vector<uint8_t> config_;
    std::vector<std::unique_ptr<Virtqueue>> queues_;
    VirtioTransport* transport_ = nullptr;
    GuestMemory mem_{nullptr};
};

}  // namespace emu

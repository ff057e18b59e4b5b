#pragma once
// virtio-net (virtio 1.x, 5.1): one receive and one transmit queue joined to
// a NetBackend. Every buffer starts with the 12-byte virtio_net_hdr_v1; no
// offloads are offered, so frames travel with complete checksums.
#include <array>
#include <vector>

#include "hw/virtio/virtio_device.h"
#include "net/net_backend.h"

namespace emu {

class VirtioNet : public VirtioDevice, public NetReceiver {
  public:
    static constexpr unsigned kRxQueue = 0;
    static constexpr unsigned kTxQueue = 1;
    static constexpr size_t kHeaderLen = 12;
    static constexpr unsigned kFMac = 5;
    static constexpr unsigned kFStatus = 16;
    // Frames handled per kick before yielding, so a flooding guest cannot
    // keep a vCPU thread in the device forever.
    static constexpr unsigned kTxBurst = 256;

    struct Stats {
        uint64_t tx_frames = 0, rx_frames = 0, rx_dropped = 0, tx_dropped = 0;
    };

    VirtioNet(std::string name, NetBackend* backend, std::array<uint8_t, 6> mac);
    ~VirtioNet() override;

    // NetReceiver: frames from the backend.
    bool can_receive() override;
    void receive(const uint8_t* frame, size_t len) override;

    const Stats& stats() const { return stats_; }

    // Parses "52:54:00:12:34:56"; false on anything else.
    static bool parse_mac(const std::string& s, std::array<uint8_t, 6>* out);
    // QEMU's default MACs: 52:54:00:12:34:56, then :57, ... per NIC.
    static std::array<uint8_t, 6> default_mac(unsigned nic_index);

  protected:
    void handle_queue(unsigned q) override;
    void device_reset() override;
    void device_activated() override;

  private:
    void transmit();

    NetBackend* backend_;
    std::vector<uint8_t> frame_;
    Stats stats_;
};

}  // namespace emu

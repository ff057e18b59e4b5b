#pragma once
// virtio-blk (virtio 1.x, 5.2): one request queue served through the block
// layer's asynchronous backend, so several requests are in flight at once
// and a vCPU never waits for the host disk. Requests: read, write, flush,
// discard and write-zeroes (several segments each), get-id. Malformed
// requests fail with IOERR/UNSUPP; a request without room for its header or
// status is a driver error (DEVICE_NEEDS_RESET).
#include <cstdint>
#include <memory>
#include <string>

#include "block/block_backend.h"
#include "hw/virtio/virtio_device.h"

namespace emu {

struct VirtioBlkConfig {
    std::string serial;  // GET_ID answer, at most 20 bytes
    uint16_t queue_size = 256;
    uint32_t max_discard_sectors = 0x3fffff;
    uint32_t max_segments = 8;  // discard / write-zeroes segments per request
};

class VirtioBlk : public VirtioDevice {
  public:
    static constexpr unsigned kIdBytes = 20;
    // Feature bits (5.2.3).
    static constexpr unsigned kFSegMax = 2;
    static constexpr unsigned kFRo = 5;
    static constexpr unsigned kFBlkSize = 6;
    static constexpr unsigned kFFlush = 9;
    static constexpr unsigned kFDiscard = 13;
    static constexpr unsigned kFWriteZeroes = 14;
    // Request types and status values (5.2.6).
    static constexpr uint32_t kTIn = 0;
    static constexpr uint32_t kTOut = 1;
    static constexpr uint32_t kTFlush = 4;
    static constexpr uint32_t kTGetId = 8;
    static constexpr uint32_t kTDiscard = 11;
    static constexpr uint32_t kTWriteZeroes = 13;
    static constexpr uint8_t kSOk = 0;
    static constexpr uint8_t kSIoErr = 1;
    static constexpr uint8_t kSUnsupp = 2;

    VirtioBlk(std::string name, std::unique_ptr<block::BlockBackend> backend,
              const VirtioBlkConfig& cfg = {});
    ~VirtioBlk() override;

    block::BlockBackend& backend() { return *backend_; }
    // Requests submitted to the backend whose completion has not run yet.
    unsigned requests_in_flight() const { return in_flight_; }

  protected:
    void handle_queue(unsigned q) override;
    void device_reset() override;

  private:
    struct Request;
    void start(unsigned q, VirtqElement e);
    void submit(const std::shared_ptr<Request>& r, block::BlockRequest br);
    void complete(const std::shared_ptr<Request>& r, uint8_t status, uint32_t data_written);
    bool segments(const std::shared_ptr<Request>& r, uint32_t type, size_t data_off);

    std::unique_ptr<block::BlockBackend> backend_;
    VirtioBlkConfig cfg_;
    uint64_t sectors_;
    // Completions that arrive after a reset or after destruction are dropped.
    std::shared_ptr<int> alive_ = std::make_shared<int>(0);
    uint64_t generation_ = 0;
    unsigned in_flight_ = 0;
    bool in_handler_ = false;
    bool stalled_ = false;  // stopped popping with every element in flight
};

}  // namespace emu

#pragma once
// A 16550A UART: the full register set, 16-byte FIFOs with trigger levels,
// the receive-timeout, THRE, line-status and modem-status interrupts,
// loopback, and input from a chardev with back-pressure (the chardev holds
// input back while the receive FIFO is full). Transmission is immediate.
//
// It is bus-agnostic: an MmioHandler with registers at (index << regshift),
// mapped in an x86 I/O port space (COM1 at 0x3f8) or in MMIO.
#include <cstdint>
#include <deque>
#include <memory>

#include "hw/core/char_backend.h"
#include "hw/core/clock.h"
#include "hw/core/device.h"
#include "hw/core/irq.h"
#include "hw/core/memory_region.h"

namespace emu {

struct Serial16550Config {
    CharBackend* chr = nullptr;  // nullptr: output dropped, no input
    IrqLine irq;
    VirtualClock* clock = nullptr;  // for the receive timeout (immediate if null)
    unsigned regshift = 0;
    uint32_t baudbase = 115200;
};

class Serial16550 : public Device, public MmioHandler, public CharFrontend {
  public:
    Serial16550(std::string name, const Serial16550Config& cfg);
    ~Serial16550() override;

    // The register window (8 registers) to map in an address space.
    MemoryRegion* region() { return region_.get(); }

    void reset() override;
    uint64_t mmio_read(uint64_t offset, unsigned size) override;
    void mmio_write(uint64_t offset, uint64_t value, unsigned size) override;
    size_t can_receive() override;
    void receive(const uint8_t* data, size_t len) override;
    void char_event(CharEvent ev) override;

    // Observability for tests.
    bool irq_level() const { return irq_level_; }
    size_t rx_count() const { return rx_.size(); }

  private:
    static constexpr size_t kFifoSize = 16;
    void update_irq();
    uint8_t iir() const;
    void push_rx(uint8_t c);
    void arm_timeout();
    unsigned trigger_level() const;
    int64_t char_time_ns() const;

    Serial16550Config cfg_;
    std::unique_ptr<MemoryRegion> region_;
    std::unique_ptr<Timer> timeout_timer_;
    std::deque<uint8_t> rx_;
    uint16_t divisor_ = 12;
    uint8_t ier_ = 0, lcr_ = 0, mcr_ = 0, lsr_ = 0, msr_ = 0, scr_ = 0, fcr_ = 0;
    bool thr_ipending_ = false;
    bool timeout_pending_ = false;
    bool irq_level_ = false;
};

}  // namespace emu

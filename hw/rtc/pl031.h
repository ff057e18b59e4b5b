#pragma once
// Arm PrimeCell real-time clock (PL031): a 1 Hz counter seeded from host
// wall-clock time, advancing with the virtual clock (so it stops while the
// VM is paused), with a match register and interrupt.
#include <cstdint>

#include "hw/core/clock.h"
#include "hw/core/device.h"
#include "hw/core/irq.h"
#include "hw/core/memory_region.h"

namespace emu {

struct Pl031Config {
    VirtualClock* clock = nullptr;
    IrqLine irq;
    // Seconds since the epoch at clock time zero; <0: the host's time now.
    int64_t base_seconds = -1;
};

class Pl031 : public Device, public MmioHandler {
  public:
    static constexpr uint64_t kMmioSize = 0x1000;

    explicit Pl031(Pl031Config cfg);
    void reset() override;
    uint64_t mmio_read(uint64_t offset, unsigned size) override;
    void mmio_write(uint64_t offset, uint64_t value, unsigned size) override;
    static AccessConstraints constraints() { return {4, 4, false, 4, 4}; }

    // Current counter value (DR).
    uint32_t counter() const;

  private:
    void update_irq();
    void arm_match_timer();
    void on_match();

    Pl031Config cfg_;
    Timer timer_;
    // DR = tick_offset_ + virtual seconds.
    int64_t tick_offset_ = 0;
    uint32_t mr_ = 0, lr_ = 0;
    uint32_t imsc_ = 0, ris_ = 0;
    bool level_ = false;
};

}  // namespace emu

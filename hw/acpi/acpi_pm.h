#pragma once
// The ACPI PM1a event and control registers and the PM timer the FADT
// points at (pm_base +0 status/enable, +4 control, +8 timer). Writing
// SLP_EN with SLP_TYP = S5 powers the machine off; the timer counts at
// 3.579545 MHz in guest time. Sleep states S1-S4 are not supported yet
// (logged and ignored).
#include <cstdint>
#include <functional>
#include <memory>

#include "hw/core/clock.h"
#include "hw/core/device.h"
#include "hw/core/memory_region.h"

namespace emu::acpi {

class AcpiPm : public Device, public MmioHandler {
  public:
    AcpiPm(VirtualClock* clock, std::function<void()> poweroff);
    MemoryRegion* region() { return region_.get(); }  // 12 ports
    void reset() override;
    uint64_t mmio_read(uint64_t offset, unsigned size) override;
    void mmio_write(uint64_t offset, uint64_t value, unsigned size) override;

  private:
    VirtualClock* clock_;
    std::function<void()> poweroff_;
    std::unique_ptr<MemoryRegion> region_;
    uint16_t sts_ = 0, en_ = 0, cnt_ = 0;
};

}  // namespace emu::acpi

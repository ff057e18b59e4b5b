#pragma once
// The MC146818 CMOS RTC at ports 0x70/0x71: time and date (BCD or binary,
// 12/24 hour per register B) from the host clock plus a guest-set offset,
// registers A-D, and 128 bytes of CMOS RAM that the board fills with the PC
// memory sizes. Not supported yet: the periodic, alarm and update-ended
// interrupts (register B's interrupt enables are stored but never fire).
#include <cstdint>
#include <ctime>
#include <memory>

#include "hw/core/device.h"
#include "hw/core/memory_region.h"

namespace emu {

class CmosRtc : public Device, public MmioHandler {
  public:
    CmosRtc();
    // Two ports: index (and NMI mask) at 0, data at 1.
    MemoryRegion* region() { return region_.get(); }
    void reset() override;
    uint64_t mmio_read(uint64_t offset, unsigned size) override;
    void mmio_write(uint64_t offset, uint64_t value, unsigned size) override;

    // CMOS RAM the board initialises (memory sizes, CPU count).
    void set_cmos(unsigned index, uint8_t value);
    uint8_t cmos(unsigned index) const { return ram_[index & 0x7f]; }

    // Host time source, replaceable for tests.
    void set_time_source(time_t (*now)()) { now_ = now; }

  private:
    uint8_t read_time_reg(unsigned reg);
    void write_time_reg(unsigned reg, uint8_t v);
    uint8_t to_reg(int v) const;
    int from_reg(uint8_t v) const;

    std::unique_ptr<MemoryRegion> region_;
    uint8_t index_ = 0;
    uint8_t ram_[128] = {};
    int64_t offset_s_ = 0;  // guest time minus host time
    time_t (*now_)() = nullptr;
};

}  // namespace emu

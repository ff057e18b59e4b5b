#pragma once
// isa-debug-exit: a write of `value` ends the emulator with status
// (value << 1) | 1, as QEMU's device does, so a test kernel can report
// pass/fail through the process exit status.
#include <functional>
#include <memory>

#include "hw/core/device.h"
#include "hw/core/memory_region.h"

namespace emu {

class IsaDebugExit : public Device, public MmioHandler {
  public:
    // exit_fn gets the process status; iosize is the port window (1, 2 or 4).
    IsaDebugExit(unsigned iosize, std::function<void(int)> exit_fn);
    MemoryRegion* region() { return region_.get(); }
    uint64_t mmio_read(uint64_t offset, unsigned size) override { return 0; }
    void mmio_write(uint64_t offset, uint64_t value, unsigned size) override;

  private:
    std::function<void(int)> exit_fn_;
    std::unique_ptr<MemoryRegion> region_;
};

}  // namespace emu

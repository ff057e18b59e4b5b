#pragma once
// MSI-X (PCI Local Bus 3.0 section 6.8.2): the capability, the vector table
// and the pending-bit array placed in one of the device's memory BARs.
// Delivering vector N is a 32-bit memory write of the entry's data to its
// address in the bus's DMA address space; the board decides what sits there
// (an interrupt controller's doorbell, KVM's MSI injection).
#include <cstdint>
#include <memory>
#include <vector>

#include "hw/core/memory_region.h"

namespace emu {

class PciDevice;

class Msix {
  public:
    // Adds the capability to dev and creates the table and PBA regions,
    // placed at table_offset / pba_offset inside `bar_container` (a
    // container region the device registers as BAR `bar`).
    Msix(PciDevice& dev, unsigned vectors, MemoryRegion* bar_container, unsigned bar,
         uint32_t table_offset, uint32_t pba_offset);
    ~Msix();
    Msix(const Msix&) = delete;
    Msix& operator=(const Msix&) = delete;

    unsigned vectors() const { return unsigned(table_.size() / 16); }
    bool enabled() const;
    bool function_masked() const;
    bool vector_masked(unsigned v) const;
    bool pending(unsigned v) const;

    // Sends vector v (or marks it pending while masked). Out-of-range
    // vectors are ignored (the guest may program anything).
    void notify(unsigned v);

    // The device calls this from PciDevice::config_written so that
    // unmasking through the capability delivers pending vectors.
    void config_written(unsigned offset, unsigned size);
    // Power-on state: disabled, every vector masked, nothing pending.
    void reset();

    uint8_t cap_offset() const { return cap_; }

  private:
    class TableHandler;
    class PbaHandler;
    void deliver(unsigned v);
    void unmask_check();
    uint32_t entry32(unsigned v, unsigned word) const;

    PciDevice& dev_;
    uint8_t cap_ = 0;
    std::vector<uint8_t> table_;
    std::vector<uint64_t> pba_;
    std::unique_ptr<TableHandler> table_handler_;
    std::unique_ptr<PbaHandler> pba_handler_;
    std::unique_ptr<MemoryRegion> table_region_;
    std::unique_ptr<MemoryRegion> pba_region_;
};

}  // namespace emu

#pragma once
// A GICv2m MSI frame (Arm "GICv2m" specification, as on QEMU's virt with
// gic-version=2): a 4 KiB register page that turns a 32-bit write of an
// interrupt ID to MSI_SETSPI_NS into an edge on one of a contiguous range
// of GIC SPIs. PCI functions are told the frame's MSI_SETSPI_NS address and
// an SPI number as their MSI/MSI-X address and data.
//
// Registers implemented: MSI_TYPER (base INTID and count), MSI_SETSPI_NS,
// MSI_IIDR. The secure and clear registers of the specification are
// optional; they read as zero and ignore writes, as on QEMU.
#include <cstdint>
#include <functional>

#include "hw/core/memory_region.h"
#include "hw/intc/gic_core.h"

namespace emu {

class Gicv2m : public MmioHandler {
  public:
    static constexpr uint64_t kSize = 0x1000;
    static constexpr uint64_t kTyper = 0x008;
    static constexpr uint64_t kSetSpiNs = 0x040;
    static constexpr uint64_t kIidr = 0xfcc;
    // MSI_IIDR as a guest reads it on QEMU's virt (ProductID 0x051,
    // Implementer 0); no Linux vendor quirk matches it.
    static constexpr uint32_t kIidrValue = 0x05100000;

    // first_intid: INTID of the first SPI (>= 32), count SPIs from it.
    // Throws std::invalid_argument if the range does not fit the GIC (or
    // MSI_TYPER's 10-bit fields).
    Gicv2m(GicCore& gic, unsigned first_intid, unsigned count);

    uint64_t mmio_read(uint64_t offset, unsigned size) override;
    void mmio_write(uint64_t offset, uint64_t value, unsigned size) override;
    static AccessConstraints constraints() { return {1, 4, false, 1, 4}; }

    unsigned first_intid() const { return first_; }
    unsigned count() const { return count_; }

  private:
    GicCore& gic_;
    unsigned first_, count_;
};

}  // namespace emu

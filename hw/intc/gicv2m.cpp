#include "hw/intc/gicv2m.h"

#include <cinttypes>
#include <stdexcept>

#include "util/log.h"

namespace emu {

Gicv2m::Gicv2m(GicCore& gic, unsigned first_intid, unsigned count)
    : gic_(gic), first_(first_intid), count_(count) {
    if (first_intid < 32 || count == 0 || first_intid + count > gic.num_irqs() ||
        first_intid > 0x3ff || count > 0x3ff) {
        throw std::invalid_argument("gicv2m: SPI range does not fit the GIC");
    }
}

uint64_t Gicv2m::mmio_read(uint64_t offset, unsigned size) {
    uint64_t reg = offset & ~3ull;
    uint32_t v = 0;
    if (reg == kTyper) {
        v = uint32_t(first_) << 16 | count_;
    } else if (reg == kIidr) {
        v = kIidrValue;
    } else {
        log_mask(LOG_GUEST_ERROR, "gicv2m: read of unknown register 0x%" PRIx64 "\n", offset);
        return 0;
    }
    v >>= 8 * (offset & 3);
    return size >= 4 ? v : v & ((1u << (8 * size)) - 1);
}

void Gicv2m::mmio_write(uint64_t offset, uint64_t value, unsigned size) {
    if (offset != kSetSpiNs) {
        log_mask(LOG_GUEST_ERROR, "gicv2m: write to 0x%" PRIx64 " ignored\n", offset);
        return;
    }
    // The INTID is in bits [9:0]; narrower writes still carry it in the
    // low bytes. Out-of-range IDs are dropped (the frame only owns its SPIs).
    uint32_t intid = uint32_t(value) & 0x3ff;
    if (size < 2) intid &= 0xff;
    if (intid < first_ || intid >= first_ + count_) {
        log_mask(LOG_GUEST_ERROR, "gicv2m: MSI to INTID %u outside %u..%u dropped\n", intid, first_,
                 first_ + count_ - 1);
        return;
    }
    // A message is an edge: pulse the SPI. Linux configures these SPIs as
    // edge-triggered, so the distributor latches the pending state.
    gic_.spi_line(intid - 32).pulse();
}

}  // namespace emu

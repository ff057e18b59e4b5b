#include "hw/acpi/acpi_pm.h"

#include "hw/acpi/acpi_tables.h"
#include "util/log.h"

namespace emu::acpi {

namespace {
constexpr uint16_t kCntSciEn = 1u << 0;
constexpr uint16_t kCntSlpEn = 1u << 13;
constexpr uint64_t kPmTimerHz = 3579545;
}  // namespace

AcpiPm::AcpiPm(VirtualClock* clock, std::function<void()> poweroff)
    : Device("acpi-pm"), clock_(clock), poweroff_(std::move(poweroff)) {
    AccessConstraints c;
    c.valid_min = c.impl_min = 1;
    c.valid_max = c.impl_max = 4;
    c.valid_unaligned = true;
    c.impl_min = 1;
    c.impl_max = 4;
    region_ = MemoryRegion::io("acpi-pm", 12, this, c);
    reset();
}

void AcpiPm::reset() {
    sts_ = en_ = 0;
    cnt_ = kCntSciEn;  // no SMI_CMD: ACPI mode is always on
}

uint64_t AcpiPm::mmio_read(uint64_t offset, unsigned size) {
    uint8_t regs[12] = {};
    regs[0] = static_cast<uint8_t>(sts_), regs[1] = static_cast<uint8_t>(sts_ >> 8);
    regs[2] = static_cast<uint8_t>(en_), regs[3] = static_cast<uint8_t>(en_ >> 8);
    regs[4] = static_cast<uint8_t>(cnt_), regs[5] = static_cast<uint8_t>(cnt_ >> 8);
    uint64_t ns = clock_ ? static_cast<uint64_t>(clock_->now_ns()) : 0;
    uint32_t tmr =
        static_cast<uint32_t>(static_cast<unsigned __int128>(ns) * kPmTimerHz / 1000000000u);
    for (int i = 0; i < 4; ++i)
        regs[8 + i] = static_cast<uint8_t>(tmr >> (8 * i));
    uint64_t v = 0;
    for (unsigned i = 0; i < size && offset + i < 12; ++i)
        v |= static_cast<uint64_t>(regs[offset + i]) << (8 * i);
    return v;
}

void AcpiPm::mmio_write(uint64_t offset, uint64_t value, unsigned size) {
    for (unsigned i = 0; i < size; ++i) {
        unsigned reg = static_cast<unsigned>(offset + i);
        uint8_t byte = static_cast<uint8_t>(value >> (8 * i));
        unsigned shift = (reg & 1) * 8;
        switch (reg) {
            case 0:
            case 1:
                sts_ &= static_cast<uint16_t>(~(byte << shift));  // write 1 to clear
                break;
            case 2:
            case 3:
                en_ = static_cast<uint16_t>((en_ & ~(0xff << shift)) | (byte << shift));
                break;
            case 4:
            case 5:
                cnt_ = static_cast<uint16_t>((cnt_ & ~(0xff << shift)) | (byte << shift));
                break;
            default:
                break;
        }
    }
    if (offset <= 5 && offset + size > 4 && (cnt_ & kCntSlpEn)) {
        unsigned typ = (cnt_ >> 10) & 7;
        cnt_ &= ~kCntSlpEn;
        cnt_ |= kCntSciEn;
        if (typ == kSlpTypS5) {
            poweroff_();
        } else {
            log_mask(LOG_UNIMP, "acpi: not supported yet: sleep type %u\n", typ);
        }
    }
}

}  // namespace emu::acpi

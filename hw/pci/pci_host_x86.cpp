#include "hw/pci/pci_host_x86.h"

namespace emu {

namespace {

PciIds x86_bridge_ids() {
    // Intel 440FX host bridge IDs, what the pc machine reports.
    PciIds ids;
    ids.vendor = 0x8086;
    ids.device = 0x1237;
    ids.revision = 2;
    ids.class_code = 0x060000;
    return ids;
}

constexpr uint32_t kConfigEnable = 1u << 31;

}  // namespace

class PciHostX86::ConfigIo : public MmioHandler {
  public:
    explicit ConfigIo(PciHostX86& h) : h_(h) {}

    uint64_t mmio_read(uint64_t off, unsigned size) override {
        if (off < 4) {
            // Only a dword access reaches the address register.
            return (off == 0 && size == 4) ? h_.address_ : 0;
        }
        if (!(h_.address_ & kConfigEnable)) return size == 4 ? 0xffffffffu : (1u << (8 * size)) - 1;
        return h_.config_read(bus(), devfn(), reg(off), size);
    }

    void mmio_write(uint64_t off, uint64_t value, unsigned size) override {
        if (off < 4) {
            if (off == 0 && size == 4) {
                // Reserved bits 30..24 and 1..0 read as zero.
                h_.address_ = uint32_t(value) & 0x80fffffcu;
            } else if (off == 1 && size == 1 && h_.cf9_) {
                h_.cf9_(uint8_t(value));
            }
            return;
        }
        if (!(h_.address_ & kConfigEnable)) return;
        h_.config_write(bus(), devfn(), reg(off), uint32_t(value), size);
    }

  private:
    unsigned bus() const { return (h_.address_ >> 16) & 0xff; }
    uint8_t devfn() const { return uint8_t(h_.address_ >> 8); }
    unsigned reg(uint64_t off) const { return (h_.address_ & 0xfc) + unsigned(off - 4); }
    PciHostX86& h_;
};

PciHostX86::PciHostX86(AddressSpace* dma, uint64_t mmcfg_size)
    : PciHost("pci.0", dma, x86_bridge_ids()) {
    cfg_io_handler_ = std::make_unique<ConfigIo>(*this);
    AccessConstraints c;
    c.valid_min = 1;
    c.valid_max = 4;
    c.impl_min = 1;
    c.impl_max = 4;
    cfg_io_ = MemoryRegion::io("pci-conf", 8, cfg_io_handler_.get(), c);
    if (mmcfg_size) mmcfg_ = make_ecam_region("pci-mmcfg", mmcfg_size);
}

PciHostX86::~PciHostX86() {
    if (cfg_io_->parent()) cfg_io_->parent()->remove_subregion(cfg_io_.get());
}

}  // namespace emu

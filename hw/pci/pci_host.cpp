#include "hw/pci/pci_host.h"

#include <stdexcept>

namespace emu {

class PciHost::EcamHandler : public MmioHandler {
  public:
    explicit EcamHandler(PciHost& h) : h_(h) {}
    uint64_t mmio_read(uint64_t off, unsigned size) override {
        return h_.config_read(unsigned(off >> 20), uint8_t(off >> 12), unsigned(off & 0xfff), size);
    }
    void mmio_write(uint64_t off, uint64_t value, unsigned size) override {
        h_.config_write(unsigned(off >> 20), uint8_t(off >> 12), unsigned(off & 0xfff),
                        uint32_t(value), size);
    }

  private:
    PciHost& h_;
};

// The host bridge function at 00.0: IDs only, no BARs.
class PciHost::BridgeFunction : public PciDevice {
  public:
    using PciDevice::PciDevice;
};

PciHost::PciHost(std::string bus_name, AddressSpace* dma, const PciIds& bridge)
    : mem_space_(MemoryRegion::container(bus_name + "-mem", UINT64_MAX)),
      io_space_(MemoryRegion::container(bus_name + "-io", 1ull << 32)),
      bus_(std::make_unique<PciBus>(bus_name, mem_space_.get(), io_space_.get(), dma)),
      bridge_(std::make_unique<BridgeFunction>(bus_name + "-host", bridge)) {
    bus_->plug(*bridge_, pci::devfn(0, 0));
}

PciHost::~PciHost() {
    for (auto& w : windows_) {
        if (w->parent()) w->parent()->remove_subregion(w.get());
    }
    if (ecam_ && ecam_->parent()) ecam_->parent()->remove_subregion(ecam_.get());
}

MemoryRegion* PciHost::add_mem_window(const std::string& name, uint64_t pci_base, uint64_t size) {
    windows_.push_back(MemoryRegion::alias(name, mem_space_.get(), pci_base, size));
    return windows_.back().get();
}

MemoryRegion* PciHost::add_io_window(const std::string& name, uint64_t pci_base, uint64_t size) {
    windows_.push_back(MemoryRegion::alias(name, io_space_.get(), pci_base, size));
    return windows_.back().get();
}

MemoryRegion* PciHost::make_ecam_region(const std::string& name, uint64_t size) {
    if (ecam_) throw std::logic_error("PCI host: ECAM region created twice");
    if (size < (1u << 20) || size > (256u << 20) || (size & ((1u << 20) - 1))) {
        throw std::invalid_argument("ECAM size must be 1..256 MiB in whole MiB");
    }
    ecam_handler_ = std::make_unique<EcamHandler>(*this);
    AccessConstraints c;
    c.valid_min = 1;
    c.valid_max = 4;
    c.impl_min = 1;
    c.impl_max = 4;
    ecam_ = MemoryRegion::io(name, size, ecam_handler_.get(), c);
    return ecam_.get();
}

uint32_t PciHost::config_read(unsigned bus, uint8_t devfn, unsigned reg, unsigned size) {
    if (bus != 0) return size == 4 ? 0xffffffffu : (1u << (8 * size)) - 1;
    return bus_->config_read(devfn, reg, size);
}

void PciHost::config_write(unsigned bus, uint8_t devfn, unsigned reg, uint32_t value,
                           unsigned size) {
    if (bus == 0) bus_->config_write(devfn, reg, value, size);
}

}  // namespace emu

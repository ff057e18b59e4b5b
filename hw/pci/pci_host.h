#pragma once
// What every PCI host bridge has: the root bus with its memory and I/O
// spaces, a host bridge function at 00.0, windows (aliases into the PCI
// spaces) for the board to map at CPU addresses, and ECAM decoding, shared by
// the generic ECAM host (aarch64 virt) and x86 MMCONFIG.
#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "hw/core/irq.h"
#include "hw/core/memory_region.h"
#include "hw/pci/pci_bus.h"
#include "hw/pci/pci_device.h"

namespace emu {

class AddressSpace;

class PciHost {
  public:
    // dma: where bus-master accesses and MSI writes of devices go (the
    // system memory address space). bridge: IDs of the 00.0 function.
    PciHost(std::string bus_name, AddressSpace* dma, const PciIds& bridge);
    virtual ~PciHost();
    PciHost(const PciHost&) = delete;
    PciHost& operator=(const PciHost&) = delete;

    PciBus& bus() { return *bus_; }
    MemoryRegion* mem_space() { return mem_space_.get(); }
    MemoryRegion* io_space() { return io_space_.get(); }

    // Aliases of [pci_base, pci_base+size) of the PCI memory / I/O space,
    // owned by the host, for the board to map wherever the CPU sees them.
    MemoryRegion* add_mem_window(const std::string& name, uint64_t pci_base, uint64_t size);
    MemoryRegion* add_io_window(const std::string& name, uint64_t pci_base, uint64_t size);

    // Routes the host bridge's INTA..INTD (after swizzle) to the board's
    // interrupt controller.
    void connect_intx(unsigned line, IrqLine irq) { bus_->connect_intx(line, irq); }

    // Configuration access by bus number (only bus 0 exists: no bridges).
    uint32_t config_read(unsigned bus, uint8_t devfn, unsigned reg, unsigned size);
    void config_write(unsigned bus, uint8_t devfn, unsigned reg, uint32_t value, unsigned size);

    void reset() { bus_->reset(); }

  protected:
    // An ECAM window: offset = bus << 20 | devfn << 12 | register.
    MemoryRegion* make_ecam_region(const std::string& name, uint64_t size);

  private:
    class EcamHandler;
    class BridgeFunction;

    std::unique_ptr<MemoryRegion> mem_space_;
    std::unique_ptr<MemoryRegion> io_space_;
    std::unique_ptr<PciBus> bus_;
    std::unique_ptr<PciDevice> bridge_;
    std::unique_ptr<EcamHandler> ecam_handler_;
    std::unique_ptr<MemoryRegion> ecam_;
    std::vector<std::unique_ptr<MemoryRegion>> windows_;
};

}  // namespace emu

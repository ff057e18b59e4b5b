#pragma once
// The x86 PCI host: configuration mechanism #1 (address at I/O port 0xCF8,
// data at 0xCFC..0xCFF) and MMCONFIG (ECAM, described to the guest by the
// board's ACPI MCFG table). The PCI I/O space is the machine's port space
// (window at port 0), the memory space is identity-mapped (the board maps
// windows for the 32-bit hole and above 4 GiB).
#include <cstdint>
#include <functional>
#include <memory>

#include "hw/pci/pci_host.h"

namespace emu {

class PciHostX86 : public PciHost {
  public:
    // mmcfg_size: 1 MiB per bus (0: no MMCONFIG).
    PciHostX86(AddressSpace* dma, uint64_t mmcfg_size);
    ~PciHostX86() override;

    // 8 bytes: map at port 0xCF8 of the board's I/O address space.
    MemoryRegion* config_io_region() { return cfg_io_.get(); }
    // ECAM: map at the MMCONFIG base in system memory (nullptr without).
    MemoryRegion* mmcfg_region() { return mmcfg_; }
    // Byte writes to port 0xCF9 (the reset control register) go here.
    void set_reset_control_handler(std::function<void(uint8_t)> fn) { cf9_ = std::move(fn); }

    uint32_t config_address() const { return address_; }

  private:
    class ConfigIo;
    std::unique_ptr<ConfigIo> cfg_io_handler_;
    std::unique_ptr<MemoryRegion> cfg_io_;
    MemoryRegion* mmcfg_ = nullptr;
    uint32_t address_ = 0;
    std::function<void(uint8_t)> cf9_;
};

}  // namespace emu

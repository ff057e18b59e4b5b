#pragma once
// PCI and virtio for the x86 `pc` board: the CF8/CFC + MMCONFIG host, the
// bus windows, INTx to IOAPIC GSIs, the virtio devices of -device/-drive,
// and the DSDT AML (\_SB.PCI0 with _CRS and _PRT) describing it all.
//
// Independent of hw/x86 on purpose: the board's PCI hook
// (x86::set_pc_pci_host_factory) wraps this in a few lines, see
// docs/architecture.md.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "hw/pci/pci_host_x86.h"
#include "hw/virtio/drive_table.h"
#include "hw/virtio/virtio_devices.h"

namespace emu {

class EventLoop;
class NetBackend;
class IrqSink;
struct MachineConfig;

struct PcPciParams {
    MemoryRegion* system = nullptr;  // guest physical address space root
    MemoryRegion* io = nullptr;      // I/O port space root
    AddressSpace* dma = nullptr;     // where devices DMA and MSIs go
    IrqSink* gsi = nullptr;          // INTA..INTD -> GSI first_intx_gsi + 0..3
    unsigned first_intx_gsi = 16;
    // Whether MSI writes to 0xFEExxxxx in `dma` reach the CPUs. Until the
    // board routes them, virtio-pci functions are created without MSI-X.
    bool msi = false;
    EventLoop* loop = nullptr;  // block completions
    uint64_t ecam_base = 0, ecam_size = 0;
    uint64_t mmio32_base = 0, mmio32_size = 0;
    uint64_t mmio64_base = 0, mmio64_size = 0;
    // -netdev backends by id (MachineServices::netdev).
    std::function<NetBackend*(const std::string&)> netdev;
};

class PcPci {
  public:
    // Creates and maps the host, then every virtio -drive/-device of cfg
    // (-drive's default interface here is virtio: there is no IDE).
    // Throws std::runtime_error on bad options.
    PcPci(const PcPciParams& p, const MachineConfig& cfg);
    ~PcPci();

    // Whether a -device name is created here (the board skips those).
    static bool handles_device(const std::string& name) { return is_virtio_device_name(name); }

    std::vector<uint8_t> dsdt_aml() const;
    void reset();
    PciHostX86& host() { return *host_; }

  private:
    PcPciParams p_;
    std::unique_ptr<PciHostX86> host_;
    DriveTable drives_;
    std::unique_ptr<VirtioMachineDevices> virtio_;
};

}  // namespace emu

#pragma once
// The x86 boards under KVM: `pc` (default) and `microvm`, and the hook a
// PCI host bridge uses to join `pc`.
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "hw/core/address_space.h"
#include "hw/core/irq.h"
#include "hw/core/machine.h"

namespace emu::x86 {

// What the pc board hands a PCI host bridge: where config space, windows
// and interrupts live. The bridge maps its own regions (CF8/CFC in `io`,
// ECAM and BARs in `system`) and may add AML (a \_SB.PCI0 device) to the
// DSDT.
struct PcPciHostContext {
    const MachineConfig* config;
    MachineServices* services;
    MemoryRegion* system;  // guest physical address space root
    MemoryRegion* io;      // x86 I/O port space root
    AddressSpace* dma;     // what devices DMA into
    IrqSink* gsi;          // GSI n: ISA IRQs 0-15, IOAPIC pins 16-23
    uint64_t ecam_base, ecam_size;
    uint64_t mmio32_base, mmio32_size;
    uint64_t mmio64_base, mmio64_size;
};

class PcPciHost {
  public:
    virtual ~PcPciHost() = default;
    virtual std::vector<uint8_t> dsdt_aml() { return {}; }
    virtual void reset() {}
};

using PcPciHostFactory = std::function<std::unique_ptr<PcPciHost>(PcPciHostContext&)>;

// Called once at start-up (system/main_x86_64.cpp) by the PCI subsystem.
// Without a factory, `pc` has no PCI bus: its ECAM window reads as all-ones
// (no devices) and -device for PCI devices is refused.
void set_pc_pci_host_factory(PcPciHostFactory f);

void register_x86_machines(MachineRegistry& reg);
void register_x86_devices(DeviceRegistry& reg);

}  // namespace emu::x86

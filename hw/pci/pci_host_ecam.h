#pragma once
// "pci-host-ecam-generic": the PCIe host of the aarch64 virt board. ECAM
// configuration space, an I/O window, a 32-bit and an optional 64-bit
// memory window (PCI address == CPU address for memory, I/O starts at PCI
// address 0), INTA..INTD wired to four interrupt controller inputs, and
// the device-tree node Linux's generic host driver binds to.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "hw/pci/pci_host.h"

namespace emu {

struct EcamHostConfig {
    uint64_t ecam_base = 0;
    uint64_t ecam_size = 0;  // 1 MiB per bus
    uint64_t pio_base = 0;   // CPU address of PCI I/O address 0
    uint64_t pio_size = 0;
    uint64_t mmio_base = 0;  // 32-bit window
    uint64_t mmio_size = 0;
    uint64_t mmio64_base = 0;  // 0: none
    uint64_t mmio64_size = 0;
};

// How INTx reaches the interrupt controller in the device tree.
struct EcamFdtIrqs {
    uint32_t intc_phandle = 0;
    unsigned intc_address_cells = 0;  // the controller node's #address-cells
    // The controller's interrupt specifier for each host line (INTA..INTD
    // after swizzle), e.g. GIC {GIC_SPI, 3, IRQ_TYPE_LEVEL_HIGH}.
    std::array<std::vector<uint32_t>, 4> specifiers;
    std::optional<uint32_t> msi_parent;  // phandle of an MSI controller (GICv2m/ITS)
    // msi-map = <0 phandle 0 0x10000>: every requester ID to the MSI
    // controller with the same ID (QEMU's virt uses this, not msi-parent).
    std::optional<uint32_t> msi_map;
};

// One device-tree property, value already in FDT byte order (big-endian
// cells; strings NUL-terminated), for boards with their own FDT writer.
struct FdtProperty {
    std::string name;
    std::vector<uint8_t> value;
};

class PciHostEcamGeneric : public PciHost {
  public:
    PciHostEcamGeneric(const EcamHostConfig& cfg, AddressSpace* dma);

    // Maps ECAM and the windows into the board's system memory container.
    void map(MemoryRegion* system_memory);

    // Adds "pcie@<mmio_base>" under the root node of a writable libfdt blob
    // whose root has #address-cells = #size-cells = 2. Returns the node
    // offset; throws std::runtime_error on libfdt errors (e.g. no space).
    int add_fdt_node(void* fdt, const EcamFdtIrqs& irqs) const;
    // The same node for another writer: name ("pcie@<mmio base>") and
    // properties in order.
    std::string fdt_node_name() const;
    std::vector<FdtProperty> fdt_properties(const EcamFdtIrqs& irqs) const;

    const EcamHostConfig& config() const { return cfg_; }

  private:
    EcamHostConfig cfg_;
    MemoryRegion* ecam_ = nullptr;
    MemoryRegion* pio_ = nullptr;
    MemoryRegion* mmio_ = nullptr;
    MemoryRegion* mmio64_ = nullptr;
};

}  // namespace emu

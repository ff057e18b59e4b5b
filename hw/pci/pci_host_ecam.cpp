#include "hw/pci/pci_host_ecam.h"

extern "C" {
#include <libfdt.h>
}

#include <cstdio>
#include <stdexcept>

namespace emu {

namespace {

// Red Hat's PCI IDs for an emulated PCIe host bridge, which guests know.
PciIds generic_bridge_ids() {
    PciIds ids;
    ids.vendor = 0x1b36;
    ids.device = 0x0008;
    ids.class_code = 0x060000;
    return ids;
}

void check(int err, const char* what) {
    if (err < 0) {
        throw std::runtime_error(std::string("device tree: cannot add PCI host ") + what + ": " +
                                 fdt_strerror(err));
    }
}

void push64(std::vector<fdt32_t>& v, uint64_t x) {
    v.push_back(cpu_to_fdt32(uint32_t(x >> 32)));
    v.push_back(cpu_to_fdt32(uint32_t(x)));
}

}  // namespace

PciHostEcamGeneric::PciHostEcamGeneric(const EcamHostConfig& cfg, AddressSpace* dma)
    : PciHost("pcie.0", dma, generic_bridge_ids()), cfg_(cfg) {
    ecam_ = make_ecam_region("pcie-ecam", cfg.ecam_size);
    if (cfg.pio_size) pio_ = add_io_window("pcie-pio", 0, cfg.pio_size);
    if (cfg.mmio_size) mmio_ = add_mem_window("pcie-mmio", cfg.mmio_base, cfg.mmio_size);
    if (cfg.mmio64_size) {
        mmio64_ = add_mem_window("pcie-mmio-high", cfg.mmio64_base, cfg.mmio64_size);
    }
}

void PciHostEcamGeneric::map(MemoryRegion* sysmem) {
    sysmem->add_subregion(cfg_.ecam_base, ecam_);
    if (pio_) sysmem->add_subregion(cfg_.pio_base, pio_);
    if (mmio_) sysmem->add_subregion(cfg_.mmio_base, mmio_);
    if (mmio64_) sysmem->add_subregion(cfg_.mmio64_base, mmio64_);
}

int PciHostEcamGeneric::add_fdt_node(void* fdt, const EcamFdtIrqs& irqs) const {
    char name[64];
    std::snprintf(name, sizeof name, "pcie@%llx", (unsigned long long)cfg_.mmio_base);
    int node = fdt_add_subnode(fdt, 0, name);
    check(node, "node");
    check(fdt_setprop_string(fdt, node, "compatible", "pci-host-ecam-generic"), "compatible");
    check(fdt_setprop_string(fdt, node, "device_type", "pci"), "device_type");
    check(fdt_setprop_u32(fdt, node, "#address-cells", 3), "#address-cells");
    check(fdt_setprop_u32(fdt, node, "#size-cells", 2), "#size-cells");
    check(fdt_setprop_u32(fdt, node, "#interrupt-cells", 1), "#interrupt-cells");
    check(fdt_setprop_u32(fdt, node, "linux,pci-domain", 0), "linux,pci-domain");
    check(fdt_setprop(fdt, node, "dma-coherent", nullptr, 0), "dma-coherent");
    fdt32_t range[2] = {cpu_to_fdt32(0), cpu_to_fdt32(uint32_t(cfg_.ecam_size >> 20) - 1)};
    check(fdt_setprop(fdt, node, "bus-range", range, sizeof range), "bus-range");

    std::vector<fdt32_t> reg;
    push64(reg, cfg_.ecam_base);
    push64(reg, cfg_.ecam_size);
    check(fdt_setprop(fdt, node, "reg", reg.data(), int(reg.size() * 4)), "reg");

    // ranges: PCI address (space code, 64-bit address), CPU address, size.
    std::vector<fdt32_t> ranges;
    auto add_range = [&](uint32_t space, uint64_t pci, uint64_t cpu, uint64_t size) {
        ranges.push_back(cpu_to_fdt32(space));
        push64(ranges, pci);
        push64(ranges, cpu);
        push64(ranges, size);
    };
    if (cfg_.pio_size) add_range(0x01000000, 0, cfg_.pio_base, cfg_.pio_size);
    if (cfg_.mmio_size) add_range(0x02000000, cfg_.mmio_base, cfg_.mmio_base, cfg_.mmio_size);
    if (cfg_.mmio64_size) {
        add_range(0x03000000, cfg_.mmio64_base, cfg_.mmio64_base, cfg_.mmio64_size);
    }
    check(fdt_setprop(fdt, node, "ranges", ranges.data(), int(ranges.size() * 4)), "ranges");

    if (irqs.msi_parent) check(fdt_setprop_u32(fdt, node, "msi-parent", *irqs.msi_parent), "msi");

    // interrupt-map: the swizzle repeats every four slots, so the mask keeps
    // the low two slot bits and the pin.
    std::vector<fdt32_t> map;
    for (unsigned slot = 0; slot < 4; ++slot) {
        for (uint8_t pin = 1; pin <= 4; ++pin) {
            map.push_back(cpu_to_fdt32(slot << 11));
            map.push_back(cpu_to_fdt32(0));
            map.push_back(cpu_to_fdt32(0));
            map.push_back(cpu_to_fdt32(pin));
            map.push_back(cpu_to_fdt32(irqs.intc_phandle));
            for (unsigned i = 0; i < irqs.intc_address_cells; ++i)
                map.push_back(cpu_to_fdt32(0));
            for (uint32_t c : irqs.specifiers[PciBus::swizzle(pci::devfn(slot, 0), pin)]) {
                map.push_back(cpu_to_fdt32(c));
            }
        }
    }
    check(fdt_setprop(fdt, node, "interrupt-map", map.data(), int(map.size() * 4)),
          "interrupt-map");
    fdt32_t mask[4] = {cpu_to_fdt32(0x1800), 0, 0, cpu_to_fdt32(7)};
    check(fdt_setprop(fdt, node, "interrupt-map-mask", mask, sizeof mask), "interrupt-map-mask");
    return node;
}

}  // namespace emu

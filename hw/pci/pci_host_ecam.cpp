#include "hw/pci/pci_host_ecam.h"

extern "C" {
#include <libfdt.h>
}

#include <cstdio>
#include <cstring>
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

std::string PciHostEcamGeneric::fdt_node_name() const {
    char name[64];
    std::snprintf(name, sizeof name, "pcie@%llx", (unsigned long long)cfg_.mmio_base);
    return name;
}

std::vector<FdtProperty> PciHostEcamGeneric::fdt_properties(const EcamFdtIrqs& irqs) const {
    std::vector<FdtProperty> props;
    auto cells = [&](const char* name, const std::vector<uint32_t>& v) {
        FdtProperty p{name, {}};
        for (uint32_t c : v) {
            for (int s = 24; s >= 0; s -= 8)
                p.value.push_back(uint8_t(c >> s));
        }
        props.push_back(std::move(p));
    };
    auto str = [&](const char* name, const char* v) {
        props.push_back({name, std::vector<uint8_t>(v, v + std::strlen(v) + 1)});
    };
    auto hi = [](uint64_t v) { return uint32_t(v >> 32); };
    auto lo = [](uint64_t v) { return uint32_t(v); };
    str("compatible", "pci-host-ecam-generic");
    str("device_type", "pci");
    cells("#address-cells", {3});
    cells("#size-cells", {2});
    cells("#interrupt-cells", {1});
    cells("linux,pci-domain", {0});
    props.push_back({"dma-coherent", {}});
    cells("bus-range", {0, uint32_t(cfg_.ecam_size >> 20) - 1});
    if (irqs.msi_map) cells("msi-map", {0, *irqs.msi_map, 0, 0x10000});
    cells("reg", {hi(cfg_.ecam_base), lo(cfg_.ecam_base), hi(cfg_.ecam_size), lo(cfg_.ecam_size)});

    // ranges: PCI address (space code, 64-bit address), CPU address, size.
    std::vector<uint32_t> ranges;
    auto add_range = [&](uint32_t space, uint64_t pci, uint64_t cpu, uint64_t size) {
        for (uint32_t c : {space, hi(pci), lo(pci), hi(cpu), lo(cpu), hi(size), lo(size)}) {
            ranges.push_back(c);
        }
    };
    if (cfg_.pio_size) add_range(0x01000000, 0, cfg_.pio_base, cfg_.pio_size);
    if (cfg_.mmio_size) add_range(0x02000000, cfg_.mmio_base, cfg_.mmio_base, cfg_.mmio_size);
    if (cfg_.mmio64_size) {
        add_range(0x03000000, cfg_.mmio64_base, cfg_.mmio64_base, cfg_.mmio64_size);
    }
    cells("ranges", ranges);
    if (irqs.msi_parent) cells("msi-parent", {*irqs.msi_parent});

    // interrupt-map: the swizzle repeats every four slots, so the mask keeps
    // the low two slot bits and the pin.
    std::vector<uint32_t> map;
    for (unsigned slot = 0; slot < 4; ++slot) {
        for (uint8_t pin = 1; pin <= 4; ++pin) {
            for (uint32_t c : {slot << 11, 0u, 0u, uint32_t(pin), irqs.intc_phandle}) {
                map.push_back(c);
            }
            for (unsigned i = 0; i < irqs.intc_address_cells; ++i)
                map.push_back(0);
            for (uint32_t c : irqs.specifiers[PciBus::swizzle(pci::devfn(slot, 0), pin)]) {
                map.push_back(c);
            }
        }
    }
    cells("interrupt-map", map);
    cells("interrupt-map-mask", {0x1800, 0, 0, 7});
    return props;
}

int PciHostEcamGeneric::add_fdt_node(void* fdt, const EcamFdtIrqs& irqs) const {
    int node = fdt_add_subnode(fdt, 0, fdt_node_name().c_str());
    check(node, "node");
    for (const FdtProperty& p : fdt_properties(irqs)) {
        check(fdt_setprop(fdt, node, p.name.c_str(), p.value.data(), int(p.value.size())),
              p.name.c_str());
    }
    return node;
}

}  // namespace emu

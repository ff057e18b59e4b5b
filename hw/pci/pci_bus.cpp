#include "hw/pci/pci_bus.h"

#include <cctype>
#include <cstdio>
#include <stdexcept>

#include "hw/core/address_space.h"
#include "hw/pci/pci_device.h"

namespace emu {

PciBus::PciBus(std::string name, MemoryRegion* mem_space, MemoryRegion* io_space,
               AddressSpace* dma_space)
    : name_(std::move(name)), mem_space_(mem_space), io_space_(io_space), dma_space_(dma_space) {}

PciBus::~PciBus() {
    for (PciDevice* d : devices_) {
        if (d) d->detach();
    }
}

static std::string addr_str(uint8_t devfn) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%02x.%x", pci::devfn_slot(devfn), pci::devfn_fn(devfn));
    return buf;
}

uint8_t PciBus::plug(PciDevice& dev, std::optional<uint8_t> devfn) {
    if (dev.bus()) throw std::logic_error(dev.name() + " is already on a PCI bus");
    uint8_t where = 0;
    if (devfn) {
        where = *devfn;
        if (devices_[where]) {
            throw std::runtime_error("PCI: slot " + addr_str(where) + " on bus " + name_ +
                                     " is already in use by " + devices_[where]->name() +
                                     ", cannot add " + dev.name());
        }
    } else {
        unsigned slot = 0;
        for (; slot < 32; ++slot) {
            bool free = true;
            for (unsigned fn = 0; fn < 8; ++fn)
                free = free && !devices_[pci::devfn(slot, fn)];
            if (free) break;
        }
        if (slot == 32) {
            throw std::runtime_error("PCI: no free slot on bus " + name_ + " for " + dev.name());
        }
        where = pci::devfn(slot, 0);
    }
    devices_[where] = &dev;
    dev.attach(this, where);
    // Functions other than 0 are only scanned when function 0 says the slot
    // is multi-function.
    if (pci::devfn_fn(where) != 0) {
        if (PciDevice* f0 = devices_[where & ~7u]) {
            f0->config_data()[pci::kHeaderType] |= pci::kHeaderTypeMultiFunction;
        }
    } else {
        for (unsigned fn = 1; fn < 8; ++fn) {
            if (devices_[where + fn]) {
                dev.config_data()[pci::kHeaderType] |= pci::kHeaderTypeMultiFunction;
            }
        }
    }
    return where;
}

void PciBus::unplug(PciDevice& dev) {
    for (auto& d : devices_) {
        if (d == &dev) d = nullptr;
    }
    if (dev.bus() == this) dev.detach();
}

uint32_t PciBus::config_read(uint8_t devfn, unsigned offset, unsigned size) {
    PciDevice* d = devices_[devfn];
    if (!d) return size == 4 ? 0xffffffffu : (1u << (8 * size)) - 1;
    if (offset >= d->config_size()) return 0;
    return d->config_read(offset, size);
}

void PciBus::config_write(uint8_t devfn, unsigned offset, uint32_t value, unsigned size) {
    if (PciDevice* d = devices_[devfn]) d->config_write(offset, value, size);
}

void PciBus::intx_changed(uint8_t devfn, uint8_t pin, bool asserted) {
    if (pin < 1 || pin > 4) return;
    unsigned line = swizzle(devfn, pin);
    unsigned before = intx_count_[line];
    if (asserted) {
        ++intx_count_[line];
    } else if (intx_count_[line] > 0) {
        --intx_count_[line];
    }
    bool was = before > 0, now = intx_count_[line] > 0;
    if (was != now) intx_lines_[line].set(now);
}

void PciBus::reset() {
    for (PciDevice* d : devices_) {
        if (d) d->reset();
    }
}

std::optional<uint8_t> parse_pci_addr(const std::string& text, std::string* err) {
    auto bad = [&](const char* why) -> std::optional<uint8_t> {
        *err = "Property 'addr' value '" + text + "': " + why +
               " (expected slot[.function], slot 0..1f hex, function 0..7)";
        return std::nullopt;
    };
    std::string slot_s = text, fn_s;
    if (auto dot = text.find('.'); dot != std::string::npos) {
        slot_s = text.substr(0, dot);
        fn_s = text.substr(dot + 1);
        if (fn_s.empty()) return bad("missing function");
    }
    if (slot_s.rfind("0x", 0) == 0 || slot_s.rfind("0X", 0) == 0) slot_s = slot_s.substr(2);
    if (slot_s.empty() || slot_s.size() > 2) return bad("bad slot");
    unsigned slot = 0, fn = 0;
    for (char c : slot_s) {
        int v = std::isxdigit(uint8_t(c))
                    ? (std::isdigit(uint8_t(c)) ? c - '0' : (std::tolower(c) - 'a' + 10))
                    : -1;
        if (v < 0) return bad("bad slot");
        slot = slot * 16 + unsigned(v);
    }
    if (slot > 31) return bad("slot out of range");
    if (!fn_s.empty()) {
        if (fn_s.size() != 1 || fn_s[0] < '0' || fn_s[0] > '7') return bad("bad function");
        fn = unsigned(fn_s[0] - '0');
    }
    return pci::devfn(slot, fn);
}

bool PciBus::msi_write(uint8_t devfn, uint64_t addr, uint32_t data) {
    // Bus 0 is the only bus: the requester ID is the devfn.
    if (msi_hook_ && msi_hook_(devfn, addr, data)) return true;
    return dma_space_ && dma_space_->store(addr, 4, data) == MemTxResult::Ok;
}

}  // namespace emu

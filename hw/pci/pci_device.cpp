#include "hw/pci/pci_device.h"

#include <stdexcept>

#include "hw/pci/pci_bus.h"

namespace emu {

using namespace pci;

PciDevice::PciDevice(std::string name, const PciIds& ids) : Device(std::move(name)), ids_(ids) {
    if (ids.interrupt_pin > 4) throw std::invalid_argument("PCI interrupt pin must be 0..4");
    init_header();
}

PciDevice::~PciDevice() {
    detach();
}

void PciDevice::init_header() {
    set16(kVendorId, ids_.vendor);
    set16(kDeviceId, ids_.device);
    config_[kRevisionId] = ids_.revision;
    config_[kClassProg] = uint8_t(ids_.class_code);
    config_[kClassProg + 1] = uint8_t(ids_.class_code >> 8);
    config_[kClassProg + 2] = uint8_t(ids_.class_code >> 16);
    set16(kSubsystemVendorId, ids_.subsystem_vendor);
    set16(kSubsystemId, ids_.subsystem);
    config_[kInterruptPin] = ids_.interrupt_pin;
    set_wmask16(kCommand, kCommandIo | kCommandMemory | kCommandMaster | kCommandParity |
                              kCommandSerr | kCommandIntxDisable);
    w1cmask_[kStatus] = uint8_t(kStatusW1cMask);
    w1cmask_[kStatus + 1] = uint8_t(kStatusW1cMask >> 8);
    set_wmask(kCacheLineSize, 1, 0xff);
    set_wmask(kLatencyTimer, 1, 0xff);
    set_wmask(kInterruptLine, 1, 0xff);
}

void PciDevice::set16(unsigned off, uint16_t v) {
    config_[off] = uint8_t(v);
    config_[off + 1] = uint8_t(v >> 8);
}

void PciDevice::set32(unsigned off, uint32_t v) {
    set16(off, uint16_t(v));
    set16(off + 2, uint16_t(v >> 16));
}

void PciDevice::set_wmask(unsigned off, unsigned len, uint8_t mask) {
    for (unsigned i = 0; i < len; ++i)
        wmask_.at(off + i) = mask;
}

void PciDevice::set_wmask16(unsigned off, uint16_t mask) {
    wmask_.at(off) = uint8_t(mask);
    wmask_.at(off + 1) = uint8_t(mask >> 8);
}

void PciDevice::set_wmask32(unsigned off, uint32_t mask) {
    set_wmask16(off, uint16_t(mask));
    set_wmask16(off + 2, uint16_t(mask >> 16));
}

uint8_t PciDevice::add_capability(uint8_t id, uint8_t size) {
    unsigned off = (next_cap_ + 3u) & ~3u;
    if (size < 2 || off + size > kConfigSize) {
        throw std::logic_error(name() + ": no room for PCI capability");
    }
    config_[off] = id;
    config_[off + 1] = 0;
    if (config_[kCapabilityList] == 0) {
        config_[kCapabilityList] = uint8_t(off);
    } else {
        unsigned p = config_[kCapabilityList];
        while (config_[p + 1] != 0)
            p = config_[p + 1];
        config_[p + 1] = uint8_t(off);
    }
    set16(kStatus, get16(kStatus) | kStatusCapList);
    next_cap_ = uint8_t(off + size);
    return uint8_t(off);
}

uint8_t PciDevice::find_capability(uint8_t id) const {
    // Bounded walk: our own list never loops, but be safe.
    unsigned p = config_[kCapabilityList];
    for (int n = 0; p != 0 && n < 48; ++n) {
        if (config_[p] == id) return uint8_t(p);
        p = config_[p + 1];
    }
    return 0;
}

void PciDevice::register_bar(unsigned index, PciBarType type, MemoryRegion* region,
                             bool prefetchable) {
    uint64_t size = region->size();
    unsigned min = type == PciBarType::Io ? 4 : 16;
    if (index >= kNumBars || (type == PciBarType::Mem64 && index == kNumBars - 1)) {
        throw std::logic_error(name() + ": bad BAR index");
    }
    if (size < min || (size & (size - 1)) || (type != PciBarType::Mem64 && size > (1ull << 31))) {
        throw std::logic_error(name() + ": BAR size must be a power of two");
    }
    if (bus_) throw std::logic_error(name() + ": BARs must be registered before plugging");
    Bar& b = bars_[index];
    b.region = region;
    b.type = type;
    b.size = size;
    unsigned off = kBar0 + 4 * index;
    uint32_t flags = 0;
    uint64_t mask = ~(size - 1);
    switch (type) {
        case PciBarType::Io:
            flags = kBarIo;
            set_wmask32(off, uint32_t(mask) & ~3u);
            break;
        case PciBarType::Mem32:
            flags = prefetchable ? kBarPrefetch : 0;
            set_wmask32(off, uint32_t(mask) & ~0xfu);
            break;
        case PciBarType::Mem64:
            flags = kBarMem64 | (prefetchable ? kBarPrefetch : 0);
            set_wmask32(off, uint32_t(mask) & ~0xfu);
            set_wmask32(off + 4, uint32_t(mask >> 32));
            bars_[index + 1] = Bar{};
            break;
    }
    set32(off, flags);
    region->set_enabled(false);
}

uint64_t PciDevice::bar_config_address(unsigned i) const {
    uint32_t lo = get32(kBar0 + 4 * i);
    switch (bars_[i].type) {
        case PciBarType::Io:
            return lo & ~3u;
        case PciBarType::Mem32:
            return lo & ~0xfu;
        case PciBarType::Mem64:
            return (lo & ~0xfu) | uint64_t(get32(kBar0 + 4 * i + 4)) << 32;
    }
    return 0;
}

uint64_t PciDevice::bar_address(unsigned index) const {
    return index < kNumBars ? bars_[index].mapped_at : ~0ull;
}

bool PciDevice::bar_mapped(unsigned index) const {
    return bar_address(index) != ~0ull;
}

void PciDevice::update_bar_mappings() {
    uint16_t cmd = command();
    for (unsigned i = 0; i < kNumBars; ++i) {
        Bar& b = bars_[i];
        if (!b.region) continue;
        bool decode = b.type == PciBarType::Io ? (cmd & kCommandIo) : (cmd & kCommandMemory);
        uint64_t addr = bar_config_address(i);
        uint64_t limit = b.type == PciBarType::Io      ? (1ull << 32)
                         : b.type == PciBarType::Mem32 ? (1ull << 32)
                                                       : 0;  // 0: 2^64
        uint64_t end = addr + b.size;                        // exclusive
        // Address 0 and ranges that wrap or reach the last byte of the BAR's
        // space (which the all-ones pattern left by sizing does) are not
        // decoded.
        bool valid = addr != 0 && end > addr && (limit == 0 || end < limit);
        if (b.type == PciBarType::Mem64 && end == 0) valid = false;
        uint64_t want = (decode && valid && bus_) ? addr : ~0ull;
        if (want == b.mapped_at) continue;
        if (want == ~0ull) {
            b.region->set_enabled(false);
        } else {
            b.region->set_address(want);
            b.region->set_enabled(true);
        }
        b.mapped_at = want;
    }
}

uint32_t PciDevice::config_read(unsigned offset, unsigned size) {
    if ((size != 1 && size != 2 && size != 4) || (offset & 3) + size > 4 ||
        offset + size > config_size_) {
        return 0;
    }
    uint32_t v = 0;
    for (unsigned i = 0; i < size; ++i)
        v |= uint32_t(config_[offset + i]) << (8 * i);
    return v;
}

void PciDevice::config_write(unsigned offset, uint32_t value, unsigned size) {
    if ((size != 1 && size != 2 && size != 4) || (offset & 3) + size > 4 ||
        offset + size > config_size_) {
        return;
    }
    for (unsigned i = 0; i < size; ++i) {
        unsigned a = offset + i;
        uint8_t b = uint8_t(value >> (8 * i));
        config_[a] = uint8_t((config_[a] & ~wmask_[a]) | (b & wmask_[a]));
        config_[a] &= uint8_t(~(b & w1cmask_[a]));
    }
    auto touches = [&](unsigned lo, unsigned hi) { return offset < hi && offset + size > lo; };
    if (touches(kCommand, kCommand + 2) || touches(kBar0, kBar0 + 4 * kNumBars)) {
        update_bar_mappings();
    }
    if (touches(kCommand, kCommand + 2)) update_intx();
    config_written(offset, size);
}

AddressSpace* PciDevice::dma_space() const {
    return bus_ ? bus_->dma_space() : nullptr;
}

bool PciDevice::intx_asserted() const {
    return intx_level_ && ids_.interrupt_pin != 0 && !(command() & kCommandIntxDisable) &&
           !intx_suppressed();
}

void PciDevice::set_intx(bool level) {
    intx_level_ = level;
    uint16_t st = get16(kStatus);
    set16(kStatus, level ? (st | kStatusInterrupt) : (st & ~kStatusInterrupt));
    update_intx();
}

void PciDevice::update_intx() {
    bool out = intx_asserted();
    if (out == intx_out_) return;
    intx_out_ = out;
    if (bus_) bus_->intx_changed(devfn_, ids_.interrupt_pin, out);
}

void PciDevice::attach(PciBus* bus, uint8_t devfn) {
    bus_ = bus;
    devfn_ = devfn;
    for (auto& b : bars_) {
        if (!b.region) continue;
        MemoryRegion* space = b.type == PciBarType::Io ? bus->io_space() : bus->mem_space();
        b.region->set_enabled(false);
        space->add_subregion(0, b.region);
        b.mapped_at = ~0ull;
    }
    update_bar_mappings();
    intx_out_ = false;
    update_intx();
    bus_attached();
}

void PciDevice::detach() {
    if (!bus_) return;
    if (intx_out_) bus_->intx_changed(devfn_, ids_.interrupt_pin, false);
    intx_out_ = false;
    for (auto& b : bars_) {
        if (b.region && b.region->parent()) b.region->parent()->remove_subregion(b.region);
        b.mapped_at = ~0ull;
    }
    PciBus* bus = bus_;
    bus_ = nullptr;
    bus->unplug(*this);
}

void PciDevice::reset() {
    set16(kCommand, 0);
    set16(kStatus, config_[kCapabilityList] ? kStatusCapList : 0);
    config_[kCacheLineSize] = 0;
    config_[kLatencyTimer] = 0;
    config_[kInterruptLine] = 0;
    for (unsigned i = 0; i < kNumBars; ++i) {
        const Bar& b = bars_[i];
        if (!b.region) continue;
        unsigned off = kBar0 + 4 * i;
        set32(off, get32(off) & (b.type == PciBarType::Io ? 3u : 0xfu));
        if (b.type == PciBarType::Mem64) set32(off + 4, 0);
    }
    intx_level_ = false;
    update_bar_mappings();
    device_reset();
    update_intx();
}

}  // namespace emu

#include "hw/pci/msix.h"

#include <cinttypes>
#include <cstring>
#include <stdexcept>

#include "hw/core/address_space.h"
#include "hw/pci/pci_bus.h"
#include "hw/pci/pci_device.h"
#include "util/log.h"

namespace emu {

using namespace pci;

class Msix::TableHandler : public MmioHandler {
  public:
    explicit TableHandler(Msix& m) : m_(m) {}
    uint64_t mmio_read(uint64_t off, unsigned size) override {
        if (off + 4 > m_.table_.size()) return 0;
        uint32_t v;
        std::memcpy(&v, &m_.table_[off], 4);
        return v;
    }
    void mmio_write(uint64_t off, uint64_t value, unsigned size) override {
        if (off + 4 > m_.table_.size()) return;
        unsigned vec = unsigned(off / kMsixEntrySize);
        bool was_masked = m_.vector_masked(vec);
        uint32_t v = uint32_t(value);
        if (off % kMsixEntrySize == 12) {
            // Vector control: only the mask bit is defined.
            uint32_t old;
            std::memcpy(&old, &m_.table_[off], 4);
            v = (old & ~kMsixVectorMasked) | (v & kMsixVectorMasked);
        }
        std::memcpy(&m_.table_[off], &v, 4);
        if (was_masked && !m_.vector_masked(vec)) m_.unmask_check();
    }

  private:
    Msix& m_;
};

class Msix::PbaHandler : public MmioHandler {
  public:
    explicit PbaHandler(Msix& m) : m_(m) {}
    uint64_t mmio_read(uint64_t off, unsigned size) override {
        unsigned word = unsigned(off / 8);
        if (word >= m_.pba_.size()) return 0;
        uint64_t v = m_.pba_[word] >> (8 * (off % 8));
        return size == 8 ? v : v & 0xffffffffu;
    }
    void mmio_write(uint64_t, uint64_t, unsigned) override {
        log_mask(LOG_GUEST_ERROR, "%s: write to the read-only MSI-X PBA ignored\n",
                 m_.dev_.name().c_str());
    }

  private:
    Msix& m_;
};

Msix::Msix(PciDevice& dev, unsigned vectors, MemoryRegion* bar_container, unsigned bar,
           uint32_t table_offset, uint32_t pba_offset)
    : dev_(dev) {
    if (vectors == 0 || vectors > 2048 || bar >= kNumBars || (table_offset & 7) ||
        (pba_offset & 7)) {
        throw std::logic_error(dev.name() + ": bad MSI-X layout");
    }
    table_.assign(size_t(vectors) * kMsixEntrySize, 0);
    pba_.assign((vectors + 63) / 64, 0);
    cap_ = dev.add_capability(kCapIdMsix, kMsixCapSize);
    dev.set16(cap_ + kMsixControl, uint16_t(vectors - 1));
    dev.set_wmask16(cap_ + kMsixControl, kMsixControlEnable | kMsixControlMaskAll);
    dev.set32(cap_ + kMsixTable, table_offset | bar);
    dev.set32(cap_ + kMsixPba, pba_offset | bar);

    table_handler_ = std::make_unique<TableHandler>(*this);
    pba_handler_ = std::make_unique<PbaHandler>(*this);
    AccessConstraints c;
    c.valid_min = 4;
    c.valid_max = 8;
    c.impl_min = 4;
    c.impl_max = 4;
    table_region_ =
        MemoryRegion::io(dev.name() + "-msix-table", table_.size(), table_handler_.get(), c);
    AccessConstraints pc = c;
    pc.impl_max = 8;
    pba_region_ =
        MemoryRegion::io(dev.name() + "-msix-pba", pba_.size() * 8, pba_handler_.get(), pc);
    if (table_offset + table_region_->size() > bar_container->size() ||
        pba_offset + pba_region_->size() > bar_container->size()) {
        throw std::logic_error(dev.name() + ": MSI-X table/PBA outside their BAR");
    }
    bar_container->add_subregion(table_offset, table_region_.get());
    bar_container->add_subregion(pba_offset, pba_region_.get());
    reset();
}

Msix::~Msix() {
    for (MemoryRegion* r : {table_region_.get(), pba_region_.get()}) {
        if (r && r->parent()) r->parent()->remove_subregion(r);
    }
}

bool Msix::enabled() const {
    return dev_.get16(cap_ + kMsixControl) & kMsixControlEnable;
}

bool Msix::function_masked() const {
    return dev_.get16(cap_ + kMsixControl) & kMsixControlMaskAll;
}

uint32_t Msix::entry32(unsigned v, unsigned word) const {
    uint32_t x;
    std::memcpy(&x, &table_[v * kMsixEntrySize + word * 4], 4);
    return x;
}

bool Msix::vector_masked(unsigned v) const {
    return v >= vectors() || (entry32(v, 3) & kMsixVectorMasked);
}

bool Msix::pending(unsigned v) const {
    return v < vectors() && (pba_[v / 64] >> (v % 64)) & 1;
}

void Msix::notify(unsigned v) {
    if (v >= vectors() || !enabled()) return;
    if (function_masked() || vector_masked(v)) {
        pba_[v / 64] |= 1ull << (v % 64);
        return;
    }
    deliver(v);
}

void Msix::deliver(unsigned v) {
    uint64_t addr = entry32(v, 0) | uint64_t(entry32(v, 1)) << 32;
    uint32_t data = entry32(v, 2);
    AddressSpace* as = dev_.dma_space();
    if (!as || !dev_.bus_master()) {
        log_mask(LOG_GUEST_ERROR, "%s: MSI-X vector %u dropped: bus mastering is off\n",
                 dev_.name().c_str(), v);
        return;
    }
    if (!dev_.bus()->msi_write(dev_.devfn(), addr, data)) {
        log_mask(LOG_GUEST_ERROR, "%s: MSI-X vector %u write to 0x%" PRIx64 " failed\n",
                 dev_.name().c_str(), v, addr);
    }
}

void Msix::unmask_check() {
    if (!enabled() || function_masked()) return;
    for (unsigned v = 0; v < vectors(); ++v) {
        if (pending(v) && !vector_masked(v)) {
            pba_[v / 64] &= ~(1ull << (v % 64));
            deliver(v);
        }
    }
}

void Msix::config_written(unsigned offset, unsigned size) {
    if (offset < unsigned(cap_) + kMsixControl + 2u && offset + size > cap_ + kMsixControl) {
        unmask_check();
    }
}

void Msix::reset() {
    uint16_t ctl = dev_.get16(cap_ + kMsixControl);
    dev_.set16(cap_ + kMsixControl, ctl & ~(kMsixControlEnable | kMsixControlMaskAll));
    std::fill(table_.begin(), table_.end(), 0);
    for (unsigned v = 0; v < vectors(); ++v)
        table_[v * kMsixEntrySize + 12] = kMsixVectorMasked;
    std::fill(pba_.begin(), pba_.end(), 0);
}

}  // namespace emu

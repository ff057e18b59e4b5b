#include "hw/virtio/virtio_pci.h"

#include <cstring>
#include <functional>
#include <stdexcept>

#include "hw/core/address_space.h"
#include "util/log.h"

namespace emu {

using namespace virtio;

namespace {

// virtio_pci_cap.cfg_type (4.1.4).
constexpr uint8_t kCapCommon = 1;
constexpr uint8_t kCapNotify = 2;
constexpr uint8_t kCapIsr = 3;
constexpr uint8_t kCapDevice = 4;
constexpr uint8_t kCapPciCfg = 5;
constexpr unsigned kCapLen = 16;

// virtio_pci_common_cfg field offsets (4.1.4.3).
enum : uint64_t {
    kDeviceFeatureSelect = 0,
    kDeviceFeature = 4,
    kDriverFeatureSelect = 8,
    kDriverFeature = 12,
    kConfigMsixVector = 16,
    kNumQueues = 18,
    kDeviceStatus = 20,
    kConfigGeneration = 21,
    kQueueSelect = 22,
    kQueueSize = 24,
    kQueueMsixVector = 26,
    kQueueEnable = 28,
    kQueueNotifyOff = 30,
    kQueueDesc = 32,
    kQueueDriver = 40,
    kQueueDevice = 48,
    kQueueNotifyData = 56,
    kQueueReset = 58,
    kCommonSize = 60,
};

PciIds virtio_ids(uint16_t device_id, uint32_t class_code) {
    PciIds ids;
    ids.vendor = 0x1af4;
    ids.device = uint16_t(0x1040 + device_id);
    ids.subsystem_vendor = 0x1af4;
    ids.subsystem = 0x1100;
    ids.revision = 1;  // non-transitional
    ids.class_code = class_code;
    ids.interrupt_pin = 1;
    return ids;
}

}  // namespace

// One BAR4 structure: forwards to the transport with its base offset.
class VirtioPci::Region : public MmioHandler {
  public:
    Region(VirtioPci& t, uint32_t base) : t_(t), base_(base) {}
    uint64_t mmio_read(uint64_t off, unsigned size) override {
        return t_.bar4_read(base_ + off, size);
    }
    void mmio_write(uint64_t off, uint64_t v, unsigned size) override {
        t_.bar4_write(base_ + off, v, size);
    }

  private:
    VirtioPci& t_;
    uint32_t base_;
};

VirtioPci::VirtioPci(std::unique_ptr<VirtioDevice> dev, uint32_t class_code,
                     std::optional<unsigned> msix_vectors)
    : PciDevice(dev->name() + "-pci", virtio_ids(dev->device_id(), class_code)),
      dev_(std::move(dev)) {
    AccessConstraints c;
    c.valid_min = 1;
    c.valid_max = 4;
    c.impl_min = 1;
    c.impl_max = 4;
    bar4_ = MemoryRegion::container(name() + "-bar4", kBar4Size);
    auto make = [&](const char* what, uint32_t off, uint64_t size, std::unique_ptr<Region>& h) {
        h = std::make_unique<Region>(*this, off);
        auto r = MemoryRegion::io(name() + what, size, h.get(), c);
        bar4_->add_subregion(off, r.get());
        return r;
    };
    common_ = make("-common", kCommonOffset, 0x1000, common_h_);
    isr_region_ = make("-isr", kIsrOffset, 0x1000, isr_h_);
    device_cfg_ = make("-device", kDeviceOffset, 0x1000, device_h_);
    notify_ = make("-notify", kNotifyOffset, 0x1000, notify_h_);

    unsigned vectors = msix_vectors.value_or(dev_->num_queues() + 1);
    if (vectors > 128) throw std::invalid_argument(name() + ": at most 128 MSI-X vectors");
    if (vectors > 0) {
        msix_bar_ = MemoryRegion::container(name() + "-msix", 0x1000);
        msix_ = std::make_unique<Msix>(*this, vectors, msix_bar_.get(), 1, 0, 0x800);
        register_bar(1, PciBarType::Mem32, msix_bar_.get());
    }
    register_bar(4, PciBarType::Mem64, bar4_.get(), true);

    add_virtio_cap(kCapCommon, kCommonOffset, 0x1000, 0);
    add_virtio_cap(kCapIsr, kIsrOffset, 0x1000, 0);
    add_virtio_cap(kCapDevice, kDeviceOffset, 0x1000, 0);
    uint8_t n = add_virtio_cap(kCapNotify, kNotifyOffset, 0x1000, 4);
    set32(n + kCapLen, kNotifyMultiplier);
    pci_cfg_cap_ = add_virtio_cap(kCapPciCfg, 0, 0, 4);
    // The window's bar, offset and length are the driver's to choose.
    set_wmask(pci_cfg_cap_ + 4, 1, 0xff);
    set_wmask32(pci_cfg_cap_ + 8, 0xffffffff);
    set_wmask32(pci_cfg_cap_ + 12, 0xffffffff);
}

VirtioPci::~VirtioPci() {
    detach();
}

uint8_t VirtioPci::add_virtio_cap(uint8_t type, uint32_t offset, uint32_t length, uint8_t extra) {
    uint8_t cap = add_capability(pci::kCapIdVendor, uint8_t(kCapLen + extra));
    config_data()[cap + 2] = uint8_t(kCapLen + extra);
    config_data()[cap + 3] = type;
    config_data()[cap + 4] = type == kCapPciCfg ? 0 : 4;  // BAR
    set32(cap + 8, offset);
    set32(cap + 12, length);
    return cap;
}

void VirtioPci::bus_attached() {
    dev_->attach(this, GuestMemory(dma_space()));
}

bool VirtioPci::intx_suppressed() const {
    return msix_ && msix_->enabled();
}

void VirtioPci::transport_reset() {
    device_feature_sel_ = driver_feature_sel_ = 0;
    queue_sel_ = 0;
    config_vector_ = kNoVector;
    isr_ = 0;
    set_intx(false);
}

void VirtioPci::device_reset() {
    dev_->reset();
    if (msix_) msix_->reset();
    transport_reset();
}

void VirtioPci::config_written(unsigned offset, unsigned size) {
    if (msix_) msix_->config_written(offset, size);
    update_intx();
}

// The PCI configuration access capability (4.1.4.9): a window through
// which the driver reaches BAR structures with configuration cycles. Only
// an access of at least cap.length bytes at the start of the window, for
// a naturally aligned 1-, 2- or 4-byte BAR4 access, goes through.
std::optional<VirtioPci::Bar4Access> VirtioPci::cfg_window(unsigned offset, unsigned size) {
    unsigned data = pci_cfg_cap_ + kCapLen;
    if (offset < data || offset >= data + 4) return std::nullopt;
    uint32_t len = get32(pci_cfg_cap_ + 12);
    uint32_t off = get32(pci_cfg_cap_ + 8);
    if (config_data()[pci_cfg_cap_ + 4] == 4 && (len == 1 || len == 2 || len == 4) &&
        offset == data && size >= len && off % len == 0 && off < kBar4Size) {
        return Bar4Access{off, len};
    }
    return Bar4Access{};
}

uint32_t VirtioPci::config_read(unsigned offset, unsigned size) {
    if (auto w = cfg_window(offset, size); w && w->len)
        set32(pci_cfg_cap_ + kCapLen, uint32_t(bar4_read(w->off, w->len)));
    return PciDevice::config_read(offset, size);
}

void VirtioPci::config_write(unsigned offset, uint32_t value, unsigned size) {
    if (auto w = cfg_window(offset, size)) {
        if (w->len) bar4_write(w->off, value, w->len);
        return;
    }
    PciDevice::config_write(offset, value, size);
}

uint64_t VirtioPci::bar4_read(uint64_t off, unsigned size) {
    if (off < kIsrOffset) return common_read(off, size);
    if (off < kDeviceOffset) {
        if (off != kIsrOffset) return 0;
        // Reading the ISR acknowledges the interrupt (4.1.4.5).
        uint8_t v = isr_;
        isr_ = 0;
        set_intx(false);
        return v;
    }
    if (off < kNotifyOffset) return dev_->read_config(off - kDeviceOffset, size);
    return 0;
}

void VirtioPci::bar4_write(uint64_t off, uint64_t value, unsigned size) {
    if (off < kIsrOffset) {
        common_write(off, value, size);
    } else if (off < kDeviceOffset) {
        // The ISR is read-only.
    } else if (off < kNotifyOffset) {
        dev_->write_config(off - kDeviceOffset, value, size);
    } else {
        dev_->queue_notify(unsigned((off - kNotifyOffset) / kNotifyMultiplier));
    }
}

uint64_t VirtioPci::common_read(uint64_t off, unsigned size) {
    if (off >= kCommonSize) return 0;
    uint8_t img[64] = {};
    auto put = [&](uint64_t at, uint64_t v, unsigned n) { std::memcpy(img + at, &v, n); };
    put(kDeviceFeatureSelect, device_feature_sel_, 4);
    put(kDeviceFeature, dev_->host_features_word(device_feature_sel_), 4);
    put(kDriverFeatureSelect, driver_feature_sel_, 4);
    put(kDriverFeature,
        driver_feature_sel_ < 2 ? uint32_t(dev_->guest_features() >> (32 * driver_feature_sel_))
                                : 0,
        4);
    put(kConfigMsixVector, config_vector_, 2);
    put(kNumQueues, dev_->num_queues(), 2);
    put(kDeviceStatus, dev_->status(), 1);
    put(kConfigGeneration, dev_->config_generation(), 1);
    put(kQueueSelect, queue_sel_, 2);
    if (queue_sel_ < dev_->num_queues()) {
        Virtqueue& q = dev_->queue(queue_sel_);
        put(kQueueSize, q.size(), 2);
        put(kQueueMsixVector, q.msix_vector, 2);
        put(kQueueEnable, q.ready(), 2);
        put(kQueueNotifyOff, queue_sel_, 2);
        put(kQueueDesc, q.desc_addr, 8);
        put(kQueueDriver, q.avail_addr, 8);
        put(kQueueDevice, q.used_addr, 8);
    }
    uint64_t v = 0;
    std::memcpy(&v, img + off, size);
    return v;
}

void VirtioPci::common_write(uint64_t off, uint64_t value, unsigned size) {
    Virtqueue* q = queue_sel_ < dev_->num_queues() ? &dev_->queue(queue_sel_) : nullptr;
    auto bad = [&](const char* why) {
        log_mask(LOG_GUEST_ERROR, "%s: common config write at 0x%x size %u: %s\n", name().c_str(),
                 unsigned(off), size, why);
    };
    // The queue layout may only change while the queue is not in use.
    auto setup_ok = [&]() {
        if (!q) return bad("no such queue"), false;
        if (q->ready()) return bad("queue is enabled"), false;
        return true;
    };
    auto vector = [&](uint64_t v) {
        return uint16_t(v) != kNoVector && (!msix_ || uint16_t(v) >= msix_->vectors())
                   ? kNoVector
                   : uint16_t(v);
    };
    auto set_part = [&](uint64_t& field, uint64_t base) {
        unsigned shift = unsigned(off - base) * 8;
        uint64_t mask = (size == 8 ? ~0ull : ((1ull << (8 * size)) - 1)) << shift;
        field = (field & ~mask) | ((value << shift) & mask);
    };
    switch (off) {
        case kDeviceFeatureSelect:
            device_feature_sel_ = uint32_t(value);
            return;
        case kDriverFeatureSelect:
            driver_feature_sel_ = uint32_t(value);
            return;
        case kDriverFeature:
            dev_->set_guest_features_word(driver_feature_sel_, uint32_t(value));
            return;
        case kConfigMsixVector:
            config_vector_ = vector(value);
            return;
        case kDeviceStatus:
            dev_->set_status(uint8_t(value));
            if (uint8_t(value) == 0) transport_reset();
            return;
        case kQueueSelect:
            queue_sel_ = uint16_t(value);
            return;
        case kQueueSize:
            if (setup_ok()) q->set_size(uint16_t(value));
            return;
        case kQueueMsixVector:
            if (q) q->msix_vector = vector(value);
            return;
        case kQueueEnable:
            if (!q) return bad("no such queue");
            if (uint16_t(value) == 1 && !q->ready()) dev_->queue_enabled(queue_sel_);
            return;
    }
    if (off >= kQueueDesc && off < kQueueDevice + 8) {
        if (!setup_ok()) return;
        if (off < kQueueDriver) return set_part(q->desc_addr, kQueueDesc);
        if (off < kQueueDevice) return set_part(q->avail_addr, kQueueDriver);
        return set_part(q->used_addr, kQueueDevice);
    }
    bad("read-only or unknown field");
}

void VirtioPci::notify_queue(unsigned q) {
    if (msix_ && msix_->enabled()) {
        uint16_t v = dev_->queue(q).msix_vector;
        if (v != kNoVector) msix_->notify(v);
        return;
    }
    isr_ |= kIntUsedBuffer;
    set_intx(true);
}

void VirtioPci::notify_config() {
    if (msix_ && msix_->enabled()) {
        if (config_vector_ != kNoVector) msix_->notify(config_vector_);
        return;
    }
    isr_ |= kIntConfigChange;
    set_intx(true);
}

}  // namespace emu

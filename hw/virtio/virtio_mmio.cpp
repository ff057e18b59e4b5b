#include "hw/virtio/virtio_mmio.h"

extern "C" {
#include <libfdt.h>
}

#include <cstdio>
#include <stdexcept>

#include "hw/core/address_space.h"
#include "util/log.h"

namespace emu {

using namespace virtio;

namespace {

// Register offsets (4.2.2).
enum : uint64_t {
    kRegMagic = 0x000,
    kRegVersion = 0x004,
    kRegDeviceId = 0x008,
    kRegVendorId = 0x00c,
    kRegDeviceFeatures = 0x010,
    kRegDeviceFeaturesSel = 0x014,
    kRegDriverFeatures = 0x020,
    kRegDriverFeaturesSel = 0x024,
    kRegQueueSel = 0x030,
    kRegQueueNumMax = 0x034,
    kRegQueueNum = 0x038,
    kRegQueueReady = 0x044,
    kRegQueueNotify = 0x050,
    kRegInterruptStatus = 0x060,
    kRegInterruptAck = 0x064,
    kRegStatus = 0x070,
    kRegQueueDescLow = 0x080,
    kRegQueueDescHigh = 0x084,
    kRegQueueDriverLow = 0x090,
    kRegQueueDriverHigh = 0x094,
    kRegQueueDeviceLow = 0x0a0,
    kRegQueueDeviceHigh = 0x0a4,
    kRegShmSel = 0x0ac,
    kRegShmLenLow = 0x0b0,
    kRegShmLenHigh = 0x0b4,
    kRegShmBaseLow = 0x0b8,
    kRegShmBaseHigh = 0x0bc,
    kRegQueueReset = 0x0c0,
    kRegConfigGeneration = 0x0fc,
    kRegConfig = 0x100,
};

void set_lo(uint64_t& r, uint64_t v) {
    r = (r & ~0xffffffffull) | uint32_t(v);
}
void set_hi(uint64_t& r, uint64_t v) {
    r = (r & 0xffffffffull) | (uint64_t(uint32_t(v)) << 32);
}

}  // namespace

VirtioMmio::VirtioMmio(std::string name, AddressSpace* dma, IrqLine irq)
    : name_(std::move(name)), dma_(dma), irq_(irq) {
    AccessConstraints c;
    c.valid_min = 1;
    c.valid_max = 4;
    c.impl_min = 1;
    c.impl_max = 4;
    region_ = MemoryRegion::io(name_, kSize, this, c);
}

VirtioMmio::~VirtioMmio() {
    if (region_->parent()) region_->parent()->remove_subregion(region_.get());
}

void VirtioMmio::plug(std::unique_ptr<VirtioDevice> dev) {
    dev_ = std::move(dev);
    if (dev_) dev_->attach(this, GuestMemory(dma_));
    reset();
}

void VirtioMmio::reset() {
    if (dev_) dev_->reset();
    device_features_sel_ = driver_features_sel_ = queue_sel_ = 0;
    int_status_ = 0;
    update_irq();
}

void VirtioMmio::update_irq() {
    irq_.set(int_status_ != 0);
}

void VirtioMmio::notify_queue(unsigned) {
    int_status_ |= kIntUsedBuffer;
    update_irq();
}

void VirtioMmio::notify_config() {
    int_status_ |= kIntConfigChange;
    update_irq();
}

Virtqueue* VirtioMmio::selected_queue() {
    return queue_sel_ < dev_->num_queues() ? &dev_->queue(queue_sel_) : nullptr;
}

uint64_t VirtioMmio::mmio_read(uint64_t off, unsigned size) {
    if (off >= kRegConfig) return dev_ ? dev_->read_config(off - kRegConfig, size) : 0;
    if (size != 4) {
        log_mask(LOG_GUEST_ERROR, "%s: %u-byte read of register 0x%x\n", name_.c_str(), size,
                 unsigned(off));
        return 0;
    }
    switch (off) {
        case kRegMagic:
            return kMagic;
        case kRegVersion:
            return 2;
        case kRegDeviceId:
            return dev_ ? dev_->device_id() : 0;
        case kRegVendorId:
            return kVendorId;
    }
    if (!dev_) return 0;
    Virtqueue* q = selected_queue();
    switch (off) {
        case kRegDeviceFeatures:
            return dev_->host_features_word(device_features_sel_);
        case kRegQueueNumMax:
            return q ? q->max_size() : 0;
        case kRegQueueNum:
            return q ? q->size() : 0;
        case kRegQueueReady:
            return q && q->ready();
        case kRegInterruptStatus:
            return int_status_;
        case kRegStatus:
            return dev_->status();
        case kRegQueueDescLow:
            return q ? uint32_t(q->desc_addr) : 0;
        case kRegQueueDescHigh:
            return q ? uint32_t(q->desc_addr >> 32) : 0;
        case kRegQueueDriverLow:
            return q ? uint32_t(q->avail_addr) : 0;
        case kRegQueueDriverHigh:
            return q ? uint32_t(q->avail_addr >> 32) : 0;
        case kRegQueueDeviceLow:
            return q ? uint32_t(q->used_addr) : 0;
        case kRegQueueDeviceHigh:
            return q ? uint32_t(q->used_addr >> 32) : 0;
        case kRegShmLenLow:
        case kRegShmLenHigh:
            return 0xffffffffu;  // no shared memory regions
        case kRegShmBaseLow:
        case kRegShmBaseHigh:
            return 0xffffffffu;
        case kRegConfigGeneration:
            return dev_->config_generation();
        default:
            log_mask(LOG_GUEST_ERROR, "%s: read of write-only or unknown register 0x%x\n",
                     name_.c_str(), unsigned(off));
            return 0;
    }
}

void VirtioMmio::mmio_write(uint64_t off, uint64_t value, unsigned size) {
    if (!dev_) return;
    if (off >= kRegConfig) {
        dev_->write_config(off - kRegConfig, value, size);
        return;
    }
    if (size != 4) {
        log_mask(LOG_GUEST_ERROR, "%s: %u-byte write of register 0x%x\n", name_.c_str(), size,
                 unsigned(off));
        return;
    }
    uint32_t v = uint32_t(value);
    Virtqueue* q = selected_queue();
    // The queue layout may only change while the queue is not in use.
    auto queue_setup = [&](const char* what) {
        if (!q) {
            log_mask(LOG_GUEST_ERROR, "%s: %s for missing queue %u\n", name_.c_str(), what,
                     queue_sel_);
            return false;
        }
        if (q->ready()) {
            log_mask(LOG_GUEST_ERROR, "%s: %s while queue %u is ready\n", name_.c_str(), what,
                     queue_sel_);
            return false;
        }
        return true;
    };
    switch (off) {
        case kRegDeviceFeaturesSel:
            device_features_sel_ = v;
            break;
        case kRegDriverFeatures:
            dev_->set_guest_features_word(driver_features_sel_, v);
            break;
        case kRegDriverFeaturesSel:
            driver_features_sel_ = v;
            break;
        case kRegQueueSel:
            queue_sel_ = v;
            break;
        case kRegQueueNum:
            if (queue_setup("QueueNum")) q->set_size(uint16_t(std::min<uint32_t>(v, 0xffff)));
            break;
        case kRegQueueReady:
            if (!q) break;
            if (v == 1 && !q->ready()) {
                dev_->queue_enabled(queue_sel_);
            } else if (v == 0) {
                q->disable();
            }
            break;
        case kRegQueueNotify:
            dev_->queue_notify(v & 0xffff);
            break;
        case kRegInterruptAck:
            int_status_ &= ~v;
            update_irq();
            break;
        case kRegStatus:
            dev_->set_status(uint8_t(v));
            if (v == 0) {
                int_status_ = 0;
                queue_sel_ = 0;
                update_irq();
            }
            break;
        case kRegQueueDescLow:
            if (queue_setup("QueueDesc")) set_lo(q->desc_addr, v);
            break;
        case kRegQueueDescHigh:
            if (queue_setup("QueueDesc")) set_hi(q->desc_addr, v);
            break;
        case kRegQueueDriverLow:
            if (queue_setup("QueueDriver")) set_lo(q->avail_addr, v);
            break;
        case kRegQueueDriverHigh:
            if (queue_setup("QueueDriver")) set_hi(q->avail_addr, v);
            break;
        case kRegQueueDeviceLow:
            if (queue_setup("QueueDevice")) set_lo(q->used_addr, v);
            break;
        case kRegQueueDeviceHigh:
            if (queue_setup("QueueDevice")) set_hi(q->used_addr, v);
            break;
        case kRegShmSel:
            break;
        default:
            log_mask(LOG_GUEST_ERROR, "%s: write of read-only or unknown register 0x%x\n",
                     name_.c_str(), unsigned(off));
            break;
    }
}

VirtioMmioBus::VirtioMmioBus(AddressSpace* dma, uint64_t base, unsigned count,
                             const std::function<IrqLine(unsigned)>& irq_for_slot, uint64_t stride)
    : base_(base), stride_(stride) {
    if (stride < VirtioMmio::kSize) throw std::invalid_argument("virtio-mmio stride too small");
    for (unsigned i = 0; i < count; ++i) {
        char name[48];
        std::snprintf(name, sizeof name, "virtio-mmio@%llx",
                      (unsigned long long)(base + i * stride));
        slots_.push_back(std::make_unique<VirtioMmio>(name, dma, irq_for_slot(i)));
    }
}

VirtioMmioBus::~VirtioMmioBus() = default;

void VirtioMmioBus::map(MemoryRegion* sysmem) {
    for (unsigned i = 0; i < slots_.size(); ++i) {
        sysmem->add_subregion(slot_base(i), slots_[i]->region());
    }
}

unsigned VirtioMmioBus::plug(std::unique_ptr<VirtioDevice> dev) {
    for (unsigned i = 0; i < slots_.size(); ++i) {
        if (!slots_[i]->device()) {
            slots_[i]->plug(std::move(dev));
            return i;
        }
    }
    throw std::runtime_error("no free virtio-mmio slot for " + dev->name() + " (all " +
                             std::to_string(slots_.size()) + " are in use)");
}

void VirtioMmioBus::reset() {
    for (auto& s : slots_)
        s->reset();
}

int add_virtio_mmio_fdt_node(void* fdt, uint64_t base, const std::vector<uint32_t>& interrupts) {
    auto check = [](int err, const char* what) {
        if (err < 0) {
            throw std::runtime_error(std::string("device tree: cannot add virtio-mmio ") + what +
                                     ": " + fdt_strerror(err));
        }
    };
    char name[48];
    std::snprintf(name, sizeof name, "virtio_mmio@%llx", (unsigned long long)base);
    int node = fdt_add_subnode(fdt, 0, name);
    check(node, "node");
    check(fdt_setprop_string(fdt, node, "compatible", "virtio,mmio"), "compatible");
    fdt32_t reg[4] = {cpu_to_fdt32(uint32_t(base >> 32)), cpu_to_fdt32(uint32_t(base)), 0,
                      cpu_to_fdt32(uint32_t(VirtioMmio::kSize))};
    check(fdt_setprop(fdt, node, "reg", reg, sizeof reg), "reg");
    std::vector<fdt32_t> irq;
    for (uint32_t c : interrupts)
        irq.push_back(cpu_to_fdt32(c));
    check(fdt_setprop(fdt, node, "interrupts", irq.data(), int(irq.size() * 4)), "interrupts");
    check(fdt_setprop(fdt, node, "dma-coherent", nullptr, 0), "dma-coherent");
    return node;
}

std::string virtio_mmio_cmdline(uint64_t base, unsigned irq) {
    char buf[80];
    std::snprintf(buf, sizeof buf, "virtio_mmio.device=%llu@0x%llx:%u",
                  (unsigned long long)VirtioMmio::kSize, (unsigned long long)base, irq);
    return buf;
}

}  // namespace emu

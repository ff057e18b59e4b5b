#pragma once
// The virtio-mmio transport, version 2 register layout (virtio 1.x, 4.2):
// a 0x200-byte window per device with one level-triggered interrupt. An
// empty slot answers with device ID 0, as the spec requires, so boards can
// create all their slots up front (virt: 32 at 0x0a000000).
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "hw/core/irq.h"
#include "hw/core/memory_region.h"
#include "hw/virtio/virtio_device.h"

namespace emu {

class AddressSpace;

class VirtioMmio : public MmioHandler, public VirtioTransport {
  public:
    static constexpr uint64_t kSize = 0x200;
    static constexpr uint32_t kMagic = 0x74726976;  // "virt"
    static constexpr uint32_t kVendorId = 0x554d4551;

    // dma: where the device's rings and buffers live (system memory).
    VirtioMmio(std::string name, AddressSpace* dma, IrqLine irq);
    ~VirtioMmio() override;

    // Puts a device behind this window (one only; nullptr empties it).
    void plug(std::unique_ptr<VirtioDevice> dev);
    VirtioDevice* device() const { return dev_.get(); }
    MemoryRegion* region() { return region_.get(); }
    uint32_t interrupt_status() const { return int_status_; }

    // System reset.
    void reset();

    uint64_t mmio_read(uint64_t offset, unsigned size) override;
    void mmio_write(uint64_t offset, uint64_t value, unsigned size) override;
    void notify_queue(unsigned q) override;
    void notify_config() override;

  private:
    void update_irq();
    Virtqueue* selected_queue();

    std::string name_;
    AddressSpace* dma_;
    IrqLine irq_;
    std::unique_ptr<MemoryRegion> region_;
    std::unique_ptr<VirtioDevice> dev_;
    uint32_t device_features_sel_ = 0;
    uint32_t driver_features_sel_ = 0;
    uint32_t queue_sel_ = 0;
    uint32_t int_status_ = 0;
};

// The board-facing set of slots: count windows of kSize at base + i*stride,
// each with its interrupt. Devices go to the lowest free slot.
class VirtioMmioBus {
  public:
    VirtioMmioBus(AddressSpace* dma, uint64_t base, unsigned count,
                  const std::function<IrqLine(unsigned slot)>& irq_for_slot,
                  uint64_t stride = VirtioMmio::kSize);
    ~VirtioMmioBus();

    // Maps every slot into the board's system memory container.
    void map(MemoryRegion* system_memory);
    // Returns the slot index; throws std::runtime_error when all are used.
    unsigned plug(std::unique_ptr<VirtioDevice> dev);
    unsigned count() const { return unsigned(slots_.size()); }
    VirtioMmio& slot(unsigned i) { return *slots_.at(i); }
    uint64_t slot_base(unsigned i) const { return base_ + i * stride_; }
    void reset();

  private:
    uint64_t base_;
    uint64_t stride_;
    std::vector<std::unique_ptr<VirtioMmio>> slots_;
};

// Device-tree node "virtio_mmio@<base>" (compatible "virtio,mmio") under
// the root of a writable libfdt blob with 2 address and size cells;
// `interrupts` is the interrupt specifier in the root's interrupt parent.
// Throws std::runtime_error on libfdt errors. Returns the node offset.
int add_virtio_mmio_fdt_node(void* fdt, uint64_t base, const std::vector<uint32_t>& interrupts);

// Kernel command-line word announcing a slot without a device tree
// (x86 microvm): "virtio_mmio.device=512@0xfeb00000:12".
std::string virtio_mmio_cmdline(uint64_t base, unsigned irq);

}  // namespace emu

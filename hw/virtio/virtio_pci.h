#pragma once
// The modern (virtio 1.x, non-transitional) virtio-pci transport, 4.1:
// vendor-specific capabilities pointing at the common configuration, ISR,
// device configuration and notification structures in BAR4 (64-bit), MSI-X
// in BAR1 (one vector per queue plus one for configuration changes), INTx
// with the ISR when MSI-X is off, and the PCI configuration access window.
#include <cstdint>
#include <memory>
#include <optional>

#include "hw/pci/msix.h"
#include "hw/pci/pci_device.h"
#include "hw/virtio/virtio_device.h"

namespace emu {

class VirtioPci : public PciDevice, public VirtioTransport {
  public:
    static constexpr uint16_t kNoVector = 0xffff;
    // BAR4 layout.
    static constexpr uint32_t kCommonOffset = 0x0000;
    static constexpr uint32_t kIsrOffset = 0x1000;
    static constexpr uint32_t kDeviceOffset = 0x2000;
    static constexpr uint32_t kNotifyOffset = 0x3000;
    static constexpr uint32_t kNotifyMultiplier = 4;
    static constexpr uint32_t kBar4Size = 0x4000;

    // PCI class code for the function (e.g. 0x010000 for a block device).
    // msix_vectors: default one per queue plus one for configuration
    // changes; 0 leaves MSI-X out (INTx only: for boards that cannot
    // deliver MSIs yet, or -device ...,vectors=0 as in QEMU).
    VirtioPci(std::unique_ptr<VirtioDevice> dev, uint32_t class_code,
              std::optional<unsigned> msix_vectors = std::nullopt);
    ~VirtioPci() override;

    VirtioDevice& device() { return *dev_; }
    Msix* msix() { return msix_.get(); }
    uint8_t isr() const { return isr_; }

    uint32_t config_read(unsigned offset, unsigned size) override;
    void config_write(unsigned offset, uint32_t value, unsigned size) override;

    void notify_queue(unsigned q) override;
    void notify_config() override;

    // Access to the BAR4 structures by offset (also used by the PCI
    // configuration access capability).
    uint64_t bar4_read(uint64_t offset, unsigned size);
    void bar4_write(uint64_t offset, uint64_t value, unsigned size);

  protected:
    void config_written(unsigned offset, unsigned size) override;
    void device_reset() override;
    void bus_attached() override;
    bool intx_suppressed() const override;

  private:
    class Region;
    uint64_t common_read(uint64_t off, unsigned size);
    void common_write(uint64_t off, uint64_t value, unsigned size);
    uint8_t add_virtio_cap(uint8_t type, uint32_t offset, uint32_t length, uint8_t extra);
    // A config access inside the access capability's data window: the BAR4
    // access it stands for (len 0 when it is not a valid one); nullopt
    // outside the window.
    struct Bar4Access {
        uint32_t off = 0, len = 0;
    };
    std::optional<Bar4Access> cfg_window(unsigned offset, unsigned size);
    void transport_reset();

    std::unique_ptr<VirtioDevice> dev_;
    std::unique_ptr<MemoryRegion> msix_bar_;
    std::unique_ptr<MemoryRegion> bar4_;
    std::unique_ptr<Region> common_h_, isr_h_, device_h_, notify_h_;
    std::unique_ptr<MemoryRegion> common_, isr_region_, device_cfg_, notify_;
    std::unique_ptr<Msix> msix_;
    uint8_t pci_cfg_cap_ = 0;
    uint32_t device_feature_sel_ = 0;
    uint32_t driver_feature_sel_ = 0;
    uint16_t queue_sel_ = 0;
    uint16_t config_vector_ = kNoVector;
    uint8_t isr_ = 0;
};

}  // namespace emu

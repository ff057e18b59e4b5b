#pragma once
// A PCI function with a type 0 header: configuration space with per-bit
// write masks, BARs that map their MemoryRegion into the bus's memory or I/O
// space when the guest programs them and enables decoding, a capability
// list, and INTx.
#include <array>
#include <cstdint>
#include <string>

#include "hw/core/device.h"
#include "hw/core/memory_region.h"
#include "hw/pci/pci_regs.h"

namespace emu {

class AddressSpace;
class PciBus;

struct PciIds {
    uint16_t vendor = 0;
    uint16_t device = 0;
    uint16_t subsystem_vendor = 0;
    uint16_t subsystem = 0;
    uint8_t revision = 0;
    uint32_t class_code = 0;    // base class << 16 | subclass << 8 | prog-if
    uint8_t interrupt_pin = 0;  // 0: none, 1..4: INTA..INTD
};

enum class PciBarType { Io, Mem32, Mem64 };

class PciDevice : public Device {
  public:
    PciDevice(std::string name, const PciIds& ids);
    ~PciDevice() override;

    // Configuration access as a host bridge makes it: `size` 1, 2 or 4 and
    // the access does not cross a dword. Offsets beyond config_size() read
    // as zero and ignore writes. Subclasses that override call the base.
    virtual uint32_t config_read(unsigned offset, unsigned size);
    virtual void config_write(unsigned offset, uint32_t value, unsigned size);

    // System reset: command, BARs and interrupts back to power-on, then
    // device_reset().
    void reset() final;

    PciBus* bus() const { return bus_; }
    uint8_t devfn() const { return devfn_; }
    unsigned config_size() const { return config_size_; }
    uint16_t command() const { return get16(pci::kCommand); }
    bool bus_master() const { return command() & pci::kCommandMaster; }
    // The address space DMA and MSI writes go to (the bus's).
    AddressSpace* dma_space() const;

    // Current guest-programmed BAR address (or ~0 when unmapped).
    uint64_t bar_address(unsigned index) const;
    bool bar_mapped(unsigned index) const;

    // Drives this function's interrupt pin (level). Ignored without a pin.
    void set_intx(bool level);
    bool intx_level() const { return intx_level_; }
    // Whether the pin is currently asserted on the bus (level and not
    // disabled by the command register).
    bool intx_asserted() const;

    // Raw access for capability helpers (MSI-X) living outside the class.
    uint8_t* config_data() { return config_.data(); }
    uint16_t get16(unsigned off) const { return uint16_t(config_[off] | config_[off + 1] << 8); }
    uint32_t get32(unsigned off) const { return get16(off) | uint32_t(get16(off + 2)) << 16; }
    void set16(unsigned off, uint16_t v);
    void set32(unsigned off, uint32_t v);
    // Marks bits the guest may change (mask per byte).
    void set_wmask(unsigned off, unsigned len, uint8_t mask);
    void set_wmask16(unsigned off, uint16_t mask);
    void set_wmask32(unsigned off, uint32_t mask);

    // Appends a capability of `size` bytes (>= 2) to the list; returns its
    // offset. Its bytes are read-only to the guest until set_wmask.
    uint8_t add_capability(uint8_t id, uint8_t size);
    // Offset of the first capability with `id`, or 0.
    uint8_t find_capability(uint8_t id) const;

    // Called by PciBus::plug.
    void attach(PciBus* bus, uint8_t devfn);
    void detach();

  protected:
    // `region` is owned by the subclass and must outlive the device's bus
    // attachment: a subclass that owns BAR regions calls detach() in its
    // destructor. Size must be a power of two (>= 16 for memory, >= 4 for
    // I/O). Call before the device is plugged.
    void register_bar(unsigned index, PciBarType type, MemoryRegion* region,
                      bool prefetchable = false);

    // After the generic handling of a guest write (e.g. MSI-X enable bits).
    virtual void config_written(unsigned offset, unsigned size) {}
    virtual void device_reset() {}
    // The device was just plugged into a bus (dma_space() is now valid).
    virtual void bus_attached() {}
    // Hook for MSI-X: INTx must stay quiet while MSI-X is on.
    virtual bool intx_suppressed() const { return false; }

    // Re-evaluates the INTx output (after a command or MSI-X change).
    void update_intx();

  private:
    struct Bar {
        MemoryRegion* region = nullptr;
        PciBarType type = PciBarType::Mem32;
        uint64_t size = 0;
        uint64_t mapped_at = ~0ull;
    };
    uint64_t bar_config_address(unsigned index) const;
    void update_bar_mappings();
    void init_header();

    PciIds ids_;
    unsigned config_size_ = pci::kExpressConfigSize;
    std::array<uint8_t, pci::kExpressConfigSize> config_{};
    std::array<uint8_t, pci::kExpressConfigSize> wmask_{};
    std::array<uint8_t, pci::kExpressConfigSize> w1cmask_{};
    std::array<Bar, pci::kNumBars> bars_{};
    uint8_t next_cap_ = pci::kHeaderEnd;
    PciBus* bus_ = nullptr;
    uint8_t devfn_ = 0;
    bool intx_level_ = false;
    bool intx_out_ = false;  // what the bus currently sees from us
};

}  // namespace emu

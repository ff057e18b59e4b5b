#pragma once
// A PCI bus segment: 32 slots of 8 functions, the memory and I/O spaces BARs
// map into, the DMA address space (also where MSI writes go) and INTx
// routing with the standard swizzle: pin P of slot S drives the host
// bridge's line (S + P - 1) mod 4.
#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "hw/core/irq.h"

namespace emu {

class AddressSpace;
class MemoryRegion;
class PciDevice;

class PciBus {
  public:
    // mem_space and io_space are containers owned by the host bridge.
    PciBus(std::string name, MemoryRegion* mem_space, MemoryRegion* io_space,
           AddressSpace* dma_space);
    ~PciBus();
    PciBus(const PciBus&) = delete;
    PciBus& operator=(const PciBus&) = delete;

    const std::string& name() const { return name_; }
    MemoryRegion* mem_space() const { return mem_space_; }
    MemoryRegion* io_space() const { return io_space_; }
    AddressSpace* dma_space() const { return dma_space_; }

    // Puts dev at devfn, or in the first free slot (function 0) when none is
    // given. Throws std::runtime_error naming the problem when the place is
    // taken or invalid. The device must outlive its place on the bus (or be
    // unplugged first).
    uint8_t plug(PciDevice& dev, std::optional<uint8_t> devfn = std::nullopt);
    void unplug(PciDevice& dev);
    PciDevice* device(uint8_t devfn) const { return devices_[devfn]; }

    // Configuration access to devfn; absent functions read all-ones.
    uint32_t config_read(uint8_t devfn, unsigned offset, unsigned size);
    void config_write(uint8_t devfn, unsigned offset, uint32_t value, unsigned size);

    // The host bridge's four interrupt outputs (INTA..INTD after swizzle).
    void connect_intx(unsigned line, IrqLine irq) { intx_lines_.at(line) = irq; }
    // Which of the four lines a device's pin (1..4) lands on.
    static unsigned swizzle(uint8_t devfn, uint8_t pin) { return (((devfn >> 3) + pin - 1u) & 3u); }
    // Called by PciDevice when its asserted state changes.
    void intx_changed(uint8_t devfn, uint8_t pin, bool asserted);
    bool intx_line_level(unsigned line) const { return intx_count_.at(line) > 0; }

    void reset();

    // MSI/MSI-X writes of the functions on this bus. By default a 32-bit
    // store to the DMA space; a board whose MSI controller needs the
    // requester ID (a GICv3 ITS) installs a hook that claims the writes it
    // handles (returns true) and leaves the rest to the store.
    using MsiHook = std::function<bool(uint16_t requester_id, uint64_t addr, uint32_t data)>;
    void set_msi_hook(MsiHook h) { msi_hook_ = std::move(h); }
    bool msi_write(uint8_t devfn, uint64_t addr, uint32_t data);

  private:
    std::string name_;
    MemoryRegion* mem_space_;
    MemoryRegion* io_space_;
    AddressSpace* dma_space_;
    std::array<PciDevice*, 256> devices_{};
    std::array<IrqLine, 4> intx_lines_{};
    std::array<unsigned, 4> intx_count_{};
    MsiHook msi_hook_;
};

// Parses a -device "addr=" value: "slot[.fn]" in hex ("03", "0x3", "1f.2").
// Returns nullopt and sets *err for anything else.
std::optional<uint8_t> parse_pci_addr(const std::string& text, std::string* err);

}  // namespace emu

#pragma once
// The memory region tree (RAM, ROM, MMIO, alias, container with overlap
// priorities), after QEMU's memory API. Regions are owned by whoever creates
// them (usually a device or board) and must outlive their address spaces.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace emu {

class AddressSpace;

// A device's MMIO/PIO callbacks. Offsets are relative to the region start;
// values are little-endian and `size` is 1, 2, 4 or 8.
class MmioHandler {
  public:
    virtual ~MmioHandler() = default;
    virtual uint64_t mmio_read(uint64_t offset, unsigned size) = 0;
    virtual void mmio_write(uint64_t offset, uint64_t value, unsigned size) = 0;
};

// `valid_*`: what the guest may do; other accesses fail (logged under
// guest_errors, the CPU sees a bus error). `impl_*`: what the callbacks
// implement; the core splits wider and widens narrower valid accesses.
struct AccessConstraints {
    unsigned valid_min = 1;
    unsigned valid_max = 8;
    bool valid_unaligned = false;
    unsigned impl_min = 1;
    unsigned impl_max = 8;
};

class MemoryRegion {
  public:
    enum class Kind { Container, Ram, Rom, Io, Alias };

    static std::unique_ptr<MemoryRegion> container(std::string name, uint64_t size);
    // Zero-filled host memory, reserved lazily (MAP_NORESERVE).
    static std::unique_ptr<MemoryRegion> ram(std::string name, uint64_t size);
    // Like RAM but read-only to the guest; loaders write it through host_ptr().
    static std::unique_ptr<MemoryRegion> rom(std::string name, uint64_t size);
    static std::unique_ptr<MemoryRegion> io(std::string name, uint64_t size, MmioHandler* handler,
                                            AccessConstraints constraints = {});
    static std::unique_ptr<MemoryRegion> alias(std::string name, MemoryRegion* target,
                                               uint64_t offset, uint64_t size);

    ~MemoryRegion();
    MemoryRegion(const MemoryRegion&) = delete;
    MemoryRegion& operator=(const MemoryRegion&) = delete;

    // Maps child at `offset` inside this container. Where siblings overlap the
    // higher priority wins; at equal priority the one added last wins.
    void add_subregion(uint64_t offset, MemoryRegion* child, int priority = 0);
    void remove_subregion(MemoryRegion* child);
    void set_enabled(bool enabled);
    // Moves this region within its parent (e.g. a PCI BAR being programmed).
    void set_address(uint64_t offset);

    const std::string& name() const { return name_; }
    Kind kind() const { return kind_; }
    uint64_t size() const { return size_; }
    uint64_t address() const { return offset_; }
    int priority() const { return priority_; }
    bool enabled() const { return enabled_; }
    bool is_ram_like() const { return kind_ == Kind::Ram || kind_ == Kind::Rom; }
    uint8_t* host_ptr() const { return host_; }
    MmioHandler* handler() const { return handler_; }
    const AccessConstraints& constraints() const { return constraints_; }
    MemoryRegion* alias_target() const { return alias_target_; }
    uint64_t alias_offset() const { return alias_offset_; }
    const std::vector<MemoryRegion*>& subregions() const { return subregions_; }
    MemoryRegion* parent() const { return parent_; }

    // Address spaces rooted at (an ancestor of) this region re-flatten when
    // the tree changes.
    void attach_address_space(AddressSpace* as);
    void detach_address_space(AddressSpace* as);

  private:
    MemoryRegion(std::string name, Kind kind, uint64_t size);
    void changed();

    std::string name_;
    Kind kind_;
    uint64_t size_;
    uint64_t offset_ = 0;
    int priority_ = 0;
    bool enabled_ = true;
    uint8_t* host_ = nullptr;
    MmioHandler* handler_ = nullptr;
    AccessConstraints constraints_;
    MemoryRegion* alias_target_ = nullptr;
    uint64_t alias_offset_ = 0;
    MemoryRegion* parent_ = nullptr;
    // Highest precedence first.
    std::vector<MemoryRegion*> subregions_;
    std::vector<AddressSpace*> spaces_;
    // Aliases whose target is this region: a change here re-flattens the
    // address spaces they are mapped in (e.g. a PCI BAR moving inside the
    // PCI memory space seen through a host bridge window).
    std::vector<MemoryRegion*> aliases_;
};

}  // namespace emu

#pragma once
// An address space: a root region flattened into non-overlapping ranges,
// with dispatch of guest accesses and listeners for map changes (KVM memory
// slots, TCG TLB flushes). Readers take a snapshot of the flat view, so vCPU
// threads never see a half-updated map.
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "hw/core/memory_region.h"

namespace emu {

enum class MemTxResult {
    Ok,
    Unassigned,   // nothing mapped there (decode error)
    AccessError,  // a device refused the size/alignment, or a ROM write
};

// One piece of the flattened map: [start, start+size) maps to `region`
// (a RAM, ROM or IO leaf) at `offset_in_region`.
struct FlatRange {
    uint64_t start;
    uint64_t size;
    MemoryRegion* region;
    uint64_t offset_in_region;

    uint64_t end() const { return start + size; }  // exclusive; see note in .cpp
    bool is_ram() const { return region->kind() == MemoryRegion::Kind::Ram; }
    bool is_rom() const { return region->kind() == MemoryRegion::Kind::Rom; }
    bool is_io() const { return region->kind() == MemoryRegion::Kind::Io; }
    uint8_t* host_ptr() const { return region->host_ptr() + offset_in_region; }
    bool operator==(const FlatRange& o) const {
        return start == o.start && size == o.size && region == o.region &&
               offset_in_region == o.offset_in_region;
    }
};

class FlatView {
  public:
    explicit FlatView(std::vector<FlatRange> ranges) : ranges_(std::move(ranges)) {}
    // The range containing addr, or nullptr.
    const FlatRange* lookup(uint64_t addr) const;
    const std::vector<FlatRange>& ranges() const { return ranges_; }

  private:
    std::vector<FlatRange> ranges_;  // sorted by start, non-overlapping
};

class MemoryListener {
  public:
    virtual ~MemoryListener() = default;
    // Called for each range that appears or disappears, then commit() once.
    virtual void region_add(const FlatRange& r) {}
    virtual void region_del(const FlatRange& r) {}
    virtual void commit() {}
};

class AddressSpace {
  public:
    AddressSpace(std::string name, MemoryRegion* root);
    ~AddressSpace();
    AddressSpace(const AddressSpace&) = delete;
    AddressSpace& operator=(const AddressSpace&) = delete;

    const std::string& name() const { return name_; }
    MemoryRegion* root() const { return root_; }

    std::shared_ptr<const FlatView> view() const { return view_.load(); }

    // Byte-granular access of any length; crosses ranges as needed. IO is
    // accessed in the widest sizes the device allows. Unassigned bytes read
    // as zero; every failure is logged under -d guest_errors.
    MemTxResult read(uint64_t addr, void* buf, uint64_t len);
    MemTxResult write(uint64_t addr, const void* buf, uint64_t len);

    // A single 1/2/4/8-byte access, as a CPU makes it.
    MemTxResult load(uint64_t addr, unsigned size, uint64_t* value);
    MemTxResult store(uint64_t addr, unsigned size, uint64_t value);

    // Listeners get region_add for the current map immediately.
    void add_listener(MemoryListener* l);
    void remove_listener(MemoryListener* l);

    // Re-flattens and notifies listeners (called by MemoryRegion on change).
    void update_topology();

  private:
    MemTxResult io_access(const FlatRange& r, uint64_t addr, unsigned size, uint64_t* value,
                          bool is_write);

    std::string name_;
    MemoryRegion* root_;
    std::atomic<std::shared_ptr<const FlatView>> view_;
    std::vector<MemoryListener*> listeners_;
};

// Dispatches one access to an IO region honouring its constraints.
// Exposed for the CPU slow paths that already hold a FlatRange.
MemTxResult io_region_access(MemoryRegion* region, uint64_t offset, unsigned size, uint64_t* value,
                             bool is_write, uint64_t addr_for_log);

// Flattens a region tree (exposed for tests).
std::vector<FlatRange> flatten(MemoryRegion* root);

}  // namespace emu

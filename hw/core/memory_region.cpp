#include "hw/core/memory_region.h"

#include <sys/mman.h>

#include <algorithm>
#include <stdexcept>

#include "hw/core/address_space.h"

namespace emu {

MemoryRegion::MemoryRegion(std::string name, Kind kind, uint64_t size)
    : name_(std::move(name)), kind_(kind), size_(size) {}

MemoryRegion::~MemoryRegion() {
    if (host_) munmap(host_, size_);
    if (alias_target_) {
        auto& v = alias_target_->aliases_;
        v.erase(std::remove(v.begin(), v.end(), this), v.end());
    }
    for (MemoryRegion* a : aliases_)
        a->alias_target_ = nullptr;
}

std::unique_ptr<MemoryRegion> MemoryRegion::container(std::string name, uint64_t size) {
    return std::unique_ptr<MemoryRegion>(new MemoryRegion(std::move(name), Kind::Container, size));
}

static uint8_t* map_host(uint64_t size, const std::string& name) {
    if (size == 0) throw std::invalid_argument("memory region '" + name + "' has size 0");
    void* p = mmap(nullptr, size, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED) {
        throw std::runtime_error("cannot allocate " + std::to_string(size >> 20) +
                                 " MiB of host memory for '" + name + "'");
    }
    return static_cast<uint8_t*>(p);
}

std::unique_ptr<MemoryRegion> MemoryRegion::ram(std::string name, uint64_t size) {
    auto mr = std::unique_ptr<MemoryRegion>(new MemoryRegion(std::move(name), Kind::Ram, size));
    mr->host_ = map_host(size, mr->name_);
    return mr;
}

std::unique_ptr<MemoryRegion> MemoryRegion::rom(std::string name, uint64_t size) {
    auto mr = std::unique_ptr<MemoryRegion>(new MemoryRegion(std::move(name), Kind::Rom, size));
    mr->host_ = map_host(size, mr->name_);
    return mr;
}

std::unique_ptr<MemoryRegion> MemoryRegion::io(std::string name, uint64_t size,
                                               MmioHandler* handler,
                                               AccessConstraints constraints) {
    auto mr = std::unique_ptr<MemoryRegion>(new MemoryRegion(std::move(name), Kind::Io, size));
    mr->handler_ = handler;
    mr->constraints_ = constraints;
    return mr;
}

std::unique_ptr<MemoryRegion> MemoryRegion::alias(std::string name, MemoryRegion* target,
                                                  uint64_t offset, uint64_t size) {
    if (!target) throw std::invalid_argument("alias '" + name + "' has no target");
    auto mr = std::unique_ptr<MemoryRegion>(new MemoryRegion(std::move(name), Kind::Alias, size));
    mr->alias_target_ = target;
    mr->alias_offset_ = offset;
    target->aliases_.push_back(mr.get());
    return mr;
}

void MemoryRegion::add_subregion(uint64_t offset, MemoryRegion* child, int priority) {
    if (kind_ != Kind::Container) {
        throw std::logic_error("'" + name_ + "' is not a container");
    }
    if (child->parent_) {
        throw std::logic_error("'" + child->name_ + "' is already mapped in '" +
                               child->parent_->name_ + "'");
    }
    child->parent_ = this;
    child->offset_ = offset;
    child->priority_ = priority;
    // Insert before the first sibling of lower or equal priority, so that the
    // newest of equal priority takes precedence.
    auto it = std::find_if(subregions_.begin(), subregions_.end(),
                           [&](MemoryRegion* o) { return priority >= o->priority_; });
    subregions_.insert(it, child);
    changed();
}

void MemoryRegion::remove_subregion(MemoryRegion* child) {
    auto it = std::find(subregions_.begin(), subregions_.end(), child);
    if (it == subregions_.end()) return;
    subregions_.erase(it);
    child->parent_ = nullptr;
    changed();
}

void MemoryRegion::set_enabled(bool enabled) {
    if (enabled_ == enabled) return;
    enabled_ = enabled;
    changed();
}

void MemoryRegion::set_address(uint64_t offset) {
    if (offset_ == offset) return;
    offset_ = offset;
    changed();
}

void MemoryRegion::attach_address_space(AddressSpace* as) {
    spaces_.push_back(as);
}

void MemoryRegion::detach_address_space(AddressSpace* as) {
    spaces_.erase(std::remove(spaces_.begin(), spaces_.end(), as), spaces_.end());
}

void MemoryRegion::changed() {
    // Walk to the root and let every address space there re-flatten, and
    // do the same through every alias of a region on the way.
    for (MemoryRegion* r = this; r; r = r->parent_) {
        for (AddressSpace* as : r->spaces_)
            as->update_topology();
        for (MemoryRegion* a : r->aliases_)
            a->changed();
    }
}

}  // namespace emu

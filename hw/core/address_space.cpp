#include "hw/core/address_space.h"

#include <algorithm>
#include <cinttypes>
#include <cstring>
#include <map>

#include "util/log.h"

namespace emu {

namespace {

// Accumulates the flat map; a leaf only fills what higher-precedence
// regions have not already claimed. Intervals are [start, end) in a
// 64-bit space; a region that reaches 2^64 is clipped to 2^64-1.
class Flattener {
  public:
    void render(MemoryRegion* mr, uint64_t base, uint64_t clip_lo, uint64_t clip_hi,
                uint64_t region_off) {
        if (!mr->enabled() || mr->size() == 0) return;
        // The part of mr visible: [base + region_off.. ) intersected with clip.
        uint64_t size = mr->size() - std::min(region_off, mr->size());
        uint64_t lo = std::max(base, clip_lo);
        uint64_t hi = std::min(clip_hi, sat_add(base, size));
        if (lo >= hi) return;
        switch (mr->kind()) {
            case MemoryRegion::Kind::Container:
                for (MemoryRegion* child : mr->subregions()) {
                    // Child offsets are relative to the container's start.
                    uint64_t cbase = base - region_off + child->address();
                    if (child->address() < region_off) {
                        uint64_t skip = region_off - child->address();
                        render(child, base, lo, hi, skip);
                    } else {
                        render(child, cbase, lo, hi, 0);
                    }
                }
                break;
            case MemoryRegion::Kind::Alias:
                if (!mr->alias_target()) break;  // target destroyed first
                render(mr->alias_target(), base, lo, hi, mr->alias_offset() + region_off);
                break;
            default:
                fill(mr, base, lo, hi, region_off);
                break;
        }
    }

    std::vector<FlatRange> take() {
        std::vector<FlatRange> out;
        out.reserve(map_.size());
        for (auto& [s, r] : map_)
            out.push_back(r);
        // Merge neighbours that continue the same region (fewer KVM slots).
        std::vector<FlatRange> merged;
        for (auto& r : out) {
            if (!merged.empty()) {
                FlatRange& p = merged.back();
                if (p.region == r.region && p.end() == r.start &&
                    p.offset_in_region + p.size == r.offset_in_region) {
                    p.size += r.size;
                    continue;
                }
            }
            merged.push_back(r);
        }
        return merged;
    }

  private:
    static uint64_t sat_add(uint64_t a, uint64_t b) { return a + b < a ? UINT64_MAX : a + b; }

    // Adds the parts of [lo, hi) not yet covered; `base` is where offset
    // `region_off` of mr sits.
    void fill(MemoryRegion* mr, uint64_t base, uint64_t lo, uint64_t hi, uint64_t region_off) {
        uint64_t cur = lo;
        auto it = map_.upper_bound(cur);
        if (it != map_.begin()) {
            auto prev = std::prev(it);
            if (prev->second.end() > cur) cur = prev->second.end();
        }
        while (cur < hi) {
            it = map_.lower_bound(cur);
            uint64_t gap_end = (it == map_.end()) ? hi : std::min(hi, it->first);
            if (gap_end > cur) {
                map_[cur] = FlatRange{cur, gap_end - cur, mr, region_off + (cur - base)};
            }
            if (it == map_.end() || it->first >= hi) break;
            cur = it->second.end();
        }
    }

    std::map<uint64_t, FlatRange> map_;
};

}  // namespace

std::vector<FlatRange> flatten(MemoryRegion* root) {
    Flattener f;
    f.render(root, 0, 0, UINT64_MAX, 0);
    return f.take();
}

const FlatRange* FlatView::lookup(uint64_t addr) const {
    auto it = std::upper_bound(ranges_.begin(), ranges_.end(), addr,
                               [](uint64_t a, const FlatRange& r) { return a < r.start; });
    if (it == ranges_.begin()) return nullptr;
    --it;
    return (addr - it->start < it->size) ? &*it : nullptr;
}

AddressSpace::AddressSpace(std::string name, MemoryRegion* root)
    : name_(std::move(name)), root_(root) {
    view_.store(std::make_shared<FlatView>(flatten(root_)));
    root_->attach_address_space(this);
}

AddressSpace::~AddressSpace() {
    root_->detach_address_space(this);
}

void AddressSpace::add_listener(MemoryListener* l) {
    listeners_.push_back(l);
    auto v = view();
    for (const auto& r : v->ranges())
        l->region_add(r);
    l->commit();
}

void AddressSpace::remove_listener(MemoryListener* l) {
    listeners_.erase(std::remove(listeners_.begin(), listeners_.end(), l), listeners_.end());
}

void AddressSpace::update_topology() {
    auto old_view = view();
    auto new_view = std::make_shared<const FlatView>(flatten(root_));
    view_.store(new_view);
    if (listeners_.empty()) return;
    const auto& a = old_view->ranges();
    const auto& b = new_view->ranges();
    for (const auto& r : a) {
        if (std::find(b.begin(), b.end(), r) == b.end()) {
            for (auto* l : listeners_)
                l->region_del(r);
        }
    }
    for (const auto& r : b) {
        if (std::find(a.begin(), a.end(), r) == a.end()) {
            for (auto* l : listeners_)
                l->region_add(r);
        }
    }
    for (auto* l : listeners_)
        l->commit();
}

MemTxResult io_region_access(MemoryRegion* mr, uint64_t offset, unsigned size, uint64_t* value,
                             bool is_write, uint64_t addr_for_log) {
    const AccessConstraints& c = mr->constraints();
    bool aligned = (offset & (size - 1)) == 0;
    if (size < c.valid_min || size > c.valid_max || (!aligned && !c.valid_unaligned)) {
        log_mask(LOG_GUEST_ERROR,
                 "Invalid %s at addr 0x%" PRIx64 ", size %u, region '%s', reason: %s\n",
                 is_write ? "write" : "read", addr_for_log, size, mr->name().c_str(),
                 aligned ? "invalid size" : "unaligned");
        if (!is_write) *value = 0;
        return MemTxResult::AccessError;
    }
    MmioHandler* h = mr->handler();
    if (!h) {
        if (!is_write) *value = 0;
        return MemTxResult::Ok;
    }
    if (size >= c.impl_min && size <= c.impl_max && aligned) {
        if (is_write) {
            h->mmio_write(offset, *value, size);
        } else {
            *value = h->mmio_read(offset, size);
        }
        return MemTxResult::Ok;
    }
    if (size < c.impl_min) {
        // Widen to the smallest implemented access around it.
        unsigned w = c.impl_min;
        uint64_t base = offset & ~uint64_t(w - 1);
        unsigned shift = unsigned(offset - base) * 8;
        uint64_t mask = size == 8 ? ~0ull : ((1ull << (size * 8)) - 1);
        if (is_write) {
            h->mmio_write(base, (*value & mask) << shift, w);
        } else {
            *value = (h->mmio_read(base, w) >> shift) & mask;
        }
        return MemTxResult::Ok;
    }
    // Split into implemented pieces, little-endian.
    unsigned piece = std::max(1u, std::min(c.impl_max, size));
    while (piece > 1 && (offset & (piece - 1)))
        piece >>= 1;
    if (piece < c.impl_min) piece = c.impl_min;
    uint64_t result = 0;
    for (unsigned done = 0; done < size; done += piece) {
        uint64_t pmask = piece == 8 ? ~0ull : ((1ull << (piece * 8)) - 1);
        if (is_write) {
            h->mmio_write(offset + done, (*value >> (done * 8)) & pmask, piece);
        } else {
            result |= (h->mmio_read(offset + done, piece) & pmask) << (done * 8);
        }
    }
    if (!is_write) *value = result;
    return MemTxResult::Ok;
}

MemTxResult AddressSpace::io_access(const FlatRange& r, uint64_t addr, unsigned size,
                                    uint64_t* value, bool is_write) {
    return io_region_access(r.region, r.offset_in_region + (addr - r.start), size, value, is_write,
                            addr);
}

MemTxResult AddressSpace::load(uint64_t addr, unsigned size, uint64_t* value) {
    auto v = view();
    const FlatRange* r = v->lookup(addr);
    if (r && addr - r->start + size <= r->size) {
        if (!r->is_io()) {
            uint64_t x = 0;
            std::memcpy(&x, r->host_ptr() + (addr - r->start), size);
            *value = x;
            return MemTxResult::Ok;
        }
        return io_access(*r, addr, size, value, false);
    }
    uint8_t buf[8] = {};
    MemTxResult res = read(addr, buf, size);
    uint64_t x = 0;
    std::memcpy(&x, buf, size);
    *value = x;
    return res;
}

MemTxResult AddressSpace::store(uint64_t addr, unsigned size, uint64_t value) {
    auto v = view();
    const FlatRange* r = v->lookup(addr);
    if (r && addr - r->start + size <= r->size) {
        if (r->is_ram()) {
            std::memcpy(r->host_ptr() + (addr - r->start), &value, size);
            return MemTxResult::Ok;
        }
        if (r->is_io()) return io_access(*r, addr, size, &value, true);
    }
    uint8_t buf[8];
    std::memcpy(buf, &value, 8);
    return write(addr, buf, size);
}

namespace {

// Buffer accesses to MMIO go to the device as a CPU would make them: the
// largest naturally aligned access (up to 8 bytes) that fits in `left`,
// within the sizes the device accepts.
unsigned io_chunk(const FlatRange& r, uint64_t addr, uint64_t left) {
    unsigned sz = 8;
    while (sz > 1 && (sz > left || (addr & (sz - 1))))
        sz >>= 1;
    sz = std::clamp(sz, r.region->constraints().valid_min, r.region->constraints().valid_max);
    if (sz > left) sz = unsigned(left);
    return sz;
}

}  // namespace

MemTxResult AddressSpace::read(uint64_t addr, void* buf_, uint64_t len) {
    auto* buf = static_cast<uint8_t*>(buf_);
    auto v = view();
    MemTxResult result = MemTxResult::Ok;
    while (len > 0) {
        const FlatRange* r = v->lookup(addr);
        if (!r) {
            log_mask(LOG_GUEST_ERROR, "Invalid read at addr 0x%" PRIx64 ": unassigned\n", addr);
            *buf++ = 0;
            ++addr;
            --len;
            result = MemTxResult::Unassigned;
            continue;
        }
        uint64_t n = std::min(len, r->end() - addr);
        if (!r->is_io()) {
            std::memcpy(buf, r->host_ptr() + (addr - r->start), n);
        } else {
            uint64_t done = 0;
            while (done < n) {
                unsigned sz = io_chunk(*r, addr + done, n - done);
                uint64_t val = 0;
                MemTxResult rr = io_access(*r, addr + done, sz, &val, false);
                if (rr != MemTxResult::Ok) result = rr;
                std::memcpy(buf + done, &val, sz);
                done += sz;
            }
        }
        buf += n;
        addr += n;
        len -= n;
    }
    return result;
}

MemTxResult AddressSpace::write(uint64_t addr, const void* buf_, uint64_t len) {
    const auto* buf = static_cast<const uint8_t*>(buf_);
    auto v = view();
    MemTxResult result = MemTxResult::Ok;
    while (len > 0) {
        const FlatRange* r = v->lookup(addr);
        if (!r) {
            log_mask(LOG_GUEST_ERROR, "Invalid write at addr 0x%" PRIx64 ": unassigned\n", addr);
            ++buf;
            ++addr;
            --len;
            result = MemTxResult::Unassigned;
            continue;
        }
        uint64_t n = std::min(len, r->end() - addr);
        if (r->is_ram()) {
            std::memcpy(r->host_ptr() + (addr - r->start), buf, n);
        } else if (r->is_rom()) {
            log_mask(LOG_GUEST_ERROR, "Invalid write at addr 0x%" PRIx64 ": ROM '%s'\n", addr,
                     r->region->name().c_str());
            result = MemTxResult::AccessError;
        } else {
            uint64_t done = 0;
            while (done < n) {
                unsigned sz = io_chunk(*r, addr + done, n - done);
                uint64_t val = 0;
                std::memcpy(&val, buf + done, sz);
                MemTxResult rr = io_access(*r, addr + done, sz, &val, true);
                if (rr != MemTxResult::Ok) result = rr;
                done += sz;
            }
        }
        buf += n;
        addr += n;
        len -= n;
    }
    return result;
}

}  // namespace emu

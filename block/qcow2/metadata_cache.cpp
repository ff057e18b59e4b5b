#include "block/qcow2/metadata_cache.h"

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace emu::block::qcow2 {

MetadataCache::MetadataCache(HostFile* file, uint64_t cluster_size, size_t capacity)
    : file_(file), cluster_size_(cluster_size), slots_(capacity < 4 ? 4 : capacity) {}

int MetadataCache::write_slot(Slot& s) {
    if (!s.dirty) return 0;
    if (before_writeback_) {
        int r = before_writeback_();
        if (r < 0) return r;
    }
    int r = file_->pwrite(s.offset, s.data.get(), cluster_size_);
    if (r < 0) return r;
    s.dirty = false;
    dirty_count_--;
    return 0;
}

int MetadataCache::slot_for(uint64_t offset, bool read, uint8_t** out) {
    auto it = index_.find(offset);
    if (it != index_.end()) {
        Slot& s = slots_[it->second];
        s.lru = ++tick_;
        if (!read) {
            std::memset(s.data.get(), 0, cluster_size_);
            if (!s.dirty) dirty_count_++;
            s.dirty = true;
        }
        *out = s.data.get();
        return 0;
    }
    // Pick a free slot or the least recently used one.
    size_t victim = 0;
    uint64_t best = UINT64_MAX;
    for (size_t i = 0; i < slots_.size(); i++) {
        if (slots_[i].offset == UINT64_MAX) {
            victim = i;
            break;
        }
        if (slots_[i].lru < best) {
            best = slots_[i].lru;
            victim = i;
        }
    }
    Slot& s = slots_[victim];
    if (s.offset != UINT64_MAX) {
        int r = write_slot(s);
        if (r < 0) return r;
        index_.erase(s.offset);
        s.offset = UINT64_MAX;
    }
    if (!s.data) s.data.reset(new uint8_t[cluster_size_]);
    if (read) {
        int r = file_->pread(offset, s.data.get(), cluster_size_);
        if (r < 0) return r;
    } else {
        std::memset(s.data.get(), 0, cluster_size_);
        s.dirty = true;
        dirty_count_++;
    }
    s.offset = offset;
    s.lru = ++tick_;
    index_[offset] = victim;
    *out = s.data.get();
    return 0;
}

int MetadataCache::get(uint64_t offset, uint8_t** out) {
    return slot_for(offset, true, out);
}

int MetadataCache::get_empty(uint64_t offset, uint8_t** out) {
    return slot_for(offset, false, out);
}

void MetadataCache::mark_dirty(uint64_t offset) {
    auto it = index_.find(offset);
    if (it == index_.end()) return;
    Slot& s = slots_[it->second];
    if (!s.dirty) dirty_count_++;
    s.dirty = true;
}

int MetadataCache::write_back() {
    if (!dirty_count_) return 0;
    // Write in offset order: sequential for the disk.
    std::vector<size_t> order;
    for (size_t i = 0; i < slots_.size(); i++)
        if (slots_[i].dirty) order.push_back(i);
    std::sort(order.begin(), order.end(),
              [&](size_t a, size_t b) { return slots_[a].offset < slots_[b].offset; });
    for (size_t i : order) {
        int r = write_slot(slots_[i]);
        if (r < 0) return r;
    }
    return 0;
}

void MetadataCache::discard(uint64_t offset) {
    auto it = index_.find(offset);
    if (it == index_.end()) return;
    Slot& s = slots_[it->second];
    if (s.dirty) dirty_count_--;
    s.dirty = false;
    s.offset = UINT64_MAX;
    index_.erase(it);
}

void MetadataCache::clear() {
    for (Slot& s : slots_) {
        s.offset = UINT64_MAX;
        s.dirty = false;
    }
    index_.clear();
    dirty_count_ = 0;
}

}  // namespace emu::block::qcow2

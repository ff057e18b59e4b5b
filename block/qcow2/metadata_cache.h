#pragma once
// A write-back cache of metadata clusters (L2 tables or refcount blocks),
// kept in their on-disk big-endian form. Callers get a pointer that stays
// valid until their next call into the same cache. The cache does not order
// writes by itself: a hook runs before any dirty entry is written so the
// owner can first make the entry's dependencies durable (see cluster_map.cpp).
#include <cstdint>
#include <functional>
#include <memory>
#include <unordered_map>
#include <vector>

#include "block/host_file.h"

namespace emu::block::qcow2 {

class MetadataCache {
  public:
    MetadataCache(HostFile* file, uint64_t cluster_size, size_t capacity);

    // Runs before the first dirty entry of a write-back batch is written.
    void set_before_writeback(std::function<int()> hook) { before_writeback_ = std::move(hook); }

    // Loads the table at `offset` (read from disk if not cached).
    int get(uint64_t offset, uint8_t** out);
    // A new, zero-filled table at `offset` that is not read from disk.
    int get_empty(uint64_t offset, uint8_t** out);
    void mark_dirty(uint64_t offset);
    // Writes every dirty entry (no barrier). Returns 0 or -errno.
    int write_back();
    bool has_dirty() const { return dirty_count_ > 0; }
    // Forgets an entry (its cluster was freed); a dirty entry is dropped.
    void discard(uint64_t offset);
    void clear();

  private:
    struct Slot {
        uint64_t offset = UINT64_MAX;
        uint64_t lru = 0;
        bool dirty = false;
        std::unique_ptr<uint8_t[]> data;
    };
    int slot_for(uint64_t offset, bool read, uint8_t** out);
    int write_slot(Slot& s);

    HostFile* file_;
    uint64_t cluster_size_;
    std::vector<Slot> slots_;
    std::unordered_map<uint64_t, size_t> index_;
    uint64_t tick_ = 0;
    size_t dirty_count_ = 0;
    std::function<int()> before_writeback_;
};

}  // namespace emu::block::qcow2

// Guest cluster -> host cluster mapping (L1 table in memory, L2 tables in
// the metadata cache) and the order in which metadata reaches the disk.
//
// Metadata write ordering (what makes a crash at any moment safe)
// ---------------------------------------------------------------
// Rule: the disk never holds a reference to a cluster whose refcount on disk
// does not count it, and never holds an L2/L1 entry pointing at data or a
// table that is not yet on disk. Violations of the first kind would let a
// cluster be handed out twice (corruption); we allow only the opposite,
// refcounts that are too high, which are leaks and cost space only.
//
// Allocating write (new data cluster or new/copied L2 table):
//   1. refcount increment (refcount-block cache, dirty)
//   2. data written to the new cluster (plain pwrite)
//   3. L2 entry updated (L2 cache, dirty); L1 entry for a new L2 table
//      updated in memory (l1_dirty_)
//   Write-back: before any dirty L2 table is written, every dirty refcount
//   block is written and a barrier (fdatasync) issued (before_l2_writeback);
//   the barrier also covers the data of step 2. The L1 table is written only
//   after all dirty L2 tables and another barrier.
// Freeing (overwritten compressed/shared clusters, discard, COW'd L2
// tables): the old cluster goes on deferred_frees_; its refcount is
// decremented only after the L2/L1 entries that dropped it are on disk
// (flush_metadata step 4). A crash before that leaks the cluster.
// flush() = flush_metadata(): refblocks, barrier, L2 tables, barrier, L1,
// barrier, deferred frees. A write is durable once a flush completed after
// it; under cache=writethrough/directsync every write does this itself.
// With lazy_refcounts=on the refcount ordering is skipped while the dirty
// bit is set in the header; opening a dirty image rebuilds the refcounts.
#include <cerrno>
#include <cstring>

#include "block/qcow2/qcow2.h"

namespace emu::block::qcow2 {

int Qcow2Image::barrier() {
    int r = file_->barrier();
    if (r == 0) unsynced_ = false;
    return r;
}

int Qcow2Image::get_l2_entry(uint64_t gc, uint64_t* entry) {
    const uint64_t l1i = gc / l2_entries_;
    if (l1i >= l1_.size()) {
        *entry = 0;
        return 0;
    }
    const uint64_t l2off = l1_[l1i] & kL1OffsetMask;
    if (!l2off) {
        *entry = 0;
        return 0;
    }
    if (l2off & (cluster_size_ - 1)) return -EIO;  // checked at open; corrupt in memory?
    uint8_t* t;
    int r = l2_cache_->get(l2off, &t);
    if (r < 0) return r;
    *entry = be64(t + (gc % l2_entries_) * 8);
    return 0;
}

int Qcow2Image::l2_table_for_write(uint64_t gc, uint8_t** table, uint64_t* l2_offset) {
    const uint64_t l1i = gc / l2_entries_;
    if (l1i >= l1_.size()) {
        int r = grow_l1(l1i + 1);
        if (r < 0) return r;
    }
    const uint64_t l1e = l1_[l1i];
    const uint64_t old = l1e & kL1OffsetMask;
    if (old && (l1e & kOflagCopied)) {
        *l2_offset = old;
        return l2_cache_->get(old, table);
    }
    uint64_t noff;
    int r = alloc_clusters(1, &noff);
    if (r < 0) return r;
    if (old) {
        // Shared with a snapshot: copy the table. Its entries keep pointing at
        // clusters whose refcounts already count this view.
        std::vector<uint8_t> copy(cluster_size_);
        uint8_t* t;
        r = l2_cache_->get(old, &t);
        if (r < 0) return r;
        std::memcpy(copy.data(), t, cluster_size_);
        r = l2_cache_->get_empty(noff, &t);
        if (r < 0) return r;
        std::memcpy(t, copy.data(), cluster_size_);
        defer_free_cluster(old);
    } else {
        uint8_t* t;
        r = l2_cache_->get_empty(noff, &t);
        if (r < 0) return r;
    }
    l1_[l1i] = noff | kOflagCopied;
    l1_dirty_ = true;
    *l2_offset = noff;
    return l2_cache_->get(noff, table);
}

int Qcow2Image::set_l2_entry(uint64_t gc, uint64_t entry) {
    uint8_t* t;
    uint64_t off;
    int r = l2_table_for_write(gc, &t, &off);
    if (r < 0) return r;
    put_be64(t + (gc % l2_entries_) * 8, entry);
    l2_cache_->mark_dirty(off);
    return 0;
}

int Qcow2Image::before_l2_writeback() {
    if (!lazy_refcounts_ && refblock_cache_->has_dirty()) {
        int r = refblock_cache_->write_back();
        if (r < 0) return r;
        unsynced_ = true;
    }
    // Also orders the data of allocating writes before the L2 entries.
    return unsynced_ ? barrier() : 0;
}

void Qcow2Image::defer_free_cluster(uint64_t host_offset) {
    deferred_frees_.push_back(host_offset & ~(cluster_size_ - 1));
}

void Qcow2Image::defer_free(uint64_t entry) {
    if (entry & kOflagCompressed) {
        compressed_gen_++;
        CompressedDesc d = decode_compressed(entry, cluster_bits_);
        const uint64_t first = d.host_offset >> cluster_bits_;
        const uint64_t last = (d.host_offset + d.nb_bytes - 1) >> cluster_bits_;
        for (uint64_t c = first; c <= last; c++)
            deferred_frees_.push_back(c << cluster_bits_);
        return;
    }
    const uint64_t host = entry & kL2OffsetMask;
    if (host) deferred_frees_.push_back(host);
}

int Qcow2Image::process_deferred_frees() {
    std::vector<uint64_t> frees;
    frees.swap(deferred_frees_);
    for (uint64_t off : frees) {
        int r = update_refcount(off >> cluster_bits_, -1);
        // A refcount that is already 0 means the image was inconsistent;
        // keep going (check reports it), never fail the guest's write.
        if (r < 0 && r != -EUCLEAN) return r;
    }
    return 0;
}

int Qcow2Image::flush_metadata(bool sync) {
    if (file_->read_only()) return 0;
    int r = 0;
    if (l2_cache_->has_dirty() || l1_dirty_ || (!deferred_frees_.empty() && readers_ == 0)) {
        r = before_l2_writeback();
        if (r == 0 && l2_cache_->has_dirty()) {
            r = l2_cache_->write_back();
            unsynced_ = true;
        }
        if (r == 0 && l1_dirty_) {
            r = unsynced_ ? barrier() : 0;
            if (r == 0) {
                std::vector<uint8_t> raw(l1_.size() * 8);
                for (size_t i = 0; i < l1_.size(); i++)
                    put_be64(&raw[i * 8], l1_[i]);
                r = file_->pwrite(hdr_.l1_table_offset, raw.data(), raw.size());
                if (r == 0) l1_dirty_ = false;
                unsynced_ = true;
            }
        }
        // Unlocked readers may still be reading clusters on the list.
        if (r == 0 && !deferred_frees_.empty() && readers_ == 0) {
            r = unsynced_ ? barrier() : 0;
            if (r == 0) r = process_deferred_frees();
        }
    }
    if (r == 0 && refblock_cache_->has_dirty()) {
        r = refblock_cache_->write_back();
        unsynced_ = true;
    }
    if (r == 0 && sync) r = barrier();
    return r;
}

}  // namespace emu::block::qcow2

// Refcounts and cluster allocation.
//
// Invariants: every cluster at or past end_cluster_ has refcount 0; the
// refcount of a cluster counts the views (active L1 plus each snapshot's
// L1) that reach it, as the qcow2 spec defines.
//
// A new refcount block is written (and, unless it describes itself, its own
// refcount made durable) before the refcount-table entry that points at it,
// so a crash never leaves the table pointing at garbage.
#include <cerrno>
#include <cstring>

#include "block/qcow2/qcow2.h"
#include "util/log.h"

namespace emu::block::qcow2 {

namespace {

uint64_t get_entry(const uint8_t* b, uint64_t idx, uint32_t order) {
    switch (order) {
        case 3:
            return b[idx];
        case 4:
            return be16(b + idx * 2);
        case 5:
            return be32(b + idx * 4);
        case 6:
            return be64(b + idx * 8);
        default: {
            const uint32_t bits = 1u << order;
            const uint64_t bit = idx * bits;
            return (b[bit / 8] >> (bit % 8)) & ((1u << bits) - 1);
        }
    }
}

void set_entry(uint8_t* b, uint64_t idx, uint32_t order, uint64_t v) {
    switch (order) {
        case 3:
            b[idx] = static_cast<uint8_t>(v);
            return;
        case 4:
            put_be16(b + idx * 2, static_cast<uint16_t>(v));
            return;
        case 5:
            put_be32(b + idx * 4, static_cast<uint32_t>(v));
            return;
        case 6:
            put_be64(b + idx * 8, v);
            return;
        default: {
            const uint32_t bits = 1u << order;
            const uint64_t bit = idx * bits;
            const uint8_t mask = static_cast<uint8_t>(((1u << bits) - 1) << (bit % 8));
            b[bit / 8] = static_cast<uint8_t>((b[bit / 8] & ~mask) | ((v << (bit % 8)) & mask));
        }
    }
}

}  // namespace

uint64_t refcount_entry_get(const uint8_t* block, uint64_t idx, uint32_t order) {
    return get_entry(block, idx, order);
}
void refcount_entry_set(uint8_t* block, uint64_t idx, uint32_t order, uint64_t v) {
    set_entry(block, idx, order, v);
}

int Qcow2Image::get_refcount(uint64_t cluster, uint64_t* out) {
    const uint64_t rt = cluster / refblock_entries_;
    if (rt >= reftable_.size() || (reftable_[rt] & kReftOffsetMask) == 0) {
        *out = 0;
        return 0;
    }
    uint8_t* b;
    int r = refblock_cache_->get(reftable_[rt] & kReftOffsetMask, &b);
    if (r < 0) return r;
    *out = get_entry(b, cluster % refblock_entries_, hdr_.refcount_order);
    return 0;
}

int Qcow2Image::update_refcount(uint64_t cluster, int64_t delta) {
    const uint64_t rt = cluster / refblock_entries_;
    if (rt >= reftable_.size() || (reftable_[rt] & kReftOffsetMask) == 0) {
        if (delta < 0) return -EUCLEAN;  // freeing a cluster that has no refcount
        int r = ensure_refblock(rt);
        if (r < 0) return r;
    }
    const uint64_t boff = reftable_[rt] & kReftOffsetMask;
    uint8_t* b;
    int r = refblock_cache_->get(boff, &b);
    if (r < 0) return r;
    const uint64_t idx = cluster % refblock_entries_;
    const uint64_t old = get_entry(b, idx, hdr_.refcount_order);
    uint64_t nv;
    if (delta < 0) {
        if (old < static_cast<uint64_t>(-delta)) return -EUCLEAN;
        nv = old - static_cast<uint64_t>(-delta);
    } else {
        if (refcount_max() - old < static_cast<uint64_t>(delta)) return -ERANGE;  // overflow
        nv = old + static_cast<uint64_t>(delta);
    }
    set_entry(b, idx, hdr_.refcount_order, nv);
    refblock_cache_->mark_dirty(boff);
    if (nv == 0) {
        if (cluster < free_hint_) free_hint_ = cluster;
        const uint64_t off = cluster << cluster_bits_;
        l2_cache_->discard(off);
        refblock_cache_->discard(off);  // cannot be boff: a block references itself only when used
        if (compressed_cursor_ && (compressed_cursor_ >> cluster_bits_) == cluster)
            compressed_cursor_ = 0;
    } else if (cluster >= end_cluster_) {
        end_cluster_ = cluster + 1;
    }
    return 0;
}

int Qcow2Image::ensure_refblock(uint64_t rt) {
    if (rt >= reftable_.size()) {
        int r = grow_refcount_table(rt + 1);
        if (r < 0) return r;
        if (reftable_[rt] & kReftOffsetMask) return 0;
    }
    const uint64_t c = end_cluster_++;
    const uint64_t off = c << cluster_bits_;
    std::vector<uint8_t> block(cluster_size_, 0);
    const bool self = c / refblock_entries_ == rt;
    if (self) set_entry(block.data(), c % refblock_entries_, hdr_.refcount_order, 1);
    int r = file_->pwrite(off, block.data(), cluster_size_);
    if (r < 0) return r;
    if (!self) {
        r = update_refcount(c, 1);
        if (r < 0) return r;
        r = refblock_cache_->write_back();
        if (r < 0) return r;
    }
    // The block (and its own refcount) must be durable before the table
    // entry that makes it part of the image.
    r = barrier();
    if (r < 0) return r;
    reftable_[rt] = off;
    uint8_t e[8];
    put_be64(e, off);
    r = file_->pwrite(hdr_.refcount_table_offset + rt * 8, e, 8);
    if (r < 0) return r;
    unsynced_ = true;
    return 0;
}

// Moves the refcount table to a bigger place at the end of the image. The new
// table and any refcount blocks it needs to describe itself are written
// first, then the header is switched over, then the old table is freed.
int Qcow2Image::grow_refcount_table(uint64_t min_entries) {
    const uint64_t per_cluster = cluster_size_ / 8;
    uint64_t want = std::max<uint64_t>(min_entries, reftable_.size() + reftable_.size() / 2);
    uint64_t tclusters = (want + per_cluster - 1) / per_cluster;
    if (tclusters * cluster_size_ > kMaxRefcountTableBytes) return -EFBIG;
    const uint64_t nentries = tclusters * per_cluster;
    const uint64_t start = end_cluster_;

    std::vector<uint64_t> table(nentries, 0);
    std::copy(reftable_.begin(), reftable_.end(), table.begin());
    // Find the new blocks needed to cover [start, start + tclusters + nblocks).
    uint64_t nblocks = 0;
    for (;;) {
        const uint64_t end = start + tclusters + nblocks;
        uint64_t need = 0;
        for (uint64_t rt = start / refblock_entries_; rt <= (end - 1) / refblock_entries_; rt++) {
            if (rt >= nentries) return -EFBIG;
            if (!(table[rt] & kReftOffsetMask)) need++;
        }
        if (need == nblocks) break;
        nblocks = need;
    }
    const uint64_t end = start + tclusters + nblocks;
    std::vector<std::vector<uint8_t>> blocks;
    std::vector<uint64_t> block_rt;
    uint64_t next_block = start + tclusters;
    for (uint64_t rt = start / refblock_entries_; rt <= (end - 1) / refblock_entries_; rt++) {
        if (table[rt] & kReftOffsetMask) continue;
        table[rt] = next_block++ << cluster_bits_;
        blocks.emplace_back(cluster_size_, 0);
        block_rt.push_back(rt);
    }
    end_cluster_ = end;
    // Refcounts of the table and new blocks: in the new blocks or, for
    // clusters an existing block covers, through the cache.
    for (uint64_t c = start; c < end; c++) {
        const uint64_t rt = c / refblock_entries_;
        bool done = false;
        for (size_t i = 0; i < block_rt.size(); i++) {
            if (block_rt[i] == rt) {
                set_entry(blocks[i].data(), c % refblock_entries_, hdr_.refcount_order, 1);
                done = true;
            }
        }
        if (!done) {
            int r = update_refcount(c, 1);
            if (r < 0) return r;
        }
    }
    for (size_t i = 0; i < blocks.size(); i++) {
        int r = file_->pwrite(table[block_rt[i]], blocks[i].data(), cluster_size_);
        if (r < 0) return r;
    }
    std::vector<uint8_t> raw(nentries * 8);
    for (uint64_t i = 0; i < nentries; i++)
        put_be64(&raw[i * 8], table[i]);
    int r = file_->pwrite(start << cluster_bits_, raw.data(), raw.size());
    if (r < 0) return r;
    r = refblock_cache_->write_back();
    if (r < 0) return r;
    r = barrier();
    if (r < 0) return r;
    const uint64_t old_off = hdr_.refcount_table_offset;
    const uint64_t old_clusters = hdr_.refcount_table_clusters;
    hdr_.refcount_table_offset = start << cluster_bits_;
    hdr_.refcount_table_clusters = static_cast<uint32_t>(tclusters);
    reftable_ = std::move(table);
    r = write_header();
    if (r < 0) return r;
    r = barrier();
    if (r < 0) return r;
    return free_clusters_now(old_off, old_clusters);
}

// Refuses clusters [c, c+n) if they overlap the header, the L1 or refcount
// tables, a refcount block, an active L2 table or the snapshot table, and
// marks the image corrupt (as QEMU does): writes stop with EIO until
// 'emu-img check -r all' has repaired it.
int Qcow2Image::check_not_metadata(uint64_t c, uint64_t n) {
    const uint64_t a = c << cluster_bits_, b = (c + n) << cluster_bits_;
    auto hit = [&](uint64_t off, uint64_t len) { return len && off < b && a < off + len; };
    const char* what = nullptr;
    if (c == 0)
        what = "the header";
    else if (hit(hdr_.l1_table_offset, uint64_t(hdr_.l1_size) * 8))
        what = "the L1 table";
    else if (hit(hdr_.refcount_table_offset,
                 uint64_t(hdr_.refcount_table_clusters) * cluster_size_))
        what = "the refcount table";
    else if (hit(hdr_.snapshots_offset, snap_table_bytes_))
        what = "the snapshot table";
    for (uint64_t i = 0; !what && i < reftable_.size(); i++)
        if (hit(reftable_[i] & kReftOffsetMask,
                (reftable_[i] & kReftOffsetMask) ? cluster_size_ : 0))
            what = "a refcount block";
    for (uint64_t i = 0; !what && i < l1_.size(); i++)
        if (hit(l1_[i] & kL1OffsetMask, (l1_[i] & kL1OffsetMask) ? cluster_size_ : 0))
            what = "an L2 table";
    if (!what) return 0;
    mark_corrupt(std::string("allocation of a cluster that holds ") + what);
    return -EIO;
}

void Qcow2Image::mark_corrupt(const std::string& why) {
    if (corrupt_stop_) return;
    corrupt_stop_ = true;
    emu::error_report(
        "qcow2 image '%s': marking the image as corrupt: %s; further writes fail "
        "(repair with 'emu-img check -r all')",
        filename().c_str(), why.c_str());
    if (hdr_.version >= 3) {
        hdr_.incompatible_features |= kIncompatCorrupt;
        if (write_header() == 0) barrier();
    }
}

int Qcow2Image::alloc_clusters(uint64_t n, uint64_t* host_offset) {
    if (corrupt_stop_) return -EIO;
    uint64_t c = free_hint_;
    // Look for a run of n free clusters below the end; past it all are free.
    while (c < end_cluster_) {
        uint64_t i = 0;
        for (; i < n && c + i < end_cluster_; i++) {
            uint64_t rc;
            int r = get_refcount(c + i, &rc);
            if (r < 0) return r;
            if (rc) break;
        }
        if (i == n || c + i >= end_cluster_) break;
        c += i + 1;
        if (i == 0 && c - 1 == free_hint_) free_hint_ = c;
    }
    // A "free" cluster that holds metadata means the refcounts are wrong;
    // handing it out would destroy the image.
    if (c < end_cluster_) {
        int r = check_not_metadata(c, n);
        if (r < 0) return r;
    }
    // Clusters past the end are claimed before their refcounts are set, so
    // that a refcount block created on the way lands after them.
    if (c + n > end_cluster_) end_cluster_ = c + n;
    for (uint64_t i = 0; i < n; i++) {
        int r = update_refcount(c + i, 1);
        if (r < 0) return r;
    }
    if (c == free_hint_) free_hint_ = c + n;
    *host_offset = c << cluster_bits_;
    return 0;
}

// Byte-granular allocation for compressed clusters: consecutive compressed
// clusters share host clusters; each host cluster's refcount counts the
// compressed clusters that have bytes in it.
int Qcow2Image::alloc_bytes(uint64_t n, uint64_t* host_offset) {
    uint64_t cur = compressed_cursor_;
    if (cur && (cur & (cluster_size_ - 1))) {
        const uint64_t room = cluster_size_ - (cur & (cluster_size_ - 1));
        const uint64_t cl = cur >> cluster_bits_;
        if (n <= room) {
            int r = update_refcount(cl, 1);
            if (r < 0) return r;
            *host_offset = cur;
            compressed_cursor_ = cur + n;
            return 0;
        }
        if (cl + 1 == end_cluster_) {  // the data may spill into the next, fresh cluster
            end_cluster_ = cl + 2;
            int r = update_refcount(cl, 1);
            if (r == 0) r = update_refcount(cl + 1, 1);
            if (r < 0) return r;
            *host_offset = cur;
            compressed_cursor_ = cur + n;
            return 0;
        }
    }
    uint64_t off;
    int r = alloc_clusters(1, &off);
    if (r < 0) return r;
    *host_offset = off;
    compressed_cursor_ = off + n;
    return 0;
}

int Qcow2Image::free_clusters_now(uint64_t host_offset, uint64_t n) {
    for (uint64_t i = 0; i < n; i++) {
        int r = update_refcount((host_offset >> cluster_bits_) + i, -1);
        if (r < 0) return r;
    }
    return 0;
}

}  // namespace emu::block::qcow2

// The qcow2 data path: guest reads and writes, discard, write-zeroes and
// block status. Write ordering rules are in cluster_map.cpp.
#include <cerrno>
#include <cstring>

#include "block/iov_util.h"
#include "block/qcow2/qcow2.h"

namespace emu::block::qcow2 {

namespace {

enum class Kind { Unallocated, Zero, Normal, Compressed };

}  // namespace

static Kind classify(uint64_t e, uint32_t version) {
    if (e & kOflagCompressed) return Kind::Compressed;
    if (version >= 3 && (e & kOflagZero)) return Kind::Zero;
    if (e & kL2OffsetMask) return Kind::Normal;
    return Kind::Unallocated;
}

int Qcow2Image::read_compressed(uint64_t entry, uint8_t* out) {
    if (decomp_entry_ == entry && decomp_buf_.size() == cluster_size_) {
        std::memcpy(out, decomp_buf_.data(), cluster_size_);
        return 0;
    }
    CompressedDesc d = decode_compressed(entry, cluster_bits_);
    if (d.nb_bytes > 2 * cluster_size_ + 512) return -EIO;
    std::vector<uint8_t> in(d.nb_bytes);
    int r = file_->pread(d.host_offset, in.data(), in.size());
    if (r < 0) return r;
    r = decompress_cluster(hdr_.compression_type, in.data(), in.size(), out, cluster_size_);
    if (r < 0) return r;
    decomp_buf_.assign(out, out + cluster_size_);
    decomp_entry_ = entry;
    return 0;
}

// Reads [in_off, in_off + iov_total(iov)) of the guest cluster whose L2
// entry is `entry` and which starts at guest offset `guest_off`.
int Qcow2Image::read_cluster_part(uint64_t entry, uint64_t guest_off, uint64_t in_off,
                                  IoVecSpan iov) {
    const size_t n = iov_total(iov);
    switch (classify(entry, hdr_.version)) {
        case Kind::Zero:
            iov_memset(iov, 0, 0, n);
            return 0;
        case Kind::Compressed: {
            if (bounce_.size() < cluster_size_) bounce_.resize(cluster_size_);
            int r = read_compressed(entry, bounce_.data());
            if (r < 0) return r;
            iov_from_buf(iov, 0, bounce_.data() + in_off, n);
            return 0;
        }
        case Kind::Normal: {
            const uint64_t host = entry & kL2OffsetMask;
            if (host & (cluster_size_ - 1)) return -EIO;
            return file_->preadv(host + in_off, iov);
        }
        case Kind::Unallocated: {
            const uint64_t pos = guest_off + in_off;
            uint64_t from_backing = 0;
            if (backing_) {
                const uint64_t bs = backing_->size();
                if (pos < bs) from_backing = std::min<uint64_t>(n, bs - pos);
            }
            if (from_backing) {
                std::vector<IoVec> part;
                iov_slice(iov, 0, from_backing, &part);
                int r = backing_->preadv(pos, part);
                if (r < 0) return r;
            }
            if (from_backing < n) iov_memset(iov, from_backing, 0, n - from_backing);
            return 0;
        }
    }
    return -EIO;
}

// Guest reads are planned under the lock (mapping lookups) and executed
// without it, so reads proceed in parallel with each other and with
// decompression. Clusters a plan refers to cannot be freed meanwhile:
// frees are deferred while readers_ is non-zero (see flush_metadata).
struct ReadSeg {
    enum Kind { Zero, Host, Backing, Compressed } kind;
    uint64_t pos;       // offset in the request
    uint64_t len;
    uint64_t where;     // host offset (Host), guest offset (Backing), L2 entry (Compressed)
    uint64_t in_off;    // offset inside the cluster (Compressed)
};

int Qcow2Image::read_guest_range(uint64_t offset, IoVecSpan iov) {
    const uint64_t total = iov_total(iov);
    std::vector<ReadSeg> plan;
    uint64_t gen;
    {
        std::lock_guard<std::mutex> g(lock_);
        uint64_t pos = 0;
        while (pos < total) {
            const uint64_t gpos = offset + pos;
            const uint64_t gc = gpos >> cluster_bits_;
            const uint64_t in_off = gpos & (cluster_size_ - 1);
            uint64_t entry;
            int r = get_l2_entry(gc, &entry);
            if (r < 0) return r;
            uint64_t n = std::min(cluster_size_ - in_off, total - pos);
            const Kind k = classify(entry, hdr_.version);
            const bool zero_like = k == Kind::Zero || (k == Kind::Unallocated && !backing_);
            // Merge following clusters that continue the same run.
            if (k == Kind::Normal || zero_like || k == Kind::Unallocated) {
                uint64_t next_host = (entry & kL2OffsetMask) + cluster_size_;
                while (pos + n < total) {
                    uint64_t e2;
                    r = get_l2_entry(gc + ((in_off + n) >> cluster_bits_), &e2);
                    if (r < 0) return r;
                    const Kind k2 = classify(e2, hdr_.version);
                    if (k == Kind::Normal) {
                        if (k2 != Kind::Normal || (e2 & kL2OffsetMask) != next_host) break;
                        next_host += cluster_size_;
                    } else if (zero_like) {
                        if (!(k2 == Kind::Zero || (k2 == Kind::Unallocated && !backing_))) break;
                    } else if (k2 != Kind::Unallocated) {
                        break;
                    }
                    n += std::min(cluster_size_, total - pos - n);
                }
            }
            if (zero_like) {
                plan.push_back({ReadSeg::Zero, pos, n, 0, 0});
            } else if (k == Kind::Normal) {
                const uint64_t host = entry & kL2OffsetMask;
                if (host & (cluster_size_ - 1)) return -EIO;
                plan.push_back({ReadSeg::Host, pos, n, host + in_off, 0});
            } else if (k == Kind::Unallocated) {
                plan.push_back({ReadSeg::Backing, pos, n, gpos, 0});
            } else if (entry == decomp_entry_ && decomp_buf_.size() == cluster_size_) {
                iov_from_buf(iov, pos, decomp_buf_.data() + in_off, n);  // cached
            } else {
                plan.push_back({ReadSeg::Compressed, pos, n, entry, in_off});
            }
            pos += n;
        }
        readers_++;
        gen = compressed_gen_;
    }
    int ret = 0;
    std::vector<IoVec> part;
    std::vector<uint8_t> cin, cout;
    uint64_t last_entry = 0;
    for (const ReadSeg& sg : plan) {
        if (ret < 0) break;
        part.clear();
        iov_slice(iov, sg.pos, sg.len, &part);
        switch (sg.kind) {
        case ReadSeg::Zero: iov_memset(part, 0, 0, sg.len); break;
        case ReadSeg::Host: ret = file_->preadv(sg.where, part); break;
        case ReadSeg::Backing: {
            uint64_t from_backing = 0;
            const uint64_t bs = backing_->size();
            if (sg.where < bs) from_backing = std::min<uint64_t>(sg.len, bs - sg.where);
            if (from_backing) {
                std::vector<IoVec> bpart;
                iov_slice(part, 0, from_backing, &bpart);
                ret = backing_->preadv(sg.where, bpart);
            }
            if (from_backing < sg.len) iov_memset(part, from_backing, 0, sg.len - from_backing);
            break;
        }
        case ReadSeg::Compressed: {
            CompressedDesc d = decode_compressed(sg.where, cluster_bits_);
            if (d.nb_bytes > 2 * cluster_size_ + 512) {
                ret = -EIO;
                break;
            }
            cout.resize(cluster_size_);
            cin.resize(d.nb_bytes);
            ret = file_->pread(d.host_offset, cin.data(), cin.size());
            if (ret == 0)
                ret = decompress_cluster(hdr_.compression_type, cin.data(), cin.size(),
                                         cout.data(), cluster_size_);
            if (ret == 0) {
                iov_from_buf(part, 0, cout.data() + sg.in_off, sg.len);
                last_entry = sg.where;
            }
            break;
        }
        }
    }
    std::lock_guard<std::mutex> g(lock_);
    readers_--;
    // Cache the cluster only if no compressed entry was replaced meanwhile
    // (its descriptor could now name different data).
    if (ret == 0 && last_entry && gen == compressed_gen_) {
        decomp_buf_ = cout;
        decomp_entry_ = last_entry;
    }
    return ret;
}

int Qcow2Image::preadv(uint64_t offset, IoVecSpan iov) {
    const uint64_t len = iov_total(iov);
    if (offset > size() || len > size() - offset) return -EINVAL;
    return read_guest_range(offset, iov);
}

int Qcow2Image::write_range_locked(uint64_t offset, IoVecSpan iov) {
    const uint64_t total = iov_total(iov);
    uint64_t pos = 0;
    std::vector<IoVec> part;
    std::vector<uint8_t> head, tail;
    std::vector<uint64_t> olds;
    while (pos < total) {
        const uint64_t g = offset + pos;
        const uint64_t gc = g >> cluster_bits_;
        const uint64_t in_off = g & (cluster_size_ - 1);
        uint64_t entry;
        int r = get_l2_entry(gc, &entry);
        if (r < 0) return r;
        const Kind k = classify(entry, hdr_.version);
        uint64_t n = std::min(cluster_size_ - in_off, total - pos);
        if (k == Kind::Normal && (entry & kOflagCopied)) {
            // Overwrite in place, merging clusters contiguous on the host.
            const uint64_t host = entry & kL2OffsetMask;
            uint64_t next_host = host + cluster_size_;
            while (pos + n < total) {
                uint64_t e2;
                r = get_l2_entry(gc + ((in_off + n) >> cluster_bits_), &e2);
                if (r < 0) return r;
                if (classify(e2, hdr_.version) != Kind::Normal || !(e2 & kOflagCopied) ||
                    (e2 & kL2OffsetMask) != next_host)
                    break;
                next_host += cluster_size_;
                n += std::min(cluster_size_, total - pos - n);
            }
            part.clear();
            iov_slice(iov, pos, n, &part);
            r = file_->pwritev(host + in_off, part);
            if (r < 0) return r;
            unsynced_ = true;
            pos += n;
            continue;
        }
        // Allocating write: a run of clusters that all need new storage.
        olds.assign(1, entry);
        while (pos + n < total && olds.size() < 512) {
            uint64_t e2;
            r = get_l2_entry(gc + olds.size(), &e2);
            if (r < 0) return r;
            if (classify(e2, hdr_.version) == Kind::Normal && (e2 & kOflagCopied)) break;
            olds.push_back(e2);
            n += std::min(cluster_size_, total - pos - n);
        }
        const uint64_t k_clusters = olds.size();
        uint64_t host;
        r = alloc_clusters(k_clusters, &host);
        if (r < 0) return r;
        // Build the write: partial first/last clusters get the rest of their
        // old content (backing file, zeroes, compressed or shared data).
        part.clear();
        const uint64_t end_in_last = (in_off + n) - (k_clusters - 1) * cluster_size_;
        if (in_off) {
            head.resize(cluster_size_);
            IoVec hv{head.data(), in_off};
            r = read_cluster_part(olds[0], gc << cluster_bits_, 0, IoVecSpan(&hv, 1));
            if (r < 0) return r;
            part.push_back(hv);
        }
        iov_slice(iov, pos, n, &part);
        if (end_in_last < cluster_size_) {
            tail.resize(cluster_size_ - end_in_last);
            IoVec tv{tail.data(), tail.size()};
            r = read_cluster_part(olds.back(), (gc + k_clusters - 1) << cluster_bits_, end_in_last,
                                  IoVecSpan(&tv, 1));
            if (r < 0) return r;
            part.push_back(tv);
        }
        r = file_->pwritev(host, part);
        if (r < 0) return r;
        unsynced_ = true;
        for (uint64_t i = 0; i < k_clusters; i++) {
            r = set_l2_entry(gc + i, (host + i * cluster_size_) | kOflagCopied);
            if (r < 0) return r;
            defer_free(olds[i]);
            if (olds[i] & kOflagCompressed) {
                compressed_gen_++;
                if (olds[i] == decomp_entry_) decomp_entry_ = 0;
            }
        }
        pos += n;
    }
    if (deferred_frees_.size() > 4096) return flush_metadata(false);
    return 0;
}

int Qcow2Image::pwritev(uint64_t offset, IoVecSpan iov) {
    if (read_only()) return -EROFS;
    const uint64_t len = iov_total(iov);
    if (offset > size() || len > size() - offset) return -EINVAL;
    std::lock_guard<std::mutex> g(lock_);
    if (lazy_refcounts_ && !dirty_marked_) {
        int r = set_dirty_bit(true);
        if (r < 0) return r;
    }
    int r = write_range_locked(offset, iov);
    if (r == 0 &&
        (file_->cache() == CacheMode::Writethrough || file_->cache() == CacheMode::DirectSync))
        r = flush_metadata(true);
    return r;
}

int Qcow2Image::flush() {
    std::lock_guard<std::mutex> g(lock_);
    if (read_only()) return 0;
    return flush_metadata(true);
}

int Qcow2Image::write_compressed(uint64_t offset, const uint8_t* raw,
                                 const std::vector<uint8_t>& compressed) {
    if (read_only()) return -EROFS;
    if (offset & (cluster_size_ - 1) || offset >= size()) return -EINVAL;
    const uint64_t len = std::min<uint64_t>(cluster_size_, size() - offset);
    std::lock_guard<std::mutex> g(lock_);
    if (compressed.empty() || compressed.size() >= cluster_size_) {
        IoVec v{const_cast<uint8_t*>(raw), len};
        return write_range_locked(offset, IoVecSpan(&v, 1));
    }
    const uint64_t gc = offset >> cluster_bits_;
    uint64_t old;
    int r = get_l2_entry(gc, &old);
    if (r < 0) return r;
    uint64_t host;
    r = alloc_bytes(compressed.size(), &host);
    if (r < 0) return r;
    r = file_->pwrite(host, compressed.data(), compressed.size());
    if (r < 0) return r;
    unsynced_ = true;
    r = set_l2_entry(gc, encode_compressed(host, compressed.size(), cluster_bits_));
    if (r < 0) return r;
    defer_free(old);
    return 0;
}

// Full clusters in [offset, offset+bytes) become zero/unallocated; partial
// clusters at the ends are written with zeroes (write_zeroes) or left alone
// (discard, a hint only).
int Qcow2Image::zero_clusters_locked(uint64_t offset, uint64_t bytes, bool unmap,
                                     bool discard_only) {
    const uint64_t end = offset + bytes;
    uint64_t first = (offset + cluster_size_ - 1) & ~(cluster_size_ - 1);
    uint64_t last = end & ~(cluster_size_ - 1);
    if (end == size()) last = (end + cluster_size_ - 1) & ~(cluster_size_ - 1);  // tail cluster
    std::vector<uint8_t> zeroes;
    auto zero_partial = [&](uint64_t off, uint64_t len) -> int {
        if (discard_only || len == 0) return 0;
        zeroes.assign(len, 0);
        IoVec v{zeroes.data(), len};
        return write_range_locked(off, IoVecSpan(&v, 1));
    };
    if (first >= last) return zero_partial(offset, bytes);
    int r = zero_partial(offset, first - offset);
    if (r < 0) return r;
    const bool v3 = hdr_.version >= 3;
    for (uint64_t c = first >> cluster_bits_; c < last >> cluster_bits_; c++) {
        uint64_t old;
        r = get_l2_entry(c, &old);
        if (r < 0) return r;
        const Kind k = classify(old, hdr_.version);
        uint64_t nv;
        bool free_old = true;
        if (!v3 && backing_) {
            if (discard_only) continue;  // v2 cannot hide backing data without storing zeroes
            zeroes.assign(cluster_size_, 0);
            IoVec v{zeroes.data(), cluster_size_};
            r = write_range_locked(c << cluster_bits_, IoVecSpan(&v, 1));
            if (r < 0) return r;
            continue;
        }
        if (!unmap && k == Kind::Normal && (old & kOflagCopied) && v3) {
            nv = (old & (kL2OffsetMask | kOflagCopied)) | kOflagZero;  // keep the allocation
            free_old = false;
        } else if (backing_) {
            nv = kOflagZero;
        } else {
            nv = 0;
        }
        if (nv == old) continue;
        if (k == Kind::Unallocated && nv == 0) continue;
        r = set_l2_entry(c, nv);
        if (r < 0) return r;
        if (free_old && (k == Kind::Normal || k == Kind::Compressed ||
                         (k == Kind::Zero && (old & kL2OffsetMask))))
            defer_free(old);
        if (k == Kind::Compressed) {
            compressed_gen_++;
            if (old == decomp_entry_) decomp_entry_ = 0;
        }
    }
    if (last < end) r = zero_partial(last, end - last);
    if (r < 0) return r;
    if (deferred_frees_.size() > 4096) return flush_metadata(false);
    return 0;
}

int Qcow2Image::discard(uint64_t offset, uint64_t bytes) {
    if (read_only()) return -EROFS;
    if (offset > size() || bytes > size() - offset) return -EINVAL;
    if (!discard_unmap_) return 0;
    std::lock_guard<std::mutex> g(lock_);
    if (lazy_refcounts_ && !dirty_marked_) {
        int r = set_dirty_bit(true);
        if (r < 0) return r;
    }
    return zero_clusters_locked(offset, bytes, true, true);
}

int Qcow2Image::write_zeroes(uint64_t offset, uint64_t bytes, bool may_unmap) {
    if (read_only()) return -EROFS;
    if (offset > size() || bytes > size() - offset) return -EINVAL;
    std::lock_guard<std::mutex> g(lock_);
    if (lazy_refcounts_ && !dirty_marked_) {
        int r = set_dirty_bit(true);
        if (r < 0) return r;
    }
    int r = zero_clusters_locked(offset, bytes, may_unmap && discard_unmap_, false);
    if (r == 0 &&
        (file_->cache() == CacheMode::Writethrough || file_->cache() == CacheMode::DirectSync))
        r = flush_metadata(true);
    return r;
}

int Qcow2Image::block_status(uint64_t offset, uint64_t bytes, BlockStatus* out) {
    if (bytes == 0 || offset > size() || bytes > size() - offset) return -EINVAL;
    std::unique_lock<std::mutex> g(lock_);
    const uint64_t gc = offset >> cluster_bits_;
    const uint64_t in_off = offset & (cluster_size_ - 1);
    uint64_t entry;
    int r = get_l2_entry(gc, &entry);
    if (r < 0) return r;
    const Kind k = classify(entry, hdr_.version);
    uint64_t n = std::min(cluster_size_ - in_off, bytes);
    uint64_t next_host = (entry & kL2OffsetMask) + cluster_size_;
    while (n < bytes) {
        uint64_t e2;
        r = get_l2_entry(gc + ((in_off + n) >> cluster_bits_), &e2);
        if (r < 0) return r;
        const Kind k2 = classify(e2, hdr_.version);
        if (k2 != k) break;
        if (k == Kind::Normal || (k == Kind::Zero && (entry & kL2OffsetMask))) {
            if ((e2 & kL2OffsetMask) != next_host) break;
            next_host += cluster_size_;
        } else if (k == Kind::Zero && (e2 & kL2OffsetMask)) {
            break;
        }
        n += std::min(cluster_size_, bytes - n);
    }
    out->bytes = n;
    out->depth = 0;
    out->host_offset = -1;
    switch (k) {
        case Kind::Normal:
            out->flags = BLOCK_STATUS_DATA | BLOCK_STATUS_ALLOCATED | BLOCK_STATUS_PRESENT;
            out->host_offset = static_cast<int64_t>((entry & kL2OffsetMask) + in_off);
            return 0;
        case Kind::Compressed:
            out->flags = BLOCK_STATUS_DATA | BLOCK_STATUS_ALLOCATED | BLOCK_STATUS_PRESENT |
                         BLOCK_STATUS_COMPRESSED;
            return 0;
        case Kind::Zero:
            out->flags = BLOCK_STATUS_ZERO | BLOCK_STATUS_ALLOCATED | BLOCK_STATUS_PRESENT;
            if (entry & kL2OffsetMask)  // preallocated zero cluster
                out->host_offset = static_cast<int64_t>((entry & kL2OffsetMask) + in_off);
            return 0;
        case Kind::Unallocated:
            break;
    }
    BlockDriver* b = backing_.get();
    g.unlock();
    if (!b || offset >= b->size()) {
        out->flags = BLOCK_STATUS_ZERO;
        return 0;
    }
    BlockStatus bs;
    r = b->block_status(offset, std::min<uint64_t>(n, b->size() - offset), &bs);
    if (r < 0) return r;
    out->flags = bs.flags & ~BLOCK_STATUS_ALLOCATED;
    out->bytes = bs.bytes;
    out->host_offset = bs.host_offset;
    out->depth = bs.depth + 1;
    return 0;
}

}  // namespace emu::block::qcow2

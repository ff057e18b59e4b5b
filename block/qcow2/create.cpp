// New qcow2 images. A minimal image (header, refcount table, one refcount
// block, empty L1) is written directly; growing it to the requested size and
// any preallocation then go through the normal allocation paths.
#include <fcntl.h>

#include <cerrno>
#include <cstring>

#include "block/image_open_internal.h"
#include "block/qcow2/qcow2.h"

namespace emu::block::qcow2 {

int Qcow2Image::create(const std::string& path, const CreateOptions& o, std::string* err) {
    if (o.cluster_bits < kMinClusterBits || o.cluster_bits > kMaxClusterBits) {
        *err = "Cluster size must be a power of two between 512 and 2048k";
        return -EINVAL;
    }
    if (o.version == 2 && o.refcount_order != 4) {
        *err =
            "Different refcount widths than 16 bits require compatibility level 1.1 or above "
            "(use compat=1.1 or greater)";
        return -EINVAL;
    }
    if (o.refcount_order > 6) {
        *err = "Refcount width must be a power of two and may not exceed 64 bits";
        return -EINVAL;
    }
    if (o.version == 2 && o.lazy_refcounts) {
        *err =
            "Lazy refcounts only supported with compatibility level 1.1 and above (use "
            "compat=1.1 or greater)";
        return -EINVAL;
    }
    if (o.version == 2 && o.compression != CompressionType::Zlib) {
        *err = "Compression type 'zstd' requires compatibility level 1.1 or above";
        return -EINVAL;
    }
    if (!o.backing_file.empty() && o.preallocation != "off") {
        *err =
            "Backing file and preallocation can only be used at the same time if "
            "extended_l2 is on";
        return -EINVAL;
    }
    const uint64_t cs = 1ull << o.cluster_bits;
    Header h;
    h.version = o.version;
    h.cluster_bits = o.cluster_bits;
    h.size = 0;
    h.refcount_order = o.refcount_order;
    h.refcount_table_offset = cs;
    h.refcount_table_clusters = 1;
    h.l1_size = 0;
    h.l1_table_offset = 0;
    h.compression_type = o.compression;
    h.backing_file = o.backing_file;
    h.backing_format = o.backing_format;
    if (o.lazy_refcounts) h.compatible_features |= kCompatLazyRefcounts;
    std::vector<uint8_t> hdr;
    if (!serialize_header(h, &hdr, err)) return -EINVAL;

    auto f = HostFile::create(path, err);
    if (!f) return -EIO;
    std::vector<uint8_t> rest(2 * cs, 0);
    put_be64(&rest[0], 2 * cs);  // refcount table entry 0 -> block at cluster 2
    for (uint64_t c = 0; c < 3; c++)
        refcount_entry_set(&rest[cs], c, o.refcount_order, 1);
    int r = f->pwrite(0, hdr.data(), hdr.size());
    if (r == 0) r = f->pwrite(cs, rest.data(), rest.size());
    if (r == 0) r = f->flush();
    f.reset();
    if (r < 0) {
        *err = "Could not write '" + path + "': " + std::strerror(-r);
        return r;
    }
    OpenOptions oo;
    oo.format = "qcow2";
    oo.open_backing = false;
    oo.cache = CacheMode::Writeback;
    ChainContext chain;
    auto img = open(path, oo, chain, err);
    if (!img) return -EIO;
    if (o.size) {
        r = img->resize((o.size + 511) & ~uint64_t(511), false, err);  // whole sectors
        if (r < 0) return r;
    }
    if (o.preallocation != "off") {
        r = img->preallocate(o.preallocation, err);
        if (r < 0) return r;
    }
    return 0;
}

int Qcow2Image::preallocate(const std::string& mode, std::string* err) {
    if (mode != "metadata" && mode != "falloc" && mode != "full") {
        *err = "Invalid parameter '" + mode + "' for preallocation";
        return -EINVAL;
    }
    std::lock_guard<std::mutex> g(lock_);
    const uint64_t nclusters = (size_.load() + cluster_size_ - 1) >> cluster_bits_;
    std::vector<std::pair<uint64_t, uint64_t>> runs;  // data clusters (host offset, bytes)
    // Allocate in runs so data clusters end up contiguous on the host.
    for (uint64_t c = 0; c < nclusters;) {
        const uint64_t run = std::min<uint64_t>(nclusters - c, l2_entries_ - c % l2_entries_);
        uint8_t* t;
        uint64_t l2off;
        int r = l2_table_for_write(c, &t, &l2off);  // the L2 table before its data
        uint64_t host = 0;
        if (r == 0) r = alloc_clusters(run, &host);
        if (r == 0) runs.push_back({host, run * cluster_size_});
        for (uint64_t i = 0; i < run && r == 0; i++)
            r = set_l2_entry(c + i, ((host + i * cluster_size_) | kOflagCopied));
        if (r < 0) {
            *err = std::string("Could not preallocate: ") + std::strerror(-r);
            return r;
        }
        c += run;
    }
    int r = flush_metadata(true);
    const uint64_t end = end_cluster_ << cluster_bits_;
    if (r == 0 && static_cast<uint64_t>(file_->length()) < end) r = file_->truncate(end);
    if (r == 0 && mode == "falloc") {
        if (posix_fallocate(file_->fd(), 0, static_cast<off_t>(end)) != 0) r = -ENOSPC;
    } else if (r == 0 && mode == "full") {
        for (size_t i = 0; i < runs.size() && r == 0; i++)
            r = file_->write_zeroes(runs[i].first, runs[i].second);
    }
    if (r < 0) *err = std::string("Could not preallocate: ") + std::strerror(-r);
    return r;
}

}  // namespace emu::block::qcow2

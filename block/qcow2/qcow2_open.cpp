// Opening and closing qcow2 images: header and table validation (hostile
// images get an error naming the problem), backing files, the dirty bit,
// L1 growth and resizing.
#include <unistd.h>

#include <cerrno>
#include <cinttypes>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <unordered_set>

#include "block/image_open_internal.h"
#include "block/qcow2/qcow2.h"
#include "util/hex.h"

namespace emu::block {

bool qcow2_probe(const uint8_t* buf, size_t len) {
    return len >= 8 && qcow2::be32(buf) == qcow2::kMagic &&
           (qcow2::be32(buf + 4) == 2 || qcow2::be32(buf + 4) == 3);
}

std::unique_ptr<BlockDriver> qcow2_open(const std::string& path, const OpenOptions& opts,
                                        ChainContext& chain, std::string* err) {
    return qcow2::Qcow2Image::open(path, opts, chain, err);
}

std::string create_snapshot_overlay(const std::string& base_path, const std::string& base_format,
                                    uint64_t size, std::string* err) {
    const char* tmp = std::getenv("TMPDIR");
    std::string tmpl = std::string(tmp && *tmp ? tmp : "/var/tmp") + "/emu-snapshot-XXXXXX";
    std::vector<char> name(tmpl.begin(), tmpl.end());
    name.push_back('\0');
    int fd = mkstemp(name.data());
    if (fd < 0) {
        *err = "Could not create temporary overlay '" + tmpl + "': " + std::strerror(errno);
        return "";
    }
    ::close(fd);
    char real[PATH_MAX];
    qcow2::CreateOptions co;
    co.size = size;
    co.backing_file = realpath(base_path.c_str(), real) ? std::string(real) : base_path;
    co.backing_format = base_format;
    if (qcow2::Qcow2Image::create(name.data(), co, err) < 0) {
        ::unlink(name.data());
        return "";
    }
    return name.data();
}

}  // namespace emu::block

namespace emu::block::qcow2 {

namespace {

bool overlaps(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen) {
    return alen && blen && a < b + blen && b < a + alen;
}

}  // namespace

std::unique_ptr<Qcow2Image> Qcow2Image::open(const std::string& path, const OpenOptions& opts,
                                             ChainContext& chain, std::string* err) {
    std::unique_ptr<Qcow2Image> img(new Qcow2Image());
    img->file_ = HostFile::open(path, opts.read_only, opts.cache, err);
    if (!img->file_) return nullptr;
    const int64_t flen = img->file_->length();
    if (flen < 0) {
        *err = "Could not stat '" + path + "'";
        return nullptr;
    }
    auto fail = [&](const std::string& msg) {
        *err = "qcow2 image '" + path + "': " + msg;
        return nullptr;
    };
    uint8_t first[kHeaderV3Size + 8] = {};
    if (img->file_->pread(0, first, sizeof first) < 0) return fail("could not read the header");
    if (static_cast<uint64_t>(flen) < kHeaderV2Size) return fail("file is truncated (no header)");
    if (be32(first) != kMagic) return fail("Image is not in qcow2 format");
    const uint32_t cbits = be32(first + 20);
    if (cbits < kMinClusterBits || cbits > kMaxClusterBits)
        return fail("Unsupported cluster size: 2^" + std::to_string(cbits));
    std::vector<uint8_t> hbuf(std::min<uint64_t>(1ull << cbits, static_cast<uint64_t>(flen)));
    if (img->file_->pread(0, hbuf.data(), hbuf.size()) < 0)
        return fail("could not read the header");
    Header& h = img->hdr_;
    std::string perr;
    if (!parse_header(hbuf.data(), hbuf.size(), static_cast<uint64_t>(flen), &h, &perr))
        return fail(perr);
    if ((h.incompatible_features & kIncompatCorrupt) && !opts.read_only && opts.repair_on_open)
        return fail(
            "image is marked corrupt; it can only be opened read-only "
            "(repair it with 'emu-img check -r all')");
    // Opened writable for repair (emu-img check -r): writes wait for it.
    img->corrupt_stop_ = (h.incompatible_features & kIncompatCorrupt) && !opts.read_only;

    img->cluster_bits_ = h.cluster_bits;
    img->cluster_size_ = h.cluster_size();
    const uint64_t cs = img->cluster_size_;
    img->l2_entries_ = cs / 8;
    img->refblock_entries_ = (cs * 8) >> h.refcount_order;
    img->size_ = h.size;
    img->discard_unmap_ = opts.discard_unmap;

    // L1 table.
    const uint64_t l1_bytes = uint64_t(h.l1_size) * 8;
    const uint64_t rt_bytes = uint64_t(h.refcount_table_clusters) * cs;
    if (overlaps(h.l1_table_offset, l1_bytes, h.refcount_table_offset, rt_bytes))
        return fail("L1 table (at " + hex(h.l1_table_offset) +
                    ") overlaps the refcount table (at " + hex(h.refcount_table_offset) + ")");
    {
        std::vector<uint8_t> raw(l1_bytes);
        if (l1_bytes && img->file_->pread(h.l1_table_offset, raw.data(), raw.size()) < 0)
            return fail("could not read the L1 table");
        img->l1_.resize(h.l1_size);
        for (uint32_t i = 0; i < h.l1_size; i++) {
            const uint64_t e = be64(&raw[i * 8]);
            const uint64_t off = e & kL1OffsetMask;
            img->l1_[i] = e;
            if (!off) continue;
            if (off & (cs - 1))
                return fail("L2 table offset " + hex(off) + " in L1 entry " + std::to_string(i) +
                            " is not cluster aligned");
            if (off + cs > static_cast<uint64_t>(flen))
                return fail("L2 table offset " + hex(off) + " in L1 entry " + std::to_string(i) +
                            " is past the end of the file");
            if (off < cs || overlaps(off, cs, h.l1_table_offset, l1_bytes) ||
                overlaps(off, cs, h.refcount_table_offset, rt_bytes))
                return fail("L2 table at " + hex(off) + " (L1 entry " + std::to_string(i) +
                            ") overlaps the header, the L1 table or the refcount table");
        }
    }
    std::unordered_set<uint64_t> l2_tables;
    for (uint64_t e : img->l1_)
        if (e & kL1OffsetMask) l2_tables.insert(e & kL1OffsetMask);
    // Refcount table.
    {
        std::vector<uint8_t> raw(rt_bytes);
        if (img->file_->pread(h.refcount_table_offset, raw.data(), raw.size()) < 0)
            return fail("could not read the refcount table");
        img->reftable_.resize(rt_bytes / 8);
        for (size_t i = 0; i < img->reftable_.size(); i++) {
            const uint64_t e = be64(&raw[i * 8]);
            img->reftable_[i] = e;
            const uint64_t off = e & kReftOffsetMask;
            if (!off) continue;
            if (off & (cs - 1))
                return fail("refcount block offset " + hex(off) + " (refcount table entry " +
                            std::to_string(i) + ") is not cluster aligned");
            if (off + cs > static_cast<uint64_t>(flen))
                return fail("refcount block offset " + hex(off) + " (refcount table entry " +
                            std::to_string(i) + ") is past the end of the file");
            if (off < cs || overlaps(off, cs, h.l1_table_offset, l1_bytes) ||
                overlaps(off, cs, h.refcount_table_offset, rt_bytes) || l2_tables.count(off))
                return fail("refcount block at " + hex(off) +
                            " overlaps the header, the L1 table, the refcount table or an L2 "
                            "table");
        }
    }
    img->l2_cache_ = std::make_unique<MetadataCache>(img->file_.get(), cs,
                                                     std::max<uint64_t>(16, (4ull << 20) / cs));
    img->refblock_cache_ = std::make_unique<MetadataCache>(
        img->file_.get(), cs, std::max<uint64_t>(8, (1ull << 20) / cs));
    Qcow2Image* self = img.get();
    img->l2_cache_->set_before_writeback([self] { return self->before_l2_writeback(); });

    // Everything from end_cluster_ on is free: past the file and past the
    // last cluster with a refcount (a crash can leave refcounts past EOF).
    img->end_cluster_ = (static_cast<uint64_t>(flen) + cs - 1) / cs;
    for (size_t rt = img->reftable_.size(); rt-- > 0;) {
        const uint64_t off = img->reftable_[rt] & kReftOffsetMask;
        if (!off) continue;
        uint8_t* b;
        if (img->refblock_cache_->get(off, &b) < 0) return fail("could not read a refcount block");
        uint64_t last = UINT64_MAX;
        for (uint64_t i = img->refblock_entries_; i-- > 0;) {
            if (refcount_entry_get(b, i, h.refcount_order)) {
                last = i;
                break;
            }
        }
        if (last != UINT64_MAX) {
            img->end_cluster_ = std::max(img->end_cluster_, rt * img->refblock_entries_ + last + 1);
            break;
        }
    }

    if (img->load_snapshots(&perr) < 0) return fail(perr);

    img->opened_ = true;  // from here on, closing may write metadata
    if (!h.backing_file.empty() && opts.open_backing) {
        std::string bpath = h.backing_file;
        if (bpath[0] != '/') {
            const size_t slash = path.rfind('/');
            if (slash != std::string::npos) bpath = path.substr(0, slash + 1) + bpath;
        }
        OpenOptions bo;
        bo.read_only = true;
        bo.cache = opts.cache == CacheMode::Unsafe ? CacheMode::Writeback : opts.cache;
        bo.format = !opts.backing_format.empty() ? opts.backing_format : h.backing_format;
        std::string berr;
        img->backing_ = open_image_in_chain(bpath, bo, chain, &berr);
        if (!img->backing_) {
            *err = "Could not open backing file of '" + path + "': " + berr;
            return nullptr;
        }
    }

    img->lazy_refcounts_ = (h.compatible_features & kCompatLazyRefcounts) && !opts.read_only;
    if ((h.incompatible_features & kIncompatDirty) && !opts.read_only && opts.repair_on_open) {
        // A crash while lazy refcounts were in use: rebuild them.
        CheckResult cr = img->check(RepairMode::All);
        if (cr.check_errors || cr.corruptions > cr.corruptions_fixed)
            return fail("dirty image could not be repaired");
        std::lock_guard<std::mutex> g(img->lock_);
        img->dirty_marked_ = true;
        if (img->set_dirty_bit(false) < 0) return fail("could not clear the dirty bit");
    }
    return img;
}

Qcow2Image::~Qcow2Image() {
    if (!opened_ || file_->read_only()) return;
    std::lock_guard<std::mutex> g(lock_);
    if (flush_metadata(true) == 0 && (dirty_marked_ || dirty())) set_dirty_bit(false);
}

int Qcow2Image::write_header() {
    std::vector<uint8_t> buf;
    std::string err;
    if (!serialize_header(hdr_, &buf, &err)) return -EFBIG;
    unsynced_ = true;
    return file_->pwrite(0, buf.data(), buf.size());
}

// Lazy refcounts: the dirty bit is on disk before any refcount is allowed
// to lag behind, and cleared only after everything is flushed.
int Qcow2Image::set_dirty_bit(bool on) {
    if (hdr_.version < 3) return 0;
    if (!on) {
        int r = flush_metadata(true);
        if (r < 0) return r;
        hdr_.incompatible_features &= ~kIncompatDirty;
    } else {
        hdr_.incompatible_features |= kIncompatDirty;
    }
    int r = write_header();
    if (r == 0) r = barrier();
    if (r == 0) dirty_marked_ = on;
    return r;
}

int Qcow2Image::grow_l1(uint64_t min_entries) {
    if (min_entries * 8 > kMaxL1Bytes) return -EFBIG;
    if (min_entries <= l1_.size()) return 0;
    // New L2 tables the old L1 points at must be on disk first.
    int r = flush_metadata(false);
    if (r < 0) return r;
    const uint64_t nclusters = (min_entries * 8 + cluster_size_ - 1) / cluster_size_;
    uint64_t off;
    r = alloc_clusters(nclusters, &off);
    if (r < 0) return r;
    std::vector<uint8_t> raw(nclusters * cluster_size_, 0);
    for (size_t i = 0; i < l1_.size(); i++)
        put_be64(&raw[i * 8], l1_[i]);
    r = file_->pwrite(off, raw.data(), raw.size());
    if (r < 0) return r;
    r = refblock_cache_->write_back();
    if (r == 0) r = barrier();
    if (r < 0) return r;
    const uint64_t old_off = hdr_.l1_table_offset;
    const uint64_t old_clusters = (uint64_t(hdr_.l1_size) * 8 + cluster_size_ - 1) / cluster_size_;
    hdr_.l1_table_offset = off;
    hdr_.l1_size = static_cast<uint32_t>(min_entries);
    l1_.resize(min_entries, 0);
    l1_dirty_ = false;
    r = write_header();
    if (r == 0) r = barrier();
    if (r < 0) return r;
    if (old_off && old_clusters) return free_clusters_now(old_off, old_clusters);
    return 0;
}

int Qcow2Image::resize(uint64_t new_size, bool shrink, std::string* err) {
    if (read_only()) {
        *err = "Image is read-only";
        return -EROFS;
    }
    std::unique_lock<std::mutex> g(lock_);
    quiesce(g);
    new_size = (new_size + 511) & ~uint64_t(511);  // whole sectors, as in QEMU
    const uint64_t old = size_.load();
    if (new_size > (1ull << 62)) {
        *err = "Image size too large";
        return -EFBIG;
    }
    if (new_size < old && !shrink) {
        *err = "Use the --shrink option to perform a shrink operation.";
        return -EINVAL;
    }
    if (new_size < old && !snapshots_.empty()) {
        *err = "Can't shrink an image which has snapshots";
        return -ENOTSUP;
    }
    int r = 0;
    if (new_size > old) {
        const uint64_t per_l1 = cluster_size_ * l2_entries_;
        r = grow_l1((new_size + per_l1 - 1) / per_l1);
        if (r < 0) {
            *err = "Could not grow the L1 table: " + std::string(std::strerror(-r));
            return r;
        }
        // Bytes past the old end in its last cluster must read as zeroes.
        const uint64_t tail_end =
            std::min(new_size, (old + cluster_size_ - 1) & ~(cluster_size_ - 1));
        if (old & (cluster_size_ - 1) && tail_end > old) {
            size_ = new_size;
            r = zero_clusters_locked(old, tail_end - old, false, false);
        }
    } else if (new_size < old) {
        const uint64_t first = (new_size + cluster_size_ - 1) >> cluster_bits_;
        const uint64_t last = (old + cluster_size_ - 1) >> cluster_bits_;
        for (uint64_t c = first; c < last && r == 0; c++) {
            uint64_t e;
            r = get_l2_entry(c, &e);
            if (r == 0 && e) {
                r = set_l2_entry(c, 0);
                defer_free(e);
            }
        }
        if (r == 0) r = flush_metadata(false);
    }
    if (r < 0) {
        *err = std::string("Could not resize: ") + std::strerror(-r);
        return r;
    }
    hdr_.size = new_size;
    size_ = new_size;
    r = flush_metadata(false);
    if (r == 0) r = write_header();
    if (r == 0) r = barrier();
    if (r < 0) *err = std::string("Could not write the header: ") + std::strerror(-r);
    return r;
}

int Qcow2Image::truncate(uint64_t new_size) {
    std::string err;
    return resize(new_size, true, &err);
}

int Qcow2Image::set_backing(const std::string& file, const std::string& format, std::string* err) {
    std::lock_guard<std::mutex> g(lock_);
    Header nh = hdr_;
    nh.backing_file = file;
    nh.backing_format = file.empty() ? "" : format;
    std::vector<uint8_t> buf;
    if (!serialize_header(nh, &buf, err)) return -EFBIG;
    int r = flush_metadata(true);
    if (r == 0) r = file_->pwrite(0, buf.data(), buf.size());
    if (r == 0) r = barrier();
    if (r < 0) {
        *err = std::string("Could not write the header: ") + std::strerror(-r);
        return r;
    }
    hdr_ = nh;
    if (file.empty()) backing_.reset();
    return 0;
}

}  // namespace emu::block::qcow2

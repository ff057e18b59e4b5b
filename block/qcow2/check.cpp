// Consistency check and repair (emu-img check). Walks every structure that
// references clusters (header, L1/L2 of the active view and of every
// snapshot, the snapshot table, the refcount table and blocks), counts the
// references and compares them with the stored refcounts:
//   stored > counted: leak (wasted space, repaired with -r leaks)
//   stored < counted: corruption (a cluster could be handed out twice;
//                      repaired with -r all)
// Work is bounded by the file size: a table reached twice from the same L1
// is reported, not walked again, so hostile images cannot make this hang.
#include <cerrno>
#include <cinttypes>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <set>

#include "block/qcow2/qcow2.h"

namespace emu::block::qcow2 {

namespace {

std::string fmt(const char* f, ...) __attribute__((format(printf, 1, 2)));
std::string fmt(const char* f, ...) {
    char b[512];
    va_list ap;
    va_start(ap, f);
    std::vsnprintf(b, sizeof b, f, ap);
    va_end(ap);
    return b;
}

struct Walker {
    Qcow2Image* img;
    HostFile* file;
    uint64_t cs;
    uint32_t bits;
    uint64_t file_clusters;
    std::vector<uint32_t> refs;
    CheckResult* res;
    // Bad active L2 entries / L1 entries found (repairable by clearing).
    // Entries to clear with -r all, in any view: (table offset, index);
    // UINT64_MAX as table offset means the active L1 (kept in memory).
    std::set<std::pair<uint64_t, uint64_t>> bad_l2;
    std::set<std::pair<uint64_t, uint64_t>> bad_l1;
    std::set<std::pair<uint64_t, uint64_t>> clear_copied;  // compressed entries with bit 63

    bool inc(uint64_t off, uint64_t len, const char* what) {
        if (len == 0) return true;
        const uint64_t first = off / cs;
        const uint64_t last = (off + len - 1) / cs;
        if (last >= file_clusters) {
            res->messages.push_back(fmt(
                "ERROR: counting reference for region exceeding the end "
                "of the file by one cluster or more: offset 0x%" PRIx64 " size 0x%" PRIx64 " (%s)",
                off, len, what));
            res->corruptions++;
            return false;
        }
        for (uint64_t c = first; c <= last; c++)
            if (refs[c] != UINT32_MAX) refs[c]++;
        return true;
    }
};

}  // namespace

int qcow2_check_impl(Qcow2Image& img, RepairMode repair, CheckResult* res);

// Writes a new refcount table and blocks after the last cluster in use,
// describing `refs` (and themselves), then points the header at them. The
// old structures are left unreferenced (their clusters become free).
int rebuild_refcounts(Qcow2Image& img, const std::vector<uint32_t>& refs, CheckResult* res) {
    const uint64_t cs = img.cluster_size_;
    const uint64_t epb = img.refblock_entries_;
    uint64_t used = 0;
    for (uint64_t c = 0; c < refs.size(); c++)
        if (refs[c]) used = c + 1;
    for (uint64_t c = 0; c < used; c++) {
        if (refs[c] > img.refcount_max()) {
            res->messages.push_back(fmt("ERROR cluster %" PRIu64 " has %u references, more than "
                                        "refcount_bits can count",
                                        c, refs[c]));
            return -ERANGE;
        }
    }
    const uint64_t start = used;
    uint64_t nblocks = 0, tclusters = 1;
    for (;;) {
        const uint64_t end = start + tclusters + nblocks;
        const uint64_t nb = (end + epb - 1) / epb;
        const uint64_t tc = std::max<uint64_t>(1, (nb * 8 + cs - 1) / cs);
        if (nb == nblocks && tc == tclusters) break;
        nblocks = nb;
        tclusters = tc;
    }
    if (tclusters * cs > kMaxRefcountTableBytes) return -EFBIG;
    const uint64_t end = start + tclusters + nblocks;
    std::vector<uint8_t> blocks(nblocks * cs, 0);
    for (uint64_t c = 0; c < end; c++) {
        const uint64_t v = c < refs.size() && c < start ? refs[c] : (c >= start ? 1 : 0);
        if (v) refcount_entry_set(&blocks[(c / epb) * cs], c % epb, img.hdr_.refcount_order, v);
    }
    std::vector<uint8_t> table(tclusters * cs, 0);
    std::vector<uint64_t> rt(tclusters * cs / 8, 0);
    for (uint64_t b = 0; b < nblocks; b++) {
        rt[b] = (start + tclusters + b) * cs;
        put_be64(&table[b * 8], rt[b]);
    }
    int r = img.l2_cache_->write_back();  // cleared entries, before anything else
    if (r == 0) r = img.file_->pwrite(start * cs, table.data(), table.size());
    if (r == 0) r = img.file_->pwrite((start + tclusters) * cs, blocks.data(), blocks.size());
    if (r == 0) r = img.barrier();
    if (r < 0) return r;
    img.hdr_.refcount_table_offset = start * cs;
    img.hdr_.refcount_table_clusters = static_cast<uint32_t>(tclusters);
    img.reftable_ = std::move(rt);
    img.refblock_cache_->clear();
    img.end_cluster_ = end;
    img.free_hint_ = 0;
    img.compressed_cursor_ = 0;
    r = img.write_header();
    if (r == 0) r = img.barrier();
    if (r == 0)
        res->messages.push_back("Rebuilt the refcount structures (" + std::to_string(nblocks) +
                                " blocks)");
    return r;
}

CheckResult Qcow2Image::check(RepairMode repair) {
    CheckResult res;
    if (repair != RepairMode::None && read_only()) {
        res.check_errors = true;
        res.messages.push_back("ERROR: cannot repair a read-only image");
        return res;
    }
    int r = qcow2_check_impl(*this, repair, &res);
    if (r < 0) {
        res.check_errors = true;
        res.messages.push_back(std::string("ERROR: check failed: ") + std::strerror(-r));
    }
    if (r == 0 && repair == RepairMode::All && (corrupt() || corrupt_stop_)) {
        // Repaired: the corrupt mark goes once a fresh check agrees.
        CheckResult again;
        if (qcow2_check_impl(*this, RepairMode::None, &again) == 0 && !again.corruptions) {
            std::lock_guard<std::mutex> g(lock_);
            corrupt_stop_ = false;
            hdr_.incompatible_features &= ~kIncompatCorrupt;
            if (write_header() == 0) barrier();
        }
    }
    return res;
}

int qcow2_check_impl(Qcow2Image& img, RepairMode repair, CheckResult* res) {
    std::unique_lock<std::mutex> g(img.lock_);
    img.quiesce(g);
    if (!img.read_only()) {
        int r = img.flush_metadata(true);
        if (r < 0) return r;
    }
    const int64_t flen = img.file_->length();
    if (flen < 0) return static_cast<int>(flen);
    Walker w;
    w.img = &img;
    w.file = img.file_.get();
    w.cs = img.cluster_size_;
    w.bits = img.cluster_bits_;
    w.file_clusters = (static_cast<uint64_t>(flen) + w.cs - 1) / w.cs;
    w.refs.assign(w.file_clusters, 0);
    w.res = res;
    const Header& h = img.hdr_;

    w.inc(0, w.cs, "header");
    res->total_clusters = (img.size() + w.cs - 1) / w.cs;

    std::vector<uint8_t> l2(w.cs);
    uint64_t last_host = 0;
    auto walk_l1 = [&](const std::vector<uint64_t>& l1, uint64_t l1_off, bool active) -> int {
        std::set<uint64_t> seen;
        for (size_t i = 0; i < l1.size(); i++) {
            const uint64_t l2off = l1[i] & kL1OffsetMask;
            if (!l2off) continue;
            if (l2off & (w.cs - 1)) {
                res->messages.push_back(fmt("ERROR l2_offset=%" PRIx64
                                            ": Table is not cluster aligned; L1 entry corrupted",
                                            l2off));
                res->corruptions++;
                w.bad_l1.insert({l1_off, i});
                continue;
            }
            if (seen.count(l2off)) {
                res->messages.push_back(
                    fmt("ERROR l2_offset=%" PRIx64 ": L2 table used twice in one L1 table", l2off));
                res->corruptions++;
                w.bad_l1.insert({l1_off, i});
                continue;
            }
            if (!w.inc(l2off, w.cs, "L2 table")) {
                w.bad_l1.insert({l1_off, i});
                continue;
            }
            seen.insert(l2off);
            int r = w.file->pread(l2off, l2.data(), w.cs);
            if (r < 0) return r;
            for (uint64_t j = 0; j < img.l2_entries_; j++) {
                const uint64_t e = be64(&l2[j * 8]);
                const uint64_t gc = i * img.l2_entries_ + j;
                if (e & kOflagCompressed) {
                    if (e & kOflagCopied) {
                        res->messages.push_back(fmt(
                            "ERROR: compressed cluster %" PRIu64 " has the copied flag set", gc));
                        res->corruptions++;
                        w.clear_copied.insert({l2off, j});
                    }
                    CompressedDesc d = decode_compressed(e, w.bits);
                    if (!w.inc(d.host_offset, d.nb_bytes, "compressed cluster")) {
                        w.bad_l2.insert({l2off, j});
                        continue;
                    }
                    if (active) {
                        res->allocated_clusters++;
                        res->compressed_clusters++;
                    }
                    continue;
                }
                const uint64_t host = e & kL2OffsetMask;
                if (!host) {
                    if (active && h.version >= 3 && (e & kOflagZero)) res->allocated_clusters++;
                    continue;
                }
                if (host & (w.cs - 1)) {
                    res->messages.push_back(fmt("ERROR offset=%" PRIx64
                                                ": Cluster is not properly aligned; L2 entry "
                                                "corrupted.",
                                                host));
                    res->corruptions++;
                    w.bad_l2.insert({l2off, j});
                    continue;
                }
                if (!w.inc(host, w.cs, "data cluster")) {
                    w.bad_l2.insert({l2off, j});
                    continue;
                }
                if (active) {
                    res->allocated_clusters++;
                    if (last_host && host != last_host + w.cs) res->fragmented_clusters++;
                    last_host = host;
                }
            }
        }
        return 0;
    };

    // Active view.
    w.inc(h.l1_table_offset, uint64_t(h.l1_size) * 8, "L1 table");
    int r = walk_l1(img.l1_, UINT64_MAX, true);
    if (r < 0) return r;
    // Snapshots.
    std::set<uint64_t> snap_l1s;
    for (const SnapshotInfo& s : img.snapshots_) {
        if (s.l1_size && !snap_l1s.insert(s.l1_table_offset).second) {
            res->messages.push_back("ERROR snapshot " + s.id +
                                    ": L1 table shared with another "
                                    "snapshot");
            res->corruptions++;
            continue;
        }
        if (!w.inc(s.l1_table_offset, uint64_t(s.l1_size) * 8, "snapshot L1 table")) continue;
        std::vector<uint8_t> raw(uint64_t(s.l1_size) * 8);
        if (!raw.empty()) {
            r = w.file->pread(s.l1_table_offset, raw.data(), raw.size());
            if (r < 0) return r;
        }
        std::vector<uint64_t> l1(s.l1_size);
        for (uint32_t i = 0; i < s.l1_size; i++)
            l1[i] = be64(&raw[i * 8]);
        r = walk_l1(l1, s.l1_table_offset, false);
        if (r < 0) return r;
    }
    if (h.nb_snapshots) w.inc(h.snapshots_offset, img.snap_table_bytes_, "snapshot table");
    // What a rebuilt refcount structure would have to describe (everything
    // but the old refcount table and blocks).
    const std::vector<uint32_t> data_refs = w.refs;
    // Refcount structures.
    w.inc(h.refcount_table_offset, uint64_t(h.refcount_table_clusters) * w.cs, "refcount table");
    std::set<uint64_t> blocks;
    bool refcount_structure_bad = false;
    for (uint64_t e : img.reftable_) {
        const uint64_t off = e & kReftOffsetMask;
        if (!off) continue;
        w.inc(off, w.cs, "refcount block");
        if (!blocks.insert(off).second) {
            res->messages.push_back(fmt(
                "ERROR refcount block at %" PRIx64 " is used twice in the refcount table", off));
            res->corruptions++;
            refcount_structure_bad = true;
        }
        if (off / w.cs < w.file_clusters && data_refs[off / w.cs]) {
            res->messages.push_back(
                fmt("ERROR refcount block at %" PRIx64 " overlaps other metadata or data", off));
            res->corruptions++;
            refcount_structure_bad = true;
        }
    }

    // Compare. Clusters past the file can only have leaked refcounts.
    std::vector<std::pair<uint64_t, int64_t>> fixes;  // cluster, delta to apply
    uint64_t end = 0;
    for (uint64_t c = 0; c < w.file_clusters; c++)
        if (w.refs[c]) end = c + 1;
    res->image_end_offset = end * w.cs;
    for (size_t rt = 0; rt < img.reftable_.size(); rt++) {
        const uint64_t off = img.reftable_[rt] & kReftOffsetMask;
        const uint64_t base = rt * img.refblock_entries_;
        if (!off) {
            // No block: every cluster in its range has refcount 0.
            for (uint64_t c = base; c < std::min(base + img.refblock_entries_, w.file_clusters);
                 c++) {
                if (!w.refs[c]) continue;
                res->messages.push_back(
                    fmt("ERROR cluster %" PRIu64 " refcount=0 reference=%u", c, w.refs[c]));
                res->corruptions++;
                fixes.push_back({c, static_cast<int64_t>(w.refs[c])});
            }
            continue;
        }
        std::vector<uint8_t> blk(w.cs);
        r = w.file->pread(off, blk.data(), w.cs);
        if (r < 0) return r;
        for (uint64_t i = 0; i < img.refblock_entries_; i++) {
            const uint64_t c = base + i;
            const uint64_t stored = refcount_entry_get(blk.data(), i, h.refcount_order);
            const uint64_t counted = c < w.file_clusters ? w.refs[c] : 0;
            if (stored == counted) continue;
            if (stored > counted) {
                res->messages.push_back(fmt("Leaked cluster %" PRIu64 " refcount=%" PRIu64
                                            " reference=%" PRIu64,
                                            c, stored, counted));
                res->leaks++;
                if (repair != RepairMode::None)
                    fixes.push_back({c, -static_cast<int64_t>(stored - counted)});
            } else {
                res->messages.push_back(fmt("ERROR cluster %" PRIu64 " refcount=%" PRIu64
                                            " reference=%" PRIu64,
                                            c, stored, counted));
                res->corruptions++;
                if (repair == RepairMode::All)
                    fixes.push_back({c, static_cast<int64_t>(counted - stored)});
            }
        }
    }
    // Clusters past the refcount table's reach.
    for (uint64_t c = img.reftable_.size() * img.refblock_entries_; c < w.file_clusters; c++) {
        if (!w.refs[c]) continue;
        res->messages.push_back(
            fmt("ERROR cluster %" PRIu64 " refcount=0 reference=%u", c, w.refs[c]));
        res->corruptions++;
        fixes.push_back({c, static_cast<int64_t>(w.refs[c])});
    }
    // COPIED flags of the active view.
    uint64_t copied_errors = 0;
    for (size_t i = 0; i < img.l1_.size(); i++) {
        const uint64_t l2off = img.l1_[i] & kL1OffsetMask;
        if (!l2off || (l2off & (w.cs - 1)) || l2off / w.cs >= w.file_clusters) continue;
        uint64_t rc;
        if (img.get_refcount(l2off / w.cs, &rc) < 0) continue;
        if ((rc == 1) != ((img.l1_[i] & kOflagCopied) != 0)) {
            res->messages.push_back(
                fmt("ERROR OFLAG_COPIED L2 cluster: l1_index=%zu l1_entry=%" PRIx64
                    " refcount=%" PRIu64,
                    i, img.l1_[i], rc));
            copied_errors++;
        }
        r = w.file->pread(l2off, l2.data(), w.cs);
        if (r < 0) return r;
        for (uint64_t j = 0; j < img.l2_entries_; j++) {
            const uint64_t e = be64(&l2[j * 8]);
            const uint64_t host = e & kL2OffsetMask;
            if ((e & kOflagCompressed) || !host || (host & (w.cs - 1)) ||
                host / w.cs >= w.file_clusters)
                continue;
            if (img.get_refcount(host / w.cs, &rc) < 0) continue;
            if ((rc == 1) != ((e & kOflagCopied) != 0)) {
                res->messages.push_back(fmt("ERROR OFLAG_COPIED data cluster: l2_entry=%" PRIx64
                                            " refcount=%" PRIu64,
                                            e, rc));
                copied_errors++;
            }
        }
    }
    res->corruptions += copied_errors;

    if (repair == RepairMode::None) return 0;
    if (fixes.empty() && copied_errors == 0 && w.bad_l1.empty() && w.bad_l2.empty() &&
        w.clear_copied.empty() && !refcount_structure_bad)
        return 0;

    // Repair. Entries that point outside the file are cleared first (their
    // data is gone), then refcounts are set to the counted values.
    bool rebuilt = false;
    if (repair == RepairMode::All) {
        for (auto& [l1off, i] : w.bad_l1) {
            if (l1off == UINT64_MAX) {
                img.l1_[i] = 0;
                img.l1_dirty_ = true;
            } else {
                const uint8_t zero[8] = {};
                r = img.file_->pwrite(l1off + i * 8, zero, 8);
                if (r < 0) return r;
            }
            res->corruptions_fixed++;
        }
        // In place, without allocating: the refcounts cannot be trusted yet.
        auto patch_l2 = [&](uint64_t l2off, uint64_t j, bool only_copied) -> int {
            uint8_t* t;
            int rr = img.l2_cache_->get(l2off, &t);
            if (rr < 0) return rr;
            const uint64_t e = be64(t + j * 8);
            put_be64(t + j * 8, only_copied ? (e & ~kOflagCopied) : 0);
            img.l2_cache_->mark_dirty(l2off);
            res->corruptions_fixed++;
            return 0;
        };
        for (auto& [l2off, j] : w.bad_l2) {
            r = patch_l2(l2off, j, false);
            if (r < 0) return r;
        }
        for (auto& [l2off, j] : w.clear_copied) {
            if (w.bad_l2.count({l2off, j})) continue;
            r = patch_l2(l2off, j, true);
            if (r < 0) return r;
        }
        bool undercounted = refcount_structure_bad;
        for (auto& f : fixes)
            undercounted |= f.second > 0;
        if (undercounted) {
            // Fixing refcounts through possibly broken refcount blocks could
            // overwrite data: write a complete new refcount structure instead.
            r = rebuild_refcounts(img, data_refs, res);
            if (r < 0) return r;
            for (auto& f : fixes)
                (f.second > 0 ? res->corruptions_fixed : res->leaks_fixed)++;
            if (refcount_structure_bad) res->corruptions_fixed++;
            fixes.clear();
            rebuilt = true;  // recompute every COPIED flag below
        }
    }
    // New clusters for refcount blocks must land past everything referenced.
    img.end_cluster_ = std::max<uint64_t>(img.end_cluster_, w.file_clusters);
    for (auto& [c, delta] : fixes) {
        if (delta < 0) {
            uint64_t rc;
            r = img.get_refcount(c, &rc);
            if (r < 0) return r;
            r = img.update_refcount(c, delta);
            if (r < 0) return r;
            res->leaks_fixed++;
        } else {
            r = img.update_refcount(c, delta);
            if (r < 0) return r;
            res->corruptions_fixed++;
        }
    }
    // Changed refcounts change which clusters are exclusively owned, so the
    // copied flags are recomputed after any repair (with -r leaks too: a
    // flag we made stale is ours to fix).
    if ((repair == RepairMode::All && copied_errors) || rebuilt || !fixes.empty()) {
        r = img.fix_copied_flags();
        if (r < 0) return r;
        if (repair == RepairMode::All) res->corruptions_fixed += copied_errors;
    }
    return img.flush_metadata(true);
}

}  // namespace emu::block::qcow2

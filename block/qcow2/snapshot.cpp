// Internal snapshots: the snapshot table and create/apply/delete.
//
// A snapshot is a copy of the active L1 table; every cluster it reaches gets
// one more reference. Ordering: refcount increments are durable before the
// snapshot table (or active L1) that needs them, and decrements happen only
// after nothing on disk references the old view any more, so a crash leaves
// at most leaked clusters.
#include <cerrno>
#include <cinttypes>
#include <cstring>
#include <ctime>
#include <unordered_map>

#include "block/qcow2/qcow2.h"

namespace emu::block::qcow2 {

namespace {
constexpr size_t kSnapFixed = 40;
}

int Qcow2Image::load_snapshots(std::string* err) {
    snapshots_.clear();
    if (hdr_.nb_snapshots == 0) return 0;
    const int64_t flen = file_->length();
    uint64_t off = hdr_.snapshots_offset;
    const uint64_t start = off;
    for (uint32_t i = 0; i < hdr_.nb_snapshots; i++) {
        uint8_t fix[kSnapFixed];
        if (off + kSnapFixed > static_cast<uint64_t>(flen)) {
            *err = "Snapshot table entry " + std::to_string(i) + " is past the end of the file";
            return -EINVAL;
        }
        if (file_->pread(off, fix, sizeof fix) < 0) {
            *err = "Could not read the snapshot table";
            return -EIO;
        }
        SnapshotInfo s;
        s.l1_table_offset = be64(fix);
        s.l1_size = be32(fix + 8);
        const uint16_t id_len = be16(fix + 12);
        const uint16_t name_len = be16(fix + 14);
        s.date_sec = be32(fix + 16);
        s.date_nsec = be32(fix + 20);
        s.vm_clock_nsec = be64(fix + 24);
        s.vm_state_size = be32(fix + 32);
        const uint32_t extra_len = be32(fix + 36);
        if (extra_len > 1024) {
            *err = "Snapshot " + std::to_string(i) + " has too much extra data";
            return -EINVAL;
        }
        const uint64_t var = uint64_t(extra_len) + id_len + name_len;
        const uint64_t entry = (kSnapFixed + var + 7) & ~7ull;
        if (off - start + entry > kMaxSnapshotTableBytes || off + entry > uint64_t(flen) + 8) {
            *err = "Snapshot table is too large or runs past the end of the file";
            return -EINVAL;
        }
        std::vector<uint8_t> v(var);
        if (var && file_->pread(off + kSnapFixed, v.data(), v.size()) < 0) {
            *err = "Could not read the snapshot table";
            return -EIO;
        }
        s.disk_size = hdr_.size;
        if (extra_len >= 8) s.vm_state_size = be64(v.data());
        if (extra_len >= 16) s.disk_size = be64(v.data() + 8);
        if (extra_len >= 24) s.icount = be64(v.data() + 16);
        if (extra_len > 24) s.extra.assign(v.begin() + 24, v.begin() + extra_len);
        s.id.assign(reinterpret_cast<char*>(v.data()) + extra_len, id_len);
        s.name.assign(reinterpret_cast<char*>(v.data()) + extra_len + id_len, name_len);
        const uint64_t l1_bytes = uint64_t(s.l1_size) * 8;
        if (l1_bytes > kMaxL1Bytes) {
            *err = "Snapshot L1 table too large (snapshot " + s.id + ")";
            return -EFBIG;
        }
        if ((s.l1_table_offset & (cluster_size_ - 1)) ||
            (l1_bytes && (s.l1_table_offset == 0 ||
                          s.l1_table_offset + l1_bytes > static_cast<uint64_t>(flen)))) {
            *err = "Snapshot L1 table offset invalid (snapshot " + s.id + ")";
            return -EINVAL;
        }
        snapshots_.push_back(std::move(s));
        off += entry;
    }
    snap_table_bytes_ = off - start;
    return 0;
}

std::vector<SnapshotInfo> Qcow2Image::snapshots() const {
    std::lock_guard<std::mutex> g(lock_);
    return snapshots_;
}

int Qcow2Image::write_snapshot_table(const std::vector<SnapshotInfo>& list, std::string* err) {
    std::vector<uint8_t> t;
    for (const SnapshotInfo& s : list) {
        const size_t base = t.size();
        const uint32_t extra_len = 24 + static_cast<uint32_t>(s.extra.size());
        const size_t entry =
            (kSnapFixed + extra_len + s.id.size() + s.name.size() + 7) & ~size_t(7);
        t.resize(base + entry, 0);
        uint8_t* p = &t[base];
        put_be64(p, s.l1_table_offset);
        put_be32(p + 8, s.l1_size);
        put_be16(p + 12, static_cast<uint16_t>(s.id.size()));
        put_be16(p + 14, static_cast<uint16_t>(s.name.size()));
        put_be32(p + 16, s.date_sec);
        put_be32(p + 20, s.date_nsec);
        put_be64(p + 24, s.vm_clock_nsec);
        put_be32(p + 32, static_cast<uint32_t>(std::min<uint64_t>(s.vm_state_size, UINT32_MAX)));
        put_be32(p + 36, extra_len);
        put_be64(p + 40, s.vm_state_size);
        put_be64(p + 48, s.disk_size);
        put_be64(p + 56, s.icount);
        if (!s.extra.empty()) std::memcpy(p + 64, s.extra.data(), s.extra.size());
        std::memcpy(p + kSnapFixed + extra_len, s.id.data(), s.id.size());
        std::memcpy(p + kSnapFixed + extra_len + s.id.size(), s.name.data(), s.name.size());
    }
    const uint64_t old_off = hdr_.snapshots_offset;
    const uint64_t old_bytes = snap_table_bytes_;
    uint64_t new_off = 0;
    int r = 0;
    if (!t.empty()) {
        const uint64_t n = (t.size() + cluster_size_ - 1) / cluster_size_;
        r = alloc_clusters(n, &new_off);
        if (r == 0) r = file_->pwrite(new_off, t.data(), t.size());
        if (r == 0) r = flush_metadata(true);
    }
    if (r == 0) {
        hdr_.nb_snapshots = static_cast<uint32_t>(list.size());
        hdr_.snapshots_offset = new_off;
        r = write_header();
        if (r == 0) r = barrier();
    }
    if (r == 0 && old_off && old_bytes)
        r = free_clusters_now(old_off, (old_bytes + cluster_size_ - 1) / cluster_size_);
    if (r < 0) {
        *err = std::string("Could not write the snapshot table: ") + std::strerror(-r);
        return r;
    }
    snapshots_ = list;
    snap_table_bytes_ = t.size();
    return 0;
}

int Qcow2Image::update_l1_refcounts(uint64_t l1_offset, uint32_t l1_size,
                                    const std::vector<uint64_t>* l1_mem, int64_t delta) {
    std::vector<uint64_t> l1;
    if (l1_mem) {
        l1 = *l1_mem;
    } else {
        std::vector<uint8_t> raw(uint64_t(l1_size) * 8);
        int r = file_->pread(l1_offset, raw.data(), raw.size());
        if (r < 0) return r;
        l1.resize(l1_size);
        for (uint32_t i = 0; i < l1_size; i++)
            l1[i] = be64(&raw[i * 8]);
    }
    std::vector<uint8_t> l2(cluster_size_);
    for (uint64_t e : l1) {
        const uint64_t l2off = e & kL1OffsetMask;
        if (!l2off) continue;
        uint8_t* t;
        int r = l2_cache_->get(l2off, &t);
        if (r < 0) return r;
        std::memcpy(l2.data(), t, cluster_size_);
        for (uint64_t i = 0; i < l2_entries_; i++) {
            const uint64_t d = be64(&l2[i * 8]);
            if (d & kOflagCompressed) {
                CompressedDesc c = decode_compressed(d, cluster_bits_);
                for (uint64_t cl = c.host_offset >> cluster_bits_;
                     cl <= (c.host_offset + c.nb_bytes - 1) >> cluster_bits_; cl++) {
                    r = update_refcount(cl, delta);
                    if (r < 0) return r;
                }
            } else if (d & kL2OffsetMask) {
                r = update_refcount((d & kL2OffsetMask) >> cluster_bits_, delta);
                if (r < 0) return r;
            }
        }
        r = update_refcount(l2off >> cluster_bits_, delta);
        if (r < 0) return r;
    }
    return 0;
}

// Fails with -ERANGE, before anything is changed, when giving every cluster
// reachable from l1 one more reference would overflow a refcount.
int Qcow2Image::check_refcount_room(const std::vector<uint64_t>& l1) {
    std::unordered_map<uint64_t, uint64_t> adds;
    std::vector<uint8_t> l2(cluster_size_);
    for (uint64_t e : l1) {
        const uint64_t l2off = e & kL1OffsetMask;
        if (!l2off) continue;
        adds[l2off >> cluster_bits_]++;
        uint8_t* t;
        int r = l2_cache_->get(l2off, &t);
        if (r < 0) return r;
        std::memcpy(l2.data(), t, cluster_size_);
        for (uint64_t i = 0; i < l2_entries_; i++) {
            const uint64_t d = be64(&l2[i * 8]);
            if (d & kOflagCompressed) {
                CompressedDesc c = decode_compressed(d, cluster_bits_);
                for (uint64_t cl = c.host_offset >> cluster_bits_;
                     cl <= (c.host_offset + c.nb_bytes - 1) >> cluster_bits_; cl++)
                    adds[cl]++;
            } else if (d & kL2OffsetMask) {
                adds[(d & kL2OffsetMask) >> cluster_bits_]++;
            }
        }
    }
    for (auto& [cl, n] : adds) {
        uint64_t rc;
        int r = get_refcount(cl, &rc);
        if (r < 0) return r;
        if (refcount_max() - rc < n) return -ERANGE;
    }
    return 0;
}

int Qcow2Image::fix_copied_flags() {
    for (size_t i = 0; i < l1_.size(); i++) {
        const uint64_t l2off = l1_[i] & kL1OffsetMask;
        if (!l2off) continue;
        uint64_t rc;
        int r = get_refcount(l2off >> cluster_bits_, &rc);
        if (r < 0) return r;
        const uint64_t ne = rc == 1 ? (l2off | kOflagCopied) : l2off;
        if (ne != l1_[i]) {
            l1_[i] = ne;
            l1_dirty_ = true;
        }
        std::vector<uint64_t> updates(l2_entries_, UINT64_MAX);
        {
            uint8_t* t;
            r = l2_cache_->get(l2off, &t);
            if (r < 0) return r;
            for (uint64_t j = 0; j < l2_entries_; j++) {
                const uint64_t d = be64(t + j * 8);
                if ((d & kOflagCompressed) || !(d & kL2OffsetMask)) continue;
                uint64_t drc;
                // Refcount lookups only touch the other cache; t stays valid.
                r = get_refcount((d & kL2OffsetMask) >> cluster_bits_, &drc);
                if (r < 0) return r;
                const uint64_t nd = drc == 1 ? (d | kOflagCopied) : (d & ~kOflagCopied);
                if (nd != d) updates[j] = nd;
            }
            bool changed = false;
            for (uint64_t j = 0; j < l2_entries_; j++) {
                if (updates[j] == UINT64_MAX) continue;
                put_be64(t + j * 8, updates[j]);
                changed = true;
            }
            if (changed) l2_cache_->mark_dirty(l2off);
        }
    }
    return 0;
}

int Qcow2Image::snapshot_create(const std::string& name, std::string* err) {
    if (read_only()) {
        *err = "Image is read-only";
        return -EROFS;
    }
    std::lock_guard<std::mutex> g(lock_);
    uint64_t max_id = 0;
    for (const SnapshotInfo& s : snapshots_) {
        if (s.name == name) {
            *err = "Snapshot with name '" + name + "' already exists";
            return -EEXIST;
        }
        max_id = std::max<uint64_t>(max_id, std::strtoull(s.id.c_str(), nullptr, 10));
    }
    if (snapshots_.size() >= kMaxSnapshots) {
        *err = "Too many snapshots";
        return -EFBIG;
    }
    int r = flush_metadata(true);
    if (r == 0) r = check_refcount_room(l1_);
    if (r == -ERANGE) {
        *err = "Could not create snapshot '" + name +
               "': refcount overflow (refcount_bits too "
               "small for another snapshot)";
        return r;
    }
    SnapshotInfo s;
    s.id = std::to_string(max_id + 1);
    s.name = name;
    s.l1_size = static_cast<uint32_t>(l1_.size());
    s.disk_size = size_.load();
    timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    s.date_sec = static_cast<uint32_t>(ts.tv_sec);
    s.date_nsec = static_cast<uint32_t>(ts.tv_nsec);
    // Copy of the L1 table (COPIED flags are meaningful only in the active one).
    std::vector<uint8_t> raw(l1_.size() * 8);
    for (size_t i = 0; i < l1_.size(); i++)
        put_be64(&raw[i * 8], l1_[i] & ~kOflagCopied);
    if (r == 0 && !raw.empty()) {
        r = alloc_clusters((raw.size() + cluster_size_ - 1) / cluster_size_, &s.l1_table_offset);
        if (r == 0) r = file_->pwrite(s.l1_table_offset, raw.data(), raw.size());
    }
    if (r == 0) r = update_l1_refcounts(0, 0, &l1_, 1);
    if (r == -ERANGE) {
        *err = "Could not create snapshot '" + name +
               "': refcount overflow (refcount_bits too "
               "small for another snapshot)";
        return r;
    }
    if (r == 0) r = flush_metadata(true);
    std::vector<SnapshotInfo> list = snapshots_;
    list.push_back(s);
    if (r < 0) {
        *err = "Could not create snapshot '" + name + "': " + std::strerror(-r);
        return r;
    }
    r = write_snapshot_table(list, err);
    if (r < 0) return r;
    r = fix_copied_flags();
    if (r == 0) r = flush_metadata(true);
    if (r < 0) *err = std::string("Could not update the active L1/L2 tables: ") + std::strerror(-r);
    return r;
}

static int find_snapshot(const std::vector<SnapshotInfo>& list, const std::string& key) {
    for (size_t i = 0; i < list.size(); i++)
        if (list[i].id == key) return static_cast<int>(i);
    for (size_t i = 0; i < list.size(); i++)
        if (list[i].name == key) return static_cast<int>(i);
    return -1;
}

int Qcow2Image::snapshot_apply(const std::string& key, std::string* err) {
    if (read_only()) {
        *err = "Image is read-only";
        return -EROFS;
    }
    std::lock_guard<std::mutex> g(lock_);
    const int idx = find_snapshot(snapshots_, key);
    if (idx < 0) {
        *err = "Can't find snapshot '" + key + "'";
        return -ENOENT;
    }
    const SnapshotInfo sn = snapshots_[idx];
    int r = flush_metadata(true);
    if (r < 0) return r;
    std::vector<uint64_t> nl1(sn.l1_size);
    {
        std::vector<uint8_t> raw(uint64_t(sn.l1_size) * 8);
        if (!raw.empty()) r = file_->pread(sn.l1_table_offset, raw.data(), raw.size());
        if (r < 0) return r;
        for (uint32_t i = 0; i < sn.l1_size; i++)
            nl1[i] = be64(&raw[i * 8]) & ~kOflagCopied;
    }
    // The active L1 must be big enough for the snapshot's table and size.
    const uint64_t per_l1 = cluster_size_ * l2_entries_;
    const uint64_t need = std::max<uint64_t>(nl1.size(), (sn.disk_size + per_l1 - 1) / per_l1);
    if (need > l1_.size()) {
        r = grow_l1(need);
        if (r < 0) return r;
    }
    nl1.resize(l1_.size(), 0);
    r = check_refcount_room(nl1);
    if (r == -ERANGE) {
        *err = "refcount overflow";
        return r;
    }
    if (r == 0) r = update_l1_refcounts(0, 0, &nl1, 1);
    if (r == 0) r = flush_metadata(true);
    if (r < 0) {
        *err = std::string("Could not apply snapshot: ") + std::strerror(-r);
        return r;
    }
    std::vector<uint64_t> old = l1_;
    l1_ = nl1;
    l1_dirty_ = true;
    r = flush_metadata(true);  // new active L1 on disk before the old one's references drop
    if (r == 0) r = update_l1_refcounts(0, 0, &old, -1);
    if (r == 0 && sn.disk_size != hdr_.size) {
        hdr_.size = sn.disk_size;
        size_ = sn.disk_size;
        r = write_header();
    }
    if (r == 0) r = fix_copied_flags();
    if (r == 0) r = flush_metadata(true);
    decomp_entry_ = 0;
    compressed_gen_++;
    if (r < 0) *err = std::string("Could not apply snapshot: ") + std::strerror(-r);
    return r;
}

int Qcow2Image::snapshot_delete(const std::string& key, std::string* err) {
    if (read_only()) {
        *err = "Image is read-only";
        return -EROFS;
    }
    std::lock_guard<std::mutex> g(lock_);
    const int idx = find_snapshot(snapshots_, key);
    if (idx < 0) {
        *err = "Could not delete snapshot '" + key + "': snapshot not found";
        return -ENOENT;
    }
    const SnapshotInfo sn = snapshots_[idx];
    std::vector<SnapshotInfo> list = snapshots_;
    list.erase(list.begin() + idx);
    int r = flush_metadata(true);
    if (r == 0) r = write_snapshot_table(list, err);
    if (r < 0) return r;
    r = update_l1_refcounts(sn.l1_table_offset, sn.l1_size, nullptr, -1);
    if (r == 0 && sn.l1_size)
        r = free_clusters_now(sn.l1_table_offset,
                              (uint64_t(sn.l1_size) * 8 + cluster_size_ - 1) / cluster_size_);
    if (r == 0) r = fix_copied_flags();
    if (r == 0) r = flush_metadata(true);
    if (r < 0) *err = std::string("Could not delete snapshot: ") + std::strerror(-r);
    return r;
}

}  // namespace emu::block::qcow2

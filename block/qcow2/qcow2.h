#pragma once
// The qcow2 driver. The implementation is split by concern:
//   qcow2_open.cpp    open/close, header updates, dirty bit, resize
//   header.cpp        header parsing and writing
//   metadata_cache.*  L2 / refcount-block cache
//   refcount.cpp      refcounts and cluster allocation
//   cluster_map.cpp   L1/L2 lookup and update, metadata write ordering
//   io.cpp            guest reads, writes, discard, zeroes, block status
//   compression.*     zlib / zstd cluster (de)compression
//   snapshot.cpp      internal snapshots
//   check.cpp         consistency check and repair (emu-img check)
//   create.cpp        new images
// One mutex serialises all requests on an image.
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "block/block_driver.h"
#include "block/host_file.h"
#include "block/qcow2/metadata_cache.h"
#include "block/qcow2/qcow2_format.h"

namespace emu::block {
struct ChainContext;
}

namespace emu::block::qcow2 {

struct SnapshotInfo {
    std::string id;
    std::string name;
    uint64_t l1_table_offset = 0;
    uint32_t l1_size = 0;
    uint32_t date_sec = 0;
    uint32_t date_nsec = 0;
    uint64_t vm_clock_nsec = 0;
    uint64_t vm_state_size = 0;
    uint64_t disk_size = 0;
    uint64_t icount = UINT64_MAX;  // not recorded
    std::vector<uint8_t> extra;    // extra data beyond the fields we know
};

struct CreateOptions {
    uint64_t size = 0;
    uint32_t version = 3;  // compat=0.10 -> 2, 1.1 -> 3
    uint32_t cluster_bits = 16;
    uint32_t refcount_order = 4;
    CompressionType compression = CompressionType::Zlib;
    std::string backing_file;
    std::string backing_format;
    std::string preallocation = "off";  // off, metadata, falloc, full
    bool lazy_refcounts = false;
};

struct CheckResult {
    uint64_t corruptions = 0;
    uint64_t leaks = 0;
    uint64_t corruptions_fixed = 0;
    uint64_t leaks_fixed = 0;
    uint64_t image_end_offset = 0;
    uint64_t allocated_clusters = 0;
    uint64_t total_clusters = 0;
    uint64_t fragmented_clusters = 0;
    uint64_t compressed_clusters = 0;
    bool check_errors = false;          // the check itself could not complete
    std::vector<std::string> messages;  // "ERROR ...", "Leaked cluster ..."
};

enum class RepairMode { None, Leaks, All };

class Qcow2Image final : public BlockDriver {
  public:
    ~Qcow2Image() override;

    static std::unique_ptr<Qcow2Image> open(const std::string& path, const OpenOptions& opts,
                                            ChainContext& chain, std::string* err);
    static int create(const std::string& path, const CreateOptions& opts, std::string* err);

    // BlockDriver
    std::string_view format_name() const override { return "qcow2"; }
    const std::string& filename() const override { return file_->path(); }
    uint64_t size() const override { return size_.load(); }
    bool read_only() const override { return file_->read_only(); }
    int preadv(uint64_t offset, IoVecSpan iov) override;
    int pwritev(uint64_t offset, IoVecSpan iov) override;
    int flush() override;
    int discard(uint64_t offset, uint64_t bytes) override;
    int write_zeroes(uint64_t offset, uint64_t bytes, bool may_unmap) override;
    int block_status(uint64_t offset, uint64_t bytes, BlockStatus* out) override;
    int truncate(uint64_t new_size) override;
    int64_t allocated_file_size() const override { return file_->allocated_bytes(); }
    BlockDriver* backing() const override { return backing_.get(); }

    // qcow2 specifics (emu-img).
    const Header& header() const { return hdr_; }
    uint64_t cluster_size() const { return cluster_size_; }
    bool dirty() const { return hdr_.incompatible_features & kIncompatDirty; }
    bool corrupt() const { return hdr_.incompatible_features & kIncompatCorrupt; }
    // Writes one whole cluster compressed (the cluster must be within size()).
    // `compressed` comes from compress_cluster(); empty means "store raw".
    int write_compressed(uint64_t offset, const uint8_t* raw,
                         const std::vector<uint8_t>& compressed);
    std::vector<SnapshotInfo> snapshots() const;
    int snapshot_create(const std::string& name, std::string* err);
    int snapshot_apply(const std::string& name_or_id, std::string* err);
    int snapshot_delete(const std::string& name_or_id, std::string* err);
    // Changes the backing file name/format recorded in the header only.
    int set_backing(const std::string& file, const std::string& format, std::string* err);
    // Replaces the opened backing chain (rebase in safe mode).
    void replace_backing(std::unique_ptr<BlockDriver> b) { backing_ = std::move(b); }
    CheckResult check(RepairMode repair);
    int resize(uint64_t new_size, bool shrink, std::string* err);
    // preallocation=metadata/falloc/full on a freshly created image.
    int preallocate(const std::string& mode, std::string* err);

  private:
    Qcow2Image() = default;
    friend int qcow2_check_impl(Qcow2Image&, RepairMode, CheckResult*);

    // --- header (qcow2_open.cpp)
    int write_header();
    int set_dirty_bit(bool on);
    int grow_l1(uint64_t min_entries);

    // --- refcounts (refcount.cpp)
    int get_refcount(uint64_t cluster, uint64_t* out);
    int update_refcount(uint64_t cluster, int64_t delta);
    int alloc_clusters(uint64_t n, uint64_t* host_offset);
    int alloc_bytes(uint64_t n, uint64_t* host_offset);
    int free_clusters_now(uint64_t host_offset, uint64_t n);
    int ensure_refblock(uint64_t rt_index);
    int grow_refcount_table(uint64_t min_entries);
    uint64_t refcount_max() const {
        return hdr_.refcount_order == 6 ? UINT64_MAX : (1ull << (1u << hdr_.refcount_order)) - 1;
    }

    // --- cluster mapping and ordering (cluster_map.cpp)
    int get_l2_entry(uint64_t guest_cluster, uint64_t* entry);
    int l2_table_for_write(uint64_t guest_cluster, uint8_t** table, uint64_t* l2_offset);
    int set_l2_entry(uint64_t guest_cluster, uint64_t entry);
    int flush_metadata(bool sync);
    int before_l2_writeback();
    void defer_free(uint64_t l2_entry);
    void defer_free_cluster(uint64_t host_offset);
    int process_deferred_frees();
    int barrier();

    // --- data path (io.cpp)
    int read_cluster_part(uint64_t entry, uint64_t guest_off, uint64_t in_off, IoVecSpan iov);
    int read_guest_range(uint64_t offset, IoVecSpan iov);
    int write_range_locked(uint64_t offset, IoVecSpan iov);
    int read_compressed(uint64_t entry, uint8_t* out);
    int zero_clusters_locked(uint64_t offset, uint64_t bytes, bool unmap, bool discard_only);

    // --- snapshots (snapshot.cpp)
    int load_snapshots(std::string* err);
    int write_snapshot_table(const std::vector<SnapshotInfo>& list, std::string* err);
    int update_l1_refcounts(uint64_t l1_offset, uint32_t l1_size, const std::vector<uint64_t>* l1,
                            int64_t delta);
    int fix_copied_flags();
    int check_refcount_room(const std::vector<uint64_t>& l1);

    std::unique_ptr<HostFile> file_;
    std::unique_ptr<BlockDriver> backing_;
    Header hdr_;
    std::atomic<uint64_t> size_{0};
    uint64_t cluster_size_ = 0;
    uint32_t cluster_bits_ = 0;
    uint64_t l2_entries_ = 0;
    uint64_t refblock_entries_ = 0;
    std::vector<uint64_t> l1_;
    bool l1_dirty_ = false;
    std::vector<uint64_t> reftable_;
    std::unique_ptr<MetadataCache> l2_cache_;
    std::unique_ptr<MetadataCache> refblock_cache_;
    std::vector<SnapshotInfo> snapshots_;
    uint64_t snap_table_bytes_ = 0;
    std::vector<uint64_t> deferred_frees_;  // host cluster offsets, freed after L2/L1 are durable
    bool opened_ = false;
    bool unsynced_ = false;  // writes issued since the last barrier
    bool lazy_refcounts_ = false;
    bool dirty_marked_ = false;
    bool discard_unmap_ = true;
    uint64_t free_hint_ = 0;          // first cluster that may be free
    uint64_t end_cluster_ = 0;        // every cluster from here on is free
    uint64_t compressed_cursor_ = 0;  // next byte for packed compressed data
    // The last decompressed cluster (sequential reads decompress once).
    uint64_t decomp_entry_ = 0;
    std::vector<uint8_t> decomp_buf_;
    uint64_t compressed_gen_ = 0;  // bumped when a compressed L2 entry is replaced
    unsigned readers_ = 0;         // reads running without the lock
    std::vector<uint8_t> bounce_;
    mutable std::mutex lock_;
};

// Refcount entry access for any refcount width (refcount.cpp).
uint64_t refcount_entry_get(const uint8_t* block, uint64_t idx, uint32_t order);
void refcount_entry_set(uint8_t* block, uint64_t idx, uint32_t order, uint64_t v);

// Compression (compression.cpp). Returns an empty vector when the data does
// not compress to less than a cluster.
std::vector<uint8_t> compress_cluster(CompressionType type, const uint8_t* data, size_t len);
// Decompresses into out[0..out_len); 0 on success, -EIO on bad data.
int decompress_cluster(CompressionType type, const uint8_t* in, size_t in_len, uint8_t* out,
                       size_t out_len);

}  // namespace emu::block::qcow2

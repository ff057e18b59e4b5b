#pragma once
// The block driver interface: one open disk image (raw file, qcow2, ...),
// addressed in bytes of the guest-visible disk.
//
// Contract (shared by every driver, in the spirit of rust-vmm's block traits):
// - Every call returns 0 on success or a negative errno (-EIO, -ENOSPC,
//   -EINVAL, -EROFS, -ENOTSUP, ...). Nothing throws across this interface.
// - Offsets and lengths are bytes. Requests must lie inside [0, size());
//   a request that does not gets -EINVAL (the caller is expected to have
//   checked against size() already, e.g. virtio-blk reports IOERR).
// - Drivers are safe to call from several threads at once (the block
//   backend's worker pool does); a driver may serialise internally.
// - Durability: a completed write is visible to later reads at once. It is
//   durable across a host crash only after a later flush() returns 0 (unless
//   the image was opened with a write-through cache mode, in which case
//   every write is flushed before it completes). Metadata ordering inside a
//   driver guarantees that a crash at any moment never exposes data that was
//   not written and never loses data a completed flush covered.
// - read-only drivers return -EROFS from every modifying call.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

namespace emu::block {

// One piece of a scatter/gather list (host memory, e.g. a span of guest RAM).
struct IoVec {
    void* base;
    size_t len;
};
using IoVecSpan = std::span<const IoVec>;

inline size_t iov_total(IoVecSpan iov) {
    size_t n = 0;
    for (const IoVec& v : iov)
        n += v.len;
    return n;
}

// What block_status() reports about the run of bytes starting at `offset`.
enum BlockStatusFlag : uint32_t {
    BLOCK_STATUS_DATA = 1u << 0,        // reads come from stored data
    BLOCK_STATUS_ZERO = 1u << 1,        // reads return zeroes
    BLOCK_STATUS_ALLOCATED = 1u << 2,   // this layer (not a backing file) decides the content
    BLOCK_STATUS_COMPRESSED = 1u << 3,  // stored compressed (qcow2)
    BLOCK_STATUS_PRESENT = 1u << 4,     // allocated in this image or a backing file
};

struct BlockStatus {
    uint32_t flags = 0;
    uint64_t bytes = 0;        // length of the run with these flags (> 0)
    int64_t host_offset = -1;  // offset in the image file when DATA and not compressed
    int depth = 0;             // 0: this image, 1: its backing file, ...
};

enum class CacheMode {
    Writeback,     // host page cache, flush honoured (default)
    None,          // O_DIRECT, flush honoured
    Writethrough,  // host page cache, every write flushed before completion
    DirectSync,    // O_DIRECT and every write flushed
    Unsafe,        // flush ignored (emu-img convert's output default)
};
// Parses QEMU's cache= names: writeback, none, writethrough, directsync, unsafe.
bool parse_cache_mode(std::string_view s, CacheMode* out);

class BlockDriver {
  public:
    virtual ~BlockDriver() = default;

    virtual std::string_view format_name() const = 0;  // "raw", "qcow2"
    virtual const std::string& filename() const = 0;
    virtual uint64_t size() const = 0;  // guest-visible bytes
    virtual bool read_only() const = 0;

    // Reads iov_total(iov) bytes at offset. Unallocated areas read as the
    // backing file's content or zeroes.
    virtual int preadv(uint64_t offset, IoVecSpan iov) = 0;
    virtual int pwritev(uint64_t offset, IoVecSpan iov) = 0;
    // Makes every completed write durable (no-op under cache=unsafe).
    virtual int flush() = 0;
    // Hint that the range is no longer needed; later reads return zeroes or
    // the old content (for qcow2 with a backing file: zeroes). May do nothing.
    virtual int discard(uint64_t offset, uint64_t bytes) = 0;
    // Makes the range read as zeroes; may_unmap allows freeing the storage.
    virtual int write_zeroes(uint64_t offset, uint64_t bytes, bool may_unmap) = 0;
    // Status of the run starting at offset (at most `bytes` long).
    virtual int block_status(uint64_t offset, uint64_t bytes, BlockStatus* out) = 0;
    // Changes the guest-visible size (growing reads as zeroes).
    virtual int truncate(uint64_t new_size) = 0;

    // Bytes the image occupies on the host (for "disk size"); -errno on error.
    virtual int64_t allocated_file_size() const = 0;
    // The next image in the backing chain, or nullptr.
    virtual BlockDriver* backing() const { return nullptr; }

    // Convenience wrappers for one contiguous buffer.
    int pread(uint64_t offset, void* buf, size_t len) {
        IoVec v{buf, len};
        return preadv(offset, IoVecSpan(&v, 1));
    }
    int pwrite(uint64_t offset, const void* buf, size_t len) {
        IoVec v{const_cast<void*>(buf), len};
        return pwritev(offset, IoVecSpan(&v, 1));
    }
};

struct OpenOptions {
    std::string format;  // "raw", "qcow2", or empty to probe
    bool read_only = false;
    // Writes go to a temporary qcow2 overlay that is deleted on close
    // (-drive snapshot=on, -snapshot); the image itself is opened read-only.
    bool snapshot = false;
    CacheMode cache = CacheMode::Writeback;
    bool open_backing = true;  // follow backing_file (emu-img info/rebase -u turn it off)
    // Overrides the format of the first backing file (emu-img rebase -F).
    std::string backing_format;
    // -drive discard=unmap: guest discards free space (default: ignored).
    bool discard_unmap = true;
    // Writes into a dirty lazy-refcount image repair its refcounts on open;
    // emu-img check turns this off to report what it finds.
    bool repair_on_open = true;
};

// Opens an image and (unless told otherwise) its backing chain. Returns
// nullptr and a message naming the file and the problem on failure.
std::unique_ptr<BlockDriver> open_image(const std::string& path, const OpenOptions& opts,
                                        std::string* err);

// Probes the format of a file from its first bytes ("qcow2" or "raw").
std::string probe_format(const std::string& path, std::string* err);

}  // namespace emu::block

#pragma once
// A host file opened for an image: full-length positioned I/O with EINTR and
// short-transfer handling, O_DIRECT alignment (bounce buffers), hole
// punching and the cache-mode flush policy. Thread-safe (positioned I/O only).
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "block/block_driver.h"

namespace emu::block {

class HostFile {
  public:
    // Opens `path`; on failure returns nullptr with a message in *err.
    static std::unique_ptr<HostFile> open(const std::string& path, bool read_only, CacheMode cache,
                                          std::string* err);
    // Creates (truncating) a new file for writing.
    static std::unique_ptr<HostFile> create(const std::string& path, std::string* err);
    ~HostFile();
    HostFile(const HostFile&) = delete;
    HostFile& operator=(const HostFile&) = delete;

    const std::string& path() const { return path_; }
    bool read_only() const { return read_only_; }
    CacheMode cache() const { return cache_; }
    int fd() const { return fd_; }

    // Reads exactly len bytes; bytes past end of file read as zeroes.
    int pread(uint64_t off, void* buf, size_t len) const;
    int preadv(uint64_t off, IoVecSpan iov) const;
    // Writes exactly len bytes (flushes afterwards under write-through modes).
    int pwrite(uint64_t off, const void* buf, size_t len);
    int pwritev(uint64_t off, IoVecSpan iov);
    // Flush to stable storage per the cache mode (unsafe: nothing).
    int flush();
    // Flush regardless of the cache mode being write-through; still nothing
    // under unsafe. Used between ordered metadata updates.
    int barrier() { return flush(); }
    // Deallocates a range (reads return zeroes); -ENOTSUP when impossible.
    int punch_hole(uint64_t off, uint64_t len);
    // Allocates and zeroes a range without writing data where possible.
    int write_zeroes(uint64_t off, uint64_t len);
    int64_t length() const;  // -errno on error
    int truncate(uint64_t len);
    int64_t allocated_bytes() const;
    // Next data/hole (SEEK_DATA/SEEK_HOLE); -errno, -ENXIO past the end.
    int64_t seek_data(uint64_t off) const;
    int64_t seek_hole(uint64_t off) const;

  private:
    HostFile() = default;
    int write_aligned(uint64_t off, const void* buf, size_t len);
    int pwrite_raw(uint64_t off, const void* buf, size_t len);
    int pread_raw(uint64_t off, void* buf, size_t len) const;
    bool direct() const { return cache_ == CacheMode::None || cache_ == CacheMode::DirectSync; }
    bool writethrough() const {
        return cache_ == CacheMode::Writethrough || cache_ == CacheMode::DirectSync;
    }

    std::string path_;
    int fd_ = -1;
    bool read_only_ = false;
    CacheMode cache_ = CacheMode::Writeback;
    size_t align_ = 1;  // O_DIRECT alignment
};

}  // namespace emu::block

#include "block/host_file.h"

#include <fcntl.h>
#include <linux/falloc.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace emu::block {

namespace {
struct AlignedBuf {
    void* p = nullptr;
    explicit AlignedBuf(size_t align, size_t len) {
        if (posix_memalign(&p, align < 4096 ? 4096 : align, len) != 0) p = nullptr;
    }
    ~AlignedBuf() { std::free(p); }
};
}  // namespace

std::unique_ptr<HostFile> HostFile::open(const std::string& path, bool read_only, CacheMode cache,
                                         std::string* err) {
    std::unique_ptr<HostFile> f(new HostFile());
    f->path_ = path;
    f->read_only_ = read_only;
    f->cache_ = cache;
    int flags = (read_only ? O_RDONLY : O_RDWR) | O_CLOEXEC;
    if (f->direct()) flags |= O_DIRECT;
    f->fd_ = ::open(path.c_str(), flags);
    if (f->fd_ < 0 && errno == EINVAL && f->direct()) {
        *err = "Could not open '" + path +
               "': cache=none/directsync need O_DIRECT, which this "
               "file system does not support";
        return nullptr;
    }
    if (f->fd_ < 0) {
        *err = "Could not open '" + path + "': " + std::strerror(errno);
        return nullptr;
    }
    struct stat st;
    if (fstat(f->fd_, &st) == 0 && S_ISDIR(st.st_mode)) {
        *err = "Could not open '" + path + "': Is a directory";
        return nullptr;
    }
    if (f->direct()) f->align_ = 4096;
    return f;
}

std::unique_ptr<HostFile> HostFile::create(const std::string& path, std::string* err) {
    std::unique_ptr<HostFile> f(new HostFile());
    f->path_ = path;
    f->cache_ = CacheMode::Writeback;
    f->fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (f->fd_ < 0) {
        *err = "Could not create '" + path + "': " + std::strerror(errno);
        return nullptr;
    }
    return f;
}

HostFile::~HostFile() {
    if (fd_ >= 0) ::close(fd_);
}

int HostFile::pread_raw(uint64_t off, void* buf, size_t len) const {
    auto* p = static_cast<uint8_t*>(buf);
    while (len > 0) {
        ssize_t n = ::pread(fd_, p, len, static_cast<off_t>(off));
        if (n < 0) {
            if (errno == EINTR) continue;
            return -errno;
        }
        if (n == 0) {  // past EOF: zeroes, as for a sparse file
            std::memset(p, 0, len);
            return 0;
        }
        p += n;
        off += static_cast<uint64_t>(n);
        len -= static_cast<size_t>(n);
    }
    return 0;
}

int HostFile::pwrite_raw(uint64_t off, const void* buf, size_t len) {
    auto* p = static_cast<const uint8_t*>(buf);
    while (len > 0) {
        ssize_t n = ::pwrite(fd_, p, len, static_cast<off_t>(off));
        if (n < 0) {
            if (errno == EINTR) continue;
            return -errno;
        }
        if (n == 0) return -EIO;
        p += n;
        off += static_cast<uint64_t>(n);
        len -= static_cast<size_t>(n);
    }
    return 0;
}

int HostFile::pread(uint64_t off, void* buf, size_t len) const {
    if (len == 0) return 0;
    if (align_ > 1 && ((off | len | reinterpret_cast<uintptr_t>(buf)) & (align_ - 1))) {
        uint64_t start = off & ~static_cast<uint64_t>(align_ - 1);
        uint64_t end = (off + len + align_ - 1) & ~static_cast<uint64_t>(align_ - 1);
        AlignedBuf b(align_, end - start);
        if (!b.p) return -ENOMEM;
        int r = pread_raw(start, b.p, end - start);
        if (r < 0) return r;
        std::memcpy(buf, static_cast<uint8_t*>(b.p) + (off - start), len);
        return 0;
    }
    return pread_raw(off, buf, len);
}

int HostFile::preadv(uint64_t off, IoVecSpan iov) const {
    for (const IoVec& v : iov) {
        int r = pread(off, v.base, v.len);
        if (r < 0) return r;
        off += v.len;
    }
    return 0;
}

int HostFile::pwrite(uint64_t off, const void* buf, size_t len) {
    if (read_only_) return -EROFS;
    int r = write_aligned(off, buf, len);
    if (r == 0 && writethrough()) r = flush();
    return r;
}

int HostFile::write_aligned(uint64_t off, const void* buf, size_t len) {
    if (len == 0) return 0;
    int r;
    if (align_ > 1 && ((off | len | reinterpret_cast<uintptr_t>(buf)) & (align_ - 1))) {
        // Read-modify-write of the aligned envelope.
        uint64_t start = off & ~static_cast<uint64_t>(align_ - 1);
        uint64_t end = (off + len + align_ - 1) & ~static_cast<uint64_t>(align_ - 1);
        AlignedBuf b(align_, end - start);
        if (!b.p) return -ENOMEM;
        r = pread_raw(start, b.p, end - start);
        if (r < 0) return r;
        std::memcpy(static_cast<uint8_t*>(b.p) + (off - start), buf, len);
        r = pwrite_raw(start, b.p, end - start);
    } else {
        r = pwrite_raw(off, buf, len);
    }
    return r;
}

int HostFile::pwritev(uint64_t off, IoVecSpan iov) {
    if (read_only_) return -EROFS;
    if (align_ == 1 && iov.size() > 1 && iov.size() <= 1024) {
        std::vector<iovec> v(iov.size());
        size_t total = 0;
        for (size_t i = 0; i < iov.size(); i++) {
            v[i] = {iov[i].base, iov[i].len};
            total += iov[i].len;
        }
        ssize_t n = ::pwritev(fd_, v.data(), static_cast<int>(v.size()), static_cast<off_t>(off));
        if (n == static_cast<ssize_t>(total)) return writethrough() ? flush() : 0;
        // Short or failed: fall back to the element-wise loop.
    }
    for (const IoVec& v : iov) {
        int r = write_aligned(off, v.base, v.len);
        if (r < 0) return r;
        off += v.len;
    }
    return writethrough() ? flush() : 0;
}

int HostFile::flush() {
    if (cache_ == CacheMode::Unsafe || read_only_) return 0;
    if (fdatasync(fd_) < 0) return -errno;
    return 0;
}

int HostFile::punch_hole(uint64_t off, uint64_t len) {
    if (read_only_) return -EROFS;
    if (len == 0) return 0;
    if (fallocate(fd_, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, static_cast<off_t>(off),
                  static_cast<off_t>(len)) < 0) {
        return errno == EOPNOTSUPP ? -ENOTSUP : -errno;
    }
    return 0;
}

int HostFile::write_zeroes(uint64_t off, uint64_t len) {
    if (read_only_) return -EROFS;
    if (len == 0) return 0;
    if (fallocate(fd_, FALLOC_FL_ZERO_RANGE, static_cast<off_t>(off), static_cast<off_t>(len)) ==
        0) {
        return 0;
    }
    // Fallback: write zeroes in chunks.
    const size_t chunk = 1 << 20;
    AlignedBuf b(4096, chunk);
    if (!b.p) return -ENOMEM;
    std::memset(b.p, 0, chunk);
    while (len > 0) {
        size_t n = len < chunk ? static_cast<size_t>(len) : chunk;
        int r = pwrite(off, b.p, n);
        if (r < 0) return r;
        off += n;
        len -= n;
    }
    return 0;
}

int64_t HostFile::length() const {
    struct stat st;
    if (fstat(fd_, &st) < 0) return -errno;
    return st.st_size;
}

int HostFile::truncate(uint64_t len) {
    if (read_only_) return -EROFS;
    if (ftruncate(fd_, static_cast<off_t>(len)) < 0) return -errno;
    return 0;
}

int64_t HostFile::allocated_bytes() const {
    struct stat st;
    if (fstat(fd_, &st) < 0) return -errno;
    return static_cast<int64_t>(st.st_blocks) * 512;
}

int64_t HostFile::seek_data(uint64_t off) const {
    off_t r = lseek(fd_, static_cast<off_t>(off), SEEK_DATA);
    return r < 0 ? -errno : r;
}

int64_t HostFile::seek_hole(uint64_t off) const {
    off_t r = lseek(fd_, static_cast<off_t>(off), SEEK_HOLE);
    return r < 0 ? -errno : r;
}

}  // namespace emu::block

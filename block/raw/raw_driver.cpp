#include "block/raw/raw_driver.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace emu::block {

std::unique_ptr<RawDriver> RawDriver::open(const std::string& path, const OpenOptions& opts,
                                           std::string* err) {
    auto f = HostFile::open(path, opts.read_only, opts.cache, err);
    if (!f) return nullptr;
    // Block devices report size 0 from fstat; lseek gives the real one.
    off_t end = lseek(f->fd(), 0, SEEK_END);
    if (end < 0) {
        *err = "Could not determine the size of '" + path + "': " + std::strerror(errno);
        return nullptr;
    }
    std::unique_ptr<RawDriver> d(new RawDriver(std::move(f)));
    // Sizes are whole 512-byte sectors, as in QEMU: the tail of a file whose
    // length is not a multiple reads as zeroes.
    d->size_ = (static_cast<uint64_t>(end) + 511) & ~uint64_t(511);
    d->discard_unmap_ = opts.discard_unmap;
    return d;
}

int RawDriver::create(const std::string& path, uint64_t size, const std::string& prealloc,
                      std::string* err) {
    if (prealloc != "off" && prealloc != "falloc" && prealloc != "full") {
        *err = "Invalid parameter '" + prealloc + "' for preallocation (off, falloc, full)";
        return -EINVAL;
    }
    size = (size + 511) & ~uint64_t(511);  // whole sectors, as qemu-img creates them
    auto f = HostFile::create(path, err);
    if (!f) return -EIO;
    int r = f->truncate(size);
    if (r == 0 && prealloc == "falloc" && size > 0) {
        if (posix_fallocate(f->fd(), 0, static_cast<off_t>(size)) != 0) r = -ENOSPC;
    } else if (r == 0 && prealloc == "full" && size > 0) {
        std::vector<uint8_t> zero(1 << 20);
        for (uint64_t off = 0; off < size && r == 0; off += zero.size()) {
            uint64_t n = std::min<uint64_t>(zero.size(), size - off);
            r = f->pwrite(off, zero.data(), n);
        }
    }
    if (r < 0) {
        *err = "Could not create '" + path + "': " + std::strerror(-r);
        return r;
    }
    return 0;
}

int RawDriver::preadv(uint64_t offset, IoVecSpan iov) {
    if (!in_range(offset, iov_total(iov))) return -EINVAL;
    return file_->preadv(offset, iov);
}

int RawDriver::pwritev(uint64_t offset, IoVecSpan iov) {
    if (read_only()) return -EROFS;
    if (!in_range(offset, iov_total(iov))) return -EINVAL;
    return file_->pwritev(offset, iov);
}

int RawDriver::discard(uint64_t offset, uint64_t bytes) {
    if (read_only()) return -EROFS;
    if (!in_range(offset, bytes)) return -EINVAL;
    if (!discard_unmap_) return 0;
    int r = file_->punch_hole(offset, bytes);
    return r == -ENOTSUP ? 0 : r;  // discard is only a hint
}

int RawDriver::write_zeroes(uint64_t offset, uint64_t bytes, bool may_unmap) {
    if (read_only()) return -EROFS;
    if (!in_range(offset, bytes)) return -EINVAL;
    if (may_unmap && discard_unmap_ && file_->punch_hole(offset, bytes) == 0) return 0;
    return file_->write_zeroes(offset, bytes);
}

int RawDriver::block_status(uint64_t offset, uint64_t bytes, BlockStatus* out) {
    if (!in_range(offset, bytes) || bytes == 0) return -EINVAL;
    out->depth = 0;
    int64_t data = file_->seek_data(offset);
    if (data == -ENXIO) {  // only a hole up to EOF
        out->flags = BLOCK_STATUS_ZERO | BLOCK_STATUS_ALLOCATED | BLOCK_STATUS_PRESENT;
        out->bytes = bytes;
        out->host_offset = static_cast<int64_t>(offset);  // raw maps 1:1, holes too
        return 0;
    }
    if (data < 0) {  // no SEEK_DATA: everything is data
        out->flags = BLOCK_STATUS_DATA | BLOCK_STATUS_ALLOCATED | BLOCK_STATUS_PRESENT;
        out->bytes = bytes;
        out->host_offset = static_cast<int64_t>(offset);
        return 0;
    }
    if (static_cast<uint64_t>(data) > offset) {
        out->flags = BLOCK_STATUS_ZERO | BLOCK_STATUS_ALLOCATED | BLOCK_STATUS_PRESENT;
        out->bytes = std::min<uint64_t>(bytes, static_cast<uint64_t>(data) - offset);
        out->host_offset = static_cast<int64_t>(offset);  // raw maps 1:1, holes too
        return 0;
    }
    int64_t hole = file_->seek_hole(offset);
    uint64_t end = hole < 0 ? offset + bytes : static_cast<uint64_t>(hole);
    out->flags = BLOCK_STATUS_DATA | BLOCK_STATUS_ALLOCATED | BLOCK_STATUS_PRESENT;
    out->bytes = std::min<uint64_t>(bytes, end > offset ? end - offset : bytes);
    out->host_offset = static_cast<int64_t>(offset);
    return 0;
}

int RawDriver::truncate(uint64_t new_size) {
    if (read_only()) return -EROFS;
    new_size = (new_size + 511) & ~uint64_t(511);
    int r = file_->truncate(new_size);
    if (r == 0) size_ = new_size;
    return r;
}

}  // namespace emu::block

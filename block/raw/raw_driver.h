#pragma once
// The raw format: the guest disk is the host file, byte for byte.
#include <atomic>
#include <memory>
#include <string>

#include "block/block_driver.h"
#include "block/host_file.h"

namespace emu::block {

class RawDriver final : public BlockDriver {
  public:
    static std::unique_ptr<RawDriver> open(const std::string& path, const OpenOptions& opts,
                                           std::string* err);
    // Creates a raw image of `size` bytes. preallocation: "off", "falloc", "full".
    static int create(const std::string& path, uint64_t size, const std::string& preallocation,
                      std::string* err);

    std::string_view format_name() const override { return "raw"; }
    const std::string& filename() const override { return file_->path(); }
    uint64_t size() const override { return size_.load(); }
    bool read_only() const override { return file_->read_only(); }
    int preadv(uint64_t offset, IoVecSpan iov) override;
    int pwritev(uint64_t offset, IoVecSpan iov) override;
    int flush() override { return file_->flush(); }
    int discard(uint64_t offset, uint64_t bytes) override;
    int write_zeroes(uint64_t offset, uint64_t bytes, bool may_unmap) override;
    int block_status(uint64_t offset, uint64_t bytes, BlockStatus* out) override;
    int truncate(uint64_t new_size) override;
    int64_t allocated_file_size() const override { return file_->allocated_bytes(); }

  private:
    explicit RawDriver(std::unique_ptr<HostFile> f) : file_(std::move(f)) {}
    bool in_range(uint64_t off, uint64_t len) const {
        uint64_t s = size_.load();
        return off <= s && len <= s - off;
    }
    std::unique_ptr<HostFile> file_;
    std::atomic<uint64_t> size_{0};
    bool discard_unmap_ = true;
};

}  // namespace emu::block

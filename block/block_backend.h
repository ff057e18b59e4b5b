#pragma once
// Asynchronous block I/O for devices: requests are executed by a small pool
// of worker threads so that a vCPU thread never blocks on the host disk, and
// completions are delivered on the main loop (EventLoop::defer), where device
// code runs with the big lock held.
//
// Ordering: requests in flight may complete in any order, like a real disk.
// A flush covers every write that completed before the flush was submitted
// (the virtio-blk and NVMe rule). The caller keeps the memory behind the
// IoVecs alive and untouched until the completion runs.
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "block/block_driver.h"

namespace emu {
class EventLoop;
}

namespace emu::block {

enum class BlockOp { Read, Write, Flush, Discard, WriteZeroes };

struct BlockRequest {
    BlockOp op = BlockOp::Read;
    uint64_t offset = 0;
    uint64_t bytes = 0;      // Discard/WriteZeroes; Read/Write use iov_total(iov)
    std::vector<IoVec> iov;  // Read/Write
    bool may_unmap = false;  // WriteZeroes
};

// Completion: 0 or -errno, the return of the BlockDriver call.
using BlockCompletion = std::function<void(int ret)>;

class BlockBackend {
  public:
    // loop == nullptr: completions run on the worker thread (tools, tests).
    BlockBackend(std::unique_ptr<BlockDriver> drv, EventLoop* loop, unsigned workers = 2);
    ~BlockBackend();  // waits for every request in flight (completions still delivered)
    BlockBackend(const BlockBackend&) = delete;
    BlockBackend& operator=(const BlockBackend&) = delete;

    BlockDriver& driver() { return *drv_; }
    uint64_t size() const { return drv_->size(); }
    bool read_only() const { return drv_->read_only(); }

    // Thread-safe. Out-of-range requests complete with -EINVAL, writes to a
    // read-only backend with -EROFS, without reaching the driver.
    void submit(BlockRequest req, BlockCompletion done);

    // Blocks until every submitted request has executed (not necessarily
    // until its completion ran on the loop). Safe on any thread.
    void drain();
    // Requests submitted but not yet executed.
    unsigned in_flight() const;

  private:
    struct Item {
        BlockRequest req;
        BlockCompletion done;
    };
    void worker_main();
    int execute(const BlockRequest& req);

    std::unique_ptr<BlockDriver> drv_;
    EventLoop* loop_;
    mutable std::mutex lock_;
    std::condition_variable work_cv_;
    std::condition_variable idle_cv_;
    std::deque<Item> queue_;
    unsigned busy_ = 0;
    bool stopping_ = false;
    std::vector<std::thread> workers_;
};

}  // namespace emu::block

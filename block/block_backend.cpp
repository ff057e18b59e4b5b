#include "block/block_backend.h"

#include <cerrno>

#include "util/event_loop.h"

namespace emu::block {

BlockBackend::BlockBackend(std::unique_ptr<BlockDriver> drv, EventLoop* loop, unsigned workers)
    : drv_(std::move(drv)), loop_(loop) {
    if (workers == 0) workers = 1;
    for (unsigned i = 0; i < workers; i++)
        workers_.emplace_back([this] { worker_main(); });
}

BlockBackend::~BlockBackend() {
    {
        std::unique_lock<std::mutex> g(lock_);
        stopping_ = true;
    }
    work_cv_.notify_all();
    for (auto& t : workers_)
        t.join();
}

void BlockBackend::submit(BlockRequest req, BlockCompletion done) {
    {
        std::lock_guard<std::mutex> g(lock_);
        queue_.push_back(Item{std::move(req), std::move(done)});
    }
    work_cv_.notify_one();
}

void BlockBackend::drain() {
    std::unique_lock<std::mutex> g(lock_);
    idle_cv_.wait(g, [this] { return queue_.empty() && busy_ == 0; });
}

unsigned BlockBackend::in_flight() const {
    std::lock_guard<std::mutex> g(lock_);
    return static_cast<unsigned>(queue_.size()) + busy_;
}

int BlockBackend::execute(const BlockRequest& req) {
    const uint64_t size = drv_->size();
    uint64_t len = 0;
    switch (req.op) {
        case BlockOp::Read:
        case BlockOp::Write:
            len = iov_total(req.iov);
            break;
        case BlockOp::Discard:
        case BlockOp::WriteZeroes:
            len = req.bytes;
            break;
        case BlockOp::Flush:
            break;
    }
    if (req.op != BlockOp::Flush && (req.offset > size || len > size - req.offset)) return -EINVAL;
    if (req.op != BlockOp::Read && drv_->read_only()) return -EROFS;
    switch (req.op) {
        case BlockOp::Read:
            return drv_->preadv(req.offset, req.iov);
        case BlockOp::Write:
            return drv_->pwritev(req.offset, req.iov);
        case BlockOp::Flush:
            return drv_->flush();
        case BlockOp::Discard:
            return drv_->discard(req.offset, req.bytes);
        case BlockOp::WriteZeroes:
            return drv_->write_zeroes(req.offset, req.bytes, req.may_unmap);
    }
    return -EINVAL;
}

void BlockBackend::worker_main() {
    for (;;) {
        Item item;
        {
            std::unique_lock<std::mutex> g(lock_);
            work_cv_.wait(g, [this] { return stopping_ || !queue_.empty(); });
            // Finish queued work even when stopping: every request completes.
            if (queue_.empty()) return;
            item = std::move(queue_.front());
            queue_.pop_front();
            busy_++;
        }
        int ret = execute(item.req);
        if (item.done) {
            if (loop_) {
                loop_->defer([done = std::move(item.done), ret] { done(ret); });
            } else {
                item.done(ret);
            }
        }
        {
            std::lock_guard<std::mutex> g(lock_);
            busy_--;
            if (queue_.empty() && busy_ == 0) idle_cv_.notify_all();
        }
    }
}

}  // namespace emu::block

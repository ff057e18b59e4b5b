#include "hw/core/clock.h"

#include <algorithm>
#include <climits>

namespace emu {

VirtualClock::VirtualClock(EventLoop* loop) : loop_(loop), offset_(monotonic_ns()) {
    if (loop_) loop_->add_timer_source(this);
}

VirtualClock::~VirtualClock() {
    if (loop_) loop_->remove_timer_source(this);
}

void VirtualClock::attach_loop(EventLoop* loop) {
    if (loop_) loop_->remove_timer_source(this);
    loop_ = loop;
    if (loop_) loop_->add_timer_source(this);
}

int64_t VirtualClock::now_ns() const {
    if (!running_.load(std::memory_order_acquire)) return stopped_at_.load();
    return monotonic_ns() - offset_.load(std::memory_order_relaxed);
}

void VirtualClock::stop() {
    if (!running_.load()) return;
    stopped_at_.store(now_ns());
    running_.store(false, std::memory_order_release);
}

void VirtualClock::start() {
    if (running_.load()) return;
    offset_.store(monotonic_ns() - stopped_at_.load());
    running_.store(true, std::memory_order_release);
    if (loop_) loop_->wake();
}

void VirtualClock::arm(Timer* t) {
    {
        std::lock_guard<std::mutex> g(lock_);
        if (std::find(active_.begin(), active_.end(), t) == active_.end()) active_.push_back(t);
    }
    // A vCPU thread may have armed it: the loop must recompute its wait.
    if (loop_) loop_->wake();
}

void VirtualClock::disarm(Timer* t) {
    std::lock_guard<std::mutex> g(lock_);
    active_.erase(std::remove(active_.begin(), active_.end(), t), active_.end());
}

int64_t VirtualClock::next_deadline_ns() {
    if (!running_.load()) return INT64_MAX;
    std::lock_guard<std::mutex> g(lock_);
    int64_t best = INT64_MAX;
    for (Timer* t : active_)
        best = std::min(best, t->deadline_);
    if (best == INT64_MAX) return best;
    return best + offset_.load();
}

void VirtualClock::run_expired() {
    if (!running_.load()) return;
    // Callbacks may re-arm timers, so pick one at a time.
    for (;;) {
        Timer* due = nullptr;
        int64_t now = now_ns();
        {
            std::lock_guard<std::mutex> g(lock_);
            for (Timer* t : active_) {
                if (t->deadline_ <= now && (!due || t->deadline_ < due->deadline_)) due = t;
            }
            if (!due) return;
            active_.erase(std::remove(active_.begin(), active_.end(), due), active_.end());
            due->pending_ = false;
        }
        due->cb_();
    }
}

void Timer::mod(int64_t deadline_ns) {
    deadline_ = deadline_ns;
    pending_ = true;
    clock_->arm(this);
}

void Timer::cancel() {
    if (!pending_) return;
    pending_ = false;
    clock_->disarm(this);
}

}  // namespace emu

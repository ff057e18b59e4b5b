#include "accel/vcpu_thread.h"

#include "hw/core/cpu_context.h"
#include "util/bql.h"
#include "util/log.h"

namespace emu {

VcpuThread::VcpuThread(VcpuBackend* vcpu, ExitHandler handler)
    : vcpu_(vcpu), handler_(std::move(handler)) {}

VcpuThread::~VcpuThread() {
    stop();
}

void VcpuThread::start() {
    if (thread_.joinable()) {
        {
            // Resuming also wakes a parked vCPU: it re-checks its state.
            std::lock_guard<std::mutex> g(lock_);
            pause_req_ = false;
            ++wake_count_;
        }
        cv_.notify_all();
        return;
    }
    stop_ = false;
    pause_req_ = false;
    thread_ = std::thread([this] { loop(); });
}

void VcpuThread::pause() {
    if (!thread_.joinable()) return;
    pause_req_ = true;
    vcpu_->kick();
    cv_.notify_all();
    BqlUnlock unlock;  // the vCPU may need the big lock to reach its pause point
    std::unique_lock<std::mutex> g(lock_);
    cv_.wait(g, [&] { return paused_.load() || stop_.load() || !thread_.joinable(); });
}

void VcpuThread::stop() {
    if (!thread_.joinable()) return;
    stop_ = true;
    vcpu_->kick();
    cv_.notify_all();
    BqlUnlock unlock;
    thread_.join();
}

void VcpuThread::wake() {
    {
        std::lock_guard<std::mutex> g(lock_);
        ++wake_count_;
    }
    cv_.notify_all();
}

void VcpuThread::loop() {
    set_current_cpu_index(static_cast<int>(vcpu_->index()));
    for (;;) {
        {
            std::unique_lock<std::mutex> g(lock_);
            if (pause_req_ || parked_) {
                uint64_t seen = wake_count_;
                auto runnable = [&] {
                    return stop_.load() ||
                           (!pause_req_.load() && (!parked_ || wake_count_ != seen));
                };
                // A parked vCPU is outside guest code: a pause requested
                // while it waits is acknowledged at once (pause() waits
                // for paused_).
                for (;;) {
                    paused_ = pause_req_.load();
                    cv_.notify_all();
                    cv_.wait(g, [&] { return runnable() || (pause_req_.load() && !paused_); });
                    if (runnable()) break;
                }
                paused_ = false;
                parked_ = false;
            }
            if (stop_) return;
        }
        VcpuExit ex = vcpu_->run();
        ExitAction action;
        {
            BqlGuard lock;
            action = handler_(*vcpu_, ex);
        }
        if (action == ExitAction::Stop) {
            // Park until stop() joins us; resuming a stopped vCPU is a reset's job.
            std::unique_lock<std::mutex> g(lock_);
            paused_ = true;
            cv_.notify_all();
            cv_.wait(g, [&] { return stop_.load(); });
            return;
        }
        if (action == ExitAction::Park) {
            std::lock_guard<std::mutex> g(lock_);
            parked_ = true;
        }
    }
}

}  // namespace emu

#pragma once
// The one vCPU loop shared by KVM and TCG: a host thread per vCPU that runs
// the backend, hands exits to the board's handler, and obeys pause, resume
// and stop from the main loop.
#include <atomic>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

#include "accel/accel.h"

namespace emu {

enum class ExitAction {
    Continue,  // run the guest again
    Park,      // wait until kicked/resumed (e.g. halted with interrupts off)
    Stop,      // this vCPU is done (shutdown/reset requested elsewhere)
};

class VcpuThread {
  public:
    // handler runs on the vCPU thread with the big lock held.
    using ExitHandler = std::function<ExitAction(VcpuBackend&, VcpuExit&)>;

    VcpuThread(VcpuBackend* vcpu, ExitHandler handler);
    ~VcpuThread();
    VcpuThread(const VcpuThread&) = delete;
    VcpuThread& operator=(const VcpuThread&) = delete;

    // Starts the thread (or resumes a paused one).
    void start();
    // Returns once the vCPU is outside guest code and parked. Must not be
    // called with the big lock held by... any thread the vCPU waits on: it
    // drops the caller's big lock while waiting.
    void pause();
    // Kicks the vCPU out and joins the thread.
    void stop();
    // Wakes a parked vCPU (an interrupt arrived).
    void wake();
    bool running() const { return thread_.joinable() && !paused_.load(); }

  private:
    void loop();

    VcpuBackend* vcpu_;
    ExitHandler handler_;
    std::thread thread_;
    std::mutex lock_;
    std::condition_variable cv_;
    std::atomic<bool> stop_{false};
    std::atomic<bool> pause_req_{false};
    std::atomic<bool> paused_{false};
    bool parked_ = false;
    uint64_t wake_count_ = 0;
};

}  // namespace emu

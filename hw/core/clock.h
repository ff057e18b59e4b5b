#pragma once
// The virtual clock (QEMU_CLOCK_VIRTUAL): nanoseconds of guest time, which
// advance with host time while the VM runs and stand still while it is
// stopped. Timers on it are fired by the main loop.
#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <vector>

#include "util/event_loop.h"

namespace emu {

class Timer;

class VirtualClock : public TimerSource {
  public:
    explicit VirtualClock(EventLoop* loop = nullptr);
    ~VirtualClock() override;

    // Guest nanoseconds since the clock was created (minus stopped time).
    int64_t now_ns() const;
    void start();
    void stop();
    bool running() const { return running_.load(); }

    // TimerSource
    int64_t next_deadline_ns() override;
    void run_expired() override;

    // For tests and for callers without a loop: fire timers due by now.
    void attach_loop(EventLoop* loop);

  private:
    friend class Timer;
    void arm(Timer* t);
    void disarm(Timer* t);

    EventLoop* loop_;
    std::atomic<bool> running_{true};
    // now = host_monotonic - offset while running; frozen at stopped_at_.
    std::atomic<int64_t> offset_;
    std::atomic<int64_t> stopped_at_{0};
    std::mutex lock_;
    std::vector<Timer*> active_;
};

class Timer {
  public:
    Timer(VirtualClock* clock, std::function<void()> cb) : clock_(clock), cb_(std::move(cb)) {}
    ~Timer() { cancel(); }
    Timer(const Timer&) = delete;
    Timer& operator=(const Timer&) = delete;

    // Fires once when the clock reaches deadline_ns (guest time).
    void mod(int64_t deadline_ns);
    void cancel();
    bool pending() const { return pending_; }
    int64_t deadline() const { return deadline_; }

  private:
    friend class VirtualClock;
    VirtualClock* clock_;
    std::function<void()> cb_;
    int64_t deadline_ = 0;
    bool pending_ = false;
};

}  // namespace emu

#pragma once
// The main loop: file descriptor handlers, timer sources and thread-safe
// deferred work. Handlers run on the loop's thread with the big lock held.
// It knows nothing of devices or boards, so block/ and net/ can use it too.
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

struct pollfd;

namespace emu {

// Host monotonic time in nanoseconds.
int64_t monotonic_ns();

// Anything that has deadlines (e.g. a clock's timer list) plugs in here.
class TimerSource {
  public:
    virtual ~TimerSource() = default;
    // Next deadline in host monotonic ns, or INT64_MAX when none.
    virtual int64_t next_deadline_ns() = 0;
    // Fires every timer whose deadline has passed.
    virtual void run_expired() = 0;
};

// For libraries that rebuild their fd set every iteration (libslirp):
// fill() appends pollfds and may lower the timeout; dispatch() gets them
// back with revents after the wait.
class PollSource {
  public:
    virtual ~PollSource() = default;
    virtual void fill(std::vector<struct pollfd>* fds, int64_t* timeout_ns) = 0;
    virtual void dispatch(const struct pollfd* fds, size_t n) = 0;
};

class EventLoop {
  public:
    using FdHandler = std::function<void(int fd, short revents)>;
    using Handle = uint64_t;

    EventLoop();
    ~EventLoop();
    EventLoop(const EventLoop&) = delete;
    EventLoop& operator=(const EventLoop&) = delete;

    // `events` as for poll(): POLLIN/POLLOUT.
    Handle add_fd(int fd, short events, FdHandler handler);
    void set_fd_events(Handle h, short events);
    void remove_fd(Handle h);

    void add_poll_source(PollSource* src);
    void remove_poll_source(PollSource* src);

    void add_timer_source(TimerSource* src);
    void remove_timer_source(TimerSource* src);

    // Thread-safe: runs fn on the loop thread soon (with the big lock held).
    void defer(std::function<void()> fn);
    // Thread-safe: makes a blocked poll() re-evaluate deadlines.
    void wake();

    // One iteration: wait at most timeout_ns (-1: until an event).
    void run_once(int64_t timeout_ns);
    // Runs until request_exit(); returns the status given to it.
    int run();
    // Thread-safe.
    void request_exit(int status);
    bool exit_requested() const { return exit_requested_.load(); }
    int exit_status() const { return exit_status_.load(); }

  private:
    struct FdEntry {
        int fd;
        short events;
        FdHandler handler;
    };
    void drain_wakeup();
    void run_deferred();

    int wake_fd_ = -1;
    Handle next_handle_ = 1;
    std::map<Handle, FdEntry> fds_;
    std::vector<TimerSource*> timers_;
    std::vector<PollSource*> poll_sources_;
    std::mutex deferred_lock_;
    std::vector<std::function<void()>> deferred_;
    std::atomic<bool> exit_requested_{false};
    std::atomic<int> exit_status_{0};
};

}  // namespace emu

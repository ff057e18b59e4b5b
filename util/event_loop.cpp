#include "util/event_loop.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <ctime>
#include <stdexcept>

#include "util/bql.h"

namespace emu {

int64_t monotonic_ns() {
    timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

EventLoop::EventLoop() {
    wake_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (wake_fd_ < 0) throw std::runtime_error("eventfd failed");
}

EventLoop::~EventLoop() {
    if (wake_fd_ >= 0) close(wake_fd_);
}

EventLoop::Handle EventLoop::add_fd(int fd, short events, FdHandler handler) {
    Handle h = next_handle_++;
    fds_[h] = FdEntry{fd, events, std::move(handler)};
    return h;
}

void EventLoop::set_fd_events(Handle h, short events) {
    auto it = fds_.find(h);
    if (it != fds_.end()) it->second.events = events;
}

void EventLoop::remove_fd(Handle h) {
    fds_.erase(h);
}

void EventLoop::add_poll_source(PollSource* src) {
    poll_sources_.push_back(src);
}

void EventLoop::remove_poll_source(PollSource* src) {
    poll_sources_.erase(std::remove(poll_sources_.begin(), poll_sources_.end(), src),
                        poll_sources_.end());
}

void EventLoop::add_timer_source(TimerSource* src) {
    timers_.push_back(src);
}

void EventLoop::remove_timer_source(TimerSource* src) {
    timers_.erase(std::remove(timers_.begin(), timers_.end(), src), timers_.end());
}

void EventLoop::defer(std::function<void()> fn) {
    {
        std::lock_guard<std::mutex> g(deferred_lock_);
        deferred_.push_back(std::move(fn));
    }
    wake();
}

void EventLoop::wake() {
    uint64_t one = 1;
    ssize_t r = write(wake_fd_, &one, sizeof one);
    (void)r;  // EAGAIN means the counter is already non-zero: a wake is pending
}

void EventLoop::drain_wakeup() {
    uint64_t v;
    while (read(wake_fd_, &v, sizeof v) == sizeof v) {
    }
}

void EventLoop::run_deferred() {
    std::vector<std::function<void()>> work;
    {
        std::lock_guard<std::mutex> g(deferred_lock_);
        work.swap(deferred_);
    }
    for (auto& fn : work)
        fn();
}

void EventLoop::request_exit(int status) {
    exit_status_.store(status);
    exit_requested_.store(true);
    wake();
}

void EventLoop::run_once(int64_t timeout_ns) {
    int64_t now = monotonic_ns();
    int64_t deadline = timeout_ns < 0 ? INT64_MAX : now + timeout_ns;
    for (auto* t : timers_)
        deadline = std::min(deadline, t->next_deadline_ns());

    std::vector<pollfd> pfds;
    std::vector<Handle> handles;
    pfds.push_back({wake_fd_, POLLIN, 0});
    handles.push_back(0);
    for (auto& [h, e] : fds_) {
        if (e.events == 0) continue;
        pfds.push_back({e.fd, e.events, 0});
        handles.push_back(h);
    }

    // Poll sources append their fds after ours; remember where each begins.
    std::vector<std::pair<PollSource*, size_t>> src_ranges;
    size_t fixed = pfds.size();
    for (PollSource* src : poll_sources_) {
        size_t begin = pfds.size();
        int64_t t = deadline == INT64_MAX ? -1 : std::max<int64_t>(0, deadline - now);
        src->fill(&pfds, &t);
        if (t >= 0) deadline = std::min(deadline, now + t);
        src_ranges.emplace_back(src, begin);
    }

    timespec ts{};
    timespec* tsp = nullptr;
    if (deadline != INT64_MAX) {
        int64_t wait = std::max<int64_t>(0, deadline - now);
        ts.tv_sec = wait / 1000000000;
        ts.tv_nsec = wait % 1000000000;
        tsp = &ts;
    }
    int n;
    {
        BqlUnlock unlock;
        n = ppoll(pfds.data(), pfds.size(), tsp, nullptr);
    }
    if (n < 0 && errno != EINTR) return;

    for (size_t k = 0; k < src_ranges.size(); ++k) {
        size_t begin = src_ranges[k].second;
        size_t end = k + 1 < src_ranges.size() ? src_ranges[k + 1].second : pfds.size();
        if (n < 0) {
            for (size_t i = begin; i < end; ++i)
                pfds[i].revents = 0;
        }
        src_ranges[k].first->dispatch(pfds.data() + begin, end - begin);
    }
    if (n > 0) {
        if (pfds[0].revents) drain_wakeup();
        for (size_t i = 1; i < fixed; ++i) {
            if (!pfds[i].revents) continue;
            // A handler may remove itself or others: look the handle up again.
            auto it = fds_.find(handles[i]);
            if (it == fds_.end()) continue;
            auto handler = it->second.handler;
            handler(pfds[i].fd, pfds[i].revents);
        }
    }
    run_deferred();
    for (size_t i = 0; i < timers_.size(); ++i)
        timers_[i]->run_expired();
}

int EventLoop::run() {
    BqlGuard lock;
    while (!exit_requested_.load())
        run_once(-1);
    // Work queued before the exit request (e.g. a QMP SHUTDOWN event) still
    // runs, so nothing promised to a client is lost on the way out.
    run_deferred();
    return exit_status_.load();
}

}  // namespace emu

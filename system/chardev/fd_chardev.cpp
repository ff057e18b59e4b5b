#include "system/chardev/fd_chardev.h"

#include <poll.h>
#include <unistd.h>

#include <cerrno>

#include "util/bql.h"

namespace emu {

FdChardev::~FdChardev() {
    detach_input();
}

void FdChardev::attach(int in_fd, int out_fd) {
    detach_input();
    in_fd_ = in_fd;
    out_fd_ = out_fd;
    if (in_fd_ >= 0 && loop_) {
        in_handle_ = loop_->add_fd(in_fd_, POLLIN, [this](int, short) { on_readable(); });
        update_poll();
    }
}

void FdChardev::detach_input() {
    if (in_handle_ && loop_) loop_->remove_fd(in_handle_);
    in_handle_ = 0;
    in_fd_ = -1;
}

void FdChardev::set_frontend(CharFrontend* fe) {
    Chardev::set_frontend(fe);
    update_poll();
    // Already connected (stdio, files, a socket with its client): say so.
    if (fe && (in_fd_ >= 0 || out_fd_ >= 0)) fe->char_event(CharEvent::Opened);
}

void FdChardev::update_poll() {
    if (!in_handle_) return;
    bool want = frontend_ && pending_.empty() && frontend_->can_receive() > 0;
    loop_->set_fd_events(in_handle_, want ? POLLIN : 0);
}

void FdChardev::on_readable() {
    uint8_t buf[4096];
    size_t room = frontend_ ? frontend_->can_receive() : 0;
    if (room == 0) {
        update_poll();
        return;
    }
    ssize_t n = read(in_fd_, buf, sizeof buf);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
    if (n <= 0) {
        input_closed();
        return;
    }
    size_t took = deliver(buf, size_t(n));
    pending_.insert(pending_.end(), buf + took, buf + n);
    update_poll();
}

void FdChardev::flush_pending() {
    while (!pending_.empty() && frontend_ && frontend_->can_receive() > 0) {
        size_t took = deliver(pending_.data(), pending_.size());
        if (took == 0) break;
        pending_.erase(pending_.begin(), pending_.begin() + long(took));
    }
}

void FdChardev::accept_input() {
    // May be called from a vCPU thread (a UART's FIFO was read): hop to the
    // main loop, which owns the fd.
    if (!loop_) return;
    loop_->defer([this] {
        flush_pending();
        update_poll();
    });
}

size_t FdChardev::write(const uint8_t* data, size_t len) {
    if (out_fd_ < 0) return len;
    size_t done = 0;
    while (done < len) {
        ssize_t n = ::write(out_fd_, data + done, len - done);
        if (n > 0) {
            done += size_t(n);
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && errno == EAGAIN) {
            pollfd p{out_fd_, POLLOUT, 0};
            poll(&p, 1, 1000);
            continue;
        }
        // The reader went away: drop the output as QEMU does.
        return len;
    }
    return done;
}

}  // namespace emu

#include "hw/arm/semihosting.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>

#include "util/event_loop.h"
#include "util/log.h"

namespace emu {

namespace {
constexpr uint64_t kMaxPath = 4096;
constexpr uint64_t kChunk = 64 * 1024;
// "SHFB" + feature byte 0: SH_EXT_EXIT_EXTENDED | SH_EXT_STDOUT_STDERR.
constexpr uint8_t kFeatures[5] = {'S', 'H', 'F', 'B', 0x03};
// fopen() modes 0..11 of SYS_OPEN.
constexpr int kOpenFlags[12] = {
    O_RDONLY,
    O_RDONLY,
    O_RDWR,
    O_RDWR,
    O_WRONLY | O_CREAT | O_TRUNC,
    O_WRONLY | O_CREAT | O_TRUNC,
    O_RDWR | O_CREAT | O_TRUNC,
    O_RDWR | O_CREAT | O_TRUNC,
    O_WRONLY | O_CREAT | O_APPEND,
    O_WRONLY | O_CREAT | O_APPEND,
    O_RDWR | O_CREAT | O_APPEND,
    O_RDWR | O_CREAT | O_APPEND,
};
}  // namespace

Semihosting::Semihosting(SemihostingConfig cfg) : cfg_(std::move(cfg)), start_ns_(monotonic_ns()) {
    if (!cfg_.console) {
        int fd = cfg_.stderr_fd;
        cfg_.console = [fd](const char* d, size_t n) {
            while (n) {
                ssize_t w = ::write(fd, d, n);
                if (w <= 0) break;
                d += w;
                n -= size_t(w);
            }
        };
    }
}

Semihosting::~Semihosting() {
    for (auto& h : handles_) {
        if (h.fd >= 0 && h.owned) ::close(h.fd);
    }
}

bool Semihosting::arg(uint64_t param, unsigned n, uint64_t* out) {
    return cfg_.memory->read_obj(param + 8ull * n, out);
}

bool Semihosting::read_string(uint64_t addr, uint64_t len, std::string* out) {
    if (len > kMaxPath) return false;
    out->resize(len);
    return len == 0 || cfg_.memory->read(addr, out->data(), len);
}

Semihosting::Handle* Semihosting::handle(uint64_t h) {
    if (h == 0 || h > handles_.size()) return nullptr;
    Handle* p = &handles_[h - 1];
    return (p->fd >= 0 || p->features) ? p : nullptr;
}

uint64_t Semihosting::do_open(uint64_t param) {
    uint64_t name_ptr, mode, len;
    if (!arg(param, 0, &name_ptr) || !arg(param, 1, &mode) || !arg(param, 2, &len)) {
        return fail(EFAULT);
    }
    std::string name;
    if (mode > 11) return fail(EINVAL);
    if (!read_string(name_ptr, len, &name)) return fail(EFAULT);
    if (name.find('\0') != std::string::npos) return fail(EINVAL);
    Handle h;
    if (name == ":tt") {
        // r: stdin, w: stdout, a: stderr (SH_EXT_STDOUT_STDERR).
        h.fd = mode < 4 ? cfg_.stdin_fd : mode < 8 ? cfg_.stdout_fd : cfg_.stderr_fd;
        h.owned = false;
    } else if (name == ":semihosting-features") {
        if (mode > 1) return fail(EACCES);
        h.features = true;
    } else {
        int fd = ::open(name.c_str(), kOpenFlags[mode] | O_CLOEXEC, 0644);
        if (fd < 0) return fail(errno);
        h.fd = fd;
    }
    for (size_t i = 0; i < handles_.size(); ++i) {
        if (handles_[i].fd < 0 && !handles_[i].features) {
            handles_[i] = h;
            return i + 1;
        }
    }
    handles_.push_back(h);
    return handles_.size();
}

uint64_t Semihosting::do_rw(uint64_t param, bool write) {
    uint64_t hn, buf, len;
    if (!arg(param, 0, &hn) || !arg(param, 1, &buf) || !arg(param, 2, &len)) return fail(EFAULT);
    Handle* h = handle(hn);
    if (!h) return fail(EBADF);
    uint64_t done = 0;
    std::vector<uint8_t> tmp(std::min(len, kChunk));
    if (h->features) {
        if (write) return fail(EBADF);
        uint64_t n =
            h->pos < sizeof kFeatures ? std::min<uint64_t>(len, sizeof kFeatures - h->pos) : 0;
        if (n && !cfg_.memory->write(buf, kFeatures + h->pos, n)) return fail(EFAULT);
        h->pos += n;
        return len - n;
    }
    while (done < len) {
        uint64_t n = std::min(len - done, kChunk);
        ssize_t r;
        if (write) {
            if (!cfg_.memory->read(buf + done, tmp.data(), n)) break;
            r = ::write(h->fd, tmp.data(), n);
        } else {
            r = ::read(h->fd, tmp.data(), n);
            if (r > 0 && !cfg_.memory->write(buf + done, tmp.data(), uint64_t(r))) {
                errno_ = EFAULT;
                break;
            }
        }
        if (r < 0) {
            errno_ = errno;
            break;
        }
        done += uint64_t(r);
        if (uint64_t(r) < n) break;  // short read: end of file
    }
    return len - done;  // bytes not transferred
}

uint64_t Semihosting::do_exit(uint64_t param, bool extended) {
    uint64_t reason, sub = 0;
    // AArch64 always passes a two-field block (reason, subcode).
    if (!arg(param, 0, &reason) || !arg(param, 1, &sub)) {
        reason = 0;
        sub = 1;
    }
    int status = reason == kAdpStoppedApplicationExit ? int(uint32_t(sub)) : 1;
    (void)extended;
    exited_ = true;
    if (cfg_.exit) cfg_.exit(status);
    return 0;
}

uint64_t Semihosting::call(uint32_t op, uint64_t param) {
    GuestMemory& mem = *cfg_.memory;
    switch (op) {
        case kOpen:
            return do_open(param);
        case kClose: {
            uint64_t hn;
            if (!arg(param, 0, &hn)) return fail(EFAULT);
            Handle* h = handle(hn);
            if (!h) return fail(EBADF);
            if (h->fd >= 0 && h->owned) ::close(h->fd);
            *h = Handle{};
            return 0;
        }
        case kWriteC: {
            char c;
            if (!mem.read_obj(param, &c)) return fail(EFAULT);
            cfg_.console(&c, 1);
            return 0;
        }
        case kWrite0: {
            // Up to a NUL, in bounded pieces; stops at the first unreadable byte.
            std::string s;
            for (uint64_t a = param; s.size() < (1u << 20); ++a) {
                char c;
                if (!mem.read_obj(a, &c) || c == 0) break;
                s.push_back(c);
            }
            cfg_.console(s.data(), s.size());
            return 0;
        }
        case kWrite:
            return do_rw(param, true);
        case kRead:
            return do_rw(param, false);
        case kReadC: {
            uint8_t c = 0;
            ssize_t r = ::read(cfg_.stdin_fd, &c, 1);
            return r == 1 ? c : uint64_t(-1);
        }
        case kIsError: {
            uint64_t v;
            if (!arg(param, 0, &v)) return fail(EFAULT);
            return int64_t(v) < 0 ? 1 : 0;
        }
        case kIsTty: {
            uint64_t hn;
            if (!arg(param, 0, &hn)) return fail(EFAULT);
            Handle* h = handle(hn);
            if (!h) return fail(EBADF);
            return h->fd >= 0 && isatty(h->fd) ? 1 : 0;
        }
        case kSeek: {
            uint64_t hn, pos;
            if (!arg(param, 0, &hn) || !arg(param, 1, &pos)) return fail(EFAULT);
            Handle* h = handle(hn);
            if (!h) return fail(EBADF);
            if (h->features) {
                if (pos > sizeof kFeatures) return fail(EINVAL);
                h->pos = pos;
                return 0;
            }
            if (::lseek(h->fd, off_t(pos), SEEK_SET) < 0) return fail(errno);
            return 0;
        }
        case kFlen: {
            uint64_t hn;
            if (!arg(param, 0, &hn)) return fail(EFAULT);
            Handle* h = handle(hn);
            if (!h) return fail(EBADF);
            if (h->features) return sizeof kFeatures;
            struct stat st;
            if (fstat(h->fd, &st) != 0) return fail(errno);
            return uint64_t(st.st_size);
        }
        case kRemove: {
            uint64_t p, len;
            std::string name;
            if (!arg(param, 0, &p) || !arg(param, 1, &len) || !read_string(p, len, &name)) {
                return fail(EFAULT);
            }
            if (name.find('\0') != std::string::npos) return fail(EINVAL);
            if (::unlink(name.c_str()) != 0) return fail(errno);
            return 0;
        }
        case kRename: {
            uint64_t p1, l1, p2, l2;
            std::string a, b;
            if (!arg(param, 0, &p1) || !arg(param, 1, &l1) || !arg(param, 2, &p2) ||
                !arg(param, 3, &l2) || !read_string(p1, l1, &a) || !read_string(p2, l2, &b)) {
                return fail(EFAULT);
            }
            if (a.find('\0') != std::string::npos || b.find('\0') != std::string::npos) {
                return fail(EINVAL);
            }
            if (::rename(a.c_str(), b.c_str()) != 0) return fail(errno);
            return 0;
        }
        case kClock:
            return uint64_t((monotonic_ns() - start_ns_) / 10'000'000);  // centiseconds
        case kTime:
            return uint64_t(std::time(nullptr));
        case kErrno:
            return uint64_t(errno_);
        case kGetCmdline: {
            uint64_t buf, len;
            if (!arg(param, 0, &buf) || !arg(param, 1, &len)) return fail(EFAULT);
            const std::string& s = cfg_.cmdline;
            if (len < s.size() + 1) return fail(E2BIG);
            if (!mem.write(buf, s.c_str(), s.size() + 1)) return fail(EFAULT);
            uint64_t n = s.size();
            if (!mem.write_obj(param + 8, n)) return fail(EFAULT);
            return 0;
        }
        case kHeapInfo: {
            uint64_t block;
            if (!mem.read_obj(param, &block)) return fail(EFAULT);
            uint64_t v[4] = {cfg_.heap_base, cfg_.heap_limit, cfg_.stack_base, cfg_.stack_limit};
            if (!mem.write(block, v, sizeof v)) return fail(EFAULT);
            return 0;
        }
        case kExit:
            return do_exit(param, false);
        case kExitExtended:
            return do_exit(param, true);
        case kElapsed: {
            uint64_t ticks = uint64_t(monotonic_ns() - start_ns_);
            if (!mem.write_obj(param, ticks)) return fail(EFAULT);
            return 0;
        }
        case kTickFreq:
            return 1'000'000'000;
        case kTmpNam:
        case kSystem:
        default:
            log_mask(LOG_UNIMP, "semihosting: not supported yet: call 0x%x\n", op);
            return fail(ENOSYS);
    }
}

}  // namespace emu

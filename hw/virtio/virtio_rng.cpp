#include "hw/virtio/virtio_rng.h"

#include <sys/random.h>

#include <cerrno>

namespace emu {

VirtioRng::VirtioRng(std::string name) : VirtioDevice(std::move(name), virtio::kIdRng, 1, 256, 0) {}

namespace {

// Fills [p, p+len) from the host; returns the bytes obtained.
size_t host_random(uint8_t* p, size_t len) {
    size_t done = 0;
    while (done < len) {
        ssize_t n = getrandom(p + done, len - done, 0);
        if (n < 0) {
            if (errno == EINTR) continue;
            break;
        }
        done += size_t(n);
    }
    return done;
}

}  // namespace

void VirtioRng::handle_queue(unsigned q) {
    bool pushed = false;
    for (;;) {
        auto e = pop(q);
        if (!e) break;
        size_t budget = kMaxBytesPerRequest;
        size_t written = 0;
        for (const VirtioIov& v : e->in) {
            size_t n = std::min(v.len, budget);
            size_t got = host_random(v.base, n);
            written += got;
            budget -= got;
            if (got < n || budget == 0) break;
        }
        push(q, *e, uint32_t(written));
        pushed = true;
    }
    if (pushed) notify(q);
}

}  // namespace emu

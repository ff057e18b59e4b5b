#include "hw/virtio/virtqueue.h"

#include "hw/virtio/virtqueue_internal.h"

#include <algorithm>
#include <atomic>
#include <bit>
#include <cinttypes>
#include <cstring>

namespace emu {

using namespace virtio;
using namespace vq_detail;

static_assert(std::endian::native == std::endian::little,
              "virtio 1.x rings are little-endian; a big-endian host needs byte swaps");

namespace {

// Walks bytes [offset, offset + len) of the chain's flat view: piece(segment
// bytes, position in the caller's buffer, n) for each contiguous piece.
// Returns the bytes covered (less than len where the chain ends first).
template <typename Piece>
size_t iov_walk(const std::vector<VirtioIov>& iov, size_t offset, size_t len, Piece piece) {
    size_t done = 0;
    for (const VirtioIov& v : iov) {
        if (done == len) break;
        if (offset >= v.len) {
            offset -= v.len;
            continue;
        }
        size_t n = std::min(v.len - offset, len - done);
        piece(v.base + offset, done, n);
        done += n;
        offset = 0;
    }
    return done;
}

}  // namespace

size_t iov_to_buf(const std::vector<VirtioIov>& iov, size_t offset, void* buf, size_t len) {
    auto* out = static_cast<uint8_t*>(buf);
    return iov_walk(iov, offset, len,
                    [out](uint8_t* seg, size_t at, size_t n) { std::memcpy(out + at, seg, n); });
}

size_t buf_to_iov(const std::vector<VirtioIov>& iov, size_t offset, const void* buf, size_t len) {
    const auto* in = static_cast<const uint8_t*>(buf);
    return iov_walk(iov, offset, len,
                    [in](uint8_t* seg, size_t at, size_t n) { std::memcpy(seg, in + at, n); });
}

void Virtqueue::reset() {
    size_ = max_size_;
    desc_addr = avail_addr = used_addr = 0;
    msix_vector = 0xffff;
    ready_ = false;
    broken_ = false;
    event_idx_ = false;
    indirect_ = false;
    packed_ = false;
    avail_wrap_ = used_wrap_ = true;
    notify_enabled_ = true;
    mem_ = nullptr;
    desc_ = nullptr;
    avail_ = nullptr;
    used_ = nullptr;
    last_avail_ = used_idx_ = signalled_used_ = 0;
    signalled_used_valid_ = false;
    outstanding_ = 0;
}

bool Virtqueue::enable(const GuestMemory& mem, bool event_idx, bool indirect, std::string* err,
                       bool packed) {
    auto fail = [&](std::string why) {
        *err = std::move(why);
        broken_ = true;
        ready_ = true;
        return false;
    };
    if (size_ == 0 || size_ > max_size_ || (!packed && (size_ & (size_ - 1)))) {
        return fail("queue size " + std::to_string(size_) + " is not " +
                    (packed ? "" : "a power of two ") + "up to " + std::to_string(max_size_));
    }
    // 2.7: alignment 16 (descriptors), 2 (available), 4 (used); 2.8: 16, 4, 4.
    if ((desc_addr & 15) || (avail_addr & (packed ? 3 : 1)) || (used_addr & 3)) {
        return fail("misaligned ring address");
    }
    uint64_t n = size_;
    // A packed ring's descriptors are written back by the device.
    uint8_t* d = mem.span(desc_addr, 16 * n, packed);
    uint8_t* a = mem.span(avail_addr, packed ? 4 : 6 + 2 * n, false);
    uint8_t* u = mem.span(used_addr, packed ? 4 : 6 + 8 * n, true);
    if (!d) return fail("descriptor table at " + hex(desc_addr) + " is not in guest RAM");
    if (!a) return fail("available ring at " + hex(avail_addr) + " is not in guest RAM");
    if (!u) return fail("used ring at " + hex(used_addr) + " is not in guest RAM");
    mem_ = &mem;
    desc_ = d;
    avail_ = a;
    used_ = u;
    event_idx_ = event_idx;
    indirect_ = indirect;
    packed_ = packed;
    avail_wrap_ = used_wrap_ = true;
    ready_ = true;
    broken_ = false;
    last_avail_ = used_idx_ = signalled_used_ = 0;
    signalled_used_valid_ = false;
    outstanding_ = 0;
    notify_enabled_ = true;
    if (packed_) {
        store16(used_, 0);      // device event suppression: off_wrap
        store16(used_ + 2, 0);  // flags: notifications enabled
        return true;
    }
    store16(used_, 0);      // flags
    store16(used_ + 2, 0);  // idx
    if (event_idx_) store16(used_ + 4 + 8 * n, 0);
    return true;
}

uint16_t Virtqueue::load_avail_idx() const {
    uint16_t idx = load16(avail_ + 2);
    // Ring entries written before idx must be seen after it.
    std::atomic_thread_fence(std::memory_order_acquire);
    return idx;
}

bool Virtqueue::has_work() {
    if (!ready_ || broken_) return false;
    if (packed_) return has_work_packed();
    std::atomic_thread_fence(std::memory_order_seq_cst);
    return load_avail_idx() != last_avail_;
}

bool Virtqueue::map_buffer(uint64_t gpa, uint32_t len, bool writable, VirtqElement* elem,
                           std::string* err) {
    if (gpa + len < gpa) {
        *err = "buffer at " + hex(gpa) + " wraps around the address space";
        return false;
    }
    auto view = mem_->address_space()->view();
    uint64_t left = len;
    while (left > 0) {
        const FlatRange* r = view->lookup(gpa);
        if (!r || r->is_io() || (writable && !r->is_ram())) {
            *err = "buffer " + hex(gpa) + "+" + std::to_string(left) + " is outside guest RAM";
            return false;
        }
        uint64_t n = std::min<uint64_t>(left, r->size - (gpa - r->start));
        auto& list = writable ? elem->in : elem->out;
        if (elem->in.size() + elem->out.size() >= kMaxChainPieces) {
            *err = "descriptor chain maps to too many pieces";
            return false;
        }
        list.push_back({r->host_ptr() + (gpa - r->start), size_t(n)});
        gpa += n;
        left -= n;
    }
    (writable ? elem->in_len : elem->out_len) += len;
    return true;
}

bool Virtqueue::add_buffer(uint64_t addr, uint32_t len, bool writable, uint64_t* total,
                           VirtqElement* elem, std::string* err) {
    if (!writable && !elem->in.empty()) {
        *err = "device-readable descriptor after a device-writable one";
        return false;
    }
    *total += len;
    if (*total > kMaxChainBytes) {
        *err = "descriptor chain longer than 1 GiB";
        return false;
    }
    return len == 0 || map_buffer(addr, len, writable, elem, err);
}

Virtqueue::PopResult Virtqueue::pop(VirtqElement* elem, std::string* err) {
    if (!ready_ || broken_ || full()) return PopResult::Empty;
    PopResult r = packed_ ? pop_packed(elem, err) : pop_split(elem, err);
    if (r == PopResult::Error) broken_ = true;
    if (r == PopResult::Ok) ++outstanding_;
    return r;
}

Virtqueue::PopResult Virtqueue::pop_split(VirtqElement* elem, std::string* err) {
    auto fail = [&](std::string why) {
        *err = std::move(why);
        broken_ = true;
        return PopResult::Error;
    };
    uint16_t avail_idx = load_avail_idx();
    uint16_t pending = uint16_t(avail_idx - last_avail_);
    if (pending == 0) return PopResult::Empty;
    if (pending > size_) {
        return fail("available index moved by " + std::to_string(pending) + " in a queue of " +
                    std::to_string(size_));
    }
    uint16_t head = load16(avail_ + 4 + 2 * (last_avail_ % size_));
    if (head >= size_) return fail("head descriptor " + std::to_string(head) + " out of range");

    *elem = VirtqElement{};
    elem->head = head;
    const uint8_t* table = desc_;
    unsigned table_len = size_;
    unsigned idx = head;
    unsigned seen = 0;
    bool in_indirect = false;
    uint64_t total = 0;
    for (;;) {
        // A chain (or an indirect table) can have at most as many entries
        // as its table; more means a loop.
        if (++seen > table_len) return fail("descriptor chain loops or exceeds its table");
        VirtqDesc d;
        std::memcpy(&d, table + 16 * idx, sizeof d);
        if (d.flags & kDescFIndirect) {
            if (!indirect_) return fail("indirect descriptor without VIRTIO_F_INDIRECT_DESC");
            if (in_indirect) return fail("indirect descriptor inside an indirect table");
            if (d.flags & kDescFNext) return fail("indirect descriptor with NEXT set");
            if (d.len == 0 || d.len % 16 || d.len / 16 > size_) {
                return fail("indirect table length " + std::to_string(d.len) + " invalid");
            }
            const uint8_t* t = mem_->span(d.addr, d.len, false);
            if (!t) return fail("indirect table at " + hex(d.addr) + " is not in guest RAM");
            table = t;
            table_len = d.len / 16;
            idx = 0;
            seen = 0;
            in_indirect = true;
            continue;
        }
        if (!add_buffer(d.addr, d.len, d.flags & kDescFWrite, &total, elem, err)) {
            return PopResult::Error;
        }
        if (!(d.flags & kDescFNext)) break;
        idx = d.next;
        if (idx >= table_len)
            return fail("next descriptor " + std::to_string(idx) + " out of range");
    }
    ++last_avail_;
    if (event_idx_ && notify_enabled_) store16(used_ + 4 + 8 * size_, last_avail_);
    return PopResult::Ok;
}

void Virtqueue::push(const VirtqElement& elem, uint32_t written) {
    if (!ready_ || broken_) return;
    if (outstanding_ > 0) --outstanding_;
    if (packed_) return push_packed(elem, written);
    VirtqUsedElem e{elem.head, written};
    std::memcpy(used_ + 4 + 8 * (used_idx_ % size_), &e, sizeof e);
    ++used_idx_;
    // The element must be visible before the index that publishes it.
    std::atomic_thread_fence(std::memory_order_release);
    store16(used_ + 2, used_idx_);
}

bool Virtqueue::should_notify() {
    if (!ready_ || broken_) return false;
    // Order our used index store before reading the driver's suppression.
    if (packed_) return should_notify_packed();
    std::atomic_thread_fence(std::memory_order_seq_cst);
    if (!event_idx_) return !(load16(avail_) & kAvailFNoInterrupt);
    uint16_t event = load16(avail_ + 4 + 2 * size_);
    bool valid = signalled_used_valid_;
    uint16_t old = signalled_used_;
    signalled_used_valid_ = true;
    signalled_used_ = used_idx_;
    return !valid || need_event(event, used_idx_, old);
}

void Virtqueue::set_notification(bool enable) {
    if (!ready_ || broken_) return;
    notify_enabled_ = enable;
    if (packed_) return set_notification_packed(enable);
    if (event_idx_) {
        if (enable) store16(used_ + 4 + 8 * size_, load16(avail_ + 2));
    } else {
        store16(used_, enable ? 0 : kUsedFNoNotify);
    }
    if (enable) std::atomic_thread_fence(std::memory_order_seq_cst);
}

}  // namespace emu

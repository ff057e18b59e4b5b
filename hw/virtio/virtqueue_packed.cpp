// The packed virtqueue layout (virtio 1.x, 2.8): one descriptor ring that
// the driver fills and the device writes back, with wrap counters instead
// of indexes, and event suppression structures in place of the available
// and used rings. The same hostile-input rules as the split ring apply.
#include <algorithm>
#include <atomic>
#include <cstring>

#include "hw/virtio/virtqueue.h"
#include "hw/virtio/virtqueue_internal.h"

namespace emu {

using namespace virtio;
using namespace vq_detail;

namespace {

bool desc_available(uint16_t flags, bool wrap) {
    return bool(flags & kPackedDescFAvail) == wrap && bool(flags & kPackedDescFUsed) != wrap;
}

}  // namespace

bool Virtqueue::has_work_packed() {
    std::atomic_thread_fence(std::memory_order_seq_cst);
    return desc_available(load16(desc_ + 16 * last_avail_ + 14), avail_wrap_);
}

Virtqueue::PopResult Virtqueue::pop_packed(VirtqElement* elem, std::string* err) {
    auto fail = [&](std::string why) {
        *err = std::move(why);
        return PopResult::Error;
    };
    uint16_t head_flags = load16(desc_ + 16 * last_avail_ + 14);
    if (!desc_available(head_flags, avail_wrap_)) return PopResult::Empty;
    // The rest of the chain was written before the head's flags.
    std::atomic_thread_fence(std::memory_order_acquire);

    *elem = VirtqElement{};
    uint64_t total = 0;
    unsigned idx = last_avail_;
    unsigned count = 0;
    for (;;) {
        // A chain occupies consecutive slots; it cannot be longer than the ring.
        if (++count > size_) return fail("descriptor chain longer than the ring");
        VirtqPackedDesc d;
        std::memcpy(&d, desc_ + 16 * idx, sizeof d);
        if (d.flags & kDescFIndirect) {
            if (!indirect_) return fail("indirect descriptor without VIRTIO_F_INDIRECT_DESC");
            if (count != 1 || (d.flags & kDescFNext)) {
                return fail("indirect descriptor chained with others");
            }
            if (d.len == 0 || d.len % 16 || d.len / 16 > size_) {
                return fail("indirect table length " + std::to_string(d.len) + " invalid");
            }
            const uint8_t* t = mem_->span(d.addr, d.len, false);
            if (!t) return fail("indirect table at " + hex(d.addr) + " is not in guest RAM");
            // Every entry of an indirect table is used, in order.
            for (unsigned i = 0; i < d.len / 16; ++i) {
                VirtqPackedDesc e;
                std::memcpy(&e, t + 16 * i, sizeof e);
                if (e.flags & kDescFIndirect) {
                    return fail("indirect descriptor inside an indirect table");
                }
                if (!add_buffer(e.addr, e.len, e.flags & kDescFWrite, &total, elem, err)) {
                    return PopResult::Error;
                }
            }
            elem->head = d.id;
            break;
        }
        if (!add_buffer(d.addr, d.len, d.flags & kDescFWrite, &total, elem, err)) {
            return PopResult::Error;
        }
        if (!(d.flags & kDescFNext)) {
            elem->head = d.id;  // the buffer ID is in the chain's last descriptor
            break;
        }
        idx = idx + 1 == size_ ? 0 : idx + 1;
    }
    elem->ndescs = uint16_t(count);
    unsigned next = last_avail_ + count;
    if (next >= size_) {
        next -= size_;
        avail_wrap_ = !avail_wrap_;
    }
    last_avail_ = uint16_t(next);
    return PopResult::Ok;
}

void Virtqueue::push_packed(const VirtqElement& elem, uint32_t written) {
    uint8_t* d = desc_ + 16 * used_idx_;
    std::memcpy(d + 8, &written, 4);
    std::memcpy(d + 12, &elem.head, 2);
    uint16_t flags = uint16_t((used_wrap_ ? kPackedDescFAvail | kPackedDescFUsed : 0) |
                              (written ? kDescFWrite : 0));
    // id and len must be visible before the flags that hand the slot back.
    std::atomic_thread_fence(std::memory_order_release);
    store16(d + 14, flags);
    unsigned next = used_idx_ + std::max<unsigned>(1, elem.ndescs);
    if (next >= size_) {
        next -= size_;
        used_wrap_ = !used_wrap_;
    }
    used_idx_ = uint16_t(next);
}

bool Virtqueue::should_notify_packed() {
    std::atomic_thread_fence(std::memory_order_seq_cst);
    uint16_t off_wrap = load16(avail_);
    uint16_t flags = load16(avail_ + 2);
    bool valid = signalled_used_valid_;
    uint16_t old = signalled_used_;
    signalled_used_valid_ = true;
    signalled_used_ = used_idx_;
    if (flags == kEventFlagsDisable) return false;
    if (flags != kEventFlagsDesc || !event_idx_) return true;
    // The driver wants an interrupt once the used position passes off_wrap;
    // an event index from the previous lap counts one ring size back.
    uint16_t event = off_wrap & 0x7fff;
    if (bool(off_wrap >> 15) != used_wrap_) event = uint16_t(event - size_);
    return !valid || need_event(event, used_idx_, old);
}

void Virtqueue::set_notification_packed(bool enable) {
    if (enable && event_idx_) {
        store16(used_, uint16_t(last_avail_ | (avail_wrap_ ? 0x8000 : 0)));
        store16(used_ + 2, kEventFlagsDesc);
    } else {
        store16(used_ + 2, enable ? kEventFlagsEnable : kEventFlagsDisable);
    }
    if (enable) std::atomic_thread_fence(std::memory_order_seq_cst);
}

}  // namespace emu

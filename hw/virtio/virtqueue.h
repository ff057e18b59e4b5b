#pragma once
// A virtio 1.x virtqueue, device side: split ring, or packed ring when
// VIRTIO_F_RING_PACKED was negotiated (virtqueue_packed.cpp). Everything read from guest
// memory is hostile: every descriptor is copied out of the ring before it is
// checked, chains are bounded (no loops), buffers must lie wholly in guest
// RAM (never MMIO, never outside), readable buffers come before writable
// ones, indirect tables may not nest, and the total length is capped. Any
// violation makes pop() return Error with a reason; the device then reports
// DEVICE_NEEDS_RESET and stops using the queue until reset.
//
// Host pointers handed out in elements point into guest RAM regions, which
// live as long as the machine; they are valid until the element is pushed.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "hw/core/guest_memory.h"
#include "hw/virtio/virtio_regs.h"

namespace emu {

struct VirtioIov {
    uint8_t* base;
    size_t len;
};

// One request: the driver's buffers, readable (out) then writable (in).
struct VirtqElement {
    uint16_t head = 0;    // split: head index; packed: buffer id
    uint16_t ndescs = 1;  // packed: ring slots the chain used
    std::vector<VirtioIov> out;
    std::vector<VirtioIov> in;
    size_t out_len = 0;
    size_t in_len = 0;
};

// Copies between a scatter list and a flat buffer starting `offset` bytes
// into the list; returns the bytes copied (short when the list ends).
size_t iov_to_buf(const std::vector<VirtioIov>& iov, size_t offset, void* buf, size_t len);
size_t buf_to_iov(const std::vector<VirtioIov>& iov, size_t offset, const void* buf, size_t len);

class Virtqueue {
  public:
    enum class PopResult { Ok, Empty, Error };

    // Upper bound on the bytes one chain may describe, and on the host
    // pieces it may map to: a hostile chain cannot make the device
    // allocate or copy without limit.
    static constexpr uint64_t kMaxChainBytes = 1ull << 30;
    static constexpr size_t kMaxChainPieces = 4096;

    explicit Virtqueue(uint16_t max_size = 256) : max_size_(max_size) { reset(); }

    // Driver-programmed state (through the transport).
    uint16_t max_size() const { return max_size_; }
    uint16_t size() const { return size_; }
    void set_size(uint16_t n) { size_ = n; }
    uint64_t desc_addr = 0, avail_addr = 0, used_addr = 0;
    uint16_t msix_vector = 0xffff;
    bool ready() const { return ready_; }

    // Validates the ring layout and starts using it. False (with a reason)
    // when the size is not a power of two within max, or a ring is
    // misaligned or not in guest RAM: the queue is then broken.
    // Packed rings: any size up to the maximum, a 4-byte event suppression
    // structure in place of each of the available and used rings.
    bool enable(const GuestMemory& mem, bool event_idx, bool indirect, std::string* err,
                bool packed = false);
    bool packed() const { return packed_; }
    // Power-on / driver reset state.
    void reset();
    // The driver cleared QueueReady: stop using the rings, keep the setup.
    void disable() {
        ready_ = false;
        broken_ = false;
    }

    bool broken() const { return broken_; }
    // pop() and push() are used only while ready() and !broken().
    PopResult pop(VirtqElement* elem, std::string* err);
    // Returns an element to the driver with `written` bytes in its in-buffers.
    void push(const VirtqElement& elem, uint32_t written);
    // Whether the driver wants an interrupt for what was pushed since the
    // last one (event index or the NO_INTERRUPT flag).
    bool should_notify();
    // Asks the driver to kick (or not) when it adds buffers; after enabling,
    // check has_work() again to close the race with the driver.
    void set_notification(bool enable);
    bool has_work();

    uint16_t last_avail_idx() const { return last_avail_; }
    // Elements popped and not yet pushed. A driver can never have more
    // than the queue size outstanding (each holds a descriptor or slot),
    // so pop() stops there: a hostile driver that republishes descriptors
    // the device still owns cannot make it queue unbounded work.
    unsigned outstanding() const { return outstanding_; }
    bool full() const { return outstanding_ >= size_; }
    uint16_t used_idx() const { return used_idx_; }

  private:
    PopResult pop_split(VirtqElement* elem, std::string* err);
    PopResult pop_packed(VirtqElement* elem, std::string* err);
    void push_packed(const VirtqElement& elem, uint32_t written);
    bool should_notify_packed();
    void set_notification_packed(bool enable);
    bool has_work_packed();
    // Appends one descriptor's buffer, enforcing direction and total length.
    bool add_buffer(uint64_t addr, uint32_t len, bool writable, uint64_t* total, VirtqElement* elem,
                    std::string* err);
    bool map_buffer(uint64_t gpa, uint32_t len, bool writable, VirtqElement* elem,
                    std::string* err);
    uint16_t load_avail_idx() const;

    uint16_t max_size_;
    uint16_t size_ = 0;
    bool ready_ = false;
    bool broken_ = false;
    bool event_idx_ = false;
    bool indirect_ = false;
    bool packed_ = false;
    bool avail_wrap_ = true;  // packed ring wrap counters
    bool used_wrap_ = true;
    bool notify_enabled_ = true;
    const GuestMemory* mem_ = nullptr;
    // Host views of the rings, checked at enable().
    uint8_t* desc_ = nullptr;   // written back only by packed rings
    uint8_t* avail_ = nullptr;  // read-only use; non-const for atomics
    uint8_t* used_ = nullptr;
    uint16_t last_avail_ = 0;
    uint16_t used_idx_ = 0;
    uint16_t signalled_used_ = 0;
    unsigned outstanding_ = 0;
    bool signalled_used_valid_ = false;
};

}  // namespace emu

#pragma once
// A mock guest for virtio tests: RAM in an address space, and a driver that
// lays out split rings in it and builds (or forges) descriptor chains.
#include <catch2/catch.hpp>

#include <cstring>
#include <memory>
#include <vector>

#include "hw/core/address_space.h"
#include "hw/core/guest_memory.h"
#include "hw/virtio/virtio_regs.h"

namespace emu::test {

constexpr uint64_t kRamBase = 0x40000000;
constexpr uint64_t kRamSize = 16 << 20;

struct GuestRam {
    std::unique_ptr<MemoryRegion> root = MemoryRegion::container("system", UINT64_MAX);
    std::unique_ptr<MemoryRegion> ram = MemoryRegion::ram("ram", kRamSize);
    AddressSpace as{"memory", root.get()};
    GuestMemory mem{&as};

    GuestRam() { root->add_subregion(kRamBase, ram.get()); }
    ~GuestRam() { root->remove_subregion(ram.get()); }
    uint8_t* host(uint64_t gpa) { return ram->host_ptr() + (gpa - kRamBase); }
    template <typename T>
    T get(uint64_t gpa) {
        T v;
        std::memcpy(&v, host(gpa), sizeof v);
        return v;
    }
    template <typename T>
    void put(uint64_t gpa, T v) {
        std::memcpy(host(gpa), &v, sizeof v);
    }
};

struct Buf {
    uint64_t gpa;
    uint32_t len;
    bool write;
};

// The driver side of one split ring at `base` in guest RAM.
class RingDriver {
  public:
    RingDriver(GuestRam& g, uint64_t base, uint16_t size)
        : g_(g),
          size_(size),
          desc_(base),
          avail_(base + 16u * size),
          used_((avail_ + 6 + 2u * size + 3) & ~3ull) {
        clear();
    }
    // Back to an empty ring (after a device reset).
    void clear() {
        std::memset(g_.host(desc_), 0, used_ + 6 + 8u * size_ - desc_);
        next_free_ = 0;
    }
    uint64_t desc_addr() const { return desc_; }
    uint64_t avail_addr() const { return avail_; }
    uint64_t used_addr() const { return used_; }
    uint16_t size() const { return size_; }

    void write_desc(uint16_t i, uint64_t addr, uint32_t len, uint16_t flags, uint16_t next) {
        virtio::VirtqDesc d{addr, len, flags, next};
        std::memcpy(g_.host(desc_ + 16u * i), &d, 16);
    }
    // Publishes head in the next available slot.
    void publish(uint16_t head) {
        uint16_t idx = avail_idx();
        g_.put<uint16_t>(avail_ + 4 + 2u * (idx % size_), head);
        g_.put<uint16_t>(avail_ + 2, uint16_t(idx + 1));
    }
    // A well-formed chain from the free descriptor pointer; returns head.
    uint16_t add(const std::vector<Buf>& bufs) {
        uint16_t head = next_free_;
        for (size_t i = 0; i < bufs.size(); ++i) {
            uint16_t d = uint16_t((next_free_ + i) % size_);
            uint16_t flags = uint16_t((bufs[i].write ? virtio::kDescFWrite : 0) |
                                      (i + 1 < bufs.size() ? virtio::kDescFNext : 0));
            write_desc(d, bufs[i].gpa, bufs[i].len, flags, uint16_t((d + 1) % size_));
        }
        next_free_ = uint16_t((next_free_ + bufs.size()) % size_);
        publish(head);
        return head;
    }
    // A chain of one indirect descriptor whose table (at table_gpa) holds bufs.
    uint16_t add_indirect(uint64_t table_gpa, const std::vector<Buf>& bufs) {
        for (size_t i = 0; i < bufs.size(); ++i) {
            uint16_t flags = uint16_t((bufs[i].write ? virtio::kDescFWrite : 0) |
                                      (i + 1 < bufs.size() ? virtio::kDescFNext : 0));
            virtio::VirtqDesc d{bufs[i].gpa, bufs[i].len, flags, uint16_t(i + 1)};
            std::memcpy(g_.host(table_gpa + 16 * i), &d, 16);
        }
        uint16_t head = next_free_;
        write_desc(head, table_gpa, uint32_t(16 * bufs.size()), virtio::kDescFIndirect, 0);
        next_free_ = uint16_t((next_free_ + 1) % size_);
        publish(head);
        return head;
    }

    uint16_t avail_idx() { return g_.get<uint16_t>(avail_ + 2); }
    void set_avail_idx(uint16_t v) { g_.put<uint16_t>(avail_ + 2, v); }
    void set_avail_flags(uint16_t v) { g_.put<uint16_t>(avail_, v); }
    void set_used_event(uint16_t v) { g_.put<uint16_t>(avail_ + 4 + 2u * size_, v); }
    uint16_t used_flags() { return g_.get<uint16_t>(used_); }
    uint16_t used_idx() { return g_.get<uint16_t>(used_ + 2); }
    uint16_t avail_event() { return g_.get<uint16_t>(used_ + 4 + 8u * size_); }
    virtio::VirtqUsedElem used(uint16_t i) {
        return g_.get<virtio::VirtqUsedElem>(used_ + 4 + 8u * (i % size_));
    }

  private:
    GuestRam& g_;
    uint16_t size_;
    uint64_t desc_, avail_, used_;
    uint16_t next_free_ = 0;
};

}  // namespace emu::test

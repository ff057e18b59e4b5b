// Fuzz target: a hostile driver controls the whole split or packed ring (descriptor
// table, available ring, indirect tables, indexes) and the queue setup.
// Whatever it writes, every buffer the device is handed must lie inside
// guest RAM, pop() must terminate, and the accounting must add up.
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>

#include "hw/core/address_space.h"
#include "hw/core/guest_memory.h"
#include "hw/virtio/virtqueue.h"

using namespace emu;

namespace {

// How far inputs got (printed by the replay driver).
uint64_t g_enabled, g_chains, g_errors;

constexpr uint64_t kRamBase = 0x10000;
constexpr uint64_t kRamSize = 0x10000;

struct Dev : MmioHandler {
    uint64_t mmio_read(uint64_t, unsigned) override { return 0; }
    void mmio_write(uint64_t, uint64_t, unsigned) override {}
};

struct World {
    Dev dev;
    std::unique_ptr<MemoryRegion> root = MemoryRegion::container("system", UINT64_MAX);
    std::unique_ptr<MemoryRegion> ram = MemoryRegion::ram("ram", kRamSize);
    std::unique_ptr<MemoryRegion> rom = MemoryRegion::rom("rom", 0x1000);
    std::unique_ptr<MemoryRegion> io = MemoryRegion::io("io", 0x1000, &dev);
    AddressSpace as{"memory", root.get()};
    GuestMemory mem{&as};
    World() {
        root->add_subregion(kRamBase, ram.get());
        root->add_subregion(kRamBase + kRamSize, io.get());  // MMIO right after RAM
        root->add_subregion(0x0, rom.get());
    }
    ~World() {
        root->remove_subregion(ram.get());
        root->remove_subregion(io.get());
        root->remove_subregion(rom.get());
    }
    bool in_ram(const VirtioIov& v, bool writable) const {
        const uint8_t* b = ram->host_ptr();
        if (v.base >= b && v.base + v.len <= b + kRamSize) return true;
        const uint8_t* r = rom->host_ptr();
        return !writable && v.base >= r && v.base + v.len <= r + 0x1000;
    }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static World* w = new World;
    if (size < 8) return 0;
    // Setup bytes: queue size, flags, ring offsets (in 16-byte units).
    uint16_t qsize = uint16_t(1u << (data[0] % 9));  // 1..256
    bool event_idx = data[1] & 1, indirect = data[1] & 2, packed = data[1] & 4;
    uint64_t desc = kRamBase + 16ull * (data[2] | (data[3] & 0x0f) << 8);
    uint64_t avail = kRamBase + 2ull * (data[4] | (data[5] & 0x7f) << 8);
    uint64_t used = kRamBase + 4ull * (data[6] | (data[7] & 0x3f) << 8);
    // The rest is guest RAM as the driver left it.
    std::memset(w->ram->host_ptr(), 0, kRamSize);
    std::memcpy(w->ram->host_ptr(), data + 8, std::min<size_t>(size - 8, kRamSize));

    Virtqueue q(256);
    q.set_size(qsize);
    q.desc_addr = desc;
    q.avail_addr = avail;
    q.used_addr = used;
    std::string err;
    if (!q.enable(w->mem, event_idx, indirect, &err, packed)) return 0;
    ++g_enabled;
    // The used ring may overlap everything else: re-apply the driver's
    // bytes so the available ring is what the fuzzer chose.
    std::memcpy(w->ram->host_ptr(), data + 8, std::min<size_t>(size - 8, kRamSize));
    for (int i = 0; i < 300; ++i) {
        VirtqElement e;
        auto r = q.pop(&e, &err);
        g_errors += r == Virtqueue::PopResult::Error;
        if (r != Virtqueue::PopResult::Ok) break;
        ++g_chains;
        size_t out = 0, in = 0;
        for (const VirtioIov& v : e.out) {
            if (!w->in_ram(v, false)) std::abort();
            out += v.len;
        }
        for (const VirtioIov& v : e.in) {
            if (!w->in_ram(v, true)) std::abort();
            in += v.len;
        }
        if (out != e.out_len || in != e.in_len) std::abort();
        if (out + in > Virtqueue::kMaxChainBytes) std::abort();
        q.push(e, uint32_t(in));
        q.should_notify();
    }
    return 0;
}

#ifndef EMU_LIBFUZZER
// Without libFuzzer (GCC builds, ctest): replay random and mutated inputs
// from a fixed seed, so the target still runs as a smoke test.
#include <cstdio>
#include <random>
#include <vector>

int main(int argc, char** argv) {
    unsigned runs = argc > 1 ? unsigned(std::strtoul(argv[1], nullptr, 0)) : 3000;
    std::mt19937_64 rng(12345);
    std::vector<uint8_t> buf;
    for (unsigned i = 0; i < runs; ++i) {
        size_t n = 8 + rng() % 4096;
        buf.assign(n, 0);
        for (auto& b : buf)
            b = uint8_t(rng());
        // Bias toward small indexes and plausible descriptors so that chains
        // actually get walked, not just refused at the first check.
        buf[2] = uint8_t(rng() % 8), buf[3] = 0;
        buf[4] = uint8_t(rng() % 64), buf[5] = 0;
        buf[6] = uint8_t(rng() % 64), buf[7] = 0;
        for (size_t k = 8; k + 16 <= n; k += 16) {
            if (rng() % 2) {
                uint64_t addr = kRamBase + rng() % (kRamSize + 0x2000);
                std::memcpy(&buf[k], &addr, 8);
                uint32_t len = uint32_t(rng() % 512);
                std::memcpy(&buf[k + 8], &len, 4);
                buf[k + 12] = uint8_t(rng() % 8);
                buf[k + 13] = 0;
                buf[k + 14] = uint8_t(rng() % 16);
                buf[k + 15] = 0;
            }
        }
        // A small available index and in-range heads most of the time.
        size_t avail = 8 + 2 * size_t(buf[4]);
        if (avail + 4 + 2 * 8 <= n && rng() % 4) {
            buf[avail + 2] = uint8_t(rng() % 6);
            buf[avail + 3] = 0;
            for (int h = 0; h < 8; ++h) {
                buf[avail + 4 + 2 * h] = uint8_t(rng() % 16);
                buf[avail + 5 + 2 * h] = 0;
            }
        }
        LLVMFuzzerTestOneInput(buf.data(), buf.size());
    }
    std::printf("%u inputs: %llu queues enabled, %llu chains popped, %llu refused\n", runs,
                (unsigned long long)g_enabled, (unsigned long long)g_chains,
                (unsigned long long)g_errors);
    return 0;
}
#endif

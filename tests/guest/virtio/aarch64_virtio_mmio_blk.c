// A bare-metal aarch64 program for -M virt that drives a virtio-blk disk on
// a virtio-mmio (version 2) slot like a driver would: scans the 32 slots at
// 0x0a000000, negotiates VERSION_1, sets up one split queue and polls it.
// It checks what the host put on the disk (64 KiB of 0x5a), writes 8 KiB of
// 0xa5 at 64 KiB for the host to check, and exits with the failure count.
// Under QEMU it needs -global virtio-mmio.force-legacy=false.
#include "lib/rt.h"

#define SLOTS 0x0a000000ul
#define QSIZE 16

struct desc { uint64_t addr; uint32_t len; uint16_t flags, next; };
struct avail { uint16_t flags, idx, ring[QSIZE], used_event; };
struct used_elem { uint32_t id, len; };
struct used { uint16_t flags, idx; struct used_elem ring[QSIZE]; uint16_t avail_event; };

static struct desc descs[QSIZE] __attribute__((aligned(16)));
static struct avail av __attribute__((aligned(4)));
static struct used us __attribute__((aligned(4)));
static uint8_t data[8192] __attribute__((aligned(4096)));
static struct { uint32_t type, reserved; uint64_t sector; } hdr __attribute__((aligned(16)));
static volatile uint8_t status __attribute__((aligned(8)));
static uintptr_t base;

static uint32_t rd(unsigned off) { return *(volatile uint32_t*)(base + off); }
static void wr(unsigned off, uint32_t v) { *(volatile uint32_t*)(base + off) = v; }
static void mb(void) { __asm__ volatile("dmb sy" ::: "memory"); }

static int request(uint32_t type, uint64_t sector, uint32_t len) {
    hdr.type = type;
    hdr.reserved = 0;
    hdr.sector = sector;
    status = 0xff;
    descs[0] = (struct desc){(uintptr_t)&hdr, 16, 1, (uint16_t)(len ? 1 : 2)};
    if (len) descs[1] = (struct desc){(uintptr_t)data, len, (uint16_t)(1 | (type == 0 ? 2 : 0)), 2};
    descs[2] = (struct desc){(uintptr_t)&status, 1, 2, 0};
    uint16_t before = *(volatile uint16_t*)&us.idx;
    av.ring[av.idx % QSIZE] = 0;
    mb();
    *(volatile uint16_t*)&av.idx = (uint16_t)(av.idx + 1);
    mb();
    wr(0x50, 0);
    for (unsigned long spins = 0; *(volatile uint16_t*)&us.idx == before; ++spins) {
        if (spins > 100000000ul) {
            printf("virtio-blk: request timed out\n");
            return -1;
        }
    }
    mb();
    return status;
}

static int all(const uint8_t* p, size_t n, uint8_t v) {
    for (size_t i = 0; i < n; ++i) {
        if (p[i] != v) return 0;
    }
    return 1;
}

int main(uint64_t dtb) {
    (void)dtb;
    for (unsigned i = 0; i < 32 && !base; ++i) {
        uintptr_t b = SLOTS + 0x200ul * i;
        if (*(volatile uint32_t*)b == 0x74726976u && *(volatile uint32_t*)(b + 8) == 2) base = b;
    }
    if (!base) {
        printf("virtio-blk: no virtio-mmio block device\n");
        return 1;
    }
    CHECK("virtio-mmio version", rd(0x004), 2);
    wr(0x070, 0);
    wr(0x070, 1);
    wr(0x070, 3);
    wr(0x014, 1);
    CHECK("VERSION_1 offered", rd(0x010) & 1, 1);
    wr(0x024, 0);
    wr(0x020, 0);
    wr(0x024, 1);
    wr(0x020, 1);
    wr(0x070, 0xb);
    CHECK("FEATURES_OK", rd(0x070) & 8, 8);
    wr(0x030, 0);
    CHECK("queue not ready", rd(0x044), 0);
    if (rd(0x034) < QSIZE) return 1;
    wr(0x038, QSIZE);
    wr(0x080, (uint32_t)(uintptr_t)descs);
    wr(0x084, (uint32_t)((uintptr_t)descs >> 32));
    wr(0x090, (uint32_t)(uintptr_t)&av);
    wr(0x094, (uint32_t)((uintptr_t)&av >> 32));
    wr(0x0a0, (uint32_t)(uintptr_t)&us);
    wr(0x0a4, (uint32_t)((uintptr_t)&us >> 32));
    wr(0x044, 1);
    wr(0x070, 0xf);
    uint64_t cap = rd(0x100) | (uint64_t)rd(0x104) << 32;
    printf("virtio-blk: capacity %lu sectors\n", (unsigned long)cap);

    CHECK("read status", request(0, 0, 8192), 0);
    CHECK("read data is the host's pattern", all(data, 8192, 0x5a), 1);
    memset(data, 0xa5, sizeof data);
    CHECK("write status", request(1, 128, 8192), 0);
    CHECK("flush status", request(4, 0, 0), 0);
    memset(data, 0, sizeof data);
    CHECK("read-back status", request(0, 128, 8192), 0);
    CHECK("read-back data", all(data, 8192, 0xa5), 1);
    CHECK("read past the end fails", request(0, cap, 512), 1);
    if (!g_failures) printf("virtio-blk: TEST PASS\n");
    return 0;
}

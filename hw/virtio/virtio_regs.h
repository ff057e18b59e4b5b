#pragma once
// Constants from the virtio 1.x specification (OASIS virtio v1.2): device
// status bits, reserved feature bits, device IDs, split ring layout.
#include <cstdint>

namespace emu::virtio {

// Device status (2.1).
constexpr uint8_t kStatusAcknowledge = 1;
constexpr uint8_t kStatusDriver = 2;
constexpr uint8_t kStatusDriverOk = 4;
constexpr uint8_t kStatusFeaturesOk = 8;
constexpr uint8_t kStatusNeedsReset = 64;
constexpr uint8_t kStatusFailed = 128;

// Reserved feature bits (6).
constexpr unsigned kFIndirectDesc = 28;
constexpr unsigned kFEventIdx = 29;
constexpr unsigned kFVersion1 = 32;
constexpr unsigned kFAccessPlatform = 33;
constexpr unsigned kFRingPacked = 34;
constexpr unsigned kFInOrder = 35;

constexpr uint64_t bit(unsigned n) {
    return 1ull << n;
}

// Device IDs (5).
constexpr uint16_t kIdNet = 1;
constexpr uint16_t kIdBlock = 2;
constexpr uint16_t kIdConsole = 3;
constexpr uint16_t kIdRng = 4;

// Split virtqueue (2.7).
constexpr uint16_t kDescFNext = 1;
constexpr uint16_t kDescFWrite = 2;
constexpr uint16_t kDescFIndirect = 4;
constexpr uint16_t kAvailFNoInterrupt = 1;
constexpr uint16_t kUsedFNoNotify = 1;
constexpr unsigned kMaxQueueSize = 32768;

struct VirtqDesc {
    uint64_t addr;
    uint32_t len;
    uint16_t flags;
    uint16_t next;
};
static_assert(sizeof(VirtqDesc) == 16);

struct VirtqUsedElem {
    uint32_t id;
    uint32_t len;
};
static_assert(sizeof(VirtqUsedElem) == 8);

// Packed virtqueue (2.8): descriptor {addr, len, id, flags}, AVAIL/USED
// flag bits, and the event suppression structure's flags.
constexpr uint16_t kPackedDescFAvail = 1u << 7;
constexpr uint16_t kPackedDescFUsed = 1u << 15;
constexpr uint16_t kEventFlagsEnable = 0;
constexpr uint16_t kEventFlagsDisable = 1;
constexpr uint16_t kEventFlagsDesc = 2;

struct VirtqPackedDesc {
    uint64_t addr;
    uint32_t len;
    uint16_t id;
    uint16_t flags;
};
static_assert(sizeof(VirtqPackedDesc) == 16);

// Interrupt status bits shared by the MMIO and PCI (ISR) transports.
constexpr uint32_t kIntUsedBuffer = 1;
constexpr uint32_t kIntConfigChange = 2;

}  // namespace emu::virtio

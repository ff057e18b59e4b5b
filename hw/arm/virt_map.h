#pragma once
// QEMU's -M virt memory map (hw/arm/virt.c's table, restated from the
// documented layout) and interrupt assignments. Boards and device-tree code
// take every address from here.
#include <cstdint>

namespace emu::virt {

enum class Region {
    Flash,
    GicDist,
    GicCpu,
    GicV2m,
    GicIts,
    GicRedist,
    Uart,
    Rtc,
    FwCfg,
    Gpio,
    Mmio,  // virtio-mmio transports
    PcieMmio,
    PciePio,
    PcieEcam,
    Mem,
    Count,
};

struct MapEntry {
    uint64_t base;
    uint64_t size;
};

inline constexpr MapEntry kMap[] = {
    /* Flash     */ {0x00000000, 0x08000000},  // two 64 MiB banks
    /* GicDist   */ {0x08000000, 0x00010000},
    /* GicCpu    */ {0x08010000, 0x00010000},
    /* GicV2m    */ {0x08020000, 0x00001000},
    /* GicIts    */ {0x08080000, 0x00020000},
    /* GicRedist */ {0x080a0000, 0x00f60000},
    /* Uart      */ {0x09000000, 0x00001000},
    /* Rtc       */ {0x09010000, 0x00001000},
    /* FwCfg     */ {0x09020000, 0x00000018},
    /* Gpio      */ {0x09030000, 0x00001000},
    /* Mmio      */ {0x0a000000, 0x00000200},  // per slot; kVirtioSlots of them
    /* PcieMmio  */ {0x10000000, 0x2eff0000},
    /* PciePio   */ {0x3eff0000, 0x00010000},
    /* PcieEcam  */ {0x3f000000, 0x01000000},
    /* Mem       */ {0x40000000, 255ull << 30},
};
static_assert(sizeof(kMap) / sizeof(kMap[0]) == size_t(Region::Count));

constexpr const MapEntry& map(Region r) {
    return kMap[size_t(r)];
}

inline constexpr uint64_t kFlashBankSize = 0x04000000;
inline constexpr unsigned kVirtioSlots = 32;

// SPI numbers (GIC interrupt = 32 + spi), as on QEMU's virt.
inline constexpr unsigned kUartSpi = 1;
inline constexpr unsigned kRtcSpi = 2;
inline constexpr unsigned kPcieSpi = 3;  // 4 legacy INTx lines: 3..6
inline constexpr unsigned kGpioSpi = 7;
inline constexpr unsigned kMmioSpi = 16;   // slot n uses 16 + n
inline constexpr unsigned kGicV2mSpi = 48;  // GICv2m MSIs: SPIs 48..111 (INTID 80..143)
inline constexpr unsigned kGicV2mSpiCount = 64;
inline constexpr unsigned kNumIrqs = 256;  // GIC interrupt ids incl. SGIs/PPIs

// Generic timer PPIs (interrupt id = 16 + ppi).
inline constexpr unsigned kPpiTimerSec = 13;   // INTID 29
inline constexpr unsigned kPpiTimerPhys = 14;  // INTID 30 (non-secure physical)
inline constexpr unsigned kPpiTimerVirt = 11;  // INTID 27
inline constexpr unsigned kPpiTimerHyp = 10;   // INTID 26

// Where -kernel images go (RAM base + offset) and the clock for the UART.
inline constexpr uint64_t kRawKernelOffset = 0x80000;
inline constexpr uint32_t kApbClockHz = 24'000'000;

// The high regions QEMU places above 256 GiB of RAM with highmem=on (the
// default): ECAM for 256 buses and a 512 GiB 64-bit PCI memory window.
inline constexpr MapEntry kHighPcieEcam = {0x4010000000ull, 0x10000000};
inline constexpr MapEntry kHighPcieMmio = {0x8000000000ull, 0x8000000000ull};

// CPUs per affinity-0 cluster: a GICv2 target list is 8 bits, GICv3's 16.
constexpr unsigned cluster_size(unsigned gic_version) {
    return gic_version == 2 ? 8 : 16;
}
constexpr uint64_t cpu_mpidr(unsigned index, unsigned gic_version) {
    unsigned n = cluster_size(gic_version);
    return uint64_t(index / n) << 8 | (index % n);
}
// GICv3 redistributors that fit in the first region (128 KiB each).
inline constexpr unsigned kMaxRedistCpus = unsigned(0x00f60000 / 0x20000);

}  // namespace emu::virt

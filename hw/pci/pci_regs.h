#pragma once
// PCI configuration space layout (PCI Local Bus 3.0, PCIe base spec type 0
// header) and the capability IDs we use.
#include <cstdint>

namespace emu::pci {

constexpr unsigned kConfigSize = 256;          // conventional
constexpr unsigned kExpressConfigSize = 4096;  // with ECAM

// Type 0 header.
constexpr unsigned kVendorId = 0x00;
constexpr unsigned kDeviceId = 0x02;
constexpr unsigned kCommand = 0x04;
constexpr unsigned kStatus = 0x06;
constexpr unsigned kRevisionId = 0x08;
constexpr unsigned kClassProg = 0x09;  // 24-bit class code starts here
constexpr unsigned kCacheLineSize = 0x0c;
constexpr unsigned kLatencyTimer = 0x0d;
constexpr unsigned kHeaderType = 0x0e;
constexpr unsigned kBar0 = 0x10;
constexpr unsigned kNumBars = 6;
constexpr unsigned kSubsystemVendorId = 0x2c;
constexpr unsigned kSubsystemId = 0x2e;
constexpr unsigned kRomAddress = 0x30;
constexpr unsigned kCapabilityList = 0x34;
constexpr unsigned kInterruptLine = 0x3c;
constexpr unsigned kInterruptPin = 0x3d;
constexpr unsigned kHeaderEnd = 0x40;  // capabilities start here

constexpr uint16_t kCommandIo = 1u << 0;
constexpr uint16_t kCommandMemory = 1u << 1;
constexpr uint16_t kCommandMaster = 1u << 2;
constexpr uint16_t kCommandParity = 1u << 6;
constexpr uint16_t kCommandSerr = 1u << 8;
constexpr uint16_t kCommandIntxDisable = 1u << 10;

constexpr uint16_t kStatusInterrupt = 1u << 3;
constexpr uint16_t kStatusCapList = 1u << 4;
// Error bits the guest clears by writing 1.
constexpr uint16_t kStatusW1cMask = 0xf900;

constexpr uint8_t kHeaderTypeMultiFunction = 0x80;

constexpr uint32_t kBarIo = 0x1;
constexpr uint32_t kBarMem64 = 0x4;
constexpr uint32_t kBarPrefetch = 0x8;

constexpr uint8_t kCapIdMsi = 0x05;
constexpr uint8_t kCapIdVendor = 0x09;
constexpr uint8_t kCapIdExpress = 0x10;
constexpr uint8_t kCapIdMsix = 0x11;

// MSI-X capability (offsets within the capability).
constexpr unsigned kMsixControl = 2;
constexpr unsigned kMsixTable = 4;
constexpr unsigned kMsixPba = 8;
constexpr unsigned kMsixCapSize = 12;
constexpr uint16_t kMsixControlEnable = 1u << 15;
constexpr uint16_t kMsixControlMaskAll = 1u << 14;
constexpr unsigned kMsixEntrySize = 16;
constexpr uint32_t kMsixVectorMasked = 1u;

constexpr uint16_t kVendorInvalid = 0xffff;

// devfn packing: slot in bits 7..3, function in 2..0.
constexpr uint8_t devfn(unsigned slot, unsigned fn) {
    return uint8_t((slot << 3) | fn);
}
constexpr unsigned devfn_slot(uint8_t devfn) {
    return devfn >> 3;
}
constexpr unsigned devfn_fn(uint8_t devfn) {
    return devfn & 7;
}

}  // namespace emu::pci

#pragma once
// A PCI function for tests: BAR0 32-bit MMIO (4 KiB), BAR2 64-bit MMIO
// (16 KiB), BAR4 I/O (32 bytes). Every access to a BAR is recorded.
#include <memory>
#include <vector>

#include "hw/core/memory_region.h"
#include "hw/pci/pci_device.h"

namespace emu::test {

struct RecordingHandler : MmioHandler {
    struct Access {
        bool write;
        uint64_t off;
        unsigned size;
        uint64_t value;
    };
    std::vector<Access> log;
    uint64_t mmio_read(uint64_t off, unsigned size) override {
        log.push_back({false, off, size, 0});
        return 0xabcd0000u | off;
    }
    void mmio_write(uint64_t off, uint64_t value, unsigned size) override {
        log.push_back({true, off, size, value});
    }
};

class TestPciDevice : public PciDevice {
  public:
    explicit TestPciDevice(const char* name = "test-pci", uint8_t pin = 1)
        : PciDevice(name, ids(pin)) {
        bar0 = MemoryRegion::io("bar0", 0x1000, &h0);
        bar2 = MemoryRegion::io("bar2", 0x4000, &h2);
        bar4 = MemoryRegion::io("bar4", 0x20, &h4);
        register_bar(0, PciBarType::Mem32, bar0.get());
        register_bar(2, PciBarType::Mem64, bar2.get(), true);
        register_bar(4, PciBarType::Io, bar4.get());
    }
    ~TestPciDevice() override { detach(); }

    static PciIds ids(uint8_t pin) {
        PciIds i;
        i.vendor = 0x1234;
        i.device = 0x5678;
        i.subsystem_vendor = 0x1af4;
        i.subsystem = 0x1100;
        i.revision = 3;
        i.class_code = 0x020000;
        i.interrupt_pin = pin;
        return i;
    }

    RecordingHandler h0, h2, h4;
    std::unique_ptr<MemoryRegion> bar0, bar2, bar4;
    int resets = 0;

  protected:
    void device_reset() override { ++resets; }
};

}  // namespace emu::test

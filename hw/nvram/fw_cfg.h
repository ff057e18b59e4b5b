#pragma once
// QEMU's firmware configuration device (fw_cfg): numbered items and named
// files the guest selects and reads, plus the DMA interface. The core here
// knows nothing of buses; FwCfgIo is the x86 port transport (0x510/0x511,
// DMA at 0x514) and FwCfgMmio the memory-mapped one (data +0, selector +8,
// DMA +16, as on Arm virt at 0x09020000). Key numbers are QEMU's.
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "hw/core/device.h"
#include "hw/core/guest_memory.h"
#include "hw/core/memory_region.h"

namespace emu {

namespace fw_cfg {
enum Key : uint16_t {
    kSignature = 0x00,
    kId = 0x01,
    kUuid = 0x02,
    kRamSize = 0x03,
    kNoGraphic = 0x04,
    kNbCpus = 0x05,
    kMachineId = 0x06,
    kKernelAddr = 0x07,
    kKernelSize = 0x08,
    kKernelCmdline = 0x09,
    kInitrdAddr = 0x0a,
    kInitrdSize = 0x0b,
    kBootDevice = 0x0c,
    kNuma = 0x0d,
    kBootMenu = 0x0e,
    kMaxCpus = 0x0f,
    kKernelEntry = 0x10,
    kKernelData = 0x11,
    kInitrdData = 0x12,
    kCmdlineAddr = 0x13,
    kCmdlineSize = 0x14,
    kCmdlineData = 0x15,
    kSetupAddr = 0x16,
    kSetupSize = 0x17,
    kSetupData = 0x18,
    kFileDir = 0x19,
    kFileFirst = 0x20,
    kWriteChannel = 0x4000,
    kArchLocal = 0x8000,
    // x86 arch-local keys.
    kX86AcpiTables = 0x8000,
    kX86Smbios = 0x8001,
    kX86Irq0Override = 0x8002,
    kX86E820Table = 0x8003,
    kX86Hpet = 0x8004,
    kInvalid = 0xffff,
};
constexpr uint32_t kIdTraditional = 1u << 0;
constexpr uint32_t kIdDma = 1u << 1;
constexpr uint32_t kDmaCtlError = 0x01, kDmaCtlRead = 0x02, kDmaCtlSkip = 0x04,
                   kDmaCtlSelect = 0x08, kDmaCtlWrite = 0x10;
// "QEMU CFG", returned by a read of the DMA address register.
constexpr uint64_t kDmaSignature = 0x51454d5520434647ull;
}  // namespace fw_cfg

class FwCfg : public Device {
  public:
    // dma_memory: where DMA descriptors and buffers live (nullptr: no DMA).
    explicit FwCfg(AddressSpace* dma_memory);

    void add_bytes(uint16_t key, std::vector<uint8_t> data);
    void add_string(uint16_t key, const std::string& s);  // NUL-terminated
    void add_i16(uint16_t key, uint16_t v);
    void add_i32(uint32_t key, uint32_t v);
    void add_i64(uint16_t key, uint64_t v);
    // Adds a named file ("etc/e820") under the next free key; returns the key.
    uint16_t add_file(const std::string& name, std::vector<uint8_t> data);

    // Transport-facing operations.
    void select(uint16_t key);
    uint8_t read_byte();
    // `size` bytes of the data stream, first byte in the low bits.
    uint64_t read_data(unsigned size);
    // Runs the DMA descriptor at guest physical `desc_addr`.
    void dma(uint64_t desc_addr);
    bool has_dma() const { return dma_mem_ != nullptr; }

    void reset() override;

  private:
    const std::vector<uint8_t>* current() const;
    void rebuild_dir();

    GuestMemory dma_mem_holder_;
    AddressSpace* dma_mem_;
    std::map<uint16_t, std::vector<uint8_t>> items_;
    std::vector<std::pair<std::string, uint16_t>> files_;
    uint16_t cur_key_ = fw_cfg::kInvalid;
    uint32_t cur_offset_ = 0;
};

// The x86 port interface: selector (16-bit write) at base, data (8-bit) at
// base+1, DMA address (big-endian 64-bit, two 32-bit halves) at base+4.
class FwCfgIo : public MmioHandler {
  public:
    explicit FwCfgIo(FwCfg* core);
    MemoryRegion* ctl_region() { return ctl_.get(); }  // map at 0x510, 2 ports
    MemoryRegion* dma_region() { return dma_.get(); }  // map at 0x514, 8 ports
    uint64_t mmio_read(uint64_t offset, unsigned size) override;
    void mmio_write(uint64_t offset, uint64_t value, unsigned size) override;

  private:
    struct Dma : MmioHandler {
        FwCfg* core;
        uint64_t addr = 0;
        uint64_t mmio_read(uint64_t offset, unsigned size) override;
        void mmio_write(uint64_t offset, uint64_t value, unsigned size) override;
    };
    FwCfg* core_;
    Dma dma_handler_;
    std::unique_ptr<MemoryRegion> ctl_, dma_;
};

// The memory-mapped interface (one 0x18-byte region).
class FwCfgMmio : public MmioHandler {
  public:
    explicit FwCfgMmio(FwCfg* core);
    MemoryRegion* region() { return region_.get(); }
    uint64_t mmio_read(uint64_t offset, unsigned size) override;
    void mmio_write(uint64_t offset, uint64_t value, unsigned size) override;

  private:
    FwCfg* core_;
    uint64_t dma_addr_ = 0;
    std::unique_ptr<MemoryRegion> region_;
};

}  // namespace emu

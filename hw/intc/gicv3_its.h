#pragma once
// A GICv3 Interrupt Translation Service (physical LPIs only, as on QEMU's
// virt with its=on): GITS_CTLR/IIDR/TYPER/CBASER/CWRITER/CREADR/BASER<n>
// in the control frame, GITS_TRANSLATER in the translation frame (64 KiB
// further), a command queue in guest memory and the device, collection and
// interrupt translation tables in guest memory.
//
// Tables are flat (GITS_BASER<n>.Indirect is RAZ/WI); entries are 8 bytes
// in our own format (the architecture leaves it IMPLEMENTATION DEFINED):
//   device table (BASER0)     bit 63 valid, [51:8] ITT address, [4:0] EventID bits - 1
//   collection table (BASER1) bit 63 valid, [15:0] target processor number
//   ITT entry                 bit 63 valid, [47:32] ICID, [31:0] LPI INTID
// GITS_TYPER.PTA = 0: targets are processor numbers (GICR_TYPER).
//
// Everything in guest memory is hostile: every index is bounds-checked
// against the table sizes the guest gave. A command that fails its checks
// (unmapped device, out-of-range EventID/ICID/INTID/target, unreadable
// table) is ignored and logged (LOG_GUEST_ERROR), which the architecture
// allows when no SError is generated; a command queue that cannot be read,
// or a GITS_CWRITER beyond the queue, stalls it (GITS_CREADR.Stalled) until
// GITS_CWRITER is written with Retry or the queue is reprogrammed.
#include <cstdint>
#include <mutex>

#include "hw/core/address_space.h"
#include "hw/core/memory_region.h"
#include "hw/intc/gicv3.h"

namespace emu {

class Gicv3Its : public MmioHandler {
  public:
    static constexpr uint64_t kSize = 0x20000;
    static constexpr uint64_t kTranslater = 0x10040;
    static constexpr unsigned kDevBits = 16, kEventBits = 16, kCollBits = 16;

    // dma: where the tables and the command queue live.
    Gicv3Its(Gicv3& gic, AddressSpace* dma);

    uint64_t mmio_read(uint64_t offset, unsigned size) override;
    void mmio_write(uint64_t offset, uint64_t value, unsigned size) override;
    static AccessConstraints constraints() { return {1, 8, false, 1, 8}; }

    void reset();
    // An MSI write to GITS_TRANSLATER from a PCI function (DeviceID =
    // requester ID). Returns false if it was dropped.
    bool translate(uint32_t device_id, uint32_t event_id);

    // Register numbers (offsets in the control frame).
    static constexpr uint64_t kCtlr = 0x0, kIidr = 0x4, kTyper = 0x8, kCbaser = 0x80,
                              kCwriter = 0x88, kCreadr = 0x90, kBaser = 0x100;

  private:
    enum class Err { None, Ignore };
    struct Table {
        uint64_t base = 0, bytes = 0;
        bool valid = false;
    };
    Table table(unsigned n) const;
    bool read_entry(const Table& t, uint64_t index, uint64_t* v);
    bool write_entry(const Table& t, uint64_t index, uint64_t v);
    bool read_ite(uint32_t dev, uint32_t event, uint64_t* dte, uint64_t* ite);
    bool collection_cpu(uint32_t icid, unsigned* cpu);
    void process_locked();
    void process_queue();
    bool execute(const uint64_t cmd[4]);
    uint64_t baser_write_mask(unsigned n) const;

    Gicv3& gic_;
    AddressSpace* dma_;
    // Recursive: a hostile guest can point a table at our own registers,
    // so a table access may come back here on the same thread.
    std::recursive_mutex mu_;
    bool busy_ = false;
    bool enabled_ = false;
    uint64_t cbaser_ = 0, cwriter_ = 0, creadr_ = 0;
    uint64_t baser_[8] = {};
};

}  // namespace emu

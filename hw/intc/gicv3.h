#pragma once
// GICv3 with a single security state (GICD_CTLR.DS = 1, as on QEMU's virt
// with EL3 off): the distributor, one redistributor frame pair (RD_base +
// SGI_base, 128 KiB) per CPU, and the CPU interface through the ICC_*_EL1
// system registers. With GicCoreConfig::lpi_id_bits the redistributors
// implement physical LPIs (GICR_PROPBASER/PENDBASER, EnableLPIs); they are
// set pending by the ITS (gicv3_its.h). All redistributors share one LPI
// configuration table (GICR_TYPER.CommonLPIAff = 0); pending state is kept
// internally, the pending tables are neither read nor written.
#include <memory>

#include "hw/core/address_space.h"
#include "hw/core/device.h"
#include "hw/core/memory_region.h"
#include "hw/intc/gic_core.h"

namespace emu {

class Gicv3 : public Device {
  public:
    static constexpr uint64_t kDistSize = 0x10000;
    static constexpr uint64_t kRedistStride = 0x20000;

    explicit Gicv3(GicCoreConfig cfg);
    void reset() override;
    // Guest memory for the LPI configuration table (required with LPIs).
    void set_dma(AddressSpace* as) { dma_ = as; }

    // For the ITS: make an LPI pending on a CPU, re-read one LPI's
    // configuration byte (INV) or the whole table (INVALL).
    void lpi_set_pending(unsigned cpu, uint32_t intid, bool pending);
    void lpi_reload(uint32_t intid);
    void lpi_reload_all();

    GicCore& core() { return core_; }
    MmioHandler* distributor() { return &dist_; }
    MmioHandler* redistributors() { return &redist_; }
    uint64_t redist_size() const { return kRedistStride * core_.num_cpus(); }
    static AccessConstraints constraints() { return {1, 8, false, 1, 8}; }

    uint64_t dist_read(uint64_t offset, unsigned size);
    void dist_write(uint64_t offset, uint64_t value, unsigned size);
    uint64_t redist_read(uint64_t offset, unsigned size);
    void redist_write(uint64_t offset, uint64_t value, unsigned size);

    // ICC_* system registers; encoding as in target/arm/cpu_api.h
    // (op0<<14 | op1<<11 | CRn<<7 | CRm<<3 | op2). False: not an ICC register.
    bool sysreg_read(unsigned cpu, uint32_t encoding, uint64_t* value);
    bool sysreg_write(unsigned cpu, uint32_t encoding, uint64_t value);

    static constexpr uint32_t sysreg(unsigned op0, unsigned op1, unsigned crn, unsigned crm,
                                     unsigned op2) {
        return op0 << 14 | op1 << 11 | crn << 7 | crm << 3 | op2;
    }

  private:
    void generate_sgi(unsigned cpu, uint64_t value);

    struct Dist : MmioHandler {
        Gicv3* g;
        uint64_t mmio_read(uint64_t o, unsigned s) override { return g->dist_read(o, s); }
        void mmio_write(uint64_t o, uint64_t v, unsigned s) override { g->dist_write(o, v, s); }
    };
    struct Redist : MmioHandler {
        Gicv3* g;
        uint64_t mmio_read(uint64_t o, unsigned s) override { return g->redist_read(o, s); }
        void mmio_write(uint64_t o, uint64_t v, unsigned s) override { g->redist_write(o, v, s); }
    };

    GicCore core_;
    Dist dist_;
    Redist redist_;
    std::vector<bool> sleeping_;  // GICR_WAKER.ProcessorSleep
    std::vector<uint64_t> propbaser_, pendbaser_;
    AddressSpace* dma_ = nullptr;
    // Number of LPI INTID bits the configuration table covers (0: none).
    unsigned table_id_bits() const;
};

}  // namespace emu

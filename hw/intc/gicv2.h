#pragma once
// GICv2 without the security extensions (as on QEMU's virt with EL3 off):
// the distributor and the memory-mapped CPU interface. Banked registers use
// the accessing vCPU (hw/core/cpu_context.h); accesses from outside a vCPU
// thread are treated as CPU 0.
#include <memory>

#include "hw/core/device.h"
#include "hw/core/memory_region.h"
#include "hw/intc/gic_core.h"

namespace emu {

class Gicv2 : public Device {
  public:
    static constexpr uint64_t kDistSize = 0x10000;
    static constexpr uint64_t kCpuIfSize = 0x10000;  // GICC_DIR lives at 0x1000

    explicit Gicv2(GicCoreConfig cfg);
    void reset() override { core_.reset(); }

    GicCore& core() { return core_; }
    MmioHandler* distributor() { return &dist_; }
    MmioHandler* cpu_interface() { return &cpuif_; }
    static AccessConstraints constraints() { return {1, 4, false, 1, 4}; }

    // Register access with an explicit CPU (the MMIO handlers pass the
    // calling vCPU).
    uint64_t dist_read(unsigned cpu, uint64_t offset, unsigned size);
    void dist_write(unsigned cpu, uint64_t offset, uint64_t value, unsigned size);
    uint64_t cpu_read(unsigned cpu, uint64_t offset, unsigned size);
    void cpu_write(unsigned cpu, uint64_t offset, uint64_t value, unsigned size);

  private:
    unsigned calling_cpu() const;

    struct Dist : MmioHandler {
        Gicv2* g;
        uint64_t mmio_read(uint64_t o, unsigned s) override {
            return g->dist_read(g->calling_cpu(), o, s);
        }
        void mmio_write(uint64_t o, uint64_t v, unsigned s) override {
            g->dist_write(g->calling_cpu(), o, v, s);
        }
    };
    struct CpuIf : MmioHandler {
        Gicv2* g;
        uint64_t mmio_read(uint64_t o, unsigned s) override {
            return g->cpu_read(g->calling_cpu(), o, s);
        }
        void mmio_write(uint64_t o, uint64_t v, unsigned s) override {
            g->cpu_write(g->calling_cpu(), o, v, s);
        }
    };

    GicCore core_;
    Dist dist_;
    CpuIf cpuif_;
};

}  // namespace emu

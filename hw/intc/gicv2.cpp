#include "hw/intc/gicv2.h"

#include <algorithm>

#include "hw/core/cpu_context.h"
#include "util/log.h"

namespace emu {

namespace {
using F = GicCore::Field;

// Distributor register arrays: base offset, field.
struct Array {
    uint64_t base, size;
    F field;
};
constexpr Array kArrays[] = {
    {0x080, 0x80, F::Group},       {0x100, 0x80, F::SetEnable},    {0x180, 0x80, F::ClearEnable},
    {0x200, 0x80, F::SetPending},  {0x280, 0x80, F::ClearPending}, {0x300, 0x80, F::SetActive},
    {0x380, 0x80, F::ClearActive}, {0x400, 0x400, F::Priority},    {0x800, 0x400, F::Targets},
    {0xc00, 0x100, F::Config},
};

uint64_t id_reg(uint64_t off) {
    // 0xfd0..0xfdc PIDR4-7, 0xfe0..0xfec PIDR0-3, 0xff0..0xffc CIDR0-3.
    static constexpr uint8_t pidr4_7[4] = {0x04, 0, 0, 0};
    static constexpr uint8_t pidr0_3[4] = {0x90, 0xb4, 0x2b, 0x00};
    static constexpr uint8_t cidr[4] = {0x0d, 0xf0, 0x05, 0xb1};
    unsigned i = unsigned((off & 0xf) >> 2);
    if (off >= 0xff0) return cidr[i];
    if (off >= 0xfe0) return pidr0_3[i];
    return pidr4_7[i];
}
}  // namespace

Gicv2::Gicv2(GicCoreConfig cfg) : Device("gicv2"), core_((cfg.version = 2, std::move(cfg))) {
    dist_.g = this;
    cpuif_.g = this;
}

unsigned Gicv2::calling_cpu() const {
    int c = current_cpu_index();
    return c >= 0 && unsigned(c) < core_.num_cpus() ? unsigned(c) : 0;
}

uint64_t Gicv2::dist_read(unsigned cpu, uint64_t off, unsigned size) {
    if (off < 0x80) {
        if (size != 4) return 0;
        switch (off) {
            case 0x000:
                return core_.dist_ctlr();
            case 0x004:  // TYPER: ITLinesNumber, CPUNumber; no security extensions
                return (core_.num_irqs() / 32 - 1) | ((core_.num_cpus() - 1) << 5);
            case 0x008:  // IIDR: Arm, GICv2
                return 0x0200043b;
            default:
                return 0;
        }
    }
    for (const auto& a : kArrays) {
        if (off >= a.base && off < a.base + a.size) {
            return core_.read_field(a.field, cpu, off - a.base, size, 0, core_.num_irqs());
        }
    }
    if (off >= 0xf10 && off < 0xf30) {
        uint64_t v = 0;
        for (unsigned i = 0; i < size; ++i) {
            unsigned sgi = unsigned(off - (off >= 0xf20 ? 0xf20 : 0xf10)) + i;
            if (sgi < 16) v |= uint64_t(core_.sgi_sources(cpu, sgi)) << (8 * i);
        }
        return v;
    }
    if (off >= 0xfd0 && off < 0x1000) return id_reg(off);
    log_mask(LOG_GUEST_ERROR, "gicv2: distributor read of 0x%llx\n", (unsigned long long)off);
    return 0;
}

void Gicv2::dist_write(unsigned cpu, uint64_t off, uint64_t value, unsigned size) {
    uint32_t v = uint32_t(value);
    if (off == 0x000) {
        core_.set_dist_ctlr(v & 3);
        return;
    }
    if (off < 0x80) return;  // TYPER/IIDR are read-only
    for (const auto& a : kArrays) {
        if (off >= a.base && off < a.base + a.size) {
            core_.write_field(a.field, cpu, off - a.base, size, v, 0, core_.num_irqs());
            return;
        }
    }
    if (off == 0xf00 && size == 4) {  // SGIR
        unsigned sgi = v & 0xf;
        unsigned filter = (v >> 24) & 3;
        unsigned list = (v >> 16) & 0xff;
        for (unsigned t = 0; t < core_.num_cpus(); ++t) {
            bool hit = filter == 0   ? (list >> t) & 1
                       : filter == 1 ? t != cpu
                                     : filter == 2 && t == cpu;
            if (hit) core_.send_sgi(cpu, t, sgi);
        }
        return;
    }
    if (off >= 0xf10 && off < 0xf30) {
        bool set = off >= 0xf20;
        for (unsigned i = 0; i < size; ++i) {
            unsigned sgi = unsigned(off - (set ? 0xf20 : 0xf10)) + i;
            core_.set_sgi_sources(cpu, sgi, uint8_t(v >> (8 * i)), set);
        }
        return;
    }
    log_mask(LOG_GUEST_ERROR, "gicv2: distributor write of 0x%llx\n", (unsigned long long)off);
}

uint64_t Gicv2::cpu_read(unsigned cpu, uint64_t off, unsigned size) {
    if (size != 4) {
        log_mask(LOG_GUEST_ERROR, "gicv2: %u-byte CPU interface read\n", size);
        return 0;
    }
    switch (off) {
        case 0x00:
            return core_.with_cpu(cpu, [](GicCore::CpuIf& c) {
                return uint64_t(c.v2_ctlr | (c.grpen0 ? 1 : 0) | (c.grpen1 ? 2 : 0) |
                                (c.fiq_en ? 8 : 0) | (c.cbpr ? 16 : 0) | (c.eoi_mode ? 0x200 : 0));
            });
        case 0x04:
            return core_.with_cpu(cpu, [](GicCore::CpuIf& c) { return uint64_t(c.pmr); });
        case 0x08:
            return core_.with_cpu(cpu, [](GicCore::CpuIf& c) { return uint64_t(c.bpr0); });
        case 0x1c:
            return core_.with_cpu(cpu, [](GicCore::CpuIf& c) { return uint64_t(c.bpr1); });
        case 0x0c: {
            bool ackctl =
                core_.with_cpu(cpu, [](GicCore::CpuIf& c) { return (c.v2_ctlr & 4) != 0; });
            return core_.acknowledge(cpu, 1, ackctl);
        }
        case 0x20:  // AIAR: group 1
            return core_.acknowledge(cpu, 2);
        case 0x14:
            return core_.running_priority(cpu);
        case 0x18:
            return core_.highest_pending(cpu, 3);
        case 0x28:
            return core_.highest_pending(cpu, 2);
        case 0xd0:
            return core_.active_priorities(cpu, false);
        case 0xe0:
            return core_.active_priorities(cpu, true);
        case 0xfc:  // IIDR: Arm, GICv2
            return 0x0202043b;
        default:
            return 0;
    }
}

void Gicv2::cpu_write(unsigned cpu, uint64_t off, uint64_t value, unsigned size) {
    uint32_t v = uint32_t(value);
    if (size != 4) {
        log_mask(LOG_GUEST_ERROR, "gicv2: %u-byte CPU interface write\n", size);
        return;
    }
    switch (off) {
        case 0x00:
            core_.with_cpu(cpu, [v](GicCore::CpuIf& c) {
                c.grpen0 = v & 1;
                c.grpen1 = v & 2;
                c.fiq_en = v & 8;
                c.cbpr = v & 16;
                c.eoi_mode = v & 0x200;
                c.v2_ctlr = v & 0x1e4;  // AckCtl and the bypass bits, stored only
            });
            break;
        case 0x04:
            core_.with_cpu(cpu, [v](GicCore::CpuIf& c) { c.pmr = uint8_t(v); });
            break;
        case 0x08:
            core_.with_cpu(cpu, [v](GicCore::CpuIf& c) { c.bpr0 = uint8_t(v & 7); });
            break;
        case 0x1c:
            core_.with_cpu(cpu, [v](GicCore::CpuIf& c) { c.bpr1 = uint8_t(std::max(1u, v & 7)); });
            break;
        case 0x10:
        case 0x24:
            core_.end_of_interrupt(cpu, v & 0x3ff);
            break;
        case 0x1000:
            core_.deactivate(cpu, v & 0x3ff);
            break;
        case 0xd0:
            if (v == 0) core_.clear_active_priorities(cpu, false);
            break;
        case 0xe0:
            if (v == 0) core_.clear_active_priorities(cpu, true);
            break;
        default:
            log_mask(LOG_GUEST_ERROR, "gicv2: CPU interface write of 0x%llx\n",
                     (unsigned long long)off);
            break;
    }
}

}  // namespace emu

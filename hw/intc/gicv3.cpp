#include "hw/intc/gicv3.h"

#include <algorithm>

#include "util/log.h"

namespace emu {

namespace {
using F = GicCore::Field;

struct Array {
    uint64_t base, size;
    F field;
};
// Shared by GICD (SPIs) and GICR SGI_base (SGIs/PPIs, first word only).
constexpr Array kArrays[] = {
    {0x080, 0x80, F::Group},       {0x100, 0x80, F::SetEnable},    {0x180, 0x80, F::ClearEnable},
    {0x200, 0x80, F::SetPending},  {0x280, 0x80, F::ClearPending}, {0x300, 0x80, F::SetActive},
    {0x380, 0x80, F::ClearActive}, {0x400, 0x400, F::Priority},    {0xc00, 0x100, F::Config},
    {0xd00, 0x80, F::GroupMod},
};

uint64_t id_reg(uint64_t off) {
    // PIDR2 ArchRev = 3; the rest as an Arm part.
    switch (off & 0xfff) {
        case 0xfd0:
            return 0x44;
        case 0xfe0:
            return 0x92;
        case 0xfe4:
            return 0xb4;
        case 0xfe8:
            return 0x3b;
        case 0xff0:
            return 0x0d;
        case 0xff4:
            return 0xf0;
        case 0xff8:
            return 0x05;
        case 0xffc:
            return 0xb1;
        default:
            return 0;
    }
}

constexpr uint32_t R(unsigned crn, unsigned crm, unsigned op2) {
    return Gicv3::sysreg(3, 0, crn, crm, op2);
}
constexpr uint32_t kPmr = R(4, 6, 0);
constexpr uint32_t kIar0 = R(12, 8, 0), kEoir0 = R(12, 8, 1), kHppir0 = R(12, 8, 2),
                   kBpr0 = R(12, 8, 3), kAp0r0 = R(12, 8, 4), kAp0r3 = R(12, 8, 7);
constexpr uint32_t kAp1r0 = R(12, 9, 0), kAp1r3 = R(12, 9, 3);
constexpr uint32_t kDir = R(12, 11, 1), kRpr = R(12, 11, 3), kSgi1r = R(12, 11, 5),
                   kAsgi1r = R(12, 11, 6), kSgi0r = R(12, 11, 7);
constexpr uint32_t kIar1 = R(12, 12, 0), kEoir1 = R(12, 12, 1), kHppir1 = R(12, 12, 2),
                   kBpr1 = R(12, 12, 3), kCtlr = R(12, 12, 4), kSre = R(12, 12, 5),
                   kIgrpen0 = R(12, 12, 6), kIgrpen1 = R(12, 12, 7);
}  // namespace

Gicv3::Gicv3(GicCoreConfig cfg) : Device("gicv3"), core_((cfg.version = 3, std::move(cfg))) {
    dist_.g = this;
    redist_.g = this;
    sleeping_.assign(core_.num_cpus(), true);
    propbaser_.assign(core_.num_cpus(), 0);
    pendbaser_.assign(core_.num_cpus(), 0);
}

void Gicv3::reset() {
    core_.reset();
    sleeping_.assign(core_.num_cpus(), true);
    propbaser_.assign(core_.num_cpus(), 0);
    pendbaser_.assign(core_.num_cpus(), 0);
}

namespace {
constexpr uint64_t kPropbaserMask = 0x070fffffffffff9full;  // OuterCache, PA[51:12], Sh, IC, IDbits
constexpr uint64_t kPendbaserMask = 0x070fffffffff0f80ull;  // OuterCache, PA[51:16], Sh, IC
constexpr uint64_t kPropbaserPa = 0x000ffffffffff000ull;
}  // namespace

unsigned Gicv3::table_id_bits() const {
    // CommonLPIAff = 0: CPU 0's table serves everyone.
    unsigned bits = unsigned(propbaser_[0] & 0x1f) + 1;
    bits = std::min(bits, core_.lpi_id_bits());
    return bits < 14 ? 0 : bits;
}

void Gicv3::lpi_set_pending(unsigned cpu, uint32_t intid, bool pending) {
    if (pending) lpi_reload(intid);
    core_.set_lpi_pending(cpu, intid, pending);
}

void Gicv3::lpi_reload(uint32_t intid) {
    unsigned bits = table_id_bits();
    uint64_t v = 0;
    if (dma_ && bits && core_.is_lpi(intid) && intid < (1u << bits)) {
        uint64_t addr = (propbaser_[0] & kPropbaserPa) + (intid - GicCore::kFirstLpi);
        if (dma_->load(addr, 1, &v) != MemTxResult::Ok) {
            log_mask(LOG_GUEST_ERROR, "gicv3: LPI configuration table unreadable at 0x%llx\n",
                     (unsigned long long)addr);
            v = 0;
        }
    }
    core_.set_lpi_config(intid, uint8_t(v));
}

void Gicv3::lpi_reload_all() {
    unsigned bits = table_id_bits();
    std::vector<uint8_t> cfg;
    if (dma_ && bits) {
        cfg.resize((1u << bits) - GicCore::kFirstLpi);
        uint64_t addr = propbaser_[0] & kPropbaserPa;
        if (dma_->read(addr, cfg.data(), cfg.size()) != MemTxResult::Ok) {
            log_mask(LOG_GUEST_ERROR, "gicv3: LPI configuration table unreadable at 0x%llx\n",
                     (unsigned long long)addr);
            cfg.assign(cfg.size(), 0);
        }
    }
    core_.load_lpi_config(cfg);
}

uint64_t Gicv3::dist_read(uint64_t off, unsigned size) {
    if (off >= 0x6100 && off < 0x6100 + 8 * 1024) {  // IROUTER<n>, n >= 32
        unsigned id = unsigned((off - 0x6000) / 8);
        uint64_t v = core_.irouter(id);
        unsigned shift = unsigned(off & 7) * 8;
        return size == 8 ? v : (v >> shift) & ((1ull << (size * 8)) - 1);
    }
    if (off < 0x80) {
        switch (off) {
            case 0x000:
                return core_.dist_ctlr();
            case 0x004: {  // TYPER: ITLinesNumber, IDbits, LPIS, no MBIS
                uint32_t cpus = std::min(core_.num_cpus(), 8u) - 1;
                uint32_t v = (core_.num_irqs() / 32 - 1) | (cpus << 5);
                if (core_.lpi_id_bits()) return v | (1u << 17) | ((core_.lpi_id_bits() - 1) << 19);
                return v | (9u << 19);
            }
            case 0x008:
                return 0x0300043b;  // IIDR: Arm, GICv3
            default:
                return 0;
        }
    }
    for (const auto& a : kArrays) {
        if (off >= a.base && off < a.base + a.size) {
            // With affinity routing the SGI/PPI words are in the
            // redistributors: here they read as zero.
            return core_.read_field(a.field, 0, off - a.base, size, 32, core_.num_irqs());
        }
    }
    if (off >= 0xffd0 && off < 0x10000) return id_reg(off);
    log_mask(LOG_GUEST_ERROR, "gicv3: distributor read of 0x%llx\n", (unsigned long long)off);
    return 0;
}

void Gicv3::dist_write(uint64_t off, uint64_t value, unsigned size) {
    if (off >= 0x6100 && off < 0x6100 + 8 * 1024) {
        unsigned id = unsigned((off - 0x6000) / 8);
        uint64_t v = core_.irouter(id);
        unsigned shift = unsigned(off & 7) * 8;
        uint64_t mask = size == 8 ? ~0ull : ((1ull << (size * 8)) - 1) << shift;
        v = (v & ~mask) | ((value << shift) & mask);
        core_.set_irouter(id, v);
        return;
    }
    if (off == 0x000) {
        core_.set_dist_ctlr(uint32_t(value) & 0x13);
        return;
    }
    if (off < 0x80) return;
    for (const auto& a : kArrays) {
        if (off >= a.base && off < a.base + a.size) {
            core_.write_field(a.field, 0, off - a.base, size, uint32_t(value), 32,
                              core_.num_irqs());
            return;
        }
    }
    log_mask(LOG_GUEST_ERROR, "gicv3: distributor write of 0x%llx\n", (unsigned long long)off);
}

uint64_t Gicv3::redist_read(uint64_t offset, unsigned size) {
    unsigned cpu = unsigned(offset / kRedistStride);
    uint64_t off = offset % kRedistStride;
    if (cpu >= core_.num_cpus()) return 0;
    if (off < 0x10000) {
        switch (off & ~7ull) {
            case 0x0000:  // CTLR (EnableLPIs) / IIDR
                return off == 0 ? (core_.lpis_enabled(cpu) ? 1 : 0) : 0x0300043b;
            case 0x0008: {  // TYPER
                uint64_t m = core_.mpidr(cpu);
                uint64_t aff = (m & 0xffffff) | ((m >> 32 & 0xff) << 24);
                uint64_t v =
                    aff << 32 | uint64_t(cpu) << 8 | (cpu + 1 == core_.num_cpus() ? 0x10 : 0);
                if (core_.lpi_id_bits()) v |= 1;  // PLPIS
                return size == 8 ? v : (v >> ((off & 4) * 8)) & 0xffffffff;
            }
            case 0x0070:
            case 0x0078: {
                if (!core_.lpi_id_bits()) return 0;
                uint64_t v = (off & ~7ull) == 0x70 ? propbaser_[cpu] : pendbaser_[cpu];
                return size == 8 ? v : (v >> ((off & 4) * 8)) & 0xffffffff;
            }
            case 0x0010:
                if (off == 0x14) return sleeping_[cpu] ? 6 : 0;  // WAKER
                return 0;
            default:
                if (off >= 0xffd0) return id_reg(off);
                return 0;
        }
    }
    off -= 0x10000;
    for (const auto& a : kArrays) {
        if (off >= a.base && off < a.base + a.size) {
            return core_.read_field(a.field, cpu, off - a.base, size, 0, 32);
        }
    }
    return 0;
}

void Gicv3::redist_write(uint64_t offset, uint64_t value, unsigned size) {
    unsigned cpu = unsigned(offset / kRedistStride);
    uint64_t off = offset % kRedistStride;
    if (cpu >= core_.num_cpus()) return;
    if (off < 0x10000) {
        if (off == 0x14) sleeping_[cpu] = value & 2;  // ChildrenAsleep follows at once
        if (!core_.lpi_id_bits()) return;
        if (off == 0x0) {
            bool on = value & 1;
            if (on && !core_.lpis_enabled(cpu)) lpi_reload_all();
            core_.set_lpis_enabled(cpu, on);
        } else if ((off & ~7ull) == 0x70 || (off & ~7ull) == 0x78) {
            // The tables may only move while LPIs are off (else UNPREDICTABLE:
            // we keep the old value).
            if (core_.lpis_enabled(cpu)) return;
            uint64_t& r = (off & ~7ull) == 0x70 ? propbaser_[cpu] : pendbaser_[cpu];
            unsigned shift = unsigned(off & 4) * 8;
            uint64_t mask = size == 8 ? ~0ull : 0xffffffffull << shift;
            uint64_t v = (r & ~mask) | ((value << shift) & mask);
            r = v & ((off & ~7ull) == 0x70 ? kPropbaserMask : kPendbaserMask);
        }
        return;
    }
    off -= 0x10000;
    for (const auto& a : kArrays) {
        if (off >= a.base && off < a.base + a.size) {
            core_.write_field(a.field, cpu, off - a.base, size, uint32_t(value), 0, 32);
            return;
        }
    }
    log_mask(LOG_GUEST_ERROR, "gicv3: redistributor write of 0x%llx\n", (unsigned long long)offset);
}

void Gicv3::generate_sgi(unsigned cpu, uint64_t v) {
    unsigned sgi = unsigned(v >> 24) & 0xf;
    bool irm = (v >> 40) & 1;
    uint64_t aff1 = (v >> 16) & 0xff, aff2 = (v >> 32) & 0xff, aff3 = (v >> 48) & 0xff;
    unsigned rs = unsigned(v >> 44) & 0xf;
    unsigned list = unsigned(v) & 0xffff;
    for (unsigned t = 0; t < core_.num_cpus(); ++t) {
        uint64_t m = core_.mpidr(t);
        bool hit;
        if (irm) {
            hit = t != cpu;
        } else {
            unsigned aff0 = unsigned(m & 0xff);
            hit = ((m >> 8) & 0xff) == aff1 && ((m >> 16) & 0xff) == aff2 &&
                  ((m >> 32) & 0xff) == aff3 && aff0 / 16 == rs && ((list >> (aff0 % 16)) & 1);
        }
        if (hit) core_.send_sgi(cpu, t, sgi);
    }
}

bool Gicv3::sysreg_read(unsigned cpu, uint32_t enc, uint64_t* value) {
    if (cpu >= core_.num_cpus()) return false;
    using C = GicCore::CpuIf;
    switch (enc) {
        case kPmr:
            *value = core_.with_cpu(cpu, [](C& c) { return c.pmr; });
            return true;
        case kIar0:
            *value = core_.acknowledge(cpu, 1);
            return true;
        case kIar1:
            *value = core_.acknowledge(cpu, 2);
            return true;
        case kHppir0:
            *value = core_.highest_pending(cpu, 1);
            return true;
        case kHppir1:
            *value = core_.highest_pending(cpu, 2);
            return true;
        case kBpr0:
            *value = core_.with_cpu(cpu, [](C& c) { return c.bpr0; });
            return true;
        case kBpr1:
            *value =
                core_.with_cpu(cpu, [](C& c) { return c.cbpr ? uint8_t(c.bpr0 + 1) : c.bpr1; });
            return true;
        case kRpr:
            *value = core_.running_priority(cpu);
            return true;
        case kCtlr:
            // PRIbits = 4 (5 bits), IDbits = 0 (16-bit ids), A3V = 1.
            *value = core_.with_cpu(cpu, [](C& c) {
                return uint64_t((c.cbpr ? 1 : 0) | (c.eoi_mode ? 2 : 0) | (4u << 8) | (1u << 15));
            });
            return true;
        case kSre:
            *value = 7;  // SRE, DFB, DIB: the system register interface is always on
            return true;
        case kIgrpen0:
            *value = core_.with_cpu(cpu, [](C& c) { return c.grpen0; });
            return true;
        case kIgrpen1:
            *value = core_.with_cpu(cpu, [](C& c) { return c.grpen1; });
            return true;
        case kEoir0:
        case kEoir1:
        case kDir:
        case kSgi0r:
        case kSgi1r:
        case kAsgi1r:
            *value = 0;  // write-only: reads are UNKNOWN, we give 0
            return true;
        default:
            break;
    }
    if (enc >= kAp0r0 && enc <= kAp0r3) {
        *value = enc == kAp0r0 ? core_.active_priorities(cpu, false) : 0;
        return true;
    }
    if (enc >= kAp1r0 && enc <= kAp1r3) {
        *value = enc == kAp1r0 ? core_.active_priorities(cpu, true) : 0;
        return true;
    }
    return false;
}

bool Gicv3::sysreg_write(unsigned cpu, uint32_t enc, uint64_t v) {
    if (cpu >= core_.num_cpus()) return false;
    using C = GicCore::CpuIf;
    switch (enc) {
        case kPmr:
            core_.with_cpu(cpu, [v](C& c) { c.pmr = uint8_t(v) & 0xf8; });
            return true;
        case kEoir0:
        case kEoir1:
            core_.end_of_interrupt(cpu, uint32_t(v) & 0xffffff);
            return true;
        case kDir:
            core_.deactivate(cpu, uint32_t(v) & 0xffffff);
            return true;
        case kBpr0:
            core_.with_cpu(cpu, [v](C& c) { c.bpr0 = uint8_t(std::max<uint64_t>(v & 7, 2)); });
            return true;
        case kBpr1:
            core_.with_cpu(cpu, [v](C& c) {
                if (!c.cbpr) c.bpr1 = uint8_t(std::max<uint64_t>(v & 7, 3));
            });
            return true;
        case kCtlr:
            core_.with_cpu(cpu, [v](C& c) {
                c.cbpr = v & 1;
                c.eoi_mode = v & 2;
            });
            return true;
        case kSre:
            return true;  // RAO/WI
        case kIgrpen0:
            core_.with_cpu(cpu, [v](C& c) { c.grpen0 = v & 1; });
            return true;
        case kIgrpen1:
            core_.with_cpu(cpu, [v](C& c) { c.grpen1 = v & 1; });
            return true;
        case kSgi0r:
        case kSgi1r:
        case kAsgi1r:
            generate_sgi(cpu, v);
            return true;
        case kIar0:
        case kIar1:
        case kHppir0:
        case kHppir1:
        case kRpr:
            return true;  // read-only: writes ignored
        default:
            break;
    }
    if ((enc >= kAp0r0 && enc <= kAp0r3) || (enc >= kAp1r0 && enc <= kAp1r3)) {
        // Software saves/restores these; the only value we honour is 0
        // (clear), which is what an OS writes at start-up.
        if (v == 0) core_.clear_active_priorities(cpu, enc >= kAp1r0);
        return true;
    }
    return false;
}

}  // namespace emu

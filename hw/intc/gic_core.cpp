#include "hw/intc/gic_core.h"

#include <algorithm>
#include <stdexcept>

#include "util/log.h"

namespace emu {

GicCore::GicCore(GicCoreConfig cfg) : cfg_(std::move(cfg)) {
    if (cfg_.version != 2 && cfg_.version != 3) throw std::invalid_argument("gic: bad version");
    if (cfg_.num_irqs < 32 || cfg_.num_irqs % 32 || cfg_.num_irqs > 1020 + 4) {
        throw std::invalid_argument("gic: bad number of interrupts");
    }
    if (cfg_.num_cpus == 0 || (cfg_.version == 2 && cfg_.num_cpus > 8)) {
        throw std::invalid_argument("gic: bad number of CPUs");
    }
    if (cfg_.lpi_id_bits && (cfg_.version != 3 || cfg_.lpi_id_bits < 14 || cfg_.lpi_id_bits > 20)) {
        throw std::invalid_argument("gic: bad LPI ID bits");
    }
    cfg_.mpidr.resize(cfg_.num_cpus);
    lpis_.resize(cfg_.num_cpus);
    if (cfg_.lpi_id_bits) lpi_cfg_.resize((1u << cfg_.lpi_id_bits) - kFirstLpi);
    banked_.resize(cfg_.num_cpus);
    spis_.resize(cfg_.num_irqs - 32);
    sgi_src_.resize(cfg_.num_cpus);
    cpus_.resize(cfg_.num_cpus);
    out_.resize(cfg_.num_cpus);
    reset();
}

void GicCore::connect_cpu(unsigned cpu, IrqLine irq, IrqLine fiq) {
    std::lock_guard<std::mutex> g(mu_);
    out_[cpu].irq = irq;
    out_[cpu].fiq = fiq;
}

void GicCore::reset() {
    std::lock_guard<std::mutex> g(mu_);
    for (auto& b : banked_) {
        for (unsigned i = 0; i < 32; ++i) {
            bool level = b[i].level;
            b[i] = Irq{};
            b[i].level = level;
            b[i].edge = i < 16;  // SGIs are always edge-triggered
        }
    }
    for (auto& s : spis_) {
        bool level = s.level;
        s = Irq{};
        s.level = level;
    }
    for (auto& s : sgi_src_)
        s.fill(0);
    for (auto& c : cpus_)
        c = CpuIf{};
    if (cfg_.version == 3) {
        // Minimum binary points for 5 priority bits.
        for (auto& c : cpus_) {
            c.bpr0 = 2;
            c.bpr1 = 3;
        }
    }
    grp0_enabled_ = grp1_enabled_ = false;
    are_ = false;
    std::fill(lpi_cfg_.begin(), lpi_cfg_.end(), 0);
    for (auto& l : lpis_) {
        l = Lpis{};
        l.pending.assign((lpi_cfg_.size() + 63) / 64, 0);
    }
    update_locked();
}

bool GicCore::lpi_pending_locked(unsigned cpu, uint32_t intid) const {
    uint32_t i = intid - kFirstLpi;
    return (lpis_[cpu].pending[i / 64] >> (i % 64)) & 1;
}

void GicCore::lpi_set_locked(unsigned cpu, uint32_t intid, bool pending) {
    uint32_t i = intid - kFirstLpi;
    uint64_t& w = lpis_[cpu].pending[i / 64];
    uint64_t bit = 1ull << (i % 64);
    if (bool(w & bit) == pending) return;
    w ^= bit;
    lpis_[cpu].count += pending ? 1 : unsigned(-1);
}

void GicCore::set_lpi_config(uint32_t intid, uint8_t cfg) {
    std::lock_guard<std::mutex> g(mu_);
    if (!is_lpi(intid)) return;
    lpi_cfg_[intid - kFirstLpi] = cfg;
    update_locked();
}

void GicCore::load_lpi_config(const std::vector<uint8_t>& cfg) {
    std::lock_guard<std::mutex> g(mu_);
    size_t n = std::min(cfg.size(), lpi_cfg_.size());
    std::copy(cfg.begin(), cfg.begin() + ptrdiff_t(n), lpi_cfg_.begin());
    std::fill(lpi_cfg_.begin() + ptrdiff_t(n), lpi_cfg_.end(), 0);
    update_locked();
}

void GicCore::set_lpi_pending(unsigned cpu, uint32_t intid, bool pending) {
    std::lock_guard<std::mutex> g(mu_);
    if (cpu >= cfg_.num_cpus || !is_lpi(intid)) return;
    lpi_set_locked(cpu, intid, pending);
    update_locked();
}

void GicCore::move_lpi(unsigned from, unsigned to, uint32_t intid) {
    std::lock_guard<std::mutex> g(mu_);
    if (from >= cfg_.num_cpus || to >= cfg_.num_cpus || !is_lpi(intid)) return;
    if (from == to || !lpi_pending_locked(from, intid)) return;
    lpi_set_locked(from, intid, false);
    lpi_set_locked(to, intid, true);
    update_locked();
}

void GicCore::move_all_lpis(unsigned from, unsigned to) {
    std::lock_guard<std::mutex> g(mu_);
    if (from >= cfg_.num_cpus || to >= cfg_.num_cpus || from == to) return;
    auto& src = lpis_[from].pending;
    auto& dst = lpis_[to].pending;
    for (size_t w = 0; w < src.size(); ++w) {
        dst[w] |= src[w];
        src[w] = 0;
    }
    unsigned n = 0;
    for (uint64_t w : dst)
        n += unsigned(__builtin_popcountll(w));
    lpis_[to].count = n;
    lpis_[from].count = 0;
    update_locked();
}

void GicCore::set_lpis_enabled(unsigned cpu, bool on) {
    std::lock_guard<std::mutex> g(mu_);
    if (cpu >= cfg_.num_cpus) return;
    lpis_[cpu].enabled = on;
    update_locked();
}

bool GicCore::lpis_enabled(unsigned cpu) const {
    std::lock_guard<std::mutex> g(mu_);
    return cpu < cfg_.num_cpus && lpis_[cpu].enabled;
}

void GicCore::set_irq(int n, bool level) {
    if (n < 0) return;
    std::lock_guard<std::mutex> g(mu_);
    unsigned un = unsigned(n);
    Irq* q;
    if (un < num_spis()) {
        q = &spis_[un];
    } else {
        un -= num_spis();
        unsigned cpu = un / 32, intid = un % 32;
        if (cpu >= cfg_.num_cpus || intid < 16) return;
        q = &banked_[cpu][intid];
    }
    if (q->edge && level && !q->level) q->latch = true;
    q->level = level;
    update_locked();
}

bool GicCore::pending_locked(unsigned cpu, unsigned intid) {
    if (intid < 16 && cfg_.version == 2) return sgi_src_[cpu][intid] != 0;
    Irq& q = irq(cpu, intid);
    return q.latch || (!q.edge && q.level);
}

bool GicCore::targets_cpu(unsigned cpu, unsigned intid) {
    if (intid < 32) return true;
    const Irq& q = spis_[intid - 32];
    if (cfg_.version == 2) return cfg_.num_cpus == 1 || ((q.targets >> cpu) & 1);
    if (!are_) return cpu == 0;
    // Interrupt_Routing_Mode: any participating CPU may take it; we offer
    // it to all and the first to acknowledge wins.
    if (q.route & (1ull << 31)) return true;
    uint64_t aff = q.route & 0xff00ffffffull;
    uint64_t m = cfg_.mpidr[cpu];
    uint64_t cpu_aff = (m & 0xffffff) | ((m >> 32 & 0xff) << 32);
    return aff == cpu_aff;
}

uint8_t GicCore::group_prio(const CpuIf& c, uint8_t prio, bool group1) const {
    // Group 1 uses BPR1 (or BPR0 + 1 when CBPR), whose field is one bit
    // narrower: the group priority is prio[7:bpr1], and prio[7:bpr0+1].
    unsigned shift;
    if (!group1) {
        shift = c.bpr0 + 1u;
    } else if (c.cbpr) {
        shift = c.bpr0 + 1u;
    } else {
        shift = c.bpr1;
    }
    if (shift >= 8) return 0;
    return uint8_t(prio & (0xffu << shift));
}

uint8_t GicCore::running_locked(unsigned cpu) const {
    uint8_t r = 0xff;
    for (const auto& a : cpus_[cpu].active)
        r = std::min(r, a.group_prio);
    return r;
}

uint32_t GicCore::best_locked(unsigned cpu, bool check_cpu_enables) {
    const CpuIf& c = cpus_[cpu];
    uint32_t best = kSpurious;
    unsigned best_prio = 0x100;
    for (unsigned id = 0; id < cfg_.num_irqs; ++id) {
        if (cfg_.version == 3 && id >= 1020) break;
        Irq& q = irq(cpu, id);
        if (!q.enabled || q.active || q.priority >= best_prio) continue;
        if (!(q.group1 ? grp1_enabled_ : grp0_enabled_)) continue;
        if (check_cpu_enables && !(q.group1 ? c.grpen1 : c.grpen0)) continue;
        if (!pending_locked(cpu, id) || !targets_cpu(cpu, id)) continue;
        best = id;
        best_prio = q.priority;
    }
    const Lpis& l = lpis_[cpu];
    if (l.enabled && l.count && grp1_enabled_ && (!check_cpu_enables || c.grpen1)) {
        for (size_t w = 0; w < l.pending.size(); ++w) {
            for (uint64_t bits = l.pending[w]; bits; bits &= bits - 1) {
                uint32_t i = uint32_t(w * 64 + unsigned(__builtin_ctzll(bits)));
                uint8_t cfg = lpi_cfg_[i];
                unsigned prio = cfg & 0xfc & priority_mask();
                if (!(cfg & 1) || prio >= best_prio) continue;
                best = kFirstLpi + i;
                best_prio = prio;
            }
        }
    }
    return best;
}

void GicCore::update_locked() {
    for (unsigned cpu = 0; cpu < cfg_.num_cpus; ++cpu) {
        CpuIf& c = cpus_[cpu];
        bool irq_l = false, fiq_l = false;
        uint32_t id = best_locked(cpu, true);
        if (id != kSpurious) {
            uint8_t prio = prio_of(cpu, id);
            bool group1 = group1_of(cpu, id);
            if (prio < c.pmr && group_prio(c, prio, group1) < running_locked(cpu)) {
                bool as_fiq = !group1 && (cfg_.version == 3 || c.fiq_en);
                (as_fiq ? fiq_l : irq_l) = true;
            }
        }
        Out& o = out_[cpu];
        if (irq_l != o.irq_level) {
            o.irq_level = irq_l;
            o.irq.set(irq_l);
        }
        if (fiq_l != o.fiq_level) {
            o.fiq_level = fiq_l;
            o.fiq.set(fiq_l);
        }
    }
}

uint32_t GicCore::acknowledge(unsigned cpu, unsigned group_mask, bool v2_ackctl) {
    std::lock_guard<std::mutex> g(mu_);
    CpuIf& c = cpus_[cpu];
    uint32_t id = best_locked(cpu, true);
    if (id == kSpurious) return kSpurious;
    const uint8_t prio = prio_of(cpu, id);
    const bool group1 = group1_of(cpu, id);
    if (prio >= c.pmr || group_prio(c, prio, group1) >= running_locked(cpu)) {
        return kSpurious;
    }
    unsigned gbit = group1 ? 2 : 1;
    if (!(group_mask & gbit) && !(group1 && v2_ackctl)) {
        return cfg_.version == 2 ? kSpuriousOtherGroup : kSpurious;
    }
    if (is_lpi(id)) {
        // No active state: acknowledging clears pending, EOI drops priority.
        lpi_set_locked(cpu, id, false);
        c.active.push_back({id, group_prio(c, prio, true), true});
        update_locked();
        return id;
    }
    Irq& q = irq(cpu, id);
    uint32_t ret = id;
    if (id < 16 && cfg_.version == 2) {
        uint8_t& src = sgi_src_[cpu][id];
        unsigned s = unsigned(__builtin_ctz(src));
        src &= uint8_t(~(1u << s));
        ret |= s << 10;
    } else {
        q.latch = false;
    }
    q.active = true;
    c.active.push_back({id, group_prio(c, q.priority, q.group1), q.group1});
    update_locked();
    return ret;
}

void GicCore::deactivate_locked(unsigned cpu, uint32_t intid) {
    if (intid >= cfg_.num_irqs) return;
    irq(cpu, intid).active = false;
}

void GicCore::end_of_interrupt(unsigned cpu, uint32_t intid) {
    std::lock_guard<std::mutex> g(mu_);
    CpuIf& c = cpus_[cpu];
    intid &= cfg_.version == 2 ? 0x3ffu : 0xffffffu;
    if (intid >= 1020 && !is_lpi(intid)) return;  // spurious ids are ignored
    // Priority drop applies to the most recent activation of that id.
    auto it = std::find_if(c.active.rbegin(), c.active.rend(),
                           [&](const CpuIf::Active& a) { return a.intid == intid; });
    if (it == c.active.rend()) {
        log_mask(LOG_GUEST_ERROR, "gic: EOI of interrupt %u that is not active on cpu %u\n", intid,
                 cpu);
        return;
    }
    c.active.erase(std::next(it).base());
    if (!c.eoi_mode) deactivate_locked(cpu, intid);
    update_locked();
}

void GicCore::deactivate(unsigned cpu, uint32_t intid) {
    std::lock_guard<std::mutex> g(mu_);
    intid &= cfg_.version == 2 ? 0x3ffu : 0xffffffu;
    if (intid >= 1020) return;
    deactivate_locked(cpu, intid);
    update_locked();
}

uint32_t GicCore::highest_pending(unsigned cpu, unsigned group_mask) {
    std::lock_guard<std::mutex> g(mu_);
    uint32_t id = best_locked(cpu, true);
    if (id == kSpurious) return id;
    if (!(group_mask & (group1_of(cpu, id) ? 2u : 1u))) {
        return cfg_.version == 2 ? kSpuriousOtherGroup : kSpurious;
    }
    if (id < 16 && cfg_.version == 2) {
        id |= unsigned(__builtin_ctz(sgi_src_[cpu][id])) << 10;
    }
    return id;
}

uint8_t GicCore::running_priority(unsigned cpu) {
    std::lock_guard<std::mutex> g(mu_);
    return running_locked(cpu);
}

uint32_t GicCore::active_priorities(unsigned cpu, bool group1) {
    std::lock_guard<std::mutex> g(mu_);
    uint32_t v = 0;
    // One bit per group priority at the 5-bit granularity v3 implements
    // (v2's 8-bit priorities share bits: the register is IMPLEMENTATION
    // DEFINED there and only ever saved and restored by software).
    const unsigned shift = 3;
    for (const auto& a : cpus_[cpu].active) {
        if (a.group1 == group1) v |= 1u << (a.group_prio >> shift);
    }
    return v;
}

void GicCore::clear_active_priorities(unsigned cpu, bool group1) {
    std::lock_guard<std::mutex> g(mu_);
    auto& act = cpus_[cpu].active;
    act.erase(std::remove_if(act.begin(), act.end(),
                             [&](const CpuIf::Active& a) { return a.group1 == group1; }),
              act.end());
    update_locked();
}

bool GicCore::is_pending(unsigned cpu, unsigned intid) {
    std::lock_guard<std::mutex> g(mu_);
    if (cpu < cfg_.num_cpus && is_lpi(intid)) return lpi_pending_locked(cpu, intid);
    return intid < cfg_.num_irqs && pending_locked(cpu, intid);
}

bool GicCore::is_active(unsigned cpu, unsigned intid) {
    std::lock_guard<std::mutex> g(mu_);
    return intid < cfg_.num_irqs && irq(cpu, intid).active;
}

uint32_t GicCore::dist_ctlr() const {
    std::lock_guard<std::mutex> g(mu_);
    uint32_t v = (grp0_enabled_ ? 1u : 0u) | (grp1_enabled_ ? 2u : 0u);
    if (cfg_.version == 3) v |= (are_ ? 1u << 4 : 0u) | (1u << 6);  // DS: one security state
    return v;
}

void GicCore::set_dist_ctlr(uint32_t v) {
    std::lock_guard<std::mutex> g(mu_);
    grp0_enabled_ = v & 1;
    grp1_enabled_ = v & 2;
    if (cfg_.version == 3) are_ = v & (1u << 4);
    update_locked();
}

uint64_t GicCore::irouter(unsigned intid) const {
    std::lock_guard<std::mutex> g(mu_);
    if (intid < 32 || intid >= cfg_.num_irqs) return 0;
    return spis_[intid - 32].route;
}

void GicCore::set_irouter(unsigned intid, uint64_t v) {
    std::lock_guard<std::mutex> g(mu_);
    if (intid < 32 || intid >= cfg_.num_irqs) return;
    // Aff3 [39:32], Interrupt_Routing_Mode [31], Aff2.Aff1.Aff0 [23:0].
    spis_[intid - 32].route = v & 0xff80ffffffull;
    update_locked();
}

void GicCore::send_sgi(unsigned src, unsigned target, unsigned sgi) {
    std::lock_guard<std::mutex> g(mu_);
    if (target >= cfg_.num_cpus || sgi >= 16) return;
    if (cfg_.version == 2) {
        sgi_src_[target][sgi] |= uint8_t(1u << (src & 7));
    } else {
        banked_[target][sgi].latch = true;
    }
    update_locked();
}

uint8_t GicCore::sgi_sources(unsigned cpu, unsigned sgi) {
    std::lock_guard<std::mutex> g(mu_);
    return sgi < 16 ? sgi_src_[cpu][sgi] : 0;
}

void GicCore::set_sgi_sources(unsigned cpu, unsigned sgi, uint8_t bits, bool set) {
    std::lock_guard<std::mutex> g(mu_);
    if (sgi >= 16) return;
    bits &= uint8_t((1u << cfg_.num_cpus) - 1);
    if (set)
        sgi_src_[cpu][sgi] |= bits;
    else
        sgi_src_[cpu][sgi] &= uint8_t(~bits);
    update_locked();
}

uint32_t GicCore::field_get(Field f, unsigned cpu, unsigned id) {
    Irq& q = irq(cpu, id);
    switch (f) {
        case Field::Group:
            return q.group1;
        case Field::SetEnable:
        case Field::ClearEnable:
            return q.enabled;
        case Field::SetPending:
        case Field::ClearPending:
            return pending_locked(cpu, id);
        case Field::SetActive:
        case Field::ClearActive:
            return q.active;
        case Field::Priority:
            return q.priority;
        case Field::Targets:
            // A uniprocessor GIC has RAZ/WI target registers (everything
            // goes to the one CPU); otherwise SGI/PPI bytes read as the
            // reading CPU's own bit.
            if (cfg_.num_cpus == 1) return 0;
            if (id < 32) return 1u << cpu;
            return q.targets;
        case Field::Config:
            return q.edge ? 2u : 0u;
        case Field::GroupMod:
            return 0;
    }
    return 0;
}

void GicCore::field_set(Field f, unsigned cpu, unsigned id, uint32_t v) {
    Irq& q = irq(cpu, id);
    switch (f) {
        case Field::Group:
            q.group1 = v & 1;
            break;
        case Field::SetEnable:
            if (v & 1) q.enabled = true;
            break;
        case Field::ClearEnable:
            if (v & 1) q.enabled = false;
            break;
        case Field::SetPending:
            if (!(v & 1)) break;
            if (id < 16 && cfg_.version == 2) break;  // v2 uses SPENDSGIR for SGIs
            q.latch = true;
            break;
        case Field::ClearPending:
            if (!(v & 1)) break;
            if (id < 16 && cfg_.version == 2) break;
            q.latch = false;
            break;
        case Field::SetActive:
            if (v & 1) q.active = true;
            break;
        case Field::ClearActive:
            if (v & 1) q.active = false;
            break;
        case Field::Priority:
            q.priority = uint8_t(v) & priority_mask();
            break;
        case Field::Targets:
            if (id >= 32) q.targets = uint8_t(v) & uint8_t((1u << cfg_.num_cpus) - 1);
            break;
        case Field::Config:
            if (id >= 16) q.edge = v & 2;  // SGIs stay edge-triggered
            break;
        case Field::GroupMod:
            break;
    }
}

namespace {
unsigned field_bits(GicCore::Field f) {
    switch (f) {
        case GicCore::Field::Priority:
        case GicCore::Field::Targets:
            return 8;
        case GicCore::Field::Config:
            return 2;
        default:
            return 1;
    }
}
}  // namespace

uint32_t GicCore::read_field(Field f, unsigned cpu, uint64_t byte_off, unsigned size, unsigned lo,
                             unsigned hi) {
    std::lock_guard<std::mutex> g(mu_);
    unsigned bits = field_bits(f);
    unsigned per_byte = 8 / bits;
    uint32_t v = 0;
    hi = std::min(hi, cfg_.num_irqs);
    for (unsigned i = 0; i < size * per_byte; ++i) {
        uint64_t id = byte_off * per_byte + i;
        if (id < lo || id >= hi) continue;
        v |= field_get(f, cpu, unsigned(id)) << (i * bits);
    }
    return v;
}

void GicCore::write_field(Field f, unsigned cpu, uint64_t byte_off, unsigned size, uint32_t value,
                          unsigned lo, unsigned hi) {
    std::lock_guard<std::mutex> g(mu_);
    unsigned bits = field_bits(f);
    unsigned per_byte = 8 / bits;
    uint32_t mask = bits == 8 ? 0xffu : (1u << bits) - 1;
    hi = std::min(hi, cfg_.num_irqs);
    for (unsigned i = 0; i < size * per_byte; ++i) {
        uint64_t id = byte_off * per_byte + i;
        if (id < lo || id >= hi) continue;
        field_set(f, cpu, unsigned(id), (value >> (i * bits)) & mask);
    }
    update_locked();
}

}  // namespace emu

#pragma once
// The state and arbitration shared by our GICv2 and GICv3 models: per
// interrupt enable/pending/active/level/trigger/group/priority (SGIs and
// PPIs banked per CPU), SPI routing, and per-CPU interface state (priority
// mask, binary points, group enables, the active-priority stack) that
// decides which CPU sees IRQ or FIQ. The v2 and v3 front ends (MMIO and
// system registers) translate their register layouts into these calls.
//
// Threads: vCPU threads (MMIO, system registers, timer lines) and the main
// loop (device lines) call in; one internal mutex keeps the state
// consistent and the CPU outputs are updated under it.
#include <array>
#include <cstdint>
#include <mutex>
#include <type_traits>
#include <vector>

#include "hw/core/irq.h"

namespace emu {

struct GicCoreConfig {
    unsigned version = 2;  // 2 or 3
    unsigned num_cpus = 1;
    unsigned num_irqs = 256;      // including the 32 SGIs/PPIs; multiple of 32, <= 1020
    std::vector<uint64_t> mpidr;  // per CPU (v3 routing and SGI targets)
    // v3 only: LPIs with INTIDs 8192 .. 2^lpi_id_bits - 1 (0: no LPIs).
    unsigned lpi_id_bits = 0;
};

class GicCore : public IrqSink {
  public:
    static constexpr uint32_t kSpurious = 1023;
    static constexpr uint32_t kSpuriousOtherGroup = 1022;

    explicit GicCore(GicCoreConfig cfg);

    // Inputs: [0, num_irqs-32) are SPIs (intid = 32 + n); after them come
    // 32 lines per CPU for its PPIs (only intids 16..31 are meaningful).
    void set_irq(int n, bool level) override;
    IrqLine spi_line(unsigned spi) { return IrqLine(this, int(spi)); }
    IrqLine ppi_line(unsigned cpu, unsigned intid) {
        return IrqLine(this, int(num_spis() + cpu * 32 + intid));
    }
    // Outputs to each CPU.
    void connect_cpu(unsigned cpu, IrqLine irq, IrqLine fiq);

    void reset();

    unsigned version() const { return cfg_.version; }
    unsigned num_cpus() const { return cfg_.num_cpus; }
    unsigned num_irqs() const { return cfg_.num_irqs; }
    unsigned num_spis() const { return cfg_.num_irqs - 32; }
    uint64_t mpidr(unsigned cpu) const { return cfg_.mpidr[cpu]; }
    uint8_t priority_mask() const { return cfg_.version == 3 ? 0xf8 : 0xff; }

    // --- Distributor-style register blocks ---------------------------------
    enum class Field {
        Group,        // IGROUPR, 1 bit
        SetEnable,    // ISENABLER
        ClearEnable,  // ICENABLER
        SetPending,   // ISPENDR
        ClearPending,
        SetActive,
        ClearActive,
        Priority,  // IPRIORITYR, 8 bits
        Targets,   // ITARGETSR (v2), 8 bits
        Config,    // ICFGR, 2 bits
        GroupMod,  // IGRPMODR (v3), 1 bit, RAZ/WI with one security state
    };
    // Reads/writes `size` bytes of the register array `f` at byte offset
    // `byte_off` from the array start, for interrupts in [lo, hi) as seen by
    // `cpu` (banked SGIs/PPIs). Interrupts outside the range read as zero
    // and ignore writes.
    uint32_t read_field(Field f, unsigned cpu, uint64_t byte_off, unsigned size, unsigned lo,
                        unsigned hi);
    void write_field(Field f, unsigned cpu, uint64_t byte_off, unsigned size, uint32_t value,
                     unsigned lo, unsigned hi);

    // GICD_CTLR group enables (bit0 group 0, bit1 group 1) and v3 ARE.
    uint32_t dist_ctlr() const;
    void set_dist_ctlr(uint32_t v);

    // v3 SPI routing (GICD_IROUTER<n>).
    uint64_t irouter(unsigned intid) const;
    void set_irouter(unsigned intid, uint64_t v);

    // SGIs. v2: sources are CPU numbers; v3 passes src = 0.
    void send_sgi(unsigned src, unsigned target, unsigned sgi);
    // v2 GICD_[S|C]PENDSGIR: one byte per SGI, one bit per source CPU.
    uint8_t sgi_sources(unsigned cpu, unsigned sgi);
    void set_sgi_sources(unsigned cpu, unsigned sgi, uint8_t bits, bool set);

    // --- CPU interface ------------------------------------------------------
    // group_mask: bit0 = group 0, bit1 = group 1 may be acknowledged. v2
    // returns the source CPU in bits [12:10] for SGIs.
    uint32_t acknowledge(unsigned cpu, unsigned group_mask, bool v2_ackctl = false);
    // Priority drop (and deactivation unless eoi_mode is split).
    void end_of_interrupt(unsigned cpu, uint32_t intid);
    void deactivate(unsigned cpu, uint32_t intid);
    // Highest-priority pending interrupt for that CPU (ignores the running
    // priority but honours enables), or kSpurious.
    uint32_t highest_pending(unsigned cpu, unsigned group_mask);
    uint8_t running_priority(unsigned cpu);

    struct CpuIf {
        uint8_t pmr = 0;
        uint8_t bpr0 = 0;
        uint8_t bpr1 = 0;
        bool grpen0 = false;
        bool grpen1 = false;
        bool fiq_en = false;    // v2 FIQEn: group 0 as FIQ (v3: always)
        bool eoi_mode = false;  // split priority drop / deactivation
        bool cbpr = false;
        uint32_t v2_ctlr = 0;  // other v2 GICC_CTLR bits, read back as written
        struct Active {
            uint32_t intid;
            uint8_t group_prio;
            bool group1;
        };
        std::vector<Active> active;
    };
    // Runs fn on a CPU's interface state with the lock held, then updates
    // the outputs (PMR/BPR/enable writes).
    template <typename Fn>
    auto with_cpu(unsigned cpu, Fn fn) {
        std::lock_guard<std::mutex> g(mu_);
        if constexpr (std::is_void_v<decltype(fn(cpus_[cpu]))>) {
            fn(cpus_[cpu]);
            update_locked();
        } else {
            auto r = fn(cpus_[cpu]);
            update_locked();
            return r;
        }
    }
    // Active-priority register value (bit per active group priority >> 3 for
    // v3, >> 1 for v2's 128 levels capped at 32 bits), and clearing writes.
    uint32_t active_priorities(unsigned cpu, bool group1);
    void clear_active_priorities(unsigned cpu, bool group1);

    // --- LPIs (v3 with lpi_id_bits) ------------------------------------------
    // The redistributor/ITS side keeps the tables in guest memory and tells
    // the core each LPI's configuration byte (bit 0 enable, [7:2]
    // priority) and pending changes. LPIs are group 1, edge, have no active
    // state, and only reach a CPU whose GICR_CTLR.EnableLPIs is set.
    static constexpr uint32_t kFirstLpi = 8192;
    bool is_lpi(uint32_t intid) const {
        return cfg_.lpi_id_bits && intid >= kFirstLpi && intid < (1u << cfg_.lpi_id_bits);
    }
    unsigned lpi_id_bits() const { return cfg_.lpi_id_bits; }
    void set_lpi_config(uint32_t intid, uint8_t cfg);
    // The whole table at once (INVALL, EnableLPIs): cfg[i] is LPI 8192 + i;
    // LPIs beyond cfg.size() read as disabled.
    void load_lpi_config(const std::vector<uint8_t>& cfg);
    void set_lpi_pending(unsigned cpu, uint32_t intid, bool pending);
    // Moves a pending LPI (MOVI) or all of them (MOVALL) between CPUs.
    void move_lpi(unsigned from, unsigned to, uint32_t intid);
    void move_all_lpis(unsigned from, unsigned to);
    void set_lpis_enabled(unsigned cpu, bool on);
    bool lpis_enabled(unsigned cpu) const;

    // For tests and `info pic`-style dumps.
    bool is_pending(unsigned cpu, unsigned intid);
    bool is_active(unsigned cpu, unsigned intid);
    bool irq_output(unsigned cpu) const { return out_[cpu].irq_level; }
    bool fiq_output(unsigned cpu) const { return out_[cpu].fiq_level; }

  private:
    struct Irq {
        bool enabled = false;
        bool latch = false;  // pending set by an edge or ISPENDR
        bool level = false;  // input line
        bool active = false;
        bool edge = false;
        bool group1 = false;
        uint8_t priority = 0;
        uint8_t targets = 0;  // v2 SPIs
        uint64_t route = 0;   // v3 SPIs
    };
    struct Out {
        IrqLine irq, fiq;
        bool irq_level = false, fiq_level = false;
    };

    struct Lpis {
        bool enabled = false;
        unsigned count = 0;             // set bits in pending
        std::vector<uint64_t> pending;  // bit per LPI, from kFirstLpi
    };
    bool lpi_pending_locked(unsigned cpu, uint32_t intid) const;
    void lpi_set_locked(unsigned cpu, uint32_t intid, bool pending);
    // Priority and group of a candidate interrupt (LPIs included).
    uint8_t prio_of(unsigned cpu, uint32_t intid) {
        return is_lpi(intid) ? uint8_t(lpi_cfg_[intid - kFirstLpi] & 0xfc & priority_mask())
                             : irq(cpu, intid).priority;
    }
    bool group1_of(unsigned cpu, uint32_t intid) { return is_lpi(intid) || irq(cpu, intid).group1; }

    Irq& irq(unsigned cpu, unsigned intid) {
        return intid < 32 ? banked_[cpu][intid] : spis_[intid - 32];
    }
    bool pending_locked(unsigned cpu, unsigned intid);
    bool targets_cpu(unsigned cpu, unsigned intid);
    uint8_t group_prio(const CpuIf& c, uint8_t prio, bool group1) const;
    uint8_t running_locked(unsigned cpu) const;
    // Best candidate for a CPU: enabled, pending, not active, group enabled.
    uint32_t best_locked(unsigned cpu, bool check_cpu_enables);
    void update_locked();
    void deactivate_locked(unsigned cpu, uint32_t intid);
    uint32_t field_get(Field f, unsigned cpu, unsigned intid);
    void field_set(Field f, unsigned cpu, unsigned intid, uint32_t v);

    GicCoreConfig cfg_;
    mutable std::mutex mu_;
    std::vector<std::array<Irq, 32>> banked_;
    std::vector<Irq> spis_;
    std::vector<std::array<uint8_t, 16>> sgi_src_;  // v2: [target][sgi] = source bits
    std::vector<CpuIf> cpus_;
    std::vector<Out> out_;
    bool grp0_enabled_ = false, grp1_enabled_ = false, are_ = false;
    std::vector<uint8_t> lpi_cfg_;  // configuration bytes as last read (INV/INVALL)
    std::vector<Lpis> lpis_;        // per CPU
};

}  // namespace emu

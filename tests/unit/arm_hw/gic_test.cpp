#include <catch2/catch.hpp>

#include "hw/intc/gicv2.h"
#include "hw/intc/gicv3.h"

using namespace emu;

namespace {
struct CpuLines : IrqSink {
    bool irq[8] = {}, fiq[8] = {};
    void set_irq(int n, bool l) override { (n & 1 ? fiq : irq)[n / 2] = l; }
};

GicCoreConfig cfg(unsigned ncpu, std::vector<uint64_t> mpidr = {}) {
    GicCoreConfig c;
    c.num_cpus = ncpu;
    c.num_irqs = 256;
    if (mpidr.empty()) {
        for (unsigned i = 0; i < ncpu; ++i)
            mpidr.push_back(i);
    }
    c.mpidr = mpidr;
    return c;
}

void connect(GicCore& g, CpuLines& l) {
    for (unsigned c = 0; c < g.num_cpus(); ++c) {
        g.connect_cpu(c, IrqLine(&l, int(c * 2)), IrqLine(&l, int(c * 2 + 1)));
    }
}

// GICv2 offsets.
constexpr uint64_t GICD_CTLR = 0, GICD_TYPER = 4, ISENABLER = 0x100, ICENABLER = 0x180,
                   ISPENDR = 0x200, ISACTIVER = 0x300, IPRIORITYR = 0x400, ITARGETSR = 0x800,
                   ICFGR = 0xc00, SGIR = 0xf00;
constexpr uint64_t GICC_CTLR = 0, PMR = 4, IAR = 0xc, EOIR = 0x10, RPR = 0x14, HPPIR = 0x18,
                   DIR = 0x1000;

void v2_enable(Gicv2& g, unsigned ncpu) {
    g.dist_write(0, GICD_CTLR, 1, 4);
    for (unsigned c = 0; c < ncpu; ++c) {
        g.cpu_write(c, GICC_CTLR, 1, 4);
        g.cpu_write(c, PMR, 0xf0, 4);
    }
}
}  // namespace

TEST_CASE("gicv2 identifies itself", "[gic]") {
    Gicv2 g(cfg(2));
    CHECK((g.dist_read(0, GICD_TYPER, 4) & 0x1f) == 7);
    CHECK(((g.dist_read(0, GICD_TYPER, 4) >> 5) & 7) == 1);
    CHECK(g.dist_read(0, 0xfe8, 4) == 0x2b);
    CHECK(g.cpu_read(0, 0xfc, 4) == 0x0202043b);
    // SGI/PPI target bytes read as the reader's own CPU bit.
    CHECK(g.dist_read(1, ITARGETSR, 1) == 2);
    CHECK(g.dist_read(0, ITARGETSR + 31, 1) == 1);
    g.dist_write(0, ITARGETSR + 40, 0xff, 1);
    CHECK(g.dist_read(0, ITARGETSR + 40, 1) == 3);  // only existing CPUs
}

TEST_CASE("gicv2 uniprocessor: targets are RAZ/WI and SPIs go to CPU 0", "[gic]") {
    Gicv2 g(cfg(1));
    CpuLines l;
    connect(g.core(), l);
    v2_enable(g, 1);
    g.dist_write(0, ITARGETSR + 40, 0xff, 1);
    CHECK(g.dist_read(0, ITARGETSR + 40, 1) == 0);
    CHECK(g.dist_read(0, ITARGETSR, 4) == 0);
    g.dist_write(0, ISENABLER + 4, 1u << 8, 4);
    g.core().spi_line(8).raise();
    CHECK(l.irq[0]);
    CHECK(g.cpu_read(0, IAR, 4) == 40);
}

TEST_CASE("gicv2 level SPI: acknowledge, running priority, EOI", "[gic]") {
    Gicv2 g(cfg(1));
    CpuLines l;
    connect(g.core(), l);
    v2_enable(g, 1);
    const unsigned id = 33;  // SPI 1 (the PL011 on virt)
    g.dist_write(0, IPRIORITYR + id, 0xa0, 1);
    g.dist_write(0, ITARGETSR + id, 1, 1);
    g.dist_write(0, ISENABLER + 4, 1u << (id - 32), 4);
    CHECK_FALSE(l.irq[0]);
    g.core().spi_line(1).raise();
    CHECK(l.irq[0]);
    CHECK(g.cpu_read(0, HPPIR, 4) == id);
    CHECK(g.cpu_read(0, IAR, 4) == id);
    CHECK_FALSE(l.irq[0]);  // active: not signalled again
    CHECK(g.cpu_read(0, RPR, 4) == 0xa0);
    CHECK(g.core().is_active(0, id));
    CHECK(g.cpu_read(0, IAR, 4) == 1023);
    g.core().spi_line(1).lower();
    g.cpu_write(0, EOIR, id, 4);
    CHECK_FALSE(g.core().is_active(0, id));
    CHECK(g.cpu_read(0, RPR, 4) == 0xff);
    CHECK_FALSE(l.irq[0]);
    // Still asserted at EOI: level interrupts fire again.
    g.core().spi_line(1).raise();
    g.cpu_write(0, IAR, 0, 4);
    CHECK(g.cpu_read(0, IAR, 4) == id);
    g.cpu_write(0, EOIR, id, 4);
    CHECK(l.irq[0]);
}

TEST_CASE("gicv2 priority mask, preemption and disabled interrupts", "[gic]") {
    Gicv2 g(cfg(1));
    CpuLines l;
    connect(g.core(), l);
    v2_enable(g, 1);
    g.dist_write(0, IPRIORITYR + 40, 0xf0, 1);  // not below PMR 0xf0: masked
    g.dist_write(0, ITARGETSR + 40, 1, 1);
    g.dist_write(0, ISENABLER + 4, 1u << 8, 4);
    g.core().spi_line(8).raise();
    CHECK_FALSE(l.irq[0]);
    CHECK(g.cpu_read(0, IAR, 4) == 1023);
    g.cpu_write(0, PMR, 0xff, 4);
    CHECK(l.irq[0]);
    CHECK(g.cpu_read(0, IAR, 4) == 40);
    // A higher-priority interrupt preempts the active one.
    g.dist_write(0, IPRIORITYR + 41, 0x10, 1);
    g.dist_write(0, ITARGETSR + 41, 1, 1);
    g.dist_write(0, ISENABLER + 4, 1u << 9, 4);
    g.core().spi_line(9).raise();
    CHECK(l.irq[0]);
    CHECK(g.cpu_read(0, IAR, 4) == 41);
    CHECK(g.cpu_read(0, RPR, 4) == 0x10);
    // Equal or lower priority does not preempt.
    g.dist_write(0, IPRIORITYR + 42, 0x10, 1);
    g.dist_write(0, ITARGETSR + 42, 1, 1);
    g.dist_write(0, ISENABLER + 4, 1u << 10, 4);
    g.core().spi_line(10).raise();
    CHECK_FALSE(l.irq[0]);
    g.core().spi_line(9).lower();
    g.cpu_write(0, EOIR, 41, 4);
    CHECK(l.irq[0]);  // 42 now beats the running priority 0xf0
    g.dist_write(0, ICENABLER + 4, 1u << 10, 4);
    CHECK_FALSE(l.irq[0]);
    CHECK((g.dist_read(0, ISENABLER + 4, 4) & (1u << 10)) == 0);
}

TEST_CASE("gicv2 edge-triggered SPI latches and ISPENDR/ISACTIVER work", "[gic]") {
    Gicv2 g(cfg(1));
    CpuLines l;
    connect(g.core(), l);
    v2_enable(g, 1);
    g.dist_write(0, ICFGR + 12, 2u, 4);  // intid 48 edge
    CHECK(g.dist_read(0, ICFGR + 12, 4) == 2u);
    g.dist_write(0, ITARGETSR + 48, 1, 1);
    g.dist_write(0, ISENABLER + 4, 1u << 16, 4);
    g.core().spi_line(16).pulse();
    CHECK(l.irq[0]);
    CHECK(g.cpu_read(0, IAR, 4) == 48);
    CHECK_FALSE(g.core().is_pending(0, 48));
    g.cpu_write(0, EOIR, 48, 4);
    CHECK_FALSE(l.irq[0]);
    g.dist_write(0, ISPENDR + 4, 1u << 16, 4);
    CHECK(l.irq[0]);
    g.dist_write(0, ISACTIVER + 4, 1u << 16, 4);
    CHECK_FALSE(l.irq[0]);
}

TEST_CASE("gicv2 SGIs carry their source CPU and follow the target filter", "[gic]") {
    Gicv2 g(cfg(3));
    CpuLines l;
    connect(g.core(), l);
    v2_enable(g, 3);
    for (unsigned c = 0; c < 3; ++c)
        g.dist_write(c, ISENABLER, 0xffff, 4);
    g.dist_write(2, SGIR, (1u << 16) | 5, 4);  // CPU 2 -> CPU 0, SGI 5
    CHECK(l.irq[0]);
    CHECK_FALSE(l.irq[1]);
    CHECK(g.cpu_read(0, IAR, 4) == (5u | (2u << 10)));
    g.cpu_write(0, EOIR, 5u | (2u << 10), 4);
    g.dist_write(0, SGIR, (1u << 24) | 3, 4);  // all but self
    CHECK_FALSE(l.irq[0]);
    CHECK(l.irq[1]);
    CHECK(l.irq[2]);
    CHECK(g.dist_read(1, 0xf20, 1) == 0);
    CHECK(g.dist_read(1, 0xf23, 1) == 1);  // pending from CPU 0
    g.dist_write(1, 0xf13, 1, 1);          // clear it
    CHECK_FALSE(l.irq[1]);
    g.dist_write(1, SGIR, (2u << 24) | 7, 4);  // self
    CHECK(g.cpu_read(1, IAR, 4) == (7u | (1u << 10)));
}

TEST_CASE("gicv2 SPI targets select the CPU, and FIQEn routes group 0 to FIQ", "[gic]") {
    Gicv2 g(cfg(2));
    CpuLines l;
    connect(g.core(), l);
    v2_enable(g, 2);
    g.dist_write(0, ITARGETSR + 35, 2, 1);
    g.dist_write(0, ISENABLER + 4, 1u << 3, 4);
    g.core().spi_line(3).raise();
    CHECK_FALSE(l.irq[0]);
    CHECK(l.irq[1]);
    CHECK(g.cpu_read(0, IAR, 4) == 1023);
    g.cpu_write(1, GICC_CTLR, 1 | 8, 4);
    CHECK(l.fiq[1]);
    CHECK_FALSE(l.irq[1]);
}

TEST_CASE("gicv2 split EOI mode needs GICC_DIR to deactivate", "[gic]") {
    Gicv2 g(cfg(1));
    CpuLines l;
    connect(g.core(), l);
    v2_enable(g, 1);
    g.cpu_write(0, GICC_CTLR, 1 | 0x200, 4);
    g.dist_write(0, ITARGETSR + 32, 1, 1);
    g.dist_write(0, ISENABLER + 4, 1, 4);
    g.core().spi_line(0).raise();
    CHECK(g.cpu_read(0, IAR, 4) == 32);
    g.cpu_write(0, EOIR, 32, 4);
    CHECK(g.cpu_read(0, RPR, 4) == 0xff);
    CHECK(g.core().is_active(0, 32));
    g.cpu_write(0, DIR, 32, 4);
    CHECK_FALSE(g.core().is_active(0, 32));
}

TEST_CASE("gicv2 ignores hostile offsets and sizes", "[gic]") {
    Gicv2 g(cfg(1));
    CHECK(g.dist_read(0, 0xfff0 - 0xf000, 4) == 0x0d);
    CHECK(g.dist_read(0, 0x5000, 4) == 0);
    g.dist_write(0, 0x5000, ~0ull, 4);
    g.dist_write(0, ISENABLER + 0x7c, ~0u, 4);  // beyond num_irqs
    CHECK(g.dist_read(0, ISENABLER + 0x7c, 4) == 0);
    CHECK(g.cpu_read(0, IAR, 1) == 0);
    g.cpu_write(0, EOIR, 1023, 4);
    g.cpu_write(0, EOIR, 77, 4);  // not active: ignored
}

// ---------------------------------------------------------------------------

namespace {
constexpr uint64_t SGI_BASE = 0x10000;
uint32_t icc(unsigned crn, unsigned crm, unsigned op2) {
    return Gicv3::sysreg(3, 0, crn, crm, op2);
}
const uint32_t ICC_PMR = icc(4, 6, 0), ICC_IAR1 = icc(12, 12, 0), ICC_EOIR1 = icc(12, 12, 1),
               ICC_CTLR = icc(12, 12, 4), ICC_SRE = icc(12, 12, 5), ICC_IGRPEN1 = icc(12, 12, 7),
               ICC_SGI1R = icc(12, 11, 5), ICC_RPR = icc(12, 11, 3), ICC_DIR = icc(12, 11, 1),
               ICC_IAR0 = icc(12, 8, 0), ICC_IGRPEN0 = icc(12, 12, 6), ICC_AP1R0 = icc(12, 9, 0),
               ICC_HPPIR1 = icc(12, 12, 2);

uint64_t sr(Gicv3& g, unsigned cpu, uint32_t enc) {
    uint64_t v = 0xdead;
    REQUIRE(g.sysreg_read(cpu, enc, &v));
    return v;
}
void sw(Gicv3& g, unsigned cpu, uint32_t enc, uint64_t v) {
    REQUIRE(g.sysreg_write(cpu, enc, v));
}

// What Linux does: ARE + group 1, wake redistributors, group 1 everywhere.
void v3_enable(Gicv3& g) {
    g.dist_write(0, 0x12, 4);
    for (unsigned i = 1; i < 8; ++i)
        g.dist_write(0x80 + 4 * i, ~0u, 4);
    for (unsigned c = 0; c < g.core().num_cpus(); ++c) {
        uint64_t rd = c * Gicv3::kRedistStride;
        g.redist_write(rd + 0x14, 0, 4);
        g.redist_write(rd + SGI_BASE + 0x80, ~0u, 4);
        sw(g, c, ICC_PMR, 0xf0);
        sw(g, c, ICC_IGRPEN1, 1);
    }
}
}  // namespace

TEST_CASE("gicv3 identification, redistributor TYPER and WAKER", "[gic]") {
    Gicv3 g(cfg(2, {0x0, 0x1}));
    CHECK(g.dist_read(0xffe8, 4) == 0x3b);
    CHECK((g.dist_read(0, 4) & (1u << 6)) != 0);  // DS
    uint64_t t0 = g.redist_read(0x8, 8), t1 = g.redist_read(Gicv3::kRedistStride + 0x8, 8);
    CHECK((t0 >> 32) == 0);
    CHECK((t1 >> 32) == 1);
    CHECK((t0 & 0x10) == 0);
    CHECK((t1 & 0x10) != 0);  // Last
    CHECK(((t1 >> 8) & 0xffff) == 1);
    CHECK(g.redist_read(0x14, 4) == 6);
    g.redist_write(0x14, 0, 4);
    CHECK(g.redist_read(0x14, 4) == 0);
    CHECK(g.redist_read(0xffe8, 4) == 0x3b);
    CHECK(sr(g, 0, ICC_SRE) & 1);
    CHECK(((sr(g, 0, ICC_CTLR) >> 8) & 7) == 4);
    uint64_t v;
    CHECK_FALSE(g.sysreg_read(0, Gicv3::sysreg(3, 0, 1, 0, 0), &v));
    CHECK_FALSE(g.sysreg_read(5, ICC_PMR, &v));
}

TEST_CASE("gicv3 PPI from a timer line through the system registers", "[gic]") {
    Gicv3 g(cfg(2, {0x0, 0x1}));
    CpuLines l;
    connect(g.core(), l);
    v3_enable(g);
    uint64_t rd1 = Gicv3::kRedistStride + SGI_BASE;
    g.redist_write(rd1 + 0x400 + 27, 0xa0, 1);
    g.redist_write(rd1 + 0x100, 1u << 27, 4);
    g.core().ppi_line(1, 27).raise();
    CHECK(l.irq[1]);
    CHECK_FALSE(l.irq[0]);
    CHECK(sr(g, 1, ICC_HPPIR1) == 27);
    CHECK(sr(g, 1, ICC_IAR1) == 27);
    CHECK(sr(g, 1, ICC_RPR) == 0xa0);
    CHECK(sr(g, 1, ICC_AP1R0) == (1u << (0xa0 >> 3)));
    g.core().ppi_line(1, 27).lower();
    sw(g, 1, ICC_EOIR1, 27);
    CHECK(sr(g, 1, ICC_RPR) == 0xff);
    CHECK_FALSE(l.irq[1]);
    // The distributor's SGI/PPI words are RAZ/WI with affinity routing.
    CHECK(g.dist_read(0x100, 4) == 0);
}

TEST_CASE("gicv3 IROUTER routes SPIs by affinity", "[gic]") {
    Gicv3 g(cfg(2, {0x0, 0x100}));  // CPU 1 in cluster 1
    CpuLines l;
    connect(g.core(), l);
    v3_enable(g);
    g.dist_write(0x6000 + 8 * 40, 0x100, 8);
    CHECK(g.dist_read(0x6000 + 8 * 40, 8) == 0x100);
    g.dist_write(0x100 + 4, 1u << 8, 4);
    g.core().spi_line(8).raise();
    CHECK_FALSE(l.irq[0]);
    CHECK(l.irq[1]);
    CHECK(sr(g, 1, ICC_IAR1) == 40);
    sw(g, 1, ICC_EOIR1, 40);
    g.core().spi_line(8).lower();
    g.dist_write(0x6000 + 8 * 40, 1ull << 31, 8);  // 1-of-N
    g.core().spi_line(8).raise();
    CHECK(l.irq[0]);
    CHECK(l.irq[1]);
    CHECK(sr(g, 0, ICC_IAR1) == 40);
    CHECK(sr(g, 1, ICC_IAR1) == 1023);  // the other CPU lost the race
}

TEST_CASE("gicv3 SGI1R targets by affinity list and IRM", "[gic]") {
    Gicv3 g(cfg(3, {0x0, 0x1, 0x2}));
    CpuLines l;
    connect(g.core(), l);
    v3_enable(g);
    for (unsigned c = 0; c < 3; ++c) {
        g.redist_write(c * Gicv3::kRedistStride + SGI_BASE + 0x100, 0xffff, 4);
    }
    sw(g, 0, ICC_SGI1R, (3ull << 24) | 0b100);  // SGI 3 to aff0 = 2
    CHECK_FALSE(l.irq[0]);
    CHECK_FALSE(l.irq[1]);
    CHECK(l.irq[2]);
    CHECK(sr(g, 2, ICC_IAR1) == 3);
    sw(g, 2, ICC_EOIR1, 3);
    sw(g, 1, ICC_SGI1R, (1ull << 40) | (9ull << 24));  // everyone else
    CHECK(l.irq[0]);
    CHECK_FALSE(l.irq[1]);
    CHECK(l.irq[2]);
    sw(g, 0, ICC_SGI1R, (1ull << 16) | (4ull << 24) | 1);  // Aff1 = 1: nobody
    CHECK(sr(g, 0, ICC_IAR1) == 9);
}

TEST_CASE("gicv3 group 0 is FIQ, EOImode splits drop and deactivate", "[gic]") {
    Gicv3 g(cfg(1));
    CpuLines l;
    connect(g.core(), l);
    g.dist_write(0, 0x13, 4);  // ARE, group 0 and 1
    g.redist_write(0x14, 0, 4);
    sw(g, 0, ICC_PMR, 0xff);
    sw(g, 0, ICC_IGRPEN0, 1);
    g.redist_write(SGI_BASE + 0x100, 1u << 20, 4);  // PPI 20, group 0
    g.core().ppi_line(0, 20).raise();
    CHECK(l.fiq[0]);
    CHECK_FALSE(l.irq[0]);
    CHECK(sr(g, 0, ICC_IAR1) == 1023);
    CHECK(sr(g, 0, ICC_IAR0) == 20);
    g.core().ppi_line(0, 20).lower();
    sw(g, 0, ICC_CTLR, 2);
    sw(g, 0, icc(12, 8, 1), 20);  // EOIR0
    CHECK(g.core().is_active(0, 20));
    sw(g, 0, ICC_DIR, 20);
    CHECK_FALSE(g.core().is_active(0, 20));
}

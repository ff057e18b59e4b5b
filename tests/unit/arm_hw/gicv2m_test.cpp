// The GICv2m MSI frame on its own (against a GICv2 core) and on the virt
// board: MSI_TYPER, MSI_IIDR, MSI_SETSPI_NS as an edge on the right SPI,
// and hostile writes (IDs outside the frame, other registers, odd sizes).
#include <catch2/catch.hpp>
#include <stdexcept>

#include "hw/intc/gicv2.h"
#include "hw/intc/gicv2m.h"

using namespace emu;

namespace {
struct Lines : IrqSink {
    bool irq = false;
    void set_irq(int n, bool l) override {
        if (n == 0) irq = l;
    }
};

GicCoreConfig one_cpu() {
    GicCoreConfig c;
    c.num_cpus = 1;
    c.num_irqs = 256;
    c.mpidr = {0};
    return c;
}

// Distributor and CPU interface on, the INTID enabled and edge-triggered.
void enable(Gicv2& g, unsigned intid, bool edge = true) {
    g.dist_write(0, 0x000, 1, 4);                                    // GICD_CTLR
    g.dist_write(0, 0x100 + intid / 32 * 4, 1u << (intid % 32), 4);  // ISENABLER
    if (edge) g.dist_write(0, 0xc00 + intid / 16 * 4, 2u << (intid % 16 * 2), 4);
    g.cpu_write(0, 0x000, 1, 4);     // GICC_CTLR
    g.cpu_write(0, 0x004, 0xf0, 4);  // GICC_PMR
}
}  // namespace

TEST_CASE("gicv2m: MSI_TYPER and MSI_IIDR describe the frame", "[gicv2m]") {
    Gicv2 gic(one_cpu());
    Gicv2m m(gic.core(), 80, 64);
    CHECK(m.mmio_read(Gicv2m::kTyper, 4) == (80u << 16 | 64));
    CHECK(m.mmio_read(Gicv2m::kTyper + 2, 2) == 80);  // narrow read of the upper half
    CHECK(m.mmio_read(Gicv2m::kIidr, 4) == Gicv2m::kIidrValue);
    CHECK(m.mmio_read(Gicv2m::kSetSpiNs, 4) == 0);  // write-only
    CHECK(m.mmio_read(0x800, 4) == 0);
}

TEST_CASE("gicv2m: a write to MSI_SETSPI_NS makes that SPI pending once", "[gicv2m]") {
    Gicv2 gic(one_cpu());
    Lines l;
    gic.core().connect_cpu(0, IrqLine(&l, 0), IrqLine(&l, 1));
    Gicv2m m(gic.core(), 80, 64);
    enable(gic, 85);
    CHECK_FALSE(l.irq);
    m.mmio_write(Gicv2m::kSetSpiNs, 85, 4);
    CHECK(l.irq);
    CHECK(gic.cpu_read(0, 0x00c, 4) == 85);  // GICC_IAR
    CHECK_FALSE(l.irq);                      // edge: acknowledged, not pending again
    gic.cpu_write(0, 0x010, 85, 4);          // GICC_EOIR
    CHECK_FALSE(l.irq);
    CHECK_FALSE(gic.core().is_pending(0, 85));
    // Two messages before the acknowledge still make one interrupt (edge).
    m.mmio_write(Gicv2m::kSetSpiNs, 143, 4);
    enable(gic, 143);
    CHECK_FALSE(l.irq);  // pulsed before the SPI was edge-configured: level 0, no latch
    m.mmio_write(Gicv2m::kSetSpiNs, 143, 4);
    m.mmio_write(Gicv2m::kSetSpiNs, 143, 4);
    CHECK(gic.cpu_read(0, 0x00c, 4) == 143);
    gic.cpu_write(0, 0x010, 143, 4);
    CHECK(gic.cpu_read(0, 0x00c, 4) == 1023);
    // Bits above [9:0] are ignored; a 16-bit write carries the ID too.
    m.mmio_write(Gicv2m::kSetSpiNs, 0xabcd0000u | 143, 4);
    CHECK(gic.core().is_pending(0, 143));
    gic.dist_write(0, 0x280 + 143 / 32 * 4, 1u << (143 % 32), 4);  // ICPENDR
    m.mmio_write(Gicv2m::kSetSpiNs, 143, 2);
    CHECK(gic.core().is_pending(0, 143));
}

TEST_CASE("gicv2m: hostile writes change nothing", "[gicv2m]") {
    Gicv2 gic(one_cpu());
    Lines l;
    gic.core().connect_cpu(0, IrqLine(&l, 0), IrqLine(&l, 1));
    Gicv2m m(gic.core(), 80, 64);
    enable(gic, 33);   // the UART's SPI, not the frame's
    enable(gic, 79);   // just below the frame
    enable(gic, 144);  // just above
    for (uint32_t id : {0u, 15u, 27u, 33u, 79u, 144u, 1023u, 0x3ffu}) {
        m.mmio_write(Gicv2m::kSetSpiNs, id, 4);
    }
    m.mmio_write(Gicv2m::kTyper, 85, 4);         // read-only
    m.mmio_write(0x044, 85, 4);                  // MSI_CLRSPI_NS: not implemented
    m.mmio_write(0x048, 85, 4);                  // MSI_SETSPI_S: not implemented
    m.mmio_write(Gicv2m::kSetSpiNs + 1, 85, 1);  // not the register
    m.mmio_write(Gicv2m::kSize - 4, 85, 4);
    CHECK_FALSE(l.irq);
    for (unsigned id = 32; id < 256; ++id)
        CHECK_FALSE(gic.core().is_pending(0, id));
    CHECK(m.mmio_read(Gicv2m::kTyper, 4) == (80u << 16 | 64));
}

TEST_CASE("gicv2m: the SPI range must fit the GIC", "[gicv2m]") {
    Gicv2 gic(one_cpu());
    CHECK_THROWS_AS(Gicv2m(gic.core(), 16, 8), std::invalid_argument);
    CHECK_THROWS_AS(Gicv2m(gic.core(), 250, 8), std::invalid_argument);
    CHECK_THROWS_AS(Gicv2m(gic.core(), 80, 0), std::invalid_argument);
    CHECK_NOTHROW(Gicv2m(gic.core(), 32, 224));
}

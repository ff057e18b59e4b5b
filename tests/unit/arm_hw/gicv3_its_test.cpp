// The GICv3 ITS and LPIs: tables and a command queue in a RAM-backed
// address space, MSIs through GITS_TRANSLATER taken through the ICC_*
// registers, every command, and hostile input (bad IDs, unmapped devices,
// tables and queues in unmapped memory or over the ITS itself).
#include <catch2/catch.hpp>

#include "hw/core/address_space.h"
#include "hw/intc/gicv3.h"
#include "hw/intc/gicv3_its.h"

using namespace emu;

namespace {
constexpr uint64_t kRam = 0x40000000, kProp = 0x40100000, kDevTab = 0x40200000,
                   kCollTab = 0x40300000, kQueue = 0x40400000, kItt = 0x40500000,
                   kItsBase = 0x08080000;
constexpr uint64_t kValid = 1ull << 63;

struct Lines : IrqSink {
    bool irq[2] = {};
    void set_irq(int n, bool l) override {
        if (n % 2 == 0) irq[n / 2] = l;
    }
};

struct Rig {
    std::unique_ptr<MemoryRegion> root = MemoryRegion::container("sys", UINT64_MAX);
    std::unique_ptr<MemoryRegion> ram = MemoryRegion::ram("ram", 16 << 20);
    std::unique_ptr<MemoryRegion> its_region;
    std::unique_ptr<AddressSpace> as;
    std::unique_ptr<Gicv3> gic;
    std::unique_ptr<Gicv3Its> its;
    Lines lines;
    uint64_t cwriter = 0;

    Rig() {
        root->add_subregion(kRam, ram.get());
        as = std::make_unique<AddressSpace>("mem", root.get());
        GicCoreConfig c;
        c.num_cpus = 2;
        c.num_irqs = 256;
        c.mpidr = {0, 1};
        c.lpi_id_bits = 16;
        gic = std::make_unique<Gicv3>(c);
        gic->set_dma(as.get());
        its = std::make_unique<Gicv3Its>(*gic, as.get());
        its_region = MemoryRegion::io("its", Gicv3Its::kSize, its.get(), Gicv3Its::constraints());
        root->add_subregion(kItsBase, its_region.get());
        for (unsigned i = 0; i < 2; ++i)
            gic->core().connect_cpu(i, IrqLine(&lines, int(2 * i)),
                                    IrqLine(&lines, int(2 * i + 1)));
        gic->dist_write(0, 0x12, 4);  // GICD_CTLR: ARE, group 1
        for (unsigned i = 0; i < 2; ++i) {
            gic->sysreg_write(i, Gicv3::sysreg(3, 0, 4, 6, 0), 0xff);           // ICC_PMR_EL1
            gic->sysreg_write(i, Gicv3::sysreg(3, 0, 12, 12, 7), 1);            // ICC_IGRPEN1_EL1
            gic->redist_write(i * Gicv3::kRedistStride + 0x70, kProp | 15, 8);  // PROPBASER
            gic->redist_write(i * Gicv3::kRedistStride + 0x78, 0x40600000, 8);  // PENDBASER
        }
        for (uint32_t lpi = 8192; lpi < 8192 + 64; ++lpi)
            set_cfg(lpi, 0xa0 | 1);
        for (unsigned i = 0; i < 2; ++i)
            gic->redist_write(i * Gicv3::kRedistStride + 0x0, 1, 4);      // EnableLPIs
        its->mmio_write(Gicv3Its::kBaser, kValid | kDevTab | 15, 8);      // 64 KiB, 4K pages
        its->mmio_write(Gicv3Its::kBaser + 8, kValid | kCollTab | 0, 8);  // 4 KiB
        its->mmio_write(Gicv3Its::kCbaser, kValid | kQueue | 0, 8);       // 128 commands
        its->mmio_write(Gicv3Its::kCtlr, 1, 4);
    }
    void set_cfg(uint32_t lpi, uint8_t v) {
        REQUIRE(as->store(kProp + lpi - 8192, 1, v) == MemTxResult::Ok);
    }
    void cmd(uint64_t d0, uint64_t d1 = 0, uint64_t d2 = 0, uint64_t d3 = 0) {
        uint64_t d[4] = {d0, d1, d2, d3};
        for (int i = 0; i < 4; ++i)
            REQUIRE(as->store(kQueue + cwriter + 8 * i, 8, d[i]) == MemTxResult::Ok);
        cwriter = (cwriter + 32) % 0x1000;
        its->mmio_write(Gicv3Its::kCwriter, cwriter, 8);
    }
    uint64_t creadr() { return its->mmio_read(Gicv3Its::kCreadr, 8); }
    static uint64_t dev(uint8_t op, uint32_t devid) { return uint64_t(devid) << 32 | op; }
    void mapd(uint32_t devid, unsigned ev_bits, uint64_t itt, bool v = true) {
        cmd(dev(0x08, devid), ev_bits - 1, (v ? kValid : 0) | itt);
    }
    void mapc(uint32_t icid, uint64_t rd, bool v = true) {
        cmd(0x09, 0, (v ? kValid : 0) | rd << 16 | icid);
    }
    void mapti(uint32_t devid, uint32_t ev, uint32_t lpi, uint32_t icid) {
        cmd(dev(0x0a, devid), uint64_t(lpi) << 32 | ev, icid);
    }
    uint32_t ack(unsigned cpu) {
        uint64_t v = 0;
        gic->sysreg_read(cpu, Gicv3::sysreg(3, 0, 12, 12, 0), &v);
        return uint32_t(v);
    }
    void eoi(unsigned cpu, uint32_t id) {
        gic->sysreg_write(cpu, Gicv3::sysreg(3, 0, 12, 12, 1), id);
    }
    bool pending(unsigned cpu, uint32_t lpi) { return gic->core().is_pending(cpu, lpi); }
};
}  // namespace

TEST_CASE("its: identification and table registers", "[its]") {
    Rig r;
    uint64_t typer = r.its->mmio_read(Gicv3Its::kTyper, 8);
    CHECK((typer & 1) == 1);                               // Physical
    CHECK(((typer >> 4) & 0xf) == 7);                      // 8-byte ITT entries
    CHECK(((typer >> 8) & 0x1f) == 15);                    // 16 EventID bits
    CHECK(((typer >> 13) & 0x1f) == 15);                   // 16 DeviceID bits
    CHECK(((typer >> 19) & 1) == 0);                       // PTA = 0: processor numbers
    CHECK(((r.gic->dist_read(4, 4) >> 17) & 1) == 1);      // GICD_TYPER.LPIS
    CHECK(((r.gic->dist_read(4, 4) >> 19) & 0x1f) == 15);  // IDbits
    CHECK((r.gic->redist_read(0x8, 8) & 1) == 1);          // GICR_TYPER.PLPIS
    CHECK(r.gic->redist_read(0x70, 8) == (kProp | 15));
    // Type and Entry_Size are read-only, Indirect is RAZ/WI; BASER2.. RAZ/WI.
    uint64_t b0 = r.its->mmio_read(Gicv3Its::kBaser, 8);
    CHECK(((b0 >> 56) & 7) == 1);
    CHECK(((b0 >> 48) & 0x1f) == 7);
    CHECK(((r.its->mmio_read(Gicv3Its::kBaser + 8, 8) >> 56) & 7) == 4);
    r.its->mmio_write(Gicv3Its::kCtlr, 0, 4);
    r.its->mmio_write(Gicv3Its::kBaser, ~0ull, 8);
    b0 = r.its->mmio_read(Gicv3Its::kBaser, 8);
    CHECK(((b0 >> 56) & 7) == 1);
    CHECK(((b0 >> 62) & 1) == 0);
    r.its->mmio_write(Gicv3Its::kBaser + 16, ~0ull, 8);
    CHECK(r.its->mmio_read(Gicv3Its::kBaser + 16, 8) == 0);
    CHECK((r.its->mmio_read(Gicv3Its::kCtlr, 4) >> 31) == 1);  // quiescent when disabled
    CHECK(r.its->mmio_read(0xffe8, 4) == 0x3b);
}

TEST_CASE("its: an MSI becomes an LPI on the mapped CPU", "[its]") {
    Rig r;
    r.mapd(5, 5, kItt);
    r.mapc(0, 0);
    r.mapc(1, 1);
    r.mapti(5, 3, 8200, 0);
    r.cmd(0x05, 0, 0);  // SYNC rd 0
    CHECK(r.creadr() == r.cwriter);
    CHECK_FALSE(r.lines.irq[0]);
    CHECK(r.its->translate(5, 3));
    CHECK(r.lines.irq[0]);
    CHECK_FALSE(r.lines.irq[1]);
    CHECK(r.ack(0) == 8200);
    CHECK_FALSE(r.lines.irq[0]);  // no active state: acknowledged, not pending
    CHECK_FALSE(r.pending(0, 8200));
    r.eoi(0, 8200);
    CHECK(r.ack(0) == 1023);
    // Through the memory map: a 32-bit write to GITS_TRANSLATER (DeviceID 0).
    r.mapd(0, 1, kItt + 0x1000);
    r.cmd(Rig::dev(0x0b, 0), 1, 1);  // MAPI dev 0 event 1 -> LPI 1? not an LPI: ignored
    r.mapti(0, 1, 8201, 1);
    REQUIRE(r.as->store(kItsBase + Gicv3Its::kTranslater, 4, 1) == MemTxResult::Ok);
    CHECK(r.lines.irq[1]);
    CHECK(r.ack(1) == 8201);
    r.eoi(1, 8201);
    // Unmapped events and devices do nothing.
    CHECK_FALSE(r.its->translate(5, 4));
    CHECK_FALSE(r.its->translate(6, 3));
    CHECK_FALSE(r.its->translate(5, 1u << 20));
    CHECK_FALSE((r.lines.irq[0] || r.lines.irq[1]));
    // Disabled ITS: dropped.
    r.its->mmio_write(Gicv3Its::kCtlr, 0, 4);
    CHECK_FALSE(r.its->translate(5, 3));
}

TEST_CASE("its: INT, CLEAR, MOVI, MOVALL, INV, INVALL, DISCARD", "[its]") {
    Rig r;
    r.mapd(7, 4, kItt);
    r.mapc(0, 0);
    r.mapc(1, 1);
    r.mapti(7, 0, 8192, 0);
    r.mapti(7, 1, 8193, 0);
    r.cmd(Rig::dev(0x03, 7), 0);  // INT
    CHECK(r.pending(0, 8192));
    r.cmd(Rig::dev(0x04, 7), 0);  // CLEAR
    CHECK_FALSE(r.pending(0, 8192));
    r.cmd(Rig::dev(0x03, 7), 0);
    r.cmd(Rig::dev(0x01, 7), 0, 1);  // MOVI to collection 1 (CPU 1)
    CHECK_FALSE(r.pending(0, 8192));
    CHECK(r.pending(1, 8192));
    CHECK(r.ack(1) == 8192);
    r.eoi(1, 8192);
    CHECK(r.its->translate(7, 0));  // the ITT now says collection 1
    CHECK(r.pending(1, 8192));
    r.cmd(0x0e, 0, 1ull << 16, 0);  // MOVALL CPU 1 -> CPU 0
    CHECK(r.pending(0, 8192));
    CHECK_FALSE(r.pending(1, 8192));
    r.cmd(Rig::dev(0x01, 7), 0, 0);  // MOVI back to collection 0 (nothing pending on CPU 1)
    CHECK(r.pending(0, 8192));
    // Disable in the table: no effect until INV.
    r.set_cfg(8192, 0xa0);
    CHECK(r.lines.irq[0]);
    r.cmd(Rig::dev(0x0c, 7), 0);  // INV
    CHECK_FALSE(r.lines.irq[0]);
    CHECK(r.pending(0, 8192));  // still pending, just disabled
    r.set_cfg(8192, 0x40 | 1);
    r.cmd(0x0d, 0, 0);  // INVALL collection 0
    CHECK(r.lines.irq[0]);
    CHECK(r.ack(0) == 8192);
    r.eoi(0, 8192);
    // Priority from the table orders LPIs.
    r.set_cfg(8193, 0x20 | 1);
    r.cmd(0x0d, 0, 0);
    r.cmd(Rig::dev(0x03, 7), 0);
    r.cmd(Rig::dev(0x03, 7), 1);
    CHECK(r.ack(0) == 8193);
    CHECK(r.ack(0) == 1023);  // 8192 (0x40) does not preempt 8193 (0x20)
    r.eoi(0, 8193);
    CHECK(r.ack(0) == 8192);
    r.eoi(0, 8192);
    // DISCARD: the mapping is gone and any pending state cleared.
    r.cmd(Rig::dev(0x03, 7), 1);
    r.cmd(Rig::dev(0x0f, 7), 1);
    CHECK_FALSE(r.pending(0, 8193));
    CHECK_FALSE(r.its->translate(7, 1));
    // EnableLPIs off: LPIs stay pending but are not signalled.
    r.gic->redist_write(0x0, 0, 4);
    CHECK(r.its->translate(7, 0));
    CHECK_FALSE(r.lines.irq[0]);
    r.gic->redist_write(0x0, 1, 4);
    CHECK(r.lines.irq[0]);
}

TEST_CASE("its: malformed commands are ignored and the queue moves on", "[its]") {
    Rig r;
    r.mapc(0, 0);
    r.mapd(1u << 16, 4, kItt);  // DeviceID beyond Devbits
    r.mapd(2, 17, kItt);        // more EventID bits than ID_bits
    r.mapti(3, 0, 8192, 0);     // unmapped device
    r.mapd(4, 2, kItt);
    r.mapti(4, 4, 8192, 0);          // EventID beyond the device's 2 bits
    r.mapti(4, 0, 100, 0);           // not an LPI
    r.mapti(4, 0, 1u << 16, 0);      // beyond the LPI ID bits
    r.mapc(2, 2);                    // no CPU 2
    r.mapc(1u << 15, 0);             // beyond the 4 KiB collection table
    r.mapti(4, 1, 8194, 9);          // unmapped collection: stored, but never delivered
    r.cmd(0xff);                     // unknown command
    r.cmd(0x05, 0, 7ull << 16);      // SYNC to a missing redistributor
    r.cmd(0x0e, 0, 0, 9ull << 16);   // MOVALL to a missing redistributor
    r.cmd(Rig::dev(0x03, 4), 0);     // INT on an unmapped event
    r.cmd(Rig::dev(0x01, 4), 1, 0);  // MOVI of an event without a valid collection
    CHECK(r.creadr() == r.cwriter);  // everything consumed, not stalled
    CHECK_FALSE(r.its->translate(4, 1));
    CHECK_FALSE(r.its->translate(1u << 16 | 0, 0));
    for (uint32_t lpi = 8192; lpi < 8256; ++lpi) {
        CHECK_FALSE(r.pending(0, lpi));
        CHECK_FALSE(r.pending(1, lpi));
    }
    // The ITS still works.
    r.mapti(4, 0, 8195, 0);
    CHECK(r.its->translate(4, 0));
    CHECK(r.ack(0) == 8195);
}

TEST_CASE("its: hostile tables and queues", "[its]") {
    SECTION("command queue in unmapped memory stalls until reprogrammed") {
        Rig r;
        r.its->mmio_write(Gicv3Its::kCtlr, 0, 4);
        r.its->mmio_write(Gicv3Its::kCbaser, kValid | 0x7000000000ull, 8);
        r.its->mmio_write(Gicv3Its::kCtlr, 1, 4);
        r.its->mmio_write(Gicv3Its::kCwriter, 32, 8);
        CHECK((r.creadr() & 1) == 1);  // Stalled
        CHECK((r.creadr() & ~1ull) == 0);
        r.its->mmio_write(Gicv3Its::kCtlr, 0, 4);
        r.its->mmio_write(Gicv3Its::kCbaser, kValid | kQueue, 8);  // resets GITS_CREADR
        r.its->mmio_write(Gicv3Its::kCtlr, 1, 4);
        r.cwriter = 0;
        r.mapc(0, 0);
        CHECK(r.creadr() == 32);
    }
    SECTION("GITS_CWRITER beyond the queue stalls; Retry after fixing it resumes") {
        Rig r;
        r.its->mmio_write(Gicv3Its::kCwriter, 0x2000, 8);
        CHECK((r.creadr() & 1) == 1);
        r.its->mmio_write(Gicv3Its::kCwriter, 0x0 | 1, 8);  // back in range, Retry
        CHECK(r.creadr() == 0);
        r.cwriter = 0;
        r.mapc(0, 0);
        CHECK(r.creadr() == 32);
    }
    SECTION("tables in unmapped memory or over the ITS's own registers") {
        Rig r;
        r.its->mmio_write(Gicv3Its::kCtlr, 0, 4);
        r.its->mmio_write(Gicv3Its::kBaser, kValid | 0x7000000000ull | 0xff, 8);
        r.its->mmio_write(Gicv3Its::kBaser + 8, kValid | kItsBase, 8);  // over GITS_*
        r.its->mmio_write(Gicv3Its::kCtlr, 1, 4);
        r.mapd(1, 4, kItt);
        r.mapc(0, 0);     // writes "entries" into GITS_CTLR..: must not recurse or hang
        r.mapc(0x11, 0);  // the CWRITER slot
        r.mapti(1, 0, 8192, 0);
        CHECK_FALSE(r.its->translate(1, 0));
        // An ITT over the ITS: the "entry" read is a register value.
        r.its->mmio_write(Gicv3Its::kCtlr, 0, 4);
        r.its->mmio_write(Gicv3Its::kBaser, kValid | kDevTab | 15, 8);
        r.its->mmio_write(Gicv3Its::kBaser + 8, kValid | kCollTab, 8);
        r.its->mmio_write(Gicv3Its::kCtlr, 1, 4);
        r.mapd(1, 4, kItsBase + 0x10000);  // the translation frame
        r.mapc(0, 0);
        r.mapti(1, 8, 8192, 0);  // ITT entry 8 = GITS_TRANSLATER itself
        r.mapti(1, 0, 8192, 0);
        r.its->translate(1, 8);
        r.its->translate(1, 0);
        CHECK(r.creadr() == r.cwriter);
    }
    SECTION("LPI configuration table in unmapped memory reads as disabled") {
        Rig r;
        r.gic->redist_write(0x0, 0, 4);
        r.gic->redist_write(0x70, 0x7000000000ull | 15, 8);
        r.gic->redist_write(0x0, 1, 4);
        r.mapd(1, 4, kItt);
        r.mapc(0, 0);
        r.mapti(1, 0, 8192, 0);
        CHECK(r.its->translate(1, 0));
        CHECK(r.pending(0, 8192));
        CHECK_FALSE(r.lines.irq[0]);
    }
}

// The ITS and the LPI side of the redistributors must never crash, hang or
// touch memory outside the guest's on any sequence of register writes,
// commands (well-formed or not) and table contents. Each input is a list of
// 12-byte records; command fields are mostly drawn from small ranges so
// that valid mappings happen often enough to reach delivery.
#include <cstdlib>
#include <cstring>
#include <memory>

#include "hw/core/address_space.h"
#include "hw/intc/gicv3.h"
#include "hw/intc/gicv3_its.h"

using namespace emu;

namespace {
constexpr uint64_t kRam = 0x40000000, kRamSize = 256 << 10, kIts = 0x08080000;
constexpr uint64_t kQueue = kRam, kDev = kRam + 0x10000, kColl = kRam + 0x20000,
                   kProp = kRam + 0x30000, kItt = kRam + 0x20000 + 0x1000;
constexpr uint64_t kV = 1ull << 63;

struct Sink : IrqSink {
    void set_irq(int, bool) override {}
};

uint64_t get64(const uint8_t* p) {
    uint64_t v;
    std::memcpy(&v, p, 8);
    return v;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    auto root = MemoryRegion::container("sys", UINT64_MAX);
    auto ram = MemoryRegion::ram("ram", kRamSize);
    root->add_subregion(kRam, ram.get());
    AddressSpace as("mem", root.get());
    GicCoreConfig c;
    c.num_cpus = 2;
    c.num_irqs = 64;
    c.mpidr = {0, 1};
    c.lpi_id_bits = 16;
    Gicv3 gic(c);
    gic.set_dma(&as);
    Gicv3Its its(gic, &as);
    auto its_region = MemoryRegion::io("its", Gicv3Its::kSize, &its, Gicv3Its::constraints());
    root->add_subregion(kIts, its_region.get());
    Sink sink;
    for (unsigned i = 0; i < 2; ++i)
        gic.core().connect_cpu(i, IrqLine(&sink, 0), IrqLine(&sink, 1));
    gic.dist_write(0, 0x12, 4);
    for (unsigned i = 0; i < 2; ++i) {
        gic.sysreg_write(i, Gicv3::sysreg(3, 0, 4, 6, 0), 0xff);
        gic.sysreg_write(i, Gicv3::sysreg(3, 0, 12, 12, 7), 1);
        gic.redist_write(i * Gicv3::kRedistStride + 0x70, kProp | 15, 8);
    }
    for (uint64_t a = kProp; a < kProp + 0x100; ++a)
        as.store(a, 1, 0xa1);
    for (unsigned i = 0; i < 2; ++i)
        gic.redist_write(i * Gicv3::kRedistStride, 1, 4);
    its.mmio_write(Gicv3Its::kBaser, kV | kDev | 0, 8);
    its.mmio_write(Gicv3Its::kBaser + 8, kV | kColl | 0, 8);
    its.mmio_write(Gicv3Its::kCbaser, kV | kQueue | 0, 8);
    its.mmio_write(Gicv3Its::kCtlr, 1, 4);

    uint64_t cw = 0;
    static const uint8_t kOps[] = {0x01, 0x03, 0x04, 0x05, 0x08, 0x09, 0x0a,
                                   0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x00, 0xff};
    for (size_t off = 0; off + 12 <= size && off < 12 * 400; off += 12) {
        const uint8_t* r = data + off;
        const uint8_t kind = r[0] % 8, a = r[1], b = r[2], d = r[3];
        uint64_t v = get64(r + 4);
        switch (kind) {
            case 0:
            case 1: {  // a command with plausible fields (or raw ones)
                uint64_t cmd[4] = {};
                uint8_t op = kOps[a % sizeof kOps];
                bool raw = b & 0x80;
                uint32_t dev = raw ? uint32_t(v >> 32) : b % 8;
                uint32_t ev = raw ? uint32_t(v) : d % 40;
                cmd[0] = uint64_t(dev) << 32 | op;
                cmd[1] = ev | uint64_t(8192 + v % 100) << 32;  // EventID, pINTID
                const uint64_t valid = b & 0x40 ? kV : 0, icid = b % 5, rd = d % 3;
                switch (op) {
                    case 0x08:  // MAPD: EventID bits - 1, ITT address
                        cmd[1] = d % 20;
                        cmd[2] = valid | (kItt + (d % 8) * 0x100);
                        break;
                    case 0x09:  // MAPC
                        cmd[2] = valid | rd << 16 | icid;
                        break;
                    case 0x05:  // SYNC
                    case 0x0e:  // MOVALL
                        cmd[2] = rd << 16;
                        cmd[3] = uint64_t(a % 3) << 16;
                        break;
                    default:
                        cmd[2] = icid;
                        break;
                }
                if (raw) {
                    cmd[1] = v;
                    cmd[2] = ~v ^ get64(r + 1);
                    cmd[3] = v * 0x9e3779b97f4a7c15ull;
                }
                for (int i = 0; i < 4; ++i)
                    as.store(kQueue + cw + 8 * i, 8, cmd[i]);
                cw = (cw + 32) % 0x1000;
                its.mmio_write(Gicv3Its::kCwriter, cw, 8);
                break;
            }
            case 2:  // MSI
                its.translate(b & 0x80 ? uint32_t(v >> 32) : b % 8, uint32_t(d % 40));
                break;
            case 3: {  // ITS register write (can disable, move tables, stall)
                static const uint64_t regs[] = {0x0,   0x80,  0x88,    0x90,   0x100,
                                                0x108, 0x110, 0x10040, 0xffe8, 0x4};
                uint64_t reg = regs[a % 10];
                unsigned sz = 1u << (b % 4);
                if (reg == 0x80 || (reg >= 0x100 && reg < 0x140)) {
                    // Mostly inside RAM, sometimes anywhere (incl. the ITS).
                    if (!(d & 1)) v = (v & 0xff000000000000ffull) | (kRam + (v & 0x3f000));
                }
                as.store(kIts + reg, sz, v);
                if (reg == 0x80 || reg == 0x0)
                    cw = as.load(kIts + 0x90, 8, &v) == MemTxResult::Ok ? v & 0xfffe0 : 0;
                break;
            }
            case 4:  // scribble on the tables / queue
                as.store(kRam + (v % (kRamSize - 8)), 8, get64(r + 1) ^ v);
                break;
            case 5: {  // redistributor: EnableLPIs, PROPBASER
                unsigned cpu = a % 2;
                uint64_t reg = b % 3 == 0 ? 0x0 : b % 3 == 1 ? 0x70 : 0x78;
                gic.redist_write(cpu * Gicv3::kRedistStride + reg, reg ? v : d & 1, reg ? 8 : 4);
                break;
            }
            case 6: {  // take and end an interrupt
                unsigned cpu = a % 2;
                uint64_t id = 0;
                gic.sysreg_read(cpu, Gicv3::sysreg(3, 0, 12, 12, 0), &id);
                gic.sysreg_write(cpu, Gicv3::sysreg(3, 0, 12, 12, 1), id);
                break;
            }
            default: {
                uint64_t x;
                as.load(kIts + (v % Gicv3Its::kSize & ~7ull), 8, &x);
                break;
            }
        }
    }
    return 0;
}

#pragma once
// A small guest memory map and a translation table builder for the MMU
// tests. Descriptors are built here from the Arm ARM's formats, bit by bit,
// independently of the library's own constants.
#include <cstdint>
#include <cstring>
#include <memory>
#include <stdexcept>

#include "hw/core/address_space.h"
#include "hw/core/memory_region.h"
#include "target/arm/mmu/mmu.h"

namespace mmu_test {

using namespace emu;
using namespace emu::arm::mmu;

constexpr uint64_t kRomBase = 0x0;
constexpr uint64_t kRomSize = 0x100000;
constexpr uint64_t kIoBase = 0x09000000;
constexpr uint64_t kRamBase = 0x40000000;
constexpr uint64_t kRamSize = 64ull << 20;

// Descriptor fields.
constexpr uint64_t kValid = 1;
constexpr uint64_t kTableOrPage = 3;
constexpr uint64_t kBlock = 1;
inline uint64_t attr_index(unsigned i) {
    return uint64_t{i} << 2;
}
inline uint64_t ap(unsigned v) {
    return uint64_t{v} << 6;
}  // AP[2:1]
constexpr uint64_t kShInner = 3ull << 8;
constexpr uint64_t kAF = 1ull << 10;
constexpr uint64_t kNG = 1ull << 11;
constexpr uint64_t kDBM = 1ull << 51;
constexpr uint64_t kPXN = 1ull << 53;
constexpr uint64_t kUXN = 1ull << 54;
constexpr uint64_t kPXNTable = 1ull << 59;
constexpr uint64_t kUXNTable = 1ull << 60;
inline uint64_t ap_table(unsigned v) {
    return uint64_t{v} << 61;
}
constexpr uint64_t kLeafDefault = kAF | kShInner;  // AttrIndx 0, EL1 RW

// MAIR: 0 Normal WB, 1 Device-nGnRnE, 2 Normal NC, 3 Device-nGnRE.
constexpr uint64_t kMair = 0x04'44'00'ffull;

// Registers whose reads are counted: a walk must never touch a device.
struct CountingDevice : MmioHandler {
    unsigned reads = 0;
    uint64_t mmio_read(uint64_t, unsigned) override {
        ++reads;
        return 0x3;  // would look like a valid table descriptor
    }
    void mmio_write(uint64_t, uint64_t, unsigned) override {}
};

struct TestMachine {
    std::unique_ptr<MemoryRegion> root = MemoryRegion::container("system", UINT64_MAX);
    std::unique_ptr<MemoryRegion> rom = MemoryRegion::rom("rom", kRomSize);
    std::unique_ptr<MemoryRegion> ram = MemoryRegion::ram("ram", kRamSize);
    CountingDevice dev;
    std::unique_ptr<MemoryRegion> io = MemoryRegion::io("dev", 0x1000, &dev);
    std::unique_ptr<AddressSpace> as;

    TestMachine() {
        root->add_subregion(kRomBase, rom.get());
        root->add_subregion(kIoBase, io.get());
        root->add_subregion(kRamBase, ram.get());
        as = std::make_unique<AddressSpace>("memory", root.get());
    }
    uint8_t* host(uint64_t pa) {
        if (pa >= kRamBase && pa + 8 <= kRamBase + kRamSize)
            return ram->host_ptr() + (pa - kRamBase);
        if (pa + 8 <= kRomSize) return rom->host_ptr() + pa;
        throw std::runtime_error("test bug: address outside RAM/ROM");
    }
    uint64_t read64(uint64_t pa, bool big_endian = false) {
        uint64_t v;
        std::memcpy(&v, host(pa), 8);
        return big_endian ? __builtin_bswap64(v) : v;
    }
    void write64(uint64_t pa, uint64_t v, bool big_endian = false) {
        if (big_endian) v = __builtin_bswap64(v);
        std::memcpy(host(pa), &v, 8);
    }
};

// Builds a table tree for one TTBR. Tables come from a bump allocator in
// RAM starting at `pool`.
class TableBuilder {
  public:
    TableBuilder(TestMachine& m, unsigned granule_bits, unsigned ia_bits, uint64_t pool,
                 bool big_endian = false)
        : m_(m), g_(granule_bits), ia_(ia_bits), next_(pool), be_(big_endian) {
        stride_ = g_ - 3;
        start_ = 3 - int((ia_ - 1 - g_) / stride_);
        root_ = alloc();
    }
    uint64_t root() const { return root_; }
    int start_level() const { return start_; }
    unsigned bottom(int level) const { return (3 - level) * stride_ + g_; }

    // Maps va -> oa with a leaf at `level` (page at 3, block above).
    // `table_bits` go into table descriptors created on the way.
    void map(uint64_t va, uint64_t oa, int level, uint64_t leaf_bits = kLeafDefault,
             uint64_t table_bits = 0) {
        uint64_t table = root_;
        for (int l = start_; l < level; ++l) {
            uint64_t dpa = entry_address(table, va, l);
            uint64_t d = m_.read64(dpa, be_);
            if ((d & 3) != 3) {
                uint64_t t = alloc();
                d = t | kTableOrPage | table_bits;
                m_.write64(dpa, d, be_);
            }
            table = d & (((1ull << 48) - 1) & ~((1ull << g_) - 1));
        }
        uint64_t type = level == 3 ? kTableOrPage : kBlock;
        m_.write64(entry_address(table, va, level), encode_oa(oa) | leaf_bits | type, be_);
    }

    // The descriptor address for va at `level` (the path must exist).
    uint64_t descriptor_address(uint64_t va, int level) {
        uint64_t table = root_;
        for (int l = start_; l < level; ++l) {
            uint64_t d = m_.read64(entry_address(table, va, l), be_);
            table = d & (((1ull << 48) - 1) & ~((1ull << g_) - 1));
        }
        return entry_address(table, va, level);
    }
    uint64_t alloc() {
        uint64_t t = next_;
        next_ += 1ull << g_;
        std::memset(m_.host(t), 0, size_t{1} << g_);
        return t;
    }

    // 64K granule with 52-bit PA: OA[51:48] in bits[15:12].
    bool oa52 = false;

  private:
    uint64_t encode_oa(uint64_t oa) const {
        uint64_t d = oa & ((1ull << 48) - 1);
        if (oa52) d |= ((oa >> 48) & 0xf) << 12;
        return d;
    }
    uint64_t entry_address(uint64_t table, uint64_t va, int level) const {
        unsigned lo = bottom(level);
        unsigned hi = level == start_ ? ia_ - 1 : lo + stride_ - 1;
        uint64_t index = (va >> lo) & ((1ull << (hi - lo + 1)) - 1);
        return table + index * 8;
    }

    TestMachine& m_;
    unsigned g_, ia_, stride_;
    int start_;
    uint64_t next_, root_;
    bool be_;
};

// ID registers of a model advertising everything the library implements
// (all granules, 48-bit PA, 16-bit ASIDs, HAFDBS with dirty, PAN, HPD,
// UAO) and of cortex-a57 (44-bit PA, no 16K granule, no PAN, no HAFDBS).
inline IdRegs id_full() {
    IdRegs id;
    id.mmfr0 = 0x5 | (0x2 << 4) | (0x1 << 20);   // PARange 48, ASIDBits 16, TGran16
    id.mmfr1 = 0x2 | (0x1 << 12) | (0x1 << 20);  // HAFDBS AF+dirty, HPDS, PAN
    id.mmfr2 = 0x1 << 4;                         // UAO
    return id;
}
inline IdRegs id_cortex_a57() {
    IdRegs id;
    id.mmfr0 = 0x00001124;
    id.mmfr1 = 0;
    id.mmfr2 = 0;
    return id;
}

inline uint64_t tg0_bits(unsigned g) {
    return uint64_t{g == 12 ? 0u : g == 16 ? 1u : 2u} << 14;
}
inline uint64_t tg1_bits(unsigned g) {
    return uint64_t{g == 14 ? 1u : g == 12 ? 2u : 3u} << 30;
}

// MMU on, caches on, both TTBRs with the same granule and size, IPS 48.
inline Regs make_regs(unsigned g, unsigned ia, uint64_t ttbr0, uint64_t ttbr1 = 0,
                      IdRegs id = id_full()) {
    Regs r;
    r.sctlr = 1 | (1 << 2) | (1 << 12);
    r.tcr =
        uint64_t{64 - ia} | (uint64_t{64 - ia} << 16) | tg0_bits(g) | tg1_bits(g) | (5ull << 32);
    if (!ttbr1) r.tcr |= 1ull << 23;  // EPD1
    r.ttbr0 = ttbr0;
    r.ttbr1 = ttbr1;
    r.mair = kMair;
    r.el = 1;
    r.id = id;
    return r;
}

inline Access read_access(unsigned size = 1) {
    Access a;
    a.type = AccessType::Read;
    a.size = static_cast<uint8_t>(size);
    return a;
}
inline Access write_access(unsigned size = 1) {
    Access a;
    a.type = AccessType::Write;
    a.size = static_cast<uint8_t>(size);
    return a;
}
inline Access fetch_access() {
    Access a;
    a.type = AccessType::Fetch;
    a.size = 4;
    return a;
}

}  // namespace mmu_test

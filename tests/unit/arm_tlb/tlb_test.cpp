// TLB maintenance on the translator's soft TLB: TLBI decoding (what is
// Undefined), by-VA invalidation of one page only, block mappings flushed
// whole, ASID-selective flushes, ASID switches that keep every ASID's
// entries (soft TLB banks, the tagged second level) and the maintenance
// that must reach them while saved, and the broadcast (IS) forms across vCPUs:
// acknowledged before the issuer goes on, applied by a vCPU outside exec()
// before its next block, no deadlock when two vCPUs broadcast at once.
#define CATCH_CONFIG_MAIN
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <future>
#include <thread>
#include <vector>

#include "hw/core/address_space.h"
#include "hw/core/memory_region.h"
#include "target/arm/arm_cpu.h"
#include "target/arm/tlbi.h"

using namespace emu;
using namespace emu::arm;

namespace {

constexpr uint64_t kRam = 0x40000000;
constexpr uint64_t kRamSize = 16 << 20;
constexpr uint64_t kL1 = kRam + 0x800000, kL2 = kL1 + 0x1000, kL3 = kL1 + 0x2000;
constexpr uint64_t kPageVa = 0x40010000;                  // in the page-mapped first 2 MiB
constexpr uint64_t kBlockVa = 0x40203000;                 // in the 2 MiB block at 0x40200000
constexpr uint64_t kAttr = 1u << 2 | 3u << 8 | 1u << 10;  // AttrIndx 1, ISH, AF

// TLBI encodings as the translator passes them (op1<<11 | CRn<<7 | CRm<<3 | op2).
constexpr uint32_t op(unsigned op1, unsigned crm, unsigned op2) {
    return op1 << 11 | 8u << 7 | crm << 3 | op2;
}
constexpr uint32_t kVae1 = op(0, 7, 1), kAside1 = op(0, 7, 2), kVmalle1 = op(0, 7, 0);

// A64 words used by the programs below.
constexpr uint32_t sys_tlbi(unsigned crm, unsigned op2, unsigned rt) {
    return 0xd5088000u | crm << 8 | op2 << 5 | rt;
}
constexpr uint32_t kWfi = 0xd503207f, kDsbIsh = 0xd5033b9f;
constexpr uint32_t ldr(unsigned rt, unsigned rn) {
    return 0xf9400000u | rn << 5 | rt;
}
constexpr uint32_t str(unsigned rt, unsigned rn) {
    return 0xf9000000u | rn << 5 | rt;
}

struct Machine {
    std::unique_ptr<MemoryRegion> root = MemoryRegion::container("system", ~0ull);
    std::unique_ptr<MemoryRegion> ram = MemoryRegion::ram("ram", kRamSize);
    std::unique_ptr<AddressSpace> as;
    std::vector<std::unique_ptr<ArmCpu>> cpus;

    explicit Machine(unsigned ncpus = 1) {
        root->add_subregion(kRam, ram.get());
        as = std::make_unique<AddressSpace>("memory", root.get());
        // Identity map: 0x40000000-0x401fffff by 4K pages, the next 14 MiB
        // by 2 MiB blocks.
        put(kL1 + 8, kL2 | 3);
        put(kL2, kL3 | 3);
        for (uint64_t i = 0; i < 512; ++i)
            put(kL3 + i * 8, (kRam + (i << 12)) | kAttr | 3);
        for (uint64_t i = 1; i < 8; ++i)
            put(kL2 + i * 8, (kRam + (i << 21)) | kAttr | 1);
        for (unsigned i = 0; i < ncpus; ++i) {
            ArmCpuConfig cfg;
            cfg.memory = as.get();
            cfg.model = "cortex-a57";
            cfg.index = i;
            tcg::ExecOptions opts;
            opts.tier = tcg::TierMode::Interp;
            cpus.push_back(std::make_unique<ArmCpu>(cfg, opts, nullptr));
            ArmCpuState& s = cpus.back()->st();
            s.mair_el1 = 0xffull << 8;
            s.tcr_el1 = 25 | 1u << 23;  // 39-bit VA, 4K granule, EPD1
            s.ttbr0_el1 = kL1;
            s.sctlr_el1 |= 1;
            s.x[31] = kRam + kRamSize - 16;
            cpus.back()->tlb_flush();
        }
    }
    ArmCpu& cpu(unsigned i = 0) { return *cpus[i]; }
    uint8_t* host(uint64_t pa) { return ram->host_ptr() + (pa - kRam); }
    void put(uint64_t pa, uint64_t v) { std::memcpy(host(pa), &v, 8); }
    uint64_t get(uint64_t pa) {
        uint64_t v;
        std::memcpy(&v, host(pa), 8);
        return v;
    }
    void load(uint64_t pa, const std::vector<uint32_t>& words) {
        std::memcpy(host(pa), words.data(), words.size() * 4);
    }
    // Fills the EL1 read entry of va; true if the TLB now holds it.
    bool fill(unsigned c, uint64_t va) {
        tcg::TlbEntry* e = nullptr;
        REQUIRE(cpu(c).tlb_fill(va, tcg::Access::Read, 1, 0, &e) == tcg::kStatusContinue);
        return cached(c, va);
    }
    bool cached(unsigned c, uint64_t va, unsigned idx = 1) {
        const tcg::TlbEntry& e = cpu(c).env()->tlb[idx][(va >> 12) & (tcg::kTlbSize - 1)];
        return e.addr_read == (va & tcg::kPageMask);
    }
    uint64_t run(unsigned c, uint64_t pc) {
        cpu(c).st().tcg.pc = pc;
        return cpu(c).exec();
    }
};

// Fails the whole run instead of hanging ctest when a deadlock happens.
struct Watchdog {
    std::promise<void> done;
    std::thread t;
    explicit Watchdog(int seconds) {
        t = std::thread([f = done.get_future(), seconds]() mutable {
            if (f.wait_for(std::chrono::seconds(seconds)) == std::future_status::timeout) {
                std::fprintf(stderr, "FAIL: deadlock (watchdog after %d s)\n", seconds);
                std::_Exit(1);
            }
        });
    }
    ~Watchdog() {
        done.set_value();
        t.join();
    }
};

}  // namespace

TEST_CASE("TLBI decode: EL1 forms, VA/ASID operands, Undefined encodings", "[arm][tlb]") {
    TlbiDecoded d;
    REQUIRE(decode_tlbi(op(0, 3, 1), 0x0005'0000'0004'0010ull, 0, false, &d));
    CHECK(d.kind == TlbiKind::VAE1);
    CHECK(d.shareable);
    CHECK_FALSE(d.op.all);
    CHECK(d.op.va == 0x4'0010'000ull);
    CHECK(d.op.len == 4096);
    // VA[55] set: the upper half, sign-extended; TG1 = 64K sets the range.
    uint64_t upper = 0xffffffffc0001000ull;
    REQUIRE(decode_tlbi(op(0, 7, 5), (upper >> 12) & ((1ull << 44) - 1), 3ull << 30, false, &d));
    CHECK(d.kind == TlbiKind::VALE1);
    CHECK_FALSE(d.shareable);
    CHECK(d.op.va == upper);
    CHECK(d.op.len == 65536);
    // ASIDE1: 8-bit ASIDs unless TCR.AS with 16-bit support.
    REQUIRE(decode_tlbi(op(0, 3, 2), 0x1234ull << 48, 0, false, &d));
    CHECK(d.op.all);
    CHECK(d.op.asid == 0x34);
    REQUIRE(decode_tlbi(op(0, 3, 2), 0x1234ull << 48, 0, true, &d));
    CHECK(d.op.asid == 0x1234);
    REQUIRE(decode_tlbi(op(0, 7, 0), 0, 0, false, &d));
    CHECK(d.kind == TlbiKind::VMALLE1);
    CHECK(d.op.asid == -1);
    CHECK(d.op.idx_mask == 3);
    // Undefined: EL2/EL3 operations, OS and range forms, unallocated op2.
    CHECK_FALSE(decode_tlbi(op(4, 3, 0), 0, 0, false, &d));  // ALLE2IS
    CHECK_FALSE(decode_tlbi(op(4, 7, 4), 0, 0, false, &d));  // ALLE1
    CHECK_FALSE(decode_tlbi(op(6, 7, 0), 0, 0, false, &d));  // ALLE3
    CHECK_FALSE(decode_tlbi(op(0, 1, 0), 0, 0, false, &d));  // VMALLE1OS
    CHECK_FALSE(decode_tlbi(op(0, 2, 1), 0, 0, false, &d));  // RVAE1IS
    CHECK_FALSE(decode_tlbi(op(0, 6, 1), 0, 0, false, &d));  // RVAE1
    CHECK_FALSE(decode_tlbi(op(0, 7, 4), 0, 0, false, &d));
    CHECK_FALSE(decode_tlbi(op(0, 3, 6), 0, 0, false, &d));
}

TEST_CASE("TLBI: an Undefined encoding raises Undefined at the instruction", "[arm][tlb]") {
    Machine m;
    ArmCpu& c = m.cpu();
    c.st().vbar_el1 = kRam + 0x10000;
    CHECK(tlbi(c, op(4, 7, 0), 0, kRam + 0x40) == tcg::kStatusException);  // ALLE2
    CHECK((c.st().esr_el1 >> 26) == 0);                                    // EC: unknown
    CHECK(c.st().elr_el1 == kRam + 0x40);
}

TEST_CASE("TLBI VAE1 drops that page only; a block mapping goes whole", "[arm][tlb]") {
    Machine m;
    ArmCpu& c = m.cpu();
    REQUIRE(m.fill(0, kPageVa));
    REQUIRE(m.fill(0, kPageVa + 0x1000));
    REQUIRE(tlbi(c, kVae1, kPageVa >> 12, 0) == tcg::kStatusContinue);
    CHECK_FALSE(m.cached(0, kPageVa));
    CHECK(m.cached(0, kPageVa + 0x1000));
    CHECK(c.tlb_stats().flush_page == 1);

    // Two pages of a 2 MiB block: an invalidation by any address in the
    // block must drop both (they are one architectural TLB entry).
    REQUIRE(m.fill(0, kBlockVa));
    REQUIRE(m.fill(0, kBlockVa + 0x50000));
    // A page outside the block leaves the block's entries alone.
    REQUIRE(tlbi(c, kVae1, (kPageVa + 0x1000) >> 12, 0) == tcg::kStatusContinue);
    CHECK_FALSE(m.cached(0, kPageVa + 0x1000));
    CHECK(m.cached(0, kBlockVa));
    CHECK(m.cached(0, kBlockVa + 0x50000));
    REQUIRE(tlbi(c, kVae1, (kBlockVa + 0x100000) >> 12, 0) == tcg::kStatusContinue);
    CHECK_FALSE(m.cached(0, kBlockVa));
    CHECK_FALSE(m.cached(0, kBlockVa + 0x50000));
    CHECK(c.tlb_stats().flush_idx == 1);
    // A full flush forgets the block: by-VA flushes are per page again.
    c.tlb_flush();
    REQUIRE(m.fill(0, kPageVa));
    REQUIRE(m.fill(0, kPageVa + 0x1000));
    REQUIRE(tlbi(c, kVae1, (kBlockVa + 0x100000) >> 12, 0) == tcg::kStatusContinue);
    CHECK(m.cached(0, kPageVa));
    CHECK(m.cached(0, kPageVa + 0x1000));
}

TEST_CASE("TLBI by VA: a 64K granule page is dropped in all its 4K pieces", "[arm][tlb]") {
    Machine m;
    ArmCpu& c = m.cpu();
    // No 64K tables here: the operation's extent comes from TCR.TG0 alone.
    REQUIRE(m.fill(0, kPageVa));
    REQUIRE(m.fill(0, kPageVa + 0xf000));
    REQUIRE(m.fill(0, kPageVa + 0x10000));
    c.st().tcr_el1 |= 1u << 14;  // TG0 = 64K (no flush: set directly)
    REQUIRE(tlbi(c, kVae1, (kPageVa + 0x4000) >> 12, 0) == tcg::kStatusContinue);
    CHECK_FALSE(m.cached(0, kPageVa));
    CHECK_FALSE(m.cached(0, kPageVa + 0xf000));
    CHECK(m.cached(0, kPageVa + 0x10000));
}

TEST_CASE("TLBI ASIDE1 skips ASIDs the TLB holds nothing of", "[arm][tlb]") {
    Machine m;
    ArmCpu& c = m.cpu();
    c.st().ttbr0_el1 = kL1 | 5ull << 48;
    c.tlb_flush();
    c.tlb_set_asid(c.current_asid());
    REQUIRE(m.fill(0, kPageVa));
    REQUIRE(tlbi(c, kAside1, 7ull << 48, 0) == tcg::kStatusContinue);
    CHECK(m.cached(0, kPageVa));
    CHECK(c.tlb_stats().flush_skipped == 1);
    REQUIRE(tlbi(c, kAside1, 5ull << 48, 0) == tcg::kStatusContinue);
    CHECK_FALSE(m.cached(0, kPageVa));
    REQUIRE(m.fill(0, kPageVa));
    REQUIRE(tlbi(c, kVmalle1, 0, 0) == tcg::kStatusContinue);
    CHECK_FALSE(m.cached(0, kPageVa));
}

TEST_CASE("TLBI VAE1 in guest code: the next access walks the new table", "[arm][tlb]") {
    Machine m;
    constexpr uint64_t kVa = 0x40020000, kOld = 0x40030000, kNew = 0x40031000;
    m.put(kOld, 0x01d);
    m.put(kNew, 0x2ee);
    uint64_t desc = kL3 + ((kVa >> 12) & 511) * 8;
    m.put(desc, kOld | kAttr | 3);
    m.load(kRam, {ldr(0, 1), str(4, 5), sys_tlbi(7, 1, 2), kDsbIsh, ldr(3, 1), kWfi});
    ArmCpuState& s = m.cpu().st();
    s.x[1] = kVa;
    s.x[2] = kVa >> 12;
    s.x[4] = kNew | kAttr | 3;
    s.x[5] = desc;
    CHECK(m.run(0, kRam) == tcg::kStatusHalt);
    CHECK(s.x[0] == 0x01d);
    CHECK(s.x[3] == 0x2ee);
}

TEST_CASE("TLBI VAE1IS: a vCPU outside exec() applies it before its next block", "[arm][tlb]") {
    Machine m(2);
    constexpr uint64_t kVa = 0x40020000, kOld = 0x40030000, kNew = 0x40031000;
    m.put(kOld, 1);
    m.put(kNew, 2);
    uint64_t desc = kL3 + ((kVa >> 12) & 511) * 8;
    m.put(desc, kOld | kAttr | 3);
    REQUIRE(m.fill(1, kVa));  // CPU1 caches the old mapping
    m.put(desc, kNew | kAttr | 3);
    m.load(kRam, {sys_tlbi(3, 1, 2), kDsbIsh, kWfi});
    m.load(kRam + 0x100, {ldr(3, 1), kWfi});
    m.cpu(0).st().x[2] = kVa >> 12;
    m.cpu(1).st().x[1] = kVa;
    {
        Watchdog w(60);
        CHECK(m.run(0, kRam) == tcg::kStatusHalt);  // no wait for a vCPU that is not running
        CHECK(m.run(1, kRam + 0x100) == tcg::kStatusHalt);
    }
    CHECK(m.cpu(1).st().x[3] == 2);
    CHECK(m.cpu(1).tlb_stats().remote_ops == 1);
    CHECK(m.cpu(0).tlb_stats().broadcasts == 1);
}

TEST_CASE("TLBI VAE1IS: a running vCPU has dropped the entry before the issuer goes on",
          "[arm][tlb]") {
    Machine m(2);
    constexpr uint64_t kVa = 0x40020000, kStarted = 0x40040000, kStop = 0x40041000;
    REQUIRE(m.fill(1, kVa));
    // CPU1: say it runs, then spin on the stop flag (never touching kVa).
    m.load(kRam + 0x100, {str(9, 10), ldr(7, 8), 0xb4ffffe7 /* cbz x7, .-4 */, kWfi});
    ArmCpuState& s1 = m.cpu(1).st();
    s1.x[8] = kStop;
    s1.x[9] = 1;
    s1.x[10] = kStarted;
    m.load(kRam, {sys_tlbi(3, 1, 2), kDsbIsh, kWfi});
    m.cpu(0).st().x[2] = kVa >> 12;
    Watchdog w(60);
    std::thread t([&] { m.run(1, kRam + 0x100); });
    while (!std::atomic_ref<uint64_t>(*reinterpret_cast<uint64_t*>(m.host(kStarted))).load())
        std::this_thread::yield();
    CHECK(m.run(0, kRam) == tcg::kStatusHalt);
    // The acknowledgement orders CPU1's flush before this point.
    CHECK_FALSE(m.cached(1, kVa));
    CHECK(m.cpu(0).tlb_stats().sync_waits >= 1);
    std::atomic_ref<uint64_t>(*reinterpret_cast<uint64_t*>(m.host(kStop))).store(1);
    t.join();
    CHECK(m.cpu(1).tlb_stats().remote_ops == 1);
}

TEST_CASE("TLBI VAE1IS/VMALLE1IS from two vCPUs at once: no deadlock", "[arm][tlb]") {
    Machine m(2);
    constexpr int kIters = 3000;
    // x11 iterations of: TLBI VAE1IS x2; TLBI VMALLE1IS (CPU1) / VAE1IS
    // (CPU0); DSB ISH; then WFI.
    m.load(kRam, {sys_tlbi(3, 1, 2), sys_tlbi(3, 1, 2), kDsbIsh, 0xd100056b /* sub x11, x11, #1 */,
                  0xb5ffff8b /* cbnz x11, .-16 */, kWfi});
    m.load(kRam + 0x100,
           {sys_tlbi(3, 1, 2), sys_tlbi(3, 0, 31), kDsbIsh, 0xd100056b, 0xb5ffff8b, kWfi});
    for (unsigned c = 0; c < 2; ++c) {
        m.cpu(c).st().x[2] = 0x40020;
        m.cpu(c).st().x[11] = kIters;
    }
    Watchdog w(120);
    uint64_t st1 = 0;
    std::thread t([&] { st1 = m.run(1, kRam + 0x100); });
    uint64_t st0 = m.run(0, kRam);
    t.join();
    CHECK(st0 == tcg::kStatusHalt);
    CHECK(st1 == tcg::kStatusHalt);
    CHECK(m.cpu(0).st().x[11] == 0);
    CHECK(m.cpu(1).st().x[11] == 0);
    CHECK(m.cpu(0).tlb_stats().broadcasts == 2 * kIters);
    CHECK(m.cpu(1).tlb_stats().broadcasts == 2 * kIters);
}

namespace {

constexpr uint32_t kTtbr0 = 0xc100, kTtbr1 = 0xc101;
constexpr uint32_t kVaae1 = op(0, 7, 3);

// TCR.A1 (the ASID is TTBR1's; TTBR1 walks stay disabled) and every
// descriptor non-global, as under a KPTI kernel.
void asid_setup(Machine& m, ArmCpu& c) {
    // Whatever the construction left pending (memory-map flushes) first.
    m.load(kRam + 0x7000, {kWfi});
    REQUIRE(m.run(0, kRam + 0x7000) == tcg::kStatusHalt);
    ArmCpuState& s = c.st();
    s.tcr_el1 |= 1u << 22;
    s.ttbr1_el1 = 2ull << 48;
    for (uint64_t i = 0; i < 512; ++i)
        m.put(kL3 + i * 8, m.get(kL3 + i * 8) | 1u << 11);
    for (uint64_t i = 1; i < 8; ++i)
        m.put(kL2 + i * 8, m.get(kL2 + i * 8) | 1u << 11);
    c.tlb_flush();
    c.tlb_set_asid(c.current_asid());
}

// A TTBR1 write that changes the table base and the ASID at once (KPTI's
// trampoline switch).
void switch_asid(ArmCpu& c, uint64_t asid) {
    ArmCpuState& s = c.st();
    uint64_t old = s.ttbr1_el1;
    s.ttbr1_el1 = (asid & 1 ? 0x1000 : 0x2000) | asid << 48;
    c.translation_reg_written(kTtbr1, old, s.ttbr1_el1);
}

}  // namespace

TEST_CASE("ASID switch: each ASID's entries come back (saved soft TLB, tagged second level)",
          "[arm][tlb]") {
    Machine m;
    ArmCpu& c = m.cpu();
    asid_setup(m, c);
    constexpr uint64_t kVa = 0x40020000, kOld = 0x40030000, kNew = 0x40031000;
    uint64_t desc = kL3 + ((kVa >> 12) & 511) * 8;
    m.put(desc, kOld | kAttr | 1u << 11 | 3);
    REQUIRE(m.fill(0, kVa));
    CHECK(c.iotlb_pa(kVa, 1) == kOld);
    const tcg::TlbStats before = c.tlb_stats();
    // ASID 3's tables map the page elsewhere (here: the same table,
    // changed without TLBI: ASID 2's entry may stay, as in hardware).
    m.put(desc, kNew | kAttr | 1u << 11 | 3);
    switch_asid(c, 3);
    CHECK(c.tlb_stats().asid_switches == before.asid_switches + 1);
    CHECK_FALSE(m.cached(0, kVa));
    REQUIRE(m.fill(0, kVa));
    CHECK(c.iotlb_pa(kVa, 1) == kNew);
    // Back to ASID 2: its soft TLB is loaded again, with its own mapping.
    switch_asid(c, 2);
    CHECK(c.tlb_stats().bank_hits == before.bank_hits + 1);
    CHECK(m.cached(0, kVa));
    CHECK(c.iotlb_pa(kVa, 1) == kOld);
    switch_asid(c, 3);
    CHECK(m.cached(0, kVa));
    CHECK(c.iotlb_pa(kVa, 1) == kNew);
    // More ASIDs than saved banks: ASID 2's bank goes, but the second
    // level still holds its translation (a walk would find kNew).
    for (uint64_t a = 4; a < 30; ++a)
        switch_asid(c, a);
    switch_asid(c, 2);
    CHECK_FALSE(m.cached(0, kVa));
    REQUIRE(m.fill(0, kVa));
    CHECK(c.iotlb_pa(kVa, 1) == kOld);
    CHECK(c.tlb_stats().flush_full == before.flush_full);
}

TEST_CASE("ASID switch: global entries stay, non-global ones are the new ASID's", "[arm][tlb]") {
    Machine m;
    ArmCpu& c = m.cpu();
    asid_setup(m, c);
    constexpr uint64_t kGlobal = 0x40020000, kNg = 0x40021000;
    uint64_t desc = kL3 + ((kGlobal >> 12) & 511) * 8;
    m.put(desc, m.get(desc) & ~(1ull << 11));
    REQUIRE(m.fill(0, kGlobal));
    REQUIRE(m.fill(0, kNg));
    switch_asid(c, 3);
    CHECK(m.cached(0, kGlobal));
    CHECK_FALSE(m.cached(0, kNg));
    // Back to a saved bank that lacks the global page: still there.
    c.tlb_flush_page(kGlobal);
    REQUIRE(m.fill(0, kGlobal));
    switch_asid(c, 2);
    CHECK(m.cached(0, kGlobal));
    CHECK(m.cached(0, kNg));
    // TLBI by VA of the global page reaches every copy.
    switch_asid(c, 3);
    REQUIRE(tlbi(c, kVaae1, kGlobal >> 12, 0) == tcg::kStatusContinue);
    CHECK_FALSE(m.cached(0, kGlobal));
    switch_asid(c, 2);
    CHECK_FALSE(m.cached(0, kGlobal));
    CHECK(m.cached(0, kNg));
}

TEST_CASE("TLBI reaches the entries of an ASID whose soft TLB is saved", "[arm][tlb]") {
    Machine m;
    ArmCpu& c = m.cpu();
    asid_setup(m, c);
    constexpr uint64_t kVa = 0x40020000, kOther = 0x40022000, kOld = 0x40030000, kNew = 0x40031000;
    uint64_t desc = kL3 + ((kVa >> 12) & 511) * 8;
    m.put(desc, kOld | kAttr | 1u << 11 | 3);
    REQUIRE(m.fill(0, kVa));
    REQUIRE(m.fill(0, kOther));
    switch_asid(c, 3);
    REQUIRE(m.fill(0, kVa));
    m.put(desc, kNew | kAttr | 1u << 11 | 3);
    uint32_t opc = 0;
    uint64_t xt = 0;
    bool other_kept = true;  // the operation leaves ASID 2's other page alone
    SECTION("ASIDE1 of the saved ASID") {
        opc = kAside1;
        xt = 2ull << 48;
        other_kept = false;
    }
    SECTION("VAE1 with the saved ASID") {
        opc = kVae1;
        xt = 2ull << 48 | kVa >> 12;
    }
    SECTION("VAAE1") {
        opc = kVaae1;
        xt = kVa >> 12;
    }
    SECTION("VMALLE1") {
        opc = kVmalle1;
        other_kept = false;
    }
    REQUIRE(tlbi(c, opc, xt, 0) == tcg::kStatusContinue);
    switch_asid(c, 2);
    CHECK_FALSE(m.cached(0, kVa));
    CHECK(m.cached(0, kOther) == other_kept);
    REQUIRE(m.fill(0, kVa));
    CHECK(c.iotlb_pa(kVa, 1) == kNew);
}

TEST_CASE("TLBI ASIDE1 of another ASID keeps the current one's entries", "[arm][tlb]") {
    Machine m;
    ArmCpu& c = m.cpu();
    asid_setup(m, c);
    REQUIRE(m.fill(0, kPageVa));
    switch_asid(c, 3);
    REQUIRE(m.fill(0, kPageVa));
    uint64_t skipped = c.tlb_stats().flush_skipped;
    REQUIRE(tlbi(c, kAside1, 2ull << 48, 0) == tcg::kStatusContinue);
    CHECK(m.cached(0, kPageVa));
    CHECK(c.tlb_stats().flush_skipped == skipped + 1);
    switch_asid(c, 2);
    CHECK_FALSE(m.cached(0, kPageVa));
}

TEST_CASE("A page becoming code write-protects the saved entries of other ASIDs", "[arm][tlb]") {
    Machine m;
    ArmCpu& c = m.cpu();
    asid_setup(m, c);
    constexpr uint64_t kCode = kRam + 0x5000;
    m.load(kCode, {kWfi});
    tcg::TlbEntry* e = nullptr;
    REQUIRE(c.tlb_fill(kCode, tcg::Access::Write, 1, 0, &e) == tcg::kStatusContinue);
    const tcg::TlbEntry& slot = c.env()->tlb[1][(kCode >> 12) & (tcg::kTlbSize - 1)];
    CHECK(slot.addr_write == kCode);  // the fast path: no code there yet
    switch_asid(c, 3);
    CHECK(m.run(0, kCode) == tcg::kStatusHalt);  // translates the page
    switch_asid(c, 2);
    REQUIRE((slot.addr_write & tcg::kPageMask) == kCode);
    CHECK((slot.addr_write & tcg::kTlbNotDirty) != 0);
    // The store through the restored entry invalidates the block: the
    // next run sees the new code (a store of x4 to itself, then WFI).
    m.load(kCode + 0x100, {str(4, 5), kWfi});
    ArmCpuState& s = c.st();
    s.x[4] = uint64_t(kWfi) << 32 | str(4, 5);  // overwrite with: str x4,[x5]; wfi
    s.x[5] = kCode;
    CHECK(m.run(0, kCode + 0x100) == tcg::kStatusHalt);
    switch_asid(c, 3);
    s.x[5] = kRam + 0x6000;
    s.x[4] = 0x1234;
    CHECK(m.run(0, kCode) == tcg::kStatusHalt);
    CHECK(m.get(kRam + 0x6000) == 0x1234);  // the new code ran
}

TEST_CASE("TTBR writes: an ASID change switches, a base change drops what it changes",
          "[arm][tlb]") {
    Machine m;
    ArmCpu& c = m.cpu();
    ArmCpuState& s = c.st();
    constexpr uint64_t kUpper = 0xffffff8040020000ull;   // T1SZ 25: same tables as 0x40020000
    s.tcr_el1 = 25 | 25u << 16 | 2ull << 30 | 1u << 22;  // TTBR1 4K, A1: ASID in TTBR1
    s.ttbr1_el1 = kL1 | 2ull << 48;
    c.tlb_flush();
    c.tlb_set_asid(c.current_asid());
    REQUIRE(m.fill(0, kPageVa));
    REQUIRE(m.fill(0, kUpper));
    const tcg::TlbStats before = c.tlb_stats();
    uint64_t old = s.ttbr0_el1;
    s.ttbr0_el1 = kL1 + 0x1000;  // another (here: bogus) user table, same ASID
    c.translation_reg_written(kTtbr0, old, s.ttbr0_el1);
    CHECK_FALSE(m.cached(0, kPageVa));
    CHECK(m.cached(0, kUpper));
    CHECK(c.tlb_stats().flush_lower == before.flush_lower + 1);
    s.ttbr0_el1 = old;
    c.translation_reg_written(kTtbr0, kL1 + 0x1000, old);
    REQUIRE(m.fill(0, kPageVa));
    // TTBR0's ASID field is not the ASID with A1: nothing happens.
    s.ttbr0_el1 = old | 7ull << 48;
    c.translation_reg_written(kTtbr0, old, s.ttbr0_el1);
    CHECK(m.cached(0, kPageVa));
    CHECK(c.tlb_asid() == 2);
    // ASID and base change at once: a switch, no flush.
    old = s.ttbr1_el1;
    s.ttbr1_el1 = (kL1 + 0x1000) | 3ull << 48;
    c.translation_reg_written(kTtbr1, old, s.ttbr1_el1);
    CHECK(c.tlb_asid() == 3);
    CHECK(c.tlb_stats().asid_switches == before.asid_switches + 1);
    CHECK(c.tlb_stats().flush_full == before.flush_full);
    // Global entries stay (these tables have no nG descriptors).
    CHECK(m.cached(0, kPageVa));
    CHECK(m.cached(0, kUpper));
    // A new TTBR1 table base with the same ASID: everything.
    old = s.ttbr1_el1;
    s.ttbr1_el1 = kL1 | 3ull << 48;
    c.translation_reg_written(kTtbr1, old, s.ttbr1_el1);
    CHECK_FALSE(m.cached(0, kUpper));
    CHECK(c.tlb_stats().flush_full == before.flush_full + 1);
    // TCR: everything, and the ASID follows A1.
    REQUIRE(m.fill(0, kUpper));
    old = s.tcr_el1;
    s.tcr_el1 &= ~(1ull << 22);
    c.translation_reg_written(0xc102, old, s.tcr_el1);
    CHECK_FALSE(m.cached(0, kUpper));
    CHECK(c.tlb_asid() == 7);
}

// The baseline tier's inline memory paths for unaligned and 16-byte
// accesses against the interpreter (and against RAM itself): inside a
// page (inline), crossing into the next page or into a faulting one,
// misaligned with the alignment check on, on a device, on a watched page
// and on a code page (the last three must leave the inline path).
#include <catch2/catch.hpp>
#include <cstring>
#include <functional>
#include <random>

#include "tcg/interp/interp.h"
#include "tcg/x86/baseline.h"
#include "test_world.h"

using namespace emu::tcg;
using namespace emu::tcg::test;

namespace {

constexpr uint64_t kWatchPage = kRamBase + 0x3000;

// Counts watchpoint checks on kWatchPage (reads and writes), and stops the
// block (as a debugger hit does) on a write to its first 16 bytes.
class WatchCpu : public TestCpu {
  public:
    using TestCpu::TestCpu;
    unsigned hits = 0;
    bool watch_page(uint64_t va_page, Access) override { return va_page == kWatchPage; }
    uint64_t check_watchpoint(uint64_t va, unsigned size, bool write, uint64_t pc) override {
        if (va < kWatchPage + 0x1000 && va + size > kWatchPage) ++hits;
        if (write && va < kWatchPage + 16 && va + size > kWatchPage) return kStatusExit;
        return kStatusContinue;
    }
};

struct Outcome {
    ExitInfo exit;
    World::Snapshot after;
    unsigned hits;
    std::vector<uint8_t> before;  // RAM before the block
};

struct Harness {
    World w;
    WatchCpu* watch;
    std::unique_ptr<BaselineCompiler> tier;
    std::mt19937_64 rng{5};

    Harness() {
        w.cpu.reset();
        auto c = std::make_unique<WatchCpu>(&w.env, w.as.get());
        watch = c.get();
        w.cpu = std::move(c);
        std::string err;
        tier = emu::tcg::x86::make_baseline(16u << 20, &err);
        REQUIRE(tier);
    }

    void randomize() {
        for (uint64_t& r : w.env.r)
            r = rng();
        w.env.tcg.pc = 0x1000;
        w.env.fault_va = w.env.fault_pc = w.env.fault_kind = w.env.faults = 0;
        uint8_t* ram = w.ram_ptr();
        for (uint64_t i = 0; i < kRamSize; i += 8) {
            uint64_t v = rng();
            std::memcpy(ram + i, &v, 8);
        }
        w.dev.log.clear();
        std::fill(std::begin(w.dev.regs), std::end(w.dev.regs), 0);
    }

    // Runs b under the interpreter and the baseline tier from the same
    // state (after `prepare`, which may edit the TLB) and checks they agree.
    std::pair<Outcome, Outcome> run(const Block& b,
                                    const std::function<void()>& prepare = nullptr) {
        std::string why, err;
        BaselineCompiler::Result res;
        CompiledFn fn = tier->compile(b, nullptr, &res, &why);
        INFO(why);
        REQUIRE(fn);
        InterpCode code;
        REQUIRE(interp_lower(b, &code, &err));
        randomize();
        World::Snapshot start = w.snapshot();
        w.cpu->tlb_flush();
        if (prepare) prepare();
        watch->hits = 0;
        Outcome oi{interp_run(code, &w.env), w.snapshot(), watch->hits, start.ram};
        w.restore(start);
        if (prepare) prepare();
        watch->hits = 0;
        Outcome ox{fn(&w.env), w.snapshot(), watch->hits, start.ram};
        CHECK(oi.exit.status == ox.exit.status);
        CHECK(oi.exit.slot == ox.exit.slot);
        CHECK(oi.hits == ox.hits);
        CHECK(oi.after.regs == ox.after.regs);
        CHECK(oi.after.pc == ox.after.pc);
        CHECK(oi.after.ram == ox.after.ram);
        CHECK(oi.after.mmio_log == ox.after.mmio_log);
        CHECK(oi.after.dev_regs == ox.after.dev_regs);
        return {oi, ox};
    }
};

unsigned log2_of(unsigned size) {
    return static_cast<unsigned>(__builtin_ctz(size));
}

// r[0..1] = load(src); store(dst, r[2..3] or a constant); the addresses
// are constants or computed in registers (the blocks are not optimised).
Block copy_block(uint64_t src, uint64_t dst, unsigned size, uint64_t flags, bool computed,
                 bool store_const = false) {
    Block b;
    b.guest_pc = 0x1000;
    Builder ir(&b);
    Type t = int_type_bytes(size);
    auto addr = [&](uint64_t a) {
        if (!computed) return ir.c64(a);
        // r[5] & 0 is 0 at run time; the emitter sees a register.
        Value zero = ir.and_(ir.get_reg(Type::I64, reg(5)), ir.c64(0));
        return ir.add(zero, ir.c64(a));
    };
    uint64_t mmu = 1;
    Value v = ir.load(t, addr(src), MemOp::make(log2_of(size), mmu, flags), 0x1004);
    ir.set_reg(reg(0), v);
    Value w;
    if (store_const) {
        w = size == 16 ? ir.c128(0x1122334455667788ull, 0x99aabbccddeeff00ull)
                       : ir.constant(t, 0x8877665544332211ull);
    } else {
        w = ir.get_reg(t, reg(2));
    }
    ir.store(addr(dst), w, MemOp::make(log2_of(size), mmu, flags), 0x1008);
    ir.exit_link(0x2000);
    return b;
}

uint64_t ram_off(uint64_t va) {
    return va - kRamBase;
}

}  // namespace

TEST_CASE("unaligned and 16-byte accesses inside a page read and write RAM", "[x86][mem]") {
    Harness h;
    for (unsigned size : {2u, 4u, 8u, 16u}) {
        for (unsigned off = 0; off < 16; ++off) {
            for (bool computed : {false, true}) {
                uint64_t src = kRamBase + 0x2100 + off, dst = kRamBase + 0x4200 + off;
                INFO("size " << size << " offset " << off << " computed " << computed);
                Block b = copy_block(src, dst, size, 0, computed);
                auto [oi, ox] = h.run(b);
                REQUIRE(ox.exit.status == kStatusContinue);
                // Against RAM itself: the loaded bytes are RAM's before
                // the block, the stored bytes are the register's.
                uint8_t want[16];
                std::memcpy(want, ox.before.data() + ram_off(src), size);
                CHECK(std::memcmp(want, &h.w.env.r[0], size) == 0);
                CHECK(std::memcmp(h.w.ram_ptr() + ram_off(dst), &h.w.env.r[2], size) == 0);
            }
        }
    }
}

TEST_CASE("16-byte stores of constants and unused 16-byte loads", "[x86][mem]") {
    Harness h;
    for (unsigned off : {0u, 3u, 8u, 13u}) {
        uint64_t dst = kRamBase + 0x4200 + off;
        Block b = copy_block(kRamBase + 0x100 + off, dst, 16, 0, off & 1, true);
        auto [oi, ox] = h.run(b);
        uint64_t got[2];
        std::memcpy(got, h.w.ram_ptr() + ram_off(dst), 16);
        CHECK(got[0] == 0x1122334455667788ull);
        CHECK(got[1] == 0x99aabbccddeeff00ull);
    }
    Block b;
    b.guest_pc = 0x1000;
    {
        Builder ir(&b);
        ir.load(Type::I128, ir.c64(kRamBase + 0x105), MemOp::make(4, 0), 0x1004);
        ir.load(Type::I128, ir.c64(kFaultPage + 0x105), MemOp::make(4, 0), 0x1008);
        ir.exit_link(0x2000);
    }
    auto [oi, ox] = h.run(b);
    CHECK(ox.exit.status == kStatusException);
    CHECK(h.w.env.fault_va == kFaultPage + 0x105);
}

TEST_CASE("accesses crossing a page boundary leave the inline path", "[x86][mem]") {
    Harness h;
    for (unsigned size : {2u, 4u, 8u, 16u}) {
        for (unsigned k = 1; k < size; ++k) {
            INFO("size " << size << " bytes before the boundary " << k);
            // RAM to RAM: the copy works across the boundary.
            uint64_t src = kRamBase + 0x2000 - k, dst = kRamBase + 0x5000 - k;
            auto [oi, ox] = h.run(copy_block(src, dst, size, 0, k & 1));
            REQUIRE(ox.exit.status == kStatusContinue);
            uint8_t want[16];
            std::memcpy(want, ox.before.data() + ram_off(src), size);
            CHECK(std::memcmp(want, &h.w.env.r[0], size) == 0);
            CHECK(std::memcmp(h.w.ram_ptr() + ram_off(dst), &h.w.env.r[2], size) == 0);

            // Into the faulting page: a fault at the boundary (for the
            // load) and no byte written (for the store).
            uint64_t bad = kFaultPage - k;
            auto [li, lx] = h.run(copy_block(bad, kRamBase + 0x100, size, 0, k & 1));
            CHECK(lx.exit.status == kStatusException);
            CHECK(h.w.env.faults == 1);
            auto [si, sx] = h.run(copy_block(kRamBase + 0x100, bad, size, 0, k & 1));
            CHECK(sx.exit.status == kStatusException);
            if (size == 16) {
                CHECK(std::memcmp(h.w.ram_ptr() + ram_off(bad), sx.before.data() + ram_off(bad),
                                  k) == 0);
            }
        }
    }
}

TEST_CASE("misaligned accesses with the alignment check fault", "[x86][mem]") {
    Harness h;
    for (unsigned size : {2u, 4u, 8u, 16u}) {
        for (unsigned off : {0u, 1u, size / 2}) {
            INFO("size " << size << " offset " << off);
            uint64_t src = kRamBase + 0x2100 + off;
            auto [oi, ox] = h.run(copy_block(src, kRamBase + 0x4200, size, MemOp::kAligned, true));
            if (off % size) {
                CHECK(ox.exit.status == kStatusException);
                CHECK(h.w.env.fault_va == src);
            } else {
                CHECK(ox.exit.status == kStatusContinue);
            }
        }
    }
}

TEST_CASE("16-byte device accesses reach the device, misaligned ones fault", "[x86][mem]") {
    Harness h;
    for (unsigned size : {2u, 4u, 8u, 16u}) {
        for (unsigned off : {0u, 1u, 6u}) {
            INFO("size " << size << " offset " << off);
            uint64_t dev = kMmioBase + 0x40 + off;
            auto [oi, ox] = h.run(copy_block(dev, dev + 0x100, size, 0, off & 1));
            if (off % size) {
                // Device memory: a misaligned access is an alignment fault.
                CHECK(ox.exit.status == kStatusException);
                CHECK(h.w.env.fault_va == dev);
                CHECK(ox.after.mmio_log.empty());
            } else {
                CHECK(ox.exit.status == kStatusContinue);
                CHECK(ox.after.mmio_log.size() == (size == 16 ? 4u : 2u));
            }
        }
    }
}

TEST_CASE("watched pages take the slow path for every size and alignment", "[x86][mem]") {
    Harness h;
    for (unsigned size : {1u, 2u, 4u, 8u, 16u}) {
        for (unsigned off : {0u, 3u, 8u}) {
            INFO("size " << size << " offset " << off);
            // Read the watched page, write elsewhere in it (not the
            // stopping range): two checks.
            uint64_t src = kWatchPage + 0x200 + off, dst = kWatchPage + 0x400 + off;
            auto [oi, ox] = h.run(copy_block(src, dst, size, 0, off & 1));
            CHECK(ox.exit.status == kStatusContinue);
            CHECK(ox.hits >= 2);  // a 16-byte slow path checks each half
            // A write the watchpoint stops: memory untouched.
            uint64_t stop = kWatchPage + (off & 7);
            auto [si, sx] = h.run(copy_block(kRamBase + 0x100, stop, size, 0, off & 1));
            CHECK(sx.exit.status == kStatusExit);
            CHECK(sx.hits == 1);
            CHECK(std::memcmp(h.w.ram_ptr() + ram_off(stop), sx.before.data() + ram_off(stop),
                              size) == 0);
        }
    }
}

TEST_CASE("stores to a code page (not-dirty tag) take the slow path", "[x86][mem]") {
    Harness h;
    uint64_t page = kRamBase + 0x6000;
    for (unsigned size : {2u, 4u, 8u, 16u}) {
        for (unsigned off : {0u, 5u}) {
            INFO("size " << size << " offset " << off);
            uint64_t dst = page + 0x10 + off;
            // As Cpu::mark_code_page does for a page with translations:
            // the write tag of the (filled) entry carries the flag.
            auto mark = [&] {
                TlbEntry* e = nullptr;
                REQUIRE(h.w.cpu->tlb_fill(dst, Access::Write, 1, 0, &e) == kStatusContinue);
                e->addr_write |= kTlbNotDirty;
            };
            auto [oi, ox] = h.run(copy_block(kRamBase + 0x100, dst, size, 0, off & 1), mark);
            CHECK(ox.exit.status == kStatusContinue);
            CHECK(std::memcmp(h.w.ram_ptr() + ram_off(dst), &h.w.env.r[2], size) == 0);
        }
    }
}

namespace {
// r0 = LoadExcl(a); [optionally a plain store of r6 to a]; r1 = StoreExcl(a,
// r2); r3 = StoreExcl(a, r4) (the monitor is closed by then).
Block llsc_block(uint64_t a, unsigned size, bool intervene, bool computed) {
    Block b;
    b.guest_pc = 0x1000;
    Builder ir(&b);
    Type t = int_type_bytes(size);
    auto addr = [&] {
        if (!computed) return ir.c64(a);
        Value zero = ir.and_(ir.get_reg(Type::I64, reg(5)), ir.c64(0));
        return ir.add(zero, ir.c64(a));
    };
    uint64_t m = MemOp::make(log2_of(size), 1, MemOp::kAligned);
    ir.set_reg(reg(0), ir.emit(Op::LoadExcl, t, {addr()}, m, 0x1000));
    if (intervene) ir.store(addr(), ir.get_reg(t, reg(6)), m, 0x1004);
    ir.set_reg(reg(1),
               ir.emit(Op::StoreExcl, Type::I32, {addr(), ir.get_reg(t, reg(2))}, m, 0x1008));
    ir.set_reg(reg(3), ir.emit(Op::StoreExcl, Type::I32,
                               {addr(), ir.c64(0x5a5a5a5a5a5a5a5aull &
                                               (size == 8 ? ~0ull : (1ull << (8 * size)) - 1))},
                               m, 0x100c));
    ir.exit_link(0x2000);
    return b;
}
}  // namespace

TEST_CASE("exclusive pairs on RAM, devices, watched pages and misaligned addresses", "[x86][mem]") {
    Harness h;
    for (unsigned size : {1u, 2u, 4u, 8u}) {
        for (bool computed : {false, true}) {
            INFO("size " << size << " computed " << computed);
            uint64_t a = kRamBase + 0x2400;
            auto [oi, ox] = h.run(llsc_block(a, size, false, computed));
            REQUIRE(ox.exit.status == kStatusContinue);
            uint64_t mask = size == 8 ? ~0ull : (1ull << (8 * size)) - 1;
            uint64_t before = 0, now = 0;
            std::memcpy(&before, ox.before.data() + ram_off(a), size);
            std::memcpy(&now, h.w.ram_ptr() + ram_off(a), size);
            // SetReg of a narrow value writes only its low bytes.
            CHECK((h.w.env.r[0] & mask) == before);
            CHECK(uint32_t(h.w.env.r[1]) == 0);  // stored
            CHECK(uint32_t(h.w.env.r[3]) == 1);  // monitor closed by the first store
            CHECK(now == (h.w.env.r[2] & mask));
            CHECK(h.w.env.tcg.excl_addr == kTlbInvalid);

            // A store in between that changes the value: the pair fails
            // (the monitor compares the value, as the helper does).
            auto [pi, px] = h.run(llsc_block(a, size, true, computed));
            uint64_t b0 = 0;
            std::memcpy(&b0, px.before.data() + ram_off(a), size);
            if ((h.w.env.r[6] & mask) != b0) CHECK(uint32_t(h.w.env.r[1]) == 1);

            h.run(llsc_block(a + 1, size == 1 ? 1 : size, false, computed));  // misaligned
            if (size > 1) CHECK(h.w.env.faults == 1);
            auto [di, dx] = h.run(llsc_block(kMmioBase + 0x80, size, false, computed));
            CHECK_FALSE(dx.after.mmio_log.empty());
            auto [wi, wx] = h.run(llsc_block(kWatchPage + 0x80, size, false, computed));
            CHECK(wx.hits >= 2);
        }
    }
}

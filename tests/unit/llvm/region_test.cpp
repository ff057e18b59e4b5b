// Regions (tcg/exec/region.cpp, tcg/llvm lower_region): loops of several
// blocks run as one LLVM function under tier=auto. Each program runs twice
// on a fresh machine per tier: a short first pass warms the loop up (under
// tier=auto its head gets hot and the region is compiled, then the test
// waits for the compile service), the second pass is the one compared with
// the interpreter: registers, exception state and memory must agree.
#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <functional>
#include <memory>
#include <sstream>
#include <thread>
#include <vector>

#include <unistd.h>

#include "hw/core/address_space.h"
#include "hw/core/memory_region.h"
#include "target/arm/arm_cpu.h"
#include "tcg/llvm/llvm_tier.h"
#include "util/log.h"

using namespace emu;
using namespace emu::tcg;

namespace {

constexpr uint64_t kRam = 0x40000000;
constexpr uint64_t kRamBytes = 1 << 20;
constexpr uint64_t kVectors = kRam + 0x1000;  // VBAR_EL1; a WFI at the sync vector
constexpr uint64_t kData = kRam + 0x10000;    // another page than the code
constexpr uint64_t kBad = 0x100;              // nothing mapped: external abort

struct Machine {
    std::unique_ptr<MemoryRegion> root = MemoryRegion::container("system", ~0ull);
    std::unique_ptr<MemoryRegion> ram = MemoryRegion::ram("ram", kRamBytes);
    std::unique_ptr<AddressSpace> as;
    std::unique_ptr<arm::ArmCpu> cpu;

    Machine(TierMode tier, uint32_t hot) {
        root->add_subregion(kRam, ram.get());
        as = std::make_unique<AddressSpace>("memory", root.get());
        arm::ArmCpuConfig cfg;
        cfg.memory = as.get();
        cfg.model = "max";
        ExecOptions opts;
        opts.tier = tier;
        opts.hot_threshold = hot;
        std::unique_ptr<TierCompiler> compiler;
        std::string err;
        if (tier != TierMode::Interp) {
            compiler = make_llvm_tier(&err);
            REQUIRE(compiler);
        }
        cpu = std::make_unique<arm::ArmCpu>(cfg, opts, std::move(compiler));
        cpu->st().vbar_el1 = kVectors;
        cpu->st().x[31] = kRam + kRamBytes - 16;
        store32(kVectors + 0x200, 0xd503207f);  // wfi
    }
    uint8_t* host(uint64_t gpa) { return ram->host_ptr() + (gpa - kRam); }
    void store32(uint64_t a, uint32_t v) { std::memcpy(host(a), &v, 4); }
    void store64(uint64_t a, uint64_t v) { std::memcpy(host(a), &v, 8); }
    uint64_t load64(uint64_t a) {
        uint64_t v;
        std::memcpy(&v, host(a), 8);
        return v;
    }
    uint64_t run(uint64_t pc) {
        cpu->st().tcg.pc = pc;
        return cpu->exec();
    }
};

struct Outcome {
    uint64_t status;
    std::array<uint64_t, 31> x;
    uint64_t pc, esr, far, elr, data0;
    bool operator==(const Outcome&) const = default;
};

std::shared_ptr<LlvmTier> service() {
    std::string err;
    auto t = shared_llvm_tier(&err);
    REQUIRE(t);
    return t;
}

// Sets the registers for a pass (warm: the first one).
using Setup = std::function<void(Machine&, bool warm)>;

struct Result {
    Outcome out;
    uint64_t regions = 0;       // compiled for this machine
    uint64_t region_insns = 0;  // guest insns run inside LLVM code in the second pass
    uint64_t invalidated = 0;
};

Result run_twice(TierMode tier, const std::vector<uint32_t>& code, const Setup& setup) {
    Machine m(tier, 50);
    for (size_t i = 0; i < code.size(); ++i)
        m.store32(kRam + 4 * i, code[i]);
    setup(m, true);
    REQUIRE(m.run(kRam) == kStatusHalt);
    uint64_t before = 0;
    if (tier != TierMode::Interp) {
        service()->drain();
        before = service()->stats().unseen_insns;
    }
    setup(m, false);
    Result r;
    r.out.status = m.run(kRam);
    const arm::ArmCpuState& s = m.cpu->st();
    std::copy(s.x, s.x + 31, r.out.x.begin());
    r.out.pc = s.tcg.pc;
    r.out.esr = s.esr_el1;
    r.out.far = s.far_el1;
    r.out.elr = s.elr_el1;
    r.out.data0 = m.load64(kData);
    r.regions = m.cpu->stats().regions_compiled;
    r.invalidated = m.cpu->stats().blocks_invalidated;
    if (tier != TierMode::Interp) r.region_insns = service()->stats().unseen_insns - before;
    return r;
}

void check_same(const Result& interp, const Result& tiered) {
    CHECK(interp.out.status == tiered.out.status);
    for (unsigned i = 0; i < 31; ++i) {
        INFO("x" << i);
        CHECK(interp.out.x[i] == tiered.out.x[i]);
    }
    CHECK(interp.out.pc == tiered.out.pc);
    CHECK(interp.out.esr == tiered.out.esr);
    CHECK(interp.out.far == tiered.out.far);
    CHECK(interp.out.elr == tiered.out.elr);
    CHECK(interp.out.data0 == tiered.out.data0);
}

// x0 iterations; odd x0: x1 += [x6] + x0 where x6 = x3 (unmapped) when
// x0 == x2 else x7; even x0: x1 ^= x0 << 1, += 3 when bit 1 is set; the
// sum is stored at [x4] each time round.
const std::vector<uint32_t> kIfElse = {
    0xd1000400,  // 0x00 loop: sub x0, x0, #1
    0x360000e0,  // 0x04 tbz w0, #0, even
    0xeb02001f,  // 0x08 odd: cmp x0, x2
    0x9a870066,  // 0x0c csel x6, x3, x7, eq
    0xf94000c5,  // 0x10 ldr x5, [x6]
    0x8b050021,  // 0x14 add x1, x1, x5
    0x8b000021,  // 0x18 add x1, x1, x0
    0x14000004,  // 0x1c b join
    0xca000421,  // 0x20 even: eor x1, x1, x0, lsl #1
    0x36080040,  // 0x24 tbz w0, #1, join
    0x91000c21,  // 0x28 add x1, x1, #3
    0xf9000081,  // 0x2c join: str x1, [x4]
    0xb5fffe80,  // 0x30 cbnz x0, loop
    0xd503207f,  // 0x34 wfi
    0x14000000,  // 0x38 b .
};

uint64_t if_else_reference(uint64_t n, uint64_t loaded) {
    uint64_t x0 = n, x1 = 0;
    do {
        --x0;
        if (x0 & 1) {
            x1 += loaded + x0;
        } else {
            x1 ^= x0 << 1;
            if (x0 & 2) x1 += 3;
        }
    } while (x0);
    return x1;
}

void if_else_setup(Machine& m, uint64_t n, uint64_t fault_at) {
    arm::ArmCpuState& s = m.cpu->st();
    s.x[0] = n;
    s.x[1] = 0;
    s.x[2] = fault_at;
    s.x[3] = kBad;
    s.x[4] = kData;
    s.x[7] = kData + 8;
    m.store64(kData + 8, 5);
}

}  // namespace

TEST_CASE("a loop with an if/else runs as one region and matches the interpreter",
          "[llvm][region]") {
    Setup setup = [](Machine& m, bool warm) { if_else_setup(m, warm ? 1000 : 100000, ~0ull); };
    Result interp = run_twice(TierMode::Interp, kIfElse, setup);
    Result tiered = run_twice(TierMode::Auto, kIfElse, setup);
    check_same(interp, tiered);
    CHECK(interp.out.x[1] == if_else_reference(100000, 5));
    CHECK(tiered.regions >= 1);
    // Most of the second pass ran inside the region.
    CHECK(tiered.region_insns > 100000 * 4);
}

TEST_CASE("an exception in a non-entry member of a region is precise", "[llvm][region]") {
    // The load in the odd branch (not the loop's head) faults at x0 == 777.
    Setup setup = [](Machine& m, bool warm) {
        if_else_setup(m, warm ? 1000 : 100000, warm ? ~0ull : 777);
    };
    Result interp = run_twice(TierMode::Interp, kIfElse, setup);
    Result tiered = run_twice(TierMode::Auto, kIfElse, setup);
    check_same(interp, tiered);
    CHECK(interp.out.elr == kRam + 0x10);  // the load
    CHECK(interp.out.far == kBad);
    CHECK(interp.out.x[0] == 777);
    CHECK(tiered.regions >= 1);
}

TEST_CASE("a loop with a call and return on its page runs as one region", "[llvm][region]") {
    const std::vector<uint32_t> code = {
        0xd1000400,  // 0x00 loop: sub x0, x0, #1
        0x94000005,  // 0x04 bl func
        0x91001c21,  // 0x08 add x1, x1, #7
        0xb5ffffa0,  // 0x0c cbnz x0, loop
        0xd503207f,  // 0x10 wfi
        0x14000000,  // 0x14 b .
        0xca000021,  // 0x18 func: eor x1, x1, x0
        0x36100040,  // 0x1c tbz w0, #2, 1f
        0x8b000c21,  // 0x20 add x1, x1, x0, lsl #3
        0xd65f03c0,  // 0x24 1: ret
    };
    Setup setup = [](Machine& m, bool warm) {
        m.cpu->st().x[0] = warm ? 1000 : 100000;
        m.cpu->st().x[1] = 0;
    };
    Result interp = run_twice(TierMode::Interp, code, setup);
    Result tiered = run_twice(TierMode::Auto, code, setup);
    check_same(interp, tiered);
    CHECK(tiered.regions >= 1);
    CHECK(tiered.region_insns > 100000 * 4);
}

TEST_CASE("a store to a member's code page stops the region and the new code runs",
          "[llvm][region]") {
    // The odd branch stores a word each time round: to scratch data, and at
    // x0 == 5001 over the even branch's `add x1, x1, #3` (now #5), while
    // the region runs.
    const std::vector<uint32_t> code = {
        0xd1000400,  // 0x00 loop: sub x0, x0, #1
        0x360000c0,  // 0x04 tbz w0, #0, even
        0x8b000021,  // 0x08 odd: add x1, x1, x0
        0xeb08001f,  // 0x0c cmp x0, x8
        0x9a8d014c,  // 0x10 csel x12, x10, x13, eq
        0xb9000189,  // 0x14 str w9, [x12]
        0x14000003,  // 0x18 b join
        0x91000c21,  // 0x1c even: add x1, x1, #3
        0xca000021,  // 0x20 eor x1, x1, x0
        0xb5fffee0,  // 0x24 join: cbnz x0, loop
        0xd503207f,  // 0x28 wfi
        0x14000000,  // 0x2c b .
    };
    Setup setup = [](Machine& m, bool warm) {
        arm::ArmCpuState& s = m.cpu->st();
        s.x[0] = warm ? 1000 : 100000;
        s.x[1] = 0;
        s.x[8] = warm ? ~0ull : 5001;
        s.x[9] = 0x91001421;  // add x1, x1, #5
        s.x[10] = kRam + 0x1c;
        s.x[13] = kData + 0x100;
    };
    Result interp = run_twice(TierMode::Interp, code, setup);
    Result tiered = run_twice(TierMode::Auto, code, setup);
    check_same(interp, tiered);
    CHECK(tiered.regions >= 1);
    CHECK(tiered.invalidated >= 1);
    // The patch made a difference: the result is not the unpatched one.
    uint64_t x1 = 0;
    for (uint64_t x0 = 100000; x0--;) {
        if (x0 & 1) {
            x1 += x0;
        } else {
            x1 = (x1 + 3) ^ x0;
        }
        if (!x0) break;
    }
    CHECK(interp.out.x[1] != x1);
}

TEST_CASE("a kick stops a long-running region at a block boundary", "[llvm][region]") {
    Machine m(TierMode::Auto, 50);
    for (size_t i = 0; i < kIfElse.size(); ++i)
        m.store32(kRam + 4 * i, kIfElse[i]);
    if_else_setup(m, 1000, ~0ull);
    REQUIRE(m.run(kRam) == kStatusHalt);
    service()->drain();
    REQUIRE(m.cpu->stats().regions_compiled >= 1);

    constexpr uint64_t n = 40'000'000;
    if_else_setup(m, n, ~0ull);
    std::thread kicker([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        m.cpu->request(kRequestKick);
    });
    uint64_t st = m.run(kRam);
    kicker.join();
    m.cpu->env()->exit_request.fetch_and(~uint32_t(kRequestKick));
    if (st == kStatusKicked) {
        // Stopped between blocks, at the start of one of the loop's blocks.
        uint64_t pc = m.cpu->st().tcg.pc;
        CHECK(pc >= kRam);
        CHECK(pc <= kRam + 0x30);
        CHECK(m.cpu->st().x[0] < n);
        // Whatever state it stopped in, carrying on gives the full result.
        st = m.cpu->exec();
    }
    REQUIRE(st == kStatusHalt);
    CHECK(m.cpu->st().x[1] == if_else_reference(n, 5));
    CHECK(m.load64(kData) == m.cpu->st().x[1]);
}

TEST_CASE("out_asm under tier=auto logs a region's LLVM code once it is installed",
          "[llvm][region]") {
    // The compile is asynchronous: logged when the block went to the
    // compiler, the code was not there yet (an empty listing).
    char path[] = "/tmp/emu-out-asm-XXXXXX";
    int fd = mkstemp(path);
    REQUIRE(fd >= 0);
    close(fd);
    std::string err;
    REQUIRE(log_set_file(path, &err));
    uint32_t saved = g_log_mask.load();
    g_log_mask.store(saved | LOG_OUT_ASM);
    Setup setup = [](Machine& m, bool warm) { if_else_setup(m, warm ? 1000 : 100000, ~0ull); };
    Result tiered = run_twice(TierMode::Auto, kIfElse, setup);
    g_log_mask.store(saved);
    log_set_file("", &err);
    std::ifstream f(path);
    std::stringstream ss;
    ss << f.rdbuf();
    std::string log = ss.str();
    std::remove(path);
    REQUIRE(tiered.regions >= 1);
    size_t at = log.find("OUT: [llvm] pc 0x");
    REQUIRE(at != std::string::npos);
    size_t end = log.find("OUT: [", at + 1);
    std::string listing = log.substr(at, end == std::string::npos ? std::string::npos : end - at);
    INFO(listing);
    size_t body = listing.find("body:");
    REQUIRE(body != std::string::npos);
    // The region's host code: many instructions, not an empty listing.
    CHECK(std::count(listing.begin() + body, listing.end(), '\n') > 20);
}

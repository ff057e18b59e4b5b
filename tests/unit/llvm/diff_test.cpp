// Interpreter vs LLVM on random valid blocks over a world with RAM, a
// device, a hole and a faulting page: same exit, same env, same memory,
// same device accesses in the same order.
#include <catch2/catch.hpp>
#include <random>

#include "random_block.h"
#include "tcg/interp/interp.h"
#include "tcg/llvm/llvm_tier.h"
#include "tcg/opt/passes.h"
#include "test_world.h"

using namespace emu::tcg;
using namespace emu::tcg::test;

namespace {

void randomize(World& w, std::mt19937_64& rng) {
    for (uint64_t& r : w.env.r)
        r = rng();
    for (uint8_t& b : w.env.b)
        b = rng() & 1;
    w.env.tcg.pc = 0x1000;
    w.env.tcg.excl_addr = (rng() & 1) ? kTlbInvalid : kRamBase + (rng() & 0x7ff8);
    w.env.tcg.excl_val[0] = rng();
    w.env.tcg.excl_val[1] = 0;
    uint8_t* ram = w.ram_ptr();
    for (uint64_t i = 0; i < kRamSize; i += 8) {
        uint64_t v = rng();
        std::memcpy(ram + i, &v, 8);
    }
    w.dev.log.clear();
    std::fill(std::begin(w.dev.regs), std::end(w.dev.regs), 0);
}

std::string diff(const World::Snapshot& a, const World::Snapshot& b) {
    std::ostringstream os;
    for (size_t i = 0; i < a.regs.size(); ++i) {
        if (a.regs[i] != b.regs[i]) {
            os << "env byte +" << i << " (r[" << i / 8 << "]): interp 0x" << std::hex
               << int(a.regs[i]) << " llvm 0x" << int(b.regs[i]) << std::dec << "\n";
        }
    }
    if (a.pc != b.pc) os << "pc: interp 0x" << std::hex << a.pc << " llvm 0x" << b.pc << "\n";
    if (a.excl_addr != b.excl_addr || a.excl_val0 != b.excl_val0) os << "exclusive monitor\n";
    for (size_t i = 0; i < a.ram.size(); ++i) {
        if (a.ram[i] != b.ram[i]) os << "ram +0x" << std::hex << i << std::dec << "\n";
    }
    if (a.mmio_log != b.mmio_log || a.dev_regs != b.dev_regs) os << "device accesses\n";
    return os.str();
}

}  // namespace

TEST_CASE("interpreter and LLVM agree on random blocks", "[llvm][diff]") {
    const TestHelpers& helpers = TestHelpers::get();
    (void)helpers;
    std::string err;
    LlvmTierOptions o;
    auto tier = LlvmTier::create(o, &err);
    REQUIRE(tier);
    std::mt19937_64 rng(20261121);
    constexpr unsigned kBlocks = 400;
    std::vector<Block> blocks;
    for (unsigned i = 0; i < kBlocks; ++i) {
        RandomBlockOptions ro;
        ro.ops = 10 + static_cast<unsigned>(rng() % 60);
        ro.faults = i % 4 != 0;
        Block b = random_block(rng, ro);
        REQUIRE(verify(b) == "");
        // Half go through the optimiser first, as translated blocks do.
        if (i % 2) REQUIRE(optimize(b) == "");
        blocks.push_back(std::move(b));
    }
    std::vector<CompiledFn> fns(kBlocks, nullptr);
    for (unsigned i = 0; i < kBlocks; ++i) {
        tier->submit(blocks[i], [&fns, i](CompiledFn fn) { fns[i] = fn; });
    }
    tier->drain();

    World w;
    unsigned faulted = 0, mmio = 0;
    for (unsigned i = 0; i < kBlocks; ++i) {
        INFO("block " << i << "\n" << print_block(blocks[i]));
        REQUIRE(fns[i]);
        InterpCode code;
        REQUIRE(interp_lower(blocks[i], &code, &err));
        for (unsigned run = 0; run < 3; ++run) {
            randomize(w, rng);
            w.cpu->tlb_flush();
            World::Snapshot start = w.snapshot();
            ExitInfo ei = interp_run(code, &w.env);
            World::Snapshot after_interp = w.snapshot();
            w.restore(start);
            ExitInfo el = fns[i](&w.env);
            World::Snapshot after_llvm = w.snapshot();
            CHECK(ei.status == el.status);
            CHECK(ei.slot == el.slot);
            bool same = after_interp == after_llvm;
            INFO(diff(after_interp, after_llvm));
            CHECK(same);
            if (ei.status != kStatusContinue) ++faulted;
            if (!after_interp.mmio_log.empty()) ++mmio;
        }
    }
    // The generator reached the interesting paths.
    CHECK(faulted > 20);
    CHECK(mmio > 20);
    LlvmTierStats st = tier->stats();
    CHECK(st.compiled == kBlocks);
    CHECK(st.modules < kBlocks);  // batched
}

TEST_CASE("a self-looping block loops inside compiled code and honours exit_request",
          "[llvm][diff]") {
    // r0 counts down; r1 accumulates; the block branches back to itself
    // while r0 != 0.
    Block b;
    b.guest_pc = 0x1000;
    Builder ir(&b);
    Value n = ir.get_reg(Type::I64, reg(0));
    Value acc = ir.get_reg(Type::I64, reg(1));
    ir.set_reg(reg(1), ir.add(acc, ir.mul(n, n)));
    Value n1 = ir.sub(n, ir.c64(1));
    ir.set_reg(reg(0), n1);
    ir.exit_cond(ir.cmp(Op::Ne, n1, ir.c64(0)), 0x1000, 0x2000);
    REQUIRE(verify(b) == "");

    std::string err;
    LlvmTierOptions o;
    o.self_loops = true;
    auto tier = LlvmTier::create(o, &err);
    REQUIRE(tier);
    CompiledFn fn = tier->compile_sync(b, &err);
    REQUIRE(fn);

    TestEnv env{};
    env.r[0] = 1000;
    ExitInfo e = fn(&env);
    CHECK(e.status == kStatusContinue);
    CHECK(e.slot == 1);
    CHECK(env.tcg.pc == 0x2000);
    CHECK(env.r[0] == 0);
    uint64_t want = 0;
    for (uint64_t k = 1; k <= 1000; ++k)
        want += k * k;
    CHECK(env.r[1] == want);

    // A pending request stops the loop after one iteration, unchained.
    env.r[0] = 1000;
    env.r[1] = 0;
    env.tcg.exit_request.store(kRequestInterrupt);
    e = fn(&env);
    CHECK(e.status == kStatusContinue);
    CHECK(e.slot == kExitSlotNone);
    CHECK(env.tcg.pc == 0x1000);
    CHECK(env.r[0] == 999);
    CHECK(env.r[1] == 1000 * 1000);

    // Without self loops the same block returns after each iteration.
    o.self_loops = false;
    auto plain = LlvmTier::create(o, &err);
    REQUIRE(plain);
    CompiledFn fn2 = plain->compile_sync(b, &err);
    REQUIRE(fn2);
    env.tcg.exit_request.store(0);
    env.r[0] = 5;
    env.r[1] = 0;
    e = fn2(&env);
    CHECK(e.slot == 0);
    CHECK(env.tcg.pc == 0x1000);
    CHECK(env.r[0] == 4);
    // A chainable exit with a request pending is returned unchained.
    env.tcg.exit_request.store(kRequestKick);
    e = fn2(&env);
    CHECK(e.slot == kExitSlotNone);
    CHECK(env.tcg.pc == 0x1000);
}

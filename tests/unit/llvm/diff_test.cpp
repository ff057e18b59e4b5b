// Interpreter vs LLVM on random valid blocks over a world with RAM, a
// device, a hole and a faulting page: same exit, same env, same memory,
// same device accesses in the same order.
#include <catch2/catch.hpp>
#include <random>

#include "chain_pair.h"
#include "random_block.h"
#include "tcg/interp/interp.h"
#include "tcg/llvm/llvm_tier.h"
#include "tcg/opt/passes.h"
#include "test_world.h"
#include "world_diff.h"

using namespace emu::tcg;
using namespace emu::tcg::test;

namespace {

ExitInfo not_compiled_fn(void*) {
    return {0, 0};
}

// Every block through the tier's batched background compiles.
std::vector<CompiledFn> compile_all(LlvmTier& tier, const std::vector<Block>& blocks) {
    std::vector<CompiledFn> fns(blocks.size(), nullptr);
    for (size_t i = 0; i < blocks.size(); ++i) {
        tier.submit(blocks[i], [&fns, i](CompiledFn fn) { fns[i] = fn; });
    }
    tier.drain();
    return fns;
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
    std::vector<Block> blocks = random_diff_blocks(rng, kBlocks, DiffMix::Straight, 60, &err);
    REQUIRE(err == "");
    std::vector<CompiledFn> fns = compile_all(*tier, blocks);

    World w;
    unsigned faulted = 0, mmio = 0;
    for (unsigned i = 0; i < kBlocks; ++i) {
        INFO("block " << i << "\n" << print_block(blocks[i]));
        REQUIRE(fns[i]);
        InterpCode code;
        REQUIRE(interp_lower(blocks[i], &code, &err));
        for (unsigned run = 0; run < 3; ++run) {
            randomize_world(w, rng);
            DiffRun r = run_interp_and_tier(w, code, fns[i]);
            INFO(r.diff("llvm"));
            CHECK(r.same_exit());
            CHECK(r.same_world());
            if (r.interp.status != kStatusContinue) ++faulted;
            if (!r.after_interp.mmio_log.empty()) ++mmio;
        }
    }
    // The generator reached the interesting paths.
    CHECK(faulted > 20);
    CHECK(mmio > 20);
    LlvmTierStats st = tier->stats();
    CHECK(st.compiled == kBlocks);
    CHECK(st.modules < kBlocks);  // batched
}

TEST_CASE("interpreter and LLVM agree on random self-looping blocks", "[llvm][diff]") {
    // Linked to itself, the block loops inside compiled code with its
    // registers promoted; the interpreter runs it once per iteration.
    std::string err;
    auto tier = LlvmTier::create(LlvmTierOptions{}, &err);
    REQUIRE(tier);
    std::mt19937_64 rng(77);
    constexpr unsigned kBlocks = 150;
    std::vector<Block> blocks = random_diff_blocks(rng, kBlocks, DiffMix::SelfLoop, 40, &err);
    REQUIRE(err == "");
    std::vector<CompiledFn> fns = compile_all(*tier, blocks);
    World w;
    unsigned iterations = 0;
    for (unsigned i = 0; i < kBlocks; ++i) {
        INFO("block " << i << "\n" << print_block(blocks[i]));
        REQUIRE(fns[i]);
        const Inst& term = blocks[i].insts.back();
        unsigned self_slot = term.imm == blocks[i].guest_pc ? 0 : 1;
        REQUIRE(tier->link(fns[i], self_slot, fns[i]));
        InterpCode code;
        REQUIRE(interp_lower(blocks[i], &code, &err));
        for (unsigned run = 0; run < 2; ++run) {
            randomize_world(w, rng);
            w.env.r[12] = 1 + rng() % 6;
            DiffRun r = run_interp_and_tier(w, code, fns[i], self_slot);
            iterations += r.interp_runs;
            INFO(r.diff("llvm"));
            CHECK(r.same_exit());
            // The block that returned is the entry itself, not a linked one.
            if (r.tier.status == kStatusContinue) CHECK(w.env.tcg.reserved1 == 0);
            CHECK(r.same_world());
        }
    }
    CHECK(iterations > 2 * kBlocks);
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

    // Not linked yet: one iteration per call, as the dispatcher expects.
    TestEnv env{};
    env.r[0] = 1000;
    ExitInfo e = fn(&env);
    CHECK(e.slot == 0);
    CHECK(env.r[0] == 999);
    CHECK(env.r[1] == 1000 * 1000);

    // Linked to itself (the dispatcher does that when it chains the block
    // to itself): the loop stays in compiled code with r0/r1 in registers.
    REQUIRE(tier->link(fn, 0, fn));
    env.r[0] = 1000;
    env.r[1] = 0;
    e = fn(&env);
    CHECK(e.status == kStatusContinue);
    CHECK(e.slot == 1);
    CHECK(env.tcg.pc == 0x2000);
    CHECK(env.r[0] == 0);
    uint64_t want = 0;
    for (uint64_t k = 1; k <= 1000; ++k)
        want += k * k;
    CHECK(env.r[1] == want);
    CHECK(tier->stats().unseen_runs == 999);  // the loop's other turns

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

    // Unlinked (invalidation does that): one iteration again.
    env.tcg.exit_request.store(0);
    tier->unlink(fn, 0);
    env.r[0] = 1000;
    env.r[1] = 0;
    e = fn(&env);
    CHECK(e.slot == 0);
    CHECK(env.r[0] == 999);

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

TEST_CASE("linked compiled blocks jump straight into each other", "[llvm][chain]") {
    // A -> B -> A ... until B exits to 0x3000 (chain_pair.h).
    ChainPair pair = make_chain_pair();
    const Block &a = pair.a, &b = pair.b;
    std::string err;
    auto tier = LlvmTier::create(LlvmTierOptions{}, &err);
    REQUIRE(tier);
    CompiledFn fa = tier->compile_sync(a, &err);
    CompiledFn fb = tier->compile_sync(b, &err);
    REQUIRE(fa);
    REQUIRE(fb);
    CHECK_FALSE(tier->link(fa, 2, fb));
    CHECK_FALSE(tier->link(fa, 0, &not_compiled_fn));

    const uint64_t want0 = pair.want0, want1 = pair.want1;

    TestEnv env{};
    // Unlinked: A returns after one block with its own slot; nothing chained.
    ExitInfo e = fa(&env);
    CHECK(e.slot == 0);
    CHECK(env.tcg.reserved1 == 0);
    CHECK(env.r[0] == 1);
    CHECK(env.r[1] == 0);

    // A -> B and B -> A linked: the loop runs inside compiled code until B
    // takes its unlinked exit, and says that the slot is B's.
    REQUIRE(tier->link(fa, 0, fb));
    REQUIRE(tier->link(fb, 0, fa));
    env.r[0] = 0;
    env.r[1] = 0;
    e = fa(&env);
    CHECK(e.status == kStatusContinue);
    CHECK(e.slot == 1);
    CHECK(env.tcg.pc == 0x3000);
    CHECK(env.tcg.reserved1 == reinterpret_cast<uint64_t>(fb));
    CHECK(env.r[0] == want0);
    CHECK(env.r[1] == want1);
    // Every block run after the first came through a link.
    CHECK(tier->stats().unseen_runs == 2 * want0 - 1);

    // A pending request stops the chain at the next chainable exit.
    env.r[0] = 0;
    env.r[1] = 0;
    env.tcg.exit_request.store(kRequestInterrupt);
    e = fa(&env);
    CHECK(e.slot == kExitSlotNone);
    CHECK(env.tcg.pc == 0x2000);
    CHECK(env.r[0] == 1);
    env.tcg.exit_request.store(0);

    // Unlinked again: back to one block per call.
    tier->unlink(fa, 0);
    env.r[0] = 0;
    env.r[1] = 0;
    e = fa(&env);
    CHECK(e.slot == 0);
    CHECK(env.tcg.reserved1 == 0);
    CHECK(env.r[0] == 1);

    // out_asm shows both the entry and the body.
    std::string as = tier->disassemble(fa);
    INFO(as);
    CHECK(as.find("body:") != std::string::npos);
    CHECK(as.find("jmp") != std::string::npos);
}

namespace {

// Stands in for the first tier's enter_linked stub: records what the LLVM
// code handed over and returns a recognisable exit.
uint64_t g_entered_chain = 0;
ExitInfo fake_enter_linked(void* env, uint64_t chain) {
    g_entered_chain = chain;
    static_cast<TestEnv*>(env)->r[7] += 1;
    return {kStatusContinue, 77};
}

}  // namespace

TEST_CASE("unlinked and indirect exits continue through the jump cache", "[llvm][chain]") {
    constexpr unsigned kBits = 6;
    constexpr uint64_t kFlags = 0x5;
    std::vector<BaselineCompiler::JumpCacheEntry> table(1u << kBits, {0, ~0ull, nullptr, nullptr});
    std::string err;
    auto tier = LlvmTier::create(LlvmTierOptions{}, &err);
    REQUIRE(tier);
    TierCompiler::CrossTier ct;
    ct.table = {table.data(), kBits, 0};
    ct.enter_linked = reinterpret_cast<const void*>(&fake_enter_linked);
    tier->set_cross_tier(ct);

    // A (0x1000): r0 += 1; r1 == 0 ? -> 0x2000 (B) : indirect to r2.
    // B (0x2000): r3 += r0; -> 0x9000.
    Block a;
    a.guest_pc = 0x1000;
    a.flags = kFlags;
    {
        Builder ir(&a);
        ir.set_reg(reg(0), ir.add(ir.get_reg(Type::I64, reg(0)), ir.c64(1)));
        ir.exit_cond(ir.cmp(Op::Eq, ir.get_reg(Type::I64, reg(1)), ir.c64(0)), 0x2000, 0x1004);
    }
    Block ind;
    ind.guest_pc = 0x1004;
    ind.flags = kFlags;
    {
        Builder ir(&ind);
        ir.exit_indirect(ir.get_reg(Type::I64, reg(2)));
    }
    Block b;
    b.guest_pc = 0x2000;
    b.flags = kFlags;
    {
        Builder ir(&b);
        ir.set_reg(reg(3), ir.add(ir.get_reg(Type::I64, reg(3)), ir.get_reg(Type::I64, reg(0))));
        ir.exit_link(0x9000);
    }
    CompiledFn fa = tier->compile_sync(a, &err);
    CompiledFn fi = tier->compile_sync(ind, &err);
    CompiledFn fb = tier->compile_sync(b, &err);
    REQUIRE(fa);
    REQUIRE(fi);
    REQUIRE(fb);
    REQUIRE(tier->linked_entry(fb));
    CHECK(tier->linked_entry(&not_compiled_fn) == nullptr);
    auto slot_of = [&](uint64_t pc) -> BaselineCompiler::JumpCacheEntry& {
        return table[BaselineCompiler::jump_cache_index(pc, kBits)];
    };

    TestEnv env{};
    auto fresh = [&] {
        env.tcg.pc = 0;
        env.tcg.reserved1 = 0;
        env.tcg.exit_request.store(0);
        std::fill(std::begin(env.r), std::end(env.r), 0);
    };
    // Empty cache: A returns with its slot, as without the lookup.
    ExitInfo e = fa(&env);
    CHECK(e.slot == 0);
    CHECK(env.tcg.pc == 0x2000);
    CHECK(env.r[3] == 0);

    // B in the cache (second tier): A continues into B, which reports its
    // own unlinked exit as a linked block would.
    slot_of(0x2000) = {0x2000, kFlags, reinterpret_cast<const void*>(0x1), tier->linked_entry(fb)};
    fresh();
    e = fa(&env);
    CHECK(e.status == kStatusContinue);
    CHECK(e.slot == 0);
    CHECK(env.tcg.pc == 0x9000);
    CHECK(env.r[0] == 1);
    CHECK(env.r[3] == 1);
    CHECK(env.tcg.reserved1 == reinterpret_cast<uint64_t>(fb));

    // Another mode, or a pending request: no lookup.
    slot_of(0x2000).flags = kFlags + 1;
    fresh();
    e = fa(&env);
    CHECK(e.slot == 0);
    CHECK(env.tcg.pc == 0x2000);
    CHECK(env.r[3] == 0);
    slot_of(0x2000).flags = kFlags;
    fresh();
    env.tcg.exit_request.store(kRequestInterrupt);
    e = fa(&env);
    CHECK(e.slot == kExitSlotNone);
    CHECK(env.tcg.pc == 0x2000);
    CHECK(env.r[3] == 0);

    // An indirect exit to a first-tier block goes through enter_linked with
    // the entry's chain; to a second-tier block straight into its body.
    slot_of(0x3000) = {0x3000, kFlags, reinterpret_cast<const void*>(0x1234), nullptr};
    fresh();
    env.r[2] = 0x3000;
    g_entered_chain = 0;
    e = fi(&env);
    CHECK(e.slot == 77);
    CHECK(g_entered_chain == 0x1234);
    CHECK(env.r[7] == 1);
    CHECK(env.tcg.pc == 0x3000);
    fresh();
    env.r[0] = 5;
    env.r[2] = 0x2000;
    e = fi(&env);
    CHECK(e.slot == 0);
    CHECK(env.tcg.pc == 0x9000);
    CHECK(env.r[3] == 5);
    // A miss returns to the dispatcher with the target in pc.
    fresh();
    env.r[2] = 0x4000;
    e = fi(&env);
    CHECK(e.slot == kExitSlotNone);
    CHECK(env.tcg.pc == 0x4000);
    CHECK(env.r[7] == 0);

    // The block's own start is never looked up: the dispatcher links that
    // exit, which makes it a self loop.
    slot_of(0x1000) = {0x1000, kFlags, reinterpret_cast<const void*>(0x1), tier->linked_entry(fa)};
    Block self;
    self.guest_pc = 0x1000;
    self.flags = kFlags;
    {
        Builder ir(&self);
        ir.set_reg(reg(0), ir.add(ir.get_reg(Type::I64, reg(0)), ir.c64(1)));
        ir.exit_link(0x1000);
    }
    CompiledFn fs = tier->compile_sync(self, &err);
    REQUIRE(fs);
    fresh();
    e = fs(&env);
    CHECK(e.slot == 0);
    CHECK(env.r[0] == 1);
}

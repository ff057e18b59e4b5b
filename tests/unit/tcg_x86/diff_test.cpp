// Interpreter vs baseline tier on random valid blocks over a world with
// RAM, a device, a hole and a faulting page (same exit, env, memory and
// device accesses in the same order), plus chaining, the hot-block hook,
// register pressure and a full code buffer.
#include <catch2/catch.hpp>
#include <random>

#include "chain_pair.h"
#include "random_block.h"
#include "tcg/interp/interp.h"
#include "tcg/opt/passes.h"
#include "tcg/x86/baseline.h"
#include "test_world.h"
#include "world_diff.h"

using namespace emu::tcg;
using namespace emu::tcg::test;

namespace {

// A stale reserved1 (the chain owner), so the checks see what compiled code
// itself writes there.
void randomize(World& w, std::mt19937_64& rng) {
    randomize_world(w, rng);
    w.env.tcg.reserved1 = 0x77;
}

CompiledFn compile(BaselineCompiler& c, const Block& b, std::string* why,
                   const BaselineCompiler::HotHook* hot = nullptr) {
    BaselineCompiler::Result res;
    return c.compile(b, hot, &res, why);
}

}  // namespace

TEST_CASE("interpreter and baseline tier agree on random blocks", "[x86][diff]") {
    (void)TestHelpers::get();
    std::string err;
    auto tier = emu::tcg::x86::make_baseline(64u << 20, &err);
    REQUIRE(tier);
    std::mt19937_64 rng(20261121);
    std::vector<Block> blocks = random_diff_blocks(rng, 600, DiffMix::Straight, 80, &err);
    REQUIRE(err == "");
    World w;
    unsigned faulted = 0, mmio = 0, compiled = 0;
    for (unsigned i = 0; i < blocks.size(); ++i) {
        const Block& b = blocks[i];
        INFO("block " << i << "\n" << print_block(b));
        std::string why;
        CompiledFn fn = compile(*tier, b, &why);
        INFO(why);
        REQUIRE(fn);
        ++compiled;
        InterpCode code;
        REQUIRE(interp_lower(b, &code, &err));
        for (unsigned run = 0; run < 3; ++run) {
            randomize(w, rng);
            DiffRun r = run_interp_and_tier(w, code, fn);
            INFO(r.diff("x86"));
            CHECK(r.same_exit());
            // Entered from the dispatcher: not a chained block.
            CHECK(w.env.tcg.reserved1 == 0);
            CHECK(r.same_world());
            if (r.interp.status != kStatusContinue) ++faulted;
            if (!r.after_interp.mmio_log.empty()) ++mmio;
        }
    }
    CHECK(compiled == 600);
    CHECK(faulted > 20);
    CHECK(mmio > 20);
}

TEST_CASE("self-linked baseline blocks loop in host code like the interpreter", "[x86][diff]") {
    std::string err;
    auto tier = emu::tcg::x86::make_baseline(64u << 20, &err);
    REQUIRE(tier);
    std::mt19937_64 rng(77);
    std::vector<Block> blocks = random_diff_blocks(rng, 200, DiffMix::SelfLoop, 40, &err);
    REQUIRE(err == "");
    World w;
    unsigned iterations = 0, looped = 0;
    for (unsigned i = 0; i < blocks.size(); ++i) {
        const Block& b = blocks[i];
        INFO("block " << i << "\n" << print_block(b));
        std::string why;
        CompiledFn fn = compile(*tier, b, &why);
        INFO(why);
        REQUIRE(fn);
        ++looped;
        const Inst& term = b.insts.back();
        unsigned self_slot = term.imm == b.guest_pc ? 0 : 1;
        REQUIRE(tier->link(fn, self_slot, fn));
        InterpCode code;
        REQUIRE(interp_lower(b, &code, &err));
        randomize(w, rng);
        w.env.r[12] = 1 + rng() % 6;
        DiffRun r = run_interp_and_tier(w, code, fn, self_slot);
        iterations += r.interp_runs;
        INFO(r.diff("x86"));
        CHECK(r.same_exit());
        // More than one run: the block that returned came in through its link.
        if (r.tier.status == kStatusContinue && r.tier.slot != kExitSlotNone) {
            CHECK(w.env.tcg.reserved1 == (r.interp_runs > 1 ? reinterpret_cast<uint64_t>(fn) : 0));
        }
        CHECK(r.same_world());
        tier->unlink(fn, self_slot);
    }
    CHECK(looped == 200);
    CHECK(iterations > 300);
}

TEST_CASE("linked baseline blocks chain, stop on exit_request and unlink", "[x86][chain]") {
    // A -> B -> A ... until B exits to 0x3000 (chain_pair.h).
    ChainPair pair = make_chain_pair();
    const Block &a = pair.a, &b = pair.b;
    std::string err;
    auto tier = emu::tcg::x86::make_baseline(1u << 20, &err);
    REQUIRE(tier);
    std::string why;
    CompiledFn fa = compile(*tier, a, &why);
    CompiledFn fb = compile(*tier, b, &why);
    REQUIRE(fa);
    REQUIRE(fb);
    CHECK_FALSE(tier->link(fa, 2, fb));
    CHECK_FALSE(tier->link(fa, 1, fb));  // ExitLink has no slot 1
    const uint64_t want0 = pair.want0, want1 = pair.want1;
    TestEnv env{};
    ExitInfo e = fa(&env);
    CHECK(e.slot == 0);
    CHECK(env.tcg.reserved1 == 0);
    CHECK(env.r[0] == 1);
    CHECK(env.tcg.pc == 0x2000);

    REQUIRE(tier->link(fa, 0, fb));
    REQUIRE(tier->link(fb, 0, fa));
    env.r[0] = env.r[1] = 0;
    e = fa(&env);
    CHECK(e.status == kStatusContinue);
    CHECK(e.slot == 1);
    CHECK(env.tcg.pc == 0x3000);
    CHECK(env.tcg.reserved1 == reinterpret_cast<uint64_t>(fb));
    CHECK(env.r[0] == want0);
    CHECK(env.r[1] == want1);

    // A pending request turns the next chainable exit into a plain return.
    env.r[0] = env.r[1] = 0;
    env.tcg.exit_request.store(kRequestKick);
    e = fa(&env);
    CHECK(e.slot == kExitSlotNone);
    CHECK(env.r[0] == 1);
    CHECK(env.r[1] == 0);
    CHECK(env.tcg.pc == 0x2000);
    env.tcg.exit_request.store(0);

    // Unlinked again: one block per call.
    tier->unlink(fa, 0);
    env.r[0] = env.r[1] = 0;
    e = fa(&env);
    CHECK(e.slot == 0);
    CHECK(env.r[1] == 0);
    CHECK(tier->disassemble(fa).find("jmp") != std::string::npos);
}

namespace {
struct HotCount {
    int calls = 0;
    void* env = nullptr;
};
void on_hot(void* env, void* cookie) {
    auto* h = static_cast<HotCount*>(cookie);
    ++h->calls;
    h->env = env;
}
}  // namespace

TEST_CASE("the hot hook fires once the entry counter runs out", "[x86][hot]") {
    Block a;
    a.guest_pc = 0x1000;
    {
        Builder ir(&a);
        ir.set_reg(reg(0), ir.add(ir.get_reg(Type::I64, reg(0)), ir.c64(1)));
        ir.exit_link(0x1000);
    }
    std::string err, why;
    auto tier = emu::tcg::x86::make_baseline(1u << 20, &err);
    REQUIRE(tier);
    HotCount hc;
    int32_t counter = 5;
    BaselineCompiler::HotHook hot{&counter, &on_hot, &hc};
    CompiledFn fa = compile(*tier, a, &why, &hot);
    REQUIRE(fa);
    TestEnv env{};
    for (int i = 0; i < 4; ++i)
        fa(&env);
    CHECK(hc.calls == 0);
    fa(&env);
    CHECK(hc.calls == 1);
    CHECK(hc.env == &env);
    CHECK(env.r[0] == 5);  // the block still ran after the hook
    // Linked to itself, the counter keeps counting chained entries.
    REQUIRE(tier->link(fa, 0, fa));
    counter = 10;
    env.tcg.exit_request.store(0);
    // Stop the loop: the hook sets exit_request through the env.
    struct Stop {
        static void fn(void* env, void* cookie) {
            ++*static_cast<int*>(cookie);
            static_cast<TcgEnv*>(env)->exit_request.store(kRequestKick);
        }
    };
    int stops = 0;
    BaselineCompiler::HotHook hot2{&counter, &Stop::fn, &stops};
    Block a2 = a;
    CompiledFn fa2 = compile(*tier, a2, &why, &hot2);
    REQUIRE(fa2);
    REQUIRE(tier->link(fa2, 0, fa2));
    env.r[0] = 0;
    ExitInfo e = fa2(&env);
    CHECK(stops == 1);
    CHECK(env.r[0] == 10);  // ten entries, the tenth ran and then saw the request
    CHECK(e.slot == kExitSlotNone);
}

TEST_CASE("more live values than host registers spill and reload correctly", "[x86][regalloc]") {
    // 40 values all live at once, then summed in reverse order with mixed ops.
    Block b;
    b.guest_pc = 0x1000;
    {
        Builder ir(&b);
        std::vector<Value> v;
        for (unsigned i = 0; i < 40; ++i)
            v.push_back(ir.add(ir.get_reg(Type::I64, reg(i % 12)), ir.c64(i * 0x1234567)));
        Value acc = ir.c64(0);
        for (unsigned i = 40; i-- > 0;) {
            acc = (i % 3 == 0) ? ir.xor_(acc, v[i]) : ir.add(acc, ir.shl(v[i], ir.c64(i % 7)));
        }
        ir.set_reg(reg(13), acc);
        ir.exit_dispatch();
    }
    REQUIRE(verify(b) == "");
    std::string err, why;
    auto tier = emu::tcg::x86::make_baseline(1u << 20, &err);
    REQUIRE(tier);
    CompiledFn fn = compile(*tier, b, &why);
    INFO(why);
    REQUIRE(fn);
    InterpCode code;
    REQUIRE(interp_lower(b, &code, &err));
    std::mt19937_64 rng(5);
    for (int round = 0; round < 20; ++round) {
        TestEnv env{}, ienv{};
        for (uint64_t& r : env.r)
            r = rng();
        std::memcpy(ienv.r, env.r, sizeof env.r);
        fn(&env);
        interp_run(code, &ienv);
        CHECK(env.r[13] == ienv.r[13]);
        CHECK(std::memcmp(env.r, ienv.r, sizeof env.r) == 0);
    }
}

TEST_CASE("a full code buffer is reported, and reset() makes room again", "[x86][buffer]") {
    std::string err, why;
    auto tier = emu::tcg::x86::make_baseline(64u << 10, &err);
    REQUIRE(tier);
    std::mt19937_64 rng(9);
    RandomBlockOptions ro;
    ro.ops = 60;
    ro.memory = true;
    int ok = 0;
    BaselineCompiler::Result res = BaselineCompiler::Result::Ok;
    for (int i = 0; i < 1000 && res != BaselineCompiler::Result::Full; ++i) {
        Block b = random_block(rng, ro);
        if (tier->compile(b, nullptr, &res, &why)) ++ok;
    }
    CHECK(res == BaselineCompiler::Result::Full);
    CHECK(ok > 3);
    tier->reset();
    Block b = random_block(rng, ro);
    tier->compile(b, nullptr, &res, &why);
    CHECK(res != BaselineCompiler::Result::Full);
    CHECK(tier->stats().find("1 buffer resets") != std::string::npos);
}

// The compile service: delivery from the background thread, failures,
// priorities, the code budget, shutdown with work queued, out_asm.
#include <atomic>
#include <catch2/catch.hpp>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "tcg/llvm/llvm_tier.h"
#include "test_world.h"

using namespace emu::tcg;
using namespace emu::tcg::test;

namespace {

// r1 = r0 * 3 + k; exit to 0x2000.
Block simple_block(uint64_t k) {
    Block b;
    b.guest_pc = 0x1000;
    Builder ir(&b);
    Value x = ir.get_reg(Type::I64, reg(0));
    ir.set_reg(reg(1), ir.add(ir.mul(x, ir.c64(3)), ir.c64(k)));
    ir.exit_link(0x2000);
    return b;
}

ExitInfo not_compiled(void*) {
    return {0, 0};
}

}  // namespace

TEST_CASE("submit delivers the compiled block from the background thread", "[llvm][service]") {
    std::string err;
    auto tier = LlvmTier::create(LlvmTierOptions{}, &err);
    REQUIRE(tier);
    std::mutex m;
    std::condition_variable cv;
    bool done = false;
    CompiledFn got = nullptr;
    std::thread::id where;
    tier->submit(simple_block(7), [&](CompiledFn fn) {
        std::lock_guard g(m);
        got = fn;
        where = std::this_thread::get_id();
        done = true;
        cv.notify_all();
    });
    std::unique_lock lk(m);
    REQUIRE(cv.wait_for(lk, std::chrono::seconds(30), [&] { return done; }));
    REQUIRE(got);
    CHECK(where != std::this_thread::get_id());
    TestEnv env{};
    env.r[0] = 5;
    ExitInfo e = got(&env);
    CHECK(e.status == kStatusContinue);
    CHECK(e.slot == 0);
    CHECK(env.r[1] == 22);
    CHECK(env.tcg.pc == 0x2000);

    // -d out_asm: the host code of the function.
    std::string as = tier->disassemble(got);
    INFO(as);
    CHECK(as.find("ret") != std::string::npos);
    CHECK(tier->disassemble(&not_compiled).empty());

    LlvmTierStats st = tier->stats();
    CHECK(st.submitted == 1);
    CHECK(st.compiled == 1);
    CHECK(st.code_bytes > 0);
    CHECK(st.median_ms > 0);
    CHECK(st.format().find("1 compiled") != std::string::npos);
}

TEST_CASE("a block that cannot be compiled gives nullptr, not a crash", "[llvm][service]") {
    std::string err;
    auto tier = LlvmTier::create(LlvmTierOptions{}, &err);
    REQUIRE(tier);
    // No terminal.
    Block unfinished;
    Builder ir(&unfinished);
    ir.set_reg(reg(0), ir.c64(1));
    CHECK(tier->compile_sync(unfinished, &err) == nullptr);
    CHECK(!err.empty());
    // An operand that refers forward / a type mismatch the verifier rejects.
    Block bad = simple_block(1);
    for (Inst& in : bad.insts) {
        if (in.nargs && !op_has(in.op, TERM)) {
            in.args[0] = Value{57};
            break;
        }
    }
    CHECK(tier->compile_sync(bad) == nullptr);
    Block bad_type = simple_block(1);
    bad_type.insts[0].type = Type::I32;
    CHECK(tier->compile_sync(bad_type) == nullptr);
    // Empty block.
    CHECK(tier->compile_sync(Block{}) == nullptr);
    // The service still works afterwards, in the same batch as a failure.
    std::atomic<int> ok{0}, failed{0};
    tier->submit(unfinished, [&](CompiledFn fn) { (fn ? ok : failed)++; });
    tier->submit(simple_block(2), [&](CompiledFn fn) { (fn ? ok : failed)++; });
    tier->drain();
    CHECK(ok == 1);
    CHECK(failed == 1);
    CHECK(tier->stats().failed == 5);
}

TEST_CASE("hotter blocks are compiled first", "[llvm][service]") {
    std::string err;
    LlvmTierOptions o;
    o.max_batch = 1;
    auto tier = LlvmTier::create(o, &err);
    REQUIRE(tier);
    // Hold the worker inside the first callback while the others queue up.
    std::mutex m;
    std::condition_variable cv;
    bool release = false, holding = false;
    std::vector<int> order;
    tier->submit(simple_block(0), [&](CompiledFn) {
        std::unique_lock lk(m);
        holding = true;
        cv.notify_all();
        cv.wait(lk, [&] { return release; });
    });
    {
        std::unique_lock lk(m);
        cv.wait(lk, [&] { return holding; });
    }
    tier->submit(
        simple_block(1), [&](CompiledFn) { order.push_back(1); }, 1);
    tier->submit(
        simple_block(2), [&](CompiledFn) { order.push_back(2); }, 500);
    tier->submit(
        simple_block(3), [&](CompiledFn) { order.push_back(3); }, 20);
    tier->submit(
        simple_block(4), [&](CompiledFn) { order.push_back(4); }, 500);
    {
        std::lock_guard g(m);
        release = true;
    }
    cv.notify_all();
    tier->drain();
    // Equal hotness: the newest first (what the guest runs now).
    CHECK(order == std::vector<int>{4, 2, 3, 1});
}

TEST_CASE("the code budget bounds the tier's memory", "[llvm][service]") {
    std::string err;
    LlvmTierOptions o;
    o.code_budget = 1;  // the first module uses it up
    auto tier = LlvmTier::create(o, &err);
    REQUIRE(tier);
    CHECK(tier->compile_sync(simple_block(1)) != nullptr);
    CHECK(tier->compile_sync(simple_block(2)) == nullptr);
    CHECK(tier->stats().over_budget == 1);
}

TEST_CASE("destroying the tier calls every pending callback once", "[llvm][service]") {
    std::atomic<int> calls{0};
    {
        std::string err;
        auto tier = LlvmTier::create(LlvmTierOptions{}, &err);
        REQUIRE(tier);
        for (int i = 0; i < 40; ++i)
            tier->submit(simple_block(i), [&](CompiledFn) { ++calls; });
    }
    CHECK(calls == 40);
}

TEST_CASE("the factory builds a working tier compiler", "[llvm][service]") {
    std::string err;
    std::unique_ptr<TierCompiler> c = make_llvm_tier(&err);
    REQUIRE(c);
    CHECK(std::string(c->name()) == "llvm");
}

// Guest memory in self-looping LLVM blocks (lower_mem.cpp's per-site page
// caches, lower_loop.cpp's lazy flags) against the interpreter running the
// same block once per iteration: loops over the same and other pages,
// page-crossing accesses, MMIO inside the loop, a fault on the Nth
// iteration (registers and NZCV as the interpreter leaves them), and a
// helper that changes the mapping while the loop runs.
#include <catch2/catch.hpp>
#include <random>

#include "tcg/interp/interp.h"
#include "tcg/ir/helpers.h"
#include "tcg/llvm/llvm_tier.h"
#include "test_world.h"
#include "world_diff.h"

using namespace emu::tcg;
using namespace emu::tcg::test;

namespace {

constexpr uint64_t kPc = 0x1000;
constexpr uint64_t kOut = 0x2000;

// Runs `b` to completion both ways from the world's current state: the
// interpreter once per iteration while the block exits to itself, LLVM
// linked to itself (one call). Returns the number of interpreter runs.
unsigned run_both(World& w, LlvmTier& tier, const Block& b, CompiledFn fn) {
    std::string err;
    InterpCode code;
    REQUIRE(interp_lower(b, &code, &err));
    w.cpu->tlb_flush();
    World::Snapshot start = w.snapshot();
    ExitInfo ei;
    unsigned runs = 0;
    for (;;) {
        ei = interp_run(code, &w.env);
        ++runs;
        if (ei.status != kStatusContinue || ei.slot != 0) break;
    }
    World::Snapshot after_interp = w.snapshot();
    w.restore(start);
    ExitInfo el = fn(&w.env);
    World::Snapshot after_llvm = w.snapshot();
    CHECK(ei.status == el.status);
    CHECK(ei.slot == el.slot);
    INFO(world_diff(after_interp, after_llvm, "llvm"));
    CHECK(after_interp == after_llvm);
    (void)tier;
    return runs;
}

CompiledFn compile_looping(LlvmTier& tier, const Block& b) {
    std::string err;
    CompiledFn fn = tier.compile_sync(b, &err);
    INFO(err);
    REQUIRE(fn);
    REQUIRE(tier.link(fn, 0, fn));
    return fn;
}

// bzip2's move-to-front step, generalised: p += stride; v = [p];
// [p] = prev; [p + other] = v; prev = v; NZCV = cmp(key, v) (only the
// branch reads it); loop while --n != 0.
Block mtf_block(unsigned log2_size, bool aligned) {
    Block b;
    b.guest_pc = kPc;
    Builder ir(&b);
    Type t = log2_size == 0   ? Type::I8
             : log2_size == 1 ? Type::I16
             : log2_size == 2 ? Type::I32
                              : Type::I64;
    uint64_t mo = MemOp::make(log2_size, 0, aligned ? MemOp::kAligned : 0);
    Value p = ir.add(ir.get_reg(Type::I64, reg(1)), ir.get_reg(Type::I64, reg(4)));
    ir.set_reg(reg(1), p);
    Value v = ir.load(t, p, mo, kPc);
    Value prev = ir.get_reg(Type::I64, reg(2));
    ir.store(p, ir.trunc(t, prev), mo, kPc + 4);
    ir.store(ir.add(p, ir.get_reg(Type::I64, reg(5))), v, mo, kPc + 8);
    Value v64 = ir.zext(Type::I64, v);
    ir.set_reg(reg(2), v64);
    Value key = ir.get_reg(Type::I64, reg(3));
    ir.set_reg(reg(6), ir.sub_flags(key, v64));
    Value n = ir.sub(ir.get_reg(Type::I64, reg(0)), ir.c64(1));
    ir.set_reg(reg(0), n);
    ir.exit_cond(ir.cmp(Op::Ne, n, ir.c64(0)), kPc, kOut);
    REQUIRE(verify(b) == "");
    return b;
}

}  // namespace

TEST_CASE("self loops over guest memory agree with the interpreter", "[llvm][loopmem]") {
    std::string err;
    auto tier = LlvmTier::create(LlvmTierOptions{}, &err);
    REQUIRE(tier);
    std::mt19937_64 rng(5);
    World w;
    unsigned faults = 0, crossings = 0, total_runs = 0;
    for (unsigned log2 = 0; log2 < 4; ++log2) {
        for (bool aligned : {false, true}) {
            Block b = mtf_block(log2, aligned);
            CompiledFn fn = compile_looping(*tier, b);
            unsigned size = 1u << log2;
            for (unsigned run = 0; run < 80; ++run) {
                randomize_world(w, rng);
                // Strides: within a page, a page and a bit, and odd ones that
                // make unaligned and page-crossing accesses, both ways (down
                // from the pages above the faulting one into it).
                static const int64_t kStrides[] = {1,  2,    8,    -8,   3,  -3,   -5,
                                                   -7, 4095, 4097, 4096, 61, -4093};
                int64_t stride = kStrides[rng() % std::size(kStrides)];
                uint64_t start = kRamBase + 0x1000 * (rng() % 12) + (rng() % 0x1000);
                w.env.r[1] = start;
                w.env.r[4] = static_cast<uint64_t>(stride);
                // The second store: same page, next pages, or the faulting page.
                static const uint64_t kOther[] = {0, 16, 0x1000, 0x3000, 0x8000 - 0x1000};
                w.env.r[5] = kOther[rng() % std::size(kOther)];
                w.env.r[0] = 1 + rng() % 300;  // iterations
                w.env.r[3] = rng() % 4;        // compare key (sometimes equal)
                w.env.r[6] = rng();            // NZCV before the loop
                w.env.faults = 0;
                INFO("log2 " << log2 << " aligned " << aligned << " stride " << stride << " start "
                             << std::hex << start << " other " << w.env.r[5]);
                total_runs += run_both(w, *tier, b, fn);
                if (w.env.faults) ++faults;
                uint64_t end = start + uint64_t(stride) * w.env.r[0];
                if ((start ^ end) & kPageMask) ++crossings;
                (void)size;
            }
        }
    }
    // The loops really looped, left the page, and faulted part way through.
    CHECK(total_runs > 2000);
    CHECK(faults > 20);
    CHECK(crossings > 20);
}

TEST_CASE("a self loop alternating between RAM and a device", "[llvm][loopmem]") {
    // addr = (n & 1) ? device : RAM; v = [addr]; [addr + 8] = v + n.
    Block b;
    b.guest_pc = kPc;
    Builder ir(&b);
    Value n = ir.get_reg(Type::I64, reg(0));
    Value odd = ir.cmp(Op::Ne, ir.and_(n, ir.c64(1)), ir.c64(0));
    Value ram = ir.add(ir.get_reg(Type::I64, reg(1)), ir.shl(n, ir.c64(4)));
    Value addr = ir.select(odd, ir.get_reg(Type::I64, reg(2)), ram);
    uint64_t mo = MemOp::make(2, 0);
    Value v = ir.load(Type::I32, addr, mo, kPc);
    ir.store(ir.add(addr, ir.c64(8)), ir.add(v, ir.trunc(Type::I32, n)), mo, kPc + 4);
    ir.set_reg(reg(3), ir.add(ir.get_reg(Type::I64, reg(3)), ir.zext(Type::I64, v)));
    Value n1 = ir.sub(n, ir.c64(1));
    ir.set_reg(reg(0), n1);
    ir.set_reg(reg(6), ir.logic_flags(n1));
    ir.exit_cond(ir.cmp(Op::Ne, n1, ir.c64(0)), kPc, kOut);
    REQUIRE(verify(b) == "");

    std::string err;
    auto tier = LlvmTier::create(LlvmTierOptions{}, &err);
    REQUIRE(tier);
    CompiledFn fn = compile_looping(*tier, b);
    std::mt19937_64 rng(9);
    World w;
    for (unsigned run = 0; run < 20; ++run) {
        randomize_world(w, rng);
        w.env.r[0] = 2 + rng() % 60;
        w.env.r[1] = kRamBase + 0x800 * (rng() % 12);
        w.env.r[2] = kMmioBase + 8 * (rng() % 16);
        w.env.r[3] = 0;
        w.dev.log.clear();
        run_both(w, *tier, b, fn);
        CHECK(w.dev.log.size() >= 2);
    }
}

namespace {

// Virtual page kAlias maps to physical kRamBase + 0x1000 * g_alias_target;
// the helper below remaps it and flushes the TLB, as a guest TLBI after a
// page-table write would.
constexpr uint64_t kAlias = 0x70000000;
unsigned g_alias_target = 1;

class RemapCpu : public TestCpu {
  public:
    using TestCpu::TestCpu;
    bool mmu_translate(uint64_t va, Access acc, unsigned mmu, PageTranslation* out,
                       FaultKind* fault) override {
        if ((va & kPageMask) == kAlias) {
            out->pa_page = kRamBase + 0x1000 * g_alias_target;
            return true;
        }
        return TestCpu::mmu_translate(va, acc, mmu, out, fault);
    }
};

HelperRet remap_helper(void* env, uint64_t n, uint64_t, uint64_t, uint64_t) {
    // On every 5th iteration: the alias moves to the next page.
    if (n % 5 == 0) {
        g_alias_target = 1 + (g_alias_target % 6);
        static_cast<TcgEnv*>(env)->cpu->tlb_flush();
    }
    return {0, 0};
}

}  // namespace

TEST_CASE("a self loop sees a mapping that a helper changes inside the loop", "[llvm][loopmem]") {
    static const uint32_t remap = register_helper(
        "test_remap", &remap_helper, kHelperReadsState | kHelperWritesState | kHelperMem);
    // v = [alias + off]; [alias + off + 4] = v ^ n; remap(n); loop.
    Block b;
    b.guest_pc = kPc;
    Builder ir(&b);
    Value n = ir.get_reg(Type::I64, reg(0));
    Value addr = ir.add(ir.c64(kAlias), ir.get_reg(Type::I64, reg(1)));
    uint64_t mo = MemOp::make(2, 0);
    Value v = ir.load(Type::I32, addr, mo, kPc);
    ir.store(ir.add(addr, ir.c64(4)), ir.xor_(v, ir.trunc(Type::I32, n)), mo, kPc + 4);
    ir.set_reg(reg(3), ir.add(ir.get_reg(Type::I64, reg(3)), ir.zext(Type::I64, v)));
    ir.call(Type::Void, remap, {n}, kPc + 8);
    Value n1 = ir.sub(n, ir.c64(1));
    ir.set_reg(reg(0), n1);
    ir.exit_cond(ir.cmp(Op::Ne, n1, ir.c64(0)), kPc, kOut);
    REQUIRE(verify(b) == "");

    std::string err;
    auto tier = LlvmTier::create(LlvmTierOptions{}, &err);
    REQUIRE(tier);
    CompiledFn fn = compile_looping(*tier, b);
    World w;
    w.cpu.reset();
    w.cpu = std::make_unique<RemapCpu>(&w.env, w.as.get());
    std::mt19937_64 rng(11);
    for (unsigned run = 0; run < 10; ++run) {
        randomize_world(w, rng);
        w.env.r[0] = 20 + rng() % 40;
        w.env.r[1] = 8 * (rng() % 500);
        w.env.r[3] = 0;
        // Both sides start from the same mapping.
        unsigned first = 1 + run % 6;
        g_alias_target = first;
        std::string err2;
        InterpCode code;
        REQUIRE(interp_lower(b, &code, &err2));
        w.cpu->tlb_flush();
        World::Snapshot start = w.snapshot();
        ExitInfo ei;
        do {
            ei = interp_run(code, &w.env);
        } while (ei.status == kStatusContinue && ei.slot == 0);
        World::Snapshot after_interp = w.snapshot();
        w.restore(start);
        g_alias_target = first;
        w.cpu->tlb_flush();
        ExitInfo el = fn(&w.env);
        World::Snapshot after_llvm = w.snapshot();
        CHECK(ei.status == el.status);
        CHECK(ei.slot == el.slot);
        INFO(world_diff(after_interp, after_llvm, "llvm"));
        CHECK(after_interp == after_llvm);
    }
}

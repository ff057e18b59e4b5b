// Region formation for the second tier: a hot block that does not loop to
// itself is compiled together with the blocks it reaches through direct
// exits when they lead back to it, so that loops with an if/else or a
// call in their body become one LLVM function (TierCompiler::submit_region).
#include <cstdlib>
#include <unordered_map>
#include <vector>

#include "tcg/exec/cpu.h"
#include "util/log.h"

namespace emu::tcg {

namespace {

// Bounds on a region: compile time grows with the function (about 0.1 ms
// per guest instruction at O1), and a loop larger than this gains little
// from the branches it would save.
struct RegionLimits {
    unsigned blocks = 16;
    unsigned insns = 160;
};

// Turns per entry (head runs per exit of the loop) below which a loop
// stays in the first tier.
constexpr uint64_t kMinTurnsPerEntry = 2;

RegionLimits region_limits() {
    RegionLimits l;
    if (const char* e = std::getenv("EMU_LLVM_REGION_BLOCKS")) l.blocks = std::atoi(e);
    if (const char* e = std::getenv("EMU_LLVM_REGION_INSNS")) l.insns = std::atoi(e);
    return l;
}

}  // namespace

bool Cpu::form_region(TranslationBlock* head) {
    static const bool enabled = [] {
        const char* e = std::getenv("EMU_LLVM_REGIONS");
        return !e || *e != '0';
    }();
    static const RegionLimits limits = region_limits();
    if (!enabled || !compiler_ || limits.blocks < 2) return false;
    // -d exec/cpu/nochain: every block goes through the dispatcher.
    if (log_enabled(LOG_EXEC | LOG_CPU | LOG_NOCHAIN)) return false;
    // Members: blocks that ran, on the head's guest page (what makes a
    // chain valid without a lookup holds for a branch inside the region
    // too), in the same mode, reached through the exits the dispatcher
    // chained (jmp[]). A block that ends in a direct branch elsewhere may
    // be a call: the block after it (found in the jump cache) is where a
    // return goes, so blocks ending in an indirect branch lead there.
    // The IR's own checks (lower_region's pc switch) keep a wrong guess
    // harmless.
    const uint64_t page = head->pc & kPageMask;
    std::vector<TranslationBlock*> found;
    std::vector<Block> ir;
    std::unordered_map<const TranslationBlock*, unsigned> index;
    std::vector<TranslationBlock*> return_sites;
    uint32_t insns = 0;
    // A block that loops to itself stays out: alone, its loop is the whole
    // function (bzip2's move-to-front loop, 4 billion turns: 13% slower
    // inside a 14-block region around it, where the outer loop's registers
    // compete for the host's).
    auto add = [&](TranslationBlock* tb) {
        if (!tb || tb->self_loop || index.count(tb) || !tb->valid || tb->flags != head->flags ||
            (tb->pc & kPageMask) != page || found.size() >= limits.blocks ||
            insns + tb->ninsns > limits.insns) {
            return;
        }
        for (const TranslationBlock* f : found)
            if (f->pc == tb->pc) return;
        Block b;
        if (!retranslate(tb, &b) || b.insts.empty()) return;
        index.emplace(tb, static_cast<unsigned>(found.size()));
        found.push_back(tb);
        ir.push_back(std::move(b));
        insns += tb->ninsns;
    };
    // A target on the head's guest page lies on the physical page the head
    // was found through (the same assumption as a chain between blocks).
    const uint64_t phys_page = head->phys_pc & kPageMask;
    auto block_at = [&](uint64_t pc) -> TranslationBlock* {
        if ((pc & kPageMask) != page) return nullptr;
        TbRef* ref = tbs_.find(Key{phys_page | (pc & ~kPageMask), head->flags});
        return ref && (*ref)->pc == pc && (*ref)->valid ? ref->get() : nullptr;
    };
    // Direct successors: the targets of the IR's terminal (first-tier code
    // follows them through its jump-cache lookup, unseen by the dispatcher,
    // so jmp[] alone misses most of them).
    std::vector<std::vector<TranslationBlock*>> succ;
    add(head);
    if (found.empty()) return false;
    for (size_t i = 0; i < found.size(); ++i) {
        const Inst& t = ir[i].insts.back();
        TranslationBlock* tb = found[i];
        std::vector<TranslationBlock*> next;
        if (t.op == Op::ExitLink || t.op == Op::ExitCond) next.push_back(block_at(t.imm));
        if (t.op == Op::ExitCond) next.push_back(block_at(t.imm2));
        if (t.op == Op::ExitLink && !tb->scattered && t.imm != tb->pc + tb->size) {
            if (TranslationBlock* r = block_at(tb->pc + tb->size)) {
                return_sites.push_back(r);
                add(r);
            }
        }
        for (TranslationBlock* n : next)
            add(n);
        succ.push_back(std::move(next));
    }
    auto successors = [&](size_t i, auto&& visit) {
        for (TranslationBlock* next : succ[i])
            visit(next);
        if (ir[i].insts.back().op == Op::ExitIndirect)
            for (TranslationBlock* r : return_sites)
                visit(r);
    };
    // Only blocks on a cycle through the head: those that lead back to it.
    std::vector<bool> back(found.size(), false);
    for (bool changed = true; changed;) {
        changed = false;
        for (size_t i = 0; i < found.size(); ++i) {
            if (back[i]) continue;
            successors(i, [&](TranslationBlock* next) {
                auto it = next ? index.find(next) : index.end();
                if (!back[i] && it != index.end() && (it->second == 0 || back[it->second])) {
                    back[i] = changed = true;
                }
            });
        }
    }
    if (!back[0]) return false;
    // A loop that is mostly left after a turn or two (sort's comparisons:
    // over a million entries, ~1.2 member runs each) gains nothing from
    // branches inside the function and pays the tier crossings at every
    // entry and exit. The blocks' baseline entry counts are the edge
    // profile: the loop was left at most as often as the blocks it leaves
    // to ran (an indirect exit: its block), and the head ran once per turn.
    std::vector<bool> member(found.size(), false);
    for (size_t i = 0; i < found.size(); ++i)
        member[i] = i == 0 || back[i];
    auto is_member = [&](const TranslationBlock* tb) {
        auto it = tb ? index.find(tb) : index.end();
        return it != index.end() && member[it->second];
    };
    auto entries_at = [&](uint64_t pc) -> uint64_t {
        if (TranslationBlock* tb = block_at(pc)) return tb->hot_entries();
        TranslationBlock* tb = jmp_cache_[BaselineCompiler::jump_cache_index(pc, kJmpCacheBits)];
        return tb && tb->pc == pc ? tb->hot_entries() : 0;
    };
    uint64_t exits = 0;
    for (size_t i = 0; i < found.size(); ++i) {
        if (!member[i]) continue;
        const Inst& t = ir[i].insts.back();
        if (t.op == Op::ExitIndirect || t.op == Op::ExitDispatch) {
            // A return to a call site inside the loop stays inside.
            bool inside = false;
            if (t.op == Op::ExitIndirect)
                for (const TranslationBlock* r : return_sites)
                    inside |= is_member(r);
            if (!inside) exits += found[i]->hot_entries();
            continue;
        }
        if ((t.op == Op::ExitLink || t.op == Op::ExitCond) && !is_member(block_at(t.imm)))
            exits += entries_at(t.imm);
        if (t.op == Op::ExitCond && !is_member(block_at(t.imm2))) exits += entries_at(t.imm2);
    }
    if (exits * kMinTurnsPerEntry > head->hot_entries()) return false;
    std::vector<TranslationBlock*> members;
    std::vector<Block> blocks;
    for (size_t i = 0; i < found.size(); ++i) {
        if (i != 0 && !back[i]) continue;
        members.push_back(found[i]);
        blocks.push_back(std::move(ir[i]));
    }
    if (members.size() < 2) return false;

    // From here on a change to any member's code must keep the function
    // from running again: invalidate_tb drops the head with the member.
    TbRef ref = head->shared_from_this();
    head->submitted = true;
    head->region_head = true;
    for (size_t i = 1; i < members.size(); ++i) {
        TranslationBlock* m = members[i];
        // Regions of code that keeps being replaced would pile up here.
        std::erase_if(m->regions, [](const auto& w) { return w.expired(); });
        m->regions.push_back(ref);
        // Its own hot counter ran nearly as often: no second region around
        // the same loop while this one compiles.
        if (!m->rearmed && !m->self_loop) {
            m->rearmed = true;
            m->arm_hot(INT32_MAX);
        }
    }
    compiler_->submit_region(std::move(blocks), tier_up_done(ref));
    ++stats_.blocks_compiled;
    ++stats_.regions_compiled;
    return true;
}

}  // namespace emu::tcg

#pragma once
// A translation block: one guest block in both tiers, plus its chaining and
// tier-up state.
#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

#include "tcg/exec/tier.h"
#include "tcg/interp/interp.h"
#include "tcg/ir/ir.h"

namespace emu::tcg {

struct TranslationBlock : std::enable_shared_from_this<TranslationBlock> {
    uint64_t pc = 0;       // guest virtual PC
    uint64_t phys_pc = 0;  // guest physical PC (the cache key, with flags)
    uint64_t flags = 0;
    uint32_t size = 0;  // guest bytes
    uint32_t ninsns = 0;
    uint64_t phys_page[2] = {~0ull, ~0ull};  // pages the code lies on
    bool scattered = false;                  // code not contiguous (tcg::Block)
    bool self_loop = false;                  // an exit branches back to pc
    bool valid = true;

    // The interpreter's form, lowered only for blocks that run in the
    // interpreter (no compiled code): empty until then (Cpu::ensure_interp).
    InterpCode interp;
    std::atomic<CompiledFn> compiled{nullptr};  // what runs: baseline or second-tier code
    CompiledFn baseline = nullptr;              // the first tier's code (vCPU thread only)
    const void* baseline_chain = nullptr;       // its chain_entry, once looked up
    int32_t hot_left = 0;                       // baseline entries left until tier-up
    // Entries of the baseline code so far (the counter counts down from
    // hot_armed; earlier arms are in hot_spent): the edge profile regions
    // are judged by (region.cpp).
    int32_t hot_armed = 0;
    uint64_t hot_spent = 0;
    uint64_t hot_entries() const { return hot_spent + uint64_t(int64_t(hot_armed) - hot_left); }
    void arm_hot(int32_t n) {
        hot_spent = hot_entries();
        hot_armed = hot_left = n;
    }
    uint32_t exec_count = 0;
    bool submitted = false;
    bool rearmed = false;  // the hot counter ran out once already (maybe_tier_up)
    // Regions (Cpu::form_region): this block is the entry of one, and the
    // entries of the regions it is a later member of, which must not run
    // again once this block's code changes.
    bool region_head = false;
    bool region_armed = false;  // waiting for the region threshold (maybe_tier_up)
    std::vector<std::weak_ptr<TranslationBlock>> regions;

    // Direct chaining: successor per exit slot (same guest page only), and
    // who chains to us, so invalidation can unlink.
    TranslationBlock* jmp[2] = {nullptr, nullptr};
    std::vector<std::pair<TranslationBlock*, int>> incoming;

    // The blocks on each physical page, linked through the blocks
    // (Cpu::page_tbs_ holds the heads): neighbours of the list for
    // phys_page[n], each tagged in bit 0 with its own index for that page.
    uintptr_t page_next[2] = {0, 0};
    uintptr_t page_prev[2] = {0, 0};
};

using TbRef = std::shared_ptr<TranslationBlock>;

}  // namespace emu::tcg

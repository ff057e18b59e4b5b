#pragma once
// The execution core of one guest CPU: the dispatcher, the translation
// block cache (keyed by physical PC and mode flags), direct chaining, the
// indirect-jump cache, the soft TLB fill and the tracking of pages that
// hold translated code (writes to them invalidate the blocks: self-
// modifying code works). A target derives from Cpu and implements the
// hooks: translation to IR, the page walk, fault and interrupt entry.
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "hw/core/address_space.h"
#include "tcg/exec/env.h"
#include "tcg/exec/tb.h"
#include "tcg/exec/tb_table.h"
#include "tcg/exec/tier.h"

namespace emu::tcg {

enum class Access : uint8_t { Read, Write, Fetch };
enum class FaultKind : uint8_t { Translation, Permission, Alignment, External };

struct PageTranslation {
    uint64_t pa_page = 0;
    // Bytes mapped by the leaf entry the page belongs to (a 2 MiB or 1 GiB
    // block, or one page). The TLB remembers where blocks were filled: an
    // invalidation by VA inside one drops the whole MMU index (the guest
    // invalidates a block by any one address in it).
    uint64_t size = kPageSize;
    // Not tagged with an address-space id: valid under every ASID (a
    // non-global one belongs to the ASID of Cpu::tlb_set_asid).
    bool global = true;
    bool readable = true;
    bool writable = true;
    bool executable = true;
};

// Instruction fetch for translators: reads through the code TLB.
class CodeReader {
  public:
    virtual ~CodeReader() = default;
    // False if the word cannot be fetched (the translator ends the block
    // before it, or raises the fetch fault if it is the first).
    virtual bool fetch32(uint64_t va, uint32_t* word) = 0;
};

struct ExecStats {
    uint64_t blocks_translated = 0;
    uint64_t blocks_invalidated = 0;
    uint64_t blocks_compiled = 0;
    uint64_t regions_compiled = 0;  // of those, multi-block regions (region.cpp)
    uint64_t tb_exec_interp = 0;
    uint64_t tb_exec_compiled = 0;
    uint64_t insns_interp = 0;
    uint64_t insns_compiled = 0;
    uint64_t translate_ns = 0;
    uint64_t blocks_baseline = 0;           // compiled by the first tier
    uint64_t blocks_baseline_rejected = 0;  // the first tier could not: interpreter
    uint64_t baseline_flushes = 0;          // full code buffer: everything flushed
    uint64_t insns_baseline = 0;            // dispatched into first-tier code
};

// One soft-TLB invalidation, as a target's TLB maintenance decodes to.
struct TlbFlushOp {
    uint16_t idx_mask = 0;     // MMU indexes concerned (bit n: index n)
    bool all = true;           // every entry of those indexes, else the page of va
    uint64_t va = 0;           // any address in the page (top byte ignored)
    uint64_t len = kPageSize;  // by page: bytes from va's page (one translation granule)
    // >= 0 with `all`: only the entries of this address-space id (non-global
    // ones; dropping global ones too is allowed over-invalidation).
    int32_t asid = -1;
    // With `all`: only entries of virtual addresses with bit 55 clear (the
    // lower half: aarch64's TTBR0 range, what a TTBR0 write changes).
    bool lower_half = false;
};

// TLB maintenance counters (EMU_TCG_STATS).
struct TlbStats {
    uint64_t flush_full = 0;   // whole TLB (TLBI ALL/ASID, TTBR/SCTLR/TCR writes, map changes)
    uint64_t flush_lower = 0;  // lower half only (TTBR0 writes)
    uint64_t flush_idx = 0;    // some MMU indexes (a by-VA op hitting a block mapping)
    uint64_t flush_page = 0;   // one page (granule)
    uint64_t flush_skipped =
        0;  // by ASID, of an ASID other than the current one (saved banks only)
    uint64_t asid_switches = 0;  // tlb_set_asid with another ASID
    uint64_t bank_hits = 0;      // ... that found the soft TLB of that ASID saved
    uint64_t broadcasts = 0;     // operations sent to the other vCPUs
    uint64_t remote_ops = 0;     // operations received from other vCPUs
    uint64_t sync_waits = 0;     // dispatcher waits for other vCPUs' acknowledgements
    uint64_t sync_wait_ns = 0;
};

struct ExecOptions {
    TierMode tier = TierMode::Auto;
    // Block entries before the second tier (LLVM) compiles it. High because
    // the first tier is cheap: boot compiles cost more than they save, while
    // in-guest loops still reach LLVM in time (measured on a quiet machine:
    // boot CPU 4.2 s at 100000, 3.35 s at 300000; sha256/gzip equal at both,
    // 20-40% slower at 1000000; docs/linux-arm64.md).
    uint32_t hot_threshold = 300000;
};

class Cpu {
  public:
    Cpu(TcgEnv* env, AddressSpace* as, ExecOptions opts, std::unique_ptr<TierCompiler> compiler);
    virtual ~Cpu();
    Cpu(const Cpu&) = delete;
    Cpu& operator=(const Cpu&) = delete;

    // Runs guest blocks until one returns a status other than Continue, or
    // an exit request asks the dispatcher to return (kStatusKicked).
    // Interrupts are taken at block boundaries through take_interrupt().
    uint64_t exec();

    TcgEnv* env() const { return env_; }
    AddressSpace* address_space() const { return as_; }
    const ExecStats& stats() const { return stats_; }
    const TlbStats& tlb_stats() const { return tlb_stats_; }
    TierMode tier() const { return opts_.tier; }
    TierCompiler* compiler() const { return compiler_.get(); }
    BaselineCompiler* baseline() const { return baseline_.get(); }

    // Any thread: make exec() look at exit_request soon.
    void request(uint32_t bits) { env_->exit_request.fetch_or(bits, std::memory_order_release); }

    // Soft TLB management (vCPU thread). Flushes drop the entries and the
    // jump-cache entries of the blocks found through them.
    void tlb_flush();
    // The page of va in every MMU index (the whole index where va lies in a
    // block mapping).
    void tlb_flush_page(uint64_t va);
    void tlb_flush_op(const TlbFlushOp& op);
    // The address-space id (ASID) the guest's translations now use: the
    // TLB tags non-global entries with it and matches them only under it
    // (global ones under any). Switching keeps every ASID's entries: the
    // second level holds them tagged, and the soft TLB of the MMU indexes
    // below kAsidIdx (what generated code reads, untagged) is saved to a
    // bank and the new ASID's bank, if saved, loaded. A KPTI kernel
    // switches on every exception entry and return. The target calls it
    // whenever the ASID register changes (after a full flush too, if the
    // ASID may have changed with it).
    void tlb_set_asid(uint32_t asid);
    uint32_t tlb_asid() const { return asid_; }
    // MMU indexes below this one are tagged with ASIDs and banked.
    static constexpr unsigned kAsidIdx = 2;
    // tlb_flush_op here and on every other vCPU of the address space (the
    // broadcast TLB maintenance of a shareable domain). This vCPU does not
    // run its next block before all others have done it or are outside
    // exec() (they then do it before running any block): what a DSB after
    // a broadcast TLBI guarantees. Waiting never deadlocks: the waiter
    // services operations other vCPUs send it, and returns from exec() on
    // a kick with the wait still pending (it resumes before the next block).
    void tlb_flush_broadcast(const TlbFlushOp& op);
    // Drops every translation that overlaps [pa, pa+len) (vCPU thread).
    void invalidate_phys_range(uint64_t pa, uint64_t len);
    void tb_flush();

    // Slow paths used by tcg/exec/softmmu.cpp.
    // Finds or fills the TLB entry for va; on a fault enters the guest
    // exception and returns its status.
    uint64_t tlb_fill(uint64_t va, Access access, unsigned mmu_idx, uint64_t pc, TlbEntry** out);
    // Physical address for a va whose entry was just filled.
    uint64_t iotlb_pa(uint64_t va, unsigned mmu_idx) const;
    // A store hit a page that holds translated code.
    void notdirty_write(uint64_t va, unsigned mmu_idx, unsigned size);

    // --- target hooks ---
    // The mode key for blocks translated at the current state.
    virtual uint64_t tb_flags() = 0;
    virtual unsigned fetch_mmu_idx(uint64_t flags) = 0;
    // Fills b (guest_pc/flags preset) with IR; false if the first
    // instruction could not be fetched.
    virtual bool translate_block(Block* b, CodeReader& code) = 0;
    // The page walk (identity while the MMU is off). False on a fault.
    virtual bool mmu_translate(uint64_t va, Access access, unsigned mmu_idx, PageTranslation* out,
                               FaultKind* fault) = 0;
    // Enters the guest exception for a memory fault; returns its status.
    virtual uint64_t raise_mem_fault(uint64_t va, Access access, FaultKind kind, uint64_t pc,
                                     bool is_write) = 0;
    // Called at a block boundary when kRequestInterrupt is set; takes a
    // pending, unmasked interrupt (updating env->pc). Returns whether the
    // request should stay set (e.g. the line is still asserted but masked).
    virtual bool take_interrupt() = 0;
    // Debugger watchpoints (gdbstub). A page for which watch_page() is true
    // gets kTlbWatch on its read/write tags when its entry is filled, so
    // every access to it takes the slow path, which calls
    // check_watchpoint() before the access; a non-zero status ends the
    // access and leaves the block with it (nothing was read or written).
    // The target flushes the TLB when its watchpoints change.
    virtual bool watch_page(uint64_t va_page, Access access) { return false; }
    virtual uint64_t check_watchpoint(uint64_t va, unsigned size, bool write, uint64_t pc) {
        return kStatusContinue;
    }
    // Logging hooks for -d in_asm / cpu.
    virtual std::string disassemble_guest(uint64_t pc, uint32_t bytes) { return {}; }
    virtual std::string dump_state() = 0;

  protected:
    void invalidate_tb(TranslationBlock* tb);
    // The memory map snapshot of the last TLB flush (page walks may read
    // descriptors through it: a map change flushes the TLB first).
    const FlatView* flat_view() const { return view_.get(); }

  private:
    class Reader;
    class PhysReader;
    struct Key {
        uint64_t phys_pc;
        uint64_t flags;
        bool operator==(const Key&) const = default;
    };
    struct KeyHash {
        uint64_t operator()(const Key& k) const {
            return mix64(k.phys_pc ^ (k.flags * 0xff51afd7ed558ccdull));
        }
    };
    struct PageHash {
        uint64_t operator()(uint64_t page) const { return mix64(page); }
    };
    struct IoTlb {
        uint64_t pa_page;  // | kIoTlbGlobal: filled from a global translation
    };
    static constexpr uint64_t kIoTlbGlobal = 1;

    TranslationBlock* find_tb(uint64_t pc, uint64_t flags, uint64_t* status);
    TranslationBlock* translate(uint64_t pc, uint64_t phys_pc, uint64_t flags, uint64_t* status);
    // Verification (debug builds, EMU_VERIFY_IR) and the optimisation
    // passes; aborts on IR that does not verify.
    void finish_ir(Block& b);
    // Rebuilds a block's IR from the guest code on its physical pages (the
    // block is invalidated when that code changes, so this gives the IR it
    // was built from). False if the code cannot be read as it was.
    bool retranslate(const TranslationBlock* tb, Block* out);
    // Lowers the block for the interpreter if that has not happened yet.
    bool ensure_interp(TranslationBlock* tb);
    // ir: the block's IR if at hand (else it is rebuilt).
    void maybe_tier_up(TranslationBlock* tb, const Block* ir = nullptr);
    // A region around a hot block that loops back to itself through other
    // blocks (region.cpp): true if one was submitted.
    bool form_region(TranslationBlock* head);
    // What the second tier calls back with a block's (or region's) code.
    TierCompiler::Done tier_up_done(TbRef ref);
    void page_link(TranslationBlock* tb, unsigned n);
    // Returns whether the page has no blocks left.
    bool page_unlink(TranslationBlock* tb, unsigned n);
    void compile_baseline(TranslationBlock* tb, const Block& b);
    static void baseline_hot(void* env, void* tb);
    void unlink_exit(TranslationBlock* src, int slot);
    bool link_exit(TranslationBlock* from, unsigned slot, TranslationBlock* to);
    void handle_requests(uint32_t req);
    void mark_code_page(uint64_t pa_page);
    void set_tlb_notdirty(uint64_t pa_page);
    void reset_tlb_entry_notdirty(uint64_t pa_page);

    TcgEnv* env_;
    AddressSpace* as_;
    ExecOptions opts_;
    std::unique_ptr<TierCompiler> compiler_;
    std::unique_ptr<BaselineCompiler> baseline_;
    bool flushing_ = false;
    std::shared_ptr<const FlatView> view_;
    IoTlb iotlb_[kNumMmuIdx][kTlbSize];
    // Second-level TLB behind env->tlb: the page walk's results, looked
    // up by tlb_fill before walking. The soft TLB (1 MiB per MMU index) is
    // far smaller than the working sets of bzip2 or sort, whose misses were
    // a third of their time in page walks. Every flush bumps the
    // generation instead of clearing 16K entries (a page flush clears that
    // page's entries), so flushes cost what they did.
    //
    // Non-global entries carry the ASID they were walked under and match
    // only under it, so an ASID switch keeps them all. Sets of four ways:
    // a KPTI kernel has the same kernel page under two ASIDs.
    struct L2Tlb {
        uint64_t tag;  // va page | mmu_idx
        uint64_t gen;
        uint32_t asid;
        PageTranslation pt;
    };
    static constexpr unsigned kL2TlbBits = 14, kL2Ways = 4;
    std::unique_ptr<L2Tlb[]> l2tlb_ = std::make_unique<L2Tlb[]>(1u << kL2TlbBits);
    uint64_t l2gen_ = 1;  // entries start at generation 0: empty
    unsigned l2victim_ = 0;
    // Where the second level holds entries of block mappings (as large_
    // for the soft TLB, but since the last generation bump, any ASID).
    bool l2large_[kNumMmuIdx] = {};
    uint64_t l2large_addr_[kNumMmuIdx] = {};
    uint64_t l2large_mask_[kNumMmuIdx] = {};
    L2Tlb* l2tlb_set(uint64_t va, unsigned mmu_idx) {
        constexpr unsigned kSets = (1u << kL2TlbBits) / kL2Ways;
        return &l2tlb_[(((va >> kPageBits) * 4 + mmu_idx) & (kSets - 1)) * kL2Ways];
    }
    void l2_flush();
    void l2_flush_asid(uint32_t asid);

    // Saved soft TLBs of the ASID-tagged MMU indexes (tlb_set_asid). Every
    // invalidation applies to them as to the live one: TLBI by VA drops the
    // page (the bank, if in one of its block mappings), by ASID that ASID's
    // bank, anything wider all banks; write-protection of code pages
    // (NOTDIRTY) is set and cleared in them too.
    struct TlbBank {
        bool used = false;
        bool has_global = false;
        uint32_t asid = 0;
        uint64_t stamp = 0;  // last saved: the oldest is reused
        bool large[kAsidIdx] = {};
        uint64_t large_addr[kAsidIdx] = {};
        uint64_t large_mask[kAsidIdx] = {};
        TlbEntry tlb[kAsidIdx][kTlbSize];
        IoTlb iotlb[kAsidIdx][kTlbSize];
    };
    static constexpr unsigned kTlbBanks = 8;
    std::unique_ptr<TlbBank[]> banks_ = std::make_unique<TlbBank[]>(kTlbBanks);
    // f(tlb, iotlb) for every soft TLB of the MMU indexes in `mask`: the
    // live ones and those of the saved banks (which come back on an ASID
    // switch, so whatever applies to the live TLB applies to them too).
    template <class F>
    void for_each_soft_tlb(uint16_t mask, F&& f) {
        for (unsigned m = 0; m < kNumMmuIdx; ++m)
            if (mask & (1u << m)) f(env_->tlb[m], iotlb_[m]);
        for (unsigned b = 0; b < kTlbBanks; ++b) {
            if (!banks_[b].used) continue;
            for (unsigned m = 0; m < kAsidIdx; ++m)
                if (mask & (1u << m)) f(banks_[b].tlb[m], banks_[b].iotlb[m]);
        }
    }
    uint64_t bank_stamp_ = 0;
    uint32_t asid_ = 0;
    // The live soft TLB (banked indexes) may hold global entries: a switch
    // keeps them in slots the incoming bank leaves empty.
    bool live_global_ = false;
    void banks_drop() {
        for (unsigned i = 0; i < kTlbBanks; ++i)
            banks_[i].used = false;
    }

    FlatTable<Key, TbRef, KeyHash> tbs_{14};
    // Physical page -> its blocks (tagged head of the list through
    // TranslationBlock::page_next/page_prev).
    FlatTable<uint64_t, uintptr_t, PageHash> page_tbs_{12};
    // The IR of the block being translated: one per vCPU, reused (its
    // storage stays allocated), never kept by the blocks.
    Block scratch_;
    const bool verify_ir_;
    std::vector<TbRef> graveyard_;  // invalidated while possibly running
    static constexpr unsigned kJmpCacheBits = 12;
    TranslationBlock* jmp_cache_[1u << kJmpCacheBits] = {};
    // The same cache as first-tier code reads it (BaselineCompiler::
    // IndirectLookup): entries of baseline blocks only.
    BaselineCompiler::JumpCacheEntry jmp_fast_[1u << kJmpCacheBits];
    // Slots filled since the last clear: a TLB flush (every TLBI) then
    // clears those instead of 160 KiB of cache, unless there are many.
    std::vector<uint16_t> jmp_used_;
    bool jmp_all_dirty_ = true;  // until the first full clear (jmp_fast_ starts uninitialised)
    void jmp_cache_clear();
    void jmp_cache_put(unsigned h, TranslationBlock* tb);
    // -d out_asm: the second tier's code of tb, once it is installed.
    void log_tiered_code(const TranslationBlock* tb);
    // Fills jmp_fast_[h] for tb in whichever tier now runs it.
    void jmp_fast_set(unsigned h, TranslationBlock* tb);
    void jmp_cache_clear_page(uint64_t va_page, uint64_t len);
    // The soft TLB of one MMU index, live and saved.
    void tlb_flush_idx(unsigned idx);
    void tlb_flush_asid(uint16_t mask, uint32_t asid);
    void tlb_flush_lower_half(uint16_t mask);
    // Applies remote TLB operations and acknowledges them.
    void service_tlb_ops();
    // True once every vCPU this one broadcast to has acknowledged; false
    // when a request for this vCPU arrived first (the dispatcher handles
    // it and calls again).
    bool tlb_sync_wait();
    // Where each MMU index holds entries of block mappings: the smallest
    // naturally aligned range covering all of them.
    bool large_[kNumMmuIdx] = {};
    uint64_t large_addr_[kNumMmuIdx] = {};
    uint64_t large_mask_[kNumMmuIdx] = {};
    TlbStats tlb_stats_;
    // Compiled blocks other compiled code jumps into (TierCompiler::link),
    // by CompiledFn, to attribute the slot a linked chain returns.
    std::unordered_map<uint64_t, TranslationBlock*> chain_owner_;
    ExecStats stats_;
    int in_exec_ = 0;

    // Cross-vCPU: pages other vCPUs wrote (their code must go) and the
    // memory-map listener.
    friend class CodePageRegistry;
    std::mutex pending_lock_;
    std::vector<uint64_t> pending_invalidate_;
    std::vector<uint64_t> pending_tlb_pages_;
    // Pages other vCPUs hold translated code of: writes take the slow path
    // so that they can invalidate it (dropped on the first such write,
    // which makes every vCPU invalidate the page).
    std::unordered_set<uint64_t> remote_code_;
    // Broadcast TLB maintenance (tlb_flush_broadcast): operations other
    // vCPUs sent, the generation of the last one (under pending_lock_) and
    // of the last one done; whether exec() may run blocks now; and the
    // vCPUs with the generation this one waits for.
    std::vector<TlbFlushOp> pending_tlb_ops_;
    uint64_t tlb_ops_posted_ = 0;
    std::atomic<uint64_t> tlb_ops_done_{0};
    std::atomic<bool> running_{false};
    std::vector<std::pair<Cpu*, uint64_t>> tlb_sync_;
    // Second-tier code that arrived for first-tier blocks. Shared with the
    // compile callbacks, which may outlive this Cpu (the LLVM worker is
    // shared by all vCPUs): `cpu` is cleared when the Cpu goes away.
    struct TierUpMailbox {
        std::mutex lock;
        Cpu* cpu = nullptr;
        std::vector<TbRef> blocks;
    };
    std::shared_ptr<TierUpMailbox> tiered_ = std::make_shared<TierUpMailbox>();
    class MapListener;
    std::unique_ptr<MapListener> listener_;
};

}  // namespace emu::tcg

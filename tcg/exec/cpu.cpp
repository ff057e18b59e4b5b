#include "tcg/exec/cpu.h"

#include <algorithm>
#include <bit>
#include <chrono>
#include <cinttypes>
#include <condition_variable>
#include <cstdlib>
#include <cstring>

#include "tcg/opt/passes.h"
#include "util/log.h"

namespace emu::tcg {

namespace {
// env->reserved1 after a chain: first-tier blocks store their
// TranslationBlock pointer with this bit set (compile_baseline), second-tier
// blocks their CompiledFn (found in chain_owner_).
constexpr uint64_t kOwnerTag = 1;
}  // namespace

// vCPUs sharing an address space: a store to a page one vCPU translated
// must drop the others' translations too, and a page that becomes code
// must lose its fast write path in every vCPU's TLB.
class CodePageRegistry {
  public:
    static CodePageRegistry& instance() {
        static CodePageRegistry r;
        return r;
    }
    void add(Cpu* c) {
        std::lock_guard<std::mutex> g(lock_);
        cpus_.push_back(c);
    }
    void remove(Cpu* c) {
        std::lock_guard<std::mutex> g(lock_);
        std::erase(cpus_, c);
    }
    void code_added(Cpu* who, uint64_t pa_page) { broadcast(who, pa_page, false); }
    void code_written(Cpu* who, uint64_t pa_page) { broadcast(who, pa_page, true); }

    // Queues op on every other vCPU of who's address space and records in
    // who->tlb_sync_ the generation each must reach.
    void tlb_broadcast(Cpu* who, const TlbFlushOp& op) {
        {
            std::lock_guard<std::mutex> g(lock_);
            for (Cpu* c : cpus_) {
                if (c == who || c->address_space() != who->address_space()) continue;
                uint64_t gen;
                {
                    std::lock_guard<std::mutex> pg(c->pending_lock_);
                    // A vCPU outside exec() (powered off, halted) collects
                    // operations: past a few, one full flush does them all.
                    if (c->pending_tlb_ops_.size() >= kMaxPendingTlbOps) {
                        c->pending_tlb_ops_.clear();
                        c->pending_tlb_ops_.push_back(TlbFlushOp{0xffff, true, 0});
                    } else {
                        c->pending_tlb_ops_.push_back(op);
                    }
                    gen = ++c->tlb_ops_posted_;
                }
                // seq_cst: pairs with running_ in exec() (see synced()).
                c->env_->exit_request.fetch_or(kRequestTlbOps, std::memory_order_seq_cst);
                auto it = std::find_if(who->tlb_sync_.begin(), who->tlb_sync_.end(),
                                       [&](auto& p) { return p.first == c; });
                if (it != who->tlb_sync_.end()) {
                    it->second = gen;
                } else {
                    who->tlb_sync_.emplace_back(c, gen);
                }
            }
        }
        // A vCPU waiting for its own broadcast must service this one.
        cv_.notify_all();
    }

    // A vCPU acknowledged operations or left exec(): waiters re-check.
    void tlb_progress() {
        std::lock_guard<std::mutex> g(lock_);
        cv_.notify_all();
    }

    // Waits until every vCPU in who->tlb_sync_ has done its operations, or
    // is outside exec() (it does them before running a block: it stored
    // running_ = true before loading exit_request, we stored the request
    // before loading running_), or is gone. False when a request for who
    // itself arrived first.
    bool tlb_wait(Cpu* who) {
        std::unique_lock<std::mutex> g(lock_);
        for (;;) {
            std::erase_if(who->tlb_sync_, [&](auto& p) {
                Cpu* c = p.first;
                if (std::find(cpus_.begin(), cpus_.end(), c) == cpus_.end()) return true;
                return c->tlb_ops_done_.load(std::memory_order_seq_cst) >= p.second ||
                       !c->running_.load(std::memory_order_seq_cst);
            });
            if (who->tlb_sync_.empty()) return true;
            // Interrupts wait until the broadcast completes; everything
            // else (another vCPU's operations, kicks) is handled first.
            if (who->env_->exit_request.load(std::memory_order_seq_cst) & ~kRequestInterrupt) {
                return false;
            }
            cv_.wait_for(g, std::chrono::milliseconds(1));
        }
    }

  private:
    static constexpr size_t kMaxPendingTlbOps = 64;
    void broadcast(Cpu* who, uint64_t pa_page, bool written) {
        std::lock_guard<std::mutex> g(lock_);
        for (Cpu* c : cpus_) {
            if (c == who || c->address_space() != who->address_space()) continue;
            {
                std::lock_guard<std::mutex> pg(c->pending_lock_);
                (written ? c->pending_invalidate_ : c->pending_tlb_pages_).push_back(pa_page);
            }
            c->request(kRequestInvalidate);
        }
    }
    std::mutex lock_;
    std::condition_variable cv_;
    std::vector<Cpu*> cpus_;
};

class Cpu::MapListener : public MemoryListener {
  public:
    explicit MapListener(Cpu* c) : cpu_(c) {}
    void commit() override { cpu_->request(kRequestTlbFlush); }

  private:
    Cpu* cpu_;
};

class Cpu::Reader : public CodeReader {
  public:
    Reader(Cpu* c, unsigned mmu_idx) : cpu_(c), mmu_idx_(mmu_idx) {}
    bool fetch32(uint64_t va, uint32_t* word) override {
        if (va & 3) return false;
        TlbEntry* e = &cpu_->env_->tlb[mmu_idx_][(va >> kPageBits) & (kTlbSize - 1)];
        if ((e->addr_code & ~kTlbFlagMask) != (va & kPageMask) || e->addr_code == kTlbInvalid) {
            // Probe without raising: the dispatcher raises the fetch fault
            // itself for the first instruction.
            PageTranslation pt;
            FaultKind fk;
            if (!cpu_->mmu_translate(va, Access::Fetch, mmu_idx_, &pt, &fk)) return false;
            uint64_t status = cpu_->tlb_fill(va, Access::Fetch, mmu_idx_, va, &e);
            if (status || e->addr_code == kTlbInvalid) return false;
        }
        uint64_t pa = cpu_->iotlb_pa(va, mmu_idx_);
        if (!(e->addr_code & kTlbMmio)) {
            std::memcpy(word, reinterpret_cast<void*>(va + e->addend), 4);
        } else if (cpu_->as_->read(pa, word, 4) != MemTxResult::Ok) {
            return false;
        }
        uint64_t page = pa & kPageMask;
        if (npages == 0 || (npages < 2 && pages[npages - 1] != page)) pages[npages++] = page;
        return true;
    }
    // The physical pages the code lies on, in fetch order (a block spans
    // two at most).
    uint64_t pages[2] = {~0ull, ~0ull};
    unsigned npages = 0;

  private:
    Cpu* cpu_;
    unsigned mmu_idx_;
};

// Reads a block's code again from its physical pages (Cpu::retranslate):
// the virtual page of the block's start maps to phys_page[0], the next one
// to phys_page[1]; only RAM and ROM are read (no device side effects).
class Cpu::PhysReader : public CodeReader {
  public:
    PhysReader(const TranslationBlock* tb, const FlatView* view) : tb_(tb), view_(view) {}
    bool fetch32(uint64_t va, uint32_t* word) override {
        if ((va & 3) || !view_) return false;
        uint64_t base = tb_->pc & kPageMask, page = va & kPageMask;
        unsigned n;
        if (page == base) {
            n = 0;
        } else if (page == base + kPageSize) {
            n = 1;
        } else {
            return false;
        }
        if (tb_->phys_page[n] == ~0ull) return false;
        uint64_t pa = tb_->phys_page[n] | (va & ~kPageMask);
        const FlatRange* r = view_->lookup(pa);
        if (!r || r->is_io() || pa < r->start || pa + 4 > r->end()) return false;
        std::memcpy(word, r->host_ptr() + (pa - r->start), 4);
        return true;
    }

  private:
    const TranslationBlock* tb_;
    const FlatView* view_;
};

namespace {
// IR verification costs ~1 us per block: on in debug builds and when
// EMU_VERIFY_IR is set (the unit tests verify their blocks themselves).
bool verify_ir_enabled() {
#ifndef NDEBUG
    return true;
#else
    const char* v = std::getenv("EMU_VERIFY_IR");
    return v && *v && std::strcmp(v, "0") != 0;
#endif
}

TranslationBlock* untag(uintptr_t p) {
    return reinterpret_cast<TranslationBlock*>(p & ~uintptr_t(1));
}
uintptr_t tag(TranslationBlock* tb, unsigned n) {
    return reinterpret_cast<uintptr_t>(tb) | n;
}
}  // namespace

Cpu::Cpu(TcgEnv* env, AddressSpace* as, ExecOptions opts, std::unique_ptr<TierCompiler> compiler)
    : env_(env),
      as_(as),
      opts_(opts),
      compiler_(std::move(compiler)),
      verify_ir_(verify_ir_enabled()) {
    env_->cpu = this;
    tiered_->cpu = this;
    if (opts_.tier == TierMode::Baseline || opts_.tier == TierMode::Auto) {
        if (auto factory = baseline_compiler_factory()) {
            std::string err;
            baseline_ = factory(&err);
            if (!baseline_)
                log_mask(LOG_GUEST_ERROR, "baseline tier unavailable: %s\n", err.c_str());
        }
    }
    tlb_flush();
    if (compiler_) {
        // Second-tier code continues through this vCPU's jump cache.
        TierCompiler::CrossTier ct;
        ct.table = {jmp_fast_, kJmpCacheBits, 0};
        ct.enter_linked = baseline_ ? baseline_->enter_linked() : nullptr;
        compiler_->set_cross_tier(ct);
    }
    CodePageRegistry::instance().add(this);
    if (as_) {
        listener_ = std::make_unique<MapListener>(this);
        as_->add_listener(listener_.get());
    }
}

Cpu::~Cpu() {
    {
        std::lock_guard<std::mutex> g(tiered_->lock);
        tiered_->cpu = nullptr;
    }
    if (as_ && listener_) as_->remove_listener(listener_.get());
    CodePageRegistry::instance().remove(this);
}

void Cpu::jmp_cache_clear() {
    // No mode key is all ones, so an empty entry never matches.
    if (!jmp_all_dirty_ && jmp_used_.size() < (1u << kJmpCacheBits) / 8) {
        for (uint16_t h : jmp_used_) {
            jmp_cache_[h] = nullptr;
            jmp_fast_[h] = {0, ~0ull, nullptr, 0};
        }
    } else {
        std::memset(jmp_cache_, 0, sizeof jmp_cache_);
        for (auto& e : jmp_fast_)
            e = {0, ~0ull, nullptr, 0};
        jmp_all_dirty_ = false;
    }
    jmp_used_.clear();
}

namespace {

constexpr TlbEntry kInvalidEntry = {kTlbInvalid, kTlbInvalid, kTlbInvalid, 0};
constexpr uint16_t kAllIdx = (1u << kNumMmuIdx) - 1;

// The address with its top byte replaced by copies of bit 55: the TLB
// tag compare sees tagged addresses (TBI) as distinct, the guest's
// invalidations name the page without a tag.
uint64_t untagged(uint64_t va) {
    return static_cast<uint64_t>(static_cast<int64_t>(va << 8) >> 8);
}

}  // namespace

void Cpu::jmp_cache_clear_page(uint64_t va_page, uint64_t len) {
    if (jmp_all_dirty_) {
        jmp_cache_clear();
        return;
    }
    // Blocks starting in the range, and on the page before it (they may
    // run into it). Every filled slot is in jmp_used_.
    for (uint16_t h : jmp_used_) {
        TranslationBlock* tb = jmp_cache_[h];
        if (!tb) continue;
        uint64_t off = (untagged(tb->pc) & kPageMask) - (va_page - kPageSize);
        if (off < len + kPageSize) {
            jmp_cache_[h] = nullptr;
            jmp_fast_[h] = {0, ~0ull, nullptr, 0};
        }
    }
}

void Cpu::tlb_flush() {
    ++tlb_stats_.flush_full;
    for (auto& per_idx : env_->tlb) {
        for (TlbEntry& e : per_idx)
            e = kInvalidEntry;
    }
    l2_flush();
    banks_drop();
    live_global_ = false;
    for (unsigned m = 0; m < kNumMmuIdx; ++m)
        large_[m] = false;
    jmp_cache_clear();
    if (as_) view_ = as_->view();
}

void Cpu::l2_flush() {
    ++l2gen_;
    for (unsigned m = 0; m < kNumMmuIdx; ++m)
        l2large_[m] = false;
}

void Cpu::l2_flush_asid(uint32_t asid) {
    for (unsigned i = 0; i < (1u << kL2TlbBits); ++i) {
        L2Tlb& l = l2tlb_[i];
        if (l.gen == l2gen_ && !l.pt.global && l.asid == asid) l.gen = 0;
    }
}

void Cpu::tlb_flush_idx(unsigned m) {
    for (TlbEntry& e : env_->tlb[m])
        e = kInvalidEntry;
    large_[m] = false;
    l2_flush();
    if (m < kAsidIdx) banks_drop();
}

void Cpu::tlb_flush_asid(uint16_t mask, uint32_t asid) {
    l2_flush_asid(asid);
    for (unsigned i = 0; i < kTlbBanks; ++i) {
        if (banks_[i].asid == asid) banks_[i].used = false;
    }
    if (asid != asid_) {
        // The live soft TLB holds entries of the current ASID and global
        // ones only.
        ++tlb_stats_.flush_skipped;
        for (unsigned m = kAsidIdx; m < kNumMmuIdx; ++m) {
            if (mask & (1u << m)) tlb_flush_idx(m);
        }
        return;
    }
    ++tlb_stats_.flush_idx;
    for (unsigned m = 0; m < kNumMmuIdx; ++m) {
        if (!(mask & (1u << m))) continue;
        if (m >= kAsidIdx) {
            tlb_flush_idx(m);
            continue;
        }
        for (TlbEntry& e : env_->tlb[m])
            e = kInvalidEntry;
        large_[m] = false;
    }
    jmp_cache_clear();
}

namespace {
// The valid tags of an entry share its page address; an invalid tag (all
// ones) has bit 55 set: the AND has it clear exactly for lower-half entries.
bool lower_half_entry(const TlbEntry& e) {
    return !((e.addr_read & e.addr_write & e.addr_code) >> 55 & 1);
}
bool valid_entry(const TlbEntry& e) {
    return (e.addr_read & e.addr_write & e.addr_code) != kTlbInvalid;
}
}  // namespace

void Cpu::tlb_set_asid(uint32_t asid) {
    if (asid == asid_) return;
    ++tlb_stats_.asid_switches;
    // Save the live banked indexes: into a free bank, else the oldest.
    TlbBank* out = nullptr;
    TlbBank* in = nullptr;
    for (unsigned i = 0; i < kTlbBanks; ++i) {
        TlbBank& b = banks_[i];
        if (b.used && b.asid == asid) in = &b;
        if (!b.used && (!out || out->used)) out = &b;
        if (b.used && b.asid != asid && (!out || (out->used && b.stamp < out->stamp))) out = &b;
    }
    if (out) {
        out->used = true;
        out->has_global = live_global_;
        out->asid = asid_;
        out->stamp = ++bank_stamp_;
        for (unsigned m = 0; m < kAsidIdx; ++m) {
            out->large[m] = large_[m];
            out->large_addr[m] = large_addr_[m];
            out->large_mask[m] = large_mask_[m];
        }
        std::memcpy(out->tlb, env_->tlb, sizeof out->tlb);
        std::memcpy(out->iotlb, iotlb_, sizeof out->iotlb);
    }
    bool keep_global = live_global_;
    live_global_ = false;
    if (in) {
        ++tlb_stats_.bank_hits;
        in->used = false;
        for (unsigned m = 0; m < kAsidIdx; ++m) {
            // Global entries kept below may lie in the outgoing ASID's block
            // ranges: the union covers both.
            if (keep_global && large_[m]) {
                uint64_t mask = large_mask_[m];
                if (in->large[m]) {
                    mask &= in->large_mask[m];
                    while ((large_addr_[m] ^ in->large_addr[m]) & mask)
                        mask <<= 1;
                }
                large_mask_[m] = mask;
                large_addr_[m] &= mask;
            } else {
                large_[m] = in->large[m];
                large_addr_[m] = in->large_addr[m];
                large_mask_[m] = in->large_mask[m];
            }
        }
        live_global_ = in->has_global;
        if (!keep_global) {
            std::memcpy(env_->tlb, in->tlb, sizeof in->tlb);
            std::memcpy(iotlb_, in->iotlb, sizeof in->iotlb);
        } else {
            for (unsigned m = 0; m < kAsidIdx; ++m) {
                for (unsigned i = 0; i < kTlbSize; ++i) {
                    if (!valid_entry(in->tlb[m][i]) && (iotlb_[m][i].pa_page & kIoTlbGlobal) &&
                        valid_entry(env_->tlb[m][i])) {
                        live_global_ = true;
                        continue;
                    }
                    env_->tlb[m][i] = in->tlb[m][i];
                    iotlb_[m][i] = in->iotlb[m][i];
                }
            }
        }
    } else {
        for (unsigned m = 0; m < kAsidIdx; ++m) {
            bool any = false;
            for (unsigned i = 0; i < kTlbSize; ++i) {
                if (keep_global && (iotlb_[m][i].pa_page & kIoTlbGlobal) &&
                    valid_entry(env_->tlb[m][i])) {
                    any = true;
                    continue;
                }
                env_->tlb[m][i] = kInvalidEntry;
            }
            live_global_ |= any;
            large_[m] = large_[m] && any;
        }
    }
    asid_ = asid;
    // Blocks were found through the outgoing ASID's mappings.
    jmp_cache_clear();
}

void Cpu::tlb_flush_lower_half(uint16_t mask) {
    ++tlb_stats_.flush_lower;
    l2_flush();
    for_each_soft_tlb(mask, [](TlbEntry* tlb, const IoTlb*) {
        for (unsigned i = 0; i < kTlbSize; ++i) {
            if (lower_half_entry(tlb[i])) tlb[i] = kInvalidEntry;
        }
    });
    if (jmp_all_dirty_) {
        jmp_cache_clear();
        return;
    }
    for (uint16_t h : jmp_used_) {
        TranslationBlock* tb = jmp_cache_[h];
        if (tb && !(tb->pc >> 55 & 1)) {
            jmp_cache_[h] = nullptr;
            jmp_fast_[h] = {0, ~0ull, nullptr, 0};
        }
    }
}

void Cpu::tlb_flush_op(const TlbFlushOp& op) {
    uint16_t mask = op.idx_mask & kAllIdx;
    if (op.all && op.lower_half) {
        tlb_flush_lower_half(mask);
        return;
    }
    if (op.all) {
        if (op.asid >= 0) {
            tlb_flush_asid(mask, static_cast<uint32_t>(op.asid));
            return;
        }
        if (mask == kAllIdx) {
            tlb_flush();
            return;
        }
        ++tlb_stats_.flush_idx;
        for (unsigned m = 0; m < kNumMmuIdx; ++m)
            if (mask & (1u << m)) tlb_flush_idx(m);
        jmp_cache_clear();
        return;
    }
    // A granule is at most 64 KiB, and blocks are aligned to at least
    // 2 MiB: the range lies in a block if its first page does.
    uint64_t len = std::bit_ceil(std::clamp<uint64_t>(op.len, kPageSize, kTlbSize * kPageSize));
    uint64_t va = untagged(op.va) & kPageMask & ~(len - 1);
    bool whole = false, l2_whole = false;
    for (unsigned m = 0; m < kNumMmuIdx; ++m) {
        if (!(mask & (1u << m))) continue;
        // Every ASID's entries of the page (a by-VA operation with an ASID
        // drops the others too: over-invalidation is allowed).
        if (l2large_[m] && ((va ^ l2large_addr_[m]) & l2large_mask_[m]) == 0) {
            l2_whole = true;
        } else {
            for (uint64_t off = 0; off < len; off += kPageSize) {
                L2Tlb* set = l2tlb_set(va + off, m);
                for (unsigned w = 0; w < kL2Ways; ++w)
                    set[w].gen = 0;
            }
        }
        if (m < kAsidIdx) {
            for (unsigned i = 0; i < kTlbBanks; ++i) {
                TlbBank& b = banks_[i];
                if (!b.used) continue;
                if (b.large[m] && ((va ^ b.large_addr[m]) & b.large_mask[m]) == 0) {
                    b.used = false;
                    continue;
                }
                for (uint64_t off = 0; off < len; off += kPageSize)
                    b.tlb[m][((va + off) >> kPageBits) & (kTlbSize - 1)] = kInvalidEntry;
            }
        }
        if (large_[m] && ((va ^ large_addr_[m]) & large_mask_[m]) == 0) {
            // Inside a block mapping: its 4 KiB pieces sit in other slots.
            for (TlbEntry& e : env_->tlb[m])
                e = kInvalidEntry;
            large_[m] = false;
            whole = true;
            continue;
        }
        for (uint64_t off = 0; off < len; off += kPageSize)
            env_->tlb[m][((va + off) >> kPageBits) & (kTlbSize - 1)] = kInvalidEntry;
    }
    if (l2_whole) l2_flush();
    if (whole) {
        ++tlb_stats_.flush_idx;
        jmp_cache_clear();
    } else {
        ++tlb_stats_.flush_page;
        jmp_cache_clear_page(va, len);
    }
}

void Cpu::tlb_flush_page(uint64_t va) {
    tlb_flush_op(TlbFlushOp{kAllIdx, false, va});
}

void Cpu::tlb_flush_broadcast(const TlbFlushOp& op) {
    tlb_flush_op(op);
    ++tlb_stats_.broadcasts;
    CodePageRegistry::instance().tlb_broadcast(this, op);
}

void Cpu::service_tlb_ops() {
    std::vector<TlbFlushOp> ops;
    uint64_t gen;
    {
        std::lock_guard<std::mutex> g(pending_lock_);
        ops.swap(pending_tlb_ops_);
        gen = tlb_ops_posted_;
    }
    for (const TlbFlushOp& op : ops)
        tlb_flush_op(op);
    tlb_stats_.remote_ops += ops.size();
    tlb_ops_done_.store(gen, std::memory_order_seq_cst);
    CodePageRegistry::instance().tlb_progress();
}

bool Cpu::tlb_sync_wait() {
    auto t0 = std::chrono::steady_clock::now();
    bool done = CodePageRegistry::instance().tlb_wait(this);
    ++tlb_stats_.sync_waits;
    tlb_stats_.sync_wait_ns +=
        std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - t0)
            .count();
    return done;
}

uint64_t Cpu::iotlb_pa(uint64_t va, unsigned mmu_idx) const {
    return (iotlb_[mmu_idx][(va >> kPageBits) & (kTlbSize - 1)].pa_page & kPageMask) |
           (va & ~kPageMask);
}

uint64_t Cpu::tlb_fill(uint64_t va, Access access, unsigned mmu_idx, uint64_t pc, TlbEntry** out) {
    PageTranslation pt;
    FaultKind fk;
    // The second level caches walk results: a hit that allows the access
    // skips the walk, everything after it (the entry, NOTDIRTY, watch
    // flags) is built as after a walk. An access it does not allow walks
    // again (and faults precisely).
    L2Tlb* set = l2tlb_set(va, mmu_idx);
    uint64_t l2tag = (va & kPageMask) | mmu_idx;
    L2Tlb* l2 = nullptr;
    for (unsigned w = 0; w < kL2Ways; ++w) {
        L2Tlb& c = set[w];
        if (c.gen == l2gen_ && c.tag == l2tag && (c.pt.global || c.asid == asid_)) {
            l2 = &c;
            break;
        }
    }
    bool l2hit = l2 && (access == Access::Read    ? l2->pt.readable
                        : access == Access::Write ? l2->pt.writable
                                                  : l2->pt.executable);
    if (l2hit) {
        pt = l2->pt;
    } else {
        if (!mmu_translate(va, access, mmu_idx, &pt, &fk)) {
            return raise_mem_fault(va, access, fk, pc, access == Access::Write);
        }
        if (!l2) {
            for (unsigned w = 0; w < kL2Ways && !l2; ++w) {
                if (set[w].gen != l2gen_) l2 = &set[w];
            }
            if (!l2) l2 = &set[l2victim_++ % kL2Ways];
        }
        *l2 = L2Tlb{l2tag, l2gen_, asid_, pt};
    }
    unsigned idx = (va >> kPageBits) & (kTlbSize - 1);
    TlbEntry& e = env_->tlb[mmu_idx][idx];
    uint64_t va_page = va & kPageMask;
    uint64_t pa_page = pt.pa_page & kPageMask;
    iotlb_[mmu_idx][idx].pa_page = pa_page | (pt.global ? kIoTlbGlobal : 0);
    if (pt.global && mmu_idx < kAsidIdx) live_global_ = true;
    if (pt.size > kPageSize) {
        // Widen the index's block ranges (soft TLB and second level) to
        // cover this block too.
        uint64_t base = untagged(va) & ~(pt.size - 1);
        auto widen = [&](bool& large, uint64_t& addr, uint64_t& mask) {
            uint64_t m = ~(pt.size - 1);
            if (large) {
                m &= mask;
                while ((addr ^ base) & m)
                    m <<= 1;
            }
            large = true;
            mask = m;
            addr = base & m;
        };
        widen(large_[mmu_idx], large_addr_[mmu_idx], large_mask_[mmu_idx]);
        widen(l2large_[mmu_idx], l2large_addr_[mmu_idx], l2large_mask_[mmu_idx]);
    }
    const FlatRange* r = view_ ? view_->lookup(pa_page) : nullptr;
    bool whole_page = r && !r->is_io() && r->start <= pa_page && pa_page + kPageSize <= r->end();
    if (whole_page) {
        e.addend = reinterpret_cast<uintptr_t>(r->host_ptr() + (pa_page - r->start)) - va_page;
        e.addr_read = pt.readable ? va_page : kTlbInvalid;
        e.addr_code = pt.executable ? va_page : kTlbInvalid;
        if (!pt.writable) {
            e.addr_write = kTlbInvalid;
        } else if (r->is_rom()) {
            e.addr_write = va_page | kTlbMmio;  // writes go to the address space (discarded)
        } else {
            bool code = page_tbs_.find(pa_page) || remote_code_.count(pa_page);
            e.addr_write = va_page | (code ? kTlbNotDirty : 0);
        }
    } else {
        // Device memory, unmapped space, or a page only partly RAM: every
        // access goes through the address space.
        e.addend = 0;
        e.addr_read = pt.readable ? va_page | kTlbMmio : kTlbInvalid;
        e.addr_write = pt.writable ? va_page | kTlbMmio : kTlbInvalid;
        e.addr_code = pt.executable ? va_page | kTlbMmio : kTlbInvalid;
    }
    if (e.addr_read != kTlbInvalid && watch_page(va_page, Access::Read)) e.addr_read |= kTlbWatch;
    if (e.addr_write != kTlbInvalid && watch_page(va_page, Access::Write)) {
        e.addr_write |= kTlbWatch;
    }
    *out = &e;
    return kStatusContinue;
}

void Cpu::notdirty_write(uint64_t va, unsigned mmu_idx, unsigned size) {
    uint64_t pa = iotlb_pa(va, mmu_idx);
    invalidate_phys_range(pa, size);
    uint64_t page = pa & kPageMask;
    CodePageRegistry::instance().code_written(this, page);
    // The others drop all their code of the page: writes here may take the
    // fast path again unless this vCPU has code on it itself.
    if (remote_code_.erase(page) && !page_tbs_.find(page)) reset_tlb_entry_notdirty(page);
}

void Cpu::mark_code_page(uint64_t pa_page) {
    set_tlb_notdirty(pa_page);
    CodePageRegistry::instance().code_added(this, pa_page);
}

void Cpu::set_tlb_notdirty(uint64_t pa_page) {
    // Existing write entries to this page must take the slow path now,
    // saved ones too (they come back on an ASID switch).
    auto mark = [pa_page](TlbEntry* tlb, const IoTlb* io) {
        for (unsigned i = 0; i < kTlbSize; ++i) {
            TlbEntry& e = tlb[i];
            if (e.addr_write != kTlbInvalid && !(e.addr_write & kTlbMmio) &&
                (io[i].pa_page & kPageMask) == pa_page) {
                e.addr_write |= kTlbNotDirty;
            }
        }
    };
    for_each_soft_tlb(kAllIdx, mark);
}

void Cpu::reset_tlb_entry_notdirty(uint64_t pa_page) {
    if (remote_code_.count(pa_page)) return;
    auto unmark = [pa_page](TlbEntry* tlb, const IoTlb* io) {
        for (unsigned i = 0; i < kTlbSize; ++i) {
            TlbEntry& e = tlb[i];
            if ((e.addr_write & kTlbNotDirty) && (io[i].pa_page & kPageMask) == pa_page) {
                e.addr_write &= ~kTlbNotDirty;
            }
        }
    };
    for_each_soft_tlb(kAllIdx, unmark);
}

void Cpu::invalidate_tb(TranslationBlock* tb) {
    if (!tb->valid) return;
    tb->valid = false;
    ++stats_.blocks_invalidated;
    // Unlink everyone who jumps straight into this block, and our own links.
    for (auto [src, slot] : tb->incoming) {
        if (src->jmp[slot] == tb) {
            src->jmp[slot] = nullptr;
            unlink_exit(src, slot);
        }
    }
    tb->incoming.clear();
    // Regions (region.cpp): a running one stops at its next branch between
    // members, and one that holds this block's code must not run again.
    if (tb->region_head) request(kRequestTierUp);
    for (auto& w : tb->regions)
        if (TbRef head = w.lock()) invalidate_tb(head.get());
    tb->regions.clear();
    if (CompiledFn self = tb->compiled.load(std::memory_order_acquire)) {
        chain_owner_.erase(reinterpret_cast<uint64_t>(self));
    }
    for (int s = 0; s < 2; ++s) {
        unlink_exit(tb, s);
        if (TranslationBlock* dst = tb->jmp[s]) {
            std::erase_if(dst->incoming, [&](auto& p) { return p.first == tb; });
            tb->jmp[s] = nullptr;
        }
    }
    for (unsigned n = 0; n < 2; ++n) {
        if (tb->phys_page[n] == ~0ull) continue;
        if (page_unlink(tb, n)) reset_tlb_entry_notdirty(tb->phys_page[n]);
    }
    if (!flushing_) {
        // Every filled slot is in jmp_used_ (jmp_cache_clear keeps it so).
        for (uint16_t i : jmp_used_) {
            if (jmp_cache_[i] == tb) {
                jmp_cache_[i] = nullptr;
                jmp_fast_[i] = {0, ~0ull, nullptr, 0};
            }
        }
    }
    Key key{tb->phys_pc, tb->flags};
    if (TbRef* ref = tbs_.find(key); ref && ref->get() == tb) {
        // The block may be running right now (a store inside it wrote its
        // own page): keep it alive until the dispatcher is outside it.
        graveyard_.push_back(tbs_.take(key));
    }
}

void Cpu::page_link(TranslationBlock* tb, unsigned n) {
    uintptr_t& head = page_tbs_.get_or_add(tb->phys_page[n]);
    if (!head) mark_code_page(tb->phys_page[n]);
    tb->page_prev[n] = 0;
    tb->page_next[n] = head;
    if (head) untag(head)->page_prev[head & 1] = tag(tb, n);
    head = tag(tb, n);
}

bool Cpu::page_unlink(TranslationBlock* tb, unsigned n) {
    uintptr_t prev = tb->page_prev[n], next = tb->page_next[n];
    if (next) untag(next)->page_prev[next & 1] = prev;
    tb->page_prev[n] = tb->page_next[n] = 0;
    if (prev) {
        untag(prev)->page_next[prev & 1] = next;
        return false;
    }
    uintptr_t* head = page_tbs_.find(tb->phys_page[n]);
    if (!head || untag(*head) != tb) return false;  // not linked
    if (next) {
        *head = next;
        return false;
    }
    page_tbs_.take(tb->phys_page[n]);
    return true;
}

void Cpu::invalidate_phys_range(uint64_t pa, uint64_t len) {
    for (uint64_t page = pa & kPageMask; page < pa + len; page += kPageSize) {
        const uintptr_t* head = page_tbs_.find(page);
        if (!head) continue;
        std::vector<TranslationBlock*> victims;
        for (uintptr_t p = *head; p; p = untag(p)->page_next[p & 1]) {
            TranslationBlock* tb = untag(p);
            uint64_t start = tb->phys_pc, end = tb->phys_pc + tb->size;
            // A block spanning two pages has phys_pc on the first; compare
            // conservatively by page when it crosses.
            bool crosses = tb->phys_page[1] != ~0ull || tb->scattered;
            if (crosses || (pa < end && start < pa + len)) victims.push_back(tb);
        }
        for (TranslationBlock* tb : victims)
            invalidate_tb(tb);
        if (page + kPageSize < page) break;
    }
}

void Cpu::tb_flush() {
    std::vector<TranslationBlock*> all;
    all.reserve(tbs_.size());
    tbs_.for_each([&](const Key&, TbRef& tb) { all.push_back(tb.get()); });
    flushing_ = true;
    for (TranslationBlock* tb : all)
        invalidate_tb(tb);
    flushing_ = false;
    jmp_cache_clear();
}

void Cpu::unlink_exit(TranslationBlock* src, int slot) {
    if (src->baseline && baseline_) baseline_->unlink(src->baseline, slot);
    CompiledFn c = src->compiled.load(std::memory_order_acquire);
    if (c && c != src->baseline && compiler_) compiler_->unlink(c, slot);
}

// Links only within one tier: each tier's code jumps into its own kind.
bool Cpu::link_exit(TranslationBlock* from, unsigned slot, TranslationBlock* to) {
    CompiledFn f = from->compiled.load(std::memory_order_relaxed);
    CompiledFn t = to->compiled.load(std::memory_order_acquire);
    if (!f || !t) return false;
    bool fb = f == from->baseline, tbase = t == to->baseline;
    bool linked = false;
    if (fb && tbase) {
        linked = baseline_ && baseline_->link(f, slot, t);
    } else if (!fb && !tbase && compiler_ && !(reinterpret_cast<uint64_t>(t) & kOwnerTag)) {
        // Second-tier blocks report themselves by CompiledFn: map it back.
        // (An odd function address would read as a first-tier owner tag;
        // such a block is simply not linked.)
        linked = compiler_->link(f, slot, t);
        if (linked) chain_owner_[reinterpret_cast<uint64_t>(t)] = to;
    }
    return linked;
}

void Cpu::baseline_hot(void* env, void* tb) {
    static_cast<TcgEnv*>(env)->cpu->maybe_tier_up(static_cast<TranslationBlock*>(tb));
}

void Cpu::compile_baseline(TranslationBlock* tb, const Block& b) {
    BaselineCompiler::HotHook hot;
    bool tier_up = opts_.tier == TierMode::Auto && compiler_;
    if (tier_up) {
        tb->arm_hot(static_cast<int32_t>(opts_.hot_threshold));
        hot.counter = &tb->hot_left;
        hot.fn = &Cpu::baseline_hot;
        hot.cookie = tb;
    }
    BaselineCompiler::Result res;
    std::string why;
    BaselineCompiler::IndirectLookup ind{jmp_fast_, kJmpCacheBits, b.flags};
    // First-tier blocks entered through their chain entry name their
    // TranslationBlock in reserved1 (tagged), so the exec loop needs no map.
    uint64_t owner = reinterpret_cast<uint64_t>(tb) | kOwnerTag;
    CompiledFn fn = baseline_->compile(b, tier_up ? &hot : nullptr, &res, &why, &ind, owner);
    if (res == BaselineCompiler::Result::Full) {
        // As QEMU on a full code buffer: drop every translation and start
        // over (tb is not in the cache yet, so it survives).
        tb_flush();
        baseline_->reset();
        ++stats_.baseline_flushes;
        fn = baseline_->compile(b, tier_up ? &hot : nullptr, &res, &why, &ind, owner);
    }
    if (!fn) {
        ++stats_.blocks_baseline_rejected;
        return;
    }
    tb->baseline = fn;
    tb->compiled.store(fn, std::memory_order_release);
    ++stats_.blocks_baseline;
}

void Cpu::finish_ir(Block& b) {
    std::string err;
    if (verify_ir_) {
        err = verify(b);
        if (err.empty()) err = optimize(b);
    } else {
        optimize_unchecked(b);
    }
    if (!err.empty()) {
        error_report("internal error: IR for pc 0x%" PRIx64 " does not verify: %s\n%s", b.guest_pc,
                     err.c_str(), print_block(b).c_str());
        std::abort();
    }
}

bool Cpu::retranslate(const TranslationBlock* tb, Block* out) {
    out->insts.clear();
    out->guest_pc = tb->pc;
    out->phys_pc = tb->phys_pc;
    out->flags = tb->flags;
    out->guest_insns = out->guest_bytes = 0;
    out->scattered = false;
    PhysReader reader(tb, view_.get());
    if (!translate_block(out, reader)) return false;
    // Anything but the same code (a page that is no longer RAM, a device
    // read the first time) and the IR may differ: refuse.
    if (out->guest_bytes != tb->size || out->guest_insns != tb->ninsns ||
        out->scattered != tb->scattered) {
        return false;
    }
    finish_ir(*out);
    return true;
}

bool Cpu::ensure_interp(TranslationBlock* tb) {
    if (!tb->interp.code.empty()) return true;
    Block b;
    std::string err;
    if (!retranslate(tb, &b)) return false;
    if (!interp_lower(b, &tb->interp, &err)) {
        error_report("internal error: %s", err.c_str());
        std::abort();
    }
    return true;
}

TranslationBlock* Cpu::translate(uint64_t pc, uint64_t phys_pc, uint64_t flags, uint64_t* status) {
    auto t0 = std::chrono::steady_clock::now();
    Block& block = scratch_;
    block.insts.clear();  // keeps its storage: no per-block growth
    block.guest_pc = pc;
    block.phys_pc = phys_pc;
    block.flags = flags;
    block.guest_insns = block.guest_bytes = 0;
    block.scattered = false;
    Reader reader(this, fetch_mmu_idx(flags));
    if (!translate_block(&block, reader)) {
        // The page walk decides the kind; a mapped page that cannot be
        // read (nothing there, or a device refusing) is an external abort.
        PageTranslation pt;
        FaultKind kind = FaultKind::External;
        mmu_translate(pc, Access::Fetch, fetch_mmu_idx(flags), &pt, &kind);
        *status = raise_mem_fault(pc, Access::Fetch, kind, pc, false);
        return nullptr;
    }
    if (log_enabled(LOG_IN_ASM)) {
        log_printf("IN: \n%s\n", disassemble_guest(pc, block.guest_bytes).c_str());
    }
    if (log_enabled(LOG_OP)) log_printf("OP:\n%s\n", print_block(block).c_str());
    finish_ir(block);
    if (log_enabled(LOG_OP_OPT))
        log_printf("OP after optimization:\n%s\n", print_block(block).c_str());
    auto tb = std::make_shared<TranslationBlock>();
    tb->pc = pc;
    tb->phys_pc = phys_pc;
    tb->flags = flags;
    tb->size = block.guest_bytes;
    tb->scattered = block.scattered;
    tb->ninsns = block.guest_insns;
    if (!block.insts.empty()) {
        // Recorded for the tier-up policy (maybe_tier_up), which no longer
        // has the IR at hand.
        const Inst& t = block.insts.back();
        tb->self_loop = (t.op == Op::ExitLink && t.imm == pc) ||
                        (t.op == Op::ExitCond && (t.imm == pc || t.imm2 == pc));
    }
    tb->phys_page[0] = reader.npages ? reader.pages[0] : phys_pc & kPageMask;
    tb->phys_page[1] = reader.pages[1];
    if (baseline_) compile_baseline(tb.get(), block);
    // The forced second tier compiles every block now (the IR is at hand).
    if (opts_.tier == TierMode::Llvm) maybe_tier_up(tb.get(), &block);
    // Only blocks without compiled code run in the interpreter: lower
    // those now, while their IR exists (ensure_interp rebuilds it for any
    // other block that ends up there).
    if (!tb->compiled.load(std::memory_order_relaxed)) {
        std::string err;
        if (!interp_lower(block, &tb->interp, &err)) {
            error_report("internal error: %s", err.c_str());
            std::abort();
        }
    }
    if (log_enabled(LOG_OUT_ASM)) {
        if (tb->baseline) {
            log_printf("OUT: [%s] pc 0x%" PRIx64 "\n%s\n", baseline_->name(), pc,
                       baseline_->disassemble(tb->baseline).c_str());
        } else if (!tb->interp.code.empty()) {
            log_printf("OUT: [interp]\n%s\n", interp_print(tb->interp).c_str());
        }
    }
    for (unsigned n = 0; n < 2; ++n) {
        if (tb->phys_page[n] != ~0ull) page_link(tb.get(), n);
    }
    TranslationBlock* raw = tb.get();
    Key key{phys_pc, flags};
    if (TbRef* old = tbs_.find(key)) invalidate_tb(old->get());
    tbs_.get_or_add(key) = std::move(tb);
    ++stats_.blocks_translated;
    stats_.translate_ns +=
        std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - t0)
            .count();
    return raw;
}

TranslationBlock* Cpu::find_tb(uint64_t pc, uint64_t flags, uint64_t* status) {
    unsigned h = BaselineCompiler::jump_cache_index(pc, kJmpCacheBits);
    TranslationBlock* tb = jmp_cache_[h];
    if (tb && tb->pc == pc && tb->flags == flags) return tb;
    unsigned mmu = fetch_mmu_idx(flags);
    TlbEntry* e = &env_->tlb[mmu][(pc >> kPageBits) & (kTlbSize - 1)];
    if (e->addr_code == kTlbInvalid || (e->addr_code & ~kTlbFlagMask) != (pc & kPageMask)) {
        *status = tlb_fill(pc, Access::Fetch, mmu, pc, &e);
        if (*status) return nullptr;
        if (e->addr_code == kTlbInvalid) {
            *status = raise_mem_fault(pc, Access::Fetch, FaultKind::Permission, pc, false);
            return nullptr;
        }
    }
    uint64_t phys = iotlb_pa(pc, mmu);
    TbRef* ref = tbs_.find(Key{phys, flags});
    if (ref && (*ref)->pc == pc) {
        tb = ref->get();
    } else {
        tb = translate(pc, phys, flags, status);
        if (!tb) return nullptr;
    }
    jmp_cache_put(h, tb);
    return tb;
}

void Cpu::jmp_cache_put(unsigned h, TranslationBlock* tb) {
    if (!jmp_cache_[h]) {
        // Refills after invalidations repeat slots: keep the list bounded.
        if (jmp_used_.size() >= (1u << kJmpCacheBits)) jmp_cache_clear();
        jmp_used_.push_back(static_cast<uint16_t>(h));
    }
    jmp_cache_[h] = tb;
    jmp_fast_set(h, tb);
}

void Cpu::jmp_fast_set(unsigned h, TranslationBlock* tb) {
    CompiledFn c = tb->compiled.load(std::memory_order_relaxed);
    const void* chain = nullptr;
    const void* linked = nullptr;
    if (c && c == tb->baseline) {
        // Cached: every TLB flush refills the jump cache, and the
        // baseline's own lookup is a hash find (5% of a sort run).
        if (!tb->baseline_chain) tb->baseline_chain = baseline_->chain_entry(c);
        chain = tb->baseline_chain;
    } else if (c && compiler_) {
        // A second-tier block: its own code enters it through `linked`,
        // first-tier code through the stub that leaves its frame first.
        linked = compiler_->linked_entry(c);
        chain = baseline_ ? baseline_->foreign_chain() : linked;
        // It reports chainable exits like a linked block.
        if (linked && chain) chain_owner_[reinterpret_cast<uint64_t>(c)] = tb;
    }
    if (chain && (linked || c == tb->baseline)) {
        jmp_fast_[h] = {tb->pc, tb->flags, chain, linked};
    } else {
        jmp_fast_[h] = {0, ~0ull, nullptr, nullptr};
    }
}

void Cpu::maybe_tier_up(TranslationBlock* tb, const Block* ir) {
    if (tb->submitted || !compiler_ || opts_.tier == TierMode::Interp ||
        opts_.tier == TierMode::Baseline) {
        return;
    }
    if (opts_.tier == TierMode::Auto && tb->baseline && !tb->rearmed) {
        // Most hot blocks of branchy code (sort: median 3 guest
        // instructions) gain less from LLVM than its ~4 ms compile costs:
        // two thirds of sort's compiled blocks ran under a million more
        // times, and sort, gzip and sha256 took as much or less CPU with
        // only self-looping blocks compiled (their registers stay in host
        // registers across iterations) than with every hot block (factor
        // 1) or with 8x the threshold for the others (docs/linux-arm64.md).
        // So a block that does not loop to itself needs straight_factor
        // times the threshold: in practice, only loops go to LLVM.
        static const int32_t straight_factor = [] {
            const char* f = std::getenv("EMU_TIERUP_STRAIGHT_FACTOR");
            return f ? std::max(1, std::atoi(f)) : 1000;
        }();
        // A loop through other blocks (region.cpp) costs several blocks'
        // compile time: it waits region_factor times the threshold, so
        // that loops that only run for a moment stay in the first tier.
        static const int32_t region_factor = [] {
            const char* f = std::getenv("EMU_TIERUP_REGION_FACTOR");
            return f ? std::max(1, std::atoi(f)) : 4;
        }();
        bool self = tb->self_loop;
        if (!self && region_factor > 1 && !tb->region_armed) {
            tb->region_armed = true;
            int64_t more = int64_t(opts_.hot_threshold) * (region_factor - 1);
            tb->arm_hot(static_cast<int32_t>(std::min<int64_t>(more, INT32_MAX)));
            return;
        }
        tb->rearmed = true;
        if (!self && form_region(tb)) return;
        if (!self && straight_factor > 1) {
            int64_t more = int64_t(opts_.hot_threshold) * (straight_factor - 1);
            tb->arm_hot(static_cast<int32_t>(std::min<int64_t>(more, INT32_MAX)));
            return;
        }
    }
    tb->submitted = true;
    // Blocks keep no IR (it would be most of the memory a boot's blocks
    // take, for the few that get hot): rebuild it from the guest code.
    Block copy;
    if (ir) {
        copy = *ir;
    } else if (!retranslate(tb, &copy)) {
        return;
    }
    // Not in the cache yet while translate() compiles it (tier=llvm).
    TbRef ref = tb->shared_from_this();
    if (opts_.tier == TierMode::Llvm) {
        // Forced tier: wait for the compiled code so every block runs in it.
        std::mutex m;
        std::condition_variable cv;
        bool done = false;
        compiler_->submit(std::move(copy), [&, ref](CompiledFn fn) {
            ref->compiled.store(fn, std::memory_order_release);
            std::lock_guard<std::mutex> g(m);
            done = true;
            cv.notify_all();
        });
        std::unique_lock<std::mutex> g(m);
        cv.wait(g, [&] { return done; });
    } else {
        compiler_->submit(std::move(copy), tier_up_done(ref));
    }
    ++stats_.blocks_compiled;
    // The forced tier has the code now; under tier=auto it is logged when
    // it is installed (handle_requests).
    if (opts_.tier == TierMode::Llvm) log_tiered_code(tb);
}

void Cpu::log_tiered_code(const TranslationBlock* tb) {
    CompiledFn fn = tb->compiled.load(std::memory_order_acquire);
    if (!log_enabled(LOG_OUT_ASM) || !fn || fn == tb->baseline) return;
    log_printf("OUT: [%s] pc 0x%" PRIx64 "\n%s\n", compiler_->name(), tb->pc,
               compiler_->disassemble(fn).c_str());
}

TierCompiler::Done Cpu::tier_up_done(TbRef ref) {
    return [ref, box = tiered_](CompiledFn fn) {
        // A failed compile keeps whatever runs now (baseline or interp).
        if (!fn) return;
        ref->compiled.store(fn, std::memory_order_release);
        if (ref->baseline) {
            // First-tier blocks may jump straight into the old code.
            std::lock_guard<std::mutex> g(box->lock);
            if (!box->cpu) return;
            box->blocks.push_back(ref);
            box->cpu->request(kRequestTierUp);
        }
    };
}

void Cpu::handle_requests(uint32_t req) {
    if (req & kRequestTierUp) {
        std::vector<TbRef> tiered;
        {
            std::lock_guard<std::mutex> g(tiered_->lock);
            tiered.swap(tiered_->blocks);
        }
        for (const TbRef& tb : tiered) {
            if (tb->valid) log_tiered_code(tb.get());
            if (!tb->valid || !baseline_) continue;
            unsigned h = BaselineCompiler::jump_cache_index(tb->pc, kJmpCacheBits);
            if (jmp_cache_[h] == tb.get()) jmp_fast_set(h, tb.get());
            for (auto [src, slot] : tb->incoming) {
                if (src->jmp[slot] == tb.get() && src->baseline) {
                    baseline_->unlink(src->baseline, slot);
                }
            }
        }
    }
    if (req & (kRequestInvalidate | kRequestTlbFlush)) {
        std::vector<uint64_t> inval, pages;
        {
            std::lock_guard<std::mutex> g(pending_lock_);
            inval.swap(pending_invalidate_);
            pages.swap(pending_tlb_pages_);
        }
        for (uint64_t p : inval)
            invalidate_phys_range(p, kPageSize);
        // Pages that became code on another vCPU: our writes to them must
        // reach notdirty_write (a full flush would not do: refills consult
        // page_tbs_, which holds our own code only).
        for (uint64_t p : pages) {
            if (remote_code_.insert(p).second) set_tlb_notdirty(p);
        }
        if (req & kRequestTlbFlush) tlb_flush();
    }
    if (req & kRequestTlbOps) service_tlb_ops();
}

uint64_t Cpu::exec() {
    // seq_cst: pairs with the request store of a TLB broadcast (tlb_wait).
    if (in_exec_++ == 0) running_.store(true, std::memory_order_seq_cst);
    uint64_t status = kStatusContinue;
    TranslationBlock* last = nullptr;
    int last_slot = -1;
    const bool trace = log_enabled(LOG_EXEC | LOG_CPU);
    const bool nochain = trace || log_enabled(LOG_NOCHAIN);
    for (;;) {
        if (!graveyard_.empty()) {
            if (last && !last->valid) last = nullptr;
            graveyard_.clear();
        }
        uint32_t req = env_->exit_request.load(std::memory_order_seq_cst);
        if (req) {
            env_->exit_request.fetch_and(~(kRequestInvalidate | kRequestTlbFlush |
                                           kRequestInterrupt | kRequestTierUp | kRequestTlbOps),
                                         std::memory_order_acq_rel);
            handle_requests(req);
            if (req & kRequestInterrupt) {
                if (take_interrupt()) request(kRequestInterrupt);
            }
            if (req & kRequestKick) {
                status = kStatusKicked;
                break;
            }
            last = nullptr;
        }
        // A broadcast TLB operation completes before the next block.
        if (!tlb_sync_.empty() && !tlb_sync_wait()) continue;
        uint64_t flags = tb_flags();
        TranslationBlock* tb = find_tb(env_->pc, flags, &status);
        if (!tb) {
            if (status == kStatusException) {
                status = kStatusContinue;
                last = nullptr;
                continue;
            }
            break;
        }
        // Chain the previous block's exit straight to this one when both
        // are on the same guest page (the mapping of that page is what the
        // previous block was found through) and in the same mode.
        if (last && last_slot >= 0 && !nochain && last->valid && tb->valid &&
            !last->jmp[last_slot] && (last->pc & kPageMask) == (tb->pc & kPageMask) &&
            last->flags == tb->flags) {
            last->jmp[last_slot] = tb;
            tb->incoming.emplace_back(last, last_slot);
        }
        // Run chained blocks until one leaves the chain.
        ExitInfo info;
        for (;;) {
            if (trace) {
                if (log_enabled(LOG_CPU)) log_printf("%s", dump_state().c_str());
                if (log_enabled(LOG_EXEC)) {
                    log_printf("Trace: [%p/%016" PRIx64 "/%08" PRIx64 "]\n", static_cast<void*>(tb),
                               tb->pc, tb->flags);
                }
            }
            CompiledFn fn = tb->compiled.load(std::memory_order_acquire);
            if (fn) {
                info = fn(env_);
                if (fn == tb->baseline) {
                    stats_.insns_baseline += tb->ninsns;
                } else {
                    ++stats_.tb_exec_compiled;
                    stats_.insns_compiled += tb->ninsns;
                }
                // Linked compiled blocks ran straight into each other: the
                // slot belongs to the one that returned (tier.h, link()).
                if (info.slot != kExitSlotNone && env_->reserved1) {
                    uint64_t who = env_->reserved1;
                    if (who & kOwnerTag) {
                        // A first-tier block: its TranslationBlock, alive
                        // (invalidated ones wait in graveyard_; the valid
                        // check below stops the chain there).
                        tb = reinterpret_cast<TranslationBlock*>(who & ~kOwnerTag);
                    } else if (auto it = chain_owner_.find(who); it != chain_owner_.end()) {
                        tb = it->second;
                    } else {
                        info.slot = kExitSlotNone;
                    }
                }
            } else {
                if (!ensure_interp(tb)) {
                    // Its code is not readable as it was: translate anew.
                    invalidate_tb(tb);
                    info = {kStatusContinue, kExitSlotNone};
                    break;
                }
                info = interp_run(tb->interp, env_);
                ++stats_.tb_exec_interp;
                stats_.insns_interp += tb->ninsns;
                if (++tb->exec_count == opts_.hot_threshold) maybe_tier_up(tb);
            }
            if (info.status != kStatusContinue || info.slot == kExitSlotNone) break;
            TranslationBlock* next = tb->jmp[info.slot];
            if (!next || env_->exit_request.load(std::memory_order_relaxed) || !tb->valid) break;
            if ((compiler_ || baseline_) && !link_exit(tb, info.slot, next)) {
                // Not linkable (the tiers differ): the jump cache is how the
                // code of either tier reaches it without this loop, and
                // after a flush only find_tb would refill it.
                unsigned h = BaselineCompiler::jump_cache_index(next->pc, kJmpCacheBits);
                if (jmp_cache_[h] != next) jmp_cache_put(h, next);
            }
            tb = next;
        }
        last = tb;
        last_slot = info.slot == kExitSlotNone ? -1 : static_cast<int>(info.slot);
        if (info.status == kStatusException) {
            last = nullptr;
            continue;
        }
        if (info.status == kStatusExit) {
            last = nullptr;
            continue;
        }
        if (info.status != kStatusContinue) {
            status = info.status;
            break;
        }
        if (!tb->valid) last = nullptr;
    }
    if (--in_exec_ == 0) {
        graveyard_.clear();
        running_.store(false, std::memory_order_seq_cst);
        CodePageRegistry::instance().tlb_progress();
    }
    return status;
}

}  // namespace emu::tcg

// The compile service: one background thread (the machine has two cores and
// the vCPU needs one) takes blocks from a queue ordered by hotness, lowers
// a batch of them into one LLVM module, compiles it with LLJIT and hands
// each function to its callback.
#include <pthread.h>
#include <algorithm>
#include <chrono>
#include <cinttypes>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <deque>
#include <future>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include "tcg/llvm/jit.h"
#include "tcg/llvm/llvm_tier.h"
#include "tcg/llvm/lower.h"

namespace emu::tcg {

std::string llvm_disassemble(const uint8_t* code, uint64_t size, uint64_t addr);

namespace {

struct Job {
    std::vector<Block> blocks;  // one block, or a region (blocks[0] its entry)
    TierCompiler::Done done;
    uint32_t hotness;
    uint64_t seq;
    TierCompiler::CrossTier cross;  // the submitting vCPU's jump cache
};

// Hotter first; newest first among equals. Blocks reach the queue when they
// cross the hot threshold, so the newest ones are what the guest runs now;
// FIFO made a phase change (boot -> a user program's loop) wait behind
// thousands of boot blocks that no longer run (seconds of compile time).
struct JobOrder {
    bool operator()(const Job& a, const Job& b) const {
        return a.hotness != b.hotness ? a.hotness < b.hotness : a.seq < b.seq;
    }
};

llvmtier::JitConfig config_for(LlvmOptLevel level) {
    llvmtier::JitConfig c;
    switch (level) {
        case LlvmOptLevel::O0:
            c.pipeline = "function(mem2reg)";  // promoted registers of self loops
            c.codegen_level = 0;
            break;
        case LlvmOptLevel::O1:
            // The IR already went through get/set elimination, folding and
            // DCE; what is left for LLVM is mostly cleaning up the TLB
            // fast paths and the flag arithmetic.
            c.pipeline =
                "function(sroa,early-cse<memssa>,instcombine<no-verify-fixpoint>,simplifycfg)";
            c.codegen_level = 1;
            break;
        case LlvmOptLevel::O2:
            c.pipeline = "default<O2>";
            c.codegen_level = 2;
            break;
    }
    // Tuning knobs for bench/llvm_compile_time.sh, not a user interface.
    if (const char* p = std::getenv("EMU_LLVM_PIPELINE")) c.pipeline = p;
    if (const char* cg = std::getenv("EMU_LLVM_CODEGEN")) c.codegen_level = std::atoi(cg) & 3;
    if (const char* f = std::getenv("EMU_LLVM_FASTISEL")) c.fast_isel = *f == '1';
    return c;
}

// Compile cost is the compile thread's CPU time: on a shared 2-core
// machine wall time mostly measures the neighbours.
double thread_cpu_ms() {
    timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return double(ts.tv_sec) * 1e3 + double(ts.tv_nsec) / 1e6;
}

}  // namespace

struct LlvmTier::Impl {
    LlvmTierOptions opts;
    std::unique_ptr<llvmtier::Jit> jit;  // compile thread only (after start)

    std::mutex mu;
    std::condition_variable wake;
    std::condition_variable idle;
    std::vector<Job> queue;  // a heap under JobOrder
    uint64_t seq = 0;
    bool stop = false;
    bool busy = false;
    std::thread worker;

    mutable std::mutex info_mu;  // guards what follows
    struct CodeInfo {
        uint64_t size;  // the CompiledFn (a jump to the body)
        uint64_t body;  // body address, what link cells point to
        uint64_t body_size;
        CompiledFn* cells;  // [2]
        uint64_t* counter;  // runs the dispatcher did not see
        uint64_t* insns;    // [0] their guest instructions, [1] calls (entries)
        uint32_t guest_insns;
        uint32_t blocks;  // 1, or a region's members
        uint64_t guest_pc;
        double ms;  // its share of the batch's compile time
    };
    std::map<uint64_t, CodeInfo> code;  // CompiledFn address -> its parts
    LlvmTierStats st;
    std::vector<double> block_ms;
    uint64_t next_name = 0;

    void run();
    void compile_batch(std::vector<Job>& batch);
    void finish(Job& j, CompiledFn fn) {
        if (j.done) j.done(fn);
    }
};

void LlvmTier::Impl::run() {
    // Named so that perf and bench scripts can tell compile time from the
    // vCPU's (bench/linux_guest_work_arm64.sh reports both).
    pthread_setname_np(pthread_self(), "emu-llvm");
    std::unique_lock lk(mu);
    for (;;) {
        wake.wait(lk, [&] { return stop || !queue.empty(); });
        if (stop) break;
        std::vector<Job> batch;
        while (!queue.empty() && batch.size() < std::max(1u, opts.max_batch)) {
            std::pop_heap(queue.begin(), queue.end(), JobOrder{});
            batch.push_back(std::move(queue.back()));
            queue.pop_back();
        }
        busy = true;
        lk.unlock();
        compile_batch(batch);
        lk.lock();
        busy = false;
        if (queue.empty()) idle.notify_all();
    }
    // Every callback runs exactly once: whatever is still queued fails.
    std::vector<Job> left = std::move(queue);
    queue.clear();
    lk.unlock();
    for (Job& j : left)
        finish(j, nullptr);
    idle.notify_all();
}

void LlvmTier::Impl::compile_batch(std::vector<Job>& batch) {
    double t0 = thread_cpu_ms();
    bool over;
    {
        std::lock_guard g(info_mu);
        over = jit->code_bytes() >= opts.code_budget;
        if (over) st.over_budget += batch.size();
    }
    if (over) {
        for (Job& j : batch)
            finish(j, nullptr);
        return;
    }
    llvmtier::LowerOptions lo;
    lo.self_loops = opts.self_loops;
    auto m = jit->new_module();
    std::vector<std::string> names;
    std::vector<Job*> lowered;
    uint64_t failed = 0;
    for (Job& j : batch) {
        std::string name = "emu_blk_" + std::to_string(next_name++);
        std::string err;
        lo.jc_table = j.cross.table.table;
        lo.jc_bits = j.cross.table.bits;
        lo.enter_linked = j.cross.enter_linked;
        if (!llvmtier::lower_region(j.blocks, *m, name, lo, &err)) {
            ++failed;
            if (std::getenv("EMU_LLVM_BLOCK_STATS")) {
                std::fprintf(stderr, "llvm: pc 0x%llx (%zu blocks) not compiled: %s\n",
                             (unsigned long long)j.blocks[0].guest_pc, j.blocks.size(),
                             err.c_str());
            }
            finish(j, nullptr);
            continue;
        }
        names.push_back(llvmtier::body_name(name));
        names.push_back(llvmtier::cells_name(name));
        names.push_back(llvmtier::counter_name(name));
        names.push_back(llvmtier::insns_name(name));
        names.push_back(std::move(name));
        lowered.push_back(&j);
    }
    std::vector<llvmtier::CodeRange> code_ranges;
    std::string err;
    if (!names.empty()) jit->compile(std::move(m), names, &code_ranges, &err);
    double ms = thread_cpu_ms() - t0;
    std::vector<CompiledFn> fns(lowered.size(), nullptr);
    {
        std::lock_guard g(info_mu);
        st.modules += names.empty() ? 0 : 1;
        st.total_ms += ms;
        st.code_bytes = jit->code_bytes();
        uint64_t ok = 0;
        for (size_t i = 0; i < lowered.size(); ++i) {
            const llvmtier::CodeRange& body = code_ranges[5 * i];
            const llvmtier::CodeRange& cells = code_ranges[5 * i + 1];
            const llvmtier::CodeRange& counter = code_ranges[5 * i + 2];
            const llvmtier::CodeRange& insns = code_ranges[5 * i + 3];
            const llvmtier::CodeRange& entry = code_ranges[5 * i + 4];
            if (!entry.addr || !body.addr || !cells.addr || !counter.addr || !insns.addr) continue;
            fns[i] = reinterpret_cast<CompiledFn>(entry.addr);
            uint32_t ninsns = 0;
            for (const Block& b : lowered[i]->blocks)
                ninsns += b.guest_insns;
            code[entry.addr] = CodeInfo{entry.size,
                                        body.addr,
                                        body.size,
                                        reinterpret_cast<CompiledFn*>(cells.addr),
                                        reinterpret_cast<uint64_t*>(counter.addr),
                                        reinterpret_cast<uint64_t*>(insns.addr),
                                        ninsns,
                                        static_cast<uint32_t>(lowered[i]->blocks.size()),
                                        lowered[i]->blocks[0].guest_pc,
                                        0.0};
            if (lowered[i]->blocks.size() > 1) ++st.regions;
            ++ok;
        }
        st.compiled += ok;
        st.failed += failed + (lowered.size() - ok);
        // A batch's time is shared by the blocks it produced.
        if (ok) block_ms.insert(block_ms.end(), ok, ms / double(ok));
        for (CompiledFn f : fns)
            if (f) code[reinterpret_cast<uint64_t>(f)].ms = ms / double(ok);
    }
    // Debugging aid: the host code of every block as it is compiled (under
    // tier=auto, -d out_asm logs before the background compile is done).
    static const bool dump_asm = std::getenv("EMU_LLVM_DUMP_ASM") != nullptr;
    for (size_t i = 0; i < lowered.size(); ++i) {
        if (dump_asm && fns[i]) {
            const llvmtier::CodeRange& body = code_ranges[4 * i];
            std::fprintf(
                stderr, "LLVM block pc 0x%" PRIx64 ":\n%s\n", lowered[i]->blocks[0].guest_pc,
                llvm_disassemble(reinterpret_cast<const uint8_t*>(body.addr), body.size, body.addr)
                    .c_str());
        }
        finish(*lowered[i], fns[i]);
    }
}

LlvmTier::LlvmTier(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

std::unique_ptr<LlvmTier> LlvmTier::create(const LlvmTierOptions& opts, std::string* err) {
    auto impl = std::make_unique<Impl>();
    impl->opts = opts;
    impl->jit = llvmtier::Jit::create(config_for(opts.opt), err);
    if (!impl->jit) return nullptr;
    Impl* p = impl.get();
    impl->worker = std::thread([p] { p->run(); });
    return std::unique_ptr<LlvmTier>(new LlvmTier(std::move(impl)));
}

LlvmTier::~LlvmTier() {
    {
        std::lock_guard g(impl_->mu);
        impl_->stop = true;
    }
    impl_->wake.notify_all();
    impl_->worker.join();
    // Same switch as the dispatcher's statistics (accel/tcg).
    if (std::getenv("EMU_TCG_STATS")) std::fprintf(stderr, "%s\n", stats().format().c_str());
    // Per block, for tuning the tier-up policy: which compiles paid off.
    if (std::getenv("EMU_LLVM_BLOCK_STATS")) {
        std::lock_guard g(impl_->info_mu);
        for (auto& [fn, ci] : impl_->code) {
            // Runs: entries plus member runs inside (a self loop's turns,
            // a region's branches between members); guest insns of those.
            std::fprintf(stderr,
                         "llvm %s pc 0x%llx blocks %u insns %u entries %llu runs %llu guest "
                         "insns %llu compile %.2f ms\n",
                         ci.blocks > 1 ? "region" : "block", (unsigned long long)ci.guest_pc,
                         ci.blocks, ci.guest_insns,
                         (unsigned long long)__atomic_load_n(ci.insns + 1, __ATOMIC_RELAXED),
                         (unsigned long long)__atomic_load_n(ci.counter, __ATOMIC_RELAXED),
                         (unsigned long long)__atomic_load_n(ci.insns, __ATOMIC_RELAXED), ci.ms);
        }
    }
}

void LlvmTier::submit(Block block, Done done) {
    submit(std::move(block), std::move(done), 0);
}

void LlvmTier::submit(Block block, Done done, uint32_t hotness) {
    submit(std::move(block), std::move(done), hotness, cross_);
}

void LlvmTier::submit(Block block, Done done, uint32_t hotness, const CrossTier& cross) {
    std::vector<Block> one;
    one.push_back(std::move(block));
    submit_region(std::move(one), std::move(done), hotness, cross);
}

void LlvmTier::submit_region(std::vector<Block> blocks, Done done) {
    submit_region(std::move(blocks), std::move(done), 0, cross_);
}

void LlvmTier::submit_region(std::vector<Block> blocks, Done done, uint32_t hotness,
                             const CrossTier& cross) {
    if (blocks.empty()) {
        done(nullptr);
        return;
    }
    {
        std::lock_guard g(impl_->mu);
        if (!impl_->stop) {
            impl_->queue.push_back(
                Job{std::move(blocks), std::move(done), hotness, impl_->seq++, cross});
            std::push_heap(impl_->queue.begin(), impl_->queue.end(), JobOrder{});
            std::lock_guard s(impl_->info_mu);
            ++impl_->st.submitted;
            done = nullptr;
        }
    }
    if (done) {
        done(nullptr);
        return;
    }
    impl_->wake.notify_one();
}

CompiledFn LlvmTier::compile_sync(Block block, std::string* err) {
    std::vector<Block> one;
    one.push_back(std::move(block));
    return compile_region_sync(std::move(one), err);
}

CompiledFn LlvmTier::compile_region_sync(std::vector<Block> blocks, std::string* err) {
    auto promise = std::make_shared<std::promise<CompiledFn>>();
    auto fut = promise->get_future();
    submit_region(
        std::move(blocks), [promise](CompiledFn fn) { promise->set_value(fn); }, UINT32_MAX,
        cross_);
    CompiledFn fn = fut.get();
    if (!fn && err) *err = "the LLVM tier could not compile the block";
    return fn;
}

void LlvmTier::drain() {
    std::unique_lock lk(impl_->mu);
    impl_->idle.wait(lk, [&] { return impl_->stop || (impl_->queue.empty() && !impl_->busy); });
}

std::string LlvmTier::disassemble(CompiledFn fn) {
    uint64_t a = reinterpret_cast<uint64_t>(fn);
    Impl::CodeInfo ci;
    {
        std::lock_guard g(impl_->info_mu);
        auto it = impl_->code.find(a);
        if (it == impl_->code.end()) return {};
        ci = it->second;
    }
    std::string s = llvm_disassemble(reinterpret_cast<const uint8_t*>(a), ci.size, a);
    s += "  body:\n";
    s += llvm_disassemble(reinterpret_cast<const uint8_t*>(ci.body), ci.body_size, ci.body);
    return s;
}

bool LlvmTier::link(CompiledFn from, unsigned slot, CompiledFn to) {
    if (slot > 1) return false;
    std::lock_guard g(impl_->info_mu);
    auto f = impl_->code.find(reinterpret_cast<uint64_t>(from));
    auto t = impl_->code.find(reinterpret_cast<uint64_t>(to));
    if (f == impl_->code.end() || t == impl_->code.end()) return false;
    // The cell holds the body (CompiledFn's own tail is a jump to it); the
    // compiled code reads it with a relaxed atomic load.
    __atomic_store_n(&f->second.cells[slot], reinterpret_cast<CompiledFn>(t->second.body),
                     __ATOMIC_RELEASE);
    return true;
}

const void* LlvmTier::linked_entry(CompiledFn fn) {
    std::lock_guard g(impl_->info_mu);
    auto f = impl_->code.find(reinterpret_cast<uint64_t>(fn));
    return f == impl_->code.end() ? nullptr : reinterpret_cast<const void*>(f->second.body);
}

void LlvmTier::unlink(CompiledFn from, unsigned slot) {
    if (slot > 1) return;
    std::lock_guard g(impl_->info_mu);
    auto f = impl_->code.find(reinterpret_cast<uint64_t>(from));
    if (f != impl_->code.end()) __atomic_store_n(&f->second.cells[slot], nullptr, __ATOMIC_RELEASE);
}

LlvmTierStats LlvmTier::stats() const {
    std::lock_guard g(impl_->info_mu);
    LlvmTierStats s = impl_->st;
    // Read racily while vCPUs run: statistics, not accounting.
    for (auto& [fn, ci] : impl_->code) {
        s.unseen_runs += __atomic_load_n(ci.counter, __ATOMIC_RELAXED);
        s.unseen_insns += __atomic_load_n(ci.insns, __ATOMIC_RELAXED);
    }
    std::vector<double> v = impl_->block_ms;
    if (!v.empty()) {
        std::sort(v.begin(), v.end());
        s.median_ms = v[v.size() / 2];
        s.p90_ms = v[std::min(v.size() - 1, v.size() * 9 / 10)];
        s.max_ms = v.back();
    }
    return s;
}

std::string LlvmTierStats::format() const {
    char buf[512];
    std::snprintf(buf, sizeof buf,
                  "llvm tier: %llu submitted, %llu compiled (%llu regions), %llu failed, %llu "
                  "over budget, "
                  "%llu modules, %.1f ms total, per block median %.3f ms p90 %.3f ms max "
                  "%.3f ms, %llu bytes of code; %llu block runs (%llu guest insns) inside "
                  "chains/loops",
                  (unsigned long long)submitted, (unsigned long long)compiled,
                  (unsigned long long)regions, (unsigned long long)failed,
                  (unsigned long long)over_budget, (unsigned long long)modules, total_ms, median_ms,
                  p90_ms, max_ms, (unsigned long long)code_bytes, (unsigned long long)unseen_runs,
                  (unsigned long long)unseen_insns);
    return buf;
}

namespace {

// Every vCPU gets its own TierCompiler from the factory, but they all share
// one compile service: one background thread for the process, whatever
// -smp says, since the machine has two cores and the vCPUs need them.
class SharedTier final : public TierCompiler {
  public:
    explicit SharedTier(std::shared_ptr<LlvmTier> t) : t_(std::move(t)) {}
    const char* name() const override { return "llvm"; }
    void submit(Block block, Done done) override {
        t_->submit(std::move(block), std::move(done), 0, cross_);
    }
    void submit_region(std::vector<Block> blocks, Done done) override {
        t_->submit_region(std::move(blocks), std::move(done), 0, cross_);
    }
    const void* linked_entry(CompiledFn fn) override { return t_->linked_entry(fn); }
    void set_cross_tier(const CrossTier& ct) override { cross_ = ct; }
    std::string disassemble(CompiledFn fn) override { return t_->disassemble(fn); }
    bool link(CompiledFn from, unsigned slot, CompiledFn to) override {
        return t_->link(from, slot, to);
    }
    void unlink(CompiledFn from, unsigned slot) override { t_->unlink(from, slot); }

  private:
    std::shared_ptr<LlvmTier> t_;
    CrossTier cross_;
};

std::mutex g_shared_mu;
std::weak_ptr<LlvmTier> g_shared;

}  // namespace

std::shared_ptr<LlvmTier> shared_llvm_tier(std::string* err) {
    std::lock_guard g(g_shared_mu);
    if (auto t = g_shared.lock()) return t;
    LlvmTierOptions o;
    if (const char* e = std::getenv("EMU_LLVM_SELF_LOOPS")) o.self_loops = *e == '1';
    if (const char* e = std::getenv("EMU_LLVM_OPT")) {
        o.opt = *e == '0' ? LlvmOptLevel::O0 : *e == '2' ? LlvmOptLevel::O2 : LlvmOptLevel::O1;
    }
    std::shared_ptr<LlvmTier> t = LlvmTier::create(o, err);
    g_shared = t;
    return t;
}

std::unique_ptr<TierCompiler> make_llvm_tier(std::string* err) {
    auto t = shared_llvm_tier(err);
    if (!t) return nullptr;
    return std::make_unique<SharedTier>(std::move(t));
}

}  // namespace emu::tcg

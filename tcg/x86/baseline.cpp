#include "tcg/x86/baseline.h"

#include <capstone/capstone.h>
#include <xbyak/xbyak.h>

#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <map>

#include "tcg/x86/code_buffer.h"
#include "tcg/x86/emitter.h"

namespace emu::tcg::x86 {

namespace {

std::string disassemble_range(const uint8_t* code, size_t size) {
    csh h;
    if (cs_open(CS_ARCH_X86, CS_MODE_64, &h) != CS_ERR_OK) return "capstone: cannot open x86-64\n";
    cs_insn* insn = nullptr;
    uint64_t addr = reinterpret_cast<uint64_t>(code);
    size_t n = cs_disasm(h, code, size, addr, 0, &insn);
    std::string out;
    char buf[256];
    for (size_t i = 0; i < n; ++i) {
        std::snprintf(buf, sizeof buf, "  0x%016" PRIx64 ":  %-8s %s\n", insn[i].address,
                      insn[i].mnemonic, insn[i].op_str);
        out += buf;
    }
    if (n) cs_free(insn, n);
    cs_close(&h);
    return out;
}

class X86Baseline final : public BaselineCompiler {
  public:
    explicit X86Baseline(size_t size) : buf_(size) {
        if (!buf_.ok()) return;
        gen_ = std::make_unique<Xbyak::CodeGenerator>(buf_.size(), buf_.base());
        emitter_ = std::make_unique<BlockEmitter>(*gen_);
        stubs_ = emit_exit_stubs(*gen_);
        xstubs_ = emit_cross_tier_stubs(*gen_);
    }
    bool ok() const { return gen_ != nullptr; }
    const char* name() const override { return "x86"; }

    CompiledFn compile(const Block& b, const HotHook* hot, Result* res, std::string* why,
                       const IndirectLookup* ind, uint64_t owner) override {
        auto t0 = std::chrono::steady_clock::now();
        size_t start = gen_->getSize();
        if (buf_.size() - start < max_code_size(b)) {
            *res = Result::Full;
            return nullptr;
        }
        BlockCode bc;
        bool ok;
        try {
            ok = emitter_->emit(b, EmitOptions{hot, ind, owner, stubs_}, &bc, why);
        } catch (const Xbyak::Error& e) {
            ok = false;
            *why = std::string("xbyak: ") + e.what();
        }
        if (!ok) {
            gen_->setSize(start);
            ++rejected_;
            ++reasons_[*why];
            *res = Result::Unsupported;
            return nullptr;
        }
        auto fn = reinterpret_cast<CompiledFn>(const_cast<uint8_t*>(bc.main));
        ++compiled_;
        bytes_ += bc.size;
        ns_ += std::chrono::duration_cast<std::chrono::nanoseconds>(
                   std::chrono::steady_clock::now() - t0)
                   .count();
        *res = Result::Ok;
        return fn;
    }

    const void* chain_entry(CompiledFn fn) override {
        // Hot (every jump-cache fill): no header read, the offset is fixed.
        auto p = reinterpret_cast<uintptr_t>(fn);
        auto lo = reinterpret_cast<uintptr_t>(buf_.base());
        if (p < lo + sizeof(BlockHeader) || p >= lo + gen_->getSize()) return nullptr;
        return main_of(fn) + kChainEntryOffset;
    }

    void reset() override {
        gen_->reset();
        stubs_ = emit_exit_stubs(*gen_);
        // Same place as before: second-tier code holds their addresses.
        xstubs_ = emit_cross_tier_stubs(*gen_);
        ++resets_;
    }

    const void* enter_linked() override { return xstubs_.enter_linked; }
    const void* foreign_chain() override { return xstubs_.foreign_chain; }

    bool link(CompiledFn from, unsigned slot, CompiledFn to) override {
        if (slot > 1) return false;
        const BlockHeader* f = header(from);
        const BlockHeader* t = header(to);
        if (!f || !t || !f->site[slot]) return false;
        patch(main_of(from) + f->site[slot], main_of(to) + t->chain);
        return true;
    }

    void unlink(CompiledFn from, unsigned slot) override {
        if (slot > 1) return;
        const BlockHeader* f = header(from);
        if (!f || !f->site[slot]) return;
        patch(main_of(from) + f->site[slot], main_of(from) + f->unlinked[slot]);
    }

    std::string disassemble(CompiledFn fn) override {
        const BlockHeader* h = header(fn);
        if (!h) return {};
        return disassemble_range(main_of(fn), h->size);
    }

    std::string stats() const override {
        char buf[256];
        std::snprintf(buf, sizeof buf,
                      "x86 baseline: %" PRIu64 " blocks (%.1f us, %.0f bytes each), %" PRIu64
                      " left to the interpreter, %" PRIu64 " buffer resets",
                      compiled_, compiled_ ? ns_ / 1e3 / compiled_ : 0.0,
                      compiled_ ? double(bytes_) / compiled_ : 0.0, rejected_, resets_);
        std::string s = buf;
        if (!reasons_.empty()) {
            s += " (";
            bool first = true;
            for (auto& [why, n] : reasons_) {
                s += (first ? "" : ", ") + why + ": " + std::to_string(n);
                first = false;
            }
            s += ")";
        }
        return s;
    }

  private:
    static uint8_t* main_of(CompiledFn fn) { return reinterpret_cast<uint8_t*>(fn); }

    // The block's header, or nullptr for a function that is not one of this
    // compiler's blocks (another tier's, or garbage).
    const BlockHeader* header(CompiledFn fn) const {
        auto p = reinterpret_cast<uintptr_t>(fn);
        auto lo = reinterpret_cast<uintptr_t>(buf_.base());
        if (p < lo + sizeof(BlockHeader) || p >= lo + gen_->getSize() || (p & 7)) {
            return nullptr;
        }
        auto* h = reinterpret_cast<const BlockHeader*>(p - sizeof(BlockHeader));
        return h->check == (kHeaderMagic ^ p) ? h : nullptr;
    }

    static void patch(uint8_t* site, const uint8_t* target) {
        int32_t rel = static_cast<int32_t>(target - (site + 4));
        // One aligned-or-not 4-byte store; only this vCPU's thread runs
        // this code and it is not running it now (tier.h, link()).
        std::memcpy(site, &rel, 4);
    }

    CodeBuffer buf_;
    std::unique_ptr<Xbyak::CodeGenerator> gen_;
    std::unique_ptr<BlockEmitter> emitter_;
    ExitStubs stubs_;
    CrossTierStubs xstubs_;
    uint64_t compiled_ = 0, rejected_ = 0, bytes_ = 0, ns_ = 0, resets_ = 0;
    std::map<std::string, uint64_t> reasons_;
};

}  // namespace

std::unique_ptr<BaselineCompiler> make_baseline(size_t size, std::string* err) {
    auto c = std::make_unique<X86Baseline>(size);
    if (!c->ok()) {
        *err = "cannot map the baseline code buffer";
        return nullptr;
    }
    return c;
}

std::unique_ptr<BaselineCompiler> make_default_baseline(std::string* err) {
    return make_baseline(kDefaultCodeBufferSize, err);
}

}  // namespace emu::tcg::x86

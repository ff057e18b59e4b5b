#pragma once
// Internal to tcg/x86: the block emitter's state and helpers, shared by
// emitter.cpp (allocation, frame, terminals), emitter_alu.cpp (integer and
// flag ops) and emitter_mem.cpp (memory, calls, i128 values).
//
// Register allocation is one forward pass: every SSA value gets a host
// register when it is defined and gives it back after its last use; when
// all 11 are taken, the value whose last use is furthest away goes to a
// frame slot (reloaded on its next use). Values are kept zero-extended to
// 64 bits in registers, so widening is free and 32-bit ops need no masking.
// Calls (helpers, TLB misses) save the caller-saved value registers with
// push/pop around the call only, so the allocation state never changes at
// a call, and a cold path joins the hot path with identical registers.
#include <xbyak/xbyak.h>
#include <xbyak/xbyak_util.h>

#include <cstddef>
#include <cstring>
#include <string>
#include <vector>

#include "tcg/exec/env.h"
#include "tcg/exec/softmmu.h"
#include "tcg/ir/eval.h"
#include "tcg/ir/helpers.h"
#include "tcg/x86/emitter.h"

namespace emu::tcg::x86::detail {

using Xbyak::Reg64;
using namespace Xbyak::util;

constexpr int kNumPool = 11;
constexpr int kNumCallerSaved = 6;  // the first kNumCallerSaved of the pool
inline const Reg64 kPool[kNumPool] = {rsi, rdi, r8, r9, r10, r11, rbp, r12, r13, r14, r15};
constexpr int kFrameSlots = 64;
// 6 pushes + this keep rsp 16-byte aligned in the body (entry rsp is 8 mod 16).
constexpr uint32_t kFrameBytes = kFrameSlots * 8 + 8;
constexpr uint32_t kReserved1 = offsetof(TcgEnv, reserved1);
constexpr uint32_t kNoSlot = kExitSlotNone;

struct Unsupported {
    std::string why;
};

inline bool fits_i32(uint64_t v) {
    return static_cast<int64_t>(v) == static_cast<int32_t>(v);
}

inline unsigned bits_of(Type t) {
    return t == Type::I1 ? 1 : type_bits(t);
}

inline bool host_has_popcnt() {
    static const bool has = Xbyak::util::Cpu().has(Xbyak::util::Cpu::tPOPCNT);
    return has;
}

inline uint64_t ctpop_host(uint64_t x) {
    return static_cast<uint64_t>(__builtin_popcountll(x));
}

// An operand of a host call.
struct Src {
    enum Kind { Env, Imm, Val, Lo, Hi, Frame } kind;  // Lo/Hi: i128 halves; Frame: &slots
    uint64_t imm = 0;
    Value v{};
    static Src env() { return {Env, 0, {}}; }
    static Src val(Value v) { return {Val, 0, v}; }
    static Src k(uint64_t x) { return {Imm, x, {}}; }
    static Src lo(Value v) { return {Lo, 0, v}; }
    static Src hi(Value v) { return {Hi, 0, v}; }
    static Src frame(Value v) { return {Frame, 0, v}; }
};

// Direct byte output for the most frequent fixed-form instructions (env
// accesses off rbx, the prologue, exits): Xbyak's general operand
// handling costs tens of nanoseconds per instruction, which added up to
// most of a block's compile time. compile() checked the room beforehand.
struct Raw {
    uint8_t* p;
    void b(uint8_t x) { *p++ = x; }
    void d(uint32_t x) {
        std::memcpy(p, &x, 4);
        p += 4;
    }
    void q(uint64_t x) {
        std::memcpy(p, &x, 8);
        p += 8;
    }
    // ModRM (+disp) for [rbx + disp] with `reg` in the reg field.
    void rbx_mem(unsigned reg, uint32_t disp) {
        if (disp < 128) {
            b(static_cast<uint8_t>(0x40 | (reg & 7) << 3 | 3));
            b(static_cast<uint8_t>(disp));
        } else {
            b(static_cast<uint8_t>(0x80 | (reg & 7) << 3 | 3));
            d(disp);
        }
    }
};

// A jump target inside the block being emitted: an index into the
// emitter's position table. Forward references are rel32 (or rel8) fields
// patched when the block is finished; this replaces Xbyak's Label, whose
// hash-map bookkeeping cost more than the rest of the emitter.
struct Lbl {
    int id = -1;
};

// x86 condition codes (the low nibble of Jcc/SETcc/CMOVcc).
enum Cc : uint8_t {
    kO = 0,
    kB = 2,
    kAE = 3,
    kE = 4,
    kNE = 5,
    kBE = 6,
    kA = 7,
    kS = 8,
    kL = 12,
    kGE = 13,
    kLE = 14,
    kG = 15
};

// A piece of out-of-line code emitted after the block's body (slow paths
// that rejoin the body at `back`). Plain data, so recording one costs no
// allocation once the emitter's vectors have grown.
struct Cold {
    enum Kind : uint8_t { Hot, Load, Store, Load128, Store128, StoreExcl, CallFail } kind;
    Lbl entry;
    const uint8_t* back = nullptr;
    uint8_t a = 0, v = 0, d = 0;  // host register numbers (address, value, result)
    bool dead = false, v_const = false, status_in_rax = false;
    int8_t dpool = -1;
    uint32_t bytes = 0;
    int16_t slot = -1;  // i128 value / result frame slot
    uint64_t memop = 0, pc = 0, kv = 0, kv2 = 0;
    const void* fn = nullptr;  // Load: mem_load or mem_load_excl
    int live[kNumCallerSaved];
};

class Emitter {
  public:
    explicit Emitter(Xbyak::CodeGenerator& g) : g_(g) {}

    // Appends the block's code; throws Unsupported.
    void run(const Block& b, const EmitOptions& o, BlockCode* out);

  private:
    // --- raw output ---
    Raw raw() { return Raw{const_cast<uint8_t*>(g_.getCurr())}; }
    void commit(const Raw& w) { g_.setSize(static_cast<size_t>(w.p - g_.getCode())); }
    // mov/movzx reg, [rbx + disp] of `bits` (zero-extending), and the store.
    void env_load(int reg, unsigned bits, uint32_t disp);
    void env_store(int reg, unsigned bits, uint32_t disp);
    void env_store_imm(uint64_t k, unsigned bits, uint32_t disp);

    // --- labels ---
    Lbl new_label() {
        pos_.push_back(nullptr);
        return {static_cast<int>(pos_.size() - 1)};
    }
    void bind(Lbl l) { pos_[l.id] = g_.getCurr(); }
    void ref32(Raw& w, Lbl l) {
        fix_.push_back({l.id, false, w.p});
        w.d(0);
    }
    void jmp(Lbl l) {
        Raw w = raw();
        w.b(0xE9);
        ref32(w, l);
        commit(w);
    }
    void jcc(Cc c, Lbl l) {
        Raw w = raw();
        w.b(0x0F);
        w.b(0x80 | c);
        ref32(w, l);
        commit(w);
    }
    // Short forms: only for targets known to be within 127 bytes.
    void short_jump(uint8_t op, Lbl l) {
        Raw w = raw();
        w.b(op);
        fix_.push_back({l.id, true, w.p});
        w.b(0);
        commit(w);
    }
    void jcc8(Cc c, Lbl l) { short_jump(0x70 | c, l); }
    void jmp8(Lbl l) { short_jump(0xEB, l); }
    // Backward jumps to a known address.
    void jmp_to(const uint8_t* target);
    void resolve_labels();

    // --- allocation ---
    bool is_const(Value v) const { return b_->at(v).op == Op::Const; }
    uint64_t kval(Value v) const { return b_->at(v).imm; }
    Type ty(Value v) const { return b_->type_of(v); }
    int alloc_reg(int prefer = -1);
    int alloc_slot();
    // i128 values live in a pair of frame slots, never in registers.
    bool wide(Value v) const { return ty(v) == Type::I128; }
    struct Wide {
        bool k;
        uint64_t lo, hi;
        int slot;
    };
    Wide wide_src(Value v) const {
        if (is_const(v)) return {true, kval(v), b_->at(v).imm2, -1};
        return {false, 0, 0, slot_[v.id]};
    }
    void load_half(const Reg64& r, const Wide& w, int h) {
        if (w.k) {
            mov_imm(r, h ? w.hi : w.lo);
        } else {
            g_.mov(r, slot_addr(w.slot + h));
        }
    }
    void def128();
    void store_half(int h, const Reg64& r) { g_.mov(slot_addr(slot_[cur_] + h), r); }
    void wide_op(const Inst& in);
    Reg64 in_reg(Value v, const Reg64& scratch);
    void release_dead();
    void release_if_last(Value v);
    // CondHolds on the flags of a 32/64-bit SubFlags (any cond but AL/NV):
    // the emitter repeats the compare and tests the host flags directly.
    bool recompare_source(const Inst& in, Value* sub) const {
        Value f = in.args[0];
        if (static_cast<unsigned>(in.imm) >= 14) return false;
        const Inst& p = b_->at(f);
        if (p.op != Op::SubFlags) return false;
        Type t = b_->type_of(p.args[0]);
        if (t != Type::I32 && t != Type::I64) return false;
        *sub = f;
        return true;
    }
    Reg64 def(int prefer = -1);
    int pool_of(const Reg64& r) const;
    Xbyak::Address slot_addr(int slot, int extra = 0) const {
        return g_.qword[rsp + slot * 8 + extra];
    }

    // --- code ---
    void prologue(BlockCode* out);
    void emit(const Inst& in);
    void canon(const Reg64& r, Type t);
    void mov_imm(const Reg64& r, uint64_t v) {
        Raw w = raw();
        unsigned i = static_cast<unsigned>(r.getIdx());
        if (v <= 0xFFFFFFFFu) {
            if (i >= 8) w.b(0x41);
            w.b(static_cast<uint8_t>(0xB8 | (i & 7)));  // mov r32, imm32
            w.d(static_cast<uint32_t>(v));
        } else if (fits_i32(v)) {
            w.b(i >= 8 ? 0x49 : 0x48);
            w.b(0xC7);  // mov r64, simm32
            w.b(static_cast<uint8_t>(0xC0 | (i & 7)));
            w.d(static_cast<uint32_t>(v));
        } else {
            w.b(i >= 8 ? 0x49 : 0x48);
            w.b(static_cast<uint8_t>(0xB8 | (i & 7)));  // movabs r64, imm64
            w.q(v);
        }
        commit(w);
    }
    // push/pop of a 64-bit register.
    void push_pop(const Reg64& r, bool pop) {
        Raw w = raw();
        unsigned i = static_cast<unsigned>(r.getIdx());
        if (i >= 8) w.b(0x41);
        w.b(static_cast<uint8_t>((pop ? 0x58 : 0x50) | (i & 7)));
        commit(w);
    }
    // ALU op dst, src (ADD 0x01, OR 0x09, AND 0x21, SUB 0x29, XOR 0x31) and
    // op dst, imm (group-1 extension: ADD 0, OR 1, AND 4, SUB 5, XOR 6), at
    // 64 or 32 bits.
    void alu_rr(uint8_t op, const Reg64& dst, const Reg64& src, bool w64) {
        Raw w = raw();
        unsigned d = static_cast<unsigned>(dst.getIdx()), s = static_cast<unsigned>(src.getIdx());
        uint8_t rex =
            static_cast<uint8_t>((w64 ? 0x48 : 0x40) | (s >= 8 ? 4 : 0) | (d >= 8 ? 1 : 0));
        if (rex != 0x40) w.b(rex);
        w.b(op);
        w.b(static_cast<uint8_t>(0xC0 | (s & 7) << 3 | (d & 7)));
        commit(w);
    }
    void alu_ri(unsigned ext, const Reg64& dst, uint32_t k, bool w64) {
        Raw w = raw();
        unsigned d = static_cast<unsigned>(dst.getIdx());
        uint8_t rex = static_cast<uint8_t>((w64 ? 0x48 : 0x40) | (d >= 8 ? 1 : 0));
        if (rex != 0x40) w.b(rex);
        auto sk = static_cast<int32_t>(k);
        bool short_imm = sk >= -128 && sk <= 127;
        w.b(short_imm ? 0x83 : 0x81);
        w.b(static_cast<uint8_t>(0xC0 | ext << 3 | (d & 7)));
        if (short_imm) {
            w.b(static_cast<uint8_t>(sk));
        } else {
            w.d(k);
        }
        commit(w);
    }
    // mov dst, src (64-bit registers).
    void mov_rr(const Reg64& dst, const Reg64& src) {
        Raw w = raw();
        unsigned d = static_cast<unsigned>(dst.getIdx()), s = static_cast<unsigned>(src.getIdx());
        w.b(static_cast<uint8_t>(0x48 | (s >= 8 ? 4 : 0) | (d >= 8 ? 1 : 0)));
        w.b(0x89);
        w.b(static_cast<uint8_t>(0xC0 | (s & 7) << 3 | (d & 7)));
        commit(w);
    }
    void binary(const Inst& in);
    void shift(const Inst& in);
    void muldiv(const Inst& in);
    void unary(const Inst& in);
    void compare(const Inst& in);
    void select(const Inst& in);
    void widen(const Inst& in);
    void flags(const Inst& in);
    void cond_holds(const Inst& in);
    void get_reg(const Inst& in);
    void set_reg(const Inst& in);
    void tlb_probe(const Reg64& A, uint64_t memop, bool write, Lbl slow, bool both = false);
    void load(const Inst& in);
    void load_host(const Reg64& d, const Reg64& A, unsigned size);
    void queue_load_slow_path(Cold& c, const Inst& in, const Reg64& A, const Reg64& d,
                              const void* fn);
    void store(const Inst& in);
    void load128(const Inst& in);
    void load_excl(const Inst& in);
    void store_excl(const Inst& in);
    void store128(const Inst& in);
    void emit_cold(Cold& c);
    // Vector ops and RBIT (emitter_vec.cpp).
    void vec_op(const Inst& in);
    void vec_const(const Xbyak::Xmm& x, uint64_t lo, uint64_t hi);
    void vec_load(const Xbyak::Xmm& x, Value v);
    void vec_bin(unsigned kind, unsigned es, const Xbyak::Xmm& a, const Xbyak::Xmm& b);
    void vec_cmp(unsigned kind, unsigned es, const Xbyak::Xmm& a, const Xbyak::Xmm& b);
    void vec_shift(unsigned kind, unsigned es, unsigned amount, const Xbyak::Xmm& x);
    void vec_shuffle_var();
    void rbit(const Inst& in);
    void snapshot_live(Cold& c) const {
        for (int i = 0; i < kNumCallerSaved; ++i)
            c.live[i] = owner_[i];
    }
    // push_live() as the registers were when `c` was recorded.
    uint32_t push_live_at(const Cold& c, int except);
    void call_c(const void* fn, std::initializer_list<Src> args, bool status, bool result, Type rt,
                bool status_in_rax = false);
    void call_abs(const void* fn) {
        mov_imm(rax, reinterpret_cast<uint64_t>(fn));
        Raw w = raw();
        w.b(0xFF);  // call rax
        w.b(0xD0);
        commit(w);
    }
    // A condition whose only use is the next instruction, an ExitCond:
    // leave it in the host flags (no setcc/test) for the branch.
    bool fuse_with_exit(Cc cc) {
        uint32_t next = cur_ + 1;
        if (next >= b_->insts.size() || last_use_[cur_] != next) return false;
        const Inst& x = b_->insts[next];
        if (x.op != Op::ExitCond || x.args[0].id != cur_) return false;
        fused_ = static_cast<int64_t>(cur_);
        fused_cc_ = cc;
        return true;
    }
    void exit_chain(unsigned slot, uint64_t target);
    void store_pc(uint64_t pc);
    void indirect_lookup(const Reg64& pc);
    void enter_if_mode_matches(Lbl miss);
    void jmp_stub(const uint8_t* stub) { jmp_to(stub); }
    void jcc_stub(Cc c, const uint8_t* stub);
    // Pushes the live caller-saved value registers (except `except`) into
    // pushed_; returns the bytes pushed.
    uint32_t push_live(int except);
    void pop_live(uint32_t bytes);
    // After a softmmu call with `bytes` of live registers pushed: a nonzero
    // `status` leaves through the fault stub, else the registers come back.
    void fault_unless_zero(const Reg64& status, uint32_t bytes);

    Xbyak::CodeGenerator& g_;
    const Block* b_ = nullptr;
    std::vector<uint32_t> last_use_;
    std::vector<int8_t> reg_;
    std::vector<int16_t> slot_;
    int owner_[kNumPool];
    uint32_t pinned_ = 0;
    uint64_t slots_used_ = 0;
    uint32_t cur_ = 0;
    std::vector<Cold> cold_;
    struct Fix {
        int id;
        bool short_;
        uint8_t* at;
    };
    std::vector<const uint8_t*> pos_;
    std::vector<Fix> fix_;
    int pushed_[kNumCallerSaved];
    int npushed_ = 0;
    ExitStubs stubs_;
    int64_t fused_ = -1;  // the value left in the flags (fuse_with_exit)
    Cc fused_cc_ = kE;
    BlockCode* out_ = nullptr;
    const BaselineCompiler::IndirectLookup* ind_ = nullptr;
    const BaselineCompiler::HotHook* hot_ = nullptr;
    uint64_t owner_cookie_ = 0;
};

}  // namespace emu::tcg::x86::detail

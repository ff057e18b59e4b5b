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
#include <functional>
#include <string>
#include <vector>

#include "tcg/exec/env.h"
#include "tcg/exec/softmmu.h"
#include "tcg/ir/eval.h"
#include "tcg/ir/helpers.h"
#include "tcg/x86/emitter.h"

namespace emu::tcg::x86::detail {

using Xbyak::Label;
using Xbyak::Reg64;
constexpr auto T_NEAR = Xbyak::CodeGenerator::T_NEAR;
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

inline uint64_t rbit_host(uint64_t x, uint64_t bits) {
    uint64_t r = 0;
    for (int i = 0; i < 64; ++i)
        r |= ((x >> i) & 1) << (63 - i);
    return r >> (64 - bits);
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

class Emitter {
  public:
    Emitter(Xbyak::CodeGenerator& g, const Block& b) : g_(g), b_(b) {}

    void run(const BaselineCompiler::HotHook* hot, BlockCode* out);
    void set_indirect(const BaselineCompiler::IndirectLookup* ind) { ind_ = ind; }

  private:
    // --- allocation ---
    bool is_const(Value v) const { return b_.at(v).op == Op::Const; }
    uint64_t kval(Value v) const { return b_.at(v).imm; }
    Type ty(Value v) const { return b_.type_of(v); }
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
        if (is_const(v)) return {true, kval(v), b_.at(v).imm2, -1};
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
    Reg64 def(int prefer = -1);
    int pool_of(const Reg64& r) const;
    Xbyak::Address slot_addr(int slot, int extra = 0) const {
        return g_.qword[rsp + slot * 8 + extra];
    }

    // --- code ---
    void prologue(const BaselineCompiler::HotHook* hot, BlockCode* out);
    void emit(const Inst& in);
    void canon(const Reg64& r, Type t);
    void mov_imm(const Reg64& r, uint64_t v) { g_.mov(r, v); }
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
    void tlb_probe(const Reg64& A, unsigned size, uint32_t tag_off, uint32_t base, Label& slow);
    void fault_if_status(uint32_t bytes);
    void load(const Inst& in);
    void store(const Inst& in);
    void call_c(const void* fn, std::initializer_list<Src> args, bool status, bool result, Type rt,
                bool status_in_rax = false);
    void exit_chain(unsigned slot, uint64_t target);
    void store_pc(uint64_t pc);
    void indirect_lookup(const Reg64& pc);
    void enter_if_mode_matches(Label& miss);
    void ret_inline();
    // Pushes the live caller-saved value registers (except `except`);
    // returns their pool indices in push order, and the bytes pushed.
    std::vector<int> push_live(int except, uint32_t* bytes);
    void pop_live(const std::vector<int>& pushed, uint32_t bytes);

    Xbyak::CodeGenerator& g_;
    const Block& b_;
    std::vector<uint32_t> last_use_;
    std::vector<int8_t> reg_;
    std::vector<int16_t> slot_;
    int owner_[kNumPool];
    uint32_t pinned_ = 0;
    uint64_t slots_used_ = 0;
    uint32_t cur_ = 0;
    std::vector<std::function<void()>> cold_;
    Label fault_;  // rax = status: return {status, none}
    BlockCode* out_ = nullptr;
    const BaselineCompiler::IndirectLookup* ind_ = nullptr;
};

}  // namespace emu::tcg::x86::detail

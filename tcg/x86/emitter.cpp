// IR -> x86-64 (see emitter.h for the code layout).
//
// Register allocation is one forward pass: every SSA value gets a host
// register when it is defined and gives it back after its last use; when
// all 11 are taken, the value whose last use is furthest away goes to a
// frame slot (reloaded on its next use). Values are kept zero-extended to
// 64 bits in registers, so widening is free and 32-bit ops need no masking.
// Calls (helpers, TLB misses) save the caller-saved value registers with
// push/pop around the call only, so the allocation state never changes at
// a call, and a cold path joins the hot path with identical registers.
#include "tcg/x86/emitter.h"

#include <xbyak/xbyak.h>
#include <xbyak/xbyak_util.h>

#include <cstddef>
#include <functional>
#include <vector>

#include "tcg/exec/env.h"
#include "tcg/exec/softmmu.h"
#include "tcg/ir/eval.h"
#include "tcg/ir/helpers.h"

namespace emu::tcg::x86 {

namespace {

using Xbyak::Label;
using Xbyak::Reg64;
constexpr auto T_NEAR = Xbyak::CodeGenerator::T_NEAR;
using namespace Xbyak::util;

constexpr int kNumPool = 11;
constexpr int kNumCallerSaved = 6;  // the first kNumCallerSaved of the pool
const Reg64 kPool[kNumPool] = {rsi, rdi, r8, r9, r10, r11, rbp, r12, r13, r14, r15};
constexpr int kFrameSlots = 64;
// 6 pushes + this keep rsp 16-byte aligned in the body (entry rsp is 8 mod 16).
constexpr uint32_t kFrameBytes = kFrameSlots * 8 + 8;
constexpr uint32_t kReserved1 = offsetof(TcgEnv, reserved1);
constexpr uint32_t kNoSlot = kExitSlotNone;

struct Unsupported {
    std::string why;
};

bool fits_i32(uint64_t v) {
    return static_cast<int64_t>(v) == static_cast<int32_t>(v);
}

unsigned bits_of(Type t) {
    return t == Type::I1 ? 1 : type_bits(t);
}

bool host_has_popcnt() {
    static const bool has = Xbyak::util::Cpu().has(Xbyak::util::Cpu::tPOPCNT);
    return has;
}

uint64_t rbit_host(uint64_t x, uint64_t bits) {
    uint64_t r = 0;
    for (int i = 0; i < 64; ++i)
        r |= ((x >> i) & 1) << (63 - i);
    return r >> (64 - bits);
}
uint64_t ctpop_host(uint64_t x) {
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
    void load(const Inst& in);
    void store(const Inst& in);
    void call_c(const void* fn, std::initializer_list<Src> args, bool status, bool result, Type rt,
                bool status_in_rax = false);
    void exit_chain(unsigned slot, uint64_t target);
    void store_pc(uint64_t pc);
    void indirect_lookup(const Reg64& pc);
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

int Emitter::pool_of(const Reg64& r) const {
    for (int i = 0; i < kNumPool; ++i)
        if (kPool[i].getIdx() == r.getIdx()) return i;
    return -1;
}

int Emitter::alloc_slot() {
    if (slots_used_ == ~0ull) throw Unsupported{"more than 64 spilled values"};
    int s = __builtin_ctzll(~slots_used_);
    slots_used_ |= 1ull << s;
    return s;
}

void Emitter::def128() {
    for (int s = 0; s < kFrameSlots; s += 2) {
        if (!(slots_used_ >> s & 3)) {
            slots_used_ |= 3ull << s;
            slot_[cur_] = static_cast<int16_t>(s);
            return;
        }
    }
    throw Unsupported{"more than 64 spilled values"};
}

int Emitter::alloc_reg(int prefer) {
    if (prefer >= 0 && owner_[prefer] < 0 && !(pinned_ >> prefer & 1)) return prefer;
    for (int i = 0; i < kNumPool; ++i)
        if (owner_[i] < 0 && !(pinned_ >> i & 1)) return i;
    // Spill the value used furthest in the future.
    int victim = -1;
    uint32_t far = 0;
    for (int i = 0; i < kNumPool; ++i) {
        if (pinned_ >> i & 1) continue;
        uint32_t lu = last_use_[owner_[i]];
        if (victim < 0 || lu > far) victim = i, far = lu;
    }
    if (victim < 0) throw Unsupported{"register pressure"};
    int v = owner_[victim];
    if (slot_[v] < 0) {
        slot_[v] = static_cast<int16_t>(alloc_slot());
        g_.mov(slot_addr(slot_[v]), kPool[victim]);
    }
    reg_[v] = -1;
    owner_[victim] = -1;
    return victim;
}

Reg64 Emitter::in_reg(Value v, const Reg64& scratch) {
    if (is_const(v)) {
        mov_imm(scratch, kval(v));
        return scratch;
    }
    int r = reg_[v.id];
    if (r < 0) {
        r = alloc_reg();
        g_.mov(kPool[r], slot_addr(slot_[v.id]));
        reg_[v.id] = static_cast<int8_t>(r);
        owner_[r] = static_cast<int>(v.id);
    }
    pinned_ |= 1u << r;
    return kPool[r];
}

void Emitter::release_dead() {
    const Inst& in = b_.insts[cur_];
    for (unsigned a = 0; a < in.nargs; ++a) {
        Value v = in.args[a];
        if (is_const(v) || last_use_[v.id] != cur_) continue;
        if (int r = reg_[v.id]; r >= 0) {
            owner_[r] = -1;
            pinned_ &= ~(1u << r);
            reg_[v.id] = -1;
        }
        if (int s = slot_[v.id]; s >= 0) {
            slots_used_ &= ~((wide(v) ? 3ull : 1ull) << s);
            slot_[v.id] = -1;
        }
    }
}

Reg64 Emitter::def(int prefer) {
    int r = alloc_reg(prefer);
    owner_[r] = static_cast<int>(cur_);
    reg_[cur_] = static_cast<int8_t>(r);
    // A value nobody reads is dead at once (calls are emitted for their
    // side effects; their result register is free again).
    if (last_use_[cur_] == 0) {
        owner_[r] = -1;
        reg_[cur_] = -1;
    }
    return kPool[r];
}

std::vector<int> Emitter::push_live(int except, uint32_t* bytes) {
    std::vector<int> pushed;
    for (int i = 0; i < kNumCallerSaved; ++i)
        if (owner_[i] >= 0 && i != except) pushed.push_back(i);
    uint32_t pad = (pushed.size() & 1) ? 8 : 0;
    if (pad) g_.sub(rsp, 8);
    for (int i : pushed)
        g_.push(kPool[i]);
    *bytes = static_cast<uint32_t>(pushed.size() * 8 + pad);
    return pushed;
}

void Emitter::pop_live(const std::vector<int>& pushed, uint32_t bytes) {
    for (auto it = pushed.rbegin(); it != pushed.rend(); ++it)
        g_.pop(kPool[*it]);
    if (pushed.size() & 1) g_.add(rsp, 8);
}

void Emitter::canon(const Reg64& r, Type t) {
    switch (bits_of(t)) {
        case 1:
            g_.and_(r.cvt32(), 1);
            break;
        case 8:
            g_.movzx(r.cvt32(), r.cvt8());
            break;
        case 16:
            g_.movzx(r.cvt32(), r.cvt16());
            break;
        case 32:
            g_.mov(r.cvt32(), r.cvt32());
            break;
        default:
            break;
    }
}

void Emitter::ret_inline() {
    g_.add(rsp, kFrameBytes);
    for (const Reg64& r : {r15, r14, r13, r12, rbp, rbx})
        g_.pop(r);
    g_.ret();
}

void Emitter::prologue(const BaselineCompiler::HotHook* hot, BlockCode* out) {
    out->main = g_.getCurr();
    for (const Reg64& r : {rbx, rbp, r12, r13, r14, r15})
        g_.push(r);
    g_.sub(rsp, kFrameBytes);
    g_.mov(rbx, rdi);
    g_.mov(g_.qword[rbx + kReserved1], uint32_t(0));
    Label body;
    g_.jmp(body, T_NEAR);
    // Entered from a linked block: same frame, env already in rbx.
    out->chain = g_.getCurr();
    g_.mov(rax, reinterpret_cast<uint64_t>(out->main));
    g_.mov(g_.qword[rbx + kReserved1], rax);
    g_.L(body);
    if (hot && hot->counter && hot->fn) {
        Label cold, back;
        g_.mov(rax, reinterpret_cast<uint64_t>(hot->counter));
        g_.sub(g_.dword[rax], 1);
        g_.jz(cold, T_NEAR);
        g_.L(back);
        auto fn = hot->fn;
        void* cookie = hot->cookie;
        cold_.push_back([this, fn, cookie, cold, back]() mutable {
            g_.L(cold);
            g_.mov(rdi, rbx);
            g_.mov(rsi, reinterpret_cast<uint64_t>(cookie));
            g_.mov(rax, reinterpret_cast<uint64_t>(fn));
            g_.call(rax);
            g_.jmp(back, T_NEAR);
        });
    }
}

void Emitter::run(const BaselineCompiler::HotHook* hot, BlockCode* out) {
    out_ = out;
    size_t n = b_.insts.size();
    last_use_.assign(n, 0);
    reg_.assign(n, -1);
    slot_.assign(n, -1);
    for (int& o : owner_)
        o = -1;
    for (uint32_t i = 0; i < n; ++i) {
        const Inst& in = b_.insts[i];
        for (unsigned a = 0; a < in.nargs; ++a)
            last_use_[in.args[a].id] = i;
    }
    out->start = g_.getCurr();
    prologue(hot, out);
    for (cur_ = 0; cur_ < n; ++cur_) {
        const Inst& in = b_.insts[cur_];
        bool w = in.type == Type::I128;
        for (unsigned a = 0; a < in.nargs && !w; ++a)
            w = wide(in.args[a]);
        if (w) {
            wide_op(in);
        } else {
            emit(in);
        }
        pinned_ = 0;
        // An unused i128 result gives its slots back at once.
        if (in.type == Type::I128 && last_use_[cur_] == 0 && slot_[cur_] >= 0) {
            slots_used_ &= ~(3ull << slot_[cur_]);
            slot_[cur_] = -1;
        }
    }
    // Cold code: slow paths, then the common fault exit.
    for (size_t i = 0; i < cold_.size(); ++i)
        cold_[i]();
    g_.L(fault_);
    g_.mov(edx, kNoSlot);
    ret_inline();
    out->size = static_cast<size_t>(g_.getCurr() - out->start);
}

// --- ops --------------------------------------------------------------------

void Emitter::emit(const Inst& in) {
    switch (in.op) {
        case Op::Const:
        case Op::Nop:
        case Op::GuestInsn:
            return;
        case Op::GetReg:
            return get_reg(in);
        case Op::SetReg:
            return set_reg(in);
        case Op::Add:
        case Op::Sub:
        case Op::Mul:
        case Op::And:
        case Op::Or:
        case Op::Xor:
        case Op::AddCarry:
            return binary(in);
        case Op::Shl:
        case Op::LShr:
        case Op::AShr:
        case Op::Ror:
            return shift(in);
        case Op::UMulH:
        case Op::SMulH:
        case Op::UDiv:
        case Op::SDiv:
            return muldiv(in);
        case Op::Not:
        case Op::Neg:
        case Op::Clz:
        case Op::Bswap:
            return unary(in);
        case Op::Rbit:
            return call_c(reinterpret_cast<const void*>(&rbit_host),
                          {Src::val(in.args[0]), Src::k(bits_of(in.type))}, false, true, in.type);
        case Op::Ctpop:
            if (host_has_popcnt()) return unary(in);
            return call_c(reinterpret_cast<const void*>(&ctpop_host), {Src::val(in.args[0])}, false,
                          true, in.type);
        case Op::Eq:
        case Op::Ne:
        case Op::Ult:
        case Op::Ule:
        case Op::Slt:
        case Op::Sle:
            return compare(in);
        case Op::Select:
            return select(in);
        case Op::ZExt:
        case Op::SExt:
        case Op::Trunc:
        case Op::Bitcast:
            return widen(in);
        case Op::Hi64:
        case Op::Pack128:
            return wide_op(in);
        case Op::AddFlags:
        case Op::SubFlags:
        case Op::AdcFlags:
        case Op::LogicFlags:
            return flags(in);
        case Op::CondHolds:
            return cond_holds(in);
        case Op::Load:
            return load(in);
        case Op::Store:
            return store(in);
        case Op::LoadExcl:
            return call_c(reinterpret_cast<const void*>(&mem_load_excl),
                          {Src::env(), Src::val(in.args[0]), Src::k(in.imm), Src::k(in.imm2)}, true,
                          true, in.type);
        case Op::StoreExcl:
            return call_c(reinterpret_cast<const void*>(&mem_store_excl),
                          {Src::env(), Src::val(in.args[0]), Src::val(in.args[1]), Src::k(in.imm),
                           Src::k(in.imm2)},
                          true, true, in.type);
        case Op::AtomicRmw:
            return call_c(reinterpret_cast<const void*>(&mem_atomic_rmw),
                          {Src::env(), Src::val(in.args[0]), Src::val(in.args[1]), Src::k(in.imm),
                           Src::k(in.imm2)},
                          true, true, in.type);
        case Op::CmpXchg:
            return call_c(reinterpret_cast<const void*>(&mem_cmpxchg),
                          {Src::env(), Src::val(in.args[0]), Src::val(in.args[1]),
                           Src::val(in.args[2]), Src::k(in.imm), Src::k(in.imm2)},
                          true, true, in.type);
        case Op::Fence:
            if (static_cast<FenceKind>(in.imm) == FenceKind::Full) g_.mfence();
            return;
        case Op::Call:
        case Op::CallVoid: {
            const HelperInfo& h = helper_info(static_cast<uint32_t>(in.imm));
            Src a[kMaxArgs] = {Src::k(0), Src::k(0), Src::k(0), Src::k(0)};
            for (unsigned i = 0; i < in.nargs && i < kMaxArgs; ++i)
                a[i] = Src::val(in.args[i]);
            return call_c(reinterpret_cast<const void*>(h.fn), {Src::env(), a[0], a[1], a[2], a[3]},
                          true, in.op == Op::Call, in.type);
        }
        case Op::ExitLink:
            store_pc(in.imm);
            return exit_chain(0, in.imm);
        case Op::ExitCond: {
            Value c = in.args[0];
            if (is_const(c)) {
                bool t = kval(c) & 1;
                store_pc(t ? in.imm : in.imm2);
                return exit_chain(t ? 0 : 1, t ? in.imm : in.imm2);
            }
            Reg64 rc = in_reg(c, rax);
            Label not_taken;
            g_.test(rc.cvt32(), rc.cvt32());
            g_.jz(not_taken, T_NEAR);
            store_pc(in.imm);
            exit_chain(0, in.imm);
            g_.L(not_taken);
            store_pc(in.imm2);
            return exit_chain(1, in.imm2);
        }
        case Op::ExitIndirect: {
            Value a = in.args[0];
            if (is_const(a)) {
                store_pc(kval(a));
            } else {
                Reg64 ra = in_reg(a, rax);
                g_.mov(g_.qword[rbx + kEnvPcOffset], ra);
                if (ind_ && ind_->table) indirect_lookup(ra);
            }
            g_.xor_(eax, eax);
            g_.mov(edx, kNoSlot);
            return ret_inline();
        }
        case Op::ExitDispatch:
            g_.xor_(eax, eax);
            g_.mov(edx, kNoSlot);
            return ret_inline();
        case Op::Count_:
            break;
    }
    throw Unsupported{op_info(in.op).name};
}

void Emitter::store_pc(uint64_t pc) {
    if (fits_i32(pc)) {
        g_.mov(g_.qword[rbx + kEnvPcOffset], pc);
    } else {
        g_.mov(rax, pc);
        g_.mov(g_.qword[rbx + kEnvPcOffset], rax);
    }
}

void Emitter::indirect_lookup(const Reg64& pc) {
    // The dispatcher's jump cache, inline: on a hit with the same mode
    // flags, continue in the target's chain entry (as a linked exit would);
    // anything else returns to the dispatcher.
    static_assert(sizeof(BaselineCompiler::JumpCacheEntry) == 32);
    Label miss;
    g_.cmp(g_.dword[rbx + kEnvExitRequestOffset], 0);
    g_.jne(miss, T_NEAR);
    g_.mov(rax, pc);
    g_.shr(rax, 2);
    g_.mov(rcx, pc);
    g_.shr(rcx, static_cast<int>(2 + ind_->bits));
    g_.xor_(eax, ecx);
    g_.and_(eax, (1u << ind_->bits) - 1);
    g_.shl(eax, 5);
    g_.mov(rdx, reinterpret_cast<uint64_t>(ind_->table));
    g_.add(rax, rdx);
    g_.cmp(pc, g_.qword[rax + offsetof(BaselineCompiler::JumpCacheEntry, pc)]);
    g_.jne(miss, T_NEAR);
    uint64_t flags = ind_->flags;
    if (fits_i32(flags)) {
        g_.cmp(g_.qword[rax + offsetof(BaselineCompiler::JumpCacheEntry, flags)], flags);
    } else {
        g_.mov(rcx, flags);
        g_.cmp(rcx, g_.qword[rax + offsetof(BaselineCompiler::JumpCacheEntry, flags)]);
    }
    g_.jne(miss, T_NEAR);
    g_.jmp(g_.qword[rax + offsetof(BaselineCompiler::JumpCacheEntry, chain)]);
    g_.L(miss);
}

void Emitter::exit_chain(unsigned slot, uint64_t target) {
    Label busy;
    g_.cmp(g_.dword[rbx + kEnvExitRequestOffset], 0);
    g_.jne(busy, T_NEAR);
    // jmp rel32, initially to the next instruction; link() patches it.
    g_.db(0xE9);
    out_->site[slot] = const_cast<uint8_t*>(g_.getCurr());
    g_.dd(0);
    out_->unlinked[slot] = g_.getCurr();
    if (ind_ && ind_->table) {
        // Not linked (the dispatcher links within a page only): try the
        // jump cache, whose entry for a constant target is known now.
        Label miss;
        unsigned h = (target >> 2 ^ target >> (2 + ind_->bits)) & ((1u << ind_->bits) - 1);
        g_.mov(rax, reinterpret_cast<uint64_t>(&ind_->table[h]));
        if (fits_i32(target)) {
            g_.cmp(g_.qword[rax + offsetof(BaselineCompiler::JumpCacheEntry, pc)], target);
        } else {
            g_.mov(rcx, target);
            g_.cmp(rcx, g_.qword[rax + offsetof(BaselineCompiler::JumpCacheEntry, pc)]);
        }
        g_.jne(miss, T_NEAR);
        uint64_t flags = ind_->flags;
        if (fits_i32(flags)) {
            g_.cmp(g_.qword[rax + offsetof(BaselineCompiler::JumpCacheEntry, flags)], flags);
        } else {
            g_.mov(rcx, flags);
            g_.cmp(rcx, g_.qword[rax + offsetof(BaselineCompiler::JumpCacheEntry, flags)]);
        }
        g_.jne(miss, T_NEAR);
        g_.jmp(g_.qword[rax + offsetof(BaselineCompiler::JumpCacheEntry, chain)]);
        g_.L(miss);
    }
    g_.xor_(eax, eax);
    g_.mov(edx, slot);
    ret_inline();
    g_.L(busy);
    g_.xor_(eax, eax);
    g_.mov(edx, kNoSlot);
    ret_inline();
}

void Emitter::get_reg(const Inst& in) {
    Reg64 d = def();
    auto m = rbx + static_cast<uint32_t>(in.imm);
    switch (bits_of(in.type)) {
        case 1:
        case 8:
            g_.movzx(d.cvt32(), g_.byte[m]);
            break;
        case 16:
            g_.movzx(d.cvt32(), g_.word[m]);
            break;
        case 32:
            g_.mov(d.cvt32(), g_.dword[m]);
            break;
        default:
            g_.mov(d, g_.qword[m]);
            break;
    }
}

void Emitter::set_reg(const Inst& in) {
    Value v = in.args[0];
    auto m = rbx + static_cast<uint32_t>(in.imm);
    unsigned bits = bits_of(ty(v));
    if (is_const(v)) {
        uint64_t k = kval(v);
        switch (bits) {
            case 1:
            case 8:
                g_.mov(g_.byte[m], static_cast<uint8_t>(k));
                break;
            case 16:
                g_.mov(g_.word[m], static_cast<uint16_t>(k));
                break;
            case 32:
                g_.mov(g_.dword[m], static_cast<uint32_t>(k));
                break;
            default:
                if (fits_i32(k)) {
                    g_.mov(g_.qword[m], k);
                } else {
                    g_.mov(rax, k);
                    g_.mov(g_.qword[m], rax);
                }
                break;
        }
        return;
    }
    Reg64 r = in_reg(v, rax);
    switch (bits) {
        case 1:
        case 8:
            g_.mov(g_.byte[m], r.cvt8());
            break;
        case 16:
            g_.mov(g_.word[m], r.cvt16());
            break;
        case 32:
            g_.mov(g_.dword[m], r.cvt32());
            break;
        default:
            g_.mov(g_.qword[m], r);
            break;
    }
    release_dead();
}

void Emitter::binary(const Inst& in) {
    Value a = in.args[0], b = in.args[1];
    unsigned bits = bits_of(in.type);
    bool w64 = bits == 64;
    Reg64 ra = in_reg(a, rax);
    bool bk = is_const(b) && (w64 ? fits_i32(kval(b)) : true);
    Reg64 rb = bk ? rcx : in_reg(b, rcx);
    bool has_c = in.op == Op::AddCarry && !is_const(in.args[2]);
    Reg64 rc = has_c ? in_reg(in.args[2], rdx) : rdx;
    int prefer = pool_of(ra);
    release_dead();
    Reg64 d = def(prefer);
    // dst = a; dst op= b; [dst += c]. When d already holds b (or c), either
    // swap a commutative op or compute in rax.
    Reg64 dst = d;
    bool via_rax = false;
    if (!bk && d.getIdx() == rb.getIdx() && d.getIdx() != ra.getIdx()) {
        if (in.op != Op::Sub && !has_c) {
            std::swap(ra, rb);
        } else {
            via_rax = true;
        }
    }
    if (has_c && d.getIdx() == rc.getIdx()) via_rax = true;
    if (via_rax) dst = rax;
    if (dst.getIdx() != ra.getIdx()) g_.mov(dst, ra);
    Xbyak::Reg X = w64 ? static_cast<Xbyak::Reg>(dst) : static_cast<Xbyak::Reg>(dst.cvt32());
    Xbyak::Reg B = w64 ? static_cast<Xbyak::Reg>(rb) : static_cast<Xbyak::Reg>(rb.cvt32());
    uint32_t k = static_cast<uint32_t>(bk ? kval(b) : 0);
    switch (in.op) {
        case Op::Add:
        case Op::AddCarry:
            bk ? g_.add(X, k) : g_.add(X, B);
            break;
        case Op::Sub:
            bk ? g_.sub(X, k) : g_.sub(X, B);
            break;
        case Op::And:
            bk ? g_.and_(X, k) : g_.and_(X, B);
            break;
        case Op::Or:
            bk ? g_.or_(X, k) : g_.or_(X, B);
            break;
        case Op::Xor:
            bk ? g_.xor_(X, k) : g_.xor_(X, B);
            break;
        case Op::Mul:
            bk ? g_.imul(X, X, static_cast<int>(k)) : g_.imul(X, B);
            break;
        default:
            throw Unsupported{op_info(in.op).name};
    }
    if (in.op == Op::AddCarry) {
        if (has_c) {
            w64 ? g_.add(X, rc) : g_.add(X, rc.cvt32());
        } else if (kval(in.args[2]) & 1) {
            g_.add(X, 1);
        }
    }
    if (bits < 32) canon(dst, in.type);
    if (via_rax) g_.mov(d, rax);
}

void Emitter::shift(const Inst& in) {
    Value a = in.args[0], b = in.args[1];
    unsigned bits = bits_of(in.type);
    bool w64 = bits == 64;
    Reg64 ra = in_reg(a, rax);
    bool bk = is_const(b);
    if (!bk) {
        Reg64 rb = in_reg(b, rcx);
        g_.mov(ecx, rb.cvt32());
        if (bits < 32) g_.and_(ecx, bits - 1);
    }
    uint8_t k = bk ? static_cast<uint8_t>(kval(b) % bits) : 0;
    int prefer = pool_of(ra);
    release_dead();
    Reg64 d = def(prefer);
    Xbyak::Reg X = w64 ? static_cast<Xbyak::Reg>(d) : static_cast<Xbyak::Reg>(d.cvt32());
    if (in.op == Op::AShr && bits < 32) {
        if (bits == 8) {
            g_.movsx(d.cvt32(), ra.cvt8());
        } else {
            g_.movsx(d.cvt32(), ra.cvt16());
        }
    } else if (d.getIdx() != ra.getIdx()) {
        g_.mov(d, ra);
    }
    auto doit = [&](auto&& f) {
        if (bk) {
            f(X, k);
        } else {
            f(X, cl);
        }
    };
    switch (in.op) {
        case Op::Shl:
            doit([&](const Xbyak::Reg& x, auto y) { g_.shl(x, y); });
            break;
        case Op::LShr:
            doit([&](const Xbyak::Reg& x, auto y) { g_.shr(x, y); });
            break;
        case Op::AShr:
            doit([&](const Xbyak::Reg& x, auto y) { g_.sar(x, y); });
            break;
        case Op::Ror:
            doit([&](const Xbyak::Reg& x, auto y) { g_.ror(x, y); });
            break;
        default:
            break;
    }
    if (bits < 32) canon(d, in.type);
}

void Emitter::muldiv(const Inst& in) {
    unsigned bits = bits_of(in.type);
    bool w64 = bits == 64;
    // Operands go to rax (a) and rcx (b); results come from rax/rdx.
    Value a = in.args[0], b = in.args[1];
    if (is_const(a)) {
        mov_imm(rax, kval(a));
    } else {
        g_.mov(rax, in_reg(a, rax));
    }
    if (is_const(b)) {
        mov_imm(rcx, kval(b));
    } else {
        g_.mov(rcx, in_reg(b, rcx));
    }
    release_dead();
    Reg64 d = def();
    switch (in.op) {
        case Op::UMulH:
            if (w64) {
                g_.mul(rcx);
                g_.mov(d, rdx);
            } else {
                g_.imul(rax, rcx);  // both < 2^32: the low 64 bits are exact
                g_.shr(rax, 32);
                g_.mov(d, rax);
            }
            break;
        case Op::SMulH:
            if (w64) {
                g_.imul(rcx);
                g_.mov(d, rdx);
            } else {
                g_.movsxd(rax, eax);
                g_.movsxd(rcx, ecx);
                g_.imul(rax, rcx);
                g_.shr(rax, 32);
                g_.mov(d.cvt32(), eax);
            }
            break;
        case Op::UDiv:
        case Op::SDiv: {
            // A64: x / 0 = 0; INT_MIN / -1 = INT_MIN (= -x, as for any x / -1).
            Label zero, neg, done;
            Xbyak::Reg A = w64 ? static_cast<Xbyak::Reg>(rax) : static_cast<Xbyak::Reg>(eax);
            Xbyak::Reg B = w64 ? static_cast<Xbyak::Reg>(rcx) : static_cast<Xbyak::Reg>(ecx);
            g_.test(B, B);
            g_.jz(zero, T_NEAR);
            if (in.op == Op::SDiv) {
                g_.cmp(B, 0xFFFFFFFFu);
                g_.je(neg, T_NEAR);
                if (w64) {
                    g_.cqo();
                } else {
                    g_.cdq();
                }
                g_.idiv(B);
            } else {
                g_.xor_(edx, edx);
                g_.div(B);
            }
            g_.jmp(done, T_NEAR);
            g_.L(neg);
            g_.neg(A);
            g_.jmp(done, T_NEAR);
            g_.L(zero);
            g_.xor_(eax, eax);
            g_.L(done);
            g_.mov(d.cvt32(), eax);
            if (w64) g_.mov(d, rax);
            break;
        }
        default:
            break;
    }
}

void Emitter::unary(const Inst& in) {
    unsigned bits = bits_of(in.type);
    bool w64 = bits == 64;
    Reg64 ra = in_reg(in.args[0], rax);
    int prefer = pool_of(ra);
    release_dead();
    Reg64 d = def(prefer);
    Xbyak::Reg X = w64 ? static_cast<Xbyak::Reg>(d) : static_cast<Xbyak::Reg>(d.cvt32());
    switch (in.op) {
        case Op::Not:
            if (d.getIdx() != ra.getIdx()) g_.mov(d, ra);
            if (bits < 32) {
                g_.xor_(d.cvt32(), static_cast<uint32_t>(type_mask(in.type)));
            } else {
                g_.not_(X);
            }
            break;
        case Op::Neg:
            if (d.getIdx() != ra.getIdx()) g_.mov(d, ra);
            g_.neg(X);
            if (bits < 32) canon(d, in.type);
            break;
        case Op::Clz:
            if (w64) {
                g_.bsr(rax, ra);
            } else {
                g_.bsr(eax, ra.cvt32());
            }
            g_.mov(ecx, 0xFFFFFFFFu);
            g_.cmovz(eax, ecx);
            g_.mov(d.cvt32(), bits - 1);
            g_.sub(d.cvt32(), eax);
            break;
        case Op::Bswap:
            if (d.getIdx() != ra.getIdx()) g_.mov(d, ra);
            if (bits == 16) {
                g_.rol(d.cvt16(), 8);
                canon(d, in.type);
            } else if (bits == 32) {
                g_.bswap(d.cvt32());
            } else if (bits == 64) {
                g_.bswap(d);
            }
            break;
        case Op::Ctpop:
            g_.popcnt(d, ra);
            break;
        default:
            break;
    }
}

void Emitter::compare(const Inst& in) {
    Value a = in.args[0], b = in.args[1];
    unsigned bits = bits_of(ty(a));
    bool sign = in.op == Op::Slt || in.op == Op::Sle;
    bool w64 = bits == 64;
    Reg64 ra = in_reg(a, rax);
    bool bk = is_const(b) && (w64 ? fits_i32(kval(b)) : !sign || bits >= 32);
    Reg64 rb = bk ? rcx : in_reg(b, rcx);
    if (sign && bits < 32) {
        // Compare sign-extended copies at 32 bits.
        auto sx = [&](const Reg64& dst, const Reg64& src) {
            if (bits == 1) {
                g_.mov(dst.cvt32(), src.cvt32());
                g_.neg(dst.cvt32());
            } else if (bits == 8) {
                g_.movsx(dst.cvt32(), src.cvt8());
            } else {
                g_.movsx(dst.cvt32(), src.cvt16());
            }
        };
        sx(rax, ra);
        sx(rcx, rb);
        g_.cmp(eax, ecx);
    } else if (bk) {
        if (w64) {
            g_.cmp(ra, static_cast<uint32_t>(kval(b)));
        } else {
            g_.cmp(ra.cvt32(), static_cast<uint32_t>(kval(b)));
        }
    } else if (w64) {
        g_.cmp(ra, rb);
    } else {
        g_.cmp(ra.cvt32(), rb.cvt32());
    }
    release_dead();
    Reg64 d = def();
    auto d8 = d.cvt8();
    switch (in.op) {
        case Op::Eq:
            g_.sete(d8);
            break;
        case Op::Ne:
            g_.setne(d8);
            break;
        case Op::Ult:
            g_.setb(d8);
            break;
        case Op::Ule:
            g_.setbe(d8);
            break;
        case Op::Slt:
            g_.setl(d8);
            break;
        case Op::Sle:
            g_.setle(d8);
            break;
        default:
            break;
    }
    g_.movzx(d.cvt32(), d8);
}

void Emitter::select(const Inst& in) {
    Value c = in.args[0], t = in.args[1], f = in.args[2];
    if (is_const(c)) {
        Value pick = (kval(c) & 1) ? t : f;
        Reg64 r = in_reg(pick, rax);
        int prefer = pool_of(r);
        release_dead();
        Reg64 d = def(prefer);
        if (d.getIdx() != r.getIdx()) g_.mov(d, r);
        return;
    }
    Reg64 rc = in_reg(c, rax);
    Reg64 rt = in_reg(t, rcx);
    Reg64 rf = in_reg(f, rdx);
    release_dead();
    Reg64 d = def();
    g_.test(rc.cvt32(), rc.cvt32());
    if (d.getIdx() == rt.getIdx()) {
        g_.cmovz(d, rf);
    } else {
        if (d.getIdx() != rf.getIdx()) g_.mov(d, rf);
        g_.cmovnz(d, rt);
    }
}

void Emitter::widen(const Inst& in) {
    Value a = in.args[0];
    unsigned from = bits_of(ty(a));
    Reg64 ra = in_reg(a, rax);
    int prefer = pool_of(ra);
    release_dead();
    Reg64 d = def(prefer);
    if (in.op == Op::SExt) {
        switch (from) {
            case 1:
                if (d.getIdx() != ra.getIdx()) g_.mov(d, ra);
                g_.neg(d);
                break;
            case 8:
                g_.movsx(d, ra.cvt8());
                break;
            case 16:
                g_.movsx(d, ra.cvt16());
                break;
            default:
                g_.movsxd(d, ra.cvt32());
                break;
        }
        canon(d, in.type);
        return;
    }
    if (d.getIdx() != ra.getIdx()) g_.mov(d, ra);
    if (in.op == Op::Trunc) canon(d, in.type);
}

void Emitter::flags(const Inst& in) {
    Value a = in.args[0];
    bool w64 = bits_of(ty(a)) == 64;
    auto W = [&](const Reg64& r) -> Xbyak::Reg {
        return w64 ? static_cast<Xbyak::Reg>(r) : static_cast<Xbyak::Reg>(r.cvt32());
    };
    Reg64 ra = in_reg(a, rcx);
    if (in.op == Op::LogicFlags) {
        g_.test(W(ra), W(ra));
    } else {
        Value b = in.args[1];
        bool bk = is_const(b) && (w64 ? fits_i32(kval(b)) : true);
        Reg64 rb = bk ? rdx : in_reg(b, rdx);
        Reg64 rcin = rax;
        bool cin_k = in.op == Op::AdcFlags && is_const(in.args[2]);
        if (in.op == Op::AdcFlags && !cin_k) rcin = in_reg(in.args[2], rax);
        auto with_b = [&](auto&& f, const Xbyak::Reg& x) {
            if (bk) {
                f(x, static_cast<uint32_t>(kval(b)));
            } else {
                f(x, W(rb));
            }
        };
        if (in.op == Op::SubFlags) {
            with_b([&](const Xbyak::Reg& x, auto y) { g_.cmp(x, y); }, W(ra));
        } else {
            // rcx may hold a (a constant): add into rcx either way.
            if (ra.getIdx() != rcx.getIdx()) g_.mov(rcx, ra);
            if (in.op == Op::AddFlags) {
                with_b([&](const Xbyak::Reg& x, auto y) { g_.add(x, y); }, W(rcx));
            } else {
                if (cin_k) {
                    if (kval(in.args[2]) & 1) {
                        g_.stc();
                    } else {
                        g_.clc();
                    }
                } else {
                    g_.bt(rcin.cvt32(), 0);
                }
                with_b([&](const Xbyak::Reg& x, auto y) { g_.adc(x, y); }, W(rcx));
            }
        }
    }
    // Host SF ZF CF OF -> N Z C V at bits 31..28: lahf puts SF at bit 15,
    // ZF at 14 and CF at 8 of eax, seto OF at bit 0; one multiply moves all
    // four into place without overlapping carries.
    g_.lahf();
    g_.seto(al);
    g_.and_(eax, 0xC101);
    g_.imul(eax, eax, 0x10210000);
    g_.and_(eax, 0xF0000000u);
    if (in.op == Op::SubFlags) g_.xor_(eax, 0x20000000u);  // A64 C is "no borrow"
    release_dead();
    Reg64 d = def();
    g_.mov(d.cvt32(), eax);
}

void Emitter::cond_holds(const Inst& in) {
    unsigned cond = static_cast<unsigned>(in.imm);
    uint32_t mask = 0;
    for (uint32_t f = 0; f < 16; ++f)
        if (tcg::cond_holds(f << 28, cond)) mask |= 1u << f;
    Reg64 ra = in_reg(in.args[0], rax);
    g_.mov(eax, ra.cvt32());
    g_.shr(eax, 28);
    g_.mov(ecx, mask);
    g_.bt(ecx, eax);
    release_dead();
    Reg64 d = def();
    g_.setc(d.cvt8());
    g_.movzx(d.cvt32(), d.cvt8());
}

void Emitter::load(const Inst& in) {
    unsigned size = MemOp::size(in.imm);
    if (size > 8) throw Unsupported{"16-byte load"};
    unsigned mmu = MemOp::mmu_idx(in.imm);
    uint32_t base = static_cast<uint32_t>(kEnvTlbOffset + mmu * kTlbSize * sizeof(TlbEntry));
    Reg64 A = in_reg(in.args[0], rcx);
    release_dead();
    Reg64 d = def();
    // Entry index * 32 in rax, tag compare in rdx.
    g_.mov(rax, A);
    g_.shr(rax, kPageBits - 5);
    g_.and_(eax, (kTlbSize - 1) << 5);
    g_.mov(rdx, A);
    g_.and_(rdx, static_cast<uint32_t>(kPageMask | (size - 1)));
    Label slow, back;
    g_.cmp(rdx, g_.qword[rbx + rax + base + offsetof(TlbEntry, addr_read)]);
    g_.jne(slow, T_NEAR);
    g_.mov(rdx, g_.qword[rbx + rax + base + offsetof(TlbEntry, addend)]);
    switch (size) {
        case 1:
            g_.movzx(d.cvt32(), g_.byte[A + rdx]);
            break;
        case 2:
            g_.movzx(d.cvt32(), g_.word[A + rdx]);
            break;
        case 4:
            g_.mov(d.cvt32(), g_.dword[A + rdx]);
            break;
        default:
            g_.mov(d, g_.qword[A + rdx]);
            break;
    }
    g_.L(back);
    // The slow path sees the registers as they were at the jne.
    int dpool = pool_of(d);
    int live[kNumCallerSaved];
    for (int i = 0; i < kNumCallerSaved; ++i)
        live[i] = owner_[i];
    uint64_t memop = in.imm, pc = in.imm2;
    bool dead = last_use_[cur_] == 0;
    cold_.push_back([=, this]() mutable {
        g_.L(slow);
        int saved[kNumCallerSaved];
        for (int i = 0; i < kNumCallerSaved; ++i) {
            saved[i] = owner_[i];
            owner_[i] = live[i];
        }
        uint32_t bytes;
        auto pushed = push_live(dead ? -1 : dpool, &bytes);
        for (int i = 0; i < kNumCallerSaved; ++i)
            owner_[i] = saved[i];
        g_.mov(rsi, A);
        g_.mov(rdi, rbx);
        g_.mov(rdx, memop);
        g_.mov(rcx, pc);
        g_.mov(rax, reinterpret_cast<uint64_t>(&mem_load));
        g_.call(rax);
        Label ok;
        g_.test(rdx, rdx);
        g_.jz(ok);
        g_.mov(rax, rdx);
        if (bytes) g_.add(rsp, bytes);
        g_.jmp(fault_, T_NEAR);
        g_.L(ok);
        pop_live(pushed, bytes);
        g_.mov(d, rax);
        g_.jmp(back, T_NEAR);
    });
}

void Emitter::store(const Inst& in) {
    unsigned size = MemOp::size(in.imm);
    if (size > 8) throw Unsupported{"16-byte store"};
    unsigned mmu = MemOp::mmu_idx(in.imm);
    uint32_t base = static_cast<uint32_t>(kEnvTlbOffset + mmu * kTlbSize * sizeof(TlbEntry));
    Value v = in.args[1];
    bool release = in.imm & MemOp::kRelease;
    Reg64 A = in_reg(in.args[0], rcx);
    bool vk = is_const(v) && !release && (size < 8 || fits_i32(kval(v)));
    // A constant value that needs a register goes to r11's role: use rax
    // after the TLB compare (rax is free then).
    bool vk_reg = is_const(v) && !vk;
    Reg64 V = (vk || vk_reg) ? rax : in_reg(v, rax);
    g_.mov(rax, A);
    g_.shr(rax, kPageBits - 5);
    g_.and_(eax, (kTlbSize - 1) << 5);
    g_.mov(rdx, A);
    g_.and_(rdx, static_cast<uint32_t>(kPageMask | (size - 1)));
    Label slow, back;
    g_.cmp(rdx, g_.qword[rbx + rax + base + offsetof(TlbEntry, addr_write)]);
    g_.jne(slow, T_NEAR);
    g_.mov(rdx, g_.qword[rbx + rax + base + offsetof(TlbEntry, addend)]);
    auto m = A + rdx;
    if (vk) {
        uint64_t k = kval(v);
        switch (size) {
            case 1:
                g_.mov(g_.byte[m], static_cast<uint8_t>(k));
                break;
            case 2:
                g_.mov(g_.word[m], static_cast<uint16_t>(k));
                break;
            case 4:
                g_.mov(g_.dword[m], static_cast<uint32_t>(k));
                break;
            default:
                g_.mov(g_.qword[m], k);
                break;
        }
    } else {
        if (vk_reg) {
            mov_imm(rax, kval(v));
        } else if (release) {
            g_.mov(rax, V);
        }
        Reg64 src = (vk_reg || release) ? rax : V;
        // A release store is made sequentially consistent (xchg): A64
        // orders STLR before a later LDAR, x86 TSO alone does not.
        switch (size) {
            case 1:
                if (release) {
                    g_.xchg(g_.byte[m], src.cvt8());
                } else {
                    g_.mov(g_.byte[m], src.cvt8());
                }
                break;
            case 2:
                if (release) {
                    g_.xchg(g_.word[m], src.cvt16());
                } else {
                    g_.mov(g_.word[m], src.cvt16());
                }
                break;
            case 4:
                if (release) {
                    g_.xchg(g_.dword[m], src.cvt32());
                } else {
                    g_.mov(g_.dword[m], src.cvt32());
                }
                break;
            default:
                if (release) {
                    g_.xchg(g_.qword[m], src);
                } else {
                    g_.mov(g_.qword[m], src);
                }
                break;
        }
    }
    g_.L(back);
    int live[kNumCallerSaved];
    for (int i = 0; i < kNumCallerSaved; ++i)
        live[i] = owner_[i];
    uint64_t memop = in.imm, pc = in.imm2;
    bool v_const = is_const(v);
    uint64_t kv = v_const ? kval(v) : 0;
    cold_.push_back([=, this]() mutable {
        g_.L(slow);
        int saved[kNumCallerSaved];
        for (int i = 0; i < kNumCallerSaved; ++i) {
            saved[i] = owner_[i];
            owner_[i] = live[i];
        }
        uint32_t bytes;
        auto pushed = push_live(-1, &bytes);
        for (int i = 0; i < kNumCallerSaved; ++i)
            owner_[i] = saved[i];
        g_.mov(rax, A);
        if (v_const) {
            mov_imm(rdx, kv);
        } else {
            g_.mov(rdx, V);
        }
        g_.mov(rsi, rax);
        g_.mov(rdi, rbx);
        g_.mov(rcx, memop);
        g_.mov(r8, pc);
        g_.mov(rax, reinterpret_cast<uint64_t>(&mem_store));
        g_.call(rax);
        Label ok;
        g_.test(rdx, rdx);
        g_.jz(ok);
        g_.mov(rax, rdx);
        if (bytes) g_.add(rsp, bytes);
        g_.jmp(fault_, T_NEAR);
        g_.L(ok);
        pop_live(pushed, bytes);
        g_.jmp(back, T_NEAR);
    });
    release_dead();
}

void Emitter::wide_op(const Inst& in) {
    // Operands are captured before release_dead(), so a result may reuse a
    // dying operand's slots; every half is read before it is written.
    Wide x = in.nargs > 0 && wide(in.args[0]) ? wide_src(in.args[0]) : Wide{};
    Wide y = in.nargs > 1 && wide(in.args[1]) ? wide_src(in.args[1]) : Wide{};
    switch (in.op) {
        case Op::Const:
            return;
        case Op::GetReg: {
            def128();
            uint32_t off = static_cast<uint32_t>(in.imm);
            for (int h = 0; h < 2; ++h) {
                g_.mov(rax, g_.qword[rbx + off + 8 * h]);
                store_half(h, rax);
            }
            return;
        }
        case Op::SetReg: {
            uint32_t off = static_cast<uint32_t>(in.imm);
            for (int h = 0; h < 2; ++h) {
                load_half(rax, x, h);
                g_.mov(g_.qword[rbx + off + 8 * h], rax);
            }
            release_dead();
            return;
        }
        case Op::And:
        case Op::Or:
        case Op::Xor:
        case Op::Not:
        case Op::Bitcast:
            release_dead();
            def128();
            for (int h = 0; h < 2; ++h) {
                load_half(rax, x, h);
                if (in.op == Op::Not) g_.not_(rax);
                if (in.op == Op::And || in.op == Op::Or || in.op == Op::Xor) {
                    load_half(rcx, y, h);
                    if (in.op == Op::And) g_.and_(rax, rcx);
                    if (in.op == Op::Or) g_.or_(rax, rcx);
                    if (in.op == Op::Xor) g_.xor_(rax, rcx);
                }
                store_half(h, rax);
            }
            return;
        case Op::Eq:
        case Op::Ne: {
            load_half(rax, x, 0);
            load_half(rcx, y, 0);
            g_.xor_(rax, rcx);
            load_half(rcx, x, 1);
            load_half(rdx, y, 1);
            g_.xor_(rcx, rdx);
            g_.or_(rax, rcx);
            release_dead();
            Reg64 d = def();
            if (in.op == Op::Eq) {
                g_.setz(d.cvt8());
            } else {
                g_.setnz(d.cvt8());
            }
            g_.movzx(d.cvt32(), d.cvt8());
            return;
        }
        case Op::Select: {
            Value c = in.args[0];
            Wide t = wide_src(in.args[1]), f = wide_src(in.args[2]);
            if (is_const(c)) {
                Wide pick = (kval(c) & 1) ? t : f;
                release_dead();
                def128();
                for (int h = 0; h < 2; ++h) {
                    load_half(rax, pick, h);
                    store_half(h, rax);
                }
                return;
            }
            Reg64 rc = in_reg(c, rax);
            release_dead();
            def128();
            for (int h = 0; h < 2; ++h) {
                load_half(rdx, f, h);
                load_half(rcx, t, h);
                g_.test(rc.cvt32(), rc.cvt32());
                g_.cmovnz(rdx, rcx);
                store_half(h, rdx);
            }
            return;
        }
        case Op::ZExt: {
            // From i64 or narrower (kept zero-extended in its register).
            Reg64 ra = in_reg(in.args[0], rax);
            release_dead();
            def128();
            store_half(0, ra);
            g_.mov(g_.qword[rsp + slot_[cur_] * 8 + 8], uint32_t(0));
            return;
        }
        case Op::Pack128: {
            Reg64 lo = in_reg(in.args[0], rax);
            Reg64 hi = in_reg(in.args[1], rcx);
            release_dead();
            def128();
            store_half(0, lo);
            store_half(1, hi);
            return;
        }
        case Op::Trunc:
        case Op::Hi64: {
            int h = in.op == Op::Hi64 ? 1 : 0;
            release_dead();
            Reg64 d = def();
            load_half(d, x, h);
            if (in.op == Op::Trunc) canon(d, in.type);
            return;
        }
        case Op::Load: {
            if (MemOp::size(in.imm) != 16) break;
            // The result slots must exist before the call writes them.
            Value addr = in.args[0];
            def128();
            call_c(reinterpret_cast<const void*>(&mem_load128),
                   {Src::env(), Src::val(addr), Src::k(in.imm), Src::k(in.imm2),
                    Src::frame(Value{cur_})},
                   true, false, Type::Void, true);
            return;
        }
        case Op::Store: {
            if (MemOp::size(in.imm) != 16) break;
            Value addr = in.args[0], v = in.args[1];
            call_c(reinterpret_cast<const void*>(&mem_store128),
                   {Src::env(), Src::val(addr), Src::lo(v), Src::hi(v), Src::k(in.imm),
                    Src::k(in.imm2)},
                   true, false, Type::Void, true);
            return;
        }
        default:
            break;
    }
    throw Unsupported{std::string("i128 ") + op_info(in.op).name};
}

void Emitter::call_c(const void* fn, std::initializer_list<Src> args, bool status, bool result,
                     Type rt, bool status_in_rax) {
    static const Reg64 kArgRegs[6] = {rdi, rsi, rdx, rcx, r8, r9};
    uint32_t bytes;
    auto pushed = push_live(-1, &bytes);
    unsigned n = 0;
    for (const Src& s : args) {
        const Reg64& t = kArgRegs[n++];
        switch (s.kind) {
            case Src::Env:
                g_.mov(t, rbx);
                break;
            case Src::Imm:
                mov_imm(t, s.imm);
                break;
            case Src::Lo:
            case Src::Hi:
                if (is_const(s.v)) {
                    mov_imm(t, s.kind == Src::Hi ? b_.at(s.v).imm2 : kval(s.v));
                } else {
                    g_.mov(t,
                           slot_addr(slot_[s.v.id] + (s.kind == Src::Hi), static_cast<int>(bytes)));
                }
                break;
            case Src::Frame:
                g_.lea(t, g_.ptr[rsp + slot_[s.v.id] * 8 + static_cast<int>(bytes)]);
                break;
            case Src::Val: {
                if (is_const(s.v)) {
                    mov_imm(t, kval(s.v));
                    break;
                }
                int r = reg_[s.v.id];
                if (r >= kNumCallerSaved) {
                    g_.mov(t, kPool[r]);
                } else if (r >= 0) {
                    // Pushed: read the saved copy (the register may already
                    // hold an earlier argument).
                    size_t k = 0;
                    while (pushed[k] != r)
                        ++k;
                    g_.mov(t, g_.qword[rsp + static_cast<uint32_t>((pushed.size() - 1 - k) * 8)]);
                } else {
                    g_.mov(t, slot_addr(slot_[s.v.id], static_cast<int>(bytes)));
                }
                break;
            }
        }
    }
    g_.mov(rax, reinterpret_cast<uint64_t>(fn));
    g_.call(rax);
    if (status) {
        Label fail;
        const Reg64& st = status_in_rax ? rax : rdx;
        g_.test(st, st);
        g_.jnz(fail, T_NEAR);
        cold_.push_back([this, fail, bytes, status_in_rax]() mutable {
            g_.L(fail);
            if (!status_in_rax) g_.mov(rax, rdx);
            if (bytes) g_.add(rsp, bytes);
            g_.jmp(fault_, T_NEAR);
        });
    }
    pop_live(pushed, bytes);
    release_dead();
    if (result) {
        Reg64 d = def();
        g_.mov(d, rax);
        if (bits_of(rt) < 64) canon(d, rt);
    }
}

}  // namespace

size_t max_code_size(const Block& b) {
    return 1024 + b.insts.size() * 256;
}

bool emit_block(Xbyak::CodeGenerator& gen, const Block& b, const BaselineCompiler::HotHook* hot,
                BlockCode* out, std::string* why, const BaselineCompiler::IndirectLookup* ind) {
    try {
        Emitter e(gen, b);
        e.set_indirect(ind);
        e.run(hot, out);
    } catch (const Unsupported& u) {
        *why = u.why;
        return false;
    }
    return true;
}

}  // namespace emu::tcg::x86

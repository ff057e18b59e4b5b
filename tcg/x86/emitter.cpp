// IR -> x86-64 (see emitter.h for the code layout): allocation, frame,
// op dispatch and block exits.
//
// Register allocation is one forward pass: every SSA value gets a host
// register when it is defined and gives it back after its last use; when
// all 11 are taken, the value whose last use is furthest away goes to a
// frame slot (reloaded on its next use). Values are kept zero-extended to
// 64 bits in registers, so widening is free and 32-bit ops need no masking.
// Calls (helpers, TLB misses) save the caller-saved value registers with
// push/pop around the call only, so the allocation state never changes at
// a call, and a cold path joins the hot path with identical registers.
#include "tcg/x86/emitter_impl.h"

namespace emu::tcg::x86::detail {

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
    enter_if_mode_matches(miss);
    g_.L(miss);
}

// rax points at a jump-cache entry whose pc matched: if its mode key is the
// block's own, jump into its chain entry; else fall through to `miss`.
void Emitter::enter_if_mode_matches(Label& miss) {
    uint64_t flags = ind_->flags;
    if (fits_i32(flags)) {
        g_.cmp(g_.qword[rax + offsetof(BaselineCompiler::JumpCacheEntry, flags)], flags);
    } else {
        g_.mov(rcx, flags);
        g_.cmp(rcx, g_.qword[rax + offsetof(BaselineCompiler::JumpCacheEntry, flags)]);
    }
    g_.jne(miss, T_NEAR);
    g_.jmp(g_.qword[rax + offsetof(BaselineCompiler::JumpCacheEntry, chain)]);
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
        unsigned h = BaselineCompiler::jump_cache_index(target, ind_->bits);
        g_.mov(rax, reinterpret_cast<uint64_t>(&ind_->table[h]));
        if (fits_i32(target)) {
            g_.cmp(g_.qword[rax + offsetof(BaselineCompiler::JumpCacheEntry, pc)], target);
        } else {
            g_.mov(rcx, target);
            g_.cmp(rcx, g_.qword[rax + offsetof(BaselineCompiler::JumpCacheEntry, pc)]);
        }
        g_.jne(miss, T_NEAR);
        enter_if_mode_matches(miss);
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

}  // namespace emu::tcg::x86::detail

namespace emu::tcg::x86 {

using detail::Emitter;
using detail::Unsupported;

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

CrossTierStubs emit_cross_tier_stubs(Xbyak::CodeGenerator& g) {
    using namespace detail;
    CrossTierStubs s;
    // enter_linked(env, chain): the prologue of every block, then the
    // target's chain entry (which records it in reserved1, as linked).
    s.enter_linked = g.getCurr();
    for (const Reg64& r : {rbx, rbp, r12, r13, r14, r15})
        g.push(r);
    g.sub(rsp, kFrameBytes);
    g.mov(rbx, rdi);
    g.jmp(rsi);
    // Reached from a jump-cache hit (rax: the entry) on a block of the
    // other tier: drop the frame, then tail-call entry->linked(env, 1).
    s.foreign_chain = g.getCurr();
    g.mov(rdi, rbx);
    g.mov(rcx, g.qword[rax + offsetof(BaselineCompiler::JumpCacheEntry, linked)]);
    g.add(rsp, kFrameBytes);
    for (const Reg64& r : {r15, r14, r13, r12, rbp, rbx})
        g.pop(r);
    g.mov(esi, 1);
    g.jmp(rcx);
    return s;
}

}  // namespace emu::tcg::x86

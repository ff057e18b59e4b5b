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
#include <algorithm>

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
    const Inst& in = b_->insts[cur_];
    for (unsigned a = 0; a < in.nargs; ++a)
        release_if_last(in.args[a]);
}

void Emitter::release_if_last(Value v) {
    if (is_const(v) || last_use_[v.id] != cur_) return;
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

uint32_t Emitter::push_live(int except) {
    npushed_ = 0;
    for (int i = 0; i < kNumCallerSaved; ++i)
        if (owner_[i] >= 0 && i != except) pushed_[npushed_++] = i;
    uint32_t pad = (npushed_ & 1) ? 8 : 0;
    if (pad) g_.sub(rsp, 8);
    for (int k = 0; k < npushed_; ++k)
        push_pop(kPool[pushed_[k]], false);
    return static_cast<uint32_t>(npushed_ * 8 + pad);
}

void Emitter::pop_live(uint32_t bytes) {
    for (int k = npushed_ - 1; k >= 0; --k)
        push_pop(kPool[pushed_[k]], true);
    if (npushed_ & 1) g_.add(rsp, 8);
}

uint32_t Emitter::push_live_at(const Cold& c, int except) {
    int saved[kNumCallerSaved];
    for (int i = 0; i < kNumCallerSaved; ++i) {
        saved[i] = owner_[i];
        owner_[i] = c.live[i];
    }
    uint32_t bytes = push_live(except);
    for (int i = 0; i < kNumCallerSaved; ++i)
        owner_[i] = saved[i];
    return bytes;
}

void Emitter::jmp_to(const uint8_t* target) {
    Raw w = raw();
    int64_t rel8 = target - (w.p + 2);
    if (rel8 >= -128 && rel8 <= 127) {
        w.b(0xEB);
        w.b(static_cast<uint8_t>(rel8));
    } else {
        w.b(0xE9);
        w.d(static_cast<uint32_t>(static_cast<int32_t>(target - (w.p + 4))));
    }
    commit(w);
}

void Emitter::env_load(int r, unsigned bits, uint32_t disp) {
    Raw w = raw();
    uint8_t rex_r = r >= 8 ? 0x44 : 0;
    switch (bits) {
        case 1:
        case 8:
        case 16:
            if (rex_r) w.b(rex_r);
            w.b(0x0F);
            w.b(bits == 16 ? 0xB7 : 0xB6);  // movzx r32, byte/word
            break;
        case 32:
            if (rex_r) w.b(rex_r);
            w.b(0x8B);
            break;
        default:
            w.b(0x48 | rex_r);
            w.b(0x8B);
            break;
    }
    w.rbx_mem(static_cast<unsigned>(r), disp);
    commit(w);
}

void Emitter::env_store(int r, unsigned bits, uint32_t disp) {
    Raw w = raw();
    uint8_t rex_r = r >= 8 ? 0x44 : 0;
    switch (bits) {
        case 1:
        case 8:
            w.b(0x40 | rex_r);  // a REX prefix makes 4..7 sil/dil/bpl/spl
            w.b(0x88);
            break;
        case 16:
            w.b(0x66);
            if (rex_r) w.b(rex_r);
            w.b(0x89);
            break;
        case 32:
            if (rex_r) w.b(rex_r);
            w.b(0x89);
            break;
        default:
            w.b(0x48 | rex_r);
            w.b(0x89);
            break;
    }
    w.rbx_mem(static_cast<unsigned>(r), disp);
    commit(w);
}

void Emitter::env_store_imm(uint64_t k, unsigned bits, uint32_t disp) {
    if (bits == 64 && !fits_i32(k)) {
        Raw w = raw();
        w.b(0x48);
        w.b(0xB8);  // movabs rax, imm64
        w.q(k);
        commit(w);
        return env_store(0, 64, disp);
    }
    Raw w = raw();
    switch (bits) {
        case 1:
        case 8:
            w.b(0xC6);
            w.rbx_mem(0, disp);
            w.b(static_cast<uint8_t>(k));
            break;
        case 16:
            w.b(0x66);
            w.b(0xC7);
            w.rbx_mem(0, disp);
            w.b(static_cast<uint8_t>(k));
            w.b(static_cast<uint8_t>(k >> 8));
            break;
        case 32:
            w.b(0xC7);
            w.rbx_mem(0, disp);
            w.d(static_cast<uint32_t>(k));
            break;
        default:
            w.b(0x48);
            w.b(0xC7);  // sign-extended imm32
            w.rbx_mem(0, disp);
            w.d(static_cast<uint32_t>(k));
            break;
    }
    commit(w);
}

void Emitter::resolve_labels() {
    for (const Fix& f : fix_) {
        const uint8_t* to = pos_[f.id];
        if (f.short_) {
            int64_t rel = to - (f.at + 1);
            if (rel < -128 || rel > 127) throw Unsupported{"internal: short jump out of range"};
            *f.at = static_cast<uint8_t>(rel);
        } else {
            auto rel = static_cast<int32_t>(to - (f.at + 4));
            std::memcpy(f.at, &rel, 4);
        }
    }
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

void Emitter::jcc_stub(Cc c, const uint8_t* stub) {
    Raw w = raw();
    w.b(0x0F);
    w.b(0x80 | c);
    w.d(static_cast<uint32_t>(static_cast<int32_t>(stub - (w.p + 4))));
    commit(w);
}

void Emitter::prologue(BlockCode* out) {
    // The header (filled in by run()), 8-byte aligned.
    {
        Raw w = raw();
        while (reinterpret_cast<uintptr_t>(w.p) & 7)
            w.b(0xCC);
        out->start = w.p;
        for (size_t i = 0; i < sizeof(BlockHeader) / 8; ++i)
            w.q(0);
        commit(w);
    }
    out->main = g_.getCurr();
    static_assert(kReserved1 < 128 && kFrameBytes < (1u << 31));
    uint64_t owner = owner_cookie_ ? owner_cookie_ : reinterpret_cast<uint64_t>(out->main);
    Raw w = raw();
    // push rbx, rbp, r12, r13, r14, r15
    for (uint8_t x : {0x53, 0x55, 0x41, 0x54, 0x41, 0x55, 0x41, 0x56, 0x41, 0x57})
        w.b(x);
    for (uint8_t x : {0x48, 0x81, 0xEC})  // sub rsp, imm32
        w.b(x);
    w.d(kFrameBytes);
    for (uint8_t x : {0x48, 0x89, 0xFB})  // mov rbx, rdi
        w.b(x);
    for (int x : {0x48, 0xC7, 0x43, static_cast<int>(kReserved1)})  // mov [rbx+r1], 0
        w.b(x);
    w.d(0);
    w.b(0xEB);  // jmp body (over the chain entry's 14 bytes)
    w.b(14);
    // Entered from a linked block: same frame, env already in rbx.
    out->chain = w.p;
    if (static_cast<size_t>(out->chain - out->main) != kChainEntryOffset) {
        throw Unsupported{"internal: prologue length changed"};
    }
    w.b(0x48);
    w.b(0xB8);  // movabs rax, owner
    w.q(owner);
    for (int x : {0x48, 0x89, 0x43, static_cast<int>(kReserved1)})  // mov [rbx+r1], rax
        w.b(x);
    commit(w);
    if (hot_ && hot_->counter && hot_->fn) {
        Cold c{};
        c.kind = Cold::Hot;
        c.entry = new_label();
        g_.mov(rax, reinterpret_cast<uint64_t>(hot_->counter));
        g_.sub(g_.dword[rax], 1);
        jcc(kE, c.entry);
        c.back = g_.getCurr();
        c.memop = reinterpret_cast<uint64_t>(hot_->fn);
        c.pc = reinterpret_cast<uint64_t>(hot_->cookie);
        cold_.push_back(c);
    }
}

void Emitter::run(const Block& b, const EmitOptions& o, BlockCode* out) {
    b_ = &b;
    out_ = out;
    ind_ = o.ind;
    hot_ = o.hot;
    owner_cookie_ = o.owner;
    size_t n = b.insts.size();
    last_use_.assign(n, 0);
    reg_.assign(n, -1);
    slot_.assign(n, -1);
    for (int& r : owner_)
        r = -1;
    pinned_ = 0;
    slots_used_ = 0;
    npushed_ = 0;
    cold_.clear();
    pos_.clear();
    fix_.clear();
    stubs_ = o.stubs;
    fused_ = -1;
    for (uint32_t i = 0; i < n; ++i) {
        const Inst& in = b.insts[i];
        for (unsigned a = 0; a < in.nargs; ++a)
            last_use_[in.args[a].id] = i;
        // A condition on a SubFlags result compares the operands again
        // (cond_holds): they must live until here.
        if (Value f; in.op == Op::CondHolds && recompare_source(in, &f)) {
            const Inst& sf = b.insts[f.id];
            for (unsigned a = 0; a < 2; ++a)
                last_use_[sf.args[a].id] = std::max(last_use_[sf.args[a].id], i);
        }
    }
    prologue(out);
    for (cur_ = 0; cur_ < n; ++cur_) {
        const Inst& in = b.insts[cur_];
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
    for (Cold& c : cold_)
        emit_cold(c);
    resolve_labels();
    out->size = static_cast<size_t>(g_.getCurr() - out->start);
    BlockHeader h{};
    auto off = [&](const uint8_t* p) { return p ? static_cast<uint32_t>(p - out->main) : 0u; };
    h.check = kHeaderMagic ^ reinterpret_cast<uint64_t>(out->main);
    h.size = off(g_.getCurr());
    h.chain = off(out->chain);
    for (int s = 0; s < 2; ++s) {
        h.site[s] = off(out->site[s]);
        h.unlinked[s] = off(out->unlinked[s]);
    }
    std::memcpy(const_cast<uint8_t*>(out->start), &h, sizeof h);
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
            return rbit(in);
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
        case Op::VecDup:
        case Op::VecCmp:
        case Op::VecBin:
        case Op::VecShiftImm:
        case Op::VecShuffle:
        case Op::VecReduce:
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
            return load_excl(in);
        case Op::StoreExcl:
            return store_excl(in);
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
            Lbl not_taken = new_label();
            if (fused_ == static_cast<int64_t>(c.id)) {
                jcc(static_cast<Cc>(fused_cc_ ^ 1), not_taken);
            } else {
                Reg64 rc = in_reg(c, rax);
                g_.test(rc.cvt32(), rc.cvt32());
                jcc(kE, not_taken);
            }
            store_pc(in.imm);
            exit_chain(0, in.imm);
            bind(not_taken);
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
            return jmp_stub(stubs_.none);
        }
        case Op::ExitDispatch:
            return jmp_stub(stubs_.none);
        case Op::Count_:
            break;
    }
    throw Unsupported{op_info(in.op).name};
}

void Emitter::store_pc(uint64_t pc) {
    env_store_imm(pc, 64, kEnvPcOffset);
}

void Emitter::indirect_lookup(const Reg64& pc) {
    // The dispatcher's jump cache, inline: on a hit with the same mode
    // flags, continue in the target's chain entry (as a linked exit would);
    // anything else returns to the dispatcher.
    static_assert(sizeof(BaselineCompiler::JumpCacheEntry) == 32);
    Lbl miss = new_label();
    g_.cmp(g_.dword[rbx + kEnvExitRequestOffset], 0);
    jcc(kNE, miss);
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
    jcc(kNE, miss);
    enter_if_mode_matches(miss);
    bind(miss);
}

// rax points at a jump-cache entry whose pc matched: if its mode key is the
// block's own, jump into its chain entry; else fall through to `miss`.
void Emitter::enter_if_mode_matches(Lbl miss) {
    static_assert(offsetof(BaselineCompiler::JumpCacheEntry, flags) == 8 &&
                  offsetof(BaselineCompiler::JumpCacheEntry, chain) == 16);
    uint64_t flags = ind_->flags;
    Raw w = raw();
    if (fits_i32(flags)) {
        for (uint8_t x : {0x48, 0x81, 0x78, 0x08})  // cmp qword [rax + 8], simm32
            w.b(x);
        w.d(static_cast<uint32_t>(flags));
    } else {
        w.b(0x48);
        w.b(0xB9);  // movabs rcx, flags
        w.q(flags);
        for (uint8_t x : {0x48, 0x3B, 0x48, 0x08})  // cmp rcx, [rax + 8]
            w.b(x);
    }
    commit(w);
    jcc(kNE, miss);
    w = raw();
    for (uint8_t x : {0xFF, 0x60, 0x10})  // jmp qword [rax + 16]
        w.b(x);
    commit(w);
}

void Emitter::exit_chain(unsigned slot, uint64_t target) {
    {
        static_assert(kEnvExitRequestOffset < 128);
        Raw w = raw();
        for (int x : {0x83, 0x7B, static_cast<int>(kEnvExitRequestOffset), 0x00})
            w.b(x);  // cmp dword [rbx + exit_request], 0
        commit(w);
    }
    jcc_stub(kNE, stubs_.none);
    // jmp rel32, initially to the next instruction; link() patches it.
    Raw w = raw();
    w.b(0xE9);
    out_->site[slot] = w.p;
    w.d(0);
    out_->unlinked[slot] = w.p;
    if (ind_ && ind_->table) {
        // Not linked (the dispatcher links within a page only): try the
        // jump cache, whose entry for a constant target is known now.
        static_assert(offsetof(BaselineCompiler::JumpCacheEntry, pc) == 0);
        unsigned h = BaselineCompiler::jump_cache_index(target, ind_->bits);
        w.b(0x48);
        w.b(0xB8);  // movabs rax, &entry
        w.q(reinterpret_cast<uint64_t>(&ind_->table[h]));
        if (fits_i32(target)) {
            for (uint8_t x : {0x48, 0x81, 0x38})  // cmp qword [rax], simm32
                w.b(x);
            w.d(static_cast<uint32_t>(target));
        } else {
            w.b(0x48);
            w.b(0xB9);  // movabs rcx, target
            w.q(target);
            for (uint8_t x : {0x48, 0x3B, 0x08})  // cmp rcx, [rax]
                w.b(x);
        }
        commit(w);
        Lbl miss = new_label();
        jcc(kNE, miss);
        enter_if_mode_matches(miss);
        bind(miss);
    } else {
        commit(w);
    }
    jmp_stub(stubs_.slot[slot]);
}

void Emitter::get_reg(const Inst& in) {
    Reg64 d = def();
    env_load(d.getIdx(), bits_of(in.type), static_cast<uint32_t>(in.imm));
}

void Emitter::set_reg(const Inst& in) {
    Value v = in.args[0];
    uint32_t off = static_cast<uint32_t>(in.imm);
    unsigned bits = bits_of(ty(v));
    if (is_const(v)) return env_store_imm(kval(v), bits, off);
    Reg64 r = in_reg(v, rax);
    env_store(r.getIdx(), bits, off);
    release_dead();
}

}  // namespace emu::tcg::x86::detail

namespace emu::tcg::x86 {

using detail::Emitter;
using detail::Unsupported;

size_t max_code_size(const Block& b) {
    return 1024 + b.insts.size() * 256;
}

ExitStubs emit_exit_stubs(Xbyak::CodeGenerator& g) {
    using namespace Xbyak::util;
    ExitStubs s;
    Xbyak::Label ret;
    for (unsigned slot = 0; slot < 2; ++slot) {
        s.slot[slot] = g.getCurr();
        g.xor_(eax, eax);
        g.mov(edx, slot);
        g.jmp(ret, Xbyak::CodeGenerator::T_NEAR);
    }
    s.none = g.getCurr();
    g.xor_(eax, eax);
    s.fault = g.getCurr();
    g.mov(edx, detail::kNoSlot);
    g.L(ret);
    g.add(rsp, detail::kFrameBytes);
    for (const Xbyak::Reg64& r : {r15, r14, r13, r12, rbp, rbx})
        g.pop(r);
    g.ret();
    return s;
}

BlockEmitter::BlockEmitter(Xbyak::CodeGenerator& gen) : e_(std::make_unique<Emitter>(gen)) {}
BlockEmitter::~BlockEmitter() = default;

bool BlockEmitter::emit(const Block& b, const EmitOptions& o, BlockCode* out, std::string* why) {
    try {
        e_->run(b, o, out);
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

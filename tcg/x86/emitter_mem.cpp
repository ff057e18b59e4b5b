// IR -> x86-64: guest memory (inline soft-TLB fast paths), host calls
// and i128 values (frame slot pairs).
#include "tcg/x86/emitter_impl.h"

namespace emu::tcg::x86::detail {

// The inline soft-TLB check (env.h): entry index * 32 in rax, the page
// tag with the alignment bits compared against the entry's tag at
// `tag_off`; on a hit rdx holds the addend, else control goes to `slow`.
void Emitter::tlb_probe(const Reg64& A, unsigned size, uint32_t tag_off, uint32_t base,
                        Label& slow) {
    g_.mov(rax, A);
    g_.shr(rax, kPageBits - 5);
    g_.and_(eax, (kTlbSize - 1) << 5);
    g_.mov(rdx, A);
    g_.and_(rdx, static_cast<uint32_t>(kPageMask | (size - 1)));
    g_.cmp(rdx, g_.qword[rbx + rax + tag_off]);
    g_.jne(slow, T_NEAR);
    g_.mov(rdx, g_.qword[rbx + rax + base + offsetof(TlbEntry, addend)]);
}

// After a softmmu call returning {value, status} in rax:rdx: a non-zero
// status drops the `bytes` of saved registers and leaves through fault_.
void Emitter::fault_if_status(uint32_t bytes) {
    Label ok;
    g_.test(rdx, rdx);
    g_.jz(ok);
    g_.mov(rax, rdx);
    if (bytes) g_.add(rsp, bytes);
    g_.jmp(fault_, T_NEAR);
    g_.L(ok);
}

void Emitter::load(const Inst& in) {
    unsigned size = MemOp::size(in.imm);
    if (size > 8) throw Unsupported{"16-byte load"};
    unsigned mmu = MemOp::mmu_idx(in.imm);
    uint32_t base = static_cast<uint32_t>(kEnvTlbOffset + mmu * kTlbSize * sizeof(TlbEntry));
    Reg64 A = in_reg(in.args[0], rcx);
    release_dead();
    Reg64 d = def();
    Label slow, back;
    tlb_probe(A, size, base + offsetof(TlbEntry, addr_read), base, slow);
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
        fault_if_status(bytes);
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
    Label slow, back;
    tlb_probe(A, size, base + offsetof(TlbEntry, addr_write), base, slow);
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
        fault_if_status(bytes);
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

}  // namespace emu::tcg::x86::detail

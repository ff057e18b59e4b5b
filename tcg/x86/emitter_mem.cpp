// IR -> x86-64: guest memory (inline soft-TLB fast paths), host calls
// and i128 values (frame slot pairs).
#include "tcg/x86/emitter_impl.h"

namespace emu::tcg::x86::detail {

// The inline soft-TLB check (env.h): entry index * 32 in rax; the tag of
// the access compared against the entry's read or write tag; on a hit rdx
// holds the addend, else control goes to `slow`. An access that must be
// aligned compares the address with its alignment bits (a misaligned one
// never matches); any other compares the page of its last byte, so an
// unaligned access within the page hits and one that crosses into the
// next page misses (the entry indexed by its first byte never holds the
// next page: they differ in the index bits).
// `both`: the read and the write tag must match (atomics).
void Emitter::tlb_probe(const Reg64& A, uint64_t memop, bool write, Lbl slow, bool both) {
    unsigned size = MemOp::size(memop);
    unsigned mmu = MemOp::mmu_idx(memop);
    uint32_t base = static_cast<uint32_t>(kEnvTlbOffset + mmu * kTlbSize * sizeof(TlbEntry));
    uint32_t tag_off =
        base + (write ? offsetof(TlbEntry, addr_write) : offsetof(TlbEntry, addr_read));
    // Raw bytes (see Raw): this sequence is in every memory access.
    unsigned a = static_cast<unsigned>(A.getIdx());
    uint8_t rex_a_reg = a >= 8 ? 0x4C : 0x48;   // A in the ModRM reg field
    uint8_t rex_a_base = a >= 8 ? 0x49 : 0x48;  // A as the base
    auto rbx_rax = [](Raw& w, uint8_t op, uint32_t disp) {
        // op rdx, [rbx + rax*1 + disp32]
        w.b(0x48);
        w.b(op);
        w.b(0x94);
        w.b(0x03);
        w.d(disp);
    };
    static_assert(kPageBits - 5 == 7 && ((kTlbSize - 1) << 5) == 0x1fe0);
    Raw w = raw();
    w.b(rex_a_reg);  // mov rax, A
    w.b(0x89);
    w.b(static_cast<uint8_t>(0xC0 | (a & 7) << 3));
    for (uint8_t x : {0x48, 0xC1, 0xE8, 0x07})  // shr rax, 7
        w.b(x);
    w.b(0x25);  // and eax, imm32
    w.d((kTlbSize - 1) << 5);
    uint32_t mask;
    if (size > 1 && !(memop & MemOp::kAligned)) {
        w.b(rex_a_base);  // lea rdx, [A + size - 1]
        w.b(0x8D);
        w.b(static_cast<uint8_t>(0x50 | (a & 7)));
        if ((a & 7) == 4) w.b(0x24);  // rsp/r12 base needs a SIB byte
        w.b(static_cast<uint8_t>(size - 1));
        mask = static_cast<uint32_t>(kPageMask);
    } else {
        w.b(rex_a_reg);  // mov rdx, A
        w.b(0x89);
        w.b(static_cast<uint8_t>(0xC2 | (a & 7) << 3));
        mask = static_cast<uint32_t>(kPageMask | (size - 1));
    }
    for (uint8_t x : {0x48, 0x81, 0xE2})  // and rdx, simm32
        w.b(x);
    w.d(mask);
    rbx_rax(w, 0x3B, tag_off);  // cmp rdx, [rbx + rax + tag]
    commit(w);
    jcc(kNE, slow);
    if (both) {
        w = raw();
        rbx_rax(w, 0x3B, base + static_cast<uint32_t>(offsetof(TlbEntry, addr_read)));
        commit(w);
        jcc(kNE, slow);
    }
    w = raw();
    rbx_rax(w, 0x8B, base + static_cast<uint32_t>(offsetof(TlbEntry, addend)));  // mov rdx, addend
    commit(w);
}

// d = zero-extended `size` bytes at [A + rdx] (rdx: the TLB addend).
void Emitter::load_host(const Reg64& d, const Reg64& A, unsigned size) {
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
}

// The slow path of an inline load: it sees the registers as they were at
// the jne and puts the helper's result into d.
void Emitter::queue_load_slow_path(Cold& c, const Inst& in, const Reg64& A, const Reg64& d,
                                   const void* fn) {
    c.back = g_.getCurr();
    c.a = static_cast<uint8_t>(A.getIdx());
    c.d = static_cast<uint8_t>(d.getIdx());
    c.dpool = static_cast<int8_t>(pool_of(d));
    c.dead = last_use_[cur_] == 0;
    c.memop = in.imm;
    c.pc = in.imm2;
    c.fn = fn;
    snapshot_live(c);
    cold_.push_back(c);
}

void Emitter::load(const Inst& in) {
    unsigned size = MemOp::size(in.imm);
    if (size > 8) throw Unsupported{"16-byte load"};
    Reg64 A = in_reg(in.args[0], rcx);
    release_dead();
    Reg64 d = def();
    Cold c{};
    c.kind = Cold::Load;
    c.entry = new_label();
    tlb_probe(A, in.imm, false, c.entry);
    load_host(d, A, size);
    queue_load_slow_path(c, in, A, d, reinterpret_cast<const void*>(&mem_load));
}

// Exclusives (LDXR/STXR, the LL/SC loops of a kernel without LSE): a hit
// on a plain RAM page opens or checks the monitor inline, exactly as
// mem_load_excl/mem_store_excl do; anything else calls them. Always
// aligned (the alignment bits take part in the tag compare).
void Emitter::load_excl(const Inst& in) {
    unsigned size = MemOp::size(in.imm);
    if (size > 8) throw Unsupported{"16-byte exclusive load"};
    uint64_t memop = in.imm | MemOp::kAligned;
    Reg64 A = in_reg(in.args[0], rcx);
    release_dead();
    Reg64 d = def();
    Cold c{};
    c.kind = Cold::Load;
    c.entry = new_label();
    tlb_probe(A, memop, false, c.entry);
    // d may be A's register: record the address first.
    g_.mov(g_.qword[rbx + offsetof(TcgEnv, excl_addr)], A);
    load_host(d, A, size);
    g_.mov(g_.qword[rbx + offsetof(TcgEnv, excl_val)], d);
    queue_load_slow_path(c, in, A, d, reinterpret_cast<const void*>(&mem_load_excl));
}

void Emitter::store_excl(const Inst& in) {
    unsigned size = MemOp::size(in.imm);
    if (size > 8) throw Unsupported{"16-byte exclusive store"};
    uint64_t memop = in.imm | MemOp::kAligned;
    Value v = in.args[1];
    Reg64 A = in_reg(in.args[0], rcx);
    bool vk = is_const(v);
    Reg64 V = vk ? rcx : in_reg(v, rax);
    Cold c{};
    c.kind = Cold::StoreExcl;
    c.entry = new_label();
    tlb_probe(A, memop, true, c.entry, true);
    Lbl fail = new_label(), done = new_label();
    g_.cmp(A, g_.qword[rbx + offsetof(TcgEnv, excl_addr)]);
    jcc8(kNE, fail);
    g_.lea(rdx, g_.ptr[A + rdx]);
    if (vk) mov_imm(rcx, kval(v));  // A (maybe rcx) is not needed past here
    g_.mov(rax, g_.qword[rbx + offsetof(TcgEnv, excl_val)]);
    switch (size) {
        case 1:
            g_.lock();
            g_.cmpxchg(g_.byte[rdx], V.cvt8());
            break;
        case 2:
            g_.lock();
            g_.cmpxchg(g_.word[rdx], V.cvt16());
            break;
        case 4:
            g_.lock();
            g_.cmpxchg(g_.dword[rdx], V.cvt32());
            break;
        default:
            g_.lock();
            g_.cmpxchg(g_.qword[rdx], V);
            break;
    }
    g_.setne(al);
    g_.movzx(eax, al);
    jmp8(done);
    bind(fail);
    g_.mov(eax, 1);
    bind(done);
    g_.mov(g_.qword[rbx + offsetof(TcgEnv, excl_addr)], kTlbInvalid);  // sign-extended imm32
    c.back = g_.getCurr();                                             // rax: 0 stored, 1 failed
    c.a = static_cast<uint8_t>(A.getIdx());
    c.v = static_cast<uint8_t>(V.getIdx());
    c.v_const = vk;
    c.kv = vk ? kval(v) : 0;
    c.memop = in.imm;
    c.pc = in.imm2;
    snapshot_live(c);
    cold_.push_back(c);
    release_dead();
    Reg64 d = def();
    g_.mov(d.cvt32(), eax);
}

void Emitter::store(const Inst& in) {
    unsigned size = MemOp::size(in.imm);
    if (size > 8) throw Unsupported{"16-byte store"};
    Value v = in.args[1];
    bool release = in.imm & MemOp::kRelease;
    Reg64 A = in_reg(in.args[0], rcx);
    bool vk = is_const(v) && !release && (size < 8 || fits_i32(kval(v)));
    // A constant value that needs a register goes to r11's role: use rax
    // after the TLB compare (rax is free then).
    bool vk_reg = is_const(v) && !vk;
    Reg64 V = (vk || vk_reg) ? rax : in_reg(v, rax);
    Cold c{};
    c.kind = Cold::Store;
    c.entry = new_label();
    tlb_probe(A, in.imm, true, c.entry);
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
        Xbyak::Reg r = size == 1   ? Xbyak::Reg(src.cvt8())
                       : size == 2 ? Xbyak::Reg(src.cvt16())
                       : size == 4 ? Xbyak::Reg(src.cvt32())
                                   : Xbyak::Reg(src);
        if (release) {
            g_.xchg(g_.ptr[m], r);
        } else {
            g_.mov(g_.ptr[m], r);
        }
    }
    c.back = g_.getCurr();
    c.a = static_cast<uint8_t>(A.getIdx());
    c.v = static_cast<uint8_t>(V.getIdx());
    c.v_const = is_const(v);
    c.kv = c.v_const ? kval(v) : 0;
    c.memop = in.imm;
    c.pc = in.imm2;
    snapshot_live(c);
    cold_.push_back(c);
    release_dead();
}

// 16-byte plain accesses (LDP/STP of Q registers, LDR/STR Q): the value
// lives in a frame slot pair; the fast path copies it as two quadwords.
void Emitter::load128(const Inst& in) {
    Reg64 A = in_reg(in.args[0], rcx);
    release_dead();
    def128();  // the result slots exist before the slow path writes them
    Cold c{};
    c.kind = Cold::Load128;
    c.entry = new_label();
    tlb_probe(A, in.imm, false, c.entry);
    g_.mov(rax, g_.qword[A + rdx]);
    store_half(0, rax);
    g_.mov(rax, g_.qword[A + rdx + 8]);
    store_half(1, rax);
    c.back = g_.getCurr();
    c.a = static_cast<uint8_t>(A.getIdx());
    c.slot = slot_[cur_];
    c.memop = in.imm;
    c.pc = in.imm2;
    snapshot_live(c);
    cold_.push_back(c);
}

void Emitter::store128(const Inst& in) {
    Value v = in.args[1];
    Wide x = wide_src(v);
    Reg64 A = in_reg(in.args[0], rcx);
    Cold c{};
    c.kind = Cold::Store128;
    c.entry = new_label();
    tlb_probe(A, in.imm, true, c.entry);
    // rax is free after the probe; rdx is the addend.
    load_half(rax, x, 0);
    g_.mov(g_.qword[A + rdx], rax);
    load_half(rax, x, 1);
    g_.mov(g_.qword[A + rdx + 8], rax);
    c.back = g_.getCurr();
    c.a = static_cast<uint8_t>(A.getIdx());
    c.v_const = x.k;
    c.kv = x.lo;
    c.kv2 = x.hi;
    c.slot = static_cast<int16_t>(x.slot);
    c.memop = in.imm;
    c.pc = in.imm2;
    snapshot_live(c);
    cold_.push_back(c);
    release_dead();
}

void Emitter::emit_cold(Cold& c) {
    bind(c.entry);
    Reg64 A(c.a);
    switch (c.kind) {
        case Cold::Hot:
            mov_rr(rdi, rbx);
            mov_imm(rsi, c.pc);
            call_abs(reinterpret_cast<const void*>(c.memop));
            break;
        case Cold::Load: {
            uint32_t bytes = push_live_at(c, c.dead ? -1 : c.dpool);
            mov_rr(rsi, A);
            mov_rr(rdi, rbx);
            mov_imm(rdx, c.memop);
            mov_imm(rcx, c.pc);
            call_abs(c.fn);
            fault_unless_zero(rdx, bytes);
            mov_rr(Reg64(c.d), rax);
            break;
        }
        case Cold::Store:
        case Cold::StoreExcl: {
            uint32_t bytes = push_live_at(c, -1);
            mov_rr(rax, A);
            if (c.v_const) {
                mov_imm(rdx, c.kv);
            } else {
                mov_rr(rdx, Reg64(c.v));
            }
            mov_rr(rsi, rax);
            mov_rr(rdi, rbx);
            mov_imm(rcx, c.memop);
            mov_imm(r8, c.pc);
            call_abs(c.kind == Cold::Store ? reinterpret_cast<const void*>(&mem_store)
                                           : reinterpret_cast<const void*>(&mem_store_excl));
            fault_unless_zero(rdx, bytes);
            break;
        }
        case Cold::Load128:
        case Cold::Store128: {
            uint32_t bytes = push_live_at(c, -1);
            // A may be a pushed register, but pushing left it intact.
            mov_rr(rsi, A);
            mov_rr(rdi, rbx);
            if (c.kind == Cold::Load128) {
                mov_imm(rdx, c.memop);
                mov_imm(rcx, c.pc);
                g_.lea(r8, g_.ptr[rsp + c.slot * 8 + static_cast<int>(bytes)]);
                call_abs(reinterpret_cast<const void*>(&mem_load128));
            } else {
                if (c.v_const) {
                    mov_imm(rdx, c.kv);
                    mov_imm(rcx, c.kv2);
                } else {
                    g_.mov(rdx, slot_addr(c.slot, static_cast<int>(bytes)));
                    g_.mov(rcx, slot_addr(c.slot + 1, static_cast<int>(bytes)));
                }
                mov_imm(r8, c.memop);
                mov_imm(r9, c.pc);
                call_abs(reinterpret_cast<const void*>(&mem_store128));
            }
            fault_unless_zero(rax, bytes);
            break;
        }
        case Cold::CallFail:
            if (!c.status_in_rax) mov_rr(rax, rdx);
            if (c.bytes) g_.add(rsp, c.bytes);
            jmp_stub(stubs_.fault);
            return;
    }
    jmp_to(c.back);
}

void Emitter::fault_unless_zero(const Reg64& status, uint32_t bytes) {
    // The fault stub returns rax as the status, with the frame as it was
    // before the live registers were pushed.
    g_.test(status, status);
    Lbl ok = new_label();
    jcc8(kE, ok);
    if (status.getIdx() != rax.getIdx()) mov_rr(rax, status);
    if (bytes) g_.add(rsp, bytes);
    jmp_stub(stubs_.fault);
    bind(ok);
    pop_live(bytes);
}

void Emitter::wide_op(const Inst& in) {
    // Operands are captured before release_dead(), so a result may reuse a
    // dying operand's slots; every half is read before it is written.
    Wide x = in.nargs > 0 && wide(in.args[0]) ? wide_src(in.args[0]) : Wide{};
    Wide y = in.nargs > 1 && wide(in.args[1]) ? wide_src(in.args[1]) : Wide{};
    switch (in.op) {
        case Op::Const:
            return;
        case Op::VecDup:
        case Op::VecCmp:
        case Op::VecBin:
        case Op::VecShiftImm:
        case Op::VecShuffle:
        case Op::VecReduce:
            return vec_op(in);
        case Op::GetReg: {
            def128();
            uint32_t off = static_cast<uint32_t>(in.imm);
            // One 16-byte copy through xmm0 (the vector ops use it as
            // scratch too; nothing lives in xmm registers between ops).
            g_.movdqu(xmm0, g_.ptr[rbx + off]);
            g_.movdqu(g_.ptr[rsp + slot_[cur_] * 8], xmm0);
            return;
        }
        case Op::SetReg: {
            uint32_t off = static_cast<uint32_t>(in.imm);
            if (!x.k) {
                g_.movdqu(xmm0, g_.ptr[rsp + x.slot * 8]);
                g_.movdqu(g_.ptr[rbx + off], xmm0);
                release_dead();
                return;
            }
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
        case Op::Load:
            if (MemOp::size(in.imm) != 16) break;
            return load128(in);
        case Op::Store:
            if (MemOp::size(in.imm) != 16) break;
            if (in.imm & MemOp::kRelease) {
                // Not inline: no single x86 store orders 16 bytes like STLR.
                Value addr = in.args[0], v = in.args[1];
                call_c(reinterpret_cast<const void*>(&mem_store128),
                       {Src::env(), Src::val(addr), Src::lo(v), Src::hi(v), Src::k(in.imm),
                        Src::k(in.imm2)},
                       true, false, Type::Void, true);
                g_.mfence();
                return;
            }
            return store128(in);
        default:
            break;
    }
    throw Unsupported{std::string("i128 ") + op_info(in.op).name};
}

void Emitter::call_c(const void* fn, std::initializer_list<Src> args, bool status, bool result,
                     Type rt, bool status_in_rax) {
    static const Reg64 kArgRegs[6] = {rdi, rsi, rdx, rcx, r8, r9};
    uint32_t bytes = push_live(-1);
    unsigned n = 0;
    for (const Src& s : args) {
        const Reg64& t = kArgRegs[n++];
        switch (s.kind) {
            case Src::Env:
                mov_rr(t, rbx);
                break;
            case Src::Imm:
                mov_imm(t, s.imm);
                break;
            case Src::Lo:
            case Src::Hi:
                if (is_const(s.v)) {
                    mov_imm(t, s.kind == Src::Hi ? b_->at(s.v).imm2 : kval(s.v));
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
                    mov_rr(t, kPool[r]);
                } else if (r >= 0) {
                    // Pushed: read the saved copy (the register may already
                    // hold an earlier argument).
                    int k = 0;
                    while (pushed_[k] != r)
                        ++k;
                    g_.mov(t, g_.qword[rsp + static_cast<uint32_t>((npushed_ - 1 - k) * 8)]);
                } else {
                    g_.mov(t, slot_addr(slot_[s.v.id], static_cast<int>(bytes)));
                }
                break;
            }
        }
    }
    call_abs(fn);
    if (status) {
        Cold c{};
        c.kind = Cold::CallFail;
        c.entry = new_label();
        c.bytes = bytes;
        c.status_in_rax = status_in_rax;
        const Reg64& st = status_in_rax ? rax : rdx;
        g_.test(st, st);
        jcc(kNE, c.entry);
        cold_.push_back(c);
    }
    pop_live(bytes);
    release_dead();
    if (result) {
        Reg64 d = def();
        mov_rr(d, rax);
        if (bits_of(rt) < 64) canon(d, rt);
    }
}

}  // namespace emu::tcg::x86::detail

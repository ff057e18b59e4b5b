// The soft-TLB slow paths and the memory operations shared by both tiers.
#include "tcg/exec/softmmu.h"

#include <cstring>

#include "tcg/exec/cpu.h"
#include "util/bql.h"
#include "util/log.h"

namespace emu::tcg {

namespace {

inline TlbEntry* entry(TcgEnv* env, unsigned mmu, uint64_t va) {
    return &env->tlb[mmu][(va >> kPageBits) & (kTlbSize - 1)];
}

inline bool tag_hits(uint64_t tag, uint64_t va) {
    return tag != kTlbInvalid && (tag & kPageMask) == (va & kPageMask);
}

// Makes sure the entry for va allows `access`; returns a status.
uint64_t ensure(TcgEnv* env, uint64_t va, Access access, unsigned mmu, uint64_t pc,
                TlbEntry** out) {
    TlbEntry* e = entry(env, mmu, va);
    uint64_t tag = access == Access::Write ? e->addr_write : e->addr_read;
    if (!tag_hits(tag, va)) {
        uint64_t st = env->cpu->tlb_fill(va, access, mmu, pc, &e);
        if (st) return st;
        tag = access == Access::Write ? e->addr_write : e->addr_read;
        if (tag == kTlbInvalid) {
            return env->cpu->raise_mem_fault(va, access, FaultKind::Permission, pc,
                                             access == Access::Write);
        }
    }
    *out = e;
    return kStatusContinue;
}

// One access that does not cross a page.
uint64_t access_one(TcgEnv* env, uint64_t va, unsigned size, unsigned mmu, bool write,
                    uint64_t* val, uint64_t pc) {
    Access acc = write ? Access::Write : Access::Read;
    TlbEntry* e;
    if (uint64_t st = ensure(env, va, acc, mmu, pc, &e)) return st;
    uint64_t tag = write ? e->addr_write : e->addr_read;
    Cpu* cpu = env->cpu;
    if (tag & kTlbWatch) {
        if (uint64_t st = cpu->check_watchpoint(va, size, write, pc)) return st;
    }
    if (tag & kTlbMmio) {
        uint64_t pa = cpu->iotlb_pa(va, mmu);
        AddressSpace* as = cpu->address_space();
        MemTxResult r;
        {
            BqlGuard g;
            auto view = as->view();
            const FlatRange* fr = view->lookup(pa);
            if (write && fr && fr->is_rom()) {
                log_mask(LOG_GUEST_ERROR, "write to ROM at 0x%llx ignored\n",
                         static_cast<unsigned long long>(pa));
                return kStatusContinue;
            }
            r = write ? as->store(pa, size, *val) : as->load(pa, size, val);
        }
        if (r != MemTxResult::Ok) {
            return cpu->raise_mem_fault(va, acc, FaultKind::External, pc, write);
        }
        return kStatusContinue;
    }
    if (write && (tag & kTlbNotDirty)) {
        cpu->notdirty_write(va, mmu, size);
        e = entry(env, mmu, va);
    }
    void* host = reinterpret_cast<void*>(va + e->addend);
    if (write) {
        std::memcpy(host, val, size);  // little-endian host
    } else {
        *val = 0;
        std::memcpy(val, host, size);
    }
    return kStatusContinue;
}

uint64_t access(TcgEnv* env, uint64_t va, uint64_t memop, bool write, uint64_t* val, uint64_t pc) {
    unsigned size = MemOp::size(memop);
    unsigned mmu = MemOp::mmu_idx(memop);
    if ((memop & MemOp::kAligned) && (va & (size - 1))) {
        return env->cpu->raise_mem_fault(va, write ? Access::Write : Access::Read,
                                         FaultKind::Alignment, pc, write);
    }
    if (((va & ~kPageMask) + size) <= kPageSize) {
        return access_one(env, va, size, mmu, write, val, pc);
    }
    // Crosses a page: byte by byte (both pages are checked before any
    // byte is written, so a fault on the second page leaves memory intact).
    if (write) {
        TlbEntry* e;
        if (uint64_t st = ensure(env, va, Access::Write, mmu, pc, &e)) return st;
        if (uint64_t st = ensure(env, va + size - 1, Access::Write, mmu, pc, &e)) return st;
    }
    uint64_t result = 0;
    for (unsigned i = 0; i < size; ++i) {
        uint64_t b = write ? (*val >> (8 * i)) & 0xff : 0;
        if (uint64_t st = access_one(env, va + i, 1, mmu, write, &b, pc)) return st;
        result |= b << (8 * i);
    }
    if (!write) *val = result;
    return kStatusContinue;
}

// Host pointer for an atomic access (read and write permission), or
// nullptr with status 0 for device memory.
uint64_t atomic_host(TcgEnv* env, uint64_t va, uint64_t memop, uint64_t pc, void** host) {
    unsigned size = MemOp::size(memop);
    unsigned mmu = MemOp::mmu_idx(memop);
    if (va & (size - 1)) {
        return env->cpu->raise_mem_fault(va, Access::Write, FaultKind::Alignment, pc, true);
    }
    TlbEntry* e;
    if (uint64_t st = ensure(env, va, Access::Read, mmu, pc, &e)) return st;
    if (uint64_t st = ensure(env, va, Access::Write, mmu, pc, &e)) return st;
    if ((e->addr_write | e->addr_read) & kTlbWatch) {
        // An atomic reads and writes: either kind of watchpoint stops it.
        if (uint64_t st = env->cpu->check_watchpoint(va, size, false, pc)) return st;
        if (uint64_t st = env->cpu->check_watchpoint(va, size, true, pc)) return st;
    }
    if ((e->addr_write | e->addr_read) & kTlbMmio) {
        *host = nullptr;
        return kStatusContinue;
    }
    if (e->addr_write & kTlbNotDirty) {
        env->cpu->notdirty_write(va, mmu, size);
        e = entry(env, mmu, va);
    }
    *host = reinterpret_cast<void*>(va + e->addend);
    return kStatusContinue;
}

template <typename T>
uint64_t rmw_apply(AtomicOp op, T* p, T v) {
    using S = std::make_signed_t<T>;
    switch (op) {
        case AtomicOp::Add:
            return __atomic_fetch_add(p, v, __ATOMIC_SEQ_CST);
        case AtomicOp::Clr:
            return __atomic_fetch_and(p, static_cast<T>(~v), __ATOMIC_SEQ_CST);
        case AtomicOp::Eor:
            return __atomic_fetch_xor(p, v, __ATOMIC_SEQ_CST);
        case AtomicOp::Set:
            return __atomic_fetch_or(p, v, __ATOMIC_SEQ_CST);
        case AtomicOp::Swp:
            return __atomic_exchange_n(p, v, __ATOMIC_SEQ_CST);
        default:
            break;
    }
    T old = __atomic_load_n(p, __ATOMIC_SEQ_CST);
    for (;;) {
        T nv;
        switch (op) {
            case AtomicOp::Smax:
                nv = static_cast<S>(old) > static_cast<S>(v) ? old : v;
                break;
            case AtomicOp::Smin:
                nv = static_cast<S>(old) < static_cast<S>(v) ? old : v;
                break;
            case AtomicOp::Umax:
                nv = old > v ? old : v;
                break;
            default:
                nv = old < v ? old : v;
                break;
        }
        if (__atomic_compare_exchange_n(p, &old, nv, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) {
            return old;
        }
    }
}

uint64_t rmw_value(AtomicOp op, unsigned size, uint64_t old, uint64_t v) {
    uint64_t m = size == 8 ? ~0ull : (1ull << (8 * size)) - 1;
    unsigned sh = 64 - 8 * size;
    int64_t so = (int64_t)(old << sh) >> sh, sv = (int64_t)(v << sh) >> sh;
    switch (op) {
        case AtomicOp::Add:
            return (old + v) & m;
        case AtomicOp::Clr:
            return old & ~v & m;
        case AtomicOp::Eor:
            return (old ^ v) & m;
        case AtomicOp::Set:
            return (old | v) & m;
        case AtomicOp::Smax:
            return so > sv ? old : v & m;
        case AtomicOp::Smin:
            return so < sv ? old : v & m;
        case AtomicOp::Umax:
            return old > (v & m) ? old : v & m;
        case AtomicOp::Umin:
            return old < (v & m) ? old : v & m;
        case AtomicOp::Swp:
            return v & m;
    }
    return v;
}

template <typename T>
bool cas(void* host, uint64_t expected, uint64_t desired, uint64_t* old) {
    T e = static_cast<T>(expected);
    bool ok = __atomic_compare_exchange_n(static_cast<T*>(host), &e, static_cast<T>(desired), false,
                                          __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
    *old = e;
    return ok;
}

bool cas_any(unsigned size, void* host, uint64_t expected, uint64_t desired, uint64_t* old) {
    switch (size) {
        case 1:
            return cas<uint8_t>(host, expected, desired, old);
        case 2:
            return cas<uint16_t>(host, expected, desired, old);
        case 4:
            return cas<uint32_t>(host, expected, desired, old);
        default:
            return cas<uint64_t>(host, expected, desired, old);
    }
}

}  // namespace

uint64_t mem_atomic_host(void* envp, uint64_t va, unsigned size, unsigned mmu_idx, uint64_t pc,
                         void** host) {
    unsigned log2 = static_cast<unsigned>(__builtin_ctz(size));
    return atomic_host(static_cast<TcgEnv*>(envp), va, MemOp::make(log2, mmu_idx), pc, host);
}

// The inline fast paths of the backends send unaligned and 16-byte accesses
// here (the LLVM tier handles some itself); most of them hit a plain RAM
// page, which needs no more than the tag compare. Flagged tags (MMIO,
// code pages, watchpoints) never equal a page address.
namespace {
void* fast_host(TcgEnv* env, uint64_t va, unsigned size, unsigned mmu, bool write) {
    if ((va & ~kPageMask) > kPageSize - size) return nullptr;  // crosses a page
    TlbEntry* e = entry(env, mmu, va);
    uint64_t tag = write ? e->addr_write : e->addr_read;
    if (tag != (va & kPageMask)) return nullptr;
    return reinterpret_cast<void*>(va + e->addend);
}

// Constant-size copies: a variable-size memcpy becomes `rep movs`, whose
// start-up cost dominated these helpers.
inline uint64_t load_host(const void* h, unsigned size) {
    switch (size) {
        case 1:
            return *static_cast<const uint8_t*>(h);
        case 2: {
            uint16_t v;
            std::memcpy(&v, h, 2);
            return v;
        }
        case 4: {
            uint32_t v;
            std::memcpy(&v, h, 4);
            return v;
        }
        default: {
            uint64_t v;
            std::memcpy(&v, h, 8);
            return v;
        }
    }
}

inline void store_host(void* h, uint64_t v, unsigned size) {
    switch (size) {
        case 1:
            *static_cast<uint8_t*>(h) = static_cast<uint8_t>(v);
            break;
        case 2: {
            auto x = static_cast<uint16_t>(v);
            std::memcpy(h, &x, 2);
            break;
        }
        case 4: {
            auto x = static_cast<uint32_t>(v);
            std::memcpy(h, &x, 4);
            break;
        }
        default:
            std::memcpy(h, &v, 8);
            break;
    }
}
}  // namespace

HelperRet mem_load(void* envp, uint64_t va, uint64_t memop, uint64_t pc) {
    if (!(memop & MemOp::kAligned)) {
        unsigned size = MemOp::size(memop);
        if (void* h =
                fast_host(static_cast<TcgEnv*>(envp), va, size, MemOp::mmu_idx(memop), false)) {
            return {load_host(h, size), kStatusContinue};
        }
    }
    uint64_t v = 0;
    uint64_t st = access(static_cast<TcgEnv*>(envp), va, memop, false, &v, pc);
    return {v, st};
}

HelperRet mem_store(void* envp, uint64_t va, uint64_t value, uint64_t memop, uint64_t pc) {
    if (!(memop & MemOp::kAligned)) {
        unsigned size = MemOp::size(memop);
        if (void* h =
                fast_host(static_cast<TcgEnv*>(envp), va, size, MemOp::mmu_idx(memop), true)) {
            store_host(h, value, size);
            return {0, kStatusContinue};
        }
    }
    uint64_t st = access(static_cast<TcgEnv*>(envp), va, memop, true, &value, pc);
    return {0, st};
}

uint64_t mem_load128(void* envp, uint64_t va, uint64_t memop, uint64_t pc, uint64_t out[2]) {
    auto* env = static_cast<TcgEnv*>(envp);
    if ((memop & MemOp::kAligned) && (va & 15)) {
        return env->cpu->raise_mem_fault(va, Access::Read, FaultKind::Alignment, pc, false);
    }
    if (void* h = fast_host(env, va, 16, MemOp::mmu_idx(memop), false)) {
        std::memcpy(out, h, 16);
        return kStatusContinue;
    }
    uint64_t half = (memop & ~uint64_t(7) & ~MemOp::kAligned) | 3;
    uint64_t lo = 0, hi = 0;
    if (uint64_t st = access(env, va, half, false, &lo, pc)) return st;
    if (uint64_t st = access(env, va + 8, half, false, &hi, pc)) return st;
    out[0] = lo;
    out[1] = hi;
    return kStatusContinue;
}

uint64_t mem_store128(void* envp, uint64_t va, uint64_t lo, uint64_t hi, uint64_t memop,
                      uint64_t pc) {
    auto* env = static_cast<TcgEnv*>(envp);
    if ((memop & MemOp::kAligned) && (va & 15)) {
        return env->cpu->raise_mem_fault(va, Access::Write, FaultKind::Alignment, pc, true);
    }
    if (void* h = fast_host(env, va, 16, MemOp::mmu_idx(memop), true)) {
        std::memcpy(h, &lo, 8);
        std::memcpy(static_cast<uint8_t*>(h) + 8, &hi, 8);
        return kStatusContinue;
    }
    uint64_t half = (memop & ~uint64_t(7) & ~MemOp::kAligned) | 3;
    // Check both halves are writable first so a fault leaves memory untouched.
    TlbEntry* e;
    unsigned mmu = MemOp::mmu_idx(memop);
    if (uint64_t st = ensure(env, va, Access::Write, mmu, pc, &e)) return st;
    if (uint64_t st = ensure(env, va + 15, Access::Write, mmu, pc, &e)) return st;
    if (uint64_t st = access(env, va, half, true, &lo, pc)) return st;
    return access(env, va + 8, half, true, &hi, pc);
}

uint64_t mem_zero_block(void* envp, uint64_t va, unsigned size, unsigned mmu_idx, uint64_t pc) {
    auto* env = static_cast<TcgEnv*>(envp);
    if (void* h = fast_host(env, va, size, mmu_idx, true)) {
        std::memset(h, 0, size);
        return kStatusContinue;
    }
    // Code pages, MMIO, watchpoints, faults: 8-byte stores in order, as
    // the architecture allows (the first faulting one reports its address).
    for (unsigned i = 0; i < size; i += 8) {
        uint64_t zero = 0;
        if (uint64_t st = access(env, va + i, MemOp::make(3, mmu_idx), true, &zero, pc)) return st;
    }
    return kStatusContinue;
}

HelperRet mem_load_excl(void* envp, uint64_t va, uint64_t memop, uint64_t pc) {
    auto* env = static_cast<TcgEnv*>(envp);
    unsigned size = MemOp::size(memop);
    if (va & (size - 1)) {
        return {0, env->cpu->raise_mem_fault(va, Access::Read, FaultKind::Alignment, pc, false)};
    }
    uint64_t v = 0;
    if (uint64_t st = access(env, va, memop, false, &v, pc)) return {0, st};
    env->excl_addr = va;
    env->excl_val[0] = v;
    return {v, kStatusContinue};
}

HelperRet mem_store_excl(void* envp, uint64_t va, uint64_t value, uint64_t memop, uint64_t pc) {
    auto* env = static_cast<TcgEnv*>(envp);
    unsigned size = MemOp::size(memop);
    void* host;
    // The access is checked (and may fault) even when the monitor has been
    // lost, as on hardware where the permission check comes first.
    if (uint64_t st = atomic_host(env, va, memop, pc, &host)) return {0, st};
    bool hold = env->excl_addr == va;
    env->excl_addr = kTlbInvalid;
    if (!hold) return {1, kStatusContinue};
    if (!host) {
        uint64_t v = value;
        if (uint64_t st = access(env, va, memop, true, &v, pc)) return {0, st};
        return {0, kStatusContinue};
    }
    uint64_t old;
    return {cas_any(size, host, env->excl_val[0], value, &old) ? 0u : 1u, kStatusContinue};
}

HelperRet mem_atomic_rmw(void* envp, uint64_t va, uint64_t value, uint64_t memop, uint64_t pc) {
    auto* env = static_cast<TcgEnv*>(envp);
    unsigned size = MemOp::size(memop);
    auto op = static_cast<AtomicOp>(MemOp::atomic_op(memop));
    void* host;
    if (uint64_t st = atomic_host(env, va, memop, pc, &host)) return {0, st};
    if (!host) {
        uint64_t old = 0;
        uint64_t plain = memop & ~(uint64_t(15) << 32);
        if (uint64_t st = access(env, va, plain, false, &old, pc)) return {0, st};
        uint64_t nv = rmw_value(op, size, old, value);
        if (uint64_t st = access(env, va, plain, true, &nv, pc)) return {0, st};
        return {old, kStatusContinue};
    }
    switch (size) {
        case 1:
            return {rmw_apply<uint8_t>(op, static_cast<uint8_t*>(host), (uint8_t)value), 0};
        case 2:
            return {rmw_apply<uint16_t>(op, static_cast<uint16_t*>(host), (uint16_t)value), 0};
        case 4:
            return {rmw_apply<uint32_t>(op, static_cast<uint32_t*>(host), (uint32_t)value), 0};
        default:
            return {rmw_apply<uint64_t>(op, static_cast<uint64_t*>(host), value), 0};
    }
}

HelperRet mem_cmpxchg(void* envp, uint64_t va, uint64_t expected, uint64_t desired, uint64_t memop,
                      uint64_t pc) {
    auto* env = static_cast<TcgEnv*>(envp);
    unsigned size = MemOp::size(memop);
    void* host;
    if (uint64_t st = atomic_host(env, va, memop, pc, &host)) return {0, st};
    if (!host) {
        uint64_t old = 0;
        if (uint64_t st = access(env, va, memop, false, &old, pc)) return {0, st};
        if (old == expected) {
            uint64_t nv = desired;
            if (uint64_t st = access(env, va, memop, true, &nv, pc)) return {0, st};
        }
        return {old, kStatusContinue};
    }
    uint64_t old;
    cas_any(size, host, expected, desired, &old);
    return {old, kStatusContinue};
}

}  // namespace emu::tcg

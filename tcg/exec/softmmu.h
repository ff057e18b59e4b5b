#pragma once
// Guest memory access from generated code: the soft TLB slow path and the
// memory operations both backends share. Every function does the complete
// access (the fast path included) so a backend may call it unconditionally;
// the LLVM backend inlines the TLB fast path (tcg/exec/env.h) and calls
// these on a miss. On a fault the target's exception entry has already been
// done when the status comes back non-zero (precise: the IR wrote all state
// back before the access).
#include <cstdint>

#include "tcg/ir/helpers.h"

namespace emu::tcg {

// Sizes 1, 2, 4, 8 (MemOp::size); the value comes back zero-extended.
HelperRet mem_load(void* env, uint64_t va, uint64_t memop, uint64_t pc);
HelperRet mem_store(void* env, uint64_t va, uint64_t value, uint64_t memop, uint64_t pc);
// 16-byte accesses: value in/out through lo/hi; returns the status.
uint64_t mem_load128(void* env, uint64_t va, uint64_t memop, uint64_t pc, uint64_t out[2]);
uint64_t mem_store128(void* env, uint64_t va, uint64_t lo, uint64_t hi, uint64_t memop,
                      uint64_t pc);
// Zeroes `size` bytes (a power of two up to a page) at va, aligned to
// size (DC ZVA); returns the status.
uint64_t mem_zero_block(void* env, uint64_t va, unsigned size, unsigned mmu_idx, uint64_t pc);
// Exclusive monitor and atomics (see opcodes.inc). StoreExcl returns 0/1 in value.
HelperRet mem_load_excl(void* env, uint64_t va, uint64_t memop, uint64_t pc);
HelperRet mem_store_excl(void* env, uint64_t va, uint64_t value, uint64_t memop, uint64_t pc);
HelperRet mem_atomic_rmw(void* env, uint64_t va, uint64_t value, uint64_t memop, uint64_t pc);
// Host address for an atomic access of `size` bytes (read and write
// permission, natural alignment checked). *host is nullptr (status 0) for
// device memory, where the caller falls back to plain accesses.
uint64_t mem_atomic_host(void* env, uint64_t va, unsigned size, unsigned mmu_idx, uint64_t pc,
                         void** host);
HelperRet mem_cmpxchg(void* env, uint64_t va, uint64_t expected, uint64_t desired, uint64_t memop,
                      uint64_t pc);

}  // namespace emu::tcg

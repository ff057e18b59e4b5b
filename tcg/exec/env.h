#pragma once
// What generated code (interpreter or LLVM) sees of a guest CPU: the env.
// A target's CPU state struct starts with a TcgEnv member at offset 0 and
// puts its registers after it; IR GetReg/SetReg address them by byte offset
// from the start of the env.
//
// Contract for backends:
//  - Block entry: a function of (env) that runs the block and returns an
//    ExitInfo (which exit was taken and the status).
//  - Memory ops: the inline fast path reads env->tlb (layout below); any miss
//    or flagged entry calls the softmmu entry points of tcg/exec/softmmu.h,
//    which also do the whole access and report faults by status.
//  - Helpers: tcg/ir/helpers.h. A non-zero status leaves the block at once.
//  - Before taking a chained exit a block checks env->exit_request
//    (interrupts, kicks, invalidations are all requested through it).
#include <atomic>
#include <cstddef>
#include <cstdint>

namespace emu::tcg {

// Status values returned by helpers, softmmu entry points and blocks.
enum ExitStatus : uint64_t {
    kStatusContinue = 0,    // keep going (helpers); for blocks: normal exit
    kStatusException = 1,   // a guest exception was entered; resume at env->pc
    kStatusExit = 2,        // leave to the dispatcher; resume at env->pc
    kStatusHalt = 3,        // WFI/WFE: wait for an interrupt, then resume at env->pc
    kStatusKicked = 4,      // dispatcher only: exit_request asked it to return
    kStatusTargetBase = 16  // targets define their own from here (passed through)
};

constexpr unsigned kPageBits = 12;
constexpr uint64_t kPageSize = 1ull << kPageBits;
constexpr uint64_t kPageMask = ~(kPageSize - 1);
constexpr unsigned kTlbBits = 8;
constexpr unsigned kTlbSize = 1u << kTlbBits;
constexpr unsigned kNumMmuIdx = 4;

// One soft-TLB entry per (MMU index, virtual page slot). A tag is the page's
// virtual address with flag bits in the low bits; a flagged or mismatching
// tag sends the access to the slow path. kTlbInvalid is all ones, which no
// page address matches.
//
// Fast path for an access of `size` bytes at `va` (loads use addr_read,
// stores addr_write, instruction fetch addr_code):
//     TlbEntry* e = &env->tlb[mmu_idx][(va >> kPageBits) & (kTlbSize - 1)];
//     if ((va & (kPageMask | (size - 1))) == e->addr_read)
//         host = reinterpret_cast<uint8_t*>(va + e->addend);   // little-endian
// Unaligned accesses therefore always take the slow path (which handles
// them, including page-crossing ones).
struct TlbEntry {
    uint64_t addr_read;
    uint64_t addr_write;
    uint64_t addr_code;
    uintptr_t addend;
};
constexpr uint64_t kTlbInvalid = ~0ull;
constexpr uint64_t kTlbMmio = 1u << 0;      // device memory: always the slow path
constexpr uint64_t kTlbNotDirty = 1u << 1;  // page holds translated code: writes invalidate it
constexpr uint64_t kTlbWatch = 1u << 2;     // watchpoint (gdbstub, later)
constexpr uint64_t kTlbFlagMask = 0xfff;

// Exit request bits (env->exit_request), set from any thread.
enum ExitRequest : uint32_t {
    kRequestKick = 1u << 0,        // kick(): return to the caller of run()
    kRequestInterrupt = 1u << 1,   // an interrupt line changed
    kRequestInvalidate = 1u << 2,  // another vCPU wrote translated code
    kRequestTlbFlush = 1u << 3,    // the memory map changed
    kRequestTierUp = 1u << 4,      // second-tier code arrived: drop first-tier links to it
    kRequestTlbOps = 1u << 5,  // another vCPU broadcast TLB maintenance (Cpu::tlb_flush_broadcast)
};

class Cpu;

struct TcgEnv {
    uint64_t pc = 0;
    std::atomic<uint32_t> exit_request{0};
    uint32_t reserved0 = 0;
    // Exclusive monitor (LDXR/STXR): address, or kTlbInvalid when open.
    uint64_t excl_addr = kTlbInvalid;
    uint64_t excl_val[2] = {0, 0};
    Cpu* cpu = nullptr;
    uint64_t reserved1 = 0;
    TlbEntry tlb[kNumMmuIdx][kTlbSize];
};

constexpr size_t kEnvPcOffset = offsetof(TcgEnv, pc);
constexpr size_t kEnvExitRequestOffset = offsetof(TcgEnv, exit_request);
constexpr size_t kEnvTlbOffset = offsetof(TcgEnv, tlb);

// How a block ended: which terminal slot (0/1 for ExitLink/ExitCond's
// chainable targets, kExitSlotNone otherwise) and the status.
constexpr uint32_t kExitSlotNone = ~0u;
struct ExitInfo {
    uint64_t status;
    uint32_t slot;
};

}  // namespace emu::tcg

#pragma once
// Helper functions called from translated code (Op::Call / Op::CallVoid).
// Every helper has one C ABI so that the interpreter and the LLVM backend
// call them alike:
//
//     HelperRet fn(void* env, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3)
//
// Narrower operands arrive zero-extended. A helper reports a fault (or any
// reason to leave the block) by returning a non-zero status, never by
// unwinding through generated code: the caller then leaves the block at
// once with that status, and the state the helper wrote to the env (the
// exception entry, for instance) is what the dispatcher continues from.
// HelperRet is two integers, so it comes back in RAX:RDX on x86-64.
#include <cstdint>
#include <vector>

#include "tcg/ir/ir.h"

namespace emu::tcg {

struct HelperRet {
    uint64_t value;
    uint64_t status;  // 0: continue; else an ExitStatus (tcg/exec/exit_status.h)
};

using HelperFn = HelperRet (*)(void* env, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3);

enum HelperFlag : uint8_t {
    kHelperPure = 1u << 0,         // result depends only on the operands
    kHelperReadsState = 1u << 1,   // reads the env (guest registers)
    kHelperWritesState = 1u << 2,  // writes the env
    kHelperMem = 1u << 3,          // touches guest memory
    kHelperFault = 1u << 4,        // may return a non-zero status
};

struct HelperInfo {
    const char* name;
    HelperFn fn;
    uint8_t flags;
};

// Registers a helper and returns its id (stable for the process). Called
// from a target's one-time initialisation; not thread-safe with itself.
uint32_t register_helper(const char* name, HelperFn fn, uint8_t flags);
const HelperInfo& helper_info(uint32_t id);
uint32_t helper_count();

}  // namespace emu::tcg

#pragma once
// Optimisation passes: free functions over one block. Each keeps the block
// valid for the verifier; they leave Op::Nop behind (Block::compact()).
//
// Exceptions stay precise: no pass moves or removes a SetReg across an op
// that can fault (FAULT) or that reads guest state behind the IR's back
// (a Load's fault path, a helper that reads the env).
#include "tcg/ir/ir.h"

namespace emu::tcg {

// The standard pipeline, one forward and one backward walk over per-thread
// storage, then compact():
// - GetReg forwarding: a GetReg becomes the value last set or got for the
//   same register (same offset and type) earlier in the block, until
//   something may have written the env behind the IR's back.
// - Constant folding: pure ops on constants and simple identities (x+0,
//   x&0, x|0, shifts by 0, Select on a constant, CondHolds on a known NZCV,
//   ExitCond on a constant).
// - Dead stores: a SetReg goes when a later SetReg covers the same bytes
//   with nothing in between that could read them (GetReg, a faulting op, a
//   helper that reads state, the block's end). For the packed NZCV register
//   this is flag liveness: flags set and overwritten unread are never built.
// - Dead code: pure ops (and GetRegs) whose results are unused.
void optimize_unchecked(Block& b);

// optimize_unchecked(), then the verifier's verdict (empty when the block
// is well formed).
std::string optimize(Block& b);

}  // namespace emu::tcg

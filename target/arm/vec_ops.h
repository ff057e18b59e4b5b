#pragma once
// AdvSIMD operations done by the vector helpers (target/arm/vec_helpers.cpp).
// Descriptor passed to the helpers: op | esize_log2 << 8 | q << 12 |
// scalar << 13 | part2 << 14 | imm << 16.
#include <cstdint>

#include "target/arm/vec_args.h"

namespace emu::arm {

enum class VecOp : uint8_t {
    // three same, integer
    Add,
    Sub,
    Mul,
    Mla,
    Mls,
    Cmeq,
    Cmtst,
    Cmhi,
    Cmhs,
    Cmgt,
    Cmge,
    Umax,
    Umin,
    Smax,
    Smin,
    Addp,
    Umaxp,
    Uminp,
    Smaxp,
    Sminp,
    Uabd,
    Sabd,
    Bsl,
    Bit,
    Bif,
    Ushl,
    Sshl,
    Uqadd,
    Uqsub,
    // three different (long/wide/narrow; part2 selects the upper half)
    Uaddl,
    Saddl,
    Uaddw,
    Saddw,
    Usubl,
    Ssubl,
    Usubw,
    Ssubw,
    Umull,
    Smull,
    Umlal,
    Smlal,
    Umlsl,
    Smlsl,
    Uabdl,
    Sabdl,
    Addhn,
    Subhn,
    // two-register misc
    Rev64,
    Rev32,
    Rev16,
    Cnt,
    Not,
    Rbit,
    Cmgt0,
    Cmeq0,
    Cmlt0,
    Cmge0,
    Cmle0,
    Abs,
    Neg,
    Xtn,
    Uaddlp,
    Saddlp,
    // across lanes
    Addv,
    Umaxv,
    Uminv,
    Smaxv,
    Sminv,
    Uaddlv,
    Saddlv,
    // shift by immediate (imm = shift)
    Sshr,
    Ushr,
    Ssra,
    Usra,
    Shl,
    Sli,
    Sri,
    Shrn,
    Sshll,
    Ushll,
    // permutes and tables
    Uzp1,
    Uzp2,
    Trn1,
    Trn2,
    Zip1,
    Zip2,
    Ext,
    Tbl,
    Tbx,
    Dup,
};

constexpr uint64_t vec_desc(VecOp op, unsigned esize_log2, bool q, bool scalar = false,
                            bool part2 = false, unsigned imm = 0) {
    return encode_vec_desc(static_cast<unsigned>(op), esize_log2, q, scalar, part2, imm);
}

}  // namespace emu::arm

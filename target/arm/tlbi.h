#pragma once
// TLB maintenance instructions (TLBI) of the EL1&0 regime, decoded into
// soft-TLB operations on this PE or, for the Inner Shareable forms, on
// every PE (tcg::Cpu::tlb_flush_broadcast).
#include <cstdint>

#include "tcg/exec/cpu.h"

namespace emu::arm {

class ArmCpu;

enum class TlbiKind : uint8_t { VMALLE1, VAE1, ASIDE1, VAAE1, VALE1, VAALE1, Count };
const char* tlbi_name(TlbiKind k);

struct TlbiDecoded {
    TlbiKind kind = TlbiKind::VMALLE1;
    bool shareable = false;  // the IS form: all PEs of the Inner Shareable domain
    tcg::TlbFlushOp op;
};

// Decodes TLBI `op` (op1<<11 | CRn<<7 | CRm<<3 | op2 with CRn == 8) with
// operand `xt` under TCR_EL1 `tcr` (the granule a by-VA operation covers,
// the ASID size). False: UNDEFINED on this CPU: the EL2/EL3 operations
// (op1 4 and 6; there is no EL2/EL3), the Outer Shareable and range forms
// (FEAT_TLBIOS, FEAT_TLBIRANGE: ID_AA64ISAR0_EL1.TLB is 0), unallocated
// encodings.
bool decode_tlbi(uint32_t op, uint64_t xt, uint64_t tcr, bool asid16, TlbiDecoded* out);

// TLBI at EL1 (the translator raises Undefined at EL0): a status.
uint64_t tlbi(ArmCpu& cpu, uint32_t op, uint64_t xt, uint64_t pc);

}  // namespace emu::arm

#include "target/arm/tlbi.h"

#include <cinttypes>

#include "target/arm/arm_cpu.h"
#include "target/arm/mmu/regs.h"
#include "util/log.h"

namespace emu::arm {

namespace {

// The translation granule for va's half of the address space: what one
// by-VA operation invalidates at the last level. Reserved encodings: the
// largest granule (a superset of whatever the walk falls back to).
uint64_t granule_bytes(uint64_t tcr, uint64_t va) {
    if ((va >> 55) & 1) {
        static constexpr uint64_t kTg1[] = {64 << 10, 16 << 10, 4 << 10, 64 << 10};
        return kTg1[(tcr >> mmu::tcr::TG1) & 3];
    }
    static constexpr uint64_t kTg0[] = {4 << 10, 64 << 10, 16 << 10, 64 << 10};
    return kTg0[(tcr >> mmu::tcr::TG0) & 3];
}

}  // namespace

const char* tlbi_name(TlbiKind k) {
    static const char* const kNames[] = {"VMALLE1", "VAE1", "ASIDE1", "VAAE1", "VALE1", "VAALE1"};
    return k < TlbiKind::Count ? kNames[static_cast<unsigned>(k)] : "?";
}

bool decode_tlbi(uint32_t op, uint64_t xt, uint64_t tcr, bool asid16, TlbiDecoded* out) {
    unsigned op1 = (op >> 11) & 7, crn = (op >> 7) & 15, crm = (op >> 3) & 15, op2 = op & 7;
    if (crn != 8 || op1 != 0 || (crm != 3 && crm != 7)) return false;
    static constexpr int kKind[8] = {0, 1, 2, 3, -1, 4, -1, 5};
    if (kKind[op2] < 0) return false;
    TlbiDecoded d;
    d.kind = static_cast<TlbiKind>(kKind[op2]);
    d.shareable = crm == 3;
    // Both MMU indexes of the EL1&0 regime (EL0 and EL1 accesses).
    d.op.idx_mask = 3;
    uint32_t asid = static_cast<uint32_t>(xt >> 48) & (asid16 ? 0xffff : 0xff);
    switch (d.kind) {
        case TlbiKind::VMALLE1:
            d.op.all = true;
            break;
        case TlbiKind::ASIDE1:
            d.op.all = true;
            d.op.asid = static_cast<int32_t>(asid);
            break;
        default: {
            // Xt[43:0] is VA[55:12]; bit 55 selects the half (TTBR0/1).
            uint64_t va = (xt & ((1ull << 44) - 1)) << 12;
            va = static_cast<uint64_t>(static_cast<int64_t>(va << 8) >> 8);
            d.op.all = false;
            d.op.va = va;
            d.op.len = granule_bytes(tcr, va);
            // By VA with an ASID also drops the global entries of the page:
            // the ASID does not narrow it down in an untagged TLB.
            break;
        }
    }
    *out = d;
    return true;
}

uint64_t tlbi(ArmCpu& cpu, uint32_t op, uint64_t xt, uint64_t pc) {
    const ArmCpuState& s = cpu.st();
    bool asid16 = ((s.id_aa64mmfr0 >> 4) & 0xf) == 2 && ((s.tcr_el1 >> mmu::tcr::AS) & 1);
    TlbiDecoded d;
    if (!decode_tlbi(op, xt, s.tcr_el1, asid16, &d)) {
        log_mask(LOG_UNIMP, "TLBI op1=%u CRm=%u op2=%u at 0x%" PRIx64 ": UNDEFINED here\n",
                 (op >> 11) & 7, (op >> 3) & 15, op & 7, pc);
        return cpu.undefined_at(pc);
    }
    cpu.count_tlbi(d.kind, d.shareable);
    if (d.shareable) {
        cpu.tlb_flush_broadcast(d.op);
    } else {
        cpu.tlb_flush_op(d.op);
    }
    return tcg::kStatusContinue;
}

}  // namespace emu::arm

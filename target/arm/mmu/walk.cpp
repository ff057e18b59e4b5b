// The VMSAv8-64 stage 1 walk for the EL1&0 regime.
//
// Choices the architecture leaves to the implementation (each permitted by
// the Arm ARM):
//  - TnSZ outside [min, max] is a level 0 Translation fault (rather than
//    being treated as the nearest legal value).
//  - A reserved or unimplemented TGn encoding is treated as the first
//    implemented granule of 4K, 64K, 16K.
//  - A reserved IPS encoding is treated as PARange; IPS above PARange is
//    capped to it; 52-bit IPS with a 4K/16K granule (no FEAT_LPA2) is 48.
//  - TTBR BADDR bits below the table alignment are treated as zero.
//  - The contiguous bit is ignored: it only allows a TLB to merge entries,
//    and a walk that ignores it gives the architected result for correctly
//    programmed tables (misprogrammed ones are CONSTRAINED UNPREDICTABLE).
//  - AT instructions never update descriptors: with hardware AF enabled
//    they report AF == 0 as accessible, and AT S1E*W reports a writable-
//    clean (DBM) page as writable. External aborts on their walks are
//    reported in PAR_EL1.
//  - Hardware AF/dirty updates happen only for accesses that do not fault.
//  - Instruction fetch from Device memory is made as Normal Non-cacheable
//    (no Permission fault), as the Arm ARM's pseudocode does.
#include <algorithm>

#include "target/arm/mmu/descriptor_io.h"
#include "target/arm/mmu/mmu.h"
#include "target/arm/mmu/permissions.h"
#include "target/arm/mmu/regs.h"

namespace emu::arm::mmu {

namespace {

// A restart happens only when another agent changed the descriptor between
// our read and our update; bound it so a guest rewriting a descriptor in a
// tight loop on another vCPU cannot hang this one.
constexpr int kMaxWalkAttempts = 64;

constexpr uint8_t kAttrDevice_nGnRnE = 0x00;
constexpr uint8_t kAttrNormalNc = 0x44;
constexpr uint8_t kAttrNormalWt = 0xaa;  // Write-Through, read-allocate, non-transient

Result fault(FaultType type, int level, uint64_t va, const Access& a) {
    Result r;
    r.fault.type = type;
    r.fault.level = static_cast<int8_t>(level);
    r.fault.va = va;
    r.fault.access = a;
    return r;
}

unsigned parange_bits(const IdRegs& id) {
    unsigned b = pa_bits_from_encoding(idreg::pa_range(id.mmfr0));
    return b ? b : 48;
}

bool granule_implemented(unsigned bits, uint64_t mmfr0) {
    switch (bits) {
        case 12:
            return idreg::has_4k(mmfr0);
        case 14:
            return idreg::has_16k(mmfr0);
        case 16:
            return idreg::has_64k(mmfr0);
    }
    return false;
}

unsigned granule_bits(const Regs& regs, bool ttbr1) {
    unsigned bits = 0;
    if (ttbr1) {
        static constexpr unsigned kTg1[] = {0, 14, 12, 16};
        bits = kTg1[field(regs.tcr, tcr::TG1, 2)];
    } else {
        static constexpr unsigned kTg0[] = {12, 16, 14, 0};
        bits = kTg0[field(regs.tcr, tcr::TG0, 2)];
    }
    if (granule_implemented(bits, regs.id.mmfr0)) return bits;
    for (unsigned b : {12u, 16u, 14u})
        if (granule_implemented(b, regs.id.mmfr0)) return b;
    return 12;  // a model advertising no granule at all: keep going sanely
}

bool misaligned(uint64_t va, unsigned size) {
    return size > 1 && (size & (size - 1)) == 0 && (va & (size - 1)) != 0;
}

// The privilege an access is checked with.
bool checked_as_el0(const Regs& regs, const Access& a) {
    if (a.at == AtOp::S1E0R || a.at == AtOp::S1E0W) return true;
    if (a.at != AtOp::None) return false;
    if (regs.el == 0) return true;
    bool uao = idreg::uao(regs.id.mmfr2) >= 1 && regs.uao;
    return a.unprivileged && !uao;
}

bool pan_applies(const Regs& regs, const Access& a, bool as_el0) {
    if (!regs.pan || idreg::pan(regs.id.mmfr1) == 0 || as_el0) return false;
    if (a.type == AccessType::Fetch || a.cache_maintenance) return false;
    return a.at == AtOp::None || a.at == AtOp::S1E1RP || a.at == AtOp::S1E1WP;
}

uint16_t current_asid(const Regs& regs) {
    uint64_t ttbr = bit(regs.tcr, tcr::A1) ? regs.ttbr1 : regs.ttbr0;
    auto asid = static_cast<uint16_t>(field(ttbr, 48, 16));
    bool asid16 = idreg::asid_bits(regs.id.mmfr0) == 2 && bit(regs.tcr, tcr::AS);
    return asid16 ? asid : (asid & 0xff);
}

Result translate_mmu_off(const Regs& regs, uint64_t va, const Access& a, unsigned top) {
    unsigned pa_bits = parange_bits(regs.id);
    if (va & mask(top, pa_bits)) return fault(FaultType::AddressSize, 0, va, a);
    bool fetch = a.type == AccessType::Fetch;
    Result r;
    Translation& t = r.tr;
    t.pa = va & mask(pa_bits - 1, 0);
    t.block_size = 1ull << 12;
    t.granule_bits = 12;
    t.level = -1;
    // Data accesses are Device-nGnRnE; instruction fetches are Normal,
    // Write-Through if SCTLR_EL1.I, else Non-cacheable; all Outer Shareable.
    if (fetch) {
        t.attr = bit(regs.sctlr, sctlr::I) ? kAttrNormalWt : kAttrNormalNc;
    } else {
        t.attr = kAttrDevice_nGnRnE;
        t.device = true;
        if (a.at == AtOp::None && !a.debug && misaligned(va, a.size))
            return fault(FaultType::Alignment, 0, va, a);
    }
    t.sh = Shareability::Outer;
    t.global = true;
    t.asid = current_asid(regs);
    t.el0 = t.el1 = Permissions{true, true, true};
    return r;
}

// Everything the walk needs that does not depend on the descriptors.
struct WalkSetup {
    unsigned granule;  // 12, 14, 16
    unsigned stride;   // granule - 3
    unsigned ia;       // input address bits
    int start_level;
    unsigned oa_bits;  // effective output address size
    bool oa52_desc;    // descriptors carry OA[51:48] in bits[15:12]
    uint64_t table;    // start table address
    bool hpd;          // hierarchical controls disabled
    bool ha, hd;       // hardware AF / dirty updates enabled
    bool wxn, epan;
    unsigned bottom(int level) const { return (3 - level) * stride + granule; }
};

// Level 0 checks and the walk parameters; a fault result on failure.
bool setup_walk(const Regs& regs, uint64_t va, const Access& a, unsigned top, bool ttbr1,
                bool as_el0, WalkSetup* w, Result* err) {
    const uint64_t tcr = regs.tcr;
    const IdRegs& id = regs.id;
    w->granule = granule_bits(regs, ttbr1);
    w->stride = w->granule - 3;

    unsigned tnsz = field(tcr, ttbr1 ? tcr::T1SZ : tcr::T0SZ, 6);
    unsigned max_tnsz = idreg::st(id.mmfr2) >= 1 ? (w->granule == 16 ? 47 : 48) : 39;
    unsigned min_tnsz = (idreg::va_range(id.mmfr2) >= 1 && w->granule == 16) ? 12 : 16;
    if (tnsz < min_tnsz || tnsz > max_tnsz) {
        *err = fault(FaultType::Translation, 0, va, a);
        return false;
    }
    w->ia = 64 - tnsz;

    // Bits [top:ia] must all equal bit 55 (the TTBR select bit): otherwise
    // the address is outside both ranges.
    uint64_t range = mask(top, w->ia);
    bool epd = bit(tcr, ttbr1 ? tcr::EPD1 : tcr::EPD0);
    bool e0pd = idreg::e0pd(id.mmfr2) >= 1 && as_el0 && bit(tcr, ttbr1 ? tcr::E0PD1 : tcr::E0PD0);
    if ((va & range) != (ttbr1 ? range : 0) || epd || e0pd) {
        *err = fault(FaultType::Translation, 0, va, a);
        return false;
    }

    unsigned pa_bits = parange_bits(id);
    unsigned ips = pa_bits_from_encoding(field(tcr, tcr::IPS, 3));
    if (ips == 0) ips = pa_bits;
    w->oa_bits = std::min(ips, pa_bits);
    if (w->oa_bits == 52 && w->granule != 16) w->oa_bits = 48;
    w->oa52_desc = w->granule == 16 && pa_bits == 52;

    w->start_level = 3 - static_cast<int>((w->ia - 1 - w->granule) / w->stride);

    uint64_t ttbr = ttbr1 ? regs.ttbr1 : regs.ttbr0;
    uint64_t base = ttbr & mask(47, 1);
    unsigned align = w->ia - w->bottom(w->start_level) + 3;
    if (w->oa_bits == 52) {
        base = (ttbr & mask(47, 6)) | (field(ttbr, 2, 4) << 48);
        align = std::max(align, 6u);
    }
    if (base >> w->oa_bits) {
        *err = fault(FaultType::AddressSize, 0, va, a);
        return false;
    }
    w->table = base & ~((1ull << align) - 1);

    w->hpd = idreg::hpds(id.mmfr1) >= 1 && bit(tcr, ttbr1 ? tcr::HPD1 : tcr::HPD0);
    w->ha = idreg::hafdbs(id.mmfr1) >= 1 && bit(tcr, tcr::HA);
    w->hd = w->ha && idreg::hafdbs(id.mmfr1) >= 2 && bit(tcr, tcr::HD);
    w->wxn = bit(regs.sctlr, sctlr::WXN);
    w->epan = idreg::pan(id.mmfr1) >= 3 && bit(regs.sctlr, sctlr::EPAN);
    return true;
}

bool block_allowed(unsigned granule, int level, unsigned pa_bits) {
    switch (granule) {
        case 12:
            return level == 1 || level == 2;
        case 14:
            return level == 2;
        case 16:
            return level == 2 || (level == 1 && pa_bits == 52);
    }
    return false;
}

// The address in a table/block/page descriptor, from bit `lsb` up.
uint64_t output_address(uint64_t d, unsigned lsb, const WalkSetup& w) {
    uint64_t oa = d & mask(47, lsb);
    if (w.oa52_desc) oa |= field(d, 12, 4) << 48;
    return oa;
}

enum class Step { Done, Retry };

Step walk_once(const DescriptorIo& io, const Regs& regs, const WalkSetup& w, uint64_t va,
               const Access& a, const CheckContext& ctx, Result* out) {
    TableControls tc;
    uint64_t table = w.table;
    int level = w.start_level;
    uint64_t d = 0, dpa = 0;
    for (;;) {
        unsigned lo = w.bottom(level);
        unsigned hi = (level == w.start_level) ? w.ia - 1 : lo + w.stride - 1;
        uint64_t index = (va >> lo) & ((1ull << (hi - lo + 1)) - 1);
        dpa = table + index * 8;
        if (!io.read(dpa, &d)) {
            *out = fault(FaultType::WalkExternalAbort, level, va, a);
            return Step::Done;
        }
        if (!bit(d, desc::VALID)) {
            *out = fault(FaultType::Translation, level, va, a);
            return Step::Done;
        }
        if (level == 3 || !bit(d, desc::TABLE)) break;
        if (!w.hpd) {
            tc.no_el0 |= bit(d, desc::AP_TABLE0);
            tc.read_only |= bit(d, desc::AP_TABLE1);
            tc.uxn |= bit(d, desc::UXN_TABLE);
            tc.pxn |= bit(d, desc::PXN_TABLE);
        }
        uint64_t next = output_address(d, w.granule, w);
        if (next >> w.oa_bits) {
            *out = fault(FaultType::AddressSize, level, va, a);
            return Step::Done;
        }
        table = next;
        ++level;  // at most 3 - start_level times: a table pointing at itself ends at level 3
    }

    // Leaf: a page at level 3 (bits 11), a block above it where allowed.
    bool is_page = level == 3;
    if ((is_page && !bit(d, desc::TABLE)) ||
        (!is_page && !block_allowed(w.granule, level, parange_bits(regs.id)))) {
        *out = fault(FaultType::Translation, level, va, a);
        return Step::Done;
    }
    unsigned size_bits = w.bottom(level);
    uint64_t oa = output_address(d, size_bits, w);
    if (oa >> w.oa_bits) {
        *out = fault(FaultType::AddressSize, level, va, a);
        return Step::Done;
    }

    // AT and debug accesses look but never update descriptors.
    const bool no_update = a.at != AtOp::None || a.debug;
    uint64_t nd = d;
    if (!bit(d, desc::AF) && !a.debug) {
        if (!w.ha) {
            *out = fault(FaultType::AccessFlag, level, va, a);
            return Step::Done;
        }
        nd |= 1ull << desc::AF;
    }

    PermissionSet perms = compute_permissions(d, tc, w.wxn, w.epan);
    if (!a.debug && !permits(perms, a, ctx)) {
        // A writable-clean page (DBM) takes a write if the write would be
        // permitted once dirty; nothing else is relaxed.
        uint64_t dirty = d & ~(1ull << desc::AP2);
        bool dbm_write = a.type == AccessType::Write && w.hd && bit(d, desc::DBM) &&
                         bit(d, desc::AP2) &&
                         permits(compute_permissions(dirty, tc, w.wxn, w.epan), a, ctx);
        if (!dbm_write) {
            *out = fault(FaultType::Permission, level, va, a);
            return Step::Done;
        }
        nd &= ~(1ull << desc::AP2);
    }

    unsigned attr_index = field(d, desc::ATTR_INDX, 3);
    auto attr = static_cast<uint8_t>(field(regs.mair, attr_index * 8, 8));
    bool device = (attr & 0xf0) == 0;
    bool fetch = a.type == AccessType::Fetch;
    if (fetch) {
        // Fetches from Device memory, and all fetches with SCTLR.I clear,
        // are made as Normal Non-cacheable.
        if (device || !bit(regs.sctlr, sctlr::I)) attr = kAttrNormalNc;
        device = false;
    } else if (!device && !bit(regs.sctlr, sctlr::C)) {
        attr = kAttrNormalNc;
    }
    if (device && !fetch && !no_update && misaligned(va, a.size)) {
        *out = fault(FaultType::Alignment, level, va, a);
        return Step::Done;
    }

    bool updated = false;
    if (nd != d && !no_update) {
        switch (io.compare_and_swap(dpa, d, nd)) {
            case DescriptorIo::Update::Done:
                updated = true;
                d = nd;
                perms = compute_permissions(d, tc, w.wxn, w.epan);
                break;
            case DescriptorIo::Update::Changed:
                return Step::Retry;
            case DescriptorIo::Update::Abort:
                *out = fault(FaultType::WalkExternalAbort, level, va, a);
                return Step::Done;
        }
    }

    Result r;
    Translation& t = r.tr;
    t.block_size = 1ull << size_bits;
    t.pa = oa | (va & (t.block_size - 1));
    t.granule_bits = static_cast<uint8_t>(w.granule);
    t.level = static_cast<int8_t>(level);
    t.attr_index = static_cast<uint8_t>(attr_index);
    t.attr = attr;
    t.device = device;
    if (device || attr == kAttrNormalNc) {
        t.sh = Shareability::Outer;
    } else {
        unsigned sh = field(d, desc::SH, 2);
        t.sh = sh == 2 ? Shareability::Outer : sh == 3 ? Shareability::Inner : Shareability::Non;
    }
    t.global = !bit(d, desc::NG);
    t.asid = current_asid(regs);
    t.el0 = perms.el0;
    t.el1 = perms.el1;
    t.pan_restricted = perms.pan_restricted;
    t.descriptor_updated = updated;
    t.descriptor_pa = dpa;
    *out = r;
    return Step::Done;
}

}  // namespace

Access at_access(AtOp op) {
    Access a;
    a.at = op;
    a.type = (op == AtOp::S1E1W || op == AtOp::S1E0W || op == AtOp::S1E1WP) ? AccessType::Write
                                                                            : AccessType::Read;
    return a;
}

Fault external_abort(uint64_t va, const Access& access) {
    Fault f;
    f.type = FaultType::ExternalAbort;
    f.va = va;
    f.access = access;
    return f;
}

Result translate(AddressSpace& memory, const Regs& regs, uint64_t va, const Access& a) {
    std::shared_ptr<const FlatView> view = memory.view();
    return translate(*view, regs, va, a);
}

uint64_t address_translate(AddressSpace& memory, const Regs& regs, AtOp op, uint64_t va) {
    return par_el1(translate(memory, regs, va, at_access(op)));
}

Result translate(const FlatView& memory, const Regs& regs, uint64_t va, const Access& a) {
    if (a.align && a.at == AtOp::None && !a.debug && misaligned(va, a.size))
        return fault(FaultType::Alignment, 0, va, a);

    const bool fetch = a.type == AccessType::Fetch;
    const bool ttbr1 = bit(va, 55);
    bool tbi = bit(regs.tcr, ttbr1 ? tcr::TBI1 : tcr::TBI0);
    if (tbi && fetch && regs.id.pauth && bit(regs.tcr, ttbr1 ? tcr::TBID1 : tcr::TBID0))
        tbi = false;
    const unsigned top = tbi ? 55 : 63;

    if (!bit(regs.sctlr, sctlr::M)) return translate_mmu_off(regs, va, a, top);

    const bool as_el0 = checked_as_el0(regs, a);
    WalkSetup w;
    Result r;
    if (!setup_walk(regs, va, a, top, ttbr1, as_el0, &w, &r)) return r;

    CheckContext ctx{as_el0, pan_applies(regs, a, as_el0)};
    DescriptorIo io(memory, bit(regs.sctlr, sctlr::EE));
    for (int attempt = 0; attempt < kMaxWalkAttempts; ++attempt) {
        if (walk_once(io, regs, w, va, a, ctx, &r) == Step::Done) return r;
    }
    return fault(FaultType::WalkExternalAbort, w.start_level, va, a);
}

const char* unsupported_feature(const IdRegs& id) {
    if (idreg::tgran4(id.mmfr0) == 1 || idreg::tgran16(id.mmfr0) == 2)
        return "FEAT_LPA2 (52-bit addresses with 4K/16K granules, TCR_EL1.DS)";
    if (idreg::hafdbs(id.mmfr1) >= 3)
        return "FEAT_HAFT (hardware Access flag in table descriptors)";
    if (idreg::va_range(id.mmfr2) >= 2) return "VARange beyond FEAT_LVA";
    return nullptr;
}

}  // namespace emu::arm::mmu

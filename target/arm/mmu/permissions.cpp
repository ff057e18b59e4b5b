#include "target/arm/mmu/permissions.h"

#include "target/arm/mmu/regs.h"

namespace emu::arm::mmu {

PermissionSet compute_permissions(uint64_t d, const TableControls& tc, bool wxn, bool epan) {
    // AP[2:1]: 00 EL1 RW; 01 EL1 RW, EL0 RW; 10 EL1 RO; 11 EL1 RO, EL0 RO.
    bool ap1 = bit(d, desc::AP1), ap2 = bit(d, desc::AP2);
    PermissionSet p;
    p.el1.read = true;
    p.el1.write = !ap2;
    p.el0.read = ap1;
    p.el0.write = ap1 && !ap2;
    if (tc.no_el0) p.el0.read = p.el0.write = false;
    if (tc.read_only) p.el1.write = p.el0.write = false;

    // Memory writable at EL0 is never executable at EL1 (after the
    // hierarchical controls, as in the Arm ARM's direct permission rules).
    p.el1.exec = !(bit(d, desc::PXN) || tc.pxn || p.el0.write);
    p.el0.exec = !(bit(d, desc::UXN) || tc.uxn);
    if (wxn) {
        p.el1.exec = p.el1.exec && !p.el1.write;
        p.el0.exec = p.el0.exec && !p.el0.write;
    }
    p.pan_restricted = p.el0.read || p.el0.write || (epan && p.el0.exec);
    return p;
}

bool permits(const PermissionSet& p, const Access& a, const CheckContext& c) {
    const Permissions& perm = c.as_el0 ? p.el0 : p.el1;
    if (a.cache_maintenance && a.type == AccessType::Read) {
        // Maintenance by VA needs read permission at EL0 only.
        return !c.as_el0 || perm.read;
    }
    switch (a.type) {
        case AccessType::Fetch:
            return perm.exec;
        case AccessType::Read:
            return perm.read && !(c.pan && p.pan_restricted);
        case AccessType::Write:
            return perm.write && !(c.pan && p.pan_restricted);
    }
    return false;
}

}  // namespace emu::arm::mmu

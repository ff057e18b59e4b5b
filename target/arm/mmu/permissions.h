#pragma once
// Stage 1 permissions of the EL1&0 regime (direct permissions: AP[2:1],
// UXN, PXN), the hierarchical table controls, WXN and PAN.
#include <cstdint>

#include "target/arm/mmu/mmu.h"

namespace emu::arm::mmu {

// APTable/UXNTable/PXNTable accumulated over the table descriptors of a
// walk (ORed: a control set at any level applies to everything below).
struct TableControls {
    bool no_el0 = false;     // APTable[0]
    bool read_only = false;  // APTable[1]
    bool uxn = false;
    bool pxn = false;
};

struct PermissionSet {
    Permissions el0;
    Permissions el1;
    bool pan_restricted = false;  // EL0 can read or write (or, with EPAN, execute)
};

// Permissions for the leaf descriptor `d` under `tc`. `wxn`: SCTLR_EL1.WXN;
// `epan`: SCTLR_EL1.EPAN with FEAT_PAN3.
PermissionSet compute_permissions(uint64_t d, const TableControls& tc, bool wxn, bool epan);

// How an access is checked against a PermissionSet.
struct CheckContext {
    bool as_el0 = false;  // EL0, LDTR/STTR at EL1 without UAO, AT S1E0*
    bool pan = false;     // PSTATE.PAN applies to this access
};

bool permits(const PermissionSet& p, const Access& a, const CheckContext& c);

}  // namespace emu::arm::mmu

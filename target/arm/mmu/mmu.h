#pragma once
// VMSAv8-64 stage 1 address translation for the EL1&0 regime (Non-secure,
// no EL2 stage 2): the table walk, permission checks, hardware Access flag
// and dirty state updates, and the encodings a fault turns into (ESR ISS
// fault status, FAR, PAR_EL1 for AT).
//
// The library is pure: it keeps no state between calls. The caller (the
// CPU's soft-TLB slow path, AT instructions, debug accesses) passes the
// register values that control translation and gets back either a
// translation, with everything a TLB entry needs, or a fault, with helpers
// that encode it. Descriptors are read from the board's AddressSpace; only
// RAM and ROM hold translation tables (descriptor_io.h says why). The
// implementation choices the Arm ARM leaves open are listed in walk.cpp
// and docs/architecture.md. Stage 2 and the EL2/EL3 regimes are not
// covered: a CPU running at EL2 must not use this for its own accesses.
//
// Thread safety: translate() may run on any number of vCPU threads at
// once; hardware descriptor updates are compare-and-swaps on guest RAM.
#include <cstdint>

namespace emu {
class AddressSpace;
class FlatView;
}  // namespace emu

namespace emu::arm::mmu {

// ---------------------------------------------------------------- inputs

// The CPU model's ID registers: the walk only uses what these advertise.
//   ID_AA64MMFR0_EL1: PARange[3:0], ASIDBits[7:4], TGran16[23:20],
//                     TGran64[27:24], TGran4[31:28]
//   ID_AA64MMFR1_EL1: HAFDBS[3:0], HPDS[15:12], PAN[23:20]
//   ID_AA64MMFR2_EL1: UAO[7:4], VARange[19:16], ST[31:28], E0PD[63:60]
// Not supported: FEAT_LPA2 (TGran4 == 0b0001, TGran16 == 0b0010, TCR.DS);
// unsupported_feature() says so, and a model must not advertise it.
struct IdRegs {
    uint64_t mmfr0 = 0;
    uint64_t mmfr1 = 0;
    uint64_t mmfr2 = 0;
    // FEAT_PAuth (from ID_AA64ISAR1/2): TCR_EL1.TBID0/TBID1 exist.
    bool pauth = false;
};

// Everything that controls an EL1&0 stage 1 translation, as raw values.
// Bits used:
//   SCTLR_EL1: M(0) C(2) I(12) WXN(19) EE(25) EPAN(57, with PAN3)
//     (A and SPAN are the caller's: SCTLR.A feeds Access::align, SPAN acts
//     on exception entry.)
//   TCR_EL1: T0SZ[5:0] EPD0(7) TG0[15:14] T1SZ[21:16] A1(22) EPD1(23)
//     TG1[31:30] IPS[34:32] AS(36) TBI0(37) TBI1(38) HA(39) HD(40)
//     HPD0(41) HPD1(42) TBID0(51) TBID1(52) E0PD0(55) E0PD1(56), each only
//     where IdRegs advertise its feature.
//   TTBRn_EL1: ASID[63:48] BADDR[47:1] (BADDR[51:48] in bits[5:2] when
//     the 64K granule uses 52-bit output addresses).
//   MAIR_EL1: the eight attribute bytes.
struct Regs {
    uint64_t sctlr = 0;
    uint64_t tcr = 0;
    uint64_t ttbr0 = 0;
    uint64_t ttbr1 = 0;
    uint64_t mair = 0;
    unsigned el = 1;   // current exception level: 0 or 1
    bool pan = false;  // PSTATE.PAN
    bool uao = false;  // PSTATE.UAO (ignored unless FEAT_UAO is advertised)
    IdRegs id;
};

enum class AccessType : uint8_t { Read, Write, Fetch };

// Address translation instructions (AT S1E1R etc). The P forms need
// FEAT_PAN2; the caller raises Undefined for them when it is absent.
enum class AtOp : uint8_t { None, S1E1R, S1E1W, S1E0R, S1E0W, S1E1RP, S1E1WP };

struct Access {
    AccessType type = AccessType::Read;
    // LDTR/STTR and the other unprivileged forms: checked as EL0 accesses
    // when executed at EL1, unless PSTATE.UAO (FEAT_UAO) is set.
    bool unprivileged = false;
    // DC/IC maintenance by VA: not subject to PAN; at EL1 a Read-type
    // maintenance op never takes a Permission fault (DC IVAC is passed as
    // a Write); sets ISS.CM and WnR in the syndrome.
    bool cache_maintenance = false;
    // The caller requires natural alignment (SCTLR_EL1.A, exclusives,
    // atomics): a misaligned address is an Alignment fault before any walk.
    bool align = false;
    // Bytes accessed. Device memory (and all data with the MMU off) needs
    // natural alignment: a misaligned access of size > 1 is an Alignment
    // fault after translation. Pass 1 to skip that check.
    uint8_t size = 1;
    AtOp at = AtOp::None;  // set by at_access()
    // A debugger access (gdbstub, monitor): no permission, Access flag or
    // alignment faults and no descriptor updates; only the walk can fail.
    bool debug = false;
};

// The access an AT instruction performs (no alignment checks).
Access at_access(AtOp op);

// ---------------------------------------------------------------- result

enum class FaultType : uint8_t {
    None,
    AddressSize,        // output/table address beyond the PA size (IPS/PARange)
    Translation,        // invalid descriptor, VA outside both ranges, EPDn, ...
    AccessFlag,         // AF == 0 and no hardware AF update
    Permission,         // AP/UXN/PXN/PAN/WXN/APTable...
    WalkExternalAbort,  // descriptor read (or update) hit unassigned/IO/ROM
    ExternalAbort,      // not produced by translate(): for the caller's own
                        // data access failing after translation (FSC 0x10)
    Alignment,
};

struct Fault {
    FaultType type = FaultType::None;
    int8_t level = 0;  // lookup level 0..3 of the faulting walk step
    uint64_t va = 0;   // the address as accessed, tag included (FAR)
    Access access;     // the access that faulted
};

enum class Shareability : uint8_t { Non = 0, Outer = 2, Inner = 3 };

struct Permissions {
    bool read = false;
    bool write = false;
    bool exec = false;
};

struct Translation {
    uint64_t pa = 0;            // physical address of the accessed byte
    uint64_t block_size = 0;    // bytes mapped by the leaf (4K..4T); MMU off: 4K
    uint8_t granule_bits = 12;  // 12, 14 or 16 (12 when the MMU is off)
    int8_t level = 3;           // leaf level (-1 when the MMU is off)
    uint8_t attr_index = 0;     // descriptor AttrIndx
    uint8_t attr = 0;           // MAIR byte, after SCTLR.C / SCTLR.I
    bool device = false;        // attr is a Device type
    Shareability sh = Shareability::Outer;
    bool global = true;  // !nG
    uint16_t asid = 0;   // the current ASID (meaningful when !global)
    // Effective permissions of this mapping for EL0 (and unprivileged
    // accesses from EL1) and for EL1. PAN is not applied to el1: when
    // pan_restricted is set, EL1 data accesses (not fetches, not AT S1E1R/W,
    // not cache maintenance) fault while PSTATE.PAN == 1. write is false
    // for a clean (DBM) page until a write walk has set it dirty.
    Permissions el0;
    Permissions el1;
    bool pan_restricted = false;
    // A hardware update (AF or dirty) was written to the descriptor at
    // descriptor_pa: a guest RAM write the caller may need to see (e.g.
    // translated-code invalidation).
    bool descriptor_updated = false;
    uint64_t descriptor_pa = 0;
};

struct Result {
    Translation tr;  // valid when ok()
    Fault fault;     // fault.type == None on success
    bool ok() const { return fault.type == FaultType::None; }
};

// Translates `va` for `access` under `regs`, reading (and, for hardware
// AF/dirty updates, atomically updating) descriptors in `memory`. Never
// throws; every hostile table gives an architected fault.
Result translate(AddressSpace& memory, const Regs& regs, uint64_t va, const Access& access);
// The same on a flat view snapshot the caller already holds (a vCPU may
// keep one between memory map changes to save the atomic load).
Result translate(const FlatView& memory, const Regs& regs, uint64_t va, const Access& access);

// AT S1E1R/W, S1E0R/W, S1E1RP/WP in one call: the PAR_EL1 value.
uint64_t address_translate(AddressSpace& memory, const Regs& regs, AtOp op, uint64_t va);

// A FaultType::ExternalAbort fault for a data/instruction access that
// translated but then failed on the bus.
Fault external_abort(uint64_t va, const Access& access);

// ---------------------------------------------------------------- encodings

// The 6-bit fault status code (DFSC/IFSC, PAR_EL1.FST).
uint32_t fault_status_code(const Fault& f);

// Exception class for the abort: Instruction Abort (0x20 from EL0, 0x21
// from EL1) or Data Abort (0x24 / 0x25).
uint32_t abort_exception_class(const Fault& f, unsigned from_el);

// ISS of the abort: xFSC, WnR (writes and cache maintenance), CM. The
// caller adds the instruction syndrome (ISV, SAS, SRT...) where it has one.
uint32_t abort_iss(const Fault& f);

// Complete ESR_EL1 value: EC, IL = 1, ISS.
uint64_t abort_syndrome(const Fault& f, unsigned from_el);

// FAR_EL1 for the abort.
uint64_t fault_address(const Fault& f);

// PAR_EL1 after an AT instruction: F=0 with PA, ATTR, SH, NS, or F=1 with
// FST (stage 1 only: PTW = S = 0). Bit 11 is RES1 in both formats.
uint64_t par_el1(const Result& r);

// nullptr if the library implements everything `id` advertises, else a
// description of the first feature it does not ("FEAT_LPA2 ...").
const char* unsupported_feature(const IdRegs& id);

}  // namespace emu::arm::mmu

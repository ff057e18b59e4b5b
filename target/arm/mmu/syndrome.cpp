// Fault encodings: ESR_ELx ISS fault status codes, exception classes, FAR
// and PAR_EL1 (Arm ARM: ESR_EL1 ISS encoding for Data/Instruction Abort,
// PAR_EL1).
#include "target/arm/mmu/mmu.h"
#include "target/arm/mmu/regs.h"

namespace emu::arm::mmu {

namespace {
constexpr uint32_t kEcInstAbortLower = 0x20, kEcInstAbortSame = 0x21;
constexpr uint32_t kEcDataAbortLower = 0x24, kEcDataAbortSame = 0x25;
constexpr uint32_t kIssWnR = 1u << 6, kIssCM = 1u << 8;
constexpr uint64_t kParF = 1, kParNS = 1u << 9, kParRes1 = 1u << 11;
}  // namespace

uint32_t fault_status_code(const Fault& f) {
    uint32_t level = static_cast<uint32_t>(f.level) & 3;
    switch (f.type) {
        case FaultType::None:
            return 0;
        case FaultType::AddressSize:
            return 0x00 | level;
        case FaultType::Translation:
            return 0x04 | level;
        case FaultType::AccessFlag:
            return 0x08 | level;
        case FaultType::Permission:
            return 0x0c | level;
        case FaultType::ExternalAbort:
            return 0x10;
        case FaultType::WalkExternalAbort:
            return 0x14 | level;
        case FaultType::Alignment:
            return 0x21;
    }
    return 0;
}

uint32_t abort_exception_class(const Fault& f, unsigned from_el) {
    bool lower = from_el == 0;
    if (f.access.type == AccessType::Fetch) return lower ? kEcInstAbortLower : kEcInstAbortSame;
    return lower ? kEcDataAbortLower : kEcDataAbortSame;
}

uint32_t abort_iss(const Fault& f) {
    uint32_t iss = fault_status_code(f);
    if (f.access.type == AccessType::Fetch) return iss;
    // WnR is 1 for writes and for every cache maintenance instruction.
    if (f.access.type == AccessType::Write || f.access.cache_maintenance) iss |= kIssWnR;
    if (f.access.cache_maintenance) iss |= kIssCM;
    return iss;
}

uint64_t abort_syndrome(const Fault& f, unsigned from_el) {
    // IL = 1: A64 instructions are 32 bits.
    return (uint64_t{abort_exception_class(f, from_el)} << 26) | (1ull << 25) | abort_iss(f);
}

uint64_t fault_address(const Fault& f) {
    return f.va;
}

uint64_t par_el1(const Result& r) {
    if (!r.ok()) return kParF | (uint64_t{fault_status_code(r.fault)} << 1) | kParRes1;
    const Translation& t = r.tr;
    // NS is reported as 1: the EL1&0 regime here is always Non-secure.
    return (uint64_t{t.attr} << 56) | (t.pa & mask(51, 12)) | kParRes1 | kParNS |
           (uint64_t{static_cast<uint8_t>(t.sh)} << 7);
}

}  // namespace emu::arm::mmu

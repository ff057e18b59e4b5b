#pragma once
// The system registers this CPU implements. Plain storage registers are
// read and written inline by translated code; the others (side effects on
// the mode, interrupts, the timer, the TLB) go through helpers.
#include <cstdint>

namespace emu::arm {

enum SysregFlags : uint16_t {
    kSrEl0Read = 1u << 0,  // accessible from EL0 (else EL1 only)
    kSrEl0Write = 1u << 1,
    kSrReadOnly = 1u << 2,  // writes are Undefined
    kSrWriteOnly = 1u << 3,
    kSrHelper = 1u << 4,    // needs a helper (side effects or computed value)
    kSrEndBlock = 1u << 5,  // a write changes the translation mode
};

struct SysregInfo {
    uint32_t encoding;  // op0<<14|op1<<11|CRn<<7|CRm<<3|op2
    const char* name;
    int32_t offset;  // in ArmCpuState, or -1 (computed by a helper)
    uint16_t flags;
    uint64_t write_mask;  // bits software may write (others keep their value)
};

const SysregInfo* find_sysreg(uint32_t encoding);

// Well-known encodings used by helpers.
namespace sr {
constexpr uint32_t enc(unsigned op0, unsigned op1, unsigned crn, unsigned crm, unsigned op2) {
    return op0 << 14 | op1 << 11 | crn << 7 | crm << 3 | op2;
}
constexpr uint32_t NZCV = enc(3, 3, 4, 2, 0);
constexpr uint32_t DAIF = enc(3, 3, 4, 2, 1);
constexpr uint32_t CurrentEL = enc(3, 0, 4, 2, 2);
constexpr uint32_t SPSel = enc(3, 0, 4, 2, 0);
constexpr uint32_t SP_EL0 = enc(3, 0, 4, 1, 0);
constexpr uint32_t SCTLR_EL1 = enc(3, 0, 1, 0, 0);
constexpr uint32_t CPACR_EL1 = enc(3, 0, 1, 0, 2);
constexpr uint32_t CNTFRQ_EL0 = enc(3, 3, 14, 0, 0);
constexpr uint32_t CNTPCT_EL0 = enc(3, 3, 14, 0, 1);
constexpr uint32_t CNTVCT_EL0 = enc(3, 3, 14, 0, 2);
constexpr uint32_t CNTP_TVAL_EL0 = enc(3, 3, 14, 2, 0);
constexpr uint32_t CNTP_CTL_EL0 = enc(3, 3, 14, 2, 1);
constexpr uint32_t CNTP_CVAL_EL0 = enc(3, 3, 14, 2, 2);
constexpr uint32_t CNTV_TVAL_EL0 = enc(3, 3, 14, 3, 0);
constexpr uint32_t CNTV_CTL_EL0 = enc(3, 3, 14, 3, 1);
constexpr uint32_t CNTV_CVAL_EL0 = enc(3, 3, 14, 3, 2);
constexpr uint32_t ISR_EL1 = enc(3, 0, 12, 1, 0);
}  // namespace sr

}  // namespace emu::arm

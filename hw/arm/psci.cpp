#include "hw/arm/psci.h"

namespace emu {

namespace {
// SMC32 function ids take 32-bit arguments: the upper halves are ignored.
uint64_t arg(uint32_t fn, uint64_t v) {
    return (fn & 0x40000000) ? v : (v & 0xffffffff);
}

bool implemented(uint32_t fn) {
    switch (fn) {
        case psci::kVersion:
        case psci::kCpuSuspend32:
        case psci::kCpuSuspend64:
        case psci::kCpuOff:
        case psci::kCpuOn32:
        case psci::kCpuOn64:
        case psci::kAffinityInfo32:
        case psci::kAffinityInfo64:
        case psci::kMigrateInfoType:
        case psci::kSystemOff:
        case psci::kSystemReset:
        case psci::kFeatures:
            return true;
        default:
            return false;
    }
}
}  // namespace

bool psci_dispatch(PsciPlatform& p, unsigned caller, const uint64_t regs[4], uint64_t* x0_out) {
    uint64_t fn64 = regs[0];
    // The PSCI range within the standard secure service calls (SMC32 and
    // SMC64 fast calls, function numbers 0x00..0x1f).
    uint32_t fn = uint32_t(fn64);
    bool in_range = (fn64 >> 32) == 0 && ((fn & 0xbfffffe0u) == 0x84000000u);
    if (!in_range) return false;
    int64_t r = psci::kNotSupported;
    switch (fn) {
        case psci::kVersion:
            r = int64_t(psci::kVersion1_1);
            break;
        case psci::kCpuSuspend32:
        case psci::kCpuSuspend64:
            // A power-down suspend may return as if it were a standby: the
            // caller sees success and continues (allowed by PSCI).
            r = psci::kSuccess;
            break;
        case psci::kCpuOff:
            p.cpu_off(caller);
            r = psci::kDenied;  // only seen if the CPU somehow continues
            break;
        case psci::kCpuOn32:
        case psci::kCpuOn64: {
            int idx = p.cpu_by_mpidr(arg(fn, regs[1]));
            if (idx < 0) {
                r = psci::kInvalidParameters;
            } else if (p.cpu_is_on(unsigned(idx))) {
                r = psci::kAlreadyOn;
            } else {
                p.cpu_on(unsigned(idx), arg(fn, regs[2]), arg(fn, regs[3]), fn == psci::kCpuOn64);
                r = psci::kSuccess;
            }
            break;
        }
        case psci::kAffinityInfo32:
        case psci::kAffinityInfo64: {
            if (arg(fn, regs[2]) != 0) {  // lowest affinity level: only 0
                r = psci::kInvalidParameters;
                break;
            }
            int idx = p.cpu_by_mpidr(arg(fn, regs[1]));
            if (idx < 0)
                r = psci::kInvalidParameters;
            else
                r = p.cpu_is_on(unsigned(idx)) ? 0 : 1;  // ON / OFF
            break;
        }
        case psci::kMigrateInfoType:
            r = 2;  // no trusted OS: migration is not needed
            break;
        case psci::kSystemOff:
            p.system_off();
            r = psci::kSuccess;
            break;
        case psci::kSystemReset:
            p.system_reset();
            r = psci::kSuccess;
            break;
        case psci::kFeatures:
            r = implemented(uint32_t(regs[1])) && (regs[1] >> 32) == 0 ? psci::kSuccess
                                                                       : psci::kNotSupported;
            break;
        default:
            r = psci::kNotSupported;
            break;
    }
    *x0_out = uint64_t(r);
    return true;
}

}  // namespace emu

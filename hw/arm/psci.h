#pragma once
// PSCI 1.1 firmware calls as QEMU's virt answers them (no EL3: the board
// implements the firmware side): function-id dispatch, argument checks and
// return codes. The power operations themselves are the board's.
#include <cstdint>

namespace emu {

class PsciPlatform {
  public:
    virtual ~PsciPlatform() = default;
    virtual unsigned cpu_count() const = 0;
    // CPU index for an MPIDR affinity value (Aff3..Aff0), or -1.
    virtual int cpu_by_mpidr(uint64_t mpidr) const = 0;
    virtual bool cpu_is_on(unsigned index) const = 0;
    virtual void cpu_on(unsigned index, uint64_t entry, uint64_t context_id, bool aarch64) = 0;
    virtual void cpu_off(unsigned index) = 0;
    virtual void system_off() = 0;
    virtual void system_reset() = 0;
};

namespace psci {
constexpr uint32_t kVersion = 0x84000000;
constexpr uint32_t kCpuSuspend32 = 0x84000001, kCpuSuspend64 = 0xc4000001;
constexpr uint32_t kCpuOff = 0x84000002;
constexpr uint32_t kCpuOn32 = 0x84000003, kCpuOn64 = 0xc4000003;
constexpr uint32_t kAffinityInfo32 = 0x84000004, kAffinityInfo64 = 0xc4000004;
constexpr uint32_t kMigrate32 = 0x84000005, kMigrate64 = 0xc4000005;
constexpr uint32_t kMigrateInfoType = 0x84000006;
constexpr uint32_t kMigrateInfoUpCpu32 = 0x84000007, kMigrateInfoUpCpu64 = 0xc4000007;
constexpr uint32_t kSystemOff = 0x84000008;
constexpr uint32_t kSystemReset = 0x84000009;
constexpr uint32_t kFeatures = 0x8400000a;

constexpr int64_t kSuccess = 0;
constexpr int64_t kNotSupported = -1;
constexpr int64_t kInvalidParameters = -2;
constexpr int64_t kDenied = -3;
constexpr int64_t kAlreadyOn = -4;
constexpr int64_t kOnPending = -5;

constexpr uint64_t kVersion1_1 = 0x00010001;
}  // namespace psci

// Handles one call (x0 = function id, x1..x3 arguments). Returns false when
// the function id is not in the PSCI range (the CPU then treats the HVC/SMC
// as it would without firmware); otherwise stores the result in *x0_out.
// `caller` is the calling CPU's index (CPU_OFF powers it down).
bool psci_dispatch(PsciPlatform& p, unsigned caller, const uint64_t regs[4], uint64_t* x0_out);

}  // namespace emu

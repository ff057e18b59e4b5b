#include "target/arm/gdb_sysregs.h"

#include <cstring>
#include <iterator>
#include <vector>

#include "target/arm/gdb_regs.h"

namespace emu::arm {

namespace {

// The EL1/EL0 registers a kernel debugger looks at. Names as QEMU's stub
// gives them (its AArch32-shared ones without the _EL1 suffix); the stack
// pointers have no field of their own (see arm_gdb_read_sysregs).
struct Sysreg {
    const char* name;
    uint64_t ArmCpuState::*field;
};
const Sysreg kSysregs[] = {
    {"SCTLR", &ArmCpuState::sctlr_el1},
    {"CPACR", &ArmCpuState::cpacr_el1},
    {"VBAR", &ArmCpuState::vbar_el1},
    {"ELR_EL1", &ArmCpuState::elr_el1},
    {"SPSR_EL1", &ArmCpuState::spsr_el1},
    {"ESR_EL1", &ArmCpuState::esr_el1},
    {"FAR_EL1", &ArmCpuState::far_el1},
    {"SP_EL0", nullptr},
    {"SP_EL1", nullptr},
    {"TTBR0_EL1", &ArmCpuState::ttbr0_el1},
    {"TTBR1_EL1", &ArmCpuState::ttbr1_el1},
    {"TCR_EL1", &ArmCpuState::tcr_el1},
    {"MAIR_EL1", &ArmCpuState::mair_el1},
    {"AMAIR0", &ArmCpuState::amair_el1},
    {"CONTEXTIDR_EL1", &ArmCpuState::contextidr_el1},
    {"PAR_EL1", &ArmCpuState::par_el1},
    {"AFSR0_EL1", &ArmCpuState::afsr0_el1},
    {"AFSR1_EL1", &ArmCpuState::afsr1_el1},
    {"TPIDR_EL0", &ArmCpuState::tpidr_el0},
    {"TPIDRRO_EL0", &ArmCpuState::tpidrro_el0},
    {"TPIDR_EL1", &ArmCpuState::tpidr_el1},
    {"MDSCR_EL1", &ArmCpuState::mdscr_el1},
    {"ACTLR_EL1", &ArmCpuState::actlr_el1},
    {"CSSELR", &ArmCpuState::csselr_el1},
    {"CNTKCTL", &ArmCpuState::cntkctl_el1},
    {"CTR_EL0", &ArmCpuState::ctr_el0},
};
static_assert(std::size(kSysregs) <= sizeof(ArmGdbRegs::sys) / sizeof(uint64_t));

}  // namespace

const std::vector<const char*>& arm_gdb_sysreg_names() {
    static const std::vector<const char*> names = [] {
        std::vector<const char*> v;
        for (const auto& r : kSysregs)
            v.push_back(r.name);
        return v;
    }();
    return names;
}

size_t arm_gdb_num_sysregs() {
    return std::size(kSysregs);
}

void arm_gdb_read_sysregs(const ArmCpuState& s, uint64_t* out) {
    // x[31] is the stack pointer PSTATE.SP selects; the other one is in sp_el.
    bool on_sp_el1 = s.el == 1 && s.spsel;
    for (size_t i = 0; i < std::size(kSysregs); ++i) {
        const Sysreg& r = kSysregs[i];
        if (r.field) {
            out[i] = s.*r.field;
        } else if (std::strcmp(r.name, "SP_EL0") == 0) {
            out[i] = on_sp_el1 ? s.sp_el[0] : s.x[31];
        } else {  // SP_EL1
            out[i] = on_sp_el1 ? s.x[31] : s.sp_el[1];
        }
    }
}

}  // namespace emu::arm

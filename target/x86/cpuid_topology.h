#pragma once
// -smp topology as the guest sees it: APIC IDs and the CPUID leaves that
// describe packages, cores and threads (1, 4, 0xB, 0x1F, 0x80000008).
#include <linux/kvm.h>

#include <cstdint>
#include <vector>

namespace emu::x86 {

struct X86Topology {
    unsigned sockets = 1;
    unsigned dies = 1;
    unsigned cores = 1;    // per die
    unsigned threads = 1;  // per core

    unsigned thread_bits() const;
    unsigned core_bits() const;
    unsigned die_bits() const;
    // The APIC ID of the index-th CPU, as the ACPI MADT and INIT/SIPI see it.
    uint32_t apic_id(unsigned index) const;
};

// The CPUID table for one vCPU: the model's table with its APIC ID and
// topology filled in.
std::vector<kvm_cpuid_entry2> cpuid_for_vcpu(const std::vector<kvm_cpuid_entry2>& model,
                                             const X86Topology& topo, unsigned index);

}  // namespace emu::x86

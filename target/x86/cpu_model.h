#pragma once
// -cpu for x86 under KVM: a named model (or "host") turned into the CPUID
// table a vCPU gets. The model is KVM_GET_SUPPORTED_CPUID filtered to the
// model's features, with the model's family/model/stepping and name; under
// KVM the vendor is the host's, as in QEMU.
#include <linux/kvm.h>

#include <cstdint>
#include <string>
#include <vector>

namespace emu::x86 {

struct CpuModelInfo {
    const char* name;
    const char* description;
};

// The models -cpu help lists (first entry is the default).
const std::vector<CpuModelInfo>& cpu_models();

struct ResolvedCpu {
    std::string model;
    std::vector<kvm_cpuid_entry2> cpuid;  // topology-free; see cpuid_topology.h
    std::vector<std::string> warnings;    // features dropped because KVM lacks them
};

// Parses "-cpu NAME[,+flag|-flag|flag=on|flag=off|enforce|check]..." against
// KVM's supported CPUID. Returns false with a user-facing message for an
// unknown model or flag, or (with enforce) a flag KVM cannot provide.
bool resolve_cpu(const std::string& spec, const std::vector<kvm_cpuid_entry2>& supported,
                 ResolvedCpu* out, std::string* err);

// Helpers shared with the topology code and tests.
kvm_cpuid_entry2* find_leaf(std::vector<kvm_cpuid_entry2>& t, uint32_t leaf, uint32_t sub = 0);
const kvm_cpuid_entry2* find_leaf(const std::vector<kvm_cpuid_entry2>& t, uint32_t leaf,
                                  uint32_t sub = 0);
bool cpuid_has(const std::vector<kvm_cpuid_entry2>& t, const char* feature);

}  // namespace emu::x86

#include "target/x86/cpuid_topology.h"

#include <algorithm>

#include "target/x86/cpu_model.h"

namespace emu::x86 {

namespace {
unsigned bits_for(unsigned n) {
    unsigned b = 0;
    while ((1u << b) < n)
        ++b;
    return b;
}
}  // namespace

unsigned X86Topology::thread_bits() const {
    return bits_for(threads);
}
unsigned X86Topology::core_bits() const {
    return bits_for(cores);
}
unsigned X86Topology::die_bits() const {
    return bits_for(dies);
}

uint32_t X86Topology::apic_id(unsigned index) const {
    unsigned t = index % threads;
    unsigned c = (index / threads) % cores;
    unsigned d = (index / (threads * cores)) % dies;
    unsigned s = index / (threads * cores * dies);
    return t | (c << thread_bits()) | (d << (thread_bits() + core_bits())) |
           (s << (thread_bits() + core_bits() + die_bits()));
}

std::vector<kvm_cpuid_entry2> cpuid_for_vcpu(const std::vector<kvm_cpuid_entry2>& model,
                                             const X86Topology& topo, unsigned index) {
    std::vector<kvm_cpuid_entry2> t;
    t.reserve(model.size() + 4);
    // Topology leaves are rebuilt below; drop what the host said.
    for (const auto& e : model) {
        if (e.function == 0xb || e.function == 0x1f) continue;
        t.push_back(e);
    }
    uint32_t apic = topo.apic_id(index);
    unsigned per_pkg = topo.threads * topo.cores * topo.dies;
    unsigned smt_shift = topo.thread_bits();
    unsigned core_shift = smt_shift + topo.core_bits();
    unsigned pkg_shift = core_shift + topo.die_bits();

    if (kvm_cpuid_entry2* l1 = find_leaf(t, 1)) {
        unsigned logical = 1u << pkg_shift;
        l1->ebx = (l1->ebx & 0x0000ffff) | (std::min(logical, 255u) << 16) | (apic << 24);
        if (per_pkg > 1) {
            l1->edx |= 1u << 28;  // HTT: the count field is valid
        } else {
            l1->edx &= ~(1u << 28);
        }
    }
    // Deterministic cache parameters: cores per package and sharing.
    for (auto& e : t) {
        if (e.function != 4 || (e.eax & 0x1f) == 0) continue;  // null entry ends the list
        unsigned level = (e.eax >> 5) & 7;
        unsigned share = level >= 3 ? (1u << pkg_shift) : (1u << smt_shift);
        e.eax =
            (e.eax & 0x3fff) | ((share - 1) << 14) | (((1u << (pkg_shift - smt_shift)) - 1) << 26);
    }
    auto add = [&](uint32_t fn, uint32_t sub, uint32_t eax, uint32_t ebx, uint32_t ecx) {
        kvm_cpuid_entry2 e{};
        e.function = fn;
        e.index = sub;
        e.flags = KVM_CPUID_FLAG_SIGNIFCANT_INDEX;
        e.eax = eax;
        e.ebx = ebx;
        e.ecx = ecx;
        e.edx = apic;
        t.push_back(e);
    };
    const kvm_cpuid_entry2* l0 = find_leaf(t, 0);
    if (l0 && l0->eax >= 0xb) {
        add(0xb, 0, smt_shift, topo.threads, (1u << 8) | 0);
        add(0xb, 1, pkg_shift, per_pkg, (2u << 8) | 1);
        add(0xb, 2, 0, 0, 2);
    }
    if (l0 && l0->eax >= 0x1f) {
        add(0x1f, 0, smt_shift, topo.threads, (1u << 8) | 0);
        add(0x1f, 1, core_shift, topo.threads * topo.cores, (2u << 8) | 1);
        add(0x1f, 2, pkg_shift, per_pkg, (5u << 8) | 2);  // 5 = die
        add(0x1f, 3, 0, 0, 3);
    }
    if (kvm_cpuid_entry2* e = find_leaf(t, 0x80000008)) {
        e->ecx = (e->ecx & ~0xf0ffu) | (pkg_shift << 12) | ((per_pkg - 1) & 0xff);
    }
    return t;
}

}  // namespace emu::x86

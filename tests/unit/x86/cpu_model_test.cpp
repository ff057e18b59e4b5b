#include <catch2/catch.hpp>

#include "target/x86/cpu_features.h"
#include "target/x86/cpu_model.h"
#include "target/x86/cpuid_topology.h"

using namespace emu::x86;

namespace {
kvm_cpuid_entry2 leaf(uint32_t fn, uint32_t idx, uint32_t a, uint32_t b, uint32_t c, uint32_t d,
                      bool indexed = false) {
    kvm_cpuid_entry2 e{};
    e.function = fn;
    e.index = idx;
    e.flags = indexed ? KVM_CPUID_FLAG_SIGNIFCANT_INDEX : 0;
    e.eax = a, e.ebx = b, e.ecx = c, e.edx = d;
    return e;
}
// A "KVM" that supports SSE4.2, AVX and x2APIC but not PCID.
std::vector<kvm_cpuid_entry2> fake_supported() {
    return {
        leaf(0, 0, 0x1f, 0, 0, 0),
        leaf(1, 0, 0x906ea, 0, (1u << 20) | (1u << 21) | (1u << 28) | 1 | (1u << 13), 0xffffffffu),
        leaf(7, 0, 0, (1u << 5), 0, 0, true),
        leaf(0x80000001, 0, 0, 0, 1, (1u << 29) | (1u << 11) | (1u << 20)),
        leaf(0x80000002, 0, 0, 0, 0, 0),
        leaf(0x80000003, 0, 0, 0, 0, 0),
        leaf(0x80000004, 0, 0, 0, 0, 0),
        leaf(4, 0, 0x21 | (3u << 26), 0, 0, 0, true),
        leaf(4, 1, 0x63 | (3u << 26), 0, 0, 0, true),
        leaf(4, 2, 0, 0, 0, 0, true),
        leaf(0x80000008, 0, 0x3030, 0, 0, 0)};
}
}  // namespace

TEST_CASE("feature names: QEMU spellings and aliases", "[cpu]") {
    REQUIRE(find_cpu_feature("sse4.2"));
    CHECK(find_cpu_feature("sse4_2") == find_cpu_feature("sse4.2"));
    CHECK(find_cpu_feature("sse3") == find_cpu_feature("pni"));
    CHECK(find_cpu_feature("arch-capabilities")->bit == 29);
    CHECK(find_cpu_feature("nosuchflag") == nullptr);
}

TEST_CASE("-cpu host takes what KVM supports; +/- flags apply", "[cpu]") {
    ResolvedCpu c;
    std::string err;
    REQUIRE(resolve_cpu("host,-sse4.2,avx2=off", fake_supported(), &c, &err));
    CHECK_FALSE(cpuid_has(c.cpuid, "sse4.2"));
    CHECK(cpuid_has(c.cpuid, "x2apic"));
    CHECK_FALSE(cpuid_has(c.cpuid, "avx2"));
    CHECK(cpuid_has(c.cpuid, "hypervisor"));
    CHECK(c.warnings.empty());
}

TEST_CASE("-cpu qemu64 masks features and sets its identity", "[cpu]") {
    ResolvedCpu c;
    std::string err;
    REQUIRE(resolve_cpu("qemu64", fake_supported(), &c, &err));
    CHECK_FALSE(cpuid_has(c.cpuid, "sse4.2"));
    CHECK_FALSE(cpuid_has(c.cpuid, "avx"));
    CHECK(cpuid_has(c.cpuid, "lm"));
    CHECK(cpuid_has(c.cpuid, "cx16"));
    const kvm_cpuid_entry2* l1 = find_leaf(c.cpuid, 1);
    CHECK(((l1->eax >> 8) & 0xf) == 0xf);
    const kvm_cpuid_entry2* b = find_leaf(c.cpuid, 0x80000002);
    CHECK(std::string(reinterpret_cast<const char*>(&b->eax), 4) == "QEMU");
    REQUIRE(resolve_cpu("qemu64,+avx,+pcid", fake_supported(), &c, &err));
    CHECK(cpuid_has(c.cpuid, "avx"));
    CHECK_FALSE(cpuid_has(c.cpuid, "pcid"));  // KVM lacks it: dropped with a warning
    CHECK_FALSE(c.warnings.empty());
}

TEST_CASE("-cpu errors: unknown flag, unknown model, bad value, enforce", "[cpu]") {
    ResolvedCpu c;
    std::string err;
    CHECK_FALSE(resolve_cpu("qemu64,+nosuchflag", fake_supported(), &c, &err));
    CHECK(err.find("unknown CPU feature 'nosuchflag'") != std::string::npos);
    CHECK_FALSE(resolve_cpu("pentium9", fake_supported(), &c, &err));
    CHECK(err.find("unable to find CPU model") != std::string::npos);
    CHECK_FALSE(resolve_cpu("qemu64,avx=maybe", fake_supported(), &c, &err));
    CHECK_FALSE(resolve_cpu("qemu64,+pcid,enforce", fake_supported(), &c, &err));
    CHECK(err.find("pcid") != std::string::npos);
}

TEST_CASE("topology: APIC IDs and leaves for sockets/cores/threads", "[cpu]") {
    X86Topology t;
    t.sockets = 2;
    t.cores = 3;
    t.threads = 2;
    CHECK(t.apic_id(0) == 0);
    CHECK(t.apic_id(1) == 1);
    CHECK(t.apic_id(2) == 2);  // core 1 -> bits 1-2
    CHECK(t.apic_id(6) == 8);  // socket 1 -> bit 3
    ResolvedCpu c;
    std::string err;
    REQUIRE(resolve_cpu("host", fake_supported(), &c, &err));
    auto v = cpuid_for_vcpu(c.cpuid, t, 6);
    CHECK((find_leaf(v, 1)->ebx >> 24) == 8);
    CHECK(((find_leaf(v, 1)->ebx >> 16) & 0xff) == 8);
    const kvm_cpuid_entry2* b0 = find_leaf(v, 0xb, 0);
    const kvm_cpuid_entry2* b1 = find_leaf(v, 0xb, 1);
    REQUIRE(b0);
    REQUIRE(b1);
    CHECK(b0->eax == 1);
    CHECK(b0->ebx == 2);
    CHECK(b1->eax == 3);
    CHECK(b1->ebx == 6);
    CHECK(b1->edx == 8);
    CHECK(((find_leaf(v, 4, 0)->eax >> 26) & 0x3f) == 3);
    CHECK(find_leaf(v, 4, 2)->eax == 0);  // the null entry stays null
}

#include "target/x86/cpu_features.h"

#include <algorithm>

namespace emu::x86 {

namespace {

using R = CpuidReg;

std::vector<CpuFeature> build_table() {
    std::vector<CpuFeature> t;
    auto reg = [&](uint32_t leaf, uint32_t sub, R r, std::initializer_list<const char*> names) {
        uint8_t bit = 0;
        for (const char* n : names) {
            if (n && *n) t.push_back({n, leaf, sub, r, bit});
            ++bit;
        }
    };
    // Leaf 1 EDX/ECX, bit by bit ("" = reserved or not exposed).
    reg(1, 0, R::Edx,
        {"fpu",  "vme",  "de",   "pse", "tsc",  "msr", "pae",   "mce", "cx8",     "apic", "",
         "sep",  "mtrr", "pge",  "mca", "cmov", "pat", "pse36", "pn",  "clflush", "",     "ds",
         "acpi", "mmx",  "fxsr", "sse", "sse2", "ss",  "ht",    "tm",  "ia64",    "pbe"});
    reg(1, 0, R::Ecx,
        {"pni",    "pclmulqdq", "dtes64", "monitor",      "ds-cpl", "vmx",    "smx",
         "est",    "tm2",       "ssse3",  "cid",          "",       "fma",    "cx16",
         "xtpr",   "pdcm",      "",       "pcid",         "dca",    "sse4.1", "sse4.2",
         "x2apic", "movbe",     "popcnt", "tsc-deadline", "aes",    "xsave",  "osxsave",
         "avx",    "f16c",      "rdrand", "hypervisor"});
    reg(7, 0, R::Ebx,
        {"fsgsbase",   "tsc-adjust", "sgx",        "bmi1",     "hle",    "avx2",     "",
         "smep",       "bmi2",       "erms",       "invpcid",  "rtm",    "",         "",
         "mpx",        "",           "avx512f",    "avx512dq", "rdseed", "adx",      "smap",
         "avx512ifma", "",           "clflushopt", "clwb",     "",       "avx512pf", "avx512er",
         "avx512cd",   "sha-ni",     "avx512bw",   "avx512vl"});
    reg(7, 0, R::Ecx,
        {"",
         "avx512vbmi",
         "umip",
         "pku",
         "ospke",
         "waitpkg",
         "avx512vbmi2",
         "",
         "gfni",
         "vaes",
         "vpclmulqdq",
         "avx512vnni",
         "avx512bitalg",
         "",
         "avx512-vpopcntdq",
         "",
         "la57",
         "",
         "",
         "",
         "",
         "",
         "rdpid",
         "",
         "",
         "cldemote",
         "",
         "movdiri",
         "movdir64b"});
    reg(7, 0, R::Edx,
        {"",
         "",
         "avx512-4vnniw",
         "avx512-4fmaps",
         "fsrm",
         "",
         "",
         "",
         "avx512-vp2intersect",
         "",
         "md-clear",
         "",
         "",
         "",
         "serialize",
         "",
         "tsx-ldtrk",
         "",
         "pconfig",
         "arch-lbr",
         "",
         "",
         "amx-bf16",
         "avx512-fp16",
         "amx-tile",
         "amx-int8",
         "spec-ctrl",
         "stibp",
         "flush-l1d",
         "arch-capabilities",
         "core-capability",
         "ssbd"});
    reg(0xd, 1, R::Eax, {"xsaveopt", "xsavec", "xgetbv1", "xsaves"});
    reg(0x80000001, 0, R::Edx,
        {"",        "", "", "",         "",        "",       "", "",   "",         "",     "",
         "syscall", "", "", "",         "",        "",       "", "",   "",         "nx",   "",
         "mmxext",  "", "", "fxsr-opt", "pdpe1gb", "rdtscp", "", "lm", "3dnowext", "3dnow"});
    reg(0x80000001, 0, R::Ecx, {"lahf-lm",   "cmp-legacy",  "svm",
                                "extapic",   "cr8legacy",   "abm",
                                "sse4a",     "misalignsse", "3dnowprefetch",
                                "osvw",      "ibs",         "xop",
                                "skinit",    "wdt",         "",
                                "lwp",       "fma4",        "tce",
                                "",          "nodeid-msr",  "",
                                "tbm",       "topoext",     "perfctr-core",
                                "perfctr-nb"});
    reg(0x40000001, 0, R::Eax,
        {"kvmclock", "kvm-nopiodelay", "kvm-mmu", "kvmclock2", "kvm-asyncpf", "kvm-steal-time",
         "kvm-pv-eoi", "kvm-pv-unhalt", "", "kvm-pv-tlb-flush", "kvm-asyncpf-vmexit", "kvm-pv-ipi",
         "kvm-poll-control", "kvm-pv-sched-yield", "kvm-asyncpf-int", "kvm-msi-ext-dest-id"});
    return t;
}

std::string normalize(std::string_view n) {
    std::string s(n);
    for (char& c : s) {
        if (c == '_' || c == '.') c = '-';
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    return s;
}

}  // namespace

const std::vector<CpuFeature>& cpu_features() {
    static const std::vector<CpuFeature> t = build_table();
    return t;
}

const CpuFeature* find_cpu_feature(std::string_view name) {
    std::string n = normalize(name);
    static const std::pair<const char*, const char*> aliases[] = {
        {"sse3", "pni"},
        {"sse4-1", "sse4.1"},
        {"sse4-2", "sse4.2"},
        {"i64", "lm"},
        {"sha", "sha-ni"},
        {"kvm-clock", "kvmclock"},
        {"tsc-deadline", "tsc-deadline"},
        {"xd", "nx"},
        {"ds-cpl", "ds-cpl"},
    };
    for (const auto& [a, canon] : aliases) {
        if (n == a) n = normalize(canon);
    }
    for (const auto& f : cpu_features()) {
        if (normalize(f.name) == n) return &f;
    }
    return nullptr;
}

}  // namespace emu::x86

#include "target/x86/cpu_model.h"

#include <algorithm>
#include <cstring>
#include <set>

#include "target/x86/cpu_features.h"

namespace emu::x86 {

namespace {

struct ModelDef {
    const char* name;
    const char* description;
    bool host;  // everything KVM supports
    unsigned family, model, stepping;
    const char* model_id;
    std::vector<const char*> features;
};

const std::vector<const char*> kQemu64 = {
    "fpu",  "de",  "pse",  "tsc",    "msr",     "pae",   "mce",     "cx8",    "apic", "sep",
    "mtrr", "pge", "mca",  "cmov",   "pat",     "pse36", "clflush", "mmx",    "fxsr", "sse",
    "sse2", "pni", "cx16", "x2apic", "syscall", "nx",    "lm",      "lahf-lm"};

std::vector<const char*> plus(std::vector<const char*> a, std::initializer_list<const char*> b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
}

// Paravirtual KVM features QEMU enables by default for every model.
const std::initializer_list<const char*> kKvmDefaults = {
    "kvmclock",           "kvm-nopiodelay",   "kvmclock2",          "kvm-asyncpf",
    "kvm-steal-time",     "kvm-pv-eoi",       "kvm-pv-unhalt",      "kvm-pv-tlb-flush",
    "kvm-pv-ipi",         "kvm-poll-control", "kvm-pv-sched-yield", "kvm-asyncpf-int",
    "kvm-msi-ext-dest-id"};

const std::vector<ModelDef>& model_defs() {
    static const std::vector<ModelDef> defs = {
        {"qemu64", "QEMU Virtual CPU version 2.5+", false, 15, 107, 1,
         "QEMU Virtual CPU version 2.5+", plus(kQemu64, kKvmDefaults)},
        {"kvm64", "Common KVM processor", false, 15, 6, 1, "Common KVM processor",
         plus(kQemu64, kKvmDefaults)},
        {"Skylake-Client", "Intel Core Processor (Skylake)", false, 6, 94, 3,
         "Intel Core Processor (Skylake)",
         plus(plus(kQemu64, kKvmDefaults),
              {"pclmulqdq",    "ssse3",   "fma",   "sse4.1",       "sse4.2",   "movbe",  "popcnt",
               "tsc-deadline", "aes",     "xsave", "avx",          "f16c",     "rdrand", "pcid",
               "fsgsbase",     "bmi1",    "avx2",  "smep",         "bmi2",     "erms",   "invpcid",
               "rdseed",       "adx",     "smap",  "clflushopt",   "xsaveopt", "xsavec", "xgetbv1",
               "rdtscp",       "pdpe1gb", "abm",   "3dnowprefetch"})},
        {"host", "KVM processor with all supported host features", true, 0, 0, 0, nullptr, {}},
        {"max",
         "Enables all features supported by the accelerator in the current host",
         true,
         0,
         0,
         0,
         nullptr,
         {}},
    };
    return defs;
}

uint32_t& reg_of(kvm_cpuid_entry2& e, CpuidReg r) {
    switch (r) {
        case CpuidReg::Eax:
            return e.eax;
        case CpuidReg::Ebx:
            return e.ebx;
        case CpuidReg::Ecx:
            return e.ecx;
        case CpuidReg::Edx:
            break;
    }
    return e.edx;
}

bool has_bit(const std::vector<kvm_cpuid_entry2>& t, const CpuFeature& f) {
    const kvm_cpuid_entry2* e = find_leaf(t, f.leaf, f.subleaf);
    if (!e) return false;
    return (reg_of(const_cast<kvm_cpuid_entry2&>(*e), f.reg) >> f.bit) & 1;
}

void set_bit(std::vector<kvm_cpuid_entry2>& t, const CpuFeature& f, bool on) {
    kvm_cpuid_entry2* e = find_leaf(t, f.leaf, f.subleaf);
    if (!e) return;
    uint32_t& r = reg_of(*e, f.reg);
    r = on ? (r | (1u << f.bit)) : (r & ~(1u << f.bit));
}

void set_brand(std::vector<kvm_cpuid_entry2>& t, const char* id) {
    char buf[48] = {};
    std::strncpy(buf, id, sizeof buf - 1);
    for (uint32_t i = 0; i < 3; ++i) {
        kvm_cpuid_entry2* e = find_leaf(t, 0x80000002 + i);
        if (!e) return;
        std::memcpy(&e->eax, buf + 16 * i, 4);
        std::memcpy(&e->ebx, buf + 16 * i + 4, 4);
        std::memcpy(&e->ecx, buf + 16 * i + 8, 4);
        std::memcpy(&e->edx, buf + 16 * i + 12, 4);
    }
}

uint32_t fms(unsigned family, unsigned model, unsigned stepping) {
    uint32_t eax = (stepping & 0xf) | ((model & 0xf) << 4) | ((family > 15 ? 15 : family) << 8);
    eax |= ((model >> 4) & 0xf) << 16;
    if (family > 15) eax |= ((family - 15) & 0xff) << 20;
    return eax;
}

std::vector<std::string> split(const std::string& s, char sep) {
    std::vector<std::string> out;
    size_t pos = 0;
    for (;;) {
        size_t c = s.find(sep, pos);
        out.push_back(s.substr(pos, c == std::string::npos ? std::string::npos : c - pos));
        if (c == std::string::npos) break;
        pos = c + 1;
    }
    return out;
}

}  // namespace

const std::vector<CpuModelInfo>& cpu_models() {
    static const std::vector<CpuModelInfo> v = [] {
        std::vector<CpuModelInfo> m;
        for (const auto& d : model_defs())
            m.push_back({d.name, d.description});
        return m;
    }();
    return v;
}

kvm_cpuid_entry2* find_leaf(std::vector<kvm_cpuid_entry2>& t, uint32_t leaf, uint32_t sub) {
    for (auto& e : t) {
        if (e.function != leaf) continue;
        if ((e.flags & KVM_CPUID_FLAG_SIGNIFCANT_INDEX) && e.index != sub) continue;
        return &e;
    }
    return nullptr;
}

const kvm_cpuid_entry2* find_leaf(const std::vector<kvm_cpuid_entry2>& t, uint32_t leaf,
                                  uint32_t sub) {
    return find_leaf(const_cast<std::vector<kvm_cpuid_entry2>&>(t), leaf, sub);
}

bool cpuid_has(const std::vector<kvm_cpuid_entry2>& t, const char* feature) {
    const CpuFeature* f = find_cpu_feature(feature);
    return f && has_bit(t, *f);
}

bool resolve_cpu(const std::string& spec, const std::vector<kvm_cpuid_entry2>& supported,
                 ResolvedCpu* out, std::string* err) {
    std::vector<std::string> parts = split(spec, ',');
    std::string name = parts[0].empty() ? "qemu64" : parts[0];
    const ModelDef* def = nullptr;
    for (const auto& d : model_defs()) {
        if (name == d.name) def = &d;
    }
    if (!def) {
        *err = "-cpu " + name + ": unable to find CPU model '" + name + "' (-cpu help lists them)";
        return false;
    }

    // Requested changes, applied in command-line order over the model.
    std::set<const CpuFeature*> want;
    if (def->host) {
        for (const auto& f : cpu_features()) {
            if (has_bit(supported, f)) want.insert(&f);
        }
    } else {
        for (const char* n : def->features)
            want.insert(find_cpu_feature(n));
    }
    std::set<const CpuFeature*> explicit_on;
    bool enforce = false;
    for (size_t i = 1; i < parts.size(); ++i) {
        const std::string& p = parts[i];
        if (p.empty()) continue;
        if (p == "enforce") {
            enforce = true;
            continue;
        }
        if (p == "check") continue;
        std::string fname;
        bool on;
        if (p[0] == '+' || p[0] == '-') {
            fname = p.substr(1);
            on = p[0] == '+';
        } else if (auto eq = p.find('='); eq != std::string::npos) {
            fname = p.substr(0, eq);
            std::string v = p.substr(eq + 1);
            if (v == "on" || v == "true" || v == "yes") {
                on = true;
            } else if (v == "off" || v == "false" || v == "no") {
                on = false;
            } else {
                *err = "-cpu " + spec + ": invalid value '" + v + "' for '" + fname +
                       "' (expected on or off)";
                return false;
            }
        } else {
            fname = p;
            on = true;
        }
        const CpuFeature* f = find_cpu_feature(fname);
        if (!f) {
            *err = "-cpu " + spec + ": unknown CPU feature '" + fname + "'";
            return false;
        }
        if (on) {
            want.insert(f);
            explicit_on.insert(f);
        } else {
            want.erase(f);
            explicit_on.erase(f);
        }
    }

    std::vector<kvm_cpuid_entry2> t = supported;
    for (const auto& f : cpu_features()) {
        bool w = want.count(&f) != 0;
        if (w && !has_bit(supported, f)) {
            // Like QEMU: a feature KVM cannot provide is dropped with a warning,
            // or is an error under "enforce".
            std::string msg = std::string("host doesn't support requested feature: ") + f.name;
            if (enforce) {
                *err = "-cpu " + spec + ": " + msg;
                return false;
            }
            if (explicit_on.count(&f) || (!def->host && f.leaf != 0x40000001))
                out->warnings.push_back(msg);
        }
        // osxsave tracks CR4 and KVM maintains it; hypervisor is always set.
        if (std::strcmp(f.name, "osxsave") == 0) continue;
        set_bit(t, f, w && has_bit(supported, f));
    }
    if (const CpuFeature* hv = find_cpu_feature("hypervisor")) set_bit(t, *hv, true);
    if (!def->host) {
        if (kvm_cpuid_entry2* l1 = find_leaf(t, 1))
            l1->eax = fms(def->family, def->model, def->stepping);
        set_brand(t, def->model_id);
    }
    out->model = def->name;
    out->cpuid = std::move(t);
    return true;
}

}  // namespace emu::x86

#pragma once
// The CPUID feature flags -cpu understands, by QEMU's names, and where each
// lives (leaf, subleaf, register, bit).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace emu::x86 {

enum class CpuidReg : uint8_t { Eax, Ebx, Ecx, Edx };

struct CpuFeature {
    const char* name;  // canonical QEMU name ("sse4.1", "arch-capabilities")
    uint32_t leaf;
    uint32_t subleaf;
    CpuidReg reg;
    uint8_t bit;
};

const std::vector<CpuFeature>& cpu_features();

// Finds a feature by name; '_' and '-' and '.' are interchangeable, and a few
// QEMU aliases ("sse3" for "pni", "lahf_lm") are accepted.
const CpuFeature* find_cpu_feature(std::string_view name);

}  // namespace emu::x86

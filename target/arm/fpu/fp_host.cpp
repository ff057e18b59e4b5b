// The few host operations that need FMA3, compiled for it and only called
// when the CPU has it (host_has_fma).
#include "target/arm/fpu/fp_fast.h"

namespace emu::arm::fpu::detail {

const bool g_host_has_fma = __builtin_cpu_supports("fma");

__attribute__((target("fma"))) double fma_residual(double a, double b, double c) {
    return __builtin_fma(a, b, c);
}

__attribute__((target("fma"))) double host_fma(double a, double b, double c) {
    return __builtin_fma(a, b, c);
}

__attribute__((target("fma"))) float host_fmaf(float a, float b, float c) {
    return __builtin_fmaf(a, b, c);
}

}  // namespace emu::arm::fpu::detail

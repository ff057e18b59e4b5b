// The few host operations that need FMA3, compiled for it and only called
// when the CPU has it (host_has_fma).
#include "target/arm/fpu/fp_fast.h"

namespace emu::arm::fpu::detail {

bool host_has_fma() {
    static const bool has = __builtin_cpu_supports("fma");
    return has;
}

__attribute__((target("fma"))) double fma_residual(double a, double b, double c) {
    return __builtin_fma(a, b, c);
}

namespace {
inline uint32_t mxcsr_read() {
    uint32_t v;
    asm volatile("stmxcsr %0" : "=m"(v));
    return v;
}
inline void mxcsr_write(uint32_t v) {
    asm volatile("ldmxcsr %0" : : "m"(v));
}
constexpr uint32_t kMxcsrFlags = 0x3f, kMxcsrPe = 0x20;
}  // namespace

// The inexact case needs the host's sticky flag; the operation is an asm
// statement so that it stays between the two MXCSR accesses.
__attribute__((target("fma"))) double host_fma(double a, double b, double c, bool* inexact) {
    if (!inexact) return __builtin_fma(a, b, c);
    uint32_t csr = mxcsr_read();
    mxcsr_write(csr & ~kMxcsrFlags);
    asm volatile("vfmadd231sd %2, %1, %0" : "+x"(c) : "x"(a), "x"(b));
    *inexact = (mxcsr_read() & kMxcsrPe) != 0;
    mxcsr_write(csr);
    return c;
}

__attribute__((target("fma"))) float host_fmaf(float a, float b, float c, bool* inexact) {
    if (!inexact) return __builtin_fmaf(a, b, c);
    uint32_t csr = mxcsr_read();
    mxcsr_write(csr & ~kMxcsrFlags);
    asm volatile("vfmadd231ss %2, %1, %0" : "+x"(c) : "x"(a), "x"(b));
    *inexact = (mxcsr_read() & kMxcsrPe) != 0;
    mxcsr_write(csr);
    return c;
}

}  // namespace emu::arm::fpu::detail

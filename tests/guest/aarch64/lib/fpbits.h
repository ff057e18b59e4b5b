// Bit patterns of floating-point values and back, for the FP test programs
// and benchmarks (which print and compare results as bits).
#pragma once
#include "rt.h"

static inline uint32_t sbits(float f) {
    uint32_t u;
    memcpy(&u, &f, 4);
    return u;
}
static inline uint64_t dbits(double d) {
    uint64_t u;
    memcpy(&u, &d, 8);
    return u;
}
static inline float sfrom(uint32_t u) {
    float f;
    memcpy(&f, &u, 4);
    return f;
}
static inline double dfrom(uint64_t u) {
    double d;
    memcpy(&d, &u, 8);
    return d;
}

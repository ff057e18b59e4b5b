#pragma once
// Bit positions of the registers and descriptors the walk reads, and the
// ID register fields that gate them (Arm ARM, VMSAv8-64 chapter and the
// register descriptions).
#include <cstdint>

namespace emu::arm::mmu {

constexpr uint64_t field(uint64_t v, unsigned lsb, unsigned width) {
    return (v >> lsb) & ((width == 64) ? ~0ull : ((1ull << width) - 1));
}
constexpr bool bit(uint64_t v, unsigned n) {
    return (v >> n) & 1;
}
// Bits [hi:lo] set.
constexpr uint64_t mask(unsigned hi, unsigned lo) {
    return ((hi >= 63) ? ~0ull : ((1ull << (hi + 1)) - 1)) & ~((1ull << lo) - 1);
}

namespace sctlr {
constexpr unsigned M = 0, A = 1, C = 2, I = 12, WXN = 19, SPAN = 23, EE = 25, EPAN = 57;
}

namespace tcr {
constexpr unsigned T0SZ = 0, EPD0 = 7, TG0 = 14, T1SZ = 16, A1 = 22, EPD1 = 23, TG1 = 30, IPS = 32,
                   AS = 36, TBI0 = 37, TBI1 = 38, HA = 39, HD = 40, HPD0 = 41, HPD1 = 42,
                   TBID0 = 51, TBID1 = 52, E0PD0 = 55, E0PD1 = 56, DS = 59;
}

// Descriptor bits (stage 1, VMSAv8-64).
namespace desc {
constexpr unsigned VALID = 0, TABLE = 1;  // bits[1:0]: x0 invalid, 01 block, 11 table/page
constexpr unsigned ATTR_INDX = 2, AP1 = 6, AP2 = 7, SH = 8, AF = 10, NG = 11;
constexpr unsigned DBM = 51, CONTIG = 52, PXN = 53, UXN = 54;
constexpr unsigned PXN_TABLE = 59, UXN_TABLE = 60, AP_TABLE0 = 61, AP_TABLE1 = 62;
}  // namespace desc

// ID register fields.
namespace idreg {
inline unsigned pa_range(uint64_t mmfr0) {
    return field(mmfr0, 0, 4);
}
inline unsigned asid_bits(uint64_t mmfr0) {
    return field(mmfr0, 4, 4);
}
inline unsigned tgran16(uint64_t mmfr0) {
    return field(mmfr0, 20, 4);
}
inline unsigned tgran64(uint64_t mmfr0) {
    return field(mmfr0, 24, 4);
}
inline unsigned tgran4(uint64_t mmfr0) {
    return field(mmfr0, 28, 4);
}
inline unsigned hafdbs(uint64_t mmfr1) {
    return field(mmfr1, 0, 4);
}
inline unsigned hpds(uint64_t mmfr1) {
    return field(mmfr1, 12, 4);
}
inline unsigned pan(uint64_t mmfr1) {
    return field(mmfr1, 20, 4);
}
inline unsigned uao(uint64_t mmfr2) {
    return field(mmfr2, 4, 4);
}
inline unsigned va_range(uint64_t mmfr2) {
    return field(mmfr2, 16, 4);
}
inline unsigned st(uint64_t mmfr2) {
    return field(mmfr2, 28, 4);
}
inline unsigned e0pd(uint64_t mmfr2) {
    return field(mmfr2, 60, 4);
}

inline bool has_4k(uint64_t mmfr0) {
    return tgran4(mmfr0) != 0xf;
}
inline bool has_64k(uint64_t mmfr0) {
    return tgran64(mmfr0) != 0xf;
}
inline bool has_16k(uint64_t mmfr0) {
    return tgran16(mmfr0) != 0;
}
}  // namespace idreg

// PARange / IPS encodings to address bits; values above 0b110 are reserved.
inline unsigned pa_bits_from_encoding(unsigned enc) {
    static constexpr unsigned kBits[] = {32, 36, 40, 42, 44, 48, 52};
    return enc < 7 ? kBits[enc] : 0;
}

}  // namespace emu::arm::mmu

#include "target/x86/page_walk.h"

namespace emu::x86 {

namespace {

constexpr uint64_t kCr0Pg = 1ull << 31;
constexpr uint64_t kCr4Pse = 1ull << 4;
constexpr uint64_t kCr4Pae = 1ull << 5;
constexpr uint64_t kCr4La57 = 1ull << 12;
constexpr uint64_t kEferLma = 1ull << 10;
constexpr uint64_t kPresent = 1, kLarge = 0x80;
// Physical address bits of a 64-bit entry (bits 12..51).
constexpr uint64_t kAddrMask = 0x000ffffffffff000ull;

WalkResult done(uint64_t va, uint64_t base, unsigned page_bits, uint64_t* gpa, uint64_t* left) {
    uint64_t off = va & ((1ull << page_bits) - 1);
    *gpa = (base & ~((1ull << page_bits) - 1)) + off;
    *left = (1ull << page_bits) - off;
    return WalkResult::Ok;
}

// Long mode and PAE: 9 bits per level, 8-byte entries.
WalkResult walk64(uint64_t table, uint64_t va, int levels, const PhysRead& read, uint64_t* gpa,
                  uint64_t* left) {
    for (int level = levels; level >= 1; --level) {
        unsigned shift = 12 + 9 * unsigned(level - 1);
        uint64_t idx = (va >> shift) & 0x1ff;
        uint64_t e;
        if (!read((table & kAddrMask) + idx * 8, 8, &e)) return WalkResult::BadTable;
        if (!(e & kPresent)) return WalkResult::NotPresent;
        // 1 GiB (level 3) and 2 MiB (level 2) pages.
        if ((level == 2 || level == 3) && (e & kLarge)) {
            return done(va, e & kAddrMask, shift, gpa, left);
        }
        table = e;
    }
    return done(va, table & kAddrMask, 12, gpa, left);
}

}  // namespace

WalkResult x86_translate(const X86PagingState& s, uint64_t va, const PhysRead& read, uint64_t* gpa,
                         uint64_t* page_left) {
    if (!(s.cr0 & kCr0Pg)) {
        // Paging off: the linear address is physical (32 bits outside long mode).
        return done(va, va, 12, gpa, page_left);
    }
    if (s.efer & kEferLma) {
        unsigned bits = (s.cr4 & kCr4La57) ? 57 : 48;
        int64_t sx = int64_t(va << (64 - bits)) >> (64 - bits);
        if (uint64_t(sx) != va) return WalkResult::NonCanonical;
        return walk64(s.cr3, va, (s.cr4 & kCr4La57) ? 5 : 4, read, gpa, page_left);
    }
    if (va >> 32) return WalkResult::NonCanonical;
    if (s.cr4 & kCr4Pae) {
        // PAE: CR3 points at 4 PDPTEs (32-byte aligned), then two 9-bit levels.
        uint64_t pdpte;
        if (!read((s.cr3 & 0xffffffe0u) + ((va >> 30) & 3) * 8, 8, &pdpte)) {
            return WalkResult::BadTable;
        }
        if (!(pdpte & kPresent)) return WalkResult::NotPresent;
        return walk64(pdpte, va, 2, read, gpa, page_left);
    }
    // 32-bit paging: 4-byte entries, 10 bits per level.
    uint64_t pde;
    if (!read((s.cr3 & 0xfffff000u) + ((va >> 22) & 0x3ff) * 4, 4, &pde)) {
        return WalkResult::BadTable;
    }
    pde &= 0xffffffffu;
    if (!(pde & kPresent)) return WalkResult::NotPresent;
    if ((s.cr4 & kCr4Pse) && (pde & kLarge)) {
        // PSE-36: bits 13..20 of the PDE are physical address bits 32..39.
        uint64_t base = (pde & 0xffc00000u) | ((pde >> 13) & 0xffull) << 32;
        return done(va, base, 22, gpa, page_left);
    }
    uint64_t pte;
    if (!read((pde & 0xfffff000u) + ((va >> 12) & 0x3ff) * 4, 4, &pte)) {
        return WalkResult::BadTable;
    }
    pte &= 0xffffffffu;
    if (!(pte & kPresent)) return WalkResult::NotPresent;
    return done(va, pte & 0xfffff000u, 12, gpa, page_left);
}

}  // namespace emu::x86

#pragma once
// Armv8.0 Cryptographic Extension (FEAT_AES, FEAT_PMULL, FEAT_SHA1,
// FEAT_SHA256) and the AdvSIMD PMULL/PMULL2 forms. Every operation has a
// portable implementation (the reference, always built and tested); AES and
// the 64-bit PMULL also have an x86-64 AES-NI/PCLMULQDQ path, chosen at
// runtime when the host has those instructions. The translator
// (target/arm/translate/crypto.cpp) calls one helper with the operation and
// the register offsets.
#include <cstdint>

#include "tcg/ir/helpers.h"

namespace emu::arm {

enum class CryptoOp : uint8_t {
    Aese,
    Aesd,
    Aesmc,
    Aesimc,
    Sha1c,
    Sha1p,
    Sha1m,
    Sha1su0,
    Sha1h,
    Sha1su1,
    Sha256h,
    Sha256h2,
    Sha256su0,
    Sha256su1,
    Pmull8,   // 8 x (8 x 8 -> 16) polynomial products
    Pmull64,  // 64 x 64 -> 128
    Count,
};

// Helper descriptor: op | part2 << 8 (PMULL2: the upper halves of n and m).
constexpr uint64_t crypto_desc(CryptoOp op, bool part2 = false) {
    return static_cast<uint64_t>(op) | static_cast<uint64_t>(part2) << 8;
}

enum class CryptoImpl : uint8_t { Portable, Host };

// d is the destination (and, for the accumulating forms, a source); n and
// m the sources, each a 16-byte little-endian V register image. d may alias
// n or m. Returns false if impl is Host and the host path is not available
// for op (d unchanged).
bool crypto_exec(CryptoOp op, bool part2, uint8_t d[16], const uint8_t n[16], const uint8_t m[16],
                 CryptoImpl impl);
// True when the host has an accelerated path for op (AES-NI, PCLMULQDQ).
bool crypto_host_available(CryptoOp op);
// The implementation the helper uses: Host where available unless the
// environment sets EMU_CRYPTO_HOST=0 (read once).
CryptoImpl crypto_default_impl(CryptoOp op);

// (desc, d_off, n_off, m_off): offsets of V registers in the CPU state.
tcg::HelperRet crypto_helper(void* env, uint64_t desc, uint64_t d_off, uint64_t n_off,
                             uint64_t m_off);

}  // namespace emu::arm

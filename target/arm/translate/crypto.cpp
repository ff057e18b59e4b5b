// Cryptographic Extension: AES, SHA1, SHA256 and PMULL/PMULL2. Each
// instruction is one call of the crypto helper on the env's V registers
// (target/arm/crypto_helpers.cpp), which picks the host's AES-NI/PCLMULQDQ
// path where it has one. Every CPU model advertises these features
// (ID_AA64ISAR0_EL1, target/arm/arm_cpu.cpp), so they are always decoded.
#include "target/arm/crypto_helpers.h"
#include "target/arm/helpers.h"
#include "target/arm/translate/translator.h"

namespace emu::arm {

namespace {

bool emit(A64Translator& t, CryptoOp op, unsigned d, unsigned n, unsigned m, bool part2 = false) {
    if (!t.fp_access()) return true;
    Builder& ir = t.ir();
    ir.call(Type::Void, t.helpers().crypto,
            {ir.c64(crypto_desc(op, part2)), ir.c64(vreg_off(d)), ir.c64(vreg_off(n)),
             ir.c64(vreg_off(m))});
    return true;
}

}  // namespace

bool A64Translator::CRYPTO_aes(uint32_t opcode, uint32_t n, uint32_t d) {
    static constexpr CryptoOp kOps[] = {CryptoOp::Aese, CryptoOp::Aesd, CryptoOp::Aesmc,
                                        CryptoOp::Aesimc};
    if (opcode < 4 || opcode > 7) return false;
    return emit(*this, kOps[opcode - 4], d, n, n);
}

bool A64Translator::CRYPTO_sha3(uint32_t m, uint32_t opcode, uint32_t n, uint32_t d) {
    static constexpr CryptoOp kOps[] = {CryptoOp::Sha1c,    CryptoOp::Sha1p,   CryptoOp::Sha1m,
                                        CryptoOp::Sha1su0,  CryptoOp::Sha256h, CryptoOp::Sha256h2,
                                        CryptoOp::Sha256su1};
    if (opcode >= std::size(kOps)) return false;
    return emit(*this, kOps[opcode], d, n, m);
}

bool A64Translator::CRYPTO_sha2(uint32_t opcode, uint32_t n, uint32_t d) {
    static constexpr CryptoOp kOps[] = {CryptoOp::Sha1h, CryptoOp::Sha1su1, CryptoOp::Sha256su0};
    if (opcode >= std::size(kOps)) return false;
    return emit(*this, kOps[opcode], d, n, n);
}

bool A64Translator::pmull(uint32_t q, uint32_t size, uint32_t m, uint32_t n, uint32_t d) {
    // size 00: .8h from .8b/.16b (AdvSIMD); 11: .1q from .1d/.2d (FEAT_PMULL).
    if (size == 1 || size == 2) return false;
    return emit(*this, size == 0 ? CryptoOp::Pmull8 : CryptoOp::Pmull64, d, n, m, q);
}

}  // namespace emu::arm

// Cryptographic Extension handlers of A64Translator (included in the class;
// translate/crypto.cpp).
bool CRYPTO_aes(uint32_t opcode, uint32_t n, uint32_t d);
bool CRYPTO_sha3(uint32_t m, uint32_t opcode, uint32_t n, uint32_t d);
bool CRYPTO_sha2(uint32_t opcode, uint32_t n, uint32_t d);
// PMULL/PMULL2 (AdvSIMD three different, U=0, opcode 1110).
bool pmull(uint32_t q, uint32_t size, uint32_t m, uint32_t n, uint32_t d);

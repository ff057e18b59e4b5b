// Scalar FP and AdvSIMD handlers of A64Translator (included in the class).
bool FMOV_gen(uint32_t sf, uint32_t type, uint32_t rmode, uint32_t opcode, uint32_t n, uint32_t d);
bool FP_fixed(uint32_t sf, uint32_t type, uint32_t rmode, uint32_t opcode, uint32_t scale,
              uint32_t n, uint32_t d);
bool FP_1src(uint32_t type, uint32_t opcode, uint32_t n, uint32_t d);
bool FP_cmp(uint32_t type, uint32_t m, uint32_t n, uint32_t e, uint32_t z);
bool FP_imm(uint32_t type, uint32_t imm8, uint32_t d);
bool FP_ccmp(uint32_t type, uint32_t m, uint32_t cond, uint32_t n, uint32_t e, uint32_t nzcv);
bool FP_2src(uint32_t type, uint32_t m, uint32_t opcode, uint32_t n, uint32_t d);
bool FP_csel(uint32_t type, uint32_t m, uint32_t cond, uint32_t n, uint32_t d);
bool FP_3src(uint32_t type, uint32_t o1, uint32_t m, uint32_t o0, uint32_t a, uint32_t n,
             uint32_t d);
bool SIMD_3same(uint32_t q, uint32_t u, uint32_t size, uint32_t m, uint32_t opcode, uint32_t n,
                uint32_t d);
bool SIMD_3diff(uint32_t q, uint32_t u, uint32_t size, uint32_t m, uint32_t opcode, uint32_t n,
                uint32_t d);
bool SIMD_2misc(uint32_t q, uint32_t u, uint32_t size, uint32_t opcode, uint32_t n, uint32_t d);
bool SIMD_across(uint32_t q, uint32_t u, uint32_t size, uint32_t opcode, uint32_t n, uint32_t d);
bool SIMD_copy(uint32_t q, uint32_t op, uint32_t imm5, uint32_t imm4, uint32_t n, uint32_t d);
bool SIMD_modimm(uint32_t q, uint32_t op, uint32_t abc, uint32_t cmode, uint32_t o2, uint32_t defgh,
                 uint32_t d);
bool SIMD_shimm(uint32_t q, uint32_t u, uint32_t immh, uint32_t immb, uint32_t opcode, uint32_t n,
                uint32_t d);
bool SIMD_perm(uint32_t q, uint32_t size, uint32_t m, uint32_t opcode, uint32_t n, uint32_t d);
bool SIMD_ext(uint32_t q, uint32_t m, uint32_t imm4, uint32_t n, uint32_t d);
bool SIMD_tbl(uint32_t q, uint32_t m, uint32_t len, uint32_t op, uint32_t n, uint32_t d);
bool SIMD_elem(uint32_t q, uint32_t u, uint32_t size, uint32_t l, uint32_t m, uint32_t opcode,
               uint32_t h, uint32_t n, uint32_t d);
bool SIMDS_3same(uint32_t u, uint32_t size, uint32_t m, uint32_t opcode, uint32_t n, uint32_t d);
bool SIMDS_2misc(uint32_t u, uint32_t size, uint32_t opcode, uint32_t n, uint32_t d);
bool SIMDS_pair(uint32_t u, uint32_t size, uint32_t opcode, uint32_t n, uint32_t d);
bool SIMDS_copy(uint32_t imm5, uint32_t n, uint32_t d);
bool SIMDS_3diff(uint32_t u, uint32_t size, uint32_t m, uint32_t opcode, uint32_t n, uint32_t d);
bool SIMDS_elem(uint32_t u, uint32_t size, uint32_t l, uint32_t m, uint32_t opcode, uint32_t h,
                uint32_t n, uint32_t d);
bool SIMDS_shimm(uint32_t u, uint32_t immh, uint32_t immb, uint32_t opcode, uint32_t n, uint32_t d);

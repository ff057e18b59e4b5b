#pragma once
// A64 -> IR. One translator object per block; the decode table
// (target/arm/decode/a64.inc) calls one typed handler per encoding group.
// A handler returns false for an unallocated encoding (the translator then
// emits the Undefined Instruction exception) and ends the block by
// emitting a terminal when the instruction transfers control or changes
// the mode the block was translated for.
#include <cstdint>

#include "target/arm/cpu_state.h"
#include "tcg/exec/cpu.h"
#include "tcg/ir/ir.h"

namespace emu::arm {

using tcg::Builder;
using tcg::Type;
using tcg::Value;

struct ArmHelperIds;

class A64Translator {
  public:
    A64Translator(tcg::Block* block, uint64_t flags);
    // Translates from block->guest_pc; false if the first instruction
    // could not be fetched.
    bool translate(tcg::CodeReader& code, unsigned max_insns);

    // Decodes one word and runs its handler (exposed for the decoder test).
    static const char* decode_name(uint32_t insn);

    // --- handlers (fields in order of first appearance in the pattern) ---
    // Data processing -- immediate
    bool ADR(uint32_t lo, uint32_t hi, uint32_t d);
    bool ADRP(uint32_t lo, uint32_t hi, uint32_t d);
    bool ADDSUB_imm(uint32_t sf, uint32_t op, uint32_t S, uint32_t sh, uint32_t imm, uint32_t n,
                    uint32_t d);
    bool LOGIC_imm(uint32_t sf, uint32_t opc, uint32_t N, uint32_t immr, uint32_t imms, uint32_t n,
                   uint32_t d);
    bool MOVWIDE(uint32_t sf, uint32_t opc, uint32_t hw, uint32_t imm, uint32_t d);
    bool BITFIELD(uint32_t sf, uint32_t opc, uint32_t N, uint32_t immr, uint32_t imms, uint32_t n,
                  uint32_t d);
    bool EXTR(uint32_t sf, uint32_t N, uint32_t m, uint32_t imms, uint32_t n, uint32_t d);
    // Branches, exceptions, system
    bool B_uncond(uint32_t op, uint32_t imm);
    bool CBZ(uint32_t sf, uint32_t op, uint32_t imm, uint32_t t);
    bool TBZ(uint32_t b, uint32_t op, uint32_t imm, uint32_t t);
    bool B_cond(uint32_t imm, uint32_t cond);
    bool SVC(uint32_t imm);
    bool HVC(uint32_t imm);
    bool SMC(uint32_t imm);
    bool BRK(uint32_t imm);
    bool HLT(uint32_t imm);
    bool BR(uint32_t n);
    bool BLR(uint32_t n);
    bool RET(uint32_t n);
    bool ERET();
    bool HINT(uint32_t crm, uint32_t op2);
    bool CLREX(uint32_t crm);
    bool DSB(uint32_t crm);
    bool DMB(uint32_t crm);
    bool ISB(uint32_t crm);
    bool MSR_imm(uint32_t op1, uint32_t crm, uint32_t op2);
    bool SYS(uint32_t op1, uint32_t crn, uint32_t crm, uint32_t op2, uint32_t t);
    bool SYSL(uint32_t op1, uint32_t crn, uint32_t crm, uint32_t op2, uint32_t t);
    bool MSR_reg(uint32_t sysreg, uint32_t t);
    bool MRS(uint32_t sysreg, uint32_t t);
    // Loads and stores
    bool LDR_lit(uint32_t opc, uint32_t v, uint32_t imm, uint32_t t);
    bool LDSTX(uint32_t size, uint32_t L, uint32_t s, uint32_t o0, uint32_t t2, uint32_t n,
               uint32_t t);
    bool LDSTXP(uint32_t sz, uint32_t L, uint32_t s, uint32_t o0, uint32_t t2, uint32_t n,
                uint32_t t);
    bool LDSTLR(uint32_t size, uint32_t L, uint32_t s, uint32_t o0, uint32_t t2, uint32_t n,
                uint32_t t);
    bool CAS(uint32_t size, uint32_t L, uint32_t s, uint32_t o0, uint32_t t2, uint32_t n,
             uint32_t t);
    bool CASP(uint32_t sz, uint32_t L, uint32_t s, uint32_t o0, uint32_t t2, uint32_t n,
              uint32_t t);
    bool LDAPR(uint32_t size, uint32_t n, uint32_t t);
    bool ATOMIC(uint32_t size, uint32_t A, uint32_t R, uint32_t s, uint32_t opc, uint32_t n,
                uint32_t t);
    bool LDST_unscaled(uint32_t size, uint32_t v, uint32_t opc, uint32_t imm, uint32_t n,
                       uint32_t t);
    bool LDST_post(uint32_t size, uint32_t v, uint32_t opc, uint32_t imm, uint32_t n, uint32_t t);
    bool LDST_unpriv(uint32_t size, uint32_t opc, uint32_t imm, uint32_t n, uint32_t t);
    bool LDST_pre(uint32_t size, uint32_t v, uint32_t opc, uint32_t imm, uint32_t n, uint32_t t);
    bool LDST_regoff(uint32_t size, uint32_t v, uint32_t opc, uint32_t m, uint32_t option,
                     uint32_t S, uint32_t n, uint32_t t);
    bool LDST_uimm(uint32_t size, uint32_t v, uint32_t opc, uint32_t imm, uint32_t n, uint32_t t);
    bool LDST_pair(uint32_t opc, uint32_t v, uint32_t mode, uint32_t L, uint32_t imm, uint32_t t2,
                   uint32_t n, uint32_t t);
    bool SIMD_LDST_mult(uint32_t q, uint32_t L, uint32_t opcode, uint32_t size, uint32_t n,
                        uint32_t t);
    bool SIMD_LDST_mult_post(uint32_t q, uint32_t L, uint32_t m, uint32_t opcode, uint32_t size,
                             uint32_t n, uint32_t t);
    bool SIMD_LDST_single(uint32_t q, uint32_t L, uint32_t R, uint32_t opcode, uint32_t S,
                          uint32_t size, uint32_t n, uint32_t t);
    bool SIMD_LDST_single_post(uint32_t q, uint32_t L, uint32_t R, uint32_t m, uint32_t opcode,
                               uint32_t S, uint32_t size, uint32_t n, uint32_t t);
    // Data processing -- register
    bool LOGIC_shift(uint32_t sf, uint32_t opc, uint32_t shift, uint32_t N, uint32_t m,
                     uint32_t imm, uint32_t n, uint32_t d);
    bool ADDSUB_shift(uint32_t sf, uint32_t op, uint32_t S, uint32_t shift, uint32_t m,
                      uint32_t imm, uint32_t n, uint32_t d);
    bool ADDSUB_ext(uint32_t sf, uint32_t op, uint32_t S, uint32_t m, uint32_t option,
                    uint32_t imm3, uint32_t n, uint32_t d);
    bool ADC(uint32_t sf, uint32_t op, uint32_t S, uint32_t m, uint32_t n, uint32_t d);
    bool CCMP_reg(uint32_t sf, uint32_t op, uint32_t m, uint32_t cond, uint32_t n, uint32_t nzcv);
    bool CCMP_imm(uint32_t sf, uint32_t op, uint32_t imm, uint32_t cond, uint32_t n, uint32_t nzcv);
    bool CSEL(uint32_t sf, uint32_t op, uint32_t m, uint32_t cond, uint32_t op2, uint32_t n,
              uint32_t d);
    bool DP2(uint32_t sf, uint32_t m, uint32_t opcode, uint32_t n, uint32_t d);
    bool DP1(uint32_t sf, uint32_t opcode, uint32_t n, uint32_t d);
    bool DP3(uint32_t sf, uint32_t op, uint32_t m, uint32_t a, uint32_t n, uint32_t d);
#include "target/arm/translate/simd_handlers.h"
#include "target/arm/translate/crypto_handlers.h"

    // --- shared by the handler files ---
    Builder& ir() {
        return ir_;
    }
    uint64_t pc() const {
        return pc_;
    }
    uint64_t next_pc() const {
        return pc_ + 4;
    }

    Value xr(unsigned r, bool sf);      // X/W register, 31 = zero
    Value xsp(unsigned r, bool sf);     // X/W register, 31 = SP
    void set_x(unsigned r, Value v);    // W values zero-extend; 31 = discard
    void set_xsp(unsigned r, Value v);  // 31 = SP
    Value nzcv() {
        return ir_.get_reg(Type::I32, kNzcv);
    }
    void set_nzcv(Value v) {
        ir_.set_reg(kNzcv, v);
    }
    Value imm(bool sf, uint64_t v) {
        return sf ? ir_.c64(v) : ir_.c32(static_cast<uint32_t>(v));
    }
    Value shift(Value v, unsigned type, unsigned amount);
    Value extend(Value v, unsigned option, unsigned shift, bool sf);

    unsigned mmu_idx() const {
        return el_;
    }
    uint64_t memop(unsigned log2_size, uint64_t extra = 0) const {
        return tcg::MemOp::make(log2_size, mmu_idx(), extra);
    }
    Value load(Type t, Value addr, unsigned log2_size, uint64_t extra = 0) {
        return ir_.load(t, addr, memop(log2_size, extra), pc_);
    }
    void store(Value addr, Value v, unsigned log2_size, uint64_t extra = 0) {
        ir_.store(addr, v, memop(log2_size, extra), pc_);
    }
    // An unconditional direct branch may continue the block at its target
    // instead of ending it (translator.cpp says when); true if it does.
    bool follow(uint64_t target);
    // Ends the block.
    void jump_to(uint64_t target) {
        ir_.exit_link(target);
        end_ = true;
    }
    void jump_indirect(Value target) {
        ir_.exit_indirect(target);
        end_ = true;
    }
    // Ends the block after this instruction and re-evaluates the mode.
    void end_dispatch() {
        ir_.set_reg(tcg::kEnvPcOffset, ir_.c64(next_pc()));
        ir_.exit_dispatch();
        end_ = true;
    }
    // Raises a synchronous exception (ESR value, preferred return address).
    void raise(uint64_t esr, uint64_t ret);
    bool undefined();
    // FP/SIMD access check; false when the access traps (already raised).
    bool fp_access();

    static constexpr uint32_t kNzcv = kNzcvOff;
    const ArmHelperIds& helpers() const {
        return *h_;
    }

  private:
    bool decode_one(uint32_t insn);
    bool translate_once(tcg::CodeReader& code, unsigned max_insns);
    bool loops_to_start() const;  // the terminal exits to the block's start

    tcg::Block* block_;
    Builder ir_;
    const ArmHelperIds* h_;
    uint64_t flags_;
    unsigned el_;
    uint64_t pc_ = 0;
    bool end_ = false;
    // Branch following: where the next instruction comes from when the
    // last one was a followed branch, and the guest code ranges [lo, hi)
    // the block already covers (a target inside one would loop).
    uint64_t follow_to_ = 0;
    uint64_t seg_lo_ = 0;  // start of the range being translated
    bool followed_ = false;
    bool no_follow_ = false;  // second attempt: followed code did not form a loop
    unsigned follows_ = 0;
    std::vector<std::pair<uint64_t, uint64_t>> ranges_;
};

}  // namespace emu::arm

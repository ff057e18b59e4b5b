#include "target/arm/translate/translator.h"

#include "target/arm/decode/decoder.h"
#include "target/arm/helpers.h"

namespace emu::arm {

namespace {

using Table = decode::DecodeTable<A64Translator>;

std::vector<decode::Matcher<A64Translator>> make_entries() {
    return {
#define INST(name, desc, pat)                                                            \
    {#name, desc, decode::pattern_mask(pat), decode::pattern_value(pat),                 \
     [](A64Translator& v, uint32_t insn) {                                               \
         return decode::invoke<decode::FixedString(pat)>(v, &A64Translator::name, insn); \
     }},
#include "target/arm/decode/a64.inc"
#undef INST
    };
}

const Table& table() {
    static const Table t(make_entries());
    return t;
}

}  // namespace

const decode::DecodeTable<A64Translator>& a64_decode_table() {
    return table();
}

const char* A64Translator::decode_name(uint32_t insn) {
    const auto* m = table().lookup(insn);
    return m ? m->name : nullptr;
}

A64Translator::A64Translator(tcg::Block* block, uint64_t flags)
    : block_(block),
      ir_(block),
      h_(&arm_helpers()),
      flags_(flags),
      el_(static_cast<unsigned>((flags >> kTbElShift) & 3)) {}

bool A64Translator::decode_one(uint32_t insn) {
    const auto* m = table().lookup(insn);
    if (!m) return false;
    return m->call(*this, insn);
}

// A block may continue at the target of an unconditional `B` on the same
// guest page (up to kMaxFollows times, never into code it already holds).
// A loop split by the compiler into "body; b.cond out; tail; b body" then
// becomes one block that exits to its own start, which the LLVM tier turns
// into a loop with guest registers in host registers. Only blocks that do
// become such a loop keep the followed code: elsewhere the copies (a switch
// whose every case jumps back to the dispatch code) cost more in blocks to
// warm up and compile than the saved chain steps (bench/llvm_tier_speed.sh:
// 0.80 s without following, 1.13 s following every B, measured 2026-11-21).
// The code is then not one contiguous range: the block is marked
// `scattered` and a write anywhere on its page invalidates it
// (tcg/exec/cpu.cpp).
constexpr unsigned kMaxFollows = 4;

bool A64Translator::follow(uint64_t target) {
    if (no_follow_ || flags_ & kTbSingleInsn || follows_ >= kMaxFollows || target & 3) return false;
    if ((target & tcg::kPageMask) != (block_->guest_pc & tcg::kPageMask)) return false;
    if (target >= seg_lo_ && target <= pc_) return false;
    for (auto [lo, hi] : ranges_) {
        if (target >= lo && target < hi) return false;
    }
    ranges_.emplace_back(seg_lo_, pc_ + 4);
    seg_lo_ = target;
    follow_to_ = target;
    followed_ = true;
    ++follows_;
    block_->scattered = true;
    return true;
}

bool A64Translator::translate(tcg::CodeReader& code, unsigned max_insns) {
    if (!translate_once(code, max_insns)) return false;
    if (!block_->scattered || loops_to_start()) return true;
    block_->insts.clear();
    block_->guest_insns = block_->guest_bytes = 0;
    block_->scattered = false;
    end_ = followed_ = false;
    follows_ = 0;
    ranges_.clear();
    no_follow_ = true;
    return translate_once(code, max_insns);
}

bool A64Translator::loops_to_start() const {
    const tcg::Inst* t = block_->terminal();
    if (!t) return false;
    uint64_t start = block_->guest_pc;
    return (t->op == tcg::Op::ExitLink && t->imm == start) ||
           (t->op == tcg::Op::ExitCond && (t->imm == start || t->imm2 == start));
}

bool A64Translator::translate_once(tcg::CodeReader& code, unsigned max_insns) {
    uint64_t pc = block_->guest_pc;
    seg_lo_ = pc;
    if (flags_ & kTbSingleInsn) max_insns = 1;
    for (unsigned n = 0; n < max_insns; ++n) {
        uint32_t insn;
        if (!code.fetch32(pc, &insn)) {
            if (n == 0) return false;
            break;  // the next block starts with the fetch fault
        }
        pc_ = pc;
        ir_.guest_insn(pc, insn);
        size_t mark = block_->insts.size();
        if (!decode_one(insn)) {
            // Unallocated: drop anything the handler emitted and trap.
            block_->insts.resize(mark);
            undefined();
        }
        pc += 4;
        block_->guest_insns++;
        block_->guest_bytes += 4;
        if (end_) return true;
        if (followed_) {
            followed_ = false;
            pc = follow_to_;
            continue;
        }
        // Blocks stay within one guest page (chaining and invalidation
        // work per page) and within the interpreter's frame.
        if ((pc & ~tcg::kPageMask) == 0 || block_->insts.size() > 2000) break;
    }
    jump_to(pc);
    return true;
}

Value A64Translator::xr(unsigned r, bool sf) {
    if (r == 31) return sf ? ir_.c64(0) : ir_.c32(0);
    Value v = ir_.get_reg(Type::I64, xreg_off(r));
    return sf ? v : ir_.trunc(Type::I32, v);
}

Value A64Translator::xsp(unsigned r, bool sf) {
    Value v = ir_.get_reg(Type::I64, xreg_off(r));
    return sf ? v : ir_.trunc(Type::I32, v);
}

void A64Translator::set_x(unsigned r, Value v) {
    if (r == 31) return;
    ir_.set_reg(xreg_off(r), ir_.zext(Type::I64, v));
}

void A64Translator::set_xsp(unsigned r, Value v) {
    ir_.set_reg(xreg_off(r), ir_.zext(Type::I64, v));
}

Value A64Translator::shift(Value v, unsigned type, unsigned amount) {
    if (amount == 0) return v;
    Type t = ir_.type(v);
    Value a = ir_.constant(t, amount);
    switch (type) {
        case 0:
            return ir_.shl(v, a);
        case 1:
            return ir_.lshr(v, a);
        case 2:
            return ir_.ashr(v, a);
        default:
            return ir_.ror(v, a);
    }
}

// ExtendReg(): option selects UXTB/H/W/X, SXTB/H/W/X, then a left shift.
Value A64Translator::extend(Value v, unsigned option, unsigned sh, bool sf) {
    Type t = sf ? Type::I64 : Type::I32;
    unsigned len = 8u << (option & 3);
    Value r;
    if (len >= tcg::type_bits(t)) {
        r = ir_.zext(t, ir_.trunc(t, v));
    } else {
        Type nt = tcg::int_type_bytes(len / 8);
        Value narrow = ir_.trunc(nt, v);
        r = (option & 4) ? ir_.sext(t, narrow) : ir_.zext(t, narrow);
    }
    return sh ? ir_.shl(r, ir_.constant(t, sh)) : r;
}

void A64Translator::raise(uint64_t esr, uint64_t ret) {
    ir_.call(Type::Void, h_->exception, {ir_.c64(esr), ir_.c64(ret)});
    ir_.exit_dispatch();
    end_ = true;
}

bool A64Translator::undefined() {
    raise(uint64_t(1) << 25, pc_);  // EC 0 (unknown), IL
    return true;
}

bool A64Translator::fp_access() {
    if (flags_ & kTbFpEnabled) return true;
    // EC 0x07 (SIMD/FP access trap), IL, CV=1, COND=0xE as for A64.
    raise(uint64_t(0x07) << 26 | 1u << 25 | 1u << 24 | 0xeu << 20, pc_);
    return false;
}

}  // namespace emu::arm

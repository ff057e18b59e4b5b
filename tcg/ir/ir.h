#pragma once
// The translator's intermediate representation: one block of typed SSA
// values in program order, ending in one terminal. A value is the result of
// the instruction that defines it (Value::id is that instruction's index),
// so a block is just a vector of Inst; passes rewrite in place and leave
// Op::Nop behind, which compact() removes.
//
// The op set is defined by tcg/ir/opcodes.inc (read its header for the
// columns); guest registers are byte offsets into the CPU env, which keeps
// the IR independent of the guest while letting get/set elimination and
// the backends treat every register (and the packed NZCV word) alike.
#include <array>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

namespace emu::tcg {

enum class Type : uint8_t { Void, I1, I8, I16, I32, I64, I128, F32, F64 };

constexpr unsigned type_bits(Type t) {
    switch (t) {
        case Type::Void:
            return 0;
        case Type::I1:
            return 1;
        case Type::I8:
            return 8;
        case Type::I16:
            return 16;
        case Type::I32:
            return 32;
        case Type::I64:
            return 64;
        case Type::I128:
            return 128;
        case Type::F32:
            return 32;
        case Type::F64:
            return 64;
    }
    return 0;
}
constexpr bool is_int(Type t) {
    return t == Type::I8 || t == Type::I16 || t == Type::I32 || t == Type::I64;
}
// All-ones mask of the type's width (for i1..i64).
constexpr uint64_t type_mask(Type t) {
    unsigned b = type_bits(t);
    return b >= 64 ? ~0ull : ((1ull << b) - 1);
}
const char* type_name(Type t);

// Integer type of a given width in bytes (1, 2, 4, 8, 16).
constexpr Type int_type_bytes(unsigned bytes) {
    switch (bytes) {
        case 1:
            return Type::I8;
        case 2:
            return Type::I16;
        case 4:
            return Type::I32;
        case 8:
            return Type::I64;
        default:
            return Type::I128;
    }
}

enum class Op : uint8_t {
#define OP(name, res, types, nargs, a0, a1, a2, imm, flags) name,
#include "tcg/ir/opcodes.inc"
#undef OP
    Count_
};
constexpr unsigned kNumOps = static_cast<unsigned>(Op::Count_);

// Flags column of opcodes.inc.
enum OpFlag : uint8_t {
    PURE = 1u << 0,
    RSTATE = 1u << 1,
    WSTATE = 1u << 2,
    MEM = 1u << 3,
    FAULT = 1u << 4,
    TERM = 1u << 5,
};

// Type columns: concrete types plus the placeholders the table uses.
enum class TypeRule : uint8_t { Void, I1, I8, I16, I32, I64, I128, T, X, A, None };
enum class TypeSet : uint8_t { INT, W, BITS, I1T, NONE };
enum class ImmKind : uint8_t { NOIMM, VALUE, OFFSET, MEMOP, HELPER, COND, PC, KIND };

struct OpInfo {
    const char* name;
    TypeRule result;
    TypeSet types;
    int nargs;  // -1: variadic (Call)
    TypeRule args[3];
    ImmKind imm;
    uint8_t flags;
};
// Defined in ir.cpp; inline lookups because every pass asks per op.
extern const OpInfo kOpInfo[kNumOps];
inline const OpInfo& op_info(Op op) {
    return kOpInfo[static_cast<unsigned>(op)];
}
inline bool op_has(Op op, uint8_t f) {
    return (op_info(op).flags & f) != 0;
}

// Memory access description carried in Inst::imm of memory ops.
//   bits 0-2  log2 of the size in bytes (0..4: 1..16 bytes)
//   bit  3    the access must be naturally aligned (else alignment fault)
//   bit  4    acquire semantics; bit 5 release semantics
//   bits 8-11 MMU index
//   bits 32-35 AtomicOp (AtomicRmw only)
struct MemOp {
    static constexpr uint64_t kAligned = 1u << 3;
    static constexpr uint64_t kAcquire = 1u << 4;
    static constexpr uint64_t kRelease = 1u << 5;
    static constexpr uint64_t make(unsigned log2_size, unsigned mmu_idx, uint64_t extra = 0) {
        return log2_size | (uint64_t(mmu_idx) << 8) | extra;
    }
    static constexpr unsigned log2_size(uint64_t m) { return m & 7; }
    static constexpr unsigned size(uint64_t m) { return 1u << (m & 7); }
    static constexpr unsigned mmu_idx(uint64_t m) { return (m >> 8) & 15; }
    static constexpr unsigned atomic_op(uint64_t m) { return (m >> 32) & 15; }
};
enum class AtomicOp : uint8_t { Add, Clr, Eor, Set, Smax, Smin, Umax, Umin, Swp };
constexpr uint64_t atomic_bits(AtomicOp op) {
    return uint64_t(op) << 32;
}

enum class FenceKind : uint8_t { Full, Load, Store };

// The imm of the vector ops (opcodes.inc): lane size, kind, shift amount.
enum class VecCmpKind : uint8_t { Eq, UGt, UGe, SGt, SGe };
enum class VecBinKind : uint8_t { Add, Sub, UMax, UMin, SMax, SMin };
enum class VecShiftKind : uint8_t { Shl, LShr, AShr };
// VecReduce kinds are the VecBinKind ones except Sub.
struct VecImm {
    template <typename K>
    static constexpr uint64_t make(unsigned es, K kind, unsigned amount = 0) {
        return es | uint64_t(kind) << 4 | uint64_t(amount) << 8;
    }
    static constexpr unsigned es(uint64_t imm) { return imm & 3; }
    static constexpr unsigned lane_bits(uint64_t imm) { return 8u << (imm & 3); }
    static constexpr unsigned kind(uint64_t imm) { return (imm >> 4) & 15; }
    static constexpr unsigned amount(uint64_t imm) { return (imm >> 8) & 0xff; }
};

struct Value {
    uint32_t id = kNone;
    static constexpr uint32_t kNone = ~0u;
    bool valid() const { return id != kNone; }
    bool operator==(const Value&) const = default;
};

constexpr unsigned kMaxArgs = 4;

struct Inst {
    Op op = Op::Nop;
    Type type = Type::Void;
    uint8_t nargs = 0;
    std::array<Value, kMaxArgs> args{};
    uint64_t imm = 0;
    uint64_t imm2 = 0;
};

// Where a block came from and how it may be chained.
struct Block {
    uint64_t guest_pc = 0;  // virtual PC of the first instruction
    uint64_t phys_pc = 0;
    uint64_t flags = 0;  // the guest's mode key (TB flags)
    uint32_t guest_insns = 0;
    uint32_t guest_bytes = 0;
    // The guest code is not one range from guest_pc (the translator
    // followed a branch): invalidate on any write to its page.
    bool scattered = false;
    std::vector<Inst> insts;

    const Inst& at(Value v) const { return insts[v.id]; }
    Type type_of(Value v) const { return insts[v.id].type; }
    // The terminal, or nullptr if the block is not finished.
    const Inst* terminal() const;
    // Removes Op::Nop instructions and renumbers the values.
    void compact();
};

// Appends instructions to a block with the types checked by construction
// where possible (the verifier checks the rest).
class Builder {
  public:
    explicit Builder(Block* b) : b_(b) {}
    Block& block() { return *b_; }

    // Inline: the A64 frontend calls it for every op of every block.
    Value emit(Op op, Type t, std::initializer_list<Value> args, uint64_t imm = 0,
               uint64_t imm2 = 0) {
        Inst& in = b_->insts.emplace_back();
        in.op = op;
        in.type = t;
        unsigned n = 0;
        for (Value v : args) {
            if (n == kMaxArgs) break;
            in.args[n++] = v;
        }
        in.nargs = static_cast<uint8_t>(n);
        in.imm = imm;
        in.imm2 = imm2;
        return Value{static_cast<uint32_t>(b_->insts.size() - 1)};
    }

    Value constant(Type t, uint64_t v) { return emit(Op::Const, t, {}, v & mask_for(t)); }
    Value c64(uint64_t v) { return constant(Type::I64, v); }
    Value c32(uint32_t v) { return constant(Type::I32, v); }
    Value c1(bool v) { return constant(Type::I1, v); }
    Value c128(uint64_t lo, uint64_t hi) { return emit(Op::Const, Type::I128, {}, lo, hi); }

    Value get_reg(Type t, uint32_t offset) { return emit(Op::GetReg, t, {}, offset); }
    void set_reg(uint32_t offset, Value v) { emit(Op::SetReg, Type::Void, {v}, offset); }
    void guest_insn(uint64_t pc, uint32_t word) { emit(Op::GuestInsn, Type::Void, {}, pc, word); }

    Value bin(Op op, Value a, Value c) { return emit(op, type(a), {a, c}); }
    Value un(Op op, Value a) { return emit(op, type(a), {a}); }
    Value add(Value a, Value c) { return bin(Op::Add, a, c); }
    Value sub(Value a, Value c) { return bin(Op::Sub, a, c); }
    Value mul(Value a, Value c) { return bin(Op::Mul, a, c); }
    Value and_(Value a, Value c) { return bin(Op::And, a, c); }
    Value or_(Value a, Value c) { return bin(Op::Or, a, c); }
    Value xor_(Value a, Value c) { return bin(Op::Xor, a, c); }
    Value not_(Value a) { return un(Op::Not, a); }
    Value neg(Value a) { return un(Op::Neg, a); }
    Value shl(Value a, Value c) { return bin(Op::Shl, a, c); }
    Value lshr(Value a, Value c) { return bin(Op::LShr, a, c); }
    Value ashr(Value a, Value c) { return bin(Op::AShr, a, c); }
    Value ror(Value a, Value c) { return bin(Op::Ror, a, c); }
    Value add_carry(Value a, Value c, Value cin) {
        return emit(Op::AddCarry, type(a), {a, c, cin});
    }
    Value cmp(Op op, Value a, Value c) { return emit(op, Type::I1, {a, c}); }
    Value select(Value c, Value t, Value f) { return emit(Op::Select, type(t), {c, t, f}); }
    Value zext(Type t, Value a) { return type(a) == t ? a : emit(Op::ZExt, t, {a}); }
    Value sext(Type t, Value a) { return type(a) == t ? a : emit(Op::SExt, t, {a}); }
    Value trunc(Type t, Value a) { return type(a) == t ? a : emit(Op::Trunc, t, {a}); }
    Value hi64(Value a) { return emit(Op::Hi64, Type::I64, {a}); }
    Value pack128(Value lo, Value hi) { return emit(Op::Pack128, Type::I128, {lo, hi}); }

    Value vec_dup(unsigned es, Value a) { return emit(Op::VecDup, Type::I128, {a}, es); }
    Value vec_cmp(VecCmpKind k, unsigned es, Value a, Value c) {
        return emit(Op::VecCmp, Type::I128, {a, c}, VecImm::make(es, k));
    }
    Value vec_bin(VecBinKind k, unsigned es, Value a, Value c) {
        return emit(Op::VecBin, Type::I128, {a, c}, VecImm::make(es, k));
    }
    Value vec_shift(VecShiftKind k, unsigned es, Value a, unsigned amount) {
        return emit(Op::VecShiftImm, Type::I128, {a}, VecImm::make(es, k, amount));
    }
    Value vec_shuffle(Value a, Value c, Value table) {
        return emit(Op::VecShuffle, Type::I128, {a, c, table});
    }
    Value vec_reduce(VecBinKind k, unsigned es, Value a) {
        return emit(Op::VecReduce, Type::I128, {a}, VecImm::make(es, k));
    }

    Value add_flags(Value a, Value c) { return emit(Op::AddFlags, Type::I32, {a, c}); }
    Value sub_flags(Value a, Value c) { return emit(Op::SubFlags, Type::I32, {a, c}); }
    Value adc_flags(Value a, Value c, Value cin) {
        return emit(Op::AdcFlags, Type::I32, {a, c, cin});
    }
    Value logic_flags(Value a) { return emit(Op::LogicFlags, Type::I32, {a}); }
    Value cond_holds(Value nzcv, unsigned cond) {
        return emit(Op::CondHolds, Type::I1, {nzcv}, cond);
    }

    Value load(Type t, Value addr, uint64_t memop, uint64_t pc) {
        return emit(Op::Load, t, {addr}, memop, pc);
    }
    void store(Value addr, Value v, uint64_t memop, uint64_t pc) {
        emit(Op::Store, Type::Void, {addr, v}, memop, pc);
    }
    Value call(Type t, uint32_t helper, std::initializer_list<Value> args, uint64_t pc = 0) {
        return emit(t == Type::Void ? Op::CallVoid : Op::Call, t, args, helper, pc);
    }

    void exit_link(uint64_t pc) { emit(Op::ExitLink, Type::Void, {}, pc); }
    void exit_cond(Value c, uint64_t taken, uint64_t not_taken) {
        emit(Op::ExitCond, Type::Void, {c}, taken, not_taken);
    }
    void exit_indirect(Value pc) { emit(Op::ExitIndirect, Type::Void, {pc}); }
    void exit_dispatch() { emit(Op::ExitDispatch, Type::Void, {}); }

    Type type(Value v) const { return b_->insts[v.id].type; }

  private:
    static uint64_t mask_for(Type t) { return t == Type::I128 ? ~0ull : type_mask(t); }
    Block* b_;
};

// -d op: one line per instruction. A target may name its env offsets
// ("x3", "nzcv") for the printer; nullptr or an empty result prints env+N.
using EnvNamer = std::string (*)(uint32_t offset);
void set_env_namer(EnvNamer fn);
// -d op: one line per instruction.
std::string print_block(const Block& b);
std::string print_inst(const Block& b, uint32_t index);

// Checks SSA order, operand counts and types, imm ranges and the terminal.
// Returns an empty string when the block is well formed, else the first
// problem found (with the instruction index).
std::string verify(const Block& b);

}  // namespace emu::tcg

#include "tcg/ir/ir.h"

#include <deque>
#include <mutex>

#include "tcg/ir/helpers.h"

namespace emu::tcg {

namespace {
constexpr TypeRule _ = TypeRule::None;
constexpr TypeRule Void = TypeRule::Void;
constexpr TypeRule I1 = TypeRule::I1;
constexpr TypeRule I32 = TypeRule::I32;
constexpr TypeRule I64 = TypeRule::I64;
constexpr TypeRule I128 = TypeRule::I128;
constexpr TypeRule T = TypeRule::T;
constexpr TypeRule X = TypeRule::X;
constexpr TypeRule A = TypeRule::A;
constexpr TypeSet INT = TypeSet::INT;
constexpr TypeSet W = TypeSet::W;
constexpr TypeSet BITS = TypeSet::BITS;
constexpr TypeSet I1T = TypeSet::I1T;
constexpr TypeSet NONE = TypeSet::NONE;
using enum ImmKind;

constexpr OpInfo kOps[] = {
#define OP(name, res, types, nargs, a0, a1, a2, imm, flags) \
    {#name, res, types, nargs, {a0, a1, a2}, imm, static_cast<uint8_t>(flags)},
#include "tcg/ir/opcodes.inc"
#undef OP
};
static_assert(sizeof(kOps) / sizeof(kOps[0]) == kNumOps);

std::deque<HelperInfo>& helpers() {
    static std::deque<HelperInfo> h;
    return h;
}
}  // namespace

const OpInfo& op_info(Op op) {
    return kOps[static_cast<unsigned>(op)];
}

const char* type_name(Type t) {
    switch (t) {
        case Type::Void:
            return "void";
        case Type::I1:
            return "i1";
        case Type::I8:
            return "i8";
        case Type::I16:
            return "i16";
        case Type::I32:
            return "i32";
        case Type::I64:
            return "i64";
        case Type::I128:
            return "i128";
        case Type::F32:
            return "f32";
        case Type::F64:
            return "f64";
    }
    return "?";
}

const Inst* Block::terminal() const {
    if (insts.empty() || !op_has(insts.back().op, TERM)) return nullptr;
    return &insts.back();
}

void Block::compact() {
    std::vector<uint32_t> remap(insts.size(), Value::kNone);
    uint32_t out = 0;
    for (uint32_t i = 0; i < insts.size(); ++i) {
        if (insts[i].op == Op::Nop) continue;
        Inst in = insts[i];
        for (unsigned a = 0; a < in.nargs; ++a)
            in.args[a].id = remap[in.args[a].id];
        remap[i] = out;
        insts[out++] = in;
    }
    insts.resize(out);
}

Value Builder::emit(Op op, Type t, std::initializer_list<Value> args, uint64_t imm, uint64_t imm2) {
    Inst in;
    in.op = op;
    in.type = t;
    in.nargs = static_cast<uint8_t>(args.size() > kMaxArgs ? kMaxArgs : args.size());
    unsigned i = 0;
    for (Value v : args) {
        if (i < kMaxArgs) in.args[i++] = v;
    }
    in.imm = imm;
    in.imm2 = imm2;
    b_->insts.push_back(in);
    return Value{static_cast<uint32_t>(b_->insts.size() - 1)};
}

uint32_t register_helper(const char* name, HelperFn fn, uint8_t flags) {
    static std::mutex m;
    std::lock_guard<std::mutex> g(m);
    helpers().push_back({name, fn, flags});
    return static_cast<uint32_t>(helpers().size() - 1);
}

const HelperInfo& helper_info(uint32_t id) {
    return helpers().at(id);
}
uint32_t helper_count() {
    return static_cast<uint32_t>(helpers().size());
}

}  // namespace emu::tcg

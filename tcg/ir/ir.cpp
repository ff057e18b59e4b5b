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

std::deque<HelperInfo>& helpers() {
    static std::deque<HelperInfo> h;
    return h;
}
}  // namespace

// The anonymous namespace's type-rule names spell the table.
const OpInfo kOpInfo[kNumOps] = {
#define OP(name, res, types, nargs, a0, a1, a2, imm, flags) \
    {#name, res, types, nargs, {a0, a1, a2}, imm, static_cast<uint8_t>(flags)},
#include "tcg/ir/opcodes.inc"
#undef OP
};

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
    // Per thread and reused: translation compacts every block.
    thread_local std::vector<uint32_t> remap;
    remap.assign(insts.size(), Value::kNone);
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

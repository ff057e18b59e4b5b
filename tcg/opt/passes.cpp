#include "tcg/opt/passes.h"

#include <vector>

#include "tcg/ir/eval.h"
#include "tcg/ir/helpers.h"

namespace emu::tcg {

namespace {

// Whether an op may write guest registers in the env other than through SetReg.
bool clobbers_state(const Inst& in) {
    if (in.op == Op::Call || in.op == Op::CallVoid) {
        return (helper_info(static_cast<uint32_t>(in.imm)).flags & kHelperWritesState) != 0;
    }
    return in.op != Op::SetReg && op_has(in.op, WSTATE) && !op_has(in.op, TERM);
}

// Whether an op may observe the env's registers (directly, or because it
// can leave the block and hand the state to an exception handler).
bool observes_state(const Inst& in) {
    if (in.op == Op::Call || in.op == Op::CallVoid) {
        uint8_t f = helper_info(static_cast<uint32_t>(in.imm)).flags;
        return (f & (kHelperReadsState | kHelperFault)) != 0;
    }
    if (in.op == Op::GetReg) return false;  // handled precisely by the caller
    return op_has(in.op, RSTATE | FAULT | TERM);
}

struct Known {
    uint32_t offset;
    uint32_t size;
    Type type;
    Value value;
};

uint32_t reg_size(Type t) {
    return t == Type::I1 ? 1 : type_bits(t) / 8;
}

bool overlaps(uint32_t a, uint32_t as, uint32_t b, uint32_t bs) {
    return a < b + bs && b < a + as;
}

void rewrite_args(Inst& in, const std::vector<uint32_t>& repl) {
    for (unsigned a = 0; a < in.nargs; ++a) {
        uint32_t id = in.args[a].id;
        while (repl[id] != id)
            id = repl[id];
        in.args[a].id = id;
    }
}

// Folds pure instruction i (operands already rewritten) if its operands
// are constants or it is an identity with one constant operand.
template <class IsConst, class CVal, class Forward>
void fold(Block& b, uint32_t i, IsConst&& is_const, CVal&& cval, Forward&& forward) {
    Inst& in = b.insts[i];
    bool all_const = true;
    for (unsigned a = 0; a < in.nargs; ++a)
        all_const &= is_const(in.args[a]);
    if (all_const) {
        Type at[kMaxArgs];
        u128 av[kMaxArgs] = {0, 0, 0, 0};
        for (unsigned a = 0; a < in.nargs; ++a) {
            at[a] = b.insts[in.args[a].id].type;
            av[a] = cval(in.args[a]);
        }
        u128 r;
        if (eval_pure(in.op, in.type, at, av, in.imm, &r)) {
            in.op = Op::Const;
            in.nargs = 0;
            in.imm = (uint64_t)r;
            in.imm2 = (uint64_t)(r >> 64);
        }
        return;
    }
    // Identities with one constant operand.
    auto c_is = [&](unsigned a, u128 v) { return is_const(in.args[a]) && cval(in.args[a]) == v; };
    u128 ones = in.type == Type::I128 ? ~(u128)0 : (u128)type_mask(in.type);
    switch (in.op) {
        case Op::Add:
        case Op::Or:
        case Op::Xor:
            if (c_is(1, 0))
                forward(i, in.args[0]);
            else if (c_is(0, 0))
                forward(i, in.args[1]);
            break;
        case Op::Sub:
        case Op::Shl:
        case Op::LShr:
        case Op::AShr:
        case Op::Ror:
            if (c_is(1, 0)) forward(i, in.args[0]);
            break;
        case Op::And:
            if (c_is(1, ones))
                forward(i, in.args[0]);
            else if (c_is(0, ones))
                forward(i, in.args[1]);
            else if (c_is(1, 0))
                forward(i, in.args[1]);
            else if (c_is(0, 0))
                forward(i, in.args[0]);
            break;
        case Op::Mul:
            if (c_is(1, 1))
                forward(i, in.args[0]);
            else if (c_is(0, 1))
                forward(i, in.args[1]);
            break;
        case Op::Select:
            if (is_const(in.args[0]))
                forward(i, (cval(in.args[0]) & 1) ? in.args[1] : in.args[2]);
            else if (in.args[1] == in.args[2])
                forward(i, in.args[1]);
            break;
        case Op::CondHolds:
            if ((in.imm & 0xe) == 0xe) {  // AL/NV
                in.op = Op::Const;
                in.nargs = 0;
                in.imm = 1;
                in.imm2 = 0;
            }
            break;
        default:
            break;
    }
}

}  // namespace

namespace {

// Per-thread storage of the fused pipeline: translation runs it once per
// block, and fresh vectors per pass and block were a visible share of a
// boot's malloc/free.
struct Scratch {
    std::vector<uint32_t> repl;
    std::vector<Known> known;
    std::vector<uint8_t> used;
    struct Range {
        uint32_t offset, size;
    };
    std::vector<Range> covered;
};

// GetReg/SetReg forwarding and constant folding in one forward walk: both only
// replace a value by an earlier one, so they can share the replacement map
// (a GetReg or SetReg is never folded, a foldable op never touches state).
void forward_pass(Block& b, Scratch& s) {
    auto& repl = s.repl;
    auto& known = s.known;
    repl.resize(b.insts.size());
    for (uint32_t i = 0; i < repl.size(); ++i)
        repl[i] = i;
    known.clear();
    auto is_const = [&](Value v) { return b.insts[v.id].op == Op::Const; };
    auto cval = [&](Value v) -> u128 {
        const Inst& c = b.insts[v.id];
        return (u128)c.imm | ((u128)c.imm2 << 64);
    };
    auto forward = [&](uint32_t i, Value to) {
        repl[i] = to.id;
        b.insts[i].op = Op::Nop;
        b.insts[i].nargs = 0;
    };
    for (uint32_t i = 0; i < b.insts.size(); ++i) {
        Inst& in = b.insts[i];
        rewrite_args(in, repl);
        if (in.op == Op::GetReg) {
            uint32_t off = static_cast<uint32_t>(in.imm);
            bool hit = false;
            for (const Known& k : known) {
                if (k.offset == off && k.type == in.type) {
                    forward(i, k.value);
                    hit = true;
                    break;
                }
            }
            if (!hit) known.push_back({off, reg_size(in.type), in.type, Value{i}});
            continue;
        }
        if (in.op == Op::SetReg) {
            uint32_t off = static_cast<uint32_t>(in.imm);
            Type t = b.insts[in.args[0].id].type;
            uint32_t sz = reg_size(t);
            std::erase_if(known,
                          [&](const Known& k) { return overlaps(k.offset, k.size, off, sz); });
            known.push_back({off, sz, t, in.args[0]});
            continue;
        }
        if (clobbers_state(in)) {
            known.clear();
            continue;
        }
        if (in.op == Op::ExitCond && is_const(in.args[0])) {
            uint64_t target = (cval(in.args[0]) & 1) ? in.imm : in.imm2;
            in.op = Op::ExitLink;
            in.nargs = 0;
            in.imm = target;
            in.imm2 = 0;
            continue;
        }
        if (!op_has(in.op, PURE) || in.op == Op::Const || in.nargs == 0) continue;
        fold(b, i, is_const, cval, forward);
    }
}

// Dead-store and dead-code elimination in one backward walk:
// every user of an instruction comes after it, so whether it is used is
// known when the walk reaches it. A GetReg found dead here no longer keeps
// earlier stores to its register alive (it reads nothing once removed).
void backward_pass(Block& b, Scratch& s) {
    auto& used = s.used;
    auto& covered = s.covered;
    used.assign(b.insts.size(), 0);
    covered.clear();
    for (uint32_t i = static_cast<uint32_t>(b.insts.size()); i-- > 0;) {
        Inst& in = b.insts[i];
        if (in.op == Op::SetReg) {
            uint32_t off = static_cast<uint32_t>(in.imm);
            uint32_t sz = reg_size(b.insts[in.args[0].id].type);
            bool dead = false;
            for (const Scratch::Range& r : covered) {
                if (r.offset <= off && off + sz <= r.offset + r.size) {
                    dead = true;
                    break;
                }
            }
            if (dead) {
                in.op = Op::Nop;
                in.nargs = 0;
                continue;
            }
            covered.push_back({off, sz});
            used[in.args[0].id] = 1;
            continue;
        }
        bool removable = op_has(in.op, PURE) || in.op == Op::GetReg;
        if (in.op == Op::Call) {
            removable = (helper_info(static_cast<uint32_t>(in.imm)).flags & kHelperPure) != 0;
        }
        if (removable && !used[i]) {
            in.op = Op::Nop;
            in.nargs = 0;
            continue;
        }
        if (in.op == Op::GetReg) {
            uint32_t off = static_cast<uint32_t>(in.imm);
            uint32_t sz = reg_size(in.type);
            std::erase_if(covered, [&](const Scratch::Range& r) {
                return overlaps(r.offset, r.size, off, sz);
            });
        } else if (observes_state(in)) {
            covered.clear();
        }
        for (unsigned a = 0; a < in.nargs; ++a)
            used[in.args[a].id] = 1;
    }
}

}  // namespace

void optimize_unchecked(Block& b) {
    thread_local Scratch scratch;
    forward_pass(b, scratch);
    backward_pass(b, scratch);
    b.compact();
}

std::string optimize(Block& b) {
    optimize_unchecked(b);
    return verify(b);
}

}  // namespace emu::tcg

#include "random_block.h"

#include <vector>

#include "tcg/ir/helpers.h"
#include "test_world.h"

namespace emu::tcg::test {

namespace {

HelperRet h_mix(void*, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3) {
    return {a0 * 0x9E3779B97F4A7C15ull ^ (a1 >> 3) ^ a2 ^ (a3 << 1), 0};
}
HelperRet h_fault(void* env, uint64_t a0, uint64_t, uint64_t, uint64_t) {
    if ((a0 & 0xff) == 0x5a) {
        // State written before the fault must survive the early exit.
        static_cast<TestEnv*>(env)->r[14] = a0;
        return {0, 21};
    }
    return {~a0, 0};
}
HelperRet h_env_rw(void* env, uint64_t a0, uint64_t, uint64_t, uint64_t) {
    auto* e = static_cast<TestEnv*>(env);
    uint64_t old = e->r[15];
    e->r[15] += a0;
    return {old, 0};
}

const Type kInt[] = {Type::I8, Type::I16, Type::I32, Type::I64};
const Type kW[] = {Type::I32, Type::I64};
const Type kBits[] = {Type::I1,  Type::I8,   Type::I16, Type::I32,
                      Type::I64, Type::I128, Type::F32, Type::F64};

const uint64_t kEdges[] = {0,          1,           2,          0x7f,       0x80,
                           0xff,       0x7fff,      0x8000,     0xffff,     0x7fffffff,
                           0x80000000, 0xffffffff,  ~0ull,      1ull << 63, (1ull << 63) - 1,
                           63,         64,          31,         32,         0x5a,
                           ~0ull - 1,  0x100000000, 0xfffffffe, 7,          8};

class Gen {
  public:
    Gen(std::mt19937_64& rng, const RandomBlockOptions& o) : rng_(rng), o_(o), ir_(&b_) {
        b_.guest_pc = o.guest_pc;
        b_.phys_pc = o.guest_pc;
    }

    Block run() {
        for (unsigned i = 0; i < o_.ops; ++i)
            step();
        terminal();
        return std::move(b_);
    }

  private:
    unsigned r(size_t n) { return static_cast<unsigned>(rng_() % n); }
    bool p(unsigned pct) { return r(100) < pct; }
    uint64_t value() { return p(60) ? kEdges[r(std::size(kEdges))] : rng_(); }
    Type any(const Type* set, size_t n) { return set[r(n)]; }
    uint64_t pc() { return o_.guest_pc + 4 * b_.insts.size(); }

    Value fresh(Type t) {
        if (p(40)) {
            if (t == Type::I128) return ir_.c128(value(), value());
            return ir_.constant(t, value());
        }
        if (t == Type::I1) return ir_.get_reg(t, breg(r(8)));
        if (t == Type::I128) return ir_.get_reg(t, reg(2 * r(8)));
        return ir_.get_reg(t, reg(r(16)));
    }
    Value val(Type t) {
        auto& pl = pool_[static_cast<unsigned>(t)];
        if (!pl.empty() && p(75)) return pl[r(pl.size())];
        Value v = fresh(t);
        pl.push_back(v);
        return v;
    }
    void keep(Value v) { pool_[static_cast<unsigned>(ir_.type(v))].push_back(v); }
    void set(Value v) {
        Type t = ir_.type(v);
        if (t == Type::I1) {
            ir_.set_reg(breg(r(8)), v);
        } else if (t == Type::I128) {
            unsigned k = r(8);
            if (o_.self_loop && k == 6) k = 7;
            ir_.set_reg(reg(2 * k), v);
        } else {
            unsigned k = r(16);
            if (o_.self_loop && k == 12) k = 11;
            ir_.set_reg(reg(k), v);
        }
    }

    Value address(unsigned size) {
        uint64_t base;
        unsigned k = r(100);
        if (o_.faults && k < 4) {
            base = kFaultPage + r(64);
        } else if (o_.faults && k < 6) {
            base = kHole + 8 * r(16);
        } else if (k < 14) {
            base = kMmioBase + 8 * r(kMmioSize / 8 - 16);
        } else if (k < 22) {
            // Straddles a page boundary (RAM pages 1..6).
            base = kRamBase + 0x1000 * (1 + r(6)) - 1 - r(size);
        } else {
            base = kRamBase + r(0x7000);
            if (p(70)) base &= ~uint64_t(size - 1);
        }
        if (p(50)) return ir_.c64(base);
        // A computed address: base + (some value & 0x38), which stays in
        // the same region.
        Value off = ir_.and_(val(Type::I64), ir_.c64(0x38));
        return ir_.add(ir_.c64(base), off);
    }

    uint64_t memop(unsigned log2, bool load) {
        uint64_t extra = 0;
        if (p(15)) extra |= MemOp::kAligned;
        if (p(15)) extra |= load ? MemOp::kAcquire : MemOp::kRelease;
        return MemOp::make(log2, r(kNumMmuIdx), extra);
    }

    Type mem_type(unsigned log2) {
        Type t = int_type_bytes(1u << log2);
        if (log2 == 2 && p(30)) t = Type::F32;
        if (log2 == 3 && p(30)) t = Type::F64;
        return t;
    }

    void memory() {
        unsigned k = r(10);
        if (k < 4) {
            unsigned log2 = r(5);
            Value a = address(1u << log2);
            keep(ir_.load(mem_type(log2), a, memop(log2, true), pc()));
        } else if (k < 8) {
            unsigned log2 = r(5);
            Value a = address(1u << log2);
            ir_.store(a, val(mem_type(log2)), memop(log2, false), pc());
        } else {
            unsigned log2 = r(4);
            Type t = int_type_bytes(1u << log2);
            Value a = address(1u << log2);
            uint64_t m = memop(log2, true);
            switch (r(4)) {
                case 0:
                    keep(ir_.emit(Op::LoadExcl, t, {a}, m, pc()));
                    break;
                case 1:
                    keep(ir_.emit(Op::StoreExcl, Type::I32, {a, val(t)}, m, pc()));
                    break;
                case 2:
                    keep(ir_.emit(Op::AtomicRmw, t, {a, val(t)},
                                  m | atomic_bits(static_cast<AtomicOp>(r(9))), pc()));
                    break;
                default:
                    keep(ir_.emit(Op::CmpXchg, t, {a, val(t), val(t)}, m, pc()));
                    break;
            }
        }
    }

    void call() {
        const TestHelpers& h = TestHelpers::get();
        switch (r(3)) {
            case 0: {
                static const Type arg_types[] = {Type::I1,  Type::I8,  Type::I16, Type::I32,
                                                 Type::I64, Type::F32, Type::F64};
                unsigned n = r(5);
                std::vector<Value> a;
                for (unsigned i = 0; i < n; ++i)
                    a.push_back(val(any(arg_types, 7)));
                Type t = p(50) ? Type::I64 : Type::F64;
                Value v;
                switch (n) {
                    case 0:
                        v = ir_.call(t, h.mix, {}, pc());
                        break;
                    case 1:
                        v = ir_.call(t, h.mix, {a[0]}, pc());
                        break;
                    case 2:
                        v = ir_.call(t, h.mix, {a[0], a[1]}, pc());
                        break;
                    case 3:
                        v = ir_.call(t, h.mix, {a[0], a[1], a[2]}, pc());
                        break;
                    default:
                        v = ir_.call(t, h.mix, {a[0], a[1], a[2], a[3]}, pc());
                        break;
                }
                keep(v);
                break;
            }
            case 1:
                if (!o_.faults) return;
                keep(ir_.call(Type::I64, h.fault, {p(10) ? ir_.c64(0x15a) : val(Type::I64)}, pc()));
                break;
            default:
                // CallVoid is left out until the interpreter stops writing
                // a void call's value into its constant-zero slot 0 (which
                // later helper calls pass as their missing operands).
                if (o_.call_void && p(50)) {
                    ir_.call(Type::Void, h.env_rw, {val(Type::I64)}, pc());
                } else {
                    keep(ir_.call(Type::I64, h.env_rw, {val(Type::I64)}, pc()));
                }
                break;
        }
    }

    void step() {
        unsigned k = r(o_.memory ? 22 : 19);
        switch (k) {
            case 0:
            case 1: {
                static const Op ops[] = {Op::Add, Op::Sub, Op::Mul,  Op::And, Op::Or,
                                         Op::Xor, Op::Shl, Op::LShr, Op::AShr};
                Type t = any(kInt, 4);
                keep(ir_.bin(ops[r(9)], val(t), val(t)));
                break;
            }
            case 2: {
                static const Op ops[] = {Op::UMulH, Op::SMulH, Op::UDiv, Op::SDiv, Op::Ror};
                Type t = any(kW, 2);
                keep(ir_.bin(ops[r(5)], val(t), val(t)));
                break;
            }
            case 3: {
                Type t = any(kW, 2);
                keep(ir_.add_carry(val(t), val(t), val(Type::I1)));
                break;
            }
            case 4: {
                static const Op ops[] = {Op::Not, Op::Neg, Op::Bswap, Op::Ctpop};
                keep(ir_.un(ops[r(4)], val(any(kInt, 4))));
                break;
            }
            case 5:
                keep(ir_.un(p(50) ? Op::Clz : Op::Rbit, val(any(kW, 2))));
                break;
            case 6: {
                static const Op ops[] = {Op::And, Op::Or, Op::Xor};
                Type t = any(kBits, 8);
                if (p(25)) {
                    keep(ir_.not_(val(t)));
                } else {
                    keep(ir_.bin(ops[r(3)], val(t), val(t)));
                }
                break;
            }
            case 7:
            case 8: {
                static const Op ops[] = {Op::Eq, Op::Ne, Op::Ult, Op::Ule, Op::Slt, Op::Sle};
                static const Type ts[] = {Type::I1, Type::I8, Type::I16, Type::I32, Type::I64};
                Type t = ts[r(5)];
                keep(ir_.cmp(ops[r(6)], val(t), val(t)));
                break;
            }
            case 9: {
                Type t = any(kBits, 8);
                keep(ir_.select(val(Type::I1), val(t), val(t)));
                break;
            }
            case 10: {
                Type from = any(kBits, 8), to = any(kBits, 8);
                if (from == to) break;
                unsigned fb = type_bits(from), tb = type_bits(to);
                if (fb < tb) {
                    if (is_int(to) && from != Type::F32 && p(50)) {
                        keep(ir_.emit(Op::SExt, to, {val(from)}));
                    } else {
                        keep(ir_.emit(Op::ZExt, to, {val(from)}));
                    }
                } else if (fb > tb) {
                    keep(ir_.emit(Op::Trunc, to, {val(from)}));
                } else {
                    keep(ir_.emit(Op::Bitcast, to, {val(from)}));
                }
                break;
            }
            case 11:
                if (p(50)) {
                    keep(ir_.hi64(val(Type::I128)));
                } else {
                    keep(ir_.pack128(val(Type::I64), val(Type::I64)));
                }
                break;
            case 12: {
                Type t = any(kW, 2);
                switch (r(4)) {
                    case 0:
                        keep(ir_.add_flags(val(t), val(t)));
                        break;
                    case 1:
                        keep(ir_.sub_flags(val(t), val(t)));
                        break;
                    case 2:
                        keep(ir_.adc_flags(val(t), val(t), val(Type::I1)));
                        break;
                    default:
                        keep(ir_.logic_flags(val(t)));
                        break;
                }
                break;
            }
            case 13:
                keep(ir_.cond_holds(val(Type::I32), r(16)));
                break;
            case 14:
            case 15:
            case 16:
                set(val(any(kBits, 8)));
                break;
            case 17:
                call();
                break;
            case 18:
                if (p(30)) {
                    ir_.emit(Op::Fence, Type::Void, {}, r(3));
                } else {
                    ir_.guest_insn(pc(), static_cast<uint32_t>(rng_()));
                }
                break;
            default:
                memory();
                break;
        }
    }

    void terminal() {
        uint64_t t1 = o_.guest_pc + 0x1000 + 4 * r(64), t2 = o_.guest_pc + 0x2000 + 4 * r(64);
        if (o_.self_loop) {
            Value n = ir_.sub(ir_.get_reg(Type::I64, reg(12)), ir_.c64(1));
            ir_.set_reg(reg(12), n);
            if (p(50)) {
                ir_.exit_cond(ir_.cmp(Op::Ne, n, ir_.c64(0)), o_.guest_pc, t2);
            } else {
                ir_.exit_cond(ir_.cmp(Op::Eq, n, ir_.c64(0)), t1, o_.guest_pc);
            }
            return;
        }
        switch (r(4)) {
            case 0:
                ir_.exit_link(t1);
                break;
            case 1:
                ir_.exit_cond(val(Type::I1), t1, t2);
                break;
            case 2:
                ir_.exit_indirect(val(Type::I64));
                break;
            default:
                ir_.exit_dispatch();
                break;
        }
    }

    std::mt19937_64& rng_;
    const RandomBlockOptions& o_;
    Block b_;
    Builder ir_;
    std::vector<Value> pool_[9];
};

}  // namespace

const TestHelpers& TestHelpers::get() {
    static const TestHelpers h{
        register_helper("test_mix", h_mix, kHelperPure),
        register_helper("test_fault", h_fault, kHelperFault | kHelperWritesState),
        register_helper("test_env_rw", h_env_rw, kHelperReadsState | kHelperWritesState),
    };
    return h;
}

Block random_block(std::mt19937_64& rng, const RandomBlockOptions& opts) {
    return Gen(rng, opts).run();
}

}  // namespace emu::tcg::test

// -d op output: "  v12:i64 = Add v3, v11" with immediates shown by kind.
#include <atomic>
#include <cinttypes>
#include <cstdio>

#include "tcg/ir/helpers.h"
#include "tcg/ir/ir.h"

namespace emu::tcg {

namespace {
const char* const kCond[16] = {"eq", "ne", "cs", "cc", "mi", "pl", "vs", "vc",
                               "hi", "ls", "ge", "lt", "gt", "le", "al", "nv"};
const char* const kAtomic[] = {"add", "clr", "eor", "set", "smax", "smin", "umax", "umin", "swp"};
std::atomic<EnvNamer> g_namer{nullptr};
}  // namespace

void set_env_namer(EnvNamer fn) {
    g_namer.store(fn);
}

std::string print_inst(const Block& b, uint32_t index) {
    const Inst& in = b.insts[index];
    const OpInfo& info = op_info(in.op);
    char buf[160];
    std::string s;
    if (in.op == Op::GuestInsn) {
        std::snprintf(buf, sizeof buf, " ---- %016" PRIx64 " %08" PRIx64, in.imm, in.imm2);
        return buf;
    }
    if (in.type != Type::Void) {
        std::snprintf(buf, sizeof buf, "  v%u:%s = ", index, type_name(in.type));
    } else {
        std::snprintf(buf, sizeof buf, "  ");
    }
    s += buf;
    s += info.name;
    for (unsigned a = 0; a < in.nargs; ++a) {
        std::snprintf(buf, sizeof buf, "%s v%u", a ? "," : "", in.args[a].id);
        s += buf;
    }
    const char* sep = in.nargs ? ", " : " ";
    switch (info.imm) {
        case ImmKind::NOIMM:
            break;
        case ImmKind::VALUE:
            if (in.type == Type::I128) {
                std::snprintf(buf, sizeof buf, "%s0x%" PRIx64 "_%016" PRIx64, sep, in.imm2, in.imm);
            } else {
                std::snprintf(buf, sizeof buf, "%s0x%" PRIx64, sep, in.imm);
            }
            s += buf;
            break;
        case ImmKind::OFFSET: {
            EnvNamer namer = g_namer.load();
            std::string name = namer ? namer(static_cast<uint32_t>(in.imm)) : std::string();
            if (name.empty()) {
                std::snprintf(buf, sizeof buf, "%senv+%" PRIu64, sep, in.imm);
                s += buf;
            } else {
                s += sep;
                s += name;
            }
            break;
        }
        case ImmKind::MEMOP: {
            std::snprintf(buf, sizeof buf, "%s[size %u mmu %u%s%s%s", sep, MemOp::size(in.imm),
                          MemOp::mmu_idx(in.imm), (in.imm & MemOp::kAligned) ? " aligned" : "",
                          (in.imm & MemOp::kAcquire) ? " acq" : "",
                          (in.imm & MemOp::kRelease) ? " rel" : "");
            s += buf;
            if (in.op == Op::AtomicRmw) {
                unsigned k = MemOp::atomic_op(in.imm);
                s += " ";
                s += k < 9 ? kAtomic[k] : "?";
            }
            s += "]";
            break;
        }
        case ImmKind::HELPER:
            s += sep;
            s += in.imm < helper_count() ? helper_info(static_cast<uint32_t>(in.imm)).name : "?";
            break;
        case ImmKind::COND:
            s += sep;
            s += kCond[in.imm & 15];
            break;
        case ImmKind::PC:
            if (in.op == Op::ExitCond) {
                std::snprintf(buf, sizeof buf, "%s0x%" PRIx64 " : 0x%" PRIx64, sep, in.imm,
                              in.imm2);
            } else {
                std::snprintf(buf, sizeof buf, "%s0x%" PRIx64, sep, in.imm);
            }
            s += buf;
            break;
        case ImmKind::KIND:
            if (in.op >= Op::VecDup && in.op <= Op::VecReduce) {
                static const char* const kCmp[] = {"eq", "ugt", "uge", "sgt", "sge"};
                static const char* const kBin[] = {"add", "sub", "umax", "umin", "smax", "smin"};
                static const char* const kShift[] = {"shl", "lshr", "ashr"};
                unsigned k = VecImm::kind(in.imm);
                const char* kn = in.op == Op::VecCmp        ? (k < 5 ? kCmp[k] : "?")
                                 : in.op == Op::VecShiftImm ? (k < 3 ? kShift[k] : "?")
                                 : in.op == Op::VecDup      ? ""
                                                            : (k < 6 ? kBin[k] : "?");
                std::snprintf(buf, sizeof buf, "%s%s.%u", sep, kn, VecImm::lane_bits(in.imm));
                s += buf;
                if (in.op == Op::VecShiftImm) {
                    std::snprintf(buf, sizeof buf, " #%u", VecImm::amount(in.imm));
                    s += buf;
                }
                break;
            }
            std::snprintf(buf, sizeof buf, "%s%" PRIu64, sep, in.imm);
            s += buf;
            break;
    }
    return s;
}

std::string print_block(const Block& b) {
    std::string s;
    char buf[96];
    std::snprintf(buf, sizeof buf, "IR block pc 0x%" PRIx64 " flags 0x%" PRIx64 " (%u insns)\n",
                  b.guest_pc, b.flags, b.guest_insns);
    s += buf;
    for (uint32_t i = 0; i < b.insts.size(); ++i) {
        if (b.insts[i].op == Op::Nop) continue;
        s += print_inst(b, i);
        s += '\n';
    }
    return s;
}

}  // namespace emu::tcg

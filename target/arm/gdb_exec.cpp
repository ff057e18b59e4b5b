// The translator side of the gdbstub: breakpoints end the block before
// their instruction and stop there (guest memory is never patched), a
// single step runs one-instruction blocks that end the run after the
// instruction (or at the vector of the exception it took), and
// watchpoints send their pages through the soft TLB's slow path.
#include <algorithm>

#include "target/arm/arm_cpu.h"
#include "tcg/ir/helpers.h"

namespace emu::arm {

using tcg::HelperRet;

namespace {

ArmCpu& cpu_of(void* env) {
    return *static_cast<ArmCpu*>(static_cast<tcg::TcgEnv*>(env)->cpu);
}

HelperRet h_debug_break(void* env, uint64_t pc, uint64_t why, uint64_t, uint64_t) {
    return {0, cpu_of(env).debug_break(pc, BreakpointKind(why))};
}

HelperRet h_step_begin(void* env, uint64_t, uint64_t, uint64_t, uint64_t) {
    cpu_of(env).debug_step_begin();
    return {0, 0};
}

struct GdbHelperIds {
    uint32_t debug_break;
    uint32_t step_begin;
};

const GdbHelperIds& gdb_helpers() {
    static const GdbHelperIds ids = [] {
        using namespace tcg;
        GdbHelperIds h;
        h.debug_break = register_helper("arm_gdb_break", h_debug_break,
                                        kHelperReadsState | kHelperWritesState | kHelperFault);
        h.step_begin = register_helper("arm_gdb_step", h_step_begin, kHelperReadsState);
        return h;
    }();
    return ids;
}

bool overlaps(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen) {
    return a < b + blen && b < a + alen;
}

}  // namespace

void arm_gdb_register_helpers() {
    gdb_helpers();
}

void ArmCpu::apply_debug_config(const ArmDebugConfig& cfg) {
    bool code_changed = cfg.code_generation != dbg_.code_generation;
    bool bps_changed =
        cfg.sw_breakpoints != dbg_.sw_breakpoints || cfg.hw_breakpoints != dbg_.hw_breakpoints;
    bool watch_changed =
        cfg.watchpoints.size() != dbg_.watchpoints.size() ||
        !std::equal(cfg.watchpoints.begin(), cfg.watchpoints.end(), dbg_.watchpoints.begin(),
                    [](const auto& a, const auto& b) {
                        return a.addr == b.addr && a.len == b.len && a.kind == b.kind;
                    });
    dbg_ = cfg;
    debug_active_ =
        dbg_.single_step || !dbg_.sw_breakpoints.empty() || !dbg_.hw_breakpoints.empty();
    // Blocks translated before know nothing of the new breakpoints (or of
    // code the debugger wrote); single-step blocks have their own TB flag.
    if (bps_changed || code_changed) tb_flush();
    if (watch_changed) tlb_flush();
    if (!dbg_.single_step) {
        step_done_ = false;
        check_unmasked();  // interrupts held off while stepping
    }
}

unsigned ArmCpu::debug_translate_prologue(tcg::Block* b, unsigned max_insns) {
    uint64_t pc = b->guest_pc;
    tcg::Builder ir(b);
    auto hit = [&](const std::vector<uint64_t>& list, BreakpointKind why) {
        if (std::find(list.begin(), list.end(), pc) == list.end()) return false;
        ir.call(tcg::Type::Void, gdb_helpers().debug_break, {ir.c64(pc), ir.c64(uint64_t(why))});
        ir.exit_dispatch();
        return true;
    };
    if (hit(dbg_.sw_breakpoints, BreakpointKind::Software) ||
        hit(dbg_.hw_breakpoints, BreakpointKind::Hardware)) {
        return 0;
    }
    // End the block before the next breakpoint on this page.
    for (const auto* list : {&dbg_.sw_breakpoints, &dbg_.hw_breakpoints}) {
        for (uint64_t bp : *list) {
            if (bp > pc && (bp & tcg::kPageMask) == (pc & tcg::kPageMask)) {
                max_insns = std::min<unsigned>(max_insns, unsigned((bp - pc) / 4));
            }
        }
    }
    if (b->flags & kTbGdbStep) ir.call(tcg::Type::Void, gdb_helpers().step_begin, {});
    return max_insns;
}

uint64_t ArmCpu::debug_break(uint64_t pc, BreakpointKind why) {
    st().tcg.pc = pc;
    debug_reason_ = why;
    debug_addr_ = pc;
    return kStatusDebug;
}

void ArmCpu::debug_step_begin() {
    // The run ends at the next block boundary: after this instruction, or
    // at the vector of an exception it raises.
    step_done_ = true;
    debug_reason_ = BreakpointKind::SingleStep;
    debug_addr_ = 0;
    request(tcg::kRequestKick);
}

bool ArmCpu::watch_page(uint64_t va_page, tcg::Access access) {
    for (const auto& w : dbg_.watchpoints) {
        bool kind_ok = w.kind == BreakpointKind::WatchAccess ||
                       (access == tcg::Access::Write) == (w.kind == BreakpointKind::WatchWrite);
        if (kind_ok && overlaps(va_page, tcg::kPageSize, w.addr, w.len)) return true;
    }
    return false;
}

uint64_t ArmCpu::check_watchpoint(uint64_t va, unsigned size, bool write, uint64_t pc) {
    for (const auto& w : dbg_.watchpoints) {
        bool kind_ok = w.kind == BreakpointKind::WatchAccess ||
                       write == (w.kind == BreakpointKind::WatchWrite);
        if (!kind_ok || !overlaps(va, size, w.addr, w.len)) continue;
        // Stop before the access, with the PC on the instruction, as an
        // Arm watchpoint does (gdb steps over it with watchpoints removed).
        st().tcg.pc = pc;
        debug_reason_ = w.kind;
        debug_addr_ = std::max(va, w.addr);
        return kStatusDebug;
    }
    return tcg::kStatusContinue;
}

}  // namespace emu::arm

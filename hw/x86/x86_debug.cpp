#include "hw/x86/x86_debug.h"

#include <cstring>

#include "hw/core/gdb_blob.h"
#include "target/x86/page_walk.h"
#include "util/log.h"

namespace emu::x86 {

namespace {

// kvm_regs in gdb's order (rax rbx rcx rdx rsi rdi rbp rsp r8..r15).
__u64* gpr_ptr(kvm_regs& r, unsigned i) {
    __u64* order[16] = {&r.rax, &r.rbx, &r.rcx, &r.rdx, &r.rsi, &r.rdi, &r.rbp, &r.rsp,
                        &r.r8,  &r.r9,  &r.r10, &r.r11, &r.r12, &r.r13, &r.r14, &r.r15};
    return order[i];
}

kvm_segment* seg_ptr(kvm_sregs& s, unsigned i) {
    kvm_segment* order[6] = {&s.cs, &s.ss, &s.ds, &s.es, &s.fs, &s.gs};
    return order[i];
}

}  // namespace

X86KvmDebug::X86KvmDebug(std::vector<std::unique_ptr<kvm::KvmVcpu>>* vcpus, AddressSpace* memory,
                         uint32_t guest_debug_caps, kvm::KvmAccel* accel)
    : vcpus_(vcpus), mem_(memory), caps_(guest_debug_caps), accel_(accel) {}

// The debugger touches RAM and ROM only: an address (or a guest page
// table entry) pointing at a device must not trigger MMIO side effects.
bool X86KvmDebug::ram_read(uint64_t gpa, void* buf, uint64_t len) const {
    auto* out = static_cast<uint8_t*>(buf);
    if (const uint8_t* p = mem_.span(gpa, len, false)) {
        std::memcpy(out, p, len);
        return true;
    }
    // Straddling two regions: byte by byte.
    for (uint64_t i = 0; i < len; ++i) {
        const uint8_t* p = mem_.span(gpa + i, 1, false);
        if (!p) return false;
        out[i] = *p;
    }
    return true;
}

bool X86KvmDebug::ram_write(uint64_t gpa, const void* buf, uint64_t len) const {
    auto* in = static_cast<const uint8_t*>(buf);
    if (uint8_t* p = mem_.span(gpa, len, true)) {
        std::memcpy(p, in, len);
        return true;
    }
    for (uint64_t i = 0; i < len; ++i) {
        uint8_t* p = mem_.span(gpa + i, 1, true);
        if (!p) return false;
        *p = in[i];
    }
    return true;
}

kvm::KvmVcpu* X86KvmDebug::vcpu(unsigned cpu) const {
    return cpu < vcpus_->size() ? (*vcpus_)[cpu].get() : nullptr;
}

std::string X86KvmDebug::target_xml(const std::string& annex) const {
    return x86_gdb_target_xml(annex);
}

bool X86KvmDebug::get_state(unsigned cpu, X86GdbRegs* out) {
    kvm::KvmVcpu* v = vcpu(cpu);
    kvm_regs r{};
    kvm_sregs s{};
    kvm_fpu f{};
    if (!v || !v->get_regs(&r) || !v->get_sregs(&s) || !v->get_fpu(&f)) return false;
    X86GdbRegs g;
    for (unsigned i = 0; i < 16; ++i)
        g.gpr[i] = *gpr_ptr(r, i);
    g.rip = r.rip;
    g.eflags = uint32_t(r.rflags);
    for (unsigned i = 0; i < 6; ++i)
        g.seg[i] = seg_ptr(s, i)->selector;
    for (unsigned i = 0; i < 8; ++i)
        std::memcpy(g.st[i], f.fpr[i], 10);
    g.fctrl = f.fcw;
    g.fstat = f.fsw;
    g.ftag = x86_full_tag_word(f.ftwx, g.st, f.fsw);
    g.fioff = uint32_t(f.last_ip);
    g.fooff = uint32_t(f.last_dp);
    g.fop = f.last_opcode;
    std::memcpy(g.xmm, f.xmm, sizeof g.xmm);
    g.mxcsr = f.mxcsr;
    g.fs_base = s.fs.base;
    g.gs_base = s.gs.base;
    *out = g;
    return true;
}

bool X86KvmDebug::set_state(unsigned cpu, const X86GdbRegs& g) {
    kvm::KvmVcpu* v = vcpu(cpu);
    kvm_regs r{};
    kvm_sregs s{};
    kvm_fpu f{};
    if (!v || !v->get_regs(&r) || !v->get_sregs(&s) || !v->get_fpu(&f)) return false;
    bool sregs_dirty = false;
    for (unsigned i = 0; i < 6; ++i) {
        kvm_segment* sg = seg_ptr(s, i);
        if (sg->selector == g.seg[i]) continue;
        if (s.cr0 & 1) {
            // A protected-mode selector load would need the descriptor tables.
            error_report("gdb: not supported yet: changing segment selectors in protected mode");
            return false;
        }
        sg->selector = uint16_t(g.seg[i]);
        sg->base = uint64_t(sg->selector) << 4;
        sregs_dirty = true;
    }
    if (s.fs.base != g.fs_base || s.gs.base != g.gs_base) {
        s.fs.base = g.fs_base;
        s.gs.base = g.gs_base;
        sregs_dirty = true;
    }
    for (unsigned i = 0; i < 16; ++i)
        *gpr_ptr(r, i) = g.gpr[i];
    r.rip = g.rip;
    r.rflags = (r.rflags & ~0xffffffffull) | g.eflags | 2;  // bit 1 is always set
    for (unsigned i = 0; i < 8; ++i)
        std::memcpy(f.fpr[i], g.st[i], 10);
    f.fcw = uint16_t(g.fctrl);
    f.fsw = uint16_t(g.fstat);
    f.ftwx = x86_abridged_tag(uint16_t(g.ftag));
    f.last_opcode = uint16_t(g.fop);
    f.last_ip = g.fioff;
    f.last_dp = g.fooff;
    std::memcpy(f.xmm, g.xmm, sizeof g.xmm);
    f.mxcsr = g.mxcsr;
    std::string err;
    if (!v->set_regs(r, &err) || !v->set_fpu(f, &err) || (sregs_dirty && !v->set_sregs(s, &err))) {
        error_report("gdb: writing registers of CPU %u: %s", cpu, err.c_str());
        return false;
    }
    return true;
}

std::vector<uint8_t> X86KvmDebug::read_registers(unsigned cpu) {
    X86GdbRegs g;
    if (!get_state(cpu, &g)) return {};
    return x86_gdb_pack(g);
}

bool X86KvmDebug::write_registers(unsigned cpu, const std::vector<uint8_t>& blob) {
    X86GdbRegs g;
    return x86_gdb_unpack(blob, &g) && set_state(cpu, g);
}

std::vector<uint8_t> X86KvmDebug::read_register(unsigned cpu, unsigned regno) {
    return read_blob_register(*this, cpu, x86_gdb_reg_offset(regno), x86_gdb_reg_size(regno));
}

bool X86KvmDebug::write_register(unsigned cpu, unsigned regno, const std::vector<uint8_t>& v) {
    return write_blob_register(*this, cpu, x86_gdb_reg_offset(regno), x86_gdb_reg_size(regno), v);
}

bool X86KvmDebug::translate(unsigned cpu, uint64_t va, uint64_t* gpa, uint64_t* page_left) {
    kvm::KvmVcpu* v = vcpu(cpu);
    kvm_sregs s{};
    if (!v || !v->get_sregs(&s)) return false;
    X86PagingState ps{s.cr0, s.cr3, s.cr4, s.efer};
    auto rd = [this](uint64_t pa, unsigned size, uint64_t* val) {
        *val = 0;
        return ram_read(pa, val, size);
    };
    return x86_translate(ps, va, rd, gpa, page_left) == WalkResult::Ok;
}

bool X86KvmDebug::read_memory(unsigned cpu, uint64_t addr, uint8_t* buf, size_t len) {
    while (len) {
        uint64_t gpa, left;
        if (!translate(cpu, addr, &gpa, &left)) return false;
        size_t n = size_t(std::min<uint64_t>(left, len));
        if (!ram_read(gpa, buf, n)) return false;
        // Our int3 bytes are invisible: show what they replaced.
        for (const auto& [va, bp] : sw_) {
            if (bp.gpa >= gpa && bp.gpa < gpa + n) buf[bp.gpa - gpa] = bp.orig;
        }
        addr += n, buf += n, len -= n;
    }
    return true;
}

bool X86KvmDebug::write_memory(unsigned cpu, uint64_t addr, const uint8_t* buf, size_t len) {
    while (len) {
        uint64_t gpa, left;
        if (!translate(cpu, addr, &gpa, &left)) return false;
        size_t n = size_t(std::min<uint64_t>(left, len));
        if (!ram_write(gpa, buf, n)) return false;
        // A write over one of our breakpoints changes what it will restore.
        static const uint8_t kInt3 = 0xcc;
        for (auto& [va, bp] : sw_) {
            if (bp.gpa >= gpa && bp.gpa < gpa + n) {
                bp.orig = buf[bp.gpa - gpa];
                ram_write(bp.gpa, &kInt3, 1);
            }
        }
        addr += n, buf += n, len -= n;
    }
    return true;
}

bool X86KvmDebug::insert_breakpoint(BreakpointKind kind, uint64_t addr, uint64_t len) {
    if (kind == BreakpointKind::Software) {
        if (!(caps_ & KVM_GUESTDBG_USE_SW_BP)) return false;
        if (sw_.count(addr)) return true;
        uint64_t gpa, left;
        uint8_t orig;
        static const uint8_t kInt3 = 0xcc;
        if (!translate(0, addr, &gpa, &left) || !ram_read(gpa, &orig, 1)) return false;
        // ROM and MMIO cannot hold an int3.
        if (!ram_write(gpa, &kInt3, 1)) return false;
        sw_[addr] = SwBreak{gpa, orig};
        return true;
    }
    if (!(caps_ & KVM_GUESTDBG_USE_HW_BP)) return false;
    if (kind == BreakpointKind::WatchRead) {
        // x86 debug registers watch writes or reads+writes, never reads alone.
        warn_report("gdb: not supported on x86: read-only watchpoints (use awatch)");
        return false;
    }
    if (kind != BreakpointKind::Hardware) {
        if (data_bp_ok_ < 0) data_bp_ok_ = accel_ && kvm_data_breakpoints_work(*accel_);
        if (!data_bp_ok_) {
            warn_report(
                "gdb: not supported by this host's KVM: watchpoints (its debug registers "
                "never report data accesses); 'set can-use-hw-watchpoints 0' in gdb "
                "gives software watchpoints");
            return false;
        }
    }
    if (kind == BreakpointKind::Hardware) {
        len = 1;
    } else if ((len != 1 && len != 2 && len != 4 && len != 8) || (addr & (len - 1))) {
        warn_report(
            "gdb: not supported yet: a watchpoint of %llu bytes at 0x%llx (1, 2, 4 or 8 "
            "aligned bytes per debug register)",
            (unsigned long long)len, (unsigned long long)addr);
        return false;
    }
    for (auto& s : hw_) {
        if (!s.used) {
            s = HwSlot{true, kind, addr, len};
            return true;
        }
    }
    return false;  // all four debug registers in use
}

bool X86KvmDebug::remove_breakpoint(BreakpointKind kind, uint64_t addr, uint64_t len) {
    if (kind == BreakpointKind::Software) {
        auto it = sw_.find(addr);
        if (it == sw_.end()) return false;
        uint8_t cur = 0;
        // Restore only our own byte: the guest may have rewritten the code.
        if (ram_read(it->second.gpa, &cur, 1) && cur == 0xcc) {
            ram_write(it->second.gpa, &it->second.orig, 1);
        }
        sw_.erase(it);
        return true;
    }
    if (kind == BreakpointKind::Hardware) len = 1;
    for (auto& s : hw_) {
        if (s.used && s.kind == kind && s.addr == addr && s.len == len) {
            s.used = false;
            return true;
        }
    }
    return false;
}

bool X86KvmDebug::set_single_step(unsigned cpu, bool on) {
    if (cpu >= num_cpus()) return false;
    if (on) {
        if (!(caps_ & KVM_GUESTDBG_SINGLESTEP)) return false;
        step_cpu_ = int(cpu);
    } else if (step_cpu_ == int(cpu)) {
        step_cpu_ = -1;
    }
    return true;
}

uint64_t X86KvmDebug::dr7() const {
    uint64_t v = 0;
    for (unsigned i = 0; i < 4; ++i) {
        const HwSlot& s = hw_[i];
        if (!s.used) continue;
        uint64_t rw = s.kind == BreakpointKind::Hardware     ? 0
                      : s.kind == BreakpointKind::WatchWrite ? 1
                                                             : 3;
        uint64_t ln = s.len == 1 ? 0 : s.len == 2 ? 1 : s.len == 8 ? 2 : 3;
        v |= (2ull << (2 * i));  // G: global enable
        v |= (rw | (ln << 2)) << (16 + 4 * i);
    }
    if (v) v |= 1ull << 9;  // GE: exact data breakpoints
    return v;
}

kvm_guest_debug X86KvmDebug::debug_state(unsigned cpu) const {
    kvm_guest_debug d{};
    bool any_hw = false;
    for (const auto& s : hw_)
        any_hw |= s.used;
    bool step = step_cpu_ == int(cpu);
    if (sw_.empty() && !any_hw && !step) return d;  // guest debug off
    d.control = KVM_GUESTDBG_ENABLE;
    if (!sw_.empty()) d.control |= KVM_GUESTDBG_USE_SW_BP;
    if (any_hw) d.control |= KVM_GUESTDBG_USE_HW_BP;
    if (step) {
        d.control |= KVM_GUESTDBG_SINGLESTEP;
        // Step the instruction, not into an interrupt handler.
        if (caps_ & KVM_GUESTDBG_BLOCKIRQ) d.control |= KVM_GUESTDBG_BLOCKIRQ;
    }
    for (unsigned r = 0; r < 4; ++r)
        d.arch.debugreg[r] = hw_[r].used ? hw_[r].addr : 0;
    d.arch.debugreg[7] = dr7();
    return d;
}

bool X86KvmDebug::apply(std::string* err) {
    for (unsigned i = 0; i < num_cpus(); ++i) {
        if (!(*vcpus_)[i]->set_guest_debug(debug_state(i), err)) return false;
    }
    return true;
}

bool X86KvmDebug::reinject(unsigned cpu) {
    kvm::KvmVcpu* v = vcpu(cpu);
    if (!v) return false;
    uint32_t flag =
        v->last_debug_exit().exception == 3 ? KVM_GUESTDBG_INJECT_BP : KVM_GUESTDBG_INJECT_DB;
    if (!(caps_ & flag)) return false;
    kvm_guest_debug d = debug_state(cpu);
    // KVM queues the exception during the ioctl; the flag does not stick.
    d.control |= KVM_GUESTDBG_ENABLE | flag;
    return v->set_guest_debug(d);
}

bool X86KvmDebug::at_sw_breakpoint(unsigned cpu, uint64_t* addr) {
    kvm::KvmVcpu* v = vcpu(cpu);
    kvm_regs r{};
    kvm_sregs s{};
    if (!v || !v->get_regs(&r) || !v->get_sregs(&s)) return false;
    uint64_t linear = r.rip + s.cs.base;
    if (!(s.efer & (1u << 10))) linear &= 0xffffffffu;  // outside long mode
    auto it = sw_.find(linear);
    uint8_t cur = 0;
    if (it == sw_.end() || !ram_read(it->second.gpa, &cur, 1) || cur != 0xcc) return false;
    *addr = linear;
    return true;
}

bool X86KvmDebug::decode_exit(unsigned cpu, BreakpointKind* why, uint64_t* addr) const {
    *why = BreakpointKind::SingleStep;
    *addr = 0;
    kvm::KvmVcpu* v = vcpu(cpu);
    if (!v) return true;
    const auto& e = v->last_debug_exit();
    if (e.exception == 3) {
        *why = BreakpointKind::Software;
        *addr = e.pc;
        return sw_.count(e.pc) != 0;  // else the guest's own int3
    }
    for (unsigned i = 0; i < 4; ++i) {
        if ((e.dr6 & (1ull << i)) && hw_[i].used) {
            *why = hw_[i].kind;
            *addr = hw_[i].addr;
            return true;
        }
    }
    // A finished step (DR6.BS), or a #DB of the guest's own.
    return step_cpu_ == int(cpu) || (e.dr6 & (1ull << 14));
}

}  // namespace emu::x86

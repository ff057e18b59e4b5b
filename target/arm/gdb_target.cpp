#include "target/arm/gdb_target.h"

#include <algorithm>
#include <cstring>

#include "hw/core/gdb_blob.h"
#include "target/arm/cpu_api.h"
#include "util/log.h"

namespace emu::arm {

unsigned ArmGdbTarget::num_cpus() const {
    return unsigned(vcpus_->size());
}

ArmVcpuDebug* ArmGdbTarget::dbg(unsigned cpu) const {
    return cpu < vcpus_->size() ? (*vcpus_)[cpu]->debug() : nullptr;
}

std::string ArmGdbTarget::target_xml(const std::string& annex) const {
    return arm_gdb_target_xml(annex);
}

std::vector<uint8_t> ArmGdbTarget::read_registers(unsigned cpu) {
    ArmVcpuDebug* d = dbg(cpu);
    if (!d) return {};
    return arm_gdb_pack(d->get_gdb_regs());
}

bool ArmGdbTarget::write_registers(unsigned cpu, const std::vector<uint8_t>& blob) {
    ArmVcpuDebug* d = dbg(cpu);
    ArmGdbRegs r;
    return d && arm_gdb_unpack(blob, &r) && d->set_gdb_regs(r);
}

std::vector<uint8_t> ArmGdbTarget::read_register(unsigned cpu, unsigned regno) {
    if (regno >= gdbreg::kCount) {  // a system register ('p' only)
        size_t i = regno - gdbreg::kCount;
        ArmVcpuDebug* d = dbg(cpu);
        if (i >= arm_gdb_num_sysregs() || !d) return {};
        uint64_t v = d->get_gdb_regs().sys[i];
        std::vector<uint8_t> out(8);
        std::memcpy(out.data(), &v, 8);
        return out;
    }
    return read_blob_register(*this, cpu, arm_gdb_reg_offset(regno), arm_gdb_reg_size(regno));
}

bool ArmGdbTarget::write_register(unsigned cpu, unsigned regno, const std::vector<uint8_t>& v) {
    return write_blob_register(*this, cpu, arm_gdb_reg_offset(regno), arm_gdb_reg_size(regno), v);
}

bool ArmGdbTarget::read_memory(unsigned cpu, uint64_t addr, uint8_t* buf, size_t len) {
    ArmVcpuDebug* d = dbg(cpu);
    return d && d->debug_read(addr, buf, len);
}

bool ArmGdbTarget::write_memory(unsigned cpu, uint64_t addr, const uint8_t* buf, size_t len) {
    ArmVcpuDebug* d = dbg(cpu);
    if (!d || !d->debug_write(addr, buf, len)) return false;
    // Translated code of any vCPU may cover the bytes: they drop their
    // translations when they run next.
    ++cfg_.code_generation;
    push_config();
    return true;
}

bool ArmGdbTarget::insert_breakpoint(BreakpointKind kind, uint64_t addr, uint64_t len) {
    switch (kind) {
        case BreakpointKind::Software:
        case BreakpointKind::Hardware: {
            auto& list =
                kind == BreakpointKind::Software ? cfg_.sw_breakpoints : cfg_.hw_breakpoints;
            if (addr & 3) return false;  // A64 instructions are word aligned
            if (std::find(list.begin(), list.end(), addr) != list.end()) return true;
            if (list.size() >= kMaxGdbBreakpoints) return false;
            list.push_back(addr);
            break;
        }
        case BreakpointKind::WatchWrite:
        case BreakpointKind::WatchRead:
        case BreakpointKind::WatchAccess: {
            if (len == 0 || len > 4096 || addr + len < addr) {
                warn_report("gdb: not supported: a watchpoint of %llu bytes (1 to 4096)",
                            (unsigned long long)len);
                return false;
            }
            if (cfg_.watchpoints.size() >= kMaxGdbWatchpoints) return false;
            cfg_.watchpoints.push_back({addr, len, kind});
            break;
        }
        default:
            return false;
    }
    push_config();
    return true;
}

bool ArmGdbTarget::remove_breakpoint(BreakpointKind kind, uint64_t addr, uint64_t len) {
    bool found = false;
    if (kind == BreakpointKind::Software || kind == BreakpointKind::Hardware) {
        auto& list = kind == BreakpointKind::Software ? cfg_.sw_breakpoints : cfg_.hw_breakpoints;
        auto it = std::find(list.begin(), list.end(), addr);
        if (it != list.end()) {
            list.erase(it);
            found = true;
        }
    } else {
        auto& w = cfg_.watchpoints;
        auto it = std::find_if(w.begin(), w.end(), [&](const ArmDebugConfig::Watch& x) {
            return x.addr == addr && x.len == len && x.kind == kind;
        });
        if (it != w.end()) {
            w.erase(it);
            found = true;
        }
    }
    if (found) push_config();
    return found;
}

bool ArmGdbTarget::set_single_step(unsigned cpu, bool on) {
    if (cpu >= num_cpus()) return false;
    if (on) {
        step_cpu_ = int(cpu);
    } else if (step_cpu_ == int(cpu)) {
        step_cpu_ = -1;
    } else {
        return true;
    }
    push_config();
    return true;
}

void ArmGdbTarget::push_config() {
    for (unsigned i = 0; i < num_cpus(); ++i) {
        if (ArmVcpuDebug* d = dbg(i)) {
            ArmDebugConfig c = cfg_;
            c.single_step = step_cpu_ == int(i);
            d->set_debug_config(c);
        }
    }
}

BreakpointKind ArmGdbTarget::stop_reason(unsigned cpu, uint64_t* addr) {
    *addr = 0;
    ArmVcpuDebug* d = dbg(cpu);
    return d ? d->debug_stop_reason(addr) : BreakpointKind::SingleStep;
}

}  // namespace emu::arm

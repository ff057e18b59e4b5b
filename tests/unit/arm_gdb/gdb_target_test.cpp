// The aarch64 DebugTarget over the TCG vCPU: registers, memory by virtual
// address, software/hardware breakpoints in the translator, single steps
// (stopping at an exception vector), watchpoints through the soft TLB, and
// code the debugger rewrites.
#include <catch2/catch.hpp>
#include <cstring>
#include <variant>

#include "hw/core/address_space.h"
#include "hw/core/memory_region.h"
#include "target/arm/cpu_api.h"
#include "target/arm/gdb_target.h"

using namespace emu;
using namespace emu::arm;

namespace {

constexpr uint64_t kBase = 0x40000000;
constexpr uint64_t kData = kBase + 0x1000;  // also VBAR_EL1

struct Rig {
    std::unique_ptr<MemoryRegion> root = MemoryRegion::container("system", ~0ull);
    std::unique_ptr<MemoryRegion> ram = MemoryRegion::ram("ram", 1 << 20);
    std::unique_ptr<AddressSpace> as;
    std::vector<std::unique_ptr<ArmVcpu>> vcpus;
    std::unique_ptr<ArmGdbTarget> gdb;

    explicit Rig(const char* tier) {
        root->add_subregion(kBase, ram.get());
        as = std::make_unique<AddressSpace>("memory", root.get());
        const uint32_t prog[] = {
            0xd2800020,  // 0x00: mov x0, #1
            0xd2800041,  // 0x04: mov x1, #2
            0xd2a80002,  // 0x08: mov x2, #0x40000000
            0x91400442,  // 0x0c: add x2, x2, #1, lsl #12
            0xd518c002,  // 0x10: msr vbar_el1, x2
            0xf9000041,  // 0x14: str x1, [x2]
            0xf9400043,  // 0x18: ldr x3, [x2]
            0xd4000001,  // 0x1c: svc #0
            0x14000000,  // 0x20: b .
        };
        std::memcpy(ram->host_ptr(), prog, sizeof prog);
        const uint32_t spin = 0x14000000;  // b . at the sync vector (EL1h: +0x200)
        std::memcpy(ram->host_ptr() + 0x1200, &spin, 4);
        ArmCpuConfig cfg;
        cfg.memory = as.get();
        cfg.accel_options = std::string("tier=") + tier;
        std::string err;
        auto v = create_arm_vcpu(cfg, &err);
        REQUIRE(v);
        REQUIRE(v->debug());
        uint64_t x[4] = {};
        v->set_boot_state(kBase, x);
        vcpus.push_back(std::move(v));
        gdb = std::make_unique<ArmGdbTarget>(&vcpus);
    }
    uint64_t reg(unsigned n) {
        auto v = gdb->read_register(0, n);
        REQUIRE(v.size() >= 4);
        uint64_t r = 0;
        std::memcpy(&r, v.data(), std::min<size_t>(8, v.size()));
        return r;
    }
    void set_reg(unsigned n, uint64_t value) {
        std::vector<uint8_t> v(arm_gdb_reg_size(n));
        std::memcpy(v.data(), &value, std::min<size_t>(8, v.size()));
        REQUIRE(gdb->write_register(0, n, v));
    }
    uint64_t ram64(uint64_t gpa) {
        uint64_t v;
        std::memcpy(&v, ram->host_ptr() + (gpa - kBase), 8);
        return v;
    }
    // Runs until the debug exit; returns its reason.
    BreakpointKind run(uint64_t* addr) {
        VcpuExit e = vcpus[0]->run();
        REQUIRE(std::holds_alternative<exit::Debug>(e));
        return gdb->stop_reason(0, addr);
    }
};

}  // namespace

TEST_CASE("arm gdb target: breakpoints, watchpoints and steps on the translator", "[arm][gdb]") {
    const char* tier = GENERATE("interp", "llvm");
    Rig r(tier);
    uint64_t addr = 0;

    // Hardware then software breakpoint: the guest stops before each.
    REQUIRE(r.gdb->insert_breakpoint(BreakpointKind::Hardware, kBase + 4, 4));
    REQUIRE(r.gdb->insert_breakpoint(BreakpointKind::Software, kBase + 8, 4));
    CHECK(r.run(&addr) == BreakpointKind::Hardware);
    CHECK(r.reg(gdbreg::kPc) == kBase + 4);
    CHECK(r.reg(0) == 1);
    CHECK(r.reg(1) == 0);
    REQUIRE(r.gdb->remove_breakpoint(BreakpointKind::Hardware, kBase + 4, 4));
    CHECK_FALSE(r.gdb->remove_breakpoint(BreakpointKind::Hardware, kBase + 4, 4));
    CHECK(r.run(&addr) == BreakpointKind::Software);
    CHECK(r.reg(gdbreg::kPc) == kBase + 8);
    CHECK(r.reg(1) == 2);
    REQUIRE(r.gdb->remove_breakpoint(BreakpointKind::Software, kBase + 8, 4));

    // Write watchpoint: stops on the store, before memory changes.
    REQUIRE(r.gdb->insert_breakpoint(BreakpointKind::WatchWrite, kData, 8));
    CHECK(r.run(&addr) == BreakpointKind::WatchWrite);
    CHECK(addr == kData);
    CHECK(r.reg(gdbreg::kPc) == kBase + 0x14);
    CHECK(r.ram64(kData) == 0);
    REQUIRE(r.gdb->remove_breakpoint(BreakpointKind::WatchWrite, kData, 8));

    // Read watchpoint on the last byte: the store passes, the load stops.
    REQUIRE(r.gdb->insert_breakpoint(BreakpointKind::WatchRead, kData + 7, 1));
    CHECK(r.run(&addr) == BreakpointKind::WatchRead);
    CHECK(addr == kData + 7);
    CHECK(r.reg(gdbreg::kPc) == kBase + 0x18);
    CHECK(r.ram64(kData) == 2);
    CHECK(r.reg(3) == 0);
    REQUIRE(r.gdb->remove_breakpoint(BreakpointKind::WatchRead, kData + 7, 1));

    // Single steps: one instruction each; a stepped SVC stops at the vector.
    REQUIRE(r.gdb->set_single_step(0, true));
    CHECK(r.run(&addr) == BreakpointKind::SingleStep);
    CHECK(r.reg(gdbreg::kPc) == kBase + 0x1c);
    CHECK(r.reg(3) == 2);
    CHECK(r.run(&addr) == BreakpointKind::SingleStep);
    CHECK(r.reg(gdbreg::kPc) == kData + 0x200);
    CHECK((r.reg(gdbreg::kCpsr) & 0x3cf) == 0x3c5);  // EL1h, DAIF masked
    REQUIRE(r.gdb->set_single_step(0, false));

    // A pending, unmasked IRQ waits while stepping and is taken on continue.
    r.set_reg(gdbreg::kCpsr, 0x5);  // EL1h, DAIF clear
    r.set_reg(gdbreg::kPc, kBase);
    r.vcpus[0]->set_irq(kArmIrq, true);
    REQUIRE(r.gdb->set_single_step(0, true));
    CHECK(r.run(&addr) == BreakpointKind::SingleStep);
    CHECK(r.reg(gdbreg::kPc) == kBase + 4);
    REQUIRE(r.gdb->set_single_step(0, false));
    REQUIRE(r.gdb->insert_breakpoint(BreakpointKind::Hardware, kData + 0x280, 4));
    CHECK(r.run(&addr) == BreakpointKind::Hardware);
    CHECK(r.reg(gdbreg::kPc) == kData + 0x280);  // the IRQ vector (EL1h)
    REQUIRE(r.gdb->remove_breakpoint(BreakpointKind::Hardware, kData + 0x280, 4));
    r.vcpus[0]->set_irq(kArmIrq, false);

    // Rewrite code the vCPU already translated, then run it again from the start.
    REQUIRE(r.gdb->insert_breakpoint(BreakpointKind::Hardware, kBase + 4, 4));
    r.set_reg(gdbreg::kPc, kBase);
    CHECK(r.run(&addr) == BreakpointKind::Hardware);
    CHECK(r.reg(0) == 1);
    const uint8_t mov_x0_5[4] = {0xa0, 0x00, 0x80, 0xd2};  // mov x0, #5
    REQUIRE(r.gdb->write_memory(0, kBase, mov_x0_5, 4));
    r.set_reg(gdbreg::kPc, kBase);
    CHECK(r.run(&addr) == BreakpointKind::Hardware);
    CHECK(r.reg(0) == 5);
}

TEST_CASE("arm gdb target: registers and memory", "[arm][gdb]") {
    Rig r("interp");
    // Registers: a full write reads back; sp follows PSTATE.SP.
    auto blob = r.gdb->read_registers(0);
    REQUIRE(blob.size() == arm_gdb_blob_size());
    ArmGdbRegs g;
    REQUIRE(arm_gdb_unpack(blob, &g));
    CHECK(g.pc == kBase);
    CHECK((g.cpsr & 0xf) == 5);  // EL1h at boot
    g.x[5] = 0x5555;
    g.sp = kBase + 0x8000;
    g.v[3][15] = 0x7f;
    g.fpcr = 0x02000000;  // DN
    REQUIRE(r.gdb->write_registers(0, arm_gdb_pack(g)));
    CHECK(r.reg(5) == 0x5555);
    CHECK(r.reg(gdbreg::kSp) == kBase + 0x8000);
    CHECK(r.gdb->read_register(0, gdbreg::kV0 + 3)[15] == 0x7f);
    CHECK(r.reg(gdbreg::kFpcr) == 0x02000000);
    // Switch to EL1t: SP_EL0 (still 0) becomes visible; back to EL1h.
    r.set_reg(gdbreg::kCpsr, 0x3c4);
    CHECK(r.reg(gdbreg::kSp) == 0);
    r.set_reg(gdbreg::kCpsr, 0x3c5);
    CHECK(r.reg(gdbreg::kSp) == kBase + 0x8000);
    // AArch32 and EL2/EL3 do not exist here: refused, nothing changes.
    std::vector<uint8_t> bad = {0xd3, 0x01, 0, 0};  // M = 0x13 (AArch32 SVC)
    CHECK_FALSE(r.gdb->write_register(0, gdbreg::kCpsr, bad));
    std::vector<uint8_t> el2 = {0x09, 0, 0, 0};
    CHECK_FALSE(r.gdb->write_register(0, gdbreg::kCpsr, el2));
    CHECK(r.reg(gdbreg::kCpsr) == 0x3c5);
    CHECK(r.gdb->read_register(0, gdbreg::kCount).size() == 8);  // SCTLR
    CHECK(r.gdb->read_register(0, unsigned(gdbreg::kCount + arm_gdb_num_sysregs())).empty());
    CHECK_FALSE(r.gdb->write_register(0, gdbreg::kPc, {1, 2, 3}));  // wrong size
    CHECK(r.gdb->read_registers(7).empty());                        // no such CPU

    // Memory (MMU off: virtual == physical), across a page boundary.
    uint8_t buf[16];
    REQUIRE(r.gdb->read_memory(0, kBase, buf, 4));
    CHECK(buf[0] == 0x20);
    CHECK(buf[3] == 0xd2);
    uint8_t pattern[16];
    for (int i = 0; i < 16; ++i)
        pattern[i] = uint8_t(0xa0 + i);
    REQUIRE(r.gdb->write_memory(0, kBase + 0x2ff8, pattern, 16));
    REQUIRE(r.gdb->read_memory(0, kBase + 0x2ff8, buf, 16));
    CHECK(std::memcmp(buf, pattern, 16) == 0);
    // Unmapped, partly unmapped, beyond the physical address size: errors.
    CHECK_FALSE(r.gdb->read_memory(0, 0x1000, buf, 4));
    CHECK_FALSE(r.gdb->read_memory(0, kBase + (1 << 20) - 8, buf, 16));
    CHECK_FALSE(r.gdb->write_memory(0, kBase + (1 << 20) - 8, pattern, 16));
    CHECK_FALSE(r.gdb->read_memory(0, 1ull << 60, buf, 4));
    CHECK_FALSE(r.gdb->read_memory(0, ~0ull - 2, buf, 8));

    // Hostile breakpoint requests.
    CHECK_FALSE(r.gdb->insert_breakpoint(BreakpointKind::Software, kBase + 2, 4));  // misaligned
    CHECK_FALSE(r.gdb->insert_breakpoint(BreakpointKind::WatchWrite, kData, 0));
    CHECK_FALSE(r.gdb->insert_breakpoint(BreakpointKind::WatchWrite, ~0ull - 3, 8));  // wraps
    CHECK_FALSE(r.gdb->insert_breakpoint(BreakpointKind::SingleStep, kBase, 4));
    CHECK_FALSE(r.gdb->set_single_step(3, true));
}

TEST_CASE("arm gdb target: system registers, read-only, after an SVC", "[arm][gdb]") {
    Rig r("interp");
    auto sys = [&](const char* name) {
        const auto& names = arm_gdb_sysreg_names();
        for (size_t i = 0; i < names.size(); ++i) {
            if (std::string(names[i]) == name) return r.reg(unsigned(gdbreg::kCount + i));
        }
        FAIL("no system register " << name);
        return uint64_t(0);
    };
    r.set_reg(gdbreg::kSp, kBase + 0x8000);  // EL1h: SP_EL1
    uint64_t addr = 0;
    REQUIRE(r.gdb->insert_breakpoint(BreakpointKind::Hardware, kData + 0x200, 4));
    CHECK(r.run(&addr) == BreakpointKind::Hardware);  // at the sync vector
    CHECK(sys("VBAR") == kData);
    CHECK(sys("ESR_EL1") >> 26 == 0x15);  // SVC from AArch64
    CHECK(sys("ELR_EL1") == kBase + 0x20);
    CHECK((sys("SPSR_EL1") & 0xf) == 5);  // taken from EL1h
    CHECK(sys("SP_EL1") == kBase + 0x8000);
    CHECK(sys("SP_EL0") == 0);
    CHECK((sys("SCTLR") & 1) == 0);  // MMU off
    CHECK(sys("CTR_EL0") != 0);
    // EL1t: the current sp is SP_EL0 now, SP_EL1 keeps its value.
    r.set_reg(gdbreg::kCpsr, 0x3c4);
    r.set_reg(gdbreg::kSp, 0x1230);
    CHECK(sys("SP_EL0") == 0x1230);
    CHECK(sys("SP_EL1") == kBase + 0x8000);
    // Read-only: a write is refused and changes nothing.
    std::vector<uint8_t> zero(8, 0);
    CHECK_FALSE(r.gdb->write_register(0, gdbreg::kCount + 2, zero));
    CHECK(sys("VBAR") == kData);
}

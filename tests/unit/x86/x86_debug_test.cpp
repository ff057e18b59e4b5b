// The x86 KVM debug target against the real /dev/kvm: registers, memory
// through the page walk, int3 breakpoints (hidden from reads), debug
// register breakpoints and watchpoints, single step. Skipped (with a
// message) where /dev/kvm is unusable.
#include <catch2/catch.hpp>

#include <cstring>

#include "hw/x86/x86_debug.h"
#include "kvm_test_vm.h"
#include "target/x86/gdb_regs.h"

using namespace emu;

namespace {

// mov $0x1234,%eax; nop; mov %eax,0x3000; out %al,$0xf4; hlt
const std::vector<uint8_t> kCode = {0xb8, 0x34, 0x12, 0x00, 0x00, 0x90, 0xa3,
                                    0x00, 0x30, 0x00, 0x00, 0xe6, 0xf4, 0xf4};

struct CountingMmio : MmioHandler {
    unsigned reads = 0, writes = 0;
    uint64_t mmio_read(uint64_t, unsigned) override { return ++reads, 0; }
    void mmio_write(uint64_t, uint64_t, unsigned) override { ++writes; }
};

// kCode at 0x1000 ready to run, a device at 0x400000, and the debug target.
struct DebugVm : test::KvmTestVm {
    CountingMmio dev;
    std::unique_ptr<x86::X86KvmDebug> dbg;

    DebugVm() { regions.emplace_back(0x400000, MemoryRegion::io("dev", 0x1000, &dev)); }
    bool open() {
        if (!KvmTestVm::open()) return false;
        start32(kCode);
        int caps = accel->check_extension(KVM_CAP_SET_GUEST_DEBUG2);
        dbg = std::make_unique<x86::X86KvmDebug>(&vcpus, as.get(), uint32_t(caps > 0 ? caps : 0),
                                                 accel.get());
        return true;
    }
    VcpuExit run() {
        REQUIRE(dbg->apply(&why));
        return vcpus[0]->run();
    }
    uint64_t rip() {
        kvm_regs r{};
        REQUIRE(vcpus[0]->get_regs(&r));
        return r.rip;
    }
};

}  // namespace

TEST_CASE("x86 KVM debug: registers and memory", "[x86][kvm][gdb]") {
    DebugVm v;
    KVM_OR_SKIP(v);
    auto blob = v.dbg->read_registers(0);
    REQUIRE(blob.size() == x86::x86_gdb_blob_size());
    auto rip = v.dbg->read_register(0, x86::gdbreg::kRip);
    REQUIRE(rip.size() == 8);
    uint64_t r;
    std::memcpy(&r, rip.data(), 8);
    CHECK(r == 0x1000);
    // Write rbx (gdb register 1) and read it back through KVM.
    std::vector<uint8_t> val = {0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11};
    REQUIRE(v.dbg->write_register(0, 1, val));
    kvm_regs kr{};
    REQUIRE(v.vcpus[0]->get_regs(&kr));
    CHECK(kr.rbx == 0x1122334455667788ull);
    CHECK_FALSE(v.dbg->write_register(0, 1, {1, 2}));                          // wrong size
    CHECK(v.dbg->read_register(0, 999).empty());                               // unknown register
    CHECK_FALSE(v.dbg->write_register(0, x86::gdbreg::kCs, {0x23, 0, 0, 0}));  // refused
    // The whole blob round-trips.
    blob = v.dbg->read_registers(0);
    REQUIRE(v.dbg->write_registers(0, blob));
    CHECK(v.dbg->read_registers(0) == blob);
    CHECK_FALSE(v.dbg->write_registers(0, std::vector<uint8_t>(10)));

    uint8_t buf[4] = {};
    REQUIRE(v.dbg->read_memory(0, 0x1000, buf, 4));
    CHECK(buf[0] == 0xb8);
    CHECK(buf[1] == 0x34);
    const uint8_t w[2] = {0x5a, 0xa5};
    REQUIRE(v.dbg->write_memory(0, 0x4000, w, 2));
    CHECK(v.ram->host_ptr()[0x4001] == 0xa5);
    // Beyond RAM: an error, not a crash.
    CHECK_FALSE(v.dbg->read_memory(0, 0xfffff0, buf, 4));
    CHECK_FALSE(v.dbg->read_memory(0, 0xffffe, buf, 4));  // straddles the end of RAM
    // Devices are never touched by the debugger.
    CHECK_FALSE(v.dbg->read_memory(0, 0x400000, buf, 4));
    CHECK_FALSE(v.dbg->write_memory(0, 0x400000, w, 2));
    CHECK(v.dev.reads == 0);
    CHECK(v.dev.writes == 0);
    CHECK(v.dbg->num_cpus() == 1);
}

TEST_CASE("x86 KVM debug: software breakpoint", "[x86][kvm][gdb]") {
    DebugVm v;
    KVM_OR_SKIP(v);
    REQUIRE(v.dbg->insert_breakpoint(BreakpointKind::Software, 0x1005, 1));
    CHECK(v.ram->host_ptr()[0x1005] == 0xcc);
    uint8_t b = 0;
    REQUIRE(v.dbg->read_memory(0, 0x1005, &b, 1));
    CHECK(b == 0x90);  // hidden from gdb
    // A gdb write over the breakpoint changes what removal restores.
    const uint8_t nop = 0x90;
    REQUIRE(v.dbg->write_memory(0, 0x1005, &nop, 1));
    CHECK(v.ram->host_ptr()[0x1005] == 0xcc);

    auto ex = v.run();
    BreakpointKind why;
    uint64_t addr;
    if (std::holds_alternative<exit::Debug>(ex)) {
        CHECK(v.dbg->decode_exit(0, &why, &addr));
        CHECK(why == BreakpointKind::Software);
    } else {
        // kvm_pvm: the int3 fails as an emulation error, RIP left on it.
        REQUIRE(std::holds_alternative<exit::Error>(ex));
        REQUIRE(v.dbg->at_sw_breakpoint(0, &addr));
    }
    CHECK(addr == 0x1005);
    CHECK(v.rip() == 0x1005);
    REQUIRE(v.dbg->remove_breakpoint(BreakpointKind::Software, 0x1005, 1));
    CHECK(v.ram->host_ptr()[0x1005] == 0x90);
    uint64_t other;
    CHECK_FALSE(v.dbg->at_sw_breakpoint(0, &other));  // no longer ours
    CHECK_FALSE(v.dbg->remove_breakpoint(BreakpointKind::Software, 0x1005, 1));
    ex = v.run();
    auto* p = std::get_if<exit::Pio>(&ex);
    REQUIRE(p);
    CHECK(p->port == 0xf4);
}

TEST_CASE("x86 KVM debug: single step", "[x86][kvm][gdb]") {
    DebugVm v;
    KVM_OR_SKIP(v);
    REQUIRE(v.dbg->set_single_step(0, true));
    CHECK(v.dbg->stepping_cpu() == 0);
    auto ex = v.run();
    REQUIRE(std::holds_alternative<exit::Debug>(ex));
    BreakpointKind why;
    uint64_t addr;
    CHECK(v.dbg->decode_exit(0, &why, &addr));
    CHECK(why == BreakpointKind::SingleStep);
    CHECK(v.rip() == 0x1005);
    ex = v.run();
    REQUIRE(std::holds_alternative<exit::Debug>(ex));
    CHECK(v.rip() == 0x1006);
    REQUIRE(v.dbg->set_single_step(0, false));
    CHECK(v.dbg->stepping_cpu() == -1);
    CHECK_FALSE(v.dbg->set_single_step(5, true));
    ex = v.run();
    CHECK(std::holds_alternative<exit::Pio>(ex));
}

TEST_CASE("x86 KVM debug: hardware breakpoint and watchpoint", "[x86][kvm][gdb]") {
    DebugVm v;
    KVM_OR_SKIP(v);
    REQUIRE(v.dbg->insert_breakpoint(BreakpointKind::Hardware, 0x1006, 1));
    if (!x86::kvm_data_breakpoints_work(*v.accel)) {
        // kvm_pvm: watchpoints are refused with a message, not silently lost.
        WARN("this KVM does not report data breakpoints: watchpoints refused");
        CHECK_FALSE(v.dbg->insert_breakpoint(BreakpointKind::WatchWrite, 0x3000, 4));
        auto ex = v.run();
        REQUIRE(std::holds_alternative<exit::Debug>(ex));
        BreakpointKind why;
        uint64_t addr;
        CHECK(v.dbg->decode_exit(0, &why, &addr));
        CHECK(why == BreakpointKind::Hardware);
        CHECK(addr == 0x1006);
        CHECK(v.rip() == 0x1006);
        return;
    }
    REQUIRE(v.dbg->insert_breakpoint(BreakpointKind::WatchWrite, 0x3000, 4));
    CHECK(v.ram->host_ptr()[0x1006] == 0xa3);  // no patching
    auto ex = v.run();
    REQUIRE(std::holds_alternative<exit::Debug>(ex));
    BreakpointKind why;
    uint64_t addr;
    CHECK(v.dbg->decode_exit(0, &why, &addr));
    CHECK(why == BreakpointKind::Hardware);
    CHECK(addr == 0x1006);
    CHECK(v.rip() == 0x1006);
    REQUIRE(v.dbg->remove_breakpoint(BreakpointKind::Hardware, 0x1006, 1));
    ex = v.run();
    REQUIRE(std::holds_alternative<exit::Debug>(ex));
    CHECK(v.dbg->decode_exit(0, &why, &addr));
    CHECK(why == BreakpointKind::WatchWrite);
    CHECK(addr == 0x3000);
    CHECK(v.rip() == 0x100b);  // a trap: after the store
    uint32_t stored;
    std::memcpy(&stored, v.ram->host_ptr() + 0x3000, 4);
    CHECK(stored == 0x1234);
    REQUIRE(v.dbg->remove_breakpoint(BreakpointKind::WatchWrite, 0x3000, 4));
    CHECK_FALSE(v.dbg->remove_breakpoint(BreakpointKind::WatchWrite, 0x3000, 4));

    // What the debug registers cannot do is refused.
    CHECK_FALSE(v.dbg->insert_breakpoint(BreakpointKind::WatchRead, 0x3000, 4));
    CHECK_FALSE(v.dbg->insert_breakpoint(BreakpointKind::WatchWrite, 0x3001, 4));
    CHECK_FALSE(v.dbg->insert_breakpoint(BreakpointKind::WatchWrite, 0x3000, 3));
    for (int i = 0; i < 4; ++i)
        REQUIRE(v.dbg->insert_breakpoint(BreakpointKind::WatchAccess, 0x3000 + 8 * i, 8));
    CHECK_FALSE(v.dbg->insert_breakpoint(BreakpointKind::Hardware, 0x1000, 1));  // all in use
}

TEST_CASE("x86 KVM debug: the guest's own int3 is not a breakpoint", "[x86][kvm][gdb]") {
    DebugVm v;
    KVM_OR_SKIP(v);
    // The guest's int3 at 0x1005; ours elsewhere turns #BP interception on.
    v.ram->host_ptr()[0x1005] = 0xcc;
    REQUIRE(v.dbg->insert_breakpoint(BreakpointKind::Software, 0x1006, 1));
    auto ex = v.run();
    uint64_t addr;
    if (std::holds_alternative<exit::Debug>(ex)) {
        BreakpointKind why;
        CHECK_FALSE(v.dbg->decode_exit(0, &why, &addr));
        CHECK(addr == 0x1005);
        // Handed back to the guest: with no IDT it triple-faults.
        REQUIRE(v.dbg->reinject(0));
        ex = v.run();
        CHECK(std::holds_alternative<exit::Reset>(ex));
    } else {
        // kvm_pvm: an emulation failure that is not at one of our breakpoints.
        REQUIRE(std::holds_alternative<exit::Error>(ex));
        CHECK_FALSE(v.dbg->at_sw_breakpoint(0, &addr));
    }
}

#include "system/gdbstub/gdbstub.h"

#include <catch2/catch.hpp>
#include <cstring>
#include <map>

#include "tests/unit/support/fakes.h"

using namespace emu;
using namespace emu::test;

namespace {

// 256 bytes of memory, two registers of 0x11 bytes, a 300-byte target.xml.
struct FakeTarget : FakeDebugTarget {
    FakeTarget() : FakeDebugTarget(256, 2, 0x11, std::string(300, 'x')) {}
};

}  // namespace

TEST_CASE("gdb framing: checksums, escapes, acks, Ctrl-C", "[gdb]") {
    std::vector<std::string> got;
    std::string acks;
    int interrupts = 0;
    GdbPacketReader r({[&](std::string p) { got.push_back(p); }, [&] { ++interrupts; },
                       [&](char a) { acks += a; }});
    std::string f = gdb_frame("m1000,4");
    r.feed(reinterpret_cast<const uint8_t*>(f.data()), f.size());
    REQUIRE(got.size() == 1);
    CHECK(got[0] == "m1000,4");
    CHECK(acks == "+");
    // An escaped payload round-trips.
    f = gdb_frame("X0,4:$#}*");
    r.feed(reinterpret_cast<const uint8_t*>(f.data()), f.size());
    CHECK(got.back() == "X0,4:$#}*");
    // Corrupt checksum: nak, no packet.
    std::string bad = "$g#00";
    r.feed(reinterpret_cast<const uint8_t*>(bad.data()), bad.size());
    CHECK(acks.back() == '-');
    CHECK(got.size() == 2);
    uint8_t ctrl_c = 3;
    r.feed(&ctrl_c, 1);
    CHECK(interrupts == 1);
    // An oversized packet is refused, not buffered without bound.
    std::string huge = "$" + std::string(GdbPacketReader::kMaxPacket * 2, 'a') + "#00";
    r.feed(reinterpret_cast<const uint8_t*>(huge.data()), huge.size());
    CHECK(got.size() == 2);
    CHECK(acks.back() == '-');
}

TEST_CASE("gdb stub: queries, registers, memory, breakpoints, stepping", "[gdb]") {
    RecordingBackend w;
    FakeVm vm;
    FakeTarget t;
    GdbStub stub(&w, &vm, &t);
    stub.char_event(CharEvent::Opened);
    CHECK(vm.state == RunState::Paused);  // attaching stops the VM

    CHECK(stub.handle("qSupported:multiprocess+").find("qXfer:features:read+") !=
          std::string::npos);
    CHECK(stub.handle("qfThreadInfo") == "m1,2");
    CHECK(stub.handle("qsThreadInfo") == "l");
    CHECK(stub.handle("?").rfind("T05thread:1;", 0) == 0);
    CHECK(stub.handle("g") == std::string(32, '1'));
    CHECK(stub.handle("G" + std::string(32, '2')) == "OK");
    CHECK(t.regs[0] == 0x22);
    CHECK(stub.handle("G12") == "E22");  // wrong size
    CHECK(stub.handle("p1") == std::string(16, '2'));
    CHECK(stub.handle("p99") == "E22");
    CHECK(stub.handle("M10,2:abcd") == "OK");
    CHECK(t.mem[0x10] == 0xab);
    CHECK(stub.handle("m10,2") == "abcd");
    CHECK(stub.handle("m1000,4") == "E14");
    CHECK(stub.handle("mzz,4") == "E22");
    CHECK(stub.handle("m10") == "E22");
    CHECK(stub.handle("M10,3:abcd") == "E22");  // length mismatch
    CHECK(stub.handle("X20,2:\x01\x02") == "OK");
    CHECK(t.mem[0x21] == 2);
    CHECK(stub.handle("Z0,400000,4") == "OK");
    CHECK(t.bps.count(0x400000));
    CHECK(stub.handle("z0,400000,4") == "OK");
    CHECK(stub.handle("Z9,0,0") == "");
    CHECK(stub.handle("Hg2") == "OK");
    CHECK(stub.handle("Hg7") == "E22");
    CHECK(stub.handle("T2") == "OK");
    CHECK(stub.handle("T3") == "E22");

    std::string x1 = stub.handle("qXfer:features:read:target.xml:0,100");
    CHECK(x1[0] == 'm');
    CHECK(x1.size() == 0x101);
    std::string x2 = stub.handle("qXfer:features:read:target.xml:100,1000");
    CHECK(x2[0] == 'l');
    CHECK(stub.handle("qXfer:features:read:nope.xml:0,10") == "E00");

    // vCont;s:2 steps CPU 1 (thread 2) and resumes; the stop reply comes
    // when the system reports the VM stopped.
    w.out.clear();
    CHECK(stub.handle("vCont;s:2;c") == "\x01");
    CHECK(t.stepping == 1);
    CHECK(vm.state == RunState::Running);
    stub.debug_stop(1, BreakpointKind::SingleStep, 0);
    vm.pause();
    stub.on_vm_stopped();
    CHECK(w.out.find("T05thread:2;") != std::string::npos);
    // A finished step is a plain SIGTRAP, not a breakpoint hit.
    CHECK(w.out.find("swbreak") == std::string::npos);
    CHECK(t.stepping == -1);

    // Detaching resumes the guest.
    stub.char_event(CharEvent::Closed);
    CHECK(vm.state == RunState::Running);
}

// The gdb stub on a hostile byte stream, over a target with 4 KiB of memory.
#include <cstring>
#include <string>

#include "system/gdbstub/gdbstub.h"
#include "tests/unit/support/fakes.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    emu::test::RecordingBackend w;
    emu::test::FakeVm vm;
    // 4 KiB of memory, 34 registers of 8 bytes.
    emu::test::FakeDebugTarget t(4096, 34, 0, "<target/>");
    emu::GdbStub stub(&w, &vm, &t);
    stub.char_event(emu::CharEvent::Opened);
    stub.receive(data, size);
    // Also hand the raw bytes to the command handler as one packet.
    stub.handle(std::string(reinterpret_cast<const char*>(data), size));
    return 0;
}

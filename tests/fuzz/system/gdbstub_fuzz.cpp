// The gdb stub on a hostile byte stream, over a target with 4 KiB of memory.
#include <cstring>
#include <string>

#include "system/gdbstub/gdbstub.h"

namespace {
struct Wire : emu::CharBackend {
    size_t bytes = 0;
    emu::CharFrontend* fe = nullptr;
    size_t write(const uint8_t*, size_t n) override {
        bytes += n;
        return n;
    }
    void set_frontend(emu::CharFrontend* f) override { fe = f; }
};
struct Vm : emu::VmControl {
    emu::RunState s = emu::RunState::Running;
    emu::RunState run_state() const override { return s; }
    void pause() override { s = emu::RunState::Paused; }
    void resume() override { s = emu::RunState::Running; }
    void system_reset() override {}
    void system_powerdown() override {}
    void quit() override {}
    std::string guest_name() const override { return ""; }
};
struct Target : emu::DebugTarget {
    uint8_t mem[4096] = {};
    std::vector<uint8_t> regs = std::vector<uint8_t>(8 * 34, 0);
    unsigned num_cpus() const override { return 2; }
    std::string target_xml(const std::string& a) const override {
        return a == "target.xml" ? "<target/>" : "";
    }
    std::vector<uint8_t> read_registers(unsigned) override { return regs; }
    bool write_registers(unsigned, const std::vector<uint8_t>& b) override {
        if (b.size() != regs.size()) return false;
        regs = b;
        return true;
    }
    std::vector<uint8_t> read_register(unsigned, unsigned n) override {
        if (n >= 34) return {};
        return std::vector<uint8_t>(regs.begin() + n * 8, regs.begin() + n * 8 + 8);
    }
    bool write_register(unsigned, unsigned n, const std::vector<uint8_t>& v) override {
        if (n >= 34 || v.size() != 8) return false;
        std::memcpy(regs.data() + n * 8, v.data(), 8);
        return true;
    }
    bool read_memory(unsigned, uint64_t a, uint8_t* b, size_t l) override {
        if (a >= sizeof mem || l > sizeof mem - a) return false;
        std::memcpy(b, mem + a, l);
        return true;
    }
    bool write_memory(unsigned, uint64_t a, const uint8_t* b, size_t l) override {
        if (a >= sizeof mem || l > sizeof mem - a) return false;
        std::memcpy(mem + a, b, l);
        return true;
    }
    bool insert_breakpoint(emu::BreakpointKind, uint64_t, uint64_t) override { return true; }
    bool remove_breakpoint(emu::BreakpointKind, uint64_t, uint64_t) override { return true; }
    bool set_single_step(unsigned cpu, bool) override { return cpu < 2; }
};
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    Wire w;
    Vm vm;
    Target t;
    emu::GdbStub stub(&w, &vm, &t);
    stub.char_event(emu::CharEvent::Opened);
    stub.receive(data, size);
    // Also hand the raw bytes to the command handler as one packet.
    stub.handle(std::string(reinterpret_cast<const char*>(data), size));
    return 0;
}

#pragma once
// The gdb stub: gdb's remote protocol on a chardev (-gdb tcp::1234 / -s),
// over an accelerator-neutral DebugTarget. vCPUs appear as gdb threads
// (thread id = CPU index + 1).
#include <string>

#include "hw/core/char_backend.h"
#include "hw/core/debug.h"
#include "system/gdbstub/gdb_packet.h"
#include "system/vm_control.h"

namespace emu {

class GdbStub : public CharFrontend, public DebugEvents {
  public:
    GdbStub(CharBackend* chr, VmControl* vm, DebugTarget* target);
    // The chardev outlives the stub (and the machine behind target): it
    // must not call back into either when it closes at exit.
    ~GdbStub() override { chr_->set_frontend(nullptr); }

    size_t can_receive() override { return 4096; }
    void receive(const uint8_t* data, size_t len) override { reader_.feed(data, len); }
    void char_event(CharEvent ev) override;

    // DebugEvents: called on a vCPU thread; the report is sent from the
    // main loop once the VM has stopped (see on_vm_stopped).
    void debug_stop(unsigned cpu, BreakpointKind why, uint64_t watch_addr) override;
    // The system calls this on the main loop after a debug stop paused the VM.
    void on_vm_stopped();

    // One request -> reply payload (exposed for tests; "" = unsupported).
    std::string handle(const std::string& packet);

  private:
    void send_packet(const std::string& payload);
    std::string stop_reply() const;
    std::string resume(bool step, unsigned step_cpu);
    std::string handle_vcont(const std::string& args);
    std::string handle_query(const std::string& p);
    std::string handle_breakpoint(const std::string& p, bool insert);
    bool parse_thread(const std::string& s, int* cpu) const;

    CharBackend* chr_;
    VmControl* vm_;
    DebugTarget* target_;
    GdbPacketReader reader_;
    bool no_ack_ = false;
    bool attached_ = false;
    bool waiting_for_stop_ = false;  // gdb sent c/s and awaits a stop reply
    int g_cpu_ = 0;                  // Hg: register/memory accesses
    unsigned stop_cpu_ = 0;
    BreakpointKind stop_why_ = BreakpointKind::Software;
    uint64_t stop_addr_ = 0;
    int stop_signal_ = 5;  // SIGTRAP
};

}  // namespace emu

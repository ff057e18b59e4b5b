#pragma once
// QMP: QEMU's JSON machine protocol on a chardev, so that existing QMP
// clients (libvirt-style scripts, qmp-shell, python qemu.qmp) work.
#include <string>

#include "hw/core/char_backend.h"
#include "system/vm_control.h"
#include "util/json.h"

namespace emu {

class HumanMonitor;

class QmpMonitor : public CharFrontend {
  public:
    static constexpr size_t kMaxInput = 1 << 20;  // per command

    QmpMonitor(CharBackend* chr, VmControl* vm, std::string target_arch, HumanMonitor* hmp);

    size_t can_receive() override { return 4096; }
    void receive(const uint8_t* data, size_t len) override;
    void char_event(CharEvent ev) override;

    // Sends {"event": name, "data": data, "timestamp": ...} if negotiated.
    void emit_event(const std::string& name, Json data);

    // Handles one parsed request and returns the response (tests use this).
    Json dispatch(const Json& request);

  private:
    void send(const Json& msg);
    void handle_text(const std::string& text);
    Json run_command(const std::string& name, const Json& args, bool* found);

    CharBackend* chr_;
    VmControl* vm_;
    std::string arch_;
    HumanMonitor* hmp_;
    bool negotiated_ = false;
    // Streaming splitter state: we collect one top-level value at a time.
    std::string buf_;
    int depth_ = 0;
    bool in_string_ = false;
    bool escape_ = false;
    bool discarding_ = false;
};

Json qmp_error(const std::string& cls, const std::string& desc);

}  // namespace emu

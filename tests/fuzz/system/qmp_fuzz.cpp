// QMP over a byte stream: whatever arrives, every reply is one valid JSON
// object per line.
#include <cstdlib>
#include <string>

#include "system/monitor/hmp.h"
#include "system/monitor/qmp.h"
#include "tests/unit/support/fakes.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    emu::test::RecordingBackend w;
    emu::test::FakeVm vm("fuzz");
    emu::HumanMonitor hmp(nullptr, &vm);
    emu::QmpMonitor q(&w, &vm, "aarch64", &hmp);
    q.char_event(emu::CharEvent::Opened);
    // Negotiate first half the time so that commands get past the gate.
    if (size && (data[0] & 1)) {
        std::string n = R"({"execute":"qmp_capabilities"})";
        q.receive(reinterpret_cast<const uint8_t*>(n.data()), n.size());
    }
    q.receive(data, size);
    size_t pos = 0;
    std::string err;
    while (pos < w.out.size()) {
        size_t end = w.out.find("\r\n", pos);
        if (end == std::string::npos) std::abort();  // replies are whole lines
        auto v = emu::Json::parse(w.out.substr(pos, end - pos), &err);
        if (!v || !v->is_object()) std::abort();
        pos = end + 2;
    }
    return 0;
}

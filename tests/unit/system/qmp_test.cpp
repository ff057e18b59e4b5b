#include "system/monitor/qmp.h"

#include <catch2/catch.hpp>

#include "system/monitor/hmp.h"
#include "tests/unit/support/fakes.h"

using namespace emu;
using namespace emu::test;

namespace {
struct Wire : CharBackend {
    std::vector<std::string> lines;
    std::string partial;
    CharFrontend* fe = nullptr;
    size_t write(const uint8_t* d, size_t n) override {
        partial.append(reinterpret_cast<const char*>(d), n);
        size_t pos;
        while ((pos = partial.find("\r\n")) != std::string::npos) {
            lines.push_back(partial.substr(0, pos));
            partial.erase(0, pos + 2);
        }
        return n;
    }
    void set_frontend(CharFrontend* f) override { fe = f; }
    void send(const std::string& s) {
        fe->receive(reinterpret_cast<const uint8_t*>(s.data()), s.size());
    }
};

Json last(const Wire& w) {
    std::string err;
    auto j = Json::parse(w.lines.back(), &err);
    REQUIRE(j);
    return *j;
}
}  // namespace

TEST_CASE("qmp: greeting, negotiation, commands and errors", "[qmp]") {
    Wire w;
    FakeVm vm("vm0");
    HumanMonitor hmp(nullptr, &vm);
    QmpMonitor q(&w, &vm, "aarch64", &hmp);
    q.char_event(CharEvent::Opened);
    REQUIRE(w.lines.size() == 1);
    CHECK(last(w).find("QMP")->find("version")->find("qemu")->find("major")->as_int() == 7);

    w.send(R"({"execute": "query-status"})");
    CHECK(last(w).find("error")->find("class")->as_string() == "CommandNotFound");

    w.send(R"({"execute": "qmp_capabilities", "id": 1})");
    CHECK(last(w).find("return") != nullptr);
    CHECK(last(w).find("id")->as_int() == 1);

    // Split across reads, with strings containing braces.
    w.send(R"({"execute": "query-status", "id": "a}{)");
    w.send(R"("})");
    CHECK(last(w).find("return")->find("status")->as_string() == "running");
    CHECK(last(w).find("id")->as_string() == "a}{");

    w.send(R"({"execute": "stop"}{"execute": "query-status"})");
    CHECK(last(w).find("return")->find("running")->as_bool() == false);

    q.emit_event("STOP", Json());
    CHECK(last(w).find("event")->as_string() == "STOP");
    CHECK(last(w).find("timestamp")->find("seconds") != nullptr);

    w.send(R"({"execute": "no-such-thing"})");
    CHECK(last(w).find("error")->find("class")->as_string() == "CommandNotFound");
    w.send(R"({"execute": "stop", "arguments": {"bogus": 1}})");
    CHECK(last(w).find("error") != nullptr);
    w.send(R"({"execute": "stop", "frob": 1})");
    CHECK(last(w).find("error")->find("desc")->as_string().find("frob") != std::string::npos);
    w.send(R"([1, 2])");
    CHECK(last(w).find("error") != nullptr);
    w.send(R"({"execute": 5})");
    CHECK(last(w).find("error") != nullptr);
    w.send(R"({"execute": "x" "y"})");
    CHECK(last(w).find("error")->find("desc")->as_string().find("parse error") !=
          std::string::npos);

    w.send(R"({"execute": "human-monitor-command", "arguments": {"command-line": "info name"}})");
    CHECK(last(w).find("return")->as_string() == "vm0\n");

    w.send(R"({"execute": "quit"})");
    CHECK(vm.quitted);
    CHECK(last(w).find("return") != nullptr);
}

TEST_CASE("qmp: oversized input is refused without growing forever", "[qmp]") {
    Wire w;
    FakeVm vm("vm0");
    QmpMonitor q(&w, &vm, "aarch64", nullptr);
    q.char_event(CharEvent::Opened);
    std::string big = "{\"execute\": \"" + std::string(QmpMonitor::kMaxInput + 10, 'a');
    w.send(big);
    size_t n = w.lines.size();
    CHECK(last(w).find("error")->find("desc")->as_string().find("too large") != std::string::npos);
    // The rest of the oversized line is dropped; the next line works again.
    w.send("aaaa\"}\n");
    CHECK(w.lines.size() == n);
    w.send(R"({"execute": "qmp_capabilities"})");
    CHECK(last(w).find("return") != nullptr);
    // Stray top-level garbage gets a single error.
    n = w.lines.size();
    w.send("garbage{\"execute\": \"query-name\"}");
    CHECK(w.lines.size() == n + 2);
    CHECK(last(w).find("return")->find("name")->as_string() == "vm0");
}

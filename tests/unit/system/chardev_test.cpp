#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

#include "system/chardev/chardev.h"
#include "system/chardev/mux.h"
#include "system/monitor/hmp.h"
#include "tests/unit/support/fakes.h"
#include "util/bql.h"

using namespace emu;
using namespace emu::test;

namespace {

struct Sink : CharFrontend {
    std::string got;
    size_t room = 1 << 20;
    std::vector<CharEvent> events;
    size_t can_receive() override { return room; }
    void receive(const uint8_t* d, size_t n) override {
        got.append(reinterpret_cast<const char*>(d), n);
        room -= std::min(room, n);
    }
    void char_event(CharEvent ev) override { events.push_back(ev); }
};

std::string temp_path(const char* tag) {
    char buf[] = "/tmp/emu-chardev-XXXXXX";
    int fd = mkstemp(buf);
    close(fd);
    return std::string(buf) + tag;
}

std::string slurp(const std::string& p) {
    std::ifstream f(p);
    std::stringstream s;
    s << f.rdbuf();
    return s.str();
}

}  // namespace

TEST_CASE("file chardev writes output and feeds input with back-pressure", "[chardev]") {
    BqlGuard lock;
    EventLoop loop;
    std::string out = temp_path(".out"), in = temp_path(".in");
    {
        std::ofstream f(in);
        f << "abcdef";
    }
    std::string err;
    auto c = make_file_chardev("f", out, in, false, &loop, &err);
    REQUIRE(c);
    Sink s;
    s.room = 2;
    c->set_frontend(&s);
    c->write(reinterpret_cast<const uint8_t*>("hello"), 5);
    for (int i = 0; i < 5; ++i)
        loop.run_once(1'000'000);
    CHECK(s.got == "ab");  // only as much as the frontend could take
    s.room = 100;
    c->accept_input();
    for (int i = 0; i < 5; ++i)
        loop.run_once(1'000'000);
    CHECK(s.got == "abcdef");
    c.reset();
    CHECK(slurp(out) == "hello");
    unlink(out.c_str());
    unlink(in.c_str());
}

TEST_CASE("chardev manager rejects bad specs with clear errors", "[chardev]") {
    EventLoop loop;
    ChardevManager mgr(&loop);
    std::string err;
    bool mux = false;
    CHECK(mgr.create_from_spec("bogus", "x", &err, &mux) == nullptr);
    CHECK(err.find("not a valid char driver") != std::string::npos);
    err.clear();
    CHECK(mgr.create_from_spec("pty", "x", &err, &mux) == nullptr);
    CHECK(err.find("not supported yet") != std::string::npos);
    err.clear();
    CHECK(mgr.create_from_spec("chardev:nope", "x", &err, &mux) == nullptr);
    CHECK(err.find("not found") != std::string::npos);
    err.clear();
    CHECK(mgr.create_from_spec("none", "x", &err, &mux) == nullptr);
    CHECK(err.empty());
    auto kv = KeyValueList::parse("file,id=f", "backend", &err);
    CHECK(mgr.create(*kv, &err) == nullptr);  // no path
    err.clear();
    kv = KeyValueList::parse("null,id=n,frob=1", "backend", &err);
    CHECK(mgr.create(*kv, &err) == nullptr);
    CHECK(err.find("frob") != std::string::npos);
    err.clear();
    kv = KeyValueList::parse("null,id=n", "backend", &err);
    CHECK(mgr.create(*kv, &err) != nullptr);
    CHECK(mgr.create(*kv, &err) == nullptr);  // duplicate id
}

TEST_CASE("unix socket server with wait=off accepts a client later", "[chardev]") {
    BqlGuard lock;
    EventLoop loop;
    ChardevManager mgr(&loop);
    std::string path = temp_path(".sock");
    std::string err;
    bool mux = false;
    Chardev* c = mgr.create_from_spec("unix:" + path + ",server=on,wait=off", "s", &err, &mux);
    REQUIRE(c);
    Sink s;
    c->set_frontend(&s);
    // No client yet: output is dropped, not blocking.
    CHECK(c->write(reinterpret_cast<const uint8_t*>("lost"), 4) == 4);

    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un sa{};
    sa.sun_family = AF_UNIX;
    std::strcpy(sa.sun_path, path.c_str());
    REQUIRE(connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0);
    for (int i = 0; i < 5 && s.events.empty(); ++i)
        loop.run_once(10'000'000);
    REQUIRE(!s.events.empty());
    CHECK(s.events.back() == CharEvent::Opened);
    c->write(reinterpret_cast<const uint8_t*>("out"), 3);
    char buf[8] = {};
    CHECK(read(fd, buf, sizeof buf) == 3);
    CHECK(std::string(buf) == "out");
    REQUIRE(write(fd, "in", 2) == 2);
    for (int i = 0; i < 5 && s.got.empty(); ++i)
        loop.run_once(10'000'000);
    CHECK(s.got == "in");
    close(fd);
    for (int i = 0; i < 5 && s.events.back() != CharEvent::Closed; ++i)
        loop.run_once(10'000'000);
    CHECK(s.events.back() == CharEvent::Closed);
}

TEST_CASE("mux: Ctrl-a c switches to the monitor, Ctrl-a x quits", "[chardev]") {
    RecordingBackend raw_out;
    auto base = make_null_chardev("base");
    // A chardev whose output we can see: wrap the RecordingBackend in a mux over a
    // recording Chardev.
    struct Rec : Chardev {
        std::string out;
        using Chardev::Chardev;
        size_t write(const uint8_t* d, size_t n) override {
            out.append(reinterpret_cast<const char*>(d), n);
            return n;
        }
        void push(const std::string& s) {
            deliver(reinterpret_cast<const uint8_t*>(s.data()), s.size());
        }
    } rec("rec");
    MuxChardev mux("mux", &rec);
    Sink serial;
    mux.add_frontend()->set_frontend(&serial);
    FakeVm vm("guest1");
    HumanMonitor mon(mux.add_frontend(), &vm);
    bool quit = false;
    mux.set_quit_handler([&] { quit = true; });

    rec.push("ls\r");
    CHECK(serial.got == "ls\r");
    rec.push(
        "\x01"
        "c");  // to the monitor
    rec.push("stop\r");
    CHECK(vm.state == RunState::Paused);
    CHECK(serial.got == "ls\r");  // the serial port saw none of it
    rec.push("info status\r");
    CHECK(rec.out.find("VM status: paused") != std::string::npos);
    rec.push(
        "\x01"
        "c"
        "x");  // back to the serial port
    CHECK(serial.got == "ls\rx");
    rec.push("\x01\x01");  // a literal Ctrl-a
    CHECK(serial.got == "ls\rx\x01");
    rec.push("\x01x");
    CHECK(quit);
}

TEST_CASE("mux: the monitor greets only when it first gets the focus", "[chardev]") {
    struct Rec : Chardev {
        std::string out;
        using Chardev::Chardev;
        size_t write(const uint8_t* d, size_t n) override {
            out.append(reinterpret_cast<const char*>(d), n);
            return n;
        }
        void set_frontend(CharFrontend* fe) override {
            Chardev::set_frontend(fe);
            if (fe) fe->char_event(CharEvent::Opened);  // like stdio: open at once
        }
        void push(const std::string& s) {
            deliver(reinterpret_cast<const uint8_t*>(s.data()), s.size());
        }
    } rec("rec");
    MuxChardev mux("mux", &rec);
    Sink serial;
    mux.add_frontend()->set_frontend(&serial);
    FakeVm vm("guest1");
    HumanMonitor mon(mux.add_frontend(), &vm);
    CHECK(serial.events == std::vector<CharEvent>{CharEvent::Opened});
    CHECK(rec.out.find("monitor") == std::string::npos);  // no banner at start-up
    rec.push(
        "\x01"
        "c");
    CHECK(rec.out.find("monitor") != std::string::npos);
    CHECK(rec.out.find("(qemu) ") != std::string::npos);
    size_t banners = rec.out.size();
    rec.push(
        "\x01"
        "c");  // back to the serial port: it gets the focus again
    CHECK(serial.events.back() == CharEvent::FocusIn);
    rec.push(
        "\x01"
        "c");  // and to the monitor: a prompt, not a second banner
    CHECK(rec.out.substr(banners) == "(qemu) ");
}

TEST_CASE("HMP commands", "[monitor]") {
    RecordingBackend b;
    FakeVm vm("guest1");
    HumanMonitor mon(&b, &vm);
    CHECK(mon.execute("info status") == "VM status: running\n");
    CHECK(mon.execute("info name") == "guest1\n");
    CHECK(mon.execute("system_reset").empty());
    CHECK(vm.resets == 1);
    CHECK(mon.execute("bogus").find("unknown command") != std::string::npos);
    CHECK(mon.execute("help").find("quit") != std::string::npos);
    mon.execute("q");
    CHECK(vm.quitted);
}

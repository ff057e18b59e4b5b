// Input longer than the FIFO: a backend that fills the FIFO in one delivery
// and keeps the rest must be told when the guest makes room (seen as a
// busybox shell that stopped echoing after 16 pasted characters).
#include <catch2/catch.hpp>
#include <string>

#include "hw/char/pl011.h"

using namespace emu;

namespace {
// Like the fd chardev: one can_receive() per read, the rest kept pending.
struct OneShotChar : CharBackend {
    CharFrontend* fe = nullptr;
    std::string pending;
    int accepts = 0;
    size_t write(const uint8_t*, size_t n) override { return n; }
    void set_frontend(CharFrontend* f) override { fe = f; }
    void accept_input() override {
        ++accepts;
        size_t n = std::min(fe->can_receive(), pending.size());
        fe->receive(reinterpret_cast<const uint8_t*>(pending.data()), n);
        pending.erase(0, n);
    }
    void type(const std::string& s) {
        size_t n = std::min(fe->can_receive(), s.size());
        fe->receive(reinterpret_cast<const uint8_t*>(s.data()), n);
        pending = s.substr(n);
    }
};
struct Line : IrqSink {
    void set_irq(int, bool) override {}
};
constexpr uint64_t DR = 0, FR = 0x18, LCR = 0x2c;
}  // namespace

TEST_CASE("pl011 asks for held input once the guest drains a full FIFO", "[pl011]") {
    OneShotChar ch;
    Line irq;
    Pl011 u({&ch, IrqLine(&irq, 0)});
    u.mmio_write(LCR, 0x70, 4);  // 8N1, FIFOs on
    const std::string line = "echo hello-$((6*7)); cat /proc/cpuinfo\r";
    ch.type(line);
    CHECK(ch.pending.size() == line.size() - 16);
    std::string got;
    for (int guard = 0; guard < 1000 && got.size() < line.size(); ++guard) {
        if (u.mmio_read(FR, 4) & Pl011::kFrRxfe) break;
        got.push_back(char(u.mmio_read(DR, 4)));
    }
    CHECK(got == line);
    CHECK(ch.accepts >= 1);
}

TEST_CASE("pl011 without FIFO asks for held input after each character", "[pl011]") {
    OneShotChar ch;
    Line irq;
    Pl011 u({&ch, IrqLine(&irq, 0)});
    ch.type("abc");
    std::string got;
    for (int guard = 0; guard < 10; ++guard) {
        if (u.mmio_read(FR, 4) & Pl011::kFrRxfe) break;
        got.push_back(char(u.mmio_read(DR, 4)));
    }
    CHECK(got == "abc");
}

#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "hw/char/serial_16550.h"
#include "tests/unit/support/fakes.h"

using namespace emu;
using emu::test::RecordingBackend;

namespace {

struct IrqRec : IrqSink {
    bool level = false;
    int raises = 0;
    void set_irq(int, bool l) override {
        if (l && !level) ++raises;
        level = l;
    }
};

struct Uart {
    RecordingBackend chr;
    IrqRec irq;
    Serial16550 s;
    Uart() : s("com1", make_cfg(chr, irq)) {}
    static Serial16550Config make_cfg(RecordingBackend& c, IrqRec& i) {
        Serial16550Config cfg;
        cfg.chr = &c;
        cfg.irq = IrqLine(&i, 4);
        return cfg;  // no clock: the receive timeout fires at once
    }
    uint8_t rd(unsigned r) { return static_cast<uint8_t>(s.mmio_read(r, 1)); }
    void wr(unsigned r, uint8_t v) { s.mmio_write(r, v, 1); }
    void feed(const std::string& t) {
        s.receive(reinterpret_cast<const uint8_t*>(t.data()), t.size());
    }
};

}  // namespace

TEST_CASE("16550 transmits and reports THR empty", "[serial]") {
    Uart u;
    REQUIRE(u.chr.fe == &u.s);
    CHECK((u.rd(5) & 0x60) == 0x60);
    u.wr(0, 'h');
    u.wr(0, 'i');
    CHECK(u.chr.out == "hi");
    CHECK((u.rd(2) & 0x01) == 0x01);  // no interrupt while IER = 0
}

TEST_CASE("16550 divisor latch and scratch register", "[serial]") {
    Uart u;
    u.wr(3, 0x80);
    u.wr(0, 0x01);
    u.wr(1, 0x02);
    CHECK(u.rd(0) == 0x01);
    CHECK(u.rd(1) == 0x02);
    u.wr(3, 0x03);
    CHECK(u.rd(3) == 0x03);
    CHECK(u.chr.out.empty());  // DLAB writes are not data
    u.wr(7, 0x5a);
    CHECK(u.rd(7) == 0x5a);
}

TEST_CASE("16550 THRE interrupt is raised on enable and cleared by reading IIR", "[serial]") {
    Uart u;
    u.wr(1, 0x02);
    CHECK(u.irq.level);
    CHECK((u.rd(2) & 0x0f) == 0x02);
    CHECK_FALSE(u.irq.level);
    CHECK((u.rd(2) & 0x0f) == 0x01);
    u.wr(0, 'x');  // THR empties again at once
    CHECK(u.irq.level);
}

TEST_CASE("16550 FIFO mode: trigger level, back-pressure, timeout", "[serial]") {
    Uart u;
    u.wr(2, 0xc1);  // FIFO on, trigger 14
    CHECK((u.rd(2) & 0xc0) == 0xc0);
    u.wr(1, 0x01);  // RDA
    CHECK(u.s.can_receive() == 16);
    u.feed("abcd");
    CHECK(u.s.can_receive() == 12);
    // Below the trigger level: only the character timeout reports it.
    CHECK((u.rd(2) & 0x0f) == 0x0c);
    u.feed("efghijklmnop");
    CHECK(u.s.can_receive() == 0);
    CHECK((u.rd(2) & 0x0f) == 0x04);
    std::string got;
    int accepts_before = u.chr.accepts;
    while (u.rd(5) & 0x01)
        got += static_cast<char>(u.rd(0));
    CHECK(got == "abcdefghijklmnop");
    CHECK(u.chr.accepts > accepts_before);
    CHECK_FALSE(u.irq.level);
    CHECK(u.s.can_receive() == 16);
}

TEST_CASE("16550 non-FIFO mode holds one byte", "[serial]") {
    Uart u;
    CHECK(u.s.can_receive() == 1);
    u.feed("a");
    CHECK(u.s.can_receive() == 0);
    CHECK(u.rd(0) == 'a');
    CHECK((u.rd(5) & 0x01) == 0);
}

TEST_CASE("16550 loopback feeds transmit to receive and modem lines back", "[serial]") {
    Uart u;
    u.wr(2, 0x01);
    u.wr(4, 0x10 | 0x01 | 0x02);  // loop, DTR, RTS
    u.wr(0, 'z');
    CHECK(u.chr.out.empty());
    CHECK((u.rd(5) & 0x01) == 0x01);
    CHECK(u.rd(0) == 'z');
    uint8_t msr = u.rd(6);
    CHECK((msr & 0x30) == 0x30);    // CTS, DSR
    CHECK(u.s.can_receive() == 0);  // chardev input is cut off in loopback
}

TEST_CASE("16550 overrun sets LSR OE and a line status interrupt", "[serial]") {
    Uart u;
    u.wr(1, 0x04);
    u.wr(4, 0x10);  // loopback, FIFO off: the second byte overruns
    u.wr(0, '1');
    u.wr(0, '2');
    CHECK(u.irq.level);
    CHECK((u.rd(2) & 0x0f) == 0x06);
    CHECK((u.rd(5) & 0x02) == 0x02);
    CHECK((u.rd(5) & 0x02) == 0);  // cleared by the read
}

TEST_CASE("16550 break event", "[serial]") {
    Uart u;
    u.s.char_event(CharEvent::Break);
    CHECK((u.rd(5) & 0x11) == 0x11);
}

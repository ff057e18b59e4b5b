#include "hw/char/pl011.h"

#include <catch2/catch.hpp>
#include <string>

#include "tests/unit/support/fakes.h"

using namespace emu;
using emu::test::RecordingBackend;

namespace {
struct Line : IrqSink {
    bool level = false;
    int changes = 0;
    void set_irq(int, bool l) override {
        level = l;
        ++changes;
    }
};
constexpr uint64_t DR = 0, FR = 0x18, LCR = 0x2c, CR = 0x30, IFLS = 0x34, IMSC = 0x38, RIS = 0x3c,
                   MIS = 0x40, ICR = 0x44;
}  // namespace

TEST_CASE("pl011 transmits written bytes and reports its identity", "[pl011]") {
    RecordingBackend ch;
    Line irq;
    Pl011 u({&ch, IrqLine(&irq, 0)});
    REQUIRE(ch.fe == &u);
    for (char c : std::string("hi\n"))
        u.mmio_write(DR, uint8_t(c), 4);
    CHECK(ch.out == "hi\n");
    CHECK((u.mmio_read(FR, 4) & (Pl011::kFrTxfe | Pl011::kFrRxfe)) ==
          (Pl011::kFrTxfe | Pl011::kFrRxfe));
    CHECK(u.mmio_read(0xfe0, 4) == 0x11);
    CHECK(u.mmio_read(0xfe8, 4) == 0x14);
    CHECK(u.mmio_read(0xff0, 4) == 0x0d);
    CHECK(u.mmio_read(0xffc, 4) == 0xb1);
    CHECK(u.mmio_read(CR, 4) == 0x300);
}

TEST_CASE("pl011 TX interrupt follows IMSC and clears with ICR", "[pl011]") {
    RecordingBackend ch;
    Line irq;
    Pl011 u({&ch, IrqLine(&irq, 0)});
    u.mmio_write(DR, 'a', 4);
    CHECK((u.mmio_read(RIS, 4) & Pl011::kIntTx) != 0);
    CHECK(u.mmio_read(MIS, 4) == 0);
    CHECK_FALSE(irq.level);
    u.mmio_write(IMSC, Pl011::kIntTx, 4);
    CHECK(irq.level);
    CHECK(u.mmio_read(MIS, 4) == Pl011::kIntTx);
    u.mmio_write(ICR, Pl011::kIntTx, 4);
    CHECK_FALSE(irq.level);
    CHECK(u.mmio_read(RIS, 4) == 0);
}

TEST_CASE("pl011 receive without FIFO holds one character and back-pressures", "[pl011]") {
    RecordingBackend ch;
    Line irq;
    Pl011 u({&ch, IrqLine(&irq, 0)});
    u.mmio_write(IMSC, Pl011::kIntRx | Pl011::kIntRt, 4);
    CHECK(ch.feed("xyz") == 1);
    CHECK(irq.level);
    CHECK((u.mmio_read(FR, 4) & Pl011::kFrRxff) != 0);
    CHECK(ch.feed("yz") == 0);  // full: the backend must hold input
    CHECK(u.mmio_read(DR, 4) == 'x');
    CHECK(ch.accepts == 1);  // told the backend it can send again
    CHECK_FALSE(irq.level);
    CHECK((u.mmio_read(FR, 4) & Pl011::kFrRxfe) != 0);
    CHECK(ch.feed("yz") == 1);
    CHECK(u.mmio_read(DR, 4) == 'y');
}

TEST_CASE("pl011 FIFO: trigger level, receive timeout and ordering", "[pl011]") {
    RecordingBackend ch;
    Line irq;
    Pl011 u({&ch, IrqLine(&irq, 0)});
    u.mmio_write(LCR, 0x70, 4);     // 8 bits, FIFO enabled
    u.mmio_write(IFLS, 2 << 3, 4);  // RX at 1/2 = 8 characters
    u.mmio_write(IMSC, Pl011::kIntRx | Pl011::kIntRt, 4);
    CHECK(ch.feed("abc") == 3);
    // Below the trigger level only the timeout interrupt fires.
    CHECK(u.mmio_read(RIS, 4) == Pl011::kIntRt);
    CHECK(irq.level);
    CHECK(ch.feed("defghijklmnopqrstuvw") == 13);
    CHECK(u.mmio_read(RIS, 4) == Pl011::kIntRx);
    CHECK((u.mmio_read(FR, 4) & Pl011::kFrRxff) != 0);
    CHECK(ch.feed("w") == 0);
    std::string got;
    while (!(u.mmio_read(FR, 4) & Pl011::kFrRxfe))
        got += char(u.mmio_read(DR, 4) & 0xff);
    CHECK(got == "abcdefghijklmnop");
    CHECK_FALSE(irq.level);
    CHECK(ch.accepts >= 1);
}

TEST_CASE("pl011 loopback returns transmitted characters", "[pl011]") {
    RecordingBackend ch;
    Line irq;
    Pl011 u({&ch, IrqLine(&irq, 0)});
    u.mmio_write(LCR, 0x70, 4);
    u.mmio_write(CR, 0x381, 4);  // UARTEN | LBE | TXE | RXE
    u.mmio_write(DR, 'q', 4);
    CHECK(ch.out.empty());
    CHECK(u.mmio_read(DR, 4) == 'q');
}

TEST_CASE("pl011 overrun sets OE and break is reported in DR", "[pl011]") {
    RecordingBackend ch;
    Line irq;
    Pl011 u({&ch, IrqLine(&irq, 0)});
    uint8_t two[2] = {'a', 'b'};
    u.receive(two, 2);  // a misbehaving backend ignoring can_receive
    CHECK((u.mmio_read(RIS, 4) & Pl011::kIntOe) != 0);
    CHECK(u.mmio_read(DR, 4) == 'a');
    u.char_event(CharEvent::Break);
    CHECK((u.mmio_read(RIS, 4) & Pl011::kIntBe) != 0);
    CHECK((u.mmio_read(DR, 4) & 0x400) != 0);
}

TEST_CASE("pl011 without a chardev and with bad offsets stays sane", "[pl011]") {
    Pl011 u({nullptr, IrqLine()});
    u.mmio_write(DR, 'x', 4);
    CHECK(u.mmio_read(0x800, 4) == 0);
    u.mmio_write(0x800, 1, 4);
    CHECK(u.mmio_read(DR, 4) == 0);
}

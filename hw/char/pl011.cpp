#include "hw/char/pl011.h"

#include "util/log.h"

namespace emu {

namespace {
enum Reg : uint64_t {
    kDr = 0x000,
    kRsr = 0x004,
    kFr = 0x018,
    kIlpr = 0x020,
    kIbrd = 0x024,
    kFbrd = 0x028,
    kLcrH = 0x02c,
    kCr = 0x030,
    kIfls = 0x034,
    kImsc = 0x038,
    kRis = 0x03c,
    kMis = 0x040,
    kIcr = 0x044,
    kDmacr = 0x048,
};
constexpr uint32_t kLcrFen = 1u << 4;
constexpr uint32_t kLcrBrk = 1u << 0;
constexpr uint32_t kCrUarten = 1u << 0;
constexpr uint32_t kCrLbe = 1u << 7;
constexpr uint32_t kCrTxe = 1u << 8;
constexpr uint32_t kCrRxe = 1u << 9;
// PeriphID0..3 then PCellID0..3 at 0xfe0..0xffc.
constexpr uint8_t kIds[8] = {0x11, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1};
constexpr uint32_t kErrBreak = 1u << 10;  // DR bit for a break condition
}  // namespace

Pl011::Pl011(Pl011Config cfg) : Device("pl011"), cfg_(cfg) {
    reset();
    if (cfg_.chardev) cfg_.chardev->set_frontend(this);
}

Pl011::~Pl011() {
    if (cfg_.chardev) cfg_.chardev->set_frontend(nullptr);
}

void Pl011::reset() {
    rx_head_ = rx_count_ = 0;
    rsr_ = ilpr_ = ibrd_ = fbrd_ = lcr_ = dmacr_ = 0;
    cr_ = 0x300;   // TXE|RXE set at reset, UART disabled
    ifls_ = 0x12;  // both FIFOs at half
    imsc_ = ris_ = 0;
    update_irq();
    if (input_held_ && cfg_.chardev) {
        input_held_ = false;
        cfg_.chardev->accept_input();
    }
}

unsigned Pl011::fifo_depth() const {
    return (lcr_ & kLcrFen) ? 16 : 1;
}

unsigned Pl011::rx_trigger() const {
    if (!(lcr_ & kLcrFen)) return 1;
    static constexpr unsigned levels[8] = {2, 4, 8, 12, 14, 14, 14, 14};
    return levels[(ifls_ >> 3) & 7];
}

void Pl011::update_irq() {
    // The receive timeout fires after 32 bit periods of line idle; input
    // arrives in bursts from the host, so that moment is "now": RT is
    // asserted whenever data below the trigger level waits in the FIFO.
    // Why this matters: drivers rely on RT to see short input.
    if (rx_count_ > 0 && rx_count_ < rx_trigger())
        ris_ |= kIntRt;
    else
        ris_ &= ~kIntRt;
    if (rx_count_ >= rx_trigger())
        ris_ |= kIntRx;
    else
        ris_ &= ~kIntRx;
    bool level = (ris_ & imsc_) != 0;
    if (level != irq_level_) {
        irq_level_ = level;
        cfg_.irq.set(level);
    }
}

void Pl011::push_rx(uint16_t v) {
    if (rx_count_ >= fifo_depth()) {
        // Overrun: the character is lost, OE flags it on the last entry.
        rsr_ |= 1u << 3;
        ris_ |= kIntOe;
        return;
    }
    rx_[(rx_head_ + rx_count_) % rx_.size()] = v;
    ++rx_count_;
}

size_t Pl011::can_receive() {
    size_t space = fifo_depth() - rx_count_;
    if (space == 0) input_held_ = true;
    return space;
}

void Pl011::receive(const uint8_t* data, size_t len) {
    for (size_t i = 0; i < len; ++i)
        push_rx(data[i]);
    // A backend that filled us keeps the rest until accept_input(), without
    // necessarily asking can_receive() again (a pasted line in a terminal).
    if (rx_count_ >= fifo_depth()) input_held_ = true;
    update_irq();
}

void Pl011::char_event(CharEvent ev) {
    if (ev == CharEvent::Break) {
        push_rx(kErrBreak);
        ris_ |= kIntBe;
        update_irq();
    }
}

uint64_t Pl011::mmio_read(uint64_t offset, unsigned size) {
    if (offset >= 0xfe0 && offset < 0x1000) return kIds[(offset - 0xfe0) >> 2];
    switch (offset) {
        case kDr: {
            if (rx_count_ == 0) return 0;
            uint16_t v = rx_[rx_head_];
            rx_head_ = (rx_head_ + 1) % rx_.size();
            --rx_count_;
            // RSR reflects the error bits of the character just read.
            rsr_ = (v >> 8) & 0xf;
            update_irq();
            if (input_held_ && cfg_.chardev) {
                input_held_ = false;
                cfg_.chardev->accept_input();
            }
            return v;
        }
        case kRsr:
            return rsr_;
        case kFr: {
            uint32_t fr = kFrTxfe;  // transmit completes immediately
            if (rx_count_ == 0) fr |= kFrRxfe;
            if (rx_count_ >= fifo_depth()) fr |= kFrRxff;
            return fr;
        }
        case kIlpr:
            return ilpr_;
        case kIbrd:
            return ibrd_;
        case kFbrd:
            return fbrd_;
        case kLcrH:
            return lcr_;
        case kCr:
            return cr_;
        case kIfls:
            return ifls_;
        case kImsc:
            return imsc_;
        case kRis:
            return ris_;
        case kMis:
            return ris_ & imsc_;
        case kDmacr:
            return dmacr_;
        default:
            log_mask(LOG_GUEST_ERROR, "pl011: read of unknown register 0x%llx\n",
                     (unsigned long long)offset);
            return 0;
    }
}

void Pl011::mmio_write(uint64_t offset, uint64_t value, unsigned size) {
    uint32_t v = static_cast<uint32_t>(value);
    switch (offset) {
        case kDr: {
            uint8_t ch = v & 0xff;
            if ((cr_ & kCrLbe) && (cr_ & kCrTxe)) {
                // Loopback: the character comes back on the receive side.
                push_rx(ch);
            } else if (cfg_.chardev) {
                // Like QEMU, characters go out even if UARTEN/TXE are clear:
                // early boot code often skips enabling the UART.
                cfg_.chardev->write(&ch, 1);
            }
            // The FIFO drains at once, so TX level is crossed on every write.
            ris_ |= kIntTx;
            update_irq();
            break;
        }
        case kRsr:  // ECR: any write clears the error status
            rsr_ = 0;
            break;
        case kIlpr:
            ilpr_ = v & 0xff;
            break;
        case kIbrd:
            ibrd_ = v & 0xffff;
            break;
        case kFbrd:
            fbrd_ = v & 0x3f;
            break;
        case kLcrH: {
            // Turning the FIFO on or off flushes it (PL011 TRM 3.3.7).
            if ((lcr_ ^ v) & kLcrFen) {
                rx_count_ = 0;
                rx_head_ = 0;
            }
            lcr_ = v & 0xff;
            (void)kLcrBrk;
            update_irq();
            if (input_held_ && cfg_.chardev && rx_count_ < fifo_depth()) {
                input_held_ = false;
                cfg_.chardev->accept_input();
            }
            break;
        }
        case kCr:
            cr_ = v & 0xff87;
            (void)kCrUarten;
            (void)kCrRxe;
            break;
        case kIfls:
            ifls_ = v & 0x3f;
            update_irq();
            break;
        case kImsc:
            imsc_ = v & 0x7ff;
            update_irq();
            break;
        case kIcr:
            ris_ &= ~(v & 0x7ff);
            update_irq();
            break;
        case kDmacr:
            dmacr_ = v & 7;
            if (dmacr_ & 3) log_mask(LOG_UNIMP, "pl011: DMA not supported yet\n");
            break;
        default:
            log_mask(LOG_GUEST_ERROR, "pl011: write of unknown register 0x%llx\n",
                     (unsigned long long)offset);
            break;
    }
}

}  // namespace emu

#include "hw/char/serial_16550.h"

namespace emu {

namespace {
// IER
constexpr uint8_t kIerRdi = 0x01, kIerThri = 0x02, kIerRlsi = 0x04, kIerMsi = 0x08;
// IIR
constexpr uint8_t kIirNone = 0x01, kIirMsi = 0x00, kIirThri = 0x02, kIirRdi = 0x04, kIirRlsi = 0x06,
                  kIirCti = 0x0c, kIirFifo = 0xc0;
// FCR
constexpr uint8_t kFcrEnable = 0x01, kFcrClearRx = 0x02, kFcrClearTx = 0x04;
// LCR / MCR
constexpr uint8_t kLcrDlab = 0x80;
constexpr uint8_t kMcrDtr = 0x01, kMcrRts = 0x02, kMcrOut1 = 0x04, kMcrOut2 = 0x08, kMcrLoop = 0x10;
// LSR
constexpr uint8_t kLsrDr = 0x01, kLsrOe = 0x02, kLsrPe = 0x04, kLsrFe = 0x08, kLsrBi = 0x10,
                  kLsrThre = 0x20, kLsrTemt = 0x40, kLsrRxfe = 0x80;
constexpr uint8_t kLsrErrors = kLsrOe | kLsrPe | kLsrFe | kLsrBi;
// MSR
constexpr uint8_t kMsrDcts = 0x01, kMsrDdsr = 0x02, kMsrTeri = 0x04, kMsrDdcd = 0x08,
                  kMsrCts = 0x10, kMsrDsr = 0x20, kMsrRi = 0x40, kMsrDcd = 0x80;
constexpr uint8_t kMsrDeltas = kMsrDcts | kMsrDdsr | kMsrTeri | kMsrDdcd;
}  // namespace

Serial16550::Serial16550(std::string name, const Serial16550Config& cfg)
    : Device(std::move(name)), cfg_(cfg) {
    AccessConstraints c;
    c.valid_min = c.impl_min = 1;
    c.valid_max = c.impl_max = 1;
    if (cfg_.regshift) c.valid_max = c.impl_max = 4;  // MMIO UARTs with register stride
    region_ = MemoryRegion::io(this->name(), 8u << cfg_.regshift, this, c);
    if (cfg_.clock) {
        timeout_timer_ = std::make_unique<Timer>(cfg_.clock, [this] {
            if (!rx_.empty()) {
                timeout_pending_ = true;
                update_irq();
            }
        });
    }
    reset();
    if (cfg_.chr) cfg_.chr->set_frontend(this);
}

Serial16550::~Serial16550() {
    if (cfg_.chr) cfg_.chr->set_frontend(nullptr);
}

void Serial16550::reset() {
    rx_.clear();
    divisor_ = 12;
    ier_ = lcr_ = scr_ = fcr_ = 0;
    mcr_ = kMcrOut2;
    lsr_ = kLsrThre | kLsrTemt;
    msr_ = kMsrDcd | kMsrDsr | kMsrCts;
    thr_ipending_ = false;
    timeout_pending_ = false;
    if (timeout_timer_) timeout_timer_->cancel();
    update_irq();
}

unsigned Serial16550::trigger_level() const {
    static const unsigned levels[4] = {1, 4, 8, 14};
    return (fcr_ & kFcrEnable) ? levels[fcr_ >> 6] : 1;
}

int64_t Serial16550::char_time_ns() const {
    // start + data + parity + stop bits at baudbase / divisor.
    unsigned bits = 1 + 5 + (lcr_ & 3) + ((lcr_ & 0x08) ? 1 : 0) + ((lcr_ & 0x04) ? 2 : 1);
    uint64_t div = divisor_ ? divisor_ : 1;
    return static_cast<int64_t>(1000000000ull * bits * div / cfg_.baudbase);
}

void Serial16550::arm_timeout() {
    if (!(fcr_ & kFcrEnable) || rx_.empty()) return;
    if (timeout_timer_) {
        timeout_timer_->mod(cfg_.clock->now_ns() + 4 * char_time_ns());
    } else {
        timeout_pending_ = true;
    }
}

uint8_t Serial16550::iir() const {
    uint8_t id = kIirNone;
    bool rx_ready = (fcr_ & kFcrEnable) ? rx_.size() >= trigger_level() : !rx_.empty();
    if ((ier_ & kIerRlsi) && (lsr_ & kLsrErrors)) {
        id = kIirRlsi;
    } else if ((ier_ & kIerRdi) && rx_ready) {
        id = kIirRdi;
    } else if ((ier_ & kIerRdi) && timeout_pending_ && !rx_.empty()) {
        id = kIirCti;
    } else if ((ier_ & kIerThri) && thr_ipending_) {
        id = kIirThri;
    } else if ((ier_ & kIerMsi) && (msr_ & kMsrDeltas)) {
        id = kIirMsi;
    }
    return id | ((fcr_ & kFcrEnable) ? kIirFifo : 0);
}

void Serial16550::update_irq() {
    bool level = (iir() & kIirNone) == 0;
    if (level != irq_level_) {
        irq_level_ = level;
        cfg_.irq.set(level);
    }
}

void Serial16550::push_rx(uint8_t c) {
    size_t cap = (fcr_ & kFcrEnable) ? kFifoSize : 1;
    if (rx_.size() >= cap) {
        lsr_ |= kLsrOe;                            // the character is lost, as on hardware
        if (!(fcr_ & kFcrEnable)) rx_.back() = c;  // 16450 mode: RBR is overwritten
        return;
    }
    rx_.push_back(c);
    lsr_ |= kLsrDr;
}

uint64_t Serial16550::mmio_read(uint64_t offset, unsigned size) {
    unsigned reg = static_cast<unsigned>(offset >> cfg_.regshift) & 7;
    uint8_t v = 0;
    switch (reg) {
        case 0:
            if (lcr_ & kLcrDlab) {
                v = divisor_ & 0xff;
                break;
            }
            if (!rx_.empty()) {
                v = rx_.front();
                rx_.pop_front();
                if (rx_.empty()) {
                    lsr_ &= ~(kLsrDr | kLsrBi);
                    lsr_ &= ~kLsrRxfe;
                }
                timeout_pending_ = false;
                arm_timeout();
                if (cfg_.chr && !(mcr_ & kMcrLoop)) cfg_.chr->accept_input();
            }
            update_irq();
            break;
        case 1:
            v = (lcr_ & kLcrDlab) ? divisor_ >> 8 : ier_;
            break;
        case 2:
            v = iir();
            // Reading IIR acknowledges a THRE interrupt it reports.
            if ((v & 0x0f) == kIirThri) thr_ipending_ = false;
            update_irq();
            break;
        case 3:
            v = lcr_;
            break;
        case 4:
            v = mcr_;
            break;
        case 5:
            v = lsr_;
            if (lsr_ & (kLsrBi | kLsrOe)) {
                lsr_ &= ~(kLsrBi | kLsrOe | kLsrPe | kLsrFe | kLsrRxfe);
                update_irq();
            }
            break;
        case 6:
            if (mcr_ & kMcrLoop) {
                // Loopback wires the modem outputs back to the inputs.
                v = static_cast<uint8_t>(((mcr_ & 0x0c) << 4) | ((mcr_ & kMcrRts) << 3) |
                                         ((mcr_ & kMcrDtr) << 5)) |
                    (msr_ & kMsrDeltas);
            } else {
                v = msr_;
            }
            if (msr_ & kMsrDeltas) {
                msr_ &= ~kMsrDeltas;
                update_irq();
            }
            break;
        case 7:
            v = scr_;
            break;
    }
    return v;
}

void Serial16550::mmio_write(uint64_t offset, uint64_t value, unsigned size) {
    unsigned reg = static_cast<unsigned>(offset >> cfg_.regshift) & 7;
    uint8_t v = static_cast<uint8_t>(value);
    switch (reg) {
        case 0:
            if (lcr_ & kLcrDlab) {
                divisor_ = static_cast<uint16_t>((divisor_ & 0xff00) | v);
                break;
            }
            if (mcr_ & kMcrLoop) {
                push_rx(v);
                arm_timeout();
            } else if (cfg_.chr) {
                cfg_.chr->write(&v, 1);
            }
            // Transmission is instantaneous: THR is empty again at once.
            lsr_ |= kLsrThre | kLsrTemt;
            thr_ipending_ = true;
            update_irq();
            break;
        case 1:
            if (lcr_ & kLcrDlab) {
                divisor_ = static_cast<uint16_t>((divisor_ & 0x00ff) | (v << 8));
                break;
            }
            {
                uint8_t old = ier_;
                ier_ = v & 0x0f;
                // Enabling THRI with THR empty raises the interrupt (16550 behaviour).
                if (!(old & kIerThri) && (ier_ & kIerThri) && (lsr_ & kLsrThre))
                    thr_ipending_ = true;
                update_irq();
            }
            break;
        case 2: {
            uint8_t old = fcr_;
            if ((v ^ old) & kFcrEnable) {
                rx_.clear();  // toggling FIFO mode clears both FIFOs
                lsr_ &= ~(kLsrDr | kLsrRxfe);
            }
            if (v & kFcrClearRx) {
                rx_.clear();
                lsr_ &= ~(kLsrDr | kLsrRxfe);
                timeout_pending_ = false;
                if (timeout_timer_) timeout_timer_->cancel();
            }
            fcr_ = v & 0xc9;
            if (!(fcr_ & kFcrEnable)) fcr_ = 0;
            (void)kFcrClearTx;  // the TX FIFO is always empty
            update_irq();
            if (cfg_.chr && !(mcr_ & kMcrLoop)) cfg_.chr->accept_input();
            break;
        }
        case 3:
            lcr_ = v;
            break;
        case 4: {
            uint8_t old = mcr_;
            mcr_ = v & 0x1f;
            if ((old ^ mcr_) & kMcrLoop) {
                update_irq();
                if (!(mcr_ & kMcrLoop) && cfg_.chr) cfg_.chr->accept_input();
            }
            (void)kMcrOut1;
            break;
        }
        case 5:
            break;  // LSR is read-only (factory test register on some parts)
        case 6:
            break;
        case 7:
            scr_ = v;
            break;
    }
}

size_t Serial16550::can_receive() {
    if (mcr_ & kMcrLoop) return 0;
    if (fcr_ & kFcrEnable) return kFifoSize - rx_.size();
    return rx_.empty() ? 1 : 0;
}

void Serial16550::receive(const uint8_t* data, size_t len) {
    if (mcr_ & kMcrLoop) return;
    for (size_t i = 0; i < len; ++i)
        push_rx(data[i]);
    timeout_pending_ = false;
    arm_timeout();
    update_irq();
}

void Serial16550::char_event(CharEvent ev) {
    if (ev != CharEvent::Break) return;
    lsr_ |= kLsrBi;
    push_rx(0);
    update_irq();
    (void)kMsrRi;
}

}  // namespace emu

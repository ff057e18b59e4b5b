#include "hw/misc/i8042.h"

#include "util/log.h"

namespace emu {

namespace {
constexpr uint8_t kStatOutFull = 0x01, kStatSys = 0x04, kStatCmd = 0x08, kStatUnlocked = 0x10,
                  kStatTimeout = 0x40;
constexpr uint8_t kCmdIrqEnable = 0x01;
}  // namespace

I8042::I8042(std::function<void()> reset_fn, IrqLine kbd_irq)
    : Device("i8042"), reset_fn_(std::move(reset_fn)), irq_(kbd_irq) {
    AccessConstraints c;
    c.valid_min = c.impl_min = c.valid_max = c.impl_max = 1;
    for (Port* p : {&data_, &cmd_}) {
        p->self = this;
        p->is_cmd = p == &cmd_;
        p->region = MemoryRegion::io(p->is_cmd ? "i8042-cmd" : "i8042-data", 1, p, c);
    }
    reset();
}

void I8042::reset() {
    out_.clear();
    status_ = kStatSys | kStatUnlocked;
    command_byte_ = 0x45;  // translate, system flag, keyboard IRQ
    pending_cmd_ = 0;
    outport_ = 0x01 | 0x02;  // reset line inactive, A20 enabled
    irq_.lower();
}

void I8042::queue(uint8_t b, bool timeout) {
    out_.push_back(b);
    status_ |= kStatOutFull;
    if (timeout) status_ |= kStatTimeout;
    if (command_byte_ & kCmdIrqEnable) irq_.pulse();
}

uint8_t I8042::read(bool is_cmd) {
    if (is_cmd) return status_;
    if (out_.empty()) return 0;
    uint8_t v = out_.front();
    out_.pop_front();
    if (out_.empty()) status_ &= ~(kStatOutFull | kStatTimeout);
    return v;
}

void I8042::write(bool is_cmd, uint8_t v) {
    if (is_cmd) {
        status_ |= kStatCmd;
        switch (v) {
            case 0x20:
                queue(command_byte_);
                break;
            case 0x60:  // write command byte
            case 0xd1:  // write output port
            case 0xd2:  // write keyboard output buffer
            case 0xd3:  // write mouse output buffer
            case 0xd4:  // write to mouse
                pending_cmd_ = v;
                break;
            case 0xa7:
            case 0xa8:
            case 0xad:
            case 0xae:
                break;  // port enable/disable: nothing attached
            case 0xa9:
                queue(0x00);  // mouse interface test: ok
                break;
            case 0xaa:
                queue(0x55);  // controller self test passed
                break;
            case 0xab:
                queue(0x00);  // keyboard interface test: ok
                break;
            case 0xc0:
                queue(0x00);  // input port
                break;
            case 0xd0:
                queue(outport_);
                break;
            case 0xdd:
            case 0xdf:
                break;  // A20 off/on: A20 is always on under KVM
            default:
                if (v >= 0xf0) {
                    // Pulse output lines; bit 0 clear in the low nibble pulses reset.
                    if (!(v & 0x01)) reset_fn_();
                    break;
                }
                log_mask(LOG_UNIMP, "i8042: unsupported command 0x%02x\n", v);
                break;
        }
        return;
    }
    status_ &= ~kStatCmd;
    uint8_t cmd = pending_cmd_;
    pending_cmd_ = 0;
    switch (cmd) {
        case 0x60:
            command_byte_ = v;
            break;
        case 0xd1:
            outport_ = v;
            if (!(v & 0x01)) reset_fn_();
            break;
        case 0xd2:
        case 0xd3:
            queue(v);
            break;
        case 0xd4:
            queue(0xfe, true);  // no mouse
            break;
        default:
            queue(0xfe, true);  // no keyboard: the device command times out
            break;
    }
}

}  // namespace emu

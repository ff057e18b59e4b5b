#include "hw/rtc/pl031.h"

#include <ctime>

#include "util/log.h"

namespace emu {

namespace {
enum Reg : uint64_t {
    kDr = 0x00,
    kMr = 0x04,
    kLr = 0x08,
    kCr = 0x0c,
    kImsc = 0x10,
    kRis = 0x14,
    kMis = 0x18,
    kIcr = 0x1c,
};
constexpr uint8_t kIds[8] = {0x31, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1};
constexpr int64_t kNs = 1'000'000'000;
}  // namespace

Pl031::Pl031(Pl031Config cfg)
    : Device("pl031"), cfg_(cfg), timer_(cfg.clock, [this] { on_match(); }) {
    int64_t base = cfg_.base_seconds >= 0 ? cfg_.base_seconds : int64_t(std::time(nullptr));
    tick_offset_ = base - cfg_.clock->now_ns() / kNs;
}

void Pl031::reset() {
    // The counter keeps running across a reset, as a battery-backed RTC does.
    mr_ = 0;
    imsc_ = ris_ = 0;
    timer_.cancel();
    update_irq();
}

uint32_t Pl031::counter() const {
    return static_cast<uint32_t>(tick_offset_ + cfg_.clock->now_ns() / kNs);
}

void Pl031::update_irq() {
    bool l = (ris_ & imsc_ & 1) != 0;
    if (l != level_) {
        level_ = l;
        cfg_.irq.set(l);
    }
}

void Pl031::arm_match_timer() {
    // Seconds until the counter (mod 2^32) reaches MR; 0 means a full wrap.
    uint32_t delta = mr_ - counter();
    int64_t now = cfg_.clock->now_ns();
    int64_t next_second = (now / kNs + 1) * kNs;
    int64_t deadline =
        delta == 0 ? now + (int64_t(1) << 32) * kNs : next_second + (int64_t(delta) - 1) * kNs;
    timer_.mod(deadline);
}

void Pl031::on_match() {
    ris_ |= 1;
    update_irq();
}

uint64_t Pl031::mmio_read(uint64_t offset, unsigned size) {
    if (offset >= 0xfe0 && offset < 0x1000) return kIds[(offset - 0xfe0) >> 2];
    switch (offset) {
        case kDr:
            return counter();
        case kMr:
            return mr_;
        case kLr:
            return lr_;
        case kCr:
            return 1;  // always started: the counter cannot be stopped
        case kImsc:
            return imsc_;
        case kRis:
            return ris_;
        case kMis:
            return ris_ & imsc_;
        default:
            log_mask(LOG_GUEST_ERROR, "pl031: read of bad offset 0x%llx\n",
                     (unsigned long long)offset);
            return 0;
    }
}

void Pl031::mmio_write(uint64_t offset, uint64_t value, unsigned size) {
    uint32_t v = static_cast<uint32_t>(value);
    switch (offset) {
        case kLr:
            lr_ = v;
            tick_offset_ += int64_t(v) - int64_t(counter());
            if (timer_.pending()) arm_match_timer();
            break;
        case kMr:
            mr_ = v;
            arm_match_timer();
            break;
        case kImsc:
            imsc_ = v & 1;
            update_irq();
            break;
        case kIcr:
            ris_ &= ~(v & 1);
            update_irq();
            break;
        case kCr:
            break;  // writing 0 does not stop the counter (PL031 TRM)
        default:
            log_mask(LOG_GUEST_ERROR, "pl031: write to bad offset 0x%llx\n",
                     (unsigned long long)offset);
            break;
    }
}

}  // namespace emu

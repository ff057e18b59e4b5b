#include "hw/misc/cmos_rtc.h"

namespace emu {

namespace {
constexpr unsigned kRegA = 0x0a, kRegB = 0x0b, kRegC = 0x0c, kRegD = 0x0d;
constexpr uint8_t kBBinary = 0x04, kB24h = 0x02;
time_t host_now() {
    return time(nullptr);
}
// Seconds, minutes, hours, day of week, day, month, year and century: read
// from the host clock plus the guest's offset, written into that offset.
bool is_time_reg(unsigned reg) {
    return (reg <= 9 && reg != 1 && reg != 3 && reg != 5) || reg == 0x32;
}
}  // namespace

CmosRtc::CmosRtc() : Device("mc146818rtc"), now_(host_now) {
    AccessConstraints c;
    c.valid_min = c.impl_min = c.valid_max = c.impl_max = 1;
    region_ = MemoryRegion::io("rtc", 2, this, c);
    ram_[kRegA] = 0x26;   // 32.768 kHz time base, 1024 Hz rate
    ram_[kRegB] = kB24h;  // BCD, 24 hour
    ram_[kRegD] = 0x80;   // valid RAM and time
}

void CmosRtc::reset() {
    ram_[kRegB] &= ~0x70;  // interrupt enables off
    ram_[kRegC] = 0;
}

void CmosRtc::set_cmos(unsigned index, uint8_t value) {
    ram_[index & 0x7f] = value;
}

uint8_t CmosRtc::to_reg(int v) const {
    if (ram_[kRegB] & kBBinary) return static_cast<uint8_t>(v);
    return static_cast<uint8_t>(((v / 10) << 4) | (v % 10));
}

int CmosRtc::from_reg(uint8_t v) const {
    if (ram_[kRegB] & kBBinary) return v;
    return ((v >> 4) & 0xf) * 10 + (v & 0xf);
}

uint8_t CmosRtc::read_time_reg(unsigned reg) {
    time_t t = now_() + offset_s_;
    struct tm tm {};
    gmtime_r(&t, &tm);
    switch (reg) {
        case 0:
            return to_reg(tm.tm_sec);
        case 2:
            return to_reg(tm.tm_min);
        case 4:
            if (ram_[kRegB] & kB24h) return to_reg(tm.tm_hour);
            return static_cast<uint8_t>(to_reg((tm.tm_hour % 12) ? tm.tm_hour % 12 : 12) |
                                        (tm.tm_hour >= 12 ? 0x80 : 0));
        case 6:
            return to_reg(tm.tm_wday + 1);
        case 7:
            return to_reg(tm.tm_mday);
        case 8:
            return to_reg(tm.tm_mon + 1);
        case 9:
            return to_reg(tm.tm_year % 100);
        case 0x32:
            return to_reg((tm.tm_year + 1900) / 100);  // century
        default:
            return ram_[reg];
    }
}

void CmosRtc::write_time_reg(unsigned reg, uint8_t v) {
    time_t t = now_() + offset_s_;
    struct tm tm {};
    gmtime_r(&t, &tm);
    switch (reg) {
        case 0:
            tm.tm_sec = from_reg(v);
            break;
        case 2:
            tm.tm_min = from_reg(v);
            break;
        case 4: {
            int h = from_reg(v & 0x7f);
            if (!(ram_[kRegB] & kB24h)) h = (h % 12) + ((v & 0x80) ? 12 : 0);
            tm.tm_hour = h;
            break;
        }
        case 7:
            tm.tm_mday = from_reg(v);
            break;
        case 8:
            tm.tm_mon = from_reg(v) - 1;
            break;
        case 9:
            tm.tm_year = (tm.tm_year / 100) * 100 + from_reg(v);
            break;
        case 0x32:
            tm.tm_year = (from_reg(v) * 100 - 1900) + tm.tm_year % 100;
            break;
        default:
            break;
    }
    time_t nt = timegm(&tm);
    if (nt != static_cast<time_t>(-1)) offset_s_ = static_cast<int64_t>(nt) - now_();
}

uint64_t CmosRtc::mmio_read(uint64_t offset, unsigned size) {
    if (offset == 0) return 0xff;  // the index port is write-only
    unsigned reg = index_ & 0x7f;
    if (is_time_reg(reg)) return read_time_reg(reg);
    switch (reg) {
        case kRegA:
            return ram_[kRegA] & 0x7f;  // UIP never set: reads are always consistent
        case kRegC: {
            uint8_t v = ram_[kRegC];
            ram_[kRegC] = 0;
            return v;
        }
        default:
            return ram_[reg];
    }
}

void CmosRtc::mmio_write(uint64_t offset, uint64_t value, unsigned size) {
    uint8_t v = static_cast<uint8_t>(value);
    if (offset == 0) {
        index_ = v;  // bit 7 masks NMIs; there is no NMI source to mask
        return;
    }
    unsigned reg = index_ & 0x7f;
    if (is_time_reg(reg)) write_time_reg(reg, v);
    switch (reg) {
        case kRegB:
            // Switching data mode while SET is clear would corrupt nothing here:
            // time is kept as an offset, not in registers.
            ram_[kRegB] = v;
            break;
        case kRegC:
        case kRegD:
            break;  // read-only
        default:
            ram_[reg] = v;
            break;
    }
}

}  // namespace emu

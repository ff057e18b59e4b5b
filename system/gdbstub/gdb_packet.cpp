#include "system/gdbstub/gdb_packet.h"

namespace emu {

namespace {
int hexval(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}
}  // namespace

void GdbPacketReader::feed(const uint8_t* data, size_t len) {
    for (size_t i = 0; i < len; ++i) {
        char c = char(data[i]);
        switch (state_) {
            case State::Idle:
                if (c == '$') {
                    payload_.clear();
                    sum_ = 0;
                    overflow_ = false;
                    state_ = State::Payload;
                } else if (c == 0x03) {
                    if (cb_.interrupt) cb_.interrupt();
                }
                // '+', '-' and noise between packets are ignored.
                break;
            case State::Payload:
                sum_ = uint8_t(sum_ + uint8_t(c));
                if (c == '#') {
                    sum_ = uint8_t(sum_ - uint8_t('#'));
                    state_ = State::Check1;
                } else if (c == '}') {
                    state_ = State::Escape;
                } else if (payload_.size() < kMaxPacket) {
                    payload_ += c;
                } else {
                    overflow_ = true;
                }
                break;
            case State::Escape:
                sum_ = uint8_t(sum_ + uint8_t(c));
                if (payload_.size() < kMaxPacket) {
                    payload_ += char(c ^ 0x20);
                } else {
                    overflow_ = true;
                }
                state_ = State::Payload;
                break;
            case State::Check1: {
                int v = hexval(c);
                want_ = uint8_t(v < 0 ? 0x100 - 1 : v << 4);
                if (v < 0) overflow_ = true;
                state_ = State::Check2;
                break;
            }
            case State::Check2: {
                int v = hexval(c);
                state_ = State::Idle;
                bool good = v >= 0 && !overflow_ && uint8_t(want_ | v) == sum_;
                if (!no_ack_ && cb_.send_ack) cb_.send_ack(good ? '+' : '-');
                if (good && cb_.packet) cb_.packet(std::move(payload_));
                payload_.clear();
                break;
            }
        }
    }
}

std::string gdb_frame(std::string_view payload) {
    std::string out = "$";
    uint8_t sum = 0;
    for (char c : payload) {
        if (c == '$' || c == '#' || c == '}' || c == '*') {
            out += '}';
            sum = uint8_t(sum + uint8_t('}'));
            c = char(c ^ 0x20);
        }
        out += c;
        sum = uint8_t(sum + uint8_t(c));
    }
    static const char* hex = "0123456789abcdef";
    out += '#';
    out += hex[sum >> 4];
    out += hex[sum & 15];
    return out;
}

std::string to_hex(const uint8_t* data, size_t len) {
    static const char* hex = "0123456789abcdef";
    std::string s;
    s.reserve(len * 2);
    for (size_t i = 0; i < len; ++i) {
        s += hex[data[i] >> 4];
        s += hex[data[i] & 15];
    }
    return s;
}

std::string to_hex(std::string_view s) {
    return to_hex(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}

bool from_hex(std::string_view hex, std::vector<uint8_t>* out) {
    if (hex.size() % 2) return false;
    out->clear();
    out->reserve(hex.size() / 2);
    for (size_t i = 0; i < hex.size(); i += 2) {
        int a = hexval(hex[i]), b = hexval(hex[i + 1]);
        if (a < 0 || b < 0) return false;
        out->push_back(uint8_t(a << 4 | b));
    }
    return true;
}

bool parse_hex_u64(std::string_view s, uint64_t* out) {
    if (s.empty() || s.size() > 16) return false;
    uint64_t v = 0;
    for (char c : s) {
        int d = hexval(c);
        if (d < 0) return false;
        v = v << 4 | uint64_t(d);
    }
    *out = v;
    return true;
}

}  // namespace emu

#pragma once
// The gdb remote serial protocol's framing: "$payload#cs" packets with
// acks, '}' escapes and out-of-band Ctrl-C, decoded from a byte stream.
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace emu {

class GdbPacketReader {
  public:
    static constexpr size_t kMaxPacket = 0x4000;

    struct Callbacks {
        std::function<void(std::string payload)> packet;  // checksum good
        std::function<void()> interrupt;                  // Ctrl-C
        std::function<void(char ack)> send_ack;           // '+' or '-'
    };
    explicit GdbPacketReader(Callbacks cb) : cb_(std::move(cb)) {}

    void feed(const uint8_t* data, size_t len);
    void set_no_ack(bool on) { no_ack_ = on; }

  private:
    enum class State { Idle, Payload, Escape, Check1, Check2 };
    Callbacks cb_;
    State state_ = State::Idle;
    std::string payload_;
    uint8_t sum_ = 0;
    uint8_t want_ = 0;
    bool overflow_ = false;
    bool no_ack_ = false;
};

// "$payload#cs" with the characters gdb requires escaped.
std::string gdb_frame(std::string_view payload);
std::string to_hex(const uint8_t* data, size_t len);
std::string to_hex(std::string_view s);
bool from_hex(std::string_view hex, std::vector<uint8_t>* out);
// Parses a hex number; false on empty/garbage/overflow.
bool parse_hex_u64(std::string_view s, uint64_t* out);

}  // namespace emu

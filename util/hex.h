#pragma once
// "0x1f": how error messages quote guest addresses and file offsets.
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <string>

namespace emu {

inline std::string hex(uint64_t v) {
    char b[24];
    std::snprintf(b, sizeof b, "0x%" PRIx64, v);
    return b;
}

}  // namespace emu

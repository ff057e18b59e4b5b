#include "world_diff.h"

#include <algorithm>
#include <cstring>
#include <iterator>
#include <sstream>

namespace emu::tcg::test {

void randomize_world(World& w, std::mt19937_64& rng) {
    for (uint64_t& r : w.env.r)
        r = rng();
    for (uint8_t& b : w.env.b)
        b = rng() & 1;
    w.env.tcg.pc = 0x1000;
    w.env.tcg.excl_addr = (rng() & 1) ? kTlbInvalid : kRamBase + (rng() & 0x7ff8);
    w.env.tcg.excl_val[0] = rng();
    w.env.tcg.excl_val[1] = 0;
    uint8_t* ram = w.ram_ptr();
    for (uint64_t i = 0; i < kRamSize; i += 8) {
        uint64_t v = rng();
        std::memcpy(ram + i, &v, 8);
    }
    w.dev.log.clear();
    std::fill(std::begin(w.dev.regs), std::end(w.dev.regs), 0);
}

std::string world_diff(const World::Snapshot& a, const World::Snapshot& b, const char* tier) {
    std::ostringstream os;
    for (size_t i = 0; i < a.regs.size(); ++i) {
        if (a.regs[i] != b.regs[i]) {
            os << "env byte +" << i << " (r[" << i / 8 << "]): interp 0x" << std::hex
               << int(a.regs[i]) << " " << tier << " 0x" << int(b.regs[i]) << std::dec << "\n";
        }
    }
    if (a.pc != b.pc) {
        os << "pc: interp 0x" << std::hex << a.pc << " " << tier << " 0x" << b.pc << std::dec
           << "\n";
    }
    if (a.excl_addr != b.excl_addr || a.excl_val0 != b.excl_val0) os << "exclusive monitor\n";
    for (size_t i = 0; i < a.ram.size(); ++i) {
        if (a.ram[i] != b.ram[i]) os << "ram +0x" << std::hex << i << std::dec << "\n";
    }
    if (a.mmio_log != b.mmio_log || a.dev_regs != b.dev_regs) os << "device accesses\n";
    return os.str();
}

}  // namespace emu::tcg::test

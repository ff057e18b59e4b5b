#include "world_diff.h"

#include <algorithm>
#include <cstring>
#include <iterator>
#include <sstream>

#include "tcg/opt/passes.h"

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

std::vector<Block> random_diff_blocks(std::mt19937_64& rng, unsigned count, DiffMix mix,
                                      unsigned span, std::string* err) {
    std::vector<Block> blocks;
    for (unsigned i = 0; i < count; ++i) {
        RandomBlockOptions ro;
        ro.self_loop = mix == DiffMix::SelfLoop;
        ro.ops = (ro.self_loop ? 5 : 10) + static_cast<unsigned>(rng() % span);
        ro.faults = ro.self_loop ? i % 3 == 0 : i % 4 != 0;
        Block b = random_block(rng, ro);
        *err = verify(b);
        if (err->empty() && i % 2) *err = optimize(b);
        if (!err->empty()) {
            *err = "block " + std::to_string(i) + ": " + *err + "\n" + print_block(b);
            break;
        }
        blocks.push_back(std::move(b));
    }
    return blocks;
}

std::string DiffRun::diff(const char* tier_name) const {
    std::ostringstream os;
    os << "exit: interp status " << interp.status << " slot " << interp.slot << ", " << tier_name
       << " status " << tier.status << " slot " << tier.slot << "\n"
       << world_diff(after_interp, after_tier, tier_name);
    return os.str();
}

DiffRun run_interp_and_tier(World& w, const InterpCode& code, CompiledFn fn, unsigned self_slot) {
    DiffRun r;
    // The chain owner is not part of the snapshot: the tier starts with the
    // value the caller left there, as the interpreter did.
    const uint64_t reserved1 = w.env.tcg.reserved1;
    w.cpu->tlb_flush();
    World::Snapshot start = w.snapshot();
    do {
        r.interp = interp_run(code, &w.env);
        ++r.interp_runs;
    } while (self_slot != kNoSelfLoop && r.interp.status == kStatusContinue &&
             r.interp.slot == self_slot);
    r.after_interp = w.snapshot();
    w.restore(start);
    w.env.tcg.reserved1 = reserved1;
    r.tier = fn(&w.env);
    r.after_tier = w.snapshot();
    return r;
}

}  // namespace emu::tcg::test

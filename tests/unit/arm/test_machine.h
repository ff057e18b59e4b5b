#pragma once
// A CPU over a RAM-only address space (16 MiB at 0x40000000, nothing else
// mapped) for running hand-encoded A64 sequences.
#include <cstring>
#include <memory>
#include <vector>

#include "hw/core/address_space.h"
#include "hw/core/memory_region.h"
#include "target/arm/arm_cpu.h"

namespace emu::arm::test {

constexpr uint64_t kRamBase = 0x40000000;
constexpr uint64_t kRamSize = 16 << 20;

struct TestMachine {
    std::unique_ptr<MemoryRegion> root = MemoryRegion::container("system", ~0ull);
    std::unique_ptr<MemoryRegion> ram = MemoryRegion::ram("ram", kRamSize);
    std::unique_ptr<AddressSpace> as;
    std::unique_ptr<ArmCpu> cpu;

    explicit TestMachine(tcg::TierMode tier = tcg::TierMode::Interp, uint32_t hot = 2000,
                         const char* model = "max") {
        root->add_subregion(kRamBase, ram.get());
        as = std::make_unique<AddressSpace>("memory", root.get());
        ArmCpuConfig cfg;
        cfg.memory = as.get();
        cfg.model = model;
        tcg::ExecOptions opts;
        opts.tier = tier;
        opts.hot_threshold = hot;
        cpu = std::make_unique<ArmCpu>(cfg, opts, nullptr);
        ArmCpuState& s = cpu->st();
        s.cpacr_el1 = 3u << 20;  // FP/SIMD enabled, as boot code does
        s.x[31] = kRamBase + kRamSize - 16;
    }
    ArmCpuState& st() { return cpu->st(); }
    uint8_t* host(uint64_t gpa) { return ram->host_ptr() + (gpa - kRamBase); }
    void load(uint64_t addr, const std::vector<uint32_t>& words) {
        std::memcpy(host(addr), words.data(), words.size() * 4);
    }
    uint64_t read64(uint64_t addr) {
        uint64_t v;
        std::memcpy(&v, host(addr), 8);
        return v;
    }
    // Runs from pc until the dispatcher returns (programs end in WFI).
    uint64_t run(uint64_t pc) {
        st().tcg.pc = pc;
        return cpu->exec();
    }
};

}  // namespace emu::arm::test

#pragma once
// A small guest world for running IR blocks under both tiers: an env with
// registers at known offsets, a Cpu whose page walk is the identity (with
// one page that faults), RAM, a device and a hole in the address space.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "hw/core/address_space.h"
#include "hw/core/memory_region.h"
#include "tcg/exec/cpu.h"
#include "tcg/exec/env.h"

namespace emu::tcg::test {

struct TestEnv {
    TcgEnv tcg;
    uint64_t r[16];  // general registers (i8..i64, f32, f64 at r[i]; i128 at r[2k])
    uint8_t b[8];    // i1 registers: only 0 or 1 is ever stored
    // Filled by the fake exception entry.
    uint64_t fault_va;
    uint64_t fault_pc;
    uint64_t fault_kind;
    uint64_t faults;
};

constexpr uint32_t reg(unsigned i) {
    return offsetof(TestEnv, r) + 8 * i;
}
constexpr uint32_t breg(unsigned i) {
    return offsetof(TestEnv, b) + i;
}

constexpr uint64_t kRamBase = 0x40000000;
constexpr uint64_t kRamSize = 0x10000;
constexpr uint64_t kFaultPage = kRamBase + 0x8000;  // mapped RAM, but the walk faults
constexpr uint64_t kMmioBase = 0x09000000;
constexpr uint64_t kMmioSize = 0x1000;
constexpr uint64_t kHole = 0x20000000;  // nothing there: external abort

// A device whose registers read back (addr * 3 + last value written to it).
class EchoDevice : public MmioHandler {
  public:
    uint64_t regs[kMmioSize / 8] = {};
    std::vector<std::string> log;
    uint64_t mmio_read(uint64_t off, unsigned size) override {
        log.push_back("r" + std::to_string(off) + "/" + std::to_string(size));
        return (off * 3 + regs[off / 8]) & (size == 8 ? ~0ull : (1ull << (8 * size)) - 1);
    }
    void mmio_write(uint64_t off, uint64_t v, unsigned size) override {
        log.push_back("w" + std::to_string(off) + "/" + std::to_string(size) + "=" +
                      std::to_string(v));
        regs[off / 8] = v;
    }
};

class TestCpu : public Cpu {
  public:
    TestCpu(TestEnv* env, AddressSpace* as) : Cpu(&env->tcg, as, ExecOptions{}, nullptr), e_(env) {}
    uint64_t tb_flags() override { return 0; }
    unsigned fetch_mmu_idx(uint64_t) override { return 0; }
    bool translate_block(Block*, CodeReader&) override { return false; }
    bool mmu_translate(uint64_t va, Access, unsigned, PageTranslation* out,
                       FaultKind* fault) override {
        if ((va & kPageMask) == kFaultPage) {
            *fault = FaultKind::Translation;
            return false;
        }
        out->pa_page = va & kPageMask;
        return true;
    }
    uint64_t raise_mem_fault(uint64_t va, Access, FaultKind kind, uint64_t pc, bool) override {
        e_->fault_va = va;
        e_->fault_pc = pc;
        e_->fault_kind = static_cast<uint64_t>(kind) + 1;
        ++e_->faults;
        e_->tcg.pc = 0xdead0000 + pc;
        return kStatusException;
    }
    bool take_interrupt() override { return false; }
    std::string dump_state() override { return {}; }

  private:
    TestEnv* e_;
};

struct World {
    std::unique_ptr<MemoryRegion> root = MemoryRegion::container("root", ~0ull);
    std::unique_ptr<MemoryRegion> ram = MemoryRegion::ram("ram", kRamSize);
    EchoDevice dev;
    std::unique_ptr<MemoryRegion> mmio = MemoryRegion::io("echo", kMmioSize, &dev);
    std::unique_ptr<AddressSpace> as;
    TestEnv env{};
    std::unique_ptr<TestCpu> cpu;

    World() {
        root->add_subregion(kRamBase, ram.get());
        root->add_subregion(kMmioBase, mmio.get());
        as = std::make_unique<AddressSpace>("test", root.get());
        cpu = std::make_unique<TestCpu>(&env, as.get());
    }
    ~World() {
        cpu.reset();
        as.reset();
    }
    uint8_t* ram_ptr() { return ram->host_ptr(); }

    // Everything a block can change that the tests compare.
    struct Snapshot {
        std::vector<uint8_t> regs;  // TestEnv from r[] on
        uint64_t pc, excl_addr, excl_val0, excl_val1;
        std::vector<uint8_t> ram;
        std::vector<std::string> mmio_log;
        std::vector<uint64_t> dev_regs;
        bool operator==(const Snapshot&) const = default;
    };
    Snapshot snapshot() {
        Snapshot s;
        auto* p = reinterpret_cast<uint8_t*>(&env);
        s.regs.assign(p + offsetof(TestEnv, r), p + sizeof(TestEnv));
        s.pc = env.tcg.pc;
        s.excl_addr = env.tcg.excl_addr;
        s.excl_val0 = env.tcg.excl_val[0];
        s.excl_val1 = env.tcg.excl_val[1];
        s.ram.assign(ram_ptr(), ram_ptr() + kRamSize);
        s.mmio_log = dev.log;
        s.dev_regs.assign(std::begin(dev.regs), std::end(dev.regs));
        return s;
    }
    void restore(const Snapshot& s) {
        auto* p = reinterpret_cast<uint8_t*>(&env);
        std::memcpy(p + offsetof(TestEnv, r), s.regs.data(), s.regs.size());
        env.tcg.pc = s.pc;
        env.tcg.excl_addr = s.excl_addr;
        env.tcg.excl_val[0] = s.excl_val0;
        env.tcg.excl_val[1] = s.excl_val1;
        std::memcpy(ram_ptr(), s.ram.data(), kRamSize);
        dev.log = s.mmio_log;
        std::copy(s.dev_regs.begin(), s.dev_regs.end(), dev.regs);
        env.tcg.exit_request.store(0);
        cpu->tlb_flush();
    }
};

}  // namespace emu::tcg::test

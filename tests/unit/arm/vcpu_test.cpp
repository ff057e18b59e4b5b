// The ArmVcpu contract (target/arm/cpu_api.h) as the TCG accelerator
// implements it: WFI blocks inside run() until an interrupt or a kick,
// interrupts are taken at block boundaries, options are validated.
#include <catch2/catch.hpp>
#include <chrono>
#include <cstring>
#include <thread>
#include <variant>

#include "hw/core/address_space.h"
#include "hw/core/memory_region.h"
#include "target/arm/cpu_api.h"

using namespace emu;
using namespace emu::arm;

namespace {
struct Mem {
    std::unique_ptr<MemoryRegion> root = MemoryRegion::container("system", ~0ull);
    std::unique_ptr<MemoryRegion> ram = MemoryRegion::ram("ram", 1 << 20);
    std::unique_ptr<AddressSpace> as;
    Mem() {
        root->add_subregion(0x40000000, ram.get());
        as = std::make_unique<AddressSpace>("memory", root.get());
    }
    void load(uint64_t off, std::initializer_list<uint32_t> words) {
        std::memcpy(ram->host_ptr() + off, std::data(words), words.size() * 4);
    }
};
}  // namespace

TEST_CASE("vCPU: WFI blocks until kicked; an IRQ wakes it and is taken", "[arm][vcpu]") {
    Mem mem;
    // 0x0: unmask IRQs, then wfi in a loop; IRQ vector (VBAR + 0x280):
    // x5 = 0x77, then wfi forever.
    mem.load(0, {
                    0xd2a80000,  // mov x0, #0x40000000
                    0x91400400,  // add x0, x0, #0x1, lsl #12
                    0xd518c000,  // msr vbar_el1, x0
                    0xd50342ff,  // msr daifclr, #2
                    0xd503207f,  // 1: wfi
                    0x17ffffff,  // b 1b
                });
    mem.load(0x1280, {0xd2800ee5, 0xd503207f, 0x17ffffff});  // mov x5, #0x77; wfi; b .-4
    ArmCpuConfig cfg;
    cfg.memory = mem.as.get();
    cfg.accel_options = "tier=interp";
    std::string err;
    auto vcpu = create_arm_vcpu(cfg, &err);
    REQUIRE(vcpu);
    uint64_t x[4] = {};
    vcpu->set_boot_state(0x40000000, x);

    std::thread kicker([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        vcpu->kick();
    });
    VcpuExit e = vcpu->run();
    kicker.join();
    CHECK(std::holds_alternative<exit::Kicked>(e));
    CHECK(vcpu->dump_state().find("PC=0000000040000014") != std::string::npos);

    std::thread irq([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        vcpu->set_irq(kArmIrq, true);
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        vcpu->kick();
    });
    e = vcpu->run();
    irq.join();
    CHECK(std::holds_alternative<exit::Kicked>(e));
    std::string st = vcpu->dump_state();
    INFO(st);
    CHECK(st.find("X05=0000000000000077") != std::string::npos);
}

TEST_CASE("vCPU: accelerator options and models are validated", "[arm][vcpu]") {
    Mem mem;
    ArmCpuConfig cfg;
    cfg.memory = mem.as.get();
    std::string err;
    cfg.accel_options = "tier=fast";
    CHECK_FALSE(create_arm_vcpu(cfg, &err));
    CHECK(err.find("tier") != std::string::npos);
    cfg.accel_options = "bogus=1";
    CHECK_FALSE(create_arm_vcpu(cfg, &err));
    cfg.accel_options = "tier=llvm";
    err.clear();
    auto v = create_arm_vcpu(cfg, &err);
    if (!v) CHECK(err.find("not supported yet") != std::string::npos);
    cfg.accel_options = "";
    cfg.model = "pentium";
    CHECK_FALSE(create_arm_vcpu(cfg, &err));
    CHECK(arm_cpu_models().size() >= 3);
}

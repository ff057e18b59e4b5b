#pragma once
// The KVM VM of the x86 tests that run guest code on the real /dev/kvm: RAM
// at 0 with the boot GDT, more regions as the test maps them, one vCPU.
// KVM_OR_SKIP ends a test with a warning where /dev/kvm is unusable.
#include <catch2/catch.hpp>

#include <cstring>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "accel/kvm/kvm_accel.h"
#include "hw/core/address_space.h"
#include "target/x86/entry_state.h"

namespace emu::test {

struct KvmTestVm {
    std::unique_ptr<kvm::KvmAccel> accel;
    std::unique_ptr<kvm::KvmVm> vm;
    std::vector<std::unique_ptr<kvm::KvmVcpu>> vcpus;
    std::unique_ptr<MemoryRegion> root = MemoryRegion::container("root", ~0ull);
    std::unique_ptr<MemoryRegion> ram = MemoryRegion::ram("ram", 0x100000);
    // The test's other regions and where they go; set before open(). They
    // outlive the address space.
    std::vector<std::pair<uint64_t, std::unique_ptr<MemoryRegion>>> regions;
    std::unique_ptr<AddressSpace> as;
    std::string why;

    // False (why says it) where KVM cannot be opened.
    bool open() {
        accel = kvm::KvmAccel::open(&why);
        if (!accel) return false;
        vm = accel->create_vm(&why);
        REQUIRE(vm);
        REQUIRE(vm->setup_x86_platform(&why));
        root->add_subregion(0, ram.get());
        for (auto& [base, region] : regions)
            root->add_subregion(base, region.get());
        as = std::make_unique<AddressSpace>("mem", root.get());
        vm->attach_memory(as.get());
        vcpus.push_back(vm->create_vcpu(0, 0, &why));
        REQUIRE(vcpus[0]);
        auto gdt = x86::boot_gdt();
        std::memcpy(ram->host_ptr() + x86::kBootGdtAddr, gdt.data(), gdt.size());
        return true;
    }
    kvm::KvmVcpu& vcpu() { return *vcpus[0]; }

    // `code` at 0x1000, entered in 32-bit protected mode with the stack at 0x8000.
    void start32(const std::vector<uint8_t>& code) {
        std::memcpy(ram->host_ptr() + 0x1000, code.data(), code.size());
        x86::EntryState st;
        st.mode = x86::EntryMode::Protected32;
        st.rip = 0x1000;
        st.rsp = 0x8000;
        REQUIRE(x86::apply_entry_state(vcpu(), st, &why));
    }
};

#define KVM_OR_SKIP(v)                               \
    if (!(v).open()) {                               \
        WARN("skipping: KVM unusable: " << (v).why); \
        return;                                      \
    }

}  // namespace emu::test

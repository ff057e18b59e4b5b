// The KVM backend against the real /dev/kvm: memory slots from the address
// space, PIO and MMIO exits, read-only slots, kicks. Skipped (with a
// message) where /dev/kvm is unusable.
#include <catch2/catch.hpp>

#include <chrono>
#include <cstring>
#include <thread>

#include "kvm_test_vm.h"

using namespace emu;

namespace {

// A ROM page at 0x200000 (a read-only KVM slot) besides the RAM.
struct Vm : test::KvmTestVm {
    Vm() { regions.emplace_back(0x200000, MemoryRegion::rom("rom", 0x1000)); }
};

}  // namespace

TEST_CASE("KVM: memory slots follow the address space", "[kvm]") {
    Vm v;
    KVM_OR_SKIP(v);
    CHECK(v.vm->slot_count() == 2);
    auto extra = MemoryRegion::ram("extra", 0x10000);
    v.root->add_subregion(0x400000, extra.get());
    CHECK(v.vm->slot_count() == 3);
    v.root->remove_subregion(extra.get());
    CHECK(v.vm->slot_count() == 2);

    // Guest writes to the ROM (a KVM_MEM_READONLY slot) are checked from a
    // long-mode guest in tests/functional/x86 (pvh.mmio): on kvm_pvm a
    // write to a read-only slot without paging never completes.
}

TEST_CASE("KVM: PIO and MMIO exits carry data both ways", "[kvm]") {
    Vm v;
    KVM_OR_SKIP(v);
    v.start32({0xb0, 0x42,                    // mov $0x42, %al
               0xe6, 0x10,                    // out %al, $0x10
               0xe5, 0x12,                    // in $0x12, %eax
               0xa3, 0x00, 0x00, 0x10, 0x00,  // mov %eax, 0x100000 (unmapped: MMIO)
               0xa1, 0x04, 0x00, 0x10, 0x00,  // mov 0x100004, %eax
               0xa3, 0x00, 0x00, 0x01, 0x00,  // mov %eax, 0x10000 (RAM)
               0xe6, 0x14,                    // out %al, $0x14
               0xeb, 0xfe});
    VcpuExit e = v.vcpu().run();
    auto* p = std::get_if<exit::Pio>(&e);
    REQUIRE(p);
    CHECK(p->port == 0x10);
    CHECK(p->is_write);
    CHECK(p->size == 1);
    CHECK(p->data[0] == 0x42);
    e = v.vcpu().run();
    p = std::get_if<exit::Pio>(&e);
    REQUIRE(p);
    CHECK_FALSE(p->is_write);
    CHECK(p->size == 4);
    uint32_t in = 0xcafef00d;
    std::memcpy(p->data, &in, 4);
    e = v.vcpu().run();
    auto* m = std::get_if<exit::Mmio>(&e);
    REQUIRE(m);
    CHECK(m->is_write);
    CHECK(m->addr == 0x100000);
    CHECK(*m->data == 0xcafef00d);
    e = v.vcpu().run();
    m = std::get_if<exit::Mmio>(&e);
    REQUIRE(m);
    CHECK_FALSE(m->is_write);
    CHECK(m->size == 4);
    *m->data = 0x12345678;
    e = v.vcpu().run();
    p = std::get_if<exit::Pio>(&e);
    REQUIRE(p);
    CHECK(p->port == 0x14);
    uint32_t stored;
    std::memcpy(&stored, v.ram->host_ptr() + 0x10000, 4);
    CHECK(stored == 0x12345678);
}

TEST_CASE("KVM: kick interrupts a spinning vCPU; registers are dumped", "[kvm]") {
    Vm v;
    KVM_OR_SKIP(v);
    v.start32({0xeb, 0xfe});
    std::thread t([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        v.vcpu().kick();
    });
    VcpuExit e = v.vcpu().run();
    t.join();
    CHECK(std::holds_alternative<exit::Kicked>(e));
    std::string d = v.vcpu().dump_state();
    CHECK(d.find("RIP=0000000000001000") != std::string::npos);
    CHECK(d.find("CR0=00000011") != std::string::npos);
    // A kick before run() makes the next run return at once.
    v.vcpu().kick();
    e = v.vcpu().run();
    CHECK(std::holds_alternative<exit::Kicked>(e));
}

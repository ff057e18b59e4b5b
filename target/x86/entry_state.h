#pragma once
// The register state a vCPU starts in for each boot path, and the MSRs and
// CPUID a vCPU gets before its first run.
#include <cstdint>
#include <string>
#include <vector>

#include "accel/kvm/kvm_accel.h"

namespace emu::x86 {

// Where the loaders put the GDT every protected/long-mode entry uses.
// Selectors: 0x08 flat 32-bit code, 0x10 flat 64-bit code (Linux's
// __BOOT_CS), 0x18 flat data (__BOOT_DS), 0x20 a 32-bit TSS.
constexpr uint64_t kBootGdtAddr = 0x500;
constexpr uint16_t kSelCode32 = 0x08;
constexpr uint16_t kSelCode64 = 0x10;
constexpr uint16_t kSelData = 0x18;
constexpr uint16_t kSelTss = 0x20;
// The boot GDT contents (5 descriptors, little-endian), for the loader to
// write at kBootGdtAddr.
std::vector<uint8_t> boot_gdt();

enum class EntryMode {
    Reset,        // architectural reset state (firmware at the reset vector)
    Protected32,  // flat 32-bit protected mode, paging off (PVH, Multiboot)
    Long64,       // 64-bit mode with identity-mapped paging (Linux 64-bit boot)
};

struct EntryState {
    EntryMode mode = EntryMode::Reset;
    uint64_t rip = 0;
    uint64_t rsp = 0;
    uint64_t rax = 0, rbx = 0, rsi = 0;
    uint64_t cr3 = 0;  // Long64: the PML4 the loader built
};

bool apply_entry_state(kvm::KvmVcpu& vcpu, const EntryState& st, std::string* err);

// MSRs every vCPU starts with (fast strings on, like QEMU); failures are
// logged, not fatal, since KVM implementations differ.
void setup_msrs(kvm::KvmVcpu& vcpu);

}  // namespace emu::x86

#pragma once
// The device tree of -M virt, built with libfdt: the same node names,
// compatible strings and interrupt specifiers as QEMU's, so Linux and
// bare-metal programs written for QEMU's virt find their devices. Also the
// /chosen and /memory patching applied to a user's -dtb.
#include <cstdint>
#include <string>
#include <vector>

namespace emu {

struct FdtChosen {
    std::string bootargs;
    bool has_initrd = false;
    uint64_t initrd_start = 0, initrd_end = 0;
    std::string stdout_path;  // empty: leave as is
};

struct VirtFdtConfig {
    unsigned gic_version = 2;
    std::vector<uint64_t> mpidr;  // one per CPU
    std::string cpu_compatible = "arm,cortex-a57";
    uint64_t ram_base = 0, ram_size = 0;
    std::vector<unsigned> virtio_slots;  // populated virtio-mmio slots
    bool fw_cfg = false;
    bool flash = false;
    // An MSI controller under the GIC node: GICv2m frame (gic_version 2)
    // or ITS (3), with phandle kVirtFdtMsiPhandle.
    bool msi = false;
    FdtChosen chosen;
};

// The GIC node's phandle and #address-cells, for nodes added after
// build_virt_fdt (the PCIe host's interrupt-map).
inline constexpr uint32_t kVirtFdtGicPhandle = 0x8001;
inline constexpr unsigned kVirtFdtGicAddressCells = 2;
inline constexpr uint32_t kVirtFdtMsiPhandle = 0x8002;

// QEMU's virt tree is a 1 MiB blob (not packed); we keep that size so the
// "does it fit below the kernel" decisions come out the same.
inline constexpr uint64_t kVirtFdtSize = 1 << 20;

// Builds the tree; returns an empty vector and sets err on failure.
std::vector<uint8_t> build_virt_fdt(const VirtFdtConfig& cfg, std::string* err);

// Validates a user -dtb and applies /memory and /chosen as QEMU does
// (bootargs, initrd range, rng-seed, kaslr-seed).
bool patch_user_fdt(std::vector<uint8_t>* blob, const FdtChosen& chosen, uint64_t ram_base,
                    uint64_t ram_size, std::string* err);

// Device-tree "compatible" of a -cpu model name.
std::string arm_cpu_dt_compatible(const std::string& model);

}  // namespace emu

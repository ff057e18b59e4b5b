// The boot contract of -kernel on -M virt: EL1, MMU off, x0 = the device
// tree (magic 0xd00dfeed, big-endian) above the image, PSCI over HVC.
#include "lib/rt.h"

extern char __image_end[];

static uint32_t be32(const void* p) {
    const uint8_t* b = p;
    return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

int main(uint64_t dtb) {
    // Run as a raw binary: an ELF is entered with x0 = 0 and no device
    // tree (QEMU's 1 MiB tree does not fit below an ELF at 0x40080000).
    printf("INFO dtb 0x%lx psci 0x%lx\n", dtb, psci(0x84000000, 0, 0, 0));
    CHECK("CurrentEL is EL1", READ_SYSREG(CurrentEL) >> 2, 1);
    CHECK("MMU off", READ_SYSREG(sctlr_el1) & 1, 0);
    CHECK("x0 is a device tree", dtb ? be32((void*)dtb) : 0, 0xd00dfeed);
    CHECK("device tree in RAM", dtb >= 0x40000000ul, 1);
    CHECK("device tree 8-byte aligned", dtb & 7, 0);
    CHECK("device tree above the image", dtb >= (uint64_t)__image_end, 1);
    CHECK("MPIDR of CPU 0", READ_SYSREG(mpidr_el1) & 0xffffff, 0);
    uint64_t v = psci(0x84000000, 0, 0, 0);  // PSCI_VERSION
    CHECK("PSCI version >= 0.2", v >= 2, 1);
    CHECK("PSCI_FEATURES(CPU_ON)", psci(0x8400000a, 0xc4000003, 0, 0), 0);
    CHECK("PSCI_FEATURES(SYSTEM_OFF)", psci(0x8400000a, 0x84000008, 0, 0), 0);
    CHECK("PSCI_FEATURES(unknown)", psci(0x8400000a, 0x8400001f, 0, 0), (uint64_t)-1);
    CHECK("AFFINITY_INFO(self) = ON", psci(0xc4000004, 0, 0, 0), 0);
    CHECK("CNTFRQ_EL0 set", READ_SYSREG(cntfrq_el0) != 0, 1);
    return 0;
}

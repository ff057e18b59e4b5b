// Fuzzes load_kernel: any byte string as -kernel must load or fail with a
// message, never touch memory outside guest RAM or crash.
#include <cstdint>
#include <memory>
#include <string>

#include "hw/core/address_space.h"
#include "hw/x86/boot_loader.h"
#include "hw/x86/e820.h"

using namespace emu;
using namespace emu::x86;

namespace {
struct Guest {
    std::unique_ptr<MemoryRegion> root = MemoryRegion::container("root", ~0ull);
    std::unique_ptr<MemoryRegion> ram = MemoryRegion::ram("ram", 32ull << 20);
    std::unique_ptr<AddressSpace> as;
    X86MemoryLayout layout = make_memory_layout(32ull << 20);
    Guest() {
        root->add_subregion(0, ram.get());
        as = std::make_unique<AddressSpace>("mem", root.get());
    }
};
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static Guest g;
    LoadContext ctx(GuestMemory(g.as.get()), g.layout, build_e820(g.layout));
    BootInputs in;
    in.kernel_path = "fuzz";
    in.kernel.assign(data, data + size);
    in.initrd.assign(4096, 0x5a);
    in.cmdline = "console=ttyS0";
    in.rsdp_addr = 0xe0000;
    BootResult r;
    std::string err;
    if (!load_kernel(in, ctx, &r, &err) && err.empty()) __builtin_trap();
    return 0;
}

#include "hw/misc/isa_debug_exit.h"

namespace emu {

IsaDebugExit::IsaDebugExit(unsigned iosize, std::function<void(int)> exit_fn)
    : Device("isa-debug-exit"), exit_fn_(std::move(exit_fn)) {
    AccessConstraints c;
    c.valid_min = c.impl_min = 1;
    c.valid_max = c.impl_max = 4;
    c.valid_unaligned = true;
    region_ = MemoryRegion::io("isa-debug-exit", iosize, this, c);
}

void IsaDebugExit::mmio_write(uint64_t offset, uint64_t value, unsigned size) {
    // The process status keeps the low 8 bits, as exit() does.
    exit_fn_(static_cast<int>(((value << 1) | 1) & 0xff));
}

}  // namespace emu

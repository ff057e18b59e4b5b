#pragma once
// Which vCPU the calling thread runs, for devices whose registers are banked
// per CPU (a GICv2 CPU interface, the GIC's private interrupts) and reached
// through plain MMIO, which carries no requester id. Set once by each vCPU
// thread; -1 on every other thread (main loop, tests unless they set it).
namespace emu {

inline int& current_cpu_slot() {
    thread_local int index = -1;
    return index;
}
inline int current_cpu_index() {
    return current_cpu_slot();
}
inline void set_current_cpu_index(int index) {
    current_cpu_slot() = index;
}

}  // namespace emu

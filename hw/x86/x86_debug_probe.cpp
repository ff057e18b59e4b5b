// Whether this host's KVM honours data breakpoints set through
// KVM_SET_GUEST_DEBUG. The paravirtualized kvm_pvm accepts DR7 write/access
// breakpoints but never reports them, so the board asks once, with a
// throw-away VM running three instructions, before promising watchpoints.
#include <cstring>

#include "hw/core/address_space.h"
#include "hw/x86/x86_debug.h"
#include "target/x86/entry_state.h"

namespace emu::x86 {

bool kvm_data_breakpoints_work(kvm::KvmAccel& accel) {
    std::string err;
    auto vm = accel.create_vm(&err);
    if (!vm) return false;
    auto root = MemoryRegion::container("probe", ~0ull);
    auto ram = MemoryRegion::ram("probe.ram", 0x10000);
    root->add_subregion(0, ram.get());
    AddressSpace as("probe", root.get());
    vm->attach_memory(&as);
    auto vcpu = vm->create_vcpu(0, 0, &err);
    if (!vcpu) return false;
    auto gdt = boot_gdt();
    std::memcpy(ram->host_ptr() + kBootGdtAddr, gdt.data(), gdt.size());
    // mov %eax,0x3000; out %al,$0xf4; hlt
    const uint8_t code[] = {0xa3, 0x00, 0x30, 0x00, 0x00, 0xe6, 0xf4, 0xf4};
    std::memcpy(ram->host_ptr() + 0x1000, code, sizeof code);
    EntryState st;
    st.mode = EntryMode::Protected32;
    st.rip = 0x1000;
    st.rsp = 0x8000;
    if (!apply_entry_state(*vcpu, st, &err)) return false;
    kvm_guest_debug d{};
    d.control = KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_HW_BP;
    d.arch.debugreg[0] = 0x3000;
    d.arch.debugreg[7] = 0x2 | (0xdull << 16) | (1ull << 9);  // G0, write, 4 bytes, GE
    if (!vcpu->set_guest_debug(d, &err)) return false;
    VcpuExit ex = vcpu->run();
    bool ok = std::holds_alternative<exit::Debug>(ex) && (vcpu->last_debug_exit().dr6 & 1);
    vcpu.reset();
    vm.reset();
    return ok;
}

}  // namespace emu::x86

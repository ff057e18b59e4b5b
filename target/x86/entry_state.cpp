#include "target/x86/entry_state.h"

#include "util/log.h"

namespace emu::x86 {

namespace {

constexpr uint64_t kCr0Pe = 1ull << 0;
constexpr uint64_t kCr0Et = 1ull << 4;
constexpr uint64_t kCr0Pg = 1ull << 31;
constexpr uint64_t kCr4Pae = 1ull << 5;
constexpr uint64_t kEferLme = 1ull << 8;
constexpr uint64_t kEferLma = 1ull << 10;

uint64_t descriptor(uint32_t base, uint32_t limit, uint16_t flags) {
    // flags: the access byte in bits 0-7 and G/DB/L/AVL in bits 12-15.
    return (static_cast<uint64_t>(limit) & 0xffff) |
           ((static_cast<uint64_t>(base) & 0xffffff) << 16) |
           (static_cast<uint64_t>(flags & 0xff) << 40) |
           ((static_cast<uint64_t>(limit) >> 16 & 0xf) << 48) |
           (static_cast<uint64_t>(flags >> 12 & 0xf) << 52) |
           ((static_cast<uint64_t>(base) >> 24) << 56);
}

kvm_segment flat(uint16_t sel, uint8_t type, bool code64, bool db) {
    kvm_segment s{};
    s.selector = sel;
    s.base = 0;
    s.limit = 0xffffffff;
    s.type = type;
    s.present = 1;
    s.dpl = 0;
    s.s = 1;
    s.l = code64;
    s.db = db;
    s.g = 1;
    return s;
}

}  // namespace

std::vector<uint8_t> boot_gdt() {
    const uint64_t d[5] = {
        0,
        descriptor(0, 0xfffff, 0xc09b),  // 32-bit code, G, D
        descriptor(0, 0xfffff, 0xa09b),  // 64-bit code, G, L
        descriptor(0, 0xfffff, 0xc093),  // data, G, B
        descriptor(0, 0x67, 0x008b),     // 32-bit TSS (busy)
    };
    std::vector<uint8_t> out(sizeof d);
    for (size_t i = 0; i < 5; ++i) {
        for (int b = 0; b < 8; ++b)
            out[i * 8 + b] = static_cast<uint8_t>(d[i] >> (8 * b));
    }
    return out;
}

bool apply_entry_state(kvm::KvmVcpu& vcpu, const EntryState& st, std::string* err) {
    if (st.mode == EntryMode::Reset) return true;  // KVM creates vCPUs in the reset state
    kvm_sregs s{};
    if (!vcpu.get_sregs(&s, err)) return false;
    bool long_mode = st.mode == EntryMode::Long64;
    kvm_segment data = flat(kSelData, 0x3, false, true);
    s.cs = long_mode ? flat(kSelCode64, 0xb, true, false) : flat(kSelCode32, 0xb, false, true);
    s.ds = s.es = s.fs = s.gs = s.ss = data;
    s.tr = kvm_segment{};
    s.tr.selector = kSelTss;
    s.tr.limit = 0x67;
    s.tr.type = 0xb;
    s.tr.present = 1;
    s.ldt = kvm_segment{};
    s.ldt.type = 0x2;
    s.ldt.present = 1;
    s.ldt.unusable = 1;
    s.gdt.base = kBootGdtAddr;
    s.gdt.limit = 5 * 8 - 1;
    s.idt.base = 0;
    s.idt.limit = 0;
    s.cr0 = kCr0Pe | kCr0Et;
    s.cr4 = 0;
    s.efer = 0;
    if (long_mode) {
        s.cr0 |= kCr0Pg;
        s.cr3 = st.cr3;
        s.cr4 = kCr4Pae;
        s.efer = kEferLme | kEferLma;
    }
    if (!vcpu.set_sregs(s, err)) return false;
    kvm_regs r{};
    r.rflags = 0x2;
    r.rip = st.rip;
    r.rsp = st.rsp;
    r.rax = st.rax;
    r.rbx = st.rbx;
    r.rsi = st.rsi;
    return vcpu.set_regs(r, err);
}

void setup_msrs(kvm::KvmVcpu& vcpu) {
    std::string err;
    constexpr uint32_t kMsrMiscEnable = 0x1a0;
    if (!vcpu.set_msrs({{kMsrMiscEnable, 1}}, &err)) {
        log_mask(LOG_UNIMP, "kvm: %s\n", err.c_str());
    }
}

}  // namespace emu::x86

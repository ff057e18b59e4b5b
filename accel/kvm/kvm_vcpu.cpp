#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cinttypes>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <mutex>

#include "accel/kvm/kvm_abi.h"
#include "accel/kvm/kvm_accel.h"
#include "util/log.h"

namespace emu::kvm {

namespace {

// The kick signal only needs to interrupt KVM_RUN; its handler does nothing.
// immediate_exit covers a kick that lands just before the ioctl starts.
constexpr int kKickSignal = SIGUSR1;

void kick_handler(int) {}

void install_kick_handler() {
    static std::once_flag once;
    std::call_once(once, [] {
        struct sigaction sa {};
        sa.sa_handler = kick_handler;
        sigemptyset(&sa.sa_mask);
        sa.sa_flags = 0;  // no SA_RESTART: KVM_RUN must return EINTR
        sigaction(kKickSignal, &sa, nullptr);
    });
}

std::string fmt(const char* f, ...) __attribute__((format(printf, 1, 2)));
std::string fmt(const char* f, ...) {
    char buf[512];
    va_list ap;
    va_start(ap, f);
    std::vsnprintf(buf, sizeof buf, f, ap);
    va_end(ap);
    return buf;
}

std::string seg_line(const char* name, const kvm_segment& s) {
    return fmt("%-3s=%04x %016llx %08x %02x%s%s%s%s dpl=%u\n", name, s.selector,
               static_cast<unsigned long long>(s.base), s.limit, s.type, s.present ? " P" : "",
               s.s ? " S" : "", s.l ? " L" : "", s.db ? " DB" : "", s.dpl);
}

}  // namespace

std::string format_x86_state(const kvm_regs& r, const kvm_sregs& s) {
    std::string o;
    o += fmt("RAX=%016llx RBX=%016llx RCX=%016llx RDX=%016llx\n", r.rax, r.rbx, r.rcx, r.rdx);
    o += fmt("RSI=%016llx RDI=%016llx RBP=%016llx RSP=%016llx\n", r.rsi, r.rdi, r.rbp, r.rsp);
    o += fmt("R8 =%016llx R9 =%016llx R10=%016llx R11=%016llx\n", r.r8, r.r9, r.r10, r.r11);
    o += fmt("R12=%016llx R13=%016llx R14=%016llx R15=%016llx\n", r.r12, r.r13, r.r14, r.r15);
    o += fmt("RIP=%016llx RFL=%08llx\n", r.rip, r.rflags);
    o += seg_line("ES", s.es);
    o += seg_line("CS", s.cs);
    o += seg_line("SS", s.ss);
    o += seg_line("DS", s.ds);
    o += seg_line("FS", s.fs);
    o += seg_line("GS", s.gs);
    o += seg_line("LDT", s.ldt);
    o += seg_line("TR", s.tr);
    o += fmt("GDT=     %016llx %08x\n", s.gdt.base, s.gdt.limit);
    o += fmt("IDT=     %016llx %08x\n", s.idt.base, s.idt.limit);
    o += fmt("CR0=%08llx CR2=%016llx CR3=%016llx CR4=%08llx\n", s.cr0, s.cr2, s.cr3, s.cr4);
    o += fmt("EFER=%016llx APIC_BASE=%016llx\n", s.efer, s.apic_base);
    return o;
}

KvmVcpu::KvmVcpu(KvmVm* vm, unsigned index, int fd, kvm_run* run, size_t run_size)
    : vm_(vm), index_(index), fd_(fd), run_(run), run_size_(run_size) {
    install_kick_handler();
}

KvmVcpu::~KvmVcpu() {
    munmap(run_, run_size_);
    ::close(fd_);
}

void KvmVcpu::kick() {
    __atomic_store_n(&run_->immediate_exit, 1, __ATOMIC_SEQ_CST);
    if (has_thread_.load()) pthread_kill(thread_.load(), kKickSignal);
}

VcpuExit KvmVcpu::run() {
    if (!has_thread_.load() || !pthread_equal(thread_.load(), pthread_self())) {
        thread_.store(pthread_self());
        has_thread_.store(true);
    }
    if (mmio_read_pending_) {
        std::memcpy(run_->mmio.data, &mmio_data_, sizeof run_->mmio.data);
        mmio_read_pending_ = false;
    }
    for (;;) {
        int r = ioctl(fd_, KVM_RUN, 0);
        if (r < 0) {
            if (errno == EINTR || errno == EAGAIN) {
                __atomic_store_n(&run_->immediate_exit, 0, __ATOMIC_SEQ_CST);
                return exit::Kicked{};
            }
            return error_exit(std::string("KVM_RUN failed: ") + std::strerror(errno));
        }
        switch (run_->exit_reason) {
            case KVM_EXIT_IO: {
                auto* data = reinterpret_cast<uint8_t*>(run_) + run_->io.data_offset;
                return exit::Pio{run_->io.port, run_->io.size,
                                 run_->io.direction == KVM_EXIT_IO_OUT, run_->io.count, data};
            }
            case KVM_EXIT_MMIO: {
                unsigned len = run_->mmio.len;
                if (len == 0 || len > 8) {
                    return error_exit("MMIO access of " + std::to_string(len) + " bytes");
                }
                mmio_data_ = 0;
                if (run_->mmio.is_write) {
                    std::memcpy(&mmio_data_, run_->mmio.data, len);
                } else {
                    mmio_read_pending_ = true;
                }
                return exit::Mmio{run_->mmio.phys_addr, len, run_->mmio.is_write != 0, &mmio_data_};
            }
            case KVM_EXIT_HLT:
                return exit::Halt{};
            case KVM_EXIT_SHUTDOWN:
                // A triple fault: the PC platform resets.
                log_mask(LOG_GUEST_ERROR, "kvm: vCPU %u triple fault, resetting\n", index_);
                return exit::Reset{};
            case KVM_EXIT_SYSTEM_EVENT:
                if (run_->system_event.type == KVM_SYSTEM_EVENT_RESET) return exit::Reset{};
                if (run_->system_event.type == KVM_SYSTEM_EVENT_SHUTDOWN) return exit::Shutdown{0};
                return error_exit("unhandled KVM system event " +
                                  std::to_string(run_->system_event.type));
            case KVM_EXIT_INTR:
                return exit::Kicked{};
            case KVM_EXIT_DEBUG:
                return exit::Debug{};
            case KVM_EXIT_IRQ_WINDOW_OPEN:
                continue;
            case KVM_EXIT_INTERNAL_ERROR:
                return internal_error_exit();
            case KVM_EXIT_FAIL_ENTRY:
                return error_exit(fmt("KVM_EXIT_FAIL_ENTRY: hardware entry failure reason 0x%llx",
                                      static_cast<unsigned long long>(
                                          run_->fail_entry.hardware_entry_failure_reason)));
            default:
                return error_exit("unhandled KVM exit reason " + std::to_string(run_->exit_reason));
        }
    }
}

VcpuExit KvmVcpu::internal_error_exit() {
    const char* what = "unknown";
    switch (run_->internal.suberror) {
        case KVM_INTERNAL_ERROR_EMULATION:
            what = "emulation failure";
            break;
        case KVM_INTERNAL_ERROR_SIMUL_EX:
            what = "simultaneous exceptions";
            break;
        case KVM_INTERNAL_ERROR_DELIVERY_EV:
            what = "failed to deliver an event";
            break;
        default:
            break;
    }
    std::string m = fmt("KVM internal error. Suberror: %u (%s)", run_->internal.suberror, what);
    for (uint32_t i = 0; i < run_->internal.ndata && i < 16; ++i) {
        m += fmt("%s0x%llx", i == 0 ? "\nextra data: " : " ",
                 static_cast<unsigned long long>(run_->internal.data[i]));
    }
    return error_exit(m);
}

VcpuExit KvmVcpu::error_exit(const std::string& what) {
    return exit::Error{"vCPU " + std::to_string(index_) + ": " + what + "\n" + dump_state()};
}

std::string KvmVcpu::dump_state() {
    kvm_regs r{};
    kvm_sregs s{};
    std::string err;
    if (!get_regs(&r, &err) || !get_sregs(&s, &err))
        return "(registers unavailable: " + err + ")\n";
    return format_x86_state(r, s);
}

#define VCPU_IOCTL(req, arg, name)                                                \
    do {                                                                          \
        if (ioctl(fd_, req, arg) < 0) {                                           \
            if (err) *err = std::string(name " failed: ") + std::strerror(errno); \
            return false;                                                         \
        }                                                                         \
        return true;                                                              \
    } while (0)

bool KvmVcpu::get_regs(kvm_regs* r, std::string* err) {
    VCPU_IOCTL(KVM_GET_REGS, r, "KVM_GET_REGS");
}
bool KvmVcpu::set_regs(const kvm_regs& r, std::string* err) {
    VCPU_IOCTL(KVM_SET_REGS, &r, "KVM_SET_REGS");
}
bool KvmVcpu::get_sregs(kvm_sregs* s, std::string* err) {
    VCPU_IOCTL(KVM_GET_SREGS, s, "KVM_GET_SREGS");
}
bool KvmVcpu::set_sregs(const kvm_sregs& s, std::string* err) {
    VCPU_IOCTL(KVM_SET_SREGS, &s, "KVM_SET_SREGS");
}
bool KvmVcpu::set_mp_state(uint32_t state, std::string* err) {
    kvm_mp_state mp{state};
    VCPU_IOCTL(KVM_SET_MP_STATE, &mp, "KVM_SET_MP_STATE");
}

bool KvmVcpu::set_cpuid(const std::vector<kvm_cpuid_entry2>& entries, std::string* err) {
    FlexBuffer<kvm_cpuid_entry2> b(entries.size());
    if (!entries.empty()) {
        std::memcpy(b.entries(), entries.data(), entries.size() * sizeof(kvm_cpuid_entry2));
    }
    VCPU_IOCTL(kIoctlSetCpuid2, b.data(), "KVM_SET_CPUID2");
}

bool KvmVcpu::set_msrs(const std::vector<std::pair<uint32_t, uint64_t>>& msrs, std::string* err) {
    for (const auto& [index, value] : msrs) {
        FlexBuffer<kvm_msr_entry> m(1);
        m.entries()[0].index = index;
        m.entries()[0].data = value;
        if (ioctl(fd_, kIoctlSetMsrs, m.data()) != 1) {
            if (err)
                *err = fmt("KVM refused MSR 0x%x = 0x%llx", index,
                           static_cast<unsigned long long>(value));
            return false;
        }
    }
    return true;
}

bool KvmVcpu::get_msr(uint32_t index, uint64_t* value) {
    FlexBuffer<kvm_msr_entry> m(1);
    m.entries()[0].index = index;
    if (ioctl(fd_, kIoctlGetMsrs, m.data()) != 1) return false;
    *value = m.entries()[0].data;
    return true;
}

}  // namespace emu::kvm

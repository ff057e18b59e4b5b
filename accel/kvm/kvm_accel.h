#pragma once
// The KVM accelerator on an x86-64 Linux host: /dev/kvm and the VM and
// vCPU backends built on it. Everything KVM-specific stays in accel/kvm;
// boards see VmBackend/VcpuBackend plus the x86 register helpers that
// target/x86 needs to set up CPUID and the entry state.
#include <linux/kvm.h>

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "accel/accel.h"
#include "hw/core/address_space.h"
#include "hw/core/irq.h"

namespace emu::kvm {

class KvmVm;
class KvmVcpu;

// /dev/kvm. open() returns nullptr and a reason when KVM is unusable
// (missing device, no permission, wrong API version, missing capability).
class KvmAccel : public Accelerator {
  public:
    static std::unique_ptr<KvmAccel> open(std::string* why);
    ~KvmAccel() override;
    const char* name() const override { return "kvm"; }

    int fd() const { return fd_; }
    int vcpu_mmap_size() const { return vcpu_mmap_size_; }
    // Capability value (0: absent).
    int check_extension(long cap) const;
    unsigned max_vcpus() const;
    // KVM_GET_SUPPORTED_CPUID.
    std::vector<kvm_cpuid_entry2> supported_cpuid() const;

    std::unique_ptr<KvmVm> create_vm(std::string* err);

  private:
    KvmAccel() = default;
    int fd_ = -1;
    int vcpu_mmap_size_ = 0;
};

class KvmVm : public VmBackend, public IrqSink, private MemoryListener {
  public:
    KvmVm(KvmAccel* accel, int vm_fd);
    ~KvmVm() override;

    // x86 platform setup: in-kernel PIC/IOAPIC/LAPIC, PIT, and QEMU's GSI
    // routing (ISA IRQ0 arrives on IOAPIC pin 2, matching the MADT override).
    bool setup_x86_platform(std::string* err);

    // VmBackend
    void attach_memory(AddressSpace* memory) override;
    // IrqSink: GSI `n` (ISA IRQs 0-15, IOAPIC pins up to 23).
    void set_irq(int n, bool level) override;

    std::unique_ptr<KvmVcpu> create_vcpu(unsigned index, unsigned apic_id, std::string* err);
    KvmAccel* accel() const { return accel_; }
    int fd() const { return fd_; }
    size_t slot_count() const { return slots_.size(); }

  private:
    void region_add(const FlatRange& r) override;
    void region_del(const FlatRange& r) override;

    struct Slot {
        uint32_t id;
        uint64_t size;
    };
    KvmAccel* accel_;
    int fd_;
    AddressSpace* memory_ = nullptr;
    std::mutex slot_lock_;
    std::map<uint64_t, Slot> slots_;  // by guest physical start
    std::vector<uint32_t> free_ids_;
    uint32_t next_id_ = 0;
    uint32_t max_slots_ = 32;
};

class KvmVcpu : public VcpuBackend {
  public:
    KvmVcpu(KvmVm* vm, unsigned index, int fd, kvm_run* run, size_t run_size);
    ~KvmVcpu() override;

    unsigned index() const override { return index_; }
    VcpuExit run() override;
    void kick() override;
    std::string dump_state() override;

    // Register access for target/x86 (entry state, CPUID, MSRs). Each
    // returns false and fills err on failure.
    bool get_regs(kvm_regs* r, std::string* err = nullptr);
    bool set_regs(const kvm_regs& r, std::string* err = nullptr);
    bool get_sregs(kvm_sregs* s, std::string* err = nullptr);
    bool set_sregs(const kvm_sregs& s, std::string* err = nullptr);
    bool set_cpuid(const std::vector<kvm_cpuid_entry2>& entries, std::string* err = nullptr);
    // Sets each MSR; returns false naming the first one KVM refused.
    bool set_msrs(const std::vector<std::pair<uint32_t, uint64_t>>& msrs,
                  std::string* err = nullptr);
    bool get_msr(uint32_t index, uint64_t* value);
    bool set_mp_state(uint32_t state, std::string* err = nullptr);

  private:
    VcpuExit internal_error_exit();
    VcpuExit error_exit(const std::string& what);

    KvmVm* vm_;
    unsigned index_;
    int fd_;
    kvm_run* run_;
    size_t run_size_;
    uint64_t mmio_data_ = 0;
    bool mmio_read_pending_ = false;
    std::atomic<pthread_t> thread_{0};
    std::atomic<bool> has_thread_{false};
};

// Text for "-d cpu" and error reports, from raw register structs.
std::string format_x86_state(const kvm_regs& r, const kvm_sregs& s);

}  // namespace emu::kvm

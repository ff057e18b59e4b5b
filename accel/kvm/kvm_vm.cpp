#include <errno.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cinttypes>
#include <cstring>

#include "accel/kvm/kvm_abi.h"
#include "accel/kvm/kvm_accel.h"
#include "util/log.h"

namespace emu::kvm {

namespace {
constexpr uint64_t kPage = 4096;
// Three pages KVM needs for real-mode emulation on Intel hosts; just below
// the BIOS area at the top of 4 GiB, where nothing else lives (as QEMU).
constexpr uint64_t kIdentityMapAddr = 0xfeffc000;
constexpr uint64_t kTssAddr = 0xfeffd000;
}  // namespace

KvmVm::KvmVm(KvmAccel* accel, int vm_fd) : accel_(accel), fd_(vm_fd) {
    int n = accel_->check_extension(KVM_CAP_NR_MEMSLOTS);
    if (n > 0) max_slots_ = static_cast<uint32_t>(n);
}

KvmVm::~KvmVm() {
    if (memory_) memory_->remove_listener(this);
    ::close(fd_);
}

bool KvmVm::setup_x86_platform(std::string* err) {
    if (accel_->check_extension(KVM_CAP_SET_IDENTITY_MAP_ADDR)) {
        uint64_t a = kIdentityMapAddr;
        ioctl(fd_, KVM_SET_IDENTITY_MAP_ADDR, &a);
    }
    if (ioctl(fd_, KVM_SET_TSS_ADDR, static_cast<unsigned long>(kTssAddr)) < 0) {
        // Only VMX needs it; other implementations may refuse harmlessly.
        log_mask(LOG_UNIMP, "kvm: KVM_SET_TSS_ADDR: %s\n", std::strerror(errno));
    }
    if (ioctl(fd_, KVM_CREATE_IRQCHIP, 0) < 0) {
        *err = std::string("KVM_CREATE_IRQCHIP failed: ") + std::strerror(errno);
        return false;
    }
    // QEMU's routing: GSI n -> PIC pin n and IOAPIC pin n, except that GSI 0
    // (the PIT) goes to IOAPIC pin 2 and GSI 2 (the cascade) nowhere.
    FlexBuffer<kvm_irq_routing_entry> rt(64);
    unsigned nr = 0;
    auto add = [&](uint32_t gsi, uint32_t chip, uint32_t pin) {
        kvm_irq_routing_entry& e = rt.entries()[nr++];
        std::memset(&e, 0, sizeof(e));
        e.gsi = gsi;
        e.type = KVM_IRQ_ROUTING_IRQCHIP;
        e.u.irqchip.irqchip = chip;
        e.u.irqchip.pin = pin;
    };
    for (uint32_t i = 0; i < 16; ++i) {
        if (i == 2) continue;
        add(i, i < 8 ? KVM_IRQCHIP_PIC_MASTER : KVM_IRQCHIP_PIC_SLAVE, i & 7);
    }
    for (uint32_t i = 0; i < 24; ++i) {
        if (i == 2) continue;
        add(i, KVM_IRQCHIP_IOAPIC, i == 0 ? 2 : i);
    }
    rt.header()->count = nr;
    if (ioctl(fd_, kIoctlSetGsiRouting, rt.data()) < 0) {
        log_mask(LOG_UNIMP, "kvm: KVM_SET_GSI_ROUTING: %s (default routing kept)\n",
                 std::strerror(errno));
    }
    kvm_pit_config pit{};
    pit.flags = KVM_PIT_SPEAKER_DUMMY;
    if (ioctl(fd_, KVM_CREATE_PIT2, &pit) < 0) {
        *err = std::string("KVM_CREATE_PIT2 failed: ") + std::strerror(errno);
        return false;
    }
    return true;
}

void KvmVm::attach_memory(AddressSpace* memory) {
    if (memory_) memory_->remove_listener(this);
    memory_ = memory;
    if (memory_) memory_->add_listener(this);
}

void KvmVm::region_add(const FlatRange& r) {
    if (r.is_io()) return;  // MMIO: KVM exits to us for unmapped addresses
    // KVM maps whole pages; sub-page RAM would have to be emulated as MMIO,
    // which no board here needs.
    if ((r.start | r.size | reinterpret_cast<uintptr_t>(r.host_ptr())) & (kPage - 1)) {
        error_report("kvm: RAM range 0x%" PRIx64 "+0x%" PRIx64
                     " (%s) is not page aligned; not "
                     "mapped",
                     r.start, r.size, r.region->name().c_str());
        return;
    }
    std::lock_guard<std::mutex> g(slot_lock_);
    uint32_t id;
    if (!free_ids_.empty()) {
        id = free_ids_.back();
        free_ids_.pop_back();
    } else if (next_id_ < max_slots_) {
        id = next_id_++;
    } else {
        error_report("kvm: out of memory slots (%u) mapping %s", max_slots_,
                     r.region->name().c_str());
        return;
    }
    kvm_userspace_memory_region m{};
    m.slot = id;
    m.flags = r.is_rom() ? KVM_MEM_READONLY : 0;
    m.guest_phys_addr = r.start;
    m.memory_size = r.size;
    m.userspace_addr = reinterpret_cast<uintptr_t>(r.host_ptr());
    if (ioctl(fd_, KVM_SET_USER_MEMORY_REGION, &m) < 0) {
        error_report("kvm: KVM_SET_USER_MEMORY_REGION %s at 0x%" PRIx64 ": %s",
                     r.region->name().c_str(), r.start, std::strerror(errno));
        free_ids_.push_back(id);
        return;
    }
    slots_[r.start] = Slot{id, r.size};
}

void KvmVm::region_del(const FlatRange& r) {
    if (r.is_io()) return;
    std::lock_guard<std::mutex> g(slot_lock_);
    auto it = slots_.find(r.start);
    if (it == slots_.end()) return;
    kvm_userspace_memory_region m{};
    m.slot = it->second.id;
    m.guest_phys_addr = r.start;
    m.memory_size = 0;  // deletes the slot
    ioctl(fd_, KVM_SET_USER_MEMORY_REGION, &m);
    free_ids_.push_back(it->second.id);
    slots_.erase(it);
}

void KvmVm::set_irq(int n, bool level) {
    kvm_irq_level l{};
    l.irq = static_cast<uint32_t>(n);
    l.level = level ? 1 : 0;
    if (ioctl(fd_, KVM_IRQ_LINE, &l) < 0) {
        log_mask(LOG_GUEST_ERROR, "kvm: KVM_IRQ_LINE %d: %s\n", n, std::strerror(errno));
    }
}

std::unique_ptr<KvmVcpu> KvmVm::create_vcpu(unsigned index, unsigned apic_id, std::string* err) {
    int fd = ioctl(fd_, KVM_CREATE_VCPU, static_cast<unsigned long>(apic_id));
    if (fd < 0) {
        *err = "KVM_CREATE_VCPU " + std::to_string(index) + " failed: " + std::strerror(errno);
        return nullptr;
    }
    size_t size = static_cast<size_t>(accel_->vcpu_mmap_size());
    void* p = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED) {
        *err = std::string("mmap of the vCPU run area failed: ") + std::strerror(errno);
        ::close(fd);
        return nullptr;
    }
    return std::make_unique<KvmVcpu>(this, index, fd, static_cast<kvm_run*>(p), size);
}

}  // namespace emu::kvm

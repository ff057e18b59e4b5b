#include "accel/kvm/kvm_accel.h"

#include "accel/kvm/kvm_abi.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cstring>

namespace emu::kvm {

std::unique_ptr<KvmAccel> KvmAccel::open(std::string* why) {
    int fd = ::open("/dev/kvm", O_RDWR | O_CLOEXEC);
    if (fd < 0) {
        *why = std::string("cannot open /dev/kvm: ") + std::strerror(errno);
        return nullptr;
    }
    int version = ioctl(fd, KVM_GET_API_VERSION, 0);
    if (version != KVM_API_VERSION) {
        ::close(fd);
        *why = "/dev/kvm has API version " + std::to_string(version) + ", need " +
               std::to_string(KVM_API_VERSION);
        return nullptr;
    }
    // Without these the backend cannot work at all; fail early and clearly.
    struct {
        long cap;
        const char* name;
    } required[] = {
        {KVM_CAP_USER_MEMORY, "KVM_CAP_USER_MEMORY"},
        {KVM_CAP_IRQCHIP, "KVM_CAP_IRQCHIP"},
        {KVM_CAP_IMMEDIATE_EXIT, "KVM_CAP_IMMEDIATE_EXIT"},
        {KVM_CAP_EXT_CPUID, "KVM_CAP_EXT_CPUID"},
    };
    for (const auto& r : required) {
        if (ioctl(fd, KVM_CHECK_EXTENSION, r.cap) <= 0) {
            ::close(fd);
            *why = std::string("KVM lacks ") + r.name;
            return nullptr;
        }
    }
    int mmap_size = ioctl(fd, KVM_GET_VCPU_MMAP_SIZE, 0);
    if (mmap_size < static_cast<int>(sizeof(kvm_run))) {
        ::close(fd);
        *why = "KVM_GET_VCPU_MMAP_SIZE failed";
        return nullptr;
    }
    std::unique_ptr<KvmAccel> a(new KvmAccel());
    a->fd_ = fd;
    a->vcpu_mmap_size_ = mmap_size;
    return a;
}

KvmAccel::~KvmAccel() {
    if (fd_ >= 0) ::close(fd_);
}

int KvmAccel::check_extension(long cap) const {
    int r = ioctl(fd_, KVM_CHECK_EXTENSION, cap);
    return r < 0 ? 0 : r;
}

unsigned KvmAccel::max_vcpus() const {
    int n = check_extension(KVM_CAP_MAX_VCPUS);
    if (n <= 0) n = check_extension(KVM_CAP_NR_VCPUS);
    return n > 0 ? static_cast<unsigned>(n) : 4;  // the API's documented fallback
}

std::vector<kvm_cpuid_entry2> KvmAccel::supported_cpuid() const {
    for (unsigned n = 64; n <= 4096; n *= 2) {
        FlexBuffer<kvm_cpuid_entry2> b(n);
        if (ioctl(fd_, kIoctlGetSupportedCpuid, b.data()) == 0) {
            return std::vector<kvm_cpuid_entry2>(b.entries(), b.entries() + b.header()->count);
        }
        if (errno != E2BIG) break;
    }
    return {};
}

std::unique_ptr<KvmVm> KvmAccel::create_vm(std::string* err) {
    int vm;
    do {
        vm = ioctl(fd_, KVM_CREATE_VM, 0);
    } while (vm < 0 && errno == EINTR);
    if (vm < 0) {
        *err = std::string("KVM_CREATE_VM failed: ") + std::strerror(errno);
        return nullptr;
    }
    fcntl(vm, F_SETFD, FD_CLOEXEC);
    return std::make_unique<KvmVm>(this, vm);
}

}  // namespace emu::kvm

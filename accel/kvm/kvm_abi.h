#pragma once
// Layouts and ioctl numbers for the KVM structures that end in a flexible
// array. <linux/kvm.h> declares those arrays with __DECLARE_FLEX_ARRAY,
// which in C++ (with Debian 12's headers) inserts an empty struct: the array
// moves from offset 8 to 12 and the ioctl numbers encode a 12-byte size the
// kernel rejects with EINVAL. These are the C layouts the kernel expects:
// an 8-byte header followed directly by the entries.
#include <linux/kvm.h>
#include <sys/ioctl.h>

#include <cstdint>
#include <cstring>
#include <vector>

namespace emu::kvm {

struct FlexHeader {
    uint32_t count;
    uint32_t pad;  // padding / flags, zero
};
static_assert(sizeof(FlexHeader) == 8);

constexpr unsigned long kIoctlGetSupportedCpuid = _IOWR(KVMIO, 0x05, FlexHeader);
constexpr unsigned long kIoctlSetCpuid2 = _IOW(KVMIO, 0x90, FlexHeader);
constexpr unsigned long kIoctlGetMsrs = _IOWR(KVMIO, 0x88, FlexHeader);
constexpr unsigned long kIoctlSetMsrs = _IOW(KVMIO, 0x89, FlexHeader);
constexpr unsigned long kIoctlSetGsiRouting = _IOW(KVMIO, 0x6a, FlexHeader);

// A header plus `n` entries of T, contiguous, zero-filled.
template <typename T>
class FlexBuffer {
  public:
    explicit FlexBuffer(size_t n) : buf_(sizeof(FlexHeader) + n * sizeof(T), 0) {
        header()->count = static_cast<uint32_t>(n);
    }
    FlexHeader* header() { return reinterpret_cast<FlexHeader*>(buf_.data()); }
    T* entries() { return reinterpret_cast<T*>(buf_.data() + sizeof(FlexHeader)); }
    void* data() { return buf_.data(); }

  private:
    std::vector<uint8_t> buf_;
};

}  // namespace emu::kvm

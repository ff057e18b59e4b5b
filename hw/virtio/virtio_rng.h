#pragma once
// virtio-rng (virtio 1.x, 5.4): one request queue; the device fills the
// driver's writable buffers with bytes from the host's getrandom().
#include "hw/virtio/virtio_device.h"

namespace emu {

class VirtioRng : public VirtioDevice {
  public:
    // At most this many bytes per request, so one request never keeps a
    // vCPU thread busy for long (the driver asks again).
    static constexpr size_t kMaxBytesPerRequest = 64 * 1024;

    explicit VirtioRng(std::string name = "virtio-rng");

  protected:
    void handle_queue(unsigned q) override;
};

}  // namespace emu

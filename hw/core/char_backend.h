#pragma once
// What a device (UART, virtio-console, monitor) sees of a character device.
// The concrete backends (stdio, file, socket, ...) live in system/chardev.
#include <cstddef>
#include <cstdint>

namespace emu {

// Opened: the backend is connected (stdio at start, a socket client on
// accept); Closed: the peer went away; FocusIn: a mux gave this frontend the
// input focus again after it had been opened; Break: a serial break.
enum class CharEvent { Opened, Closed, Break, FocusIn };

class CharFrontend {
  public:
    virtual ~CharFrontend() = default;
    // How many bytes the device can take now (0: backend holds input back).
    virtual size_t can_receive() = 0;
    virtual void receive(const uint8_t* data, size_t len) = 0;
    virtual void char_event(CharEvent ev) {}
};

class CharBackend {
  public:
    virtual ~CharBackend() = default;
    // Writes everything (devices have no way to retry); returns bytes taken.
    // A disconnected socket drops output, as QEMU does.
    virtual size_t write(const uint8_t* data, size_t len) = 0;
    virtual void set_frontend(CharFrontend* fe) = 0;
    // The frontend can take input again (its FIFO drained).
    virtual void accept_input() {}
};

}  // namespace emu

#pragma once
// The i8042 keyboard controller as far as a PC needs it without a keyboard:
// status/command/data registers, the command byte, self tests, the output
// port, and the CPU reset line (command 0xfe, or output-port bit 0 cleared).
// No keyboard or mouse is attached: commands for them time out.
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>

#include "hw/core/device.h"
#include "hw/core/irq.h"
#include "hw/core/memory_region.h"

namespace emu {

class I8042 : public Device {
  public:
    explicit I8042(std::function<void()> reset_fn, IrqLine kbd_irq = {});

    // Port 0x60 (data) and port 0x64 (status/command).
    MemoryRegion* data_region() { return data_.region.get(); }
    MemoryRegion* command_region() { return cmd_.region.get(); }
    void reset() override;

  private:
    struct Port : MmioHandler {
        I8042* self;
        bool is_cmd;
        std::unique_ptr<MemoryRegion> region;
        uint64_t mmio_read(uint64_t, unsigned) override { return self->read(is_cmd); }
        void mmio_write(uint64_t, uint64_t v, unsigned) override {
            self->write(is_cmd, static_cast<uint8_t>(v));
        }
    };
    uint8_t read(bool is_cmd);
    void write(bool is_cmd, uint8_t v);
    void queue(uint8_t b, bool timeout = false);

    std::function<void()> reset_fn_;
    IrqLine irq_;
    Port data_, cmd_;
    std::deque<uint8_t> out_;
    uint8_t status_ = 0;
    uint8_t command_byte_ = 0;
    uint8_t pending_cmd_ = 0;  // controller command awaiting its data byte
    uint8_t outport_ = 0;
};

}  // namespace emu

#pragma once
// Arm PrimeCell UART (PL011), as on QEMU's virt board: 16-entry receive
// FIFO with back-pressure to the chardev, immediate transmit, and the
// interrupt set (RX, TX, receive timeout, errors) with IMSC/RIS/MIS/ICR.
#include <array>
#include <cstdint>

#include "hw/core/char_backend.h"
#include "hw/core/device.h"
#include "hw/core/irq.h"
#include "hw/core/memory_region.h"

namespace emu {

struct Pl011Config {
    CharBackend* chardev = nullptr;  // may be null: output dropped, no input
    IrqLine irq;
};

class Pl011 : public Device, public MmioHandler, public CharFrontend {
  public:
    static constexpr uint64_t kMmioSize = 0x1000;

    // Interrupt bits (RIS/MIS/IMSC/ICR).
    enum : uint32_t {
        kIntRi = 1u << 0,
        kIntCts = 1u << 1,
        kIntDcd = 1u << 2,
        kIntDsr = 1u << 3,
        kIntRx = 1u << 4,
        kIntTx = 1u << 5,
        kIntRt = 1u << 6,
        kIntFe = 1u << 7,
        kIntPe = 1u << 8,
        kIntBe = 1u << 9,
        kIntOe = 1u << 10,
    };
    // Flag register bits.
    enum : uint32_t {
        kFrBusy = 1u << 3,
        kFrRxfe = 1u << 4,
        kFrTxff = 1u << 5,
        kFrRxff = 1u << 6,
        kFrTxfe = 1u << 7,
    };

    explicit Pl011(Pl011Config cfg);
    ~Pl011() override;

    void reset() override;
    uint64_t mmio_read(uint64_t offset, unsigned size) override;
    void mmio_write(uint64_t offset, uint64_t value, unsigned size) override;
    size_t can_receive() override;
    void receive(const uint8_t* data, size_t len) override;
    void char_event(CharEvent ev) override;

    static AccessConstraints constraints() { return {1, 4, false, 4, 4}; }

  private:
    unsigned fifo_depth() const;
    unsigned rx_trigger() const;
    void push_rx(uint16_t v);
    void update_irq();

    Pl011Config cfg_;
    std::array<uint16_t, 16> rx_{};  // data byte | error bits (FE/PE/BE/OE) << 8
    unsigned rx_head_ = 0, rx_count_ = 0;
    uint32_t rsr_ = 0, ilpr_ = 0, ibrd_ = 0, fbrd_ = 0, lcr_ = 0, cr_ = 0, ifls_ = 0;
    uint32_t imsc_ = 0, ris_ = 0, dmacr_ = 0;
    bool irq_level_ = false;
    bool input_held_ = false;  // we told the backend we were full
};

}  // namespace emu

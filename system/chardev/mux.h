#pragma once
// The mux behind "mon:stdio": one backend, several frontends (serial port,
// monitor), switched with QEMU's Ctrl-a escapes.
#include <functional>
#include <vector>

#include "system/chardev/chardev.h"

namespace emu {

class MuxChardev : public Chardev, public CharFrontend {
  public:
    static constexpr uint8_t kEscape = 0x01;  // Ctrl-a

    MuxChardev(std::string id, Chardev* base);
    ~MuxChardev() override;

    // Each frontend gets its own CharBackend view of the mux.
    CharBackend* add_frontend();
    void set_quit_handler(std::function<void()> fn) { on_quit_ = std::move(fn); }
    void set_break_handler(std::function<void()> fn) { on_break_ = std::move(fn); }
    size_t focus() const { return focus_; }
    void switch_focus();
    class View;
    void maybe_open(View* v);

    // CharBackend (unused directly: frontends use their views)
    size_t write(const uint8_t* data, size_t len) override { return base_->write(data, len); }
    void set_frontend(CharFrontend*) override {}

    // CharFrontend: input from the base backend.
    size_t can_receive() override;
    void receive(const uint8_t* data, size_t len) override;
    void char_event(CharEvent ev) override;

  private:
    void feed(uint8_t c);
    void print_help();

    Chardev* base_;
    std::vector<std::unique_ptr<View>> views_;
    size_t focus_ = 0;
    bool escape_pending_ = false;
    bool base_open_ = false;
    std::function<void()> on_quit_;
    std::function<void()> on_break_;
};

}  // namespace emu

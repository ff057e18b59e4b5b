#include "system/chardev/mux.h"

#include <cstring>

namespace emu {

// What one frontend sees: writes pass through; input arrives only while
// this frontend has the focus.
class MuxChardev::View : public CharBackend {
  public:
    View(MuxChardev* mux) : mux_(mux) {}
    size_t write(const uint8_t* data, size_t len) override { return mux_->base_->write(data, len); }
    void set_frontend(CharFrontend* fe) override {
        fe_ = fe;
        if (fe_) fe_->char_event(CharEvent::Opened);
    }
    void accept_input() override { mux_->base_->accept_input(); }
    CharFrontend* fe_ = nullptr;

  private:
    MuxChardev* mux_;
};

MuxChardev::MuxChardev(std::string id, Chardev* base) : Chardev(std::move(id)), base_(base) {
    base_->set_frontend(this);
}

MuxChardev::~MuxChardev() = default;

CharBackend* MuxChardev::add_frontend() {
    views_.push_back(std::make_unique<View>(this));
    return views_.back().get();
}

void MuxChardev::switch_focus() {
    if (views_.empty()) return;
    focus_ = (focus_ + 1) % views_.size();
}

size_t MuxChardev::can_receive() {
    if (views_.empty() || !views_[focus_]->fe_) return 4096;
    // Escapes are consumed here, so always take at least one byte.
    size_t n = views_[focus_]->fe_->can_receive();
    return n ? n : (escape_pending_ ? 1 : 0);
}

void MuxChardev::receive(const uint8_t* data, size_t len) {
    for (size_t i = 0; i < len; ++i)
        feed(data[i]);
}

void MuxChardev::char_event(CharEvent ev) {
    for (auto& v : views_) {
        if (v->fe_) v->fe_->char_event(ev);
    }
}

void MuxChardev::print_help() {
    static const char* text =
        "\r\n"
        "C-a h    print this help\r\n"
        "C-a x    exit emulator\r\n"
        "C-a s    save disk data back to file (if -snapshot)\r\n"
        "C-a t    toggle console timestamps\r\n"
        "C-a b    send break (magic sysrq)\r\n"
        "C-a c    switch between console and monitor\r\n"
        "C-a C-a  sends C-a\r\n";
    base_->write(reinterpret_cast<const uint8_t*>(text), std::strlen(text));
}

void MuxChardev::feed(uint8_t c) {
    if (escape_pending_) {
        escape_pending_ = false;
        switch (c) {
            case 'h':
            case '?':
                print_help();
                return;
            case 'x': {
                static const char* msg = "emu: Terminated\r\n";
                base_->write(reinterpret_cast<const uint8_t*>(msg), std::strlen(msg));
                if (on_quit_) on_quit_();
                return;
            }
            case 'c':
                switch_focus();
                return;
            case 'b':
                if (on_break_) on_break_();
                if (!views_.empty() && views_[focus_]->fe_) {
                    views_[focus_]->fe_->char_event(CharEvent::Break);
                }
                return;
            case 's':
            case 't':
                return;
            case kEscape:
                break;  // deliver a literal Ctrl-a
            default:
                return;
        }
    } else if (c == kEscape) {
        escape_pending_ = true;
        return;
    }
    if (views_.empty()) return;
    CharFrontend* fe = views_[focus_]->fe_;
    if (fe && fe->can_receive() > 0) fe->receive(&c, 1);
}

}  // namespace emu

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
        opened_ = false;
        mux_->maybe_open(this);
    }
    void accept_input() override { mux_->base_->accept_input(); }
    CharFrontend* fe_ = nullptr;
    bool opened_ = false;

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

void MuxChardev::maybe_open(View* v) {
    // As in QEMU, only the frontend with the focus is told the line is open
    // (so the monitor greets the user when they first switch to it).
    if (!base_open_ || !v->fe_ || views_.empty() || views_[focus_].get() != v) return;
    if (!v->opened_) {
        v->opened_ = true;
        v->fe_->char_event(CharEvent::Opened);
    } else {
        v->fe_->char_event(CharEvent::FocusIn);
    }
}

void MuxChardev::switch_focus() {
    if (views_.empty()) return;
    focus_ = (focus_ + 1) % views_.size();
    maybe_open(views_[focus_].get());
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
    if (ev == CharEvent::Opened) {
        base_open_ = true;
        if (!views_.empty()) maybe_open(views_[focus_].get());
        return;
    }
    if (ev == CharEvent::Closed) base_open_ = false;
    for (auto& v : views_) {
        if (v->fe_ && (ev != CharEvent::Closed || v->opened_)) v->fe_->char_event(ev);
        if (ev == CharEvent::Closed) v->opened_ = false;
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

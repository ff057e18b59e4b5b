#pragma once
// Host side of character devices: stdio, null, file, socket servers and the
// multiplexer that shares one backend between a serial port and the monitor.
#include <memory>
#include <string>
#include <vector>

#include "hw/core/char_backend.h"
#include "util/event_loop.h"
#include "util/keyval.h"

namespace emu {

class Chardev : public CharBackend {
  public:
    explicit Chardev(std::string id) : id_(std::move(id)) {}
    const std::string& id() const { return id_; }
    void set_frontend(CharFrontend* fe) override;
    void accept_input() override {}

  protected:
    // Hands input to the frontend; returns how much it took.
    size_t deliver(const uint8_t* data, size_t len);
    CharFrontend* frontend_ = nullptr;

  private:
    std::string id_;
};

class ChardevManager {
  public:
    explicit ChardevManager(EventLoop* loop) : loop_(loop) {}
    ~ChardevManager();

    // -chardev backend,id=...: returns nullptr and sets *err on bad options.
    Chardev* create(const KeyValueList& opts, std::string* err);
    // Legacy -serial/-monitor/-qmp spec ("stdio", "mon:stdio", "file:x",
    // "tcp::4444,server=on,wait=off", "unix:path,server=on", "chardev:id",
    // "null", "none"). `none` yields nullptr without error. `*mux_monitor`
    // is set for the "mon:" prefix.
    Chardev* create_from_spec(const std::string& spec, const std::string& id, std::string* err,
                              bool* mux_monitor);
    Chardev* find(const std::string& id) const;

    // A second frontend on the same chardev (mon:stdio) goes through a mux.
    class MuxChardev* make_mux(Chardev* base);

    EventLoop* loop() const { return loop_; }

  private:
    EventLoop* loop_;
    std::vector<std::unique_ptr<Chardev>> devs_;
    int anon_ = 0;
};

// Puts the terminal back as it was (registered by the stdio backend; safe
// to call from a signal handler).
void restore_terminal();

// Unit-test hooks.
std::unique_ptr<Chardev> make_file_chardev(std::string id, const std::string& out_path,
                                           const std::string& in_path, bool append, EventLoop* loop,
                                           std::string* err);
std::unique_ptr<Chardev> make_null_chardev(std::string id);

}  // namespace emu

#pragma once
// A chardev backed by file descriptors: input is read on the main loop and
// handed to the frontend only as fast as it can take it (back-pressure);
// output is written in full.
#include <vector>

#include "system/chardev/chardev.h"

namespace emu {

class FdChardev : public Chardev {
  public:
    FdChardev(std::string id, EventLoop* loop) : Chardev(std::move(id)), loop_(loop) {}
    ~FdChardev() override;

    size_t write(const uint8_t* data, size_t len) override;
    void accept_input() override;
    void set_frontend(CharFrontend* fe) override;

  protected:
    // in_fd < 0: no input; out_fd < 0: output dropped.
    void attach(int in_fd, int out_fd);
    void detach_input();
    // Called when the input fd reports EOF/hang-up.
    virtual void input_closed() { detach_input(); }

    EventLoop* loop_;
    int in_fd_ = -1;
    int out_fd_ = -1;

  private:
    void on_readable();
    void flush_pending();
    void update_poll();

    EventLoop::Handle in_handle_ = 0;
    std::vector<uint8_t> pending_;
};

}  // namespace emu

// The stdio backend: raw terminal while emu runs, restored on every exit
// path (normal exit, error exit, fatal signal).
#include <fcntl.h>
#include <signal.h>
#include <termios.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>

#include "system/chardev/fd_chardev.h"

namespace emu {

namespace {

struct termios g_saved_tty;
std::atomic<bool> g_tty_saved{false};
std::atomic<bool> g_stdio_in_use{false};

void restore_on_signal(int sig) {
    restore_terminal();
    signal(sig, SIG_DFL);
    raise(sig);
}

class StdioChardev : public FdChardev {
  public:
    StdioChardev(std::string id, EventLoop* loop) : FdChardev(std::move(id), loop) {}
    ~StdioChardev() override {
        detach_input();
        restore_terminal();
        g_stdio_in_use = false;
    }

    void start(bool signal_on) {
        if (isatty(STDIN_FILENO)) {
            struct termios tty;
            if (tcgetattr(STDIN_FILENO, &tty) == 0) {
                if (!g_tty_saved.exchange(true)) {
                    g_saved_tty = tty;
                    std::atexit(restore_terminal);
                    for (int sig : {SIGSEGV, SIGBUS, SIGABRT, SIGFPE, SIGILL, SIGQUIT}) {
                        signal(sig, restore_on_signal);
                    }
                }
                // Raw input, but keep output post-processing so the guest's
                // "\n" still lands at column 0 (as QEMU does).
                tty.c_iflag &= ~(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON);
                tty.c_oflag |= OPOST;
                tty.c_lflag &= ~(ECHO | ECHONL | ICANON | IEXTEN);
                if (!signal_on) tty.c_lflag &= ~ISIG;
                tty.c_cflag &= ~(CSIZE | PARENB);
                tty.c_cflag |= CS8;
                tty.c_cc[VMIN] = 1;
                tty.c_cc[VTIME] = 0;
                tcsetattr(STDIN_FILENO, TCSANOW, &tty);
            }
        }
        int fl = fcntl(STDIN_FILENO, F_GETFL);
        bool can_read = fl >= 0;
        if (can_read) fcntl(STDIN_FILENO, F_SETFL, fl | O_NONBLOCK);
        attach(can_read ? STDIN_FILENO : -1, STDOUT_FILENO);
    }

  protected:
    void input_closed() override {
        // stdin at EOF (e.g. </dev/null in CI): keep the output side.
        detach_input();
    }
};

}  // namespace

void restore_terminal() {
    if (g_tty_saved.load()) tcsetattr(STDIN_FILENO, TCSANOW, &g_saved_tty);
    int fl = fcntl(STDIN_FILENO, F_GETFL);
    if (fl >= 0 && (fl & O_NONBLOCK)) fcntl(STDIN_FILENO, F_SETFL, fl & ~O_NONBLOCK);
}

std::unique_ptr<Chardev> make_stdio_chardev(std::string id, EventLoop* loop, bool signal_on,
                                            std::string* err) {
    if (g_stdio_in_use.exchange(true)) {
        *err = "cannot use stdio by multiple character devices";
        return nullptr;
    }
    auto c = std::make_unique<StdioChardev>(std::move(id), loop);
    c->start(signal_on);
    return c;
}

}  // namespace emu

#pragma once
// Arm semihosting (the "Semihosting for AArch32 and AArch64" interface) as
// QEMU's -semihosting provides it with target=native: console output on the
// host's stderr, ":tt" and the feature file, host file I/O, clocks,
// HEAPINFO, GET_CMDLINE and the exit calls. Every guest pointer and length
// goes through GuestMemory and is bounded.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "hw/core/guest_memory.h"

namespace emu {

struct SemihostingConfig {
    GuestMemory* memory = nullptr;
    std::string cmdline;  // GET_CMDLINE: "<kernel> <append>"
    uint64_t heap_base = 0, heap_limit = 0, stack_base = 0, stack_limit = 0;
    // Program end: status for the emulator's exit.
    std::function<void(int status)> exit;
    // Console output (WRITEC/WRITE0); defaults to the host's stderr.
    std::function<void(const char* data, size_t len)> console;
    // Host descriptors behind ":tt" (tests redirect them).
    int stdin_fd = 0, stdout_fd = 1, stderr_fd = 2;
};

class Semihosting {
  public:
    enum Op : uint32_t {
        kOpen = 0x01,
        kClose = 0x02,
        kWriteC = 0x03,
        kWrite0 = 0x04,
        kWrite = 0x05,
        kRead = 0x06,
        kReadC = 0x07,
        kIsError = 0x08,
        kIsTty = 0x09,
        kSeek = 0x0a,
        kFlen = 0x0c,
        kTmpNam = 0x0d,
        kRemove = 0x0e,
        kRename = 0x0f,
        kClock = 0x10,
        kTime = 0x11,
        kSystem = 0x12,
        kErrno = 0x13,
        kGetCmdline = 0x15,
        kHeapInfo = 0x16,
        kExit = 0x18,
        kExitExtended = 0x20,
        kElapsed = 0x30,
        kTickFreq = 0x31,
    };
    static constexpr uint64_t kAdpStoppedApplicationExit = 0x20026;

    explicit Semihosting(SemihostingConfig cfg);
    ~Semihosting();
    Semihosting(const Semihosting&) = delete;
    Semihosting& operator=(const Semihosting&) = delete;

    // One call from AArch64 (HLT #0xF000): op = w0, param = x1; returns x0.
    uint64_t call(uint32_t op, uint64_t param);
    // Set once an exit call was made (the CPU should stop).
    bool exited() const { return exited_; }

  private:
    struct Handle {
        int fd = -1;
        bool features = false;  // the ":semihosting-features" pseudo-file
        uint64_t pos = 0;       // only for the feature file
        bool owned = true;
    };
    bool arg(uint64_t param, unsigned n, uint64_t* out);
    bool read_string(uint64_t addr, uint64_t len, std::string* out);
    Handle* handle(uint64_t h);
    uint64_t fail(int err) {
        errno_ = err;
        return uint64_t(-1);
    }
    uint64_t do_open(uint64_t param);
    uint64_t do_rw(uint64_t param, bool write);
    uint64_t do_exit(uint64_t param, bool extended);

    SemihostingConfig cfg_;
    std::vector<Handle> handles_;  // guest handle n -> handles_[n - 1]
    int errno_ = 0;
    int64_t start_ns_;
    bool exited_ = false;
};

}  // namespace emu

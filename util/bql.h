#pragma once
// The big lock: device state is touched only with it held. The main loop
// holds it except while it waits in poll(); vCPU threads take it around
// device accesses (MMIO/PIO) and drop it while running guest code.
#include <mutex>

namespace emu {

std::recursive_mutex& bql();

// Whether the calling thread holds the big lock (for assertions).
bool bql_held();

class BqlGuard {
  public:
    BqlGuard();
    ~BqlGuard();
    BqlGuard(const BqlGuard&) = delete;
    BqlGuard& operator=(const BqlGuard&) = delete;
};

// Drops the lock for the lifetime of the object (around a blocking call).
class BqlUnlock {
  public:
    BqlUnlock();
    ~BqlUnlock();
    BqlUnlock(const BqlUnlock&) = delete;
    BqlUnlock& operator=(const BqlUnlock&) = delete;

  private:
    int depth_;
};

}  // namespace emu

#pragma once
// A guest profiler for translator work: with EMU_PC_SAMPLE=<prefix> set,
// each vCPU's guest PC is sampled every 500 us from a side thread and the
// samples (hex, one per line, in time order) go to <prefix>.<vcpu> when the
// vCPU is destroyed. bench/guest_profile.py maps them to guest symbols.
// The read is racy by design (the PC of the last block exit), which is
// what a sampling profile needs.
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace emu::tcg {

class PcSampler {
  public:
    // nullptr when EMU_PC_SAMPLE is not set.
    static std::unique_ptr<PcSampler> from_env(const uint64_t* pc, unsigned vcpu);
    PcSampler(const uint64_t* pc, std::string path);
    ~PcSampler();
    PcSampler(const PcSampler&) = delete;
    PcSampler& operator=(const PcSampler&) = delete;

  private:
    const uint64_t* pc_;
    std::string path_;
    std::atomic<bool> stop_{false};
    std::vector<uint64_t> samples_;
    std::thread thread_;
};

}  // namespace emu::tcg

#include "accel/tcg/pc_sampler.h"

#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>

#include "util/log.h"

namespace emu::tcg {

std::unique_ptr<PcSampler> PcSampler::from_env(const uint64_t* pc, unsigned vcpu) {
    const char* prefix = std::getenv("EMU_PC_SAMPLE");
    if (!prefix || !*prefix) return nullptr;
    return std::make_unique<PcSampler>(pc, std::string(prefix) + "." + std::to_string(vcpu));
}

PcSampler::PcSampler(const uint64_t* pc, std::string path) : pc_(pc), path_(std::move(path)) {
    samples_.reserve(1 << 16);
    thread_ = std::thread([this] {
        while (!stop_.load(std::memory_order_relaxed)) {
            // The vCPU thread writes the PC without synchronisation: an
            // aligned 64-bit load on x86-64 cannot tear, and volatile keeps
            // the compiler from hoisting it out of the loop.
            uint64_t pc = *static_cast<const volatile uint64_t*>(pc_);
            samples_.push_back(pc);
            std::this_thread::sleep_for(std::chrono::microseconds(500));
        }
    });
}

PcSampler::~PcSampler() {
    stop_ = true;
    thread_.join();
    FILE* f = std::fopen(path_.c_str(), "w");
    if (!f) {
        error_report("EMU_PC_SAMPLE: cannot write %s", path_.c_str());
        return;
    }
    for (uint64_t v : samples_)
        std::fprintf(f, "%" PRIx64 "\n", v);
    std::fclose(f);
}

}  // namespace emu::tcg

// Runs a bare-metal aarch64 raw binary (linked at 0x40080000, e.g. the
// guest programs of tests/guest/aarch64) on one ArmCpu over RAM and a
// UART sink, with semihosting and PSCI SYSTEM_OFF for the exit, under one
// tier; prints the guest's output, the exit status and the time spent in
// the guest. Not a test: bench/llvm_tier_speed.sh runs it to compare the
// tiers with each other and with qemu-system-aarch64 until the virt board
// runs the same programs end to end.
//
//   emu-llvm-arm-bench <interp|llvm|auto> <prog.bin> [hot-threshold]
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "hw/core/address_space.h"
#include "hw/core/memory_region.h"
#include "target/arm/arm_cpu.h"
#include "tcg/llvm/llvm_tier.h"
#include "util/log.h"

using namespace emu;

namespace {

constexpr uint64_t kRamBase = 0x40000000;
constexpr uint64_t kRamSize = 256ull << 20;
constexpr uint64_t kLoad = kRamBase + 0x80000;

class UartSink : public MmioHandler {
  public:
    uint64_t mmio_read(uint64_t, unsigned) override { return 0; }  // FR: never full
    void mmio_write(uint64_t off, uint64_t v, unsigned) override {
        if (off == 0) std::fputc(static_cast<int>(v & 0xff), stdout);
    }
};

struct Board : arm::ArmPlatformHooks {
    uint8_t* ram = nullptr;
    arm::ArmCpu* cpu = nullptr;
    bool exited = false;
    int status = -1;

    const uint8_t* at(uint64_t gpa, uint64_t len) const {
        if (gpa < kRamBase || gpa - kRamBase + len > kRamSize) return nullptr;
        return ram + (gpa - kRamBase);
    }
    void stop(int st) {
        exited = true;
        status = st;
        cpu->request(tcg::kRequestKick);
    }
    bool psci_call(unsigned, const uint64_t regs[4], uint64_t* x0) override {
        if ((regs[0] & 0xffffffff) == 0x84000008) {  // SYSTEM_OFF
            stop(0);
            *x0 = 0;
            return true;
        }
        *x0 = static_cast<uint64_t>(-1);  // NOT_SUPPORTED
        return true;
    }
    uint64_t semihosting_call(unsigned, uint64_t op, uint64_t param) override {
        switch (op) {
            case 0x18:    // SYS_EXIT
            case 0x20: {  // SYS_EXIT_EXTENDED
                const uint8_t* p = at(param, 16);
                uint64_t block[2] = {0, 1};
                if (p) std::memcpy(block, p, 16);
                stop(block[0] == 0x20026 ? static_cast<int>(block[1]) : 1);
                return 0;
            }
            case 0x03:  // SYS_WRITEC
                if (const uint8_t* p = at(param, 1)) std::fputc(*p, stdout);
                return 0;
            case 0x04:  // SYS_WRITE0
                for (uint64_t a = param;; ++a) {
                    const uint8_t* p = at(a, 1);
                    if (!p || !*p) break;
                    std::fputc(*p, stdout);
                }
                return 0;
            default:
                return static_cast<uint64_t>(-1);
        }
    }
};

double cpu_seconds() {
    timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return double(ts.tv_sec) + double(ts.tv_nsec) / 1e9;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 3) {
        std::fprintf(stderr, "usage: %s interp|baseline|llvm|auto prog.bin [hot-threshold]\n",
                     argv[0]);
        return 2;
    }
    std::ifstream f(argv[2], std::ios::binary);
    std::vector<char> image((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    if (image.empty() || image.size() > kRamSize / 2) {
        std::fprintf(stderr, "%s: cannot read the program\n", argv[2]);
        return 2;
    }
    std::string tier = argv[1];
    tcg::ExecOptions opts;
    if (tier == "interp") {
        opts.tier = tcg::TierMode::Interp;
    } else if (tier == "baseline") {
        opts.tier = tcg::TierMode::Baseline;
    } else if (tier == "llvm") {
        opts.tier = tcg::TierMode::Llvm;
    } else if (tier == "auto") {
        opts.tier = tcg::TierMode::Auto;
    } else {
        std::fprintf(stderr, "tier must be interp, baseline, llvm or auto\n");
        return 2;
    }
    if (argc > 3) opts.hot_threshold = static_cast<uint32_t>(std::atoi(argv[3]));
    // -d categories, e.g. EMU_BENCH_LOG=in_asm,out_asm (tier=llvm shows the
    // host code of every block).
    if (const char* d = std::getenv("EMU_BENCH_LOG")) {
        std::string bad;
        g_log_mask.store(parse_log_mask(d, &bad));
    }

    auto root = MemoryRegion::container("system", ~0ull);
    auto ram = MemoryRegion::ram("ram", kRamSize);
    UartSink uart;
    auto uart_mr = MemoryRegion::io("uart", 0x1000, &uart);
    root->add_subregion(kRamBase, ram.get());
    root->add_subregion(0x09000000, uart_mr.get());
    AddressSpace as("memory", root.get());
    std::memcpy(ram->host_ptr() + (kLoad - kRamBase), image.data(), image.size());

    Board board;
    board.ram = ram->host_ptr();
    arm::ArmCpuConfig cfg;
    cfg.memory = &as;
    cfg.hooks = &board;
    cfg.semihosting = true;
    cfg.model = "max";  // the most capable model: LSE and everything else we implement
    std::unique_ptr<tcg::TierCompiler> compiler;
    std::string err;
    if (opts.tier != tcg::TierMode::Interp) {
        compiler = tcg::make_llvm_tier(&err);
        if (!compiler) {
            std::fprintf(stderr, "llvm tier: %s\n", err.c_str());
            return 2;
        }
    }
    auto cpu = std::make_unique<arm::ArmCpu>(cfg, opts, std::move(compiler));
    board.cpu = cpu.get();
    const uint64_t x[4] = {kRamBase + kRamSize - 0x100000, 0, 0, 0};
    cpu->set_boot_state(kLoad, x);

    auto t0 = std::chrono::steady_clock::now();
    double c0 = cpu_seconds();
    while (!board.exited) {
        uint64_t st = cpu->exec();
        if (board.exited) break;
        if (st == tcg::kStatusHalt) {
            std::fprintf(stderr, "guest waits for an interrupt that never comes (WFI)\n");
            break;
        }
    }
    double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    double cpu_s = cpu_seconds() - c0;
    std::fflush(stdout);
    const tcg::ExecStats& s = cpu->stats();
    // Compiled blocks entered through links or looping on themselves are
    // counted by the tier, not the dispatcher.
    tcg::LlvmTierStats ls;
    if (opts.tier != tcg::TierMode::Interp) {
        if (auto t = tcg::shared_llvm_tier(&err)) ls = t->stats();
    }
    uint64_t compiled = s.insns_compiled + ls.unseen_insns;
    uint64_t insns = s.insns_interp + compiled;
    std::fprintf(stderr,
                 "tier %s: exit %d, %.3f s wall, %.3f s cpu (both threads), %" PRIu64
                 " guest insns (%.1f%% compiled), %" PRIu64 " blocks translated, %" PRIu64
                 " compiled, %" PRIu64 " block runs\n",
                 tier.c_str(), board.status, wall, cpu_s, insns,
                 insns ? 100.0 * double(compiled) / double(insns) : 0.0, s.blocks_translated,
                 s.blocks_compiled, s.tb_exec_interp + s.tb_exec_compiled + ls.unseen_runs);
    if (opts.tier != tcg::TierMode::Interp) std::fprintf(stderr, "%s\n", ls.format().c_str());
    return board.exited ? board.status : 3;
}

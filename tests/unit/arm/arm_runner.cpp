// emu-arm-run: runs a bare-metal aarch64 binary on the translator with a
// minimal platform (RAM at 0x40000000, a PL011 data/flag register stub at
// 0x09000000, semihosting and PSCI SYSTEM_OFF), without a board. For
// translator development, differential runs and benchmarks; the real
// machine is -M virt in emu-system-aarch64.
//
//   emu-arm-run [-accel-options tier=interp|baseline] [-stats] [-d in_asm,...] image.bin
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "hw/core/address_space.h"
#include "hw/core/memory_region.h"
#include "target/arm/arm_cpu.h"
#include "util/log.h"

using namespace emu;
using namespace emu::arm;

namespace {

constexpr uint64_t kRamBase = 0x40000000, kRamSize = 128 << 20, kLoad = 0x40080000;

class Uart : public MmioHandler {
  public:
    uint64_t mmio_read(uint64_t offset, unsigned) override { return 0; }  // FR: never busy
    void mmio_write(uint64_t offset, uint64_t value, unsigned) override {
        if (offset == 0) {
            std::fputc(static_cast<int>(value & 0xff), stdout);
        }
    }
};

class Platform : public ArmPlatformHooks {
  public:
    AddressSpace* as = nullptr;
    ArmCpu* cpu = nullptr;
    bool exited = false;
    int status = 0;

    bool psci_call(unsigned, const uint64_t regs[4], uint64_t* x0) override {
        if (regs[0] == 0x84000008 || regs[0] == 0x84000009) {  // SYSTEM_OFF / SYSTEM_RESET
            stop(0);
            *x0 = 0;
            return true;
        }
        *x0 = static_cast<uint64_t>(-1);  // NOT_SUPPORTED
        return true;
    }
    uint64_t semihosting_call(unsigned, uint64_t op, uint64_t param) override {
        switch (op) {
            case 0x03: {  // SYS_WRITEC
                uint8_t c = 0;
                as->read(param, &c, 1);
                std::fputc(c, stdout);
                return 0;
            }
            case 0x04: {  // SYS_WRITE0
                for (uint64_t a = param;; ++a) {
                    uint8_t c = 0;
                    if (as->read(a, &c, 1) != MemTxResult::Ok || !c) break;
                    std::fputc(c, stdout);
                }
                return 0;
            }
            case 0x18:    // SYS_EXIT
            case 0x20: {  // SYS_EXIT_EXTENDED
                uint64_t block[2] = {param, 0};
                if (op == 0x20 || true) as->read(param, block, 16);
                stop(block[0] == 0x20026 ? static_cast<int>(block[1]) : 1);
                return 0;
            }
            default:
                return static_cast<uint64_t>(-1);
        }
    }
    void stop(int s) {
        exited = true;
        status = s;
        cpu->request(tcg::kRequestKick);
    }
};

}  // namespace

int main(int argc, char** argv) {
    set_program_name("emu-arm-run");
    std::string accel, image;
    bool stats = false;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        if (a == "-accel-options" && i + 1 < argc) {
            accel = argv[++i];
        } else if (a == "-stats") {
            stats = true;
        } else if (a == "-d" && i + 1 < argc) {
            std::string bad;
            uint32_t m = parse_log_mask(argv[++i], &bad);
            if (!bad.empty()) {
                error_report("unknown -d category %s", bad.c_str());
                return 2;
            }
            g_log_mask = m;
        } else {
            image = a;
        }
    }
    std::ifstream f(image, std::ios::binary);
    if (!f) {
        error_report("cannot open %s", image.c_str());
        return 2;
    }
    std::vector<char> data((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    if (data.size() > kRamSize - (kLoad - kRamBase)) {
        error_report("image too large");
        return 2;
    }

    auto root = MemoryRegion::container("system", ~0ull);
    auto ram = MemoryRegion::ram("ram", kRamSize);
    Uart uart;
    auto uart_mr = MemoryRegion::io("pl011", 0x1000, &uart);
    root->add_subregion(kRamBase, ram.get());
    root->add_subregion(0x09000000, uart_mr.get());
    AddressSpace as("memory", root.get());
    std::memcpy(ram->host_ptr() + (kLoad - kRamBase), data.data(), data.size());

    Platform plat;
    plat.as = &as;
    ArmCpuConfig cfg;
    cfg.memory = &as;
    cfg.hooks = &plat;
    cfg.semihosting = true;
    cfg.model = "max";  // the most capable model: LSE and everything else we implement
    tcg::ExecOptions opts;
    // The interpreter unless tier=baseline asks for the x86 first tier.
    opts.tier = accel.find("tier=baseline") != std::string::npos ? tcg::TierMode::Baseline
                                                                 : tcg::TierMode::Interp;
    ArmCpu cpu(cfg, opts, nullptr);
    plat.cpu = &cpu;
    uint64_t x[4] = {0, 0, 0, 0};
    cpu.set_boot_state(kLoad, x);

    auto t0 = std::chrono::steady_clock::now();
    std::atomic<bool> never{false};
    while (!plat.exited) {
        uint64_t st = cpu.exec();
        if (plat.exited) break;
        if (st == tcg::kStatusHalt) {
            if (!cpu.interrupt_pending() && cpu.next_timer_deadline_ns() == INT64_MAX) {
                error_report("guest halted with nothing to wake it\n%s", cpu.dump_state().c_str());
                return 3;
            }
            cpu.wait_for_interrupt(never);
        } else if (st != tcg::kStatusKicked) {
            error_report("unexpected status %llu", static_cast<unsigned long long>(st));
            return 3;
        }
    }
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::fflush(stdout);
    if (stats) {
        const tcg::ExecStats& s = cpu.stats();
        std::fprintf(stderr,
                     "time %.3f s; blocks %llu (%.1f us each); insns interp %llu compiled %llu; "
                     "block execs %llu\n",
                     secs, (unsigned long long)s.blocks_translated,
                     s.blocks_translated ? s.translate_ns / 1e3 / s.blocks_translated : 0.0,
                     (unsigned long long)s.insns_interp, (unsigned long long)s.insns_compiled,
                     (unsigned long long)(s.tb_exec_interp + s.tb_exec_compiled));
    }
    return plat.status;
}

#include "hw/arm/psci.h"

#include <catch2/catch.hpp>

using namespace emu;

namespace {
struct FakePlatform : PsciPlatform {
    bool on[2] = {true, false};
    uint64_t entry = 0, ctx = 0;
    bool off_called = false, reset_called = false, aarch64 = false;
    int cpu_off_index = -1;
    unsigned cpu_count() const override { return 2; }
    int cpu_by_mpidr(uint64_t m) const override { return m < 2 ? int(m) : -1; }
    bool cpu_is_on(unsigned i) const override { return on[i]; }
    void cpu_on(unsigned i, uint64_t e, uint64_t c, bool a64) override {
        on[i] = true;
        entry = e;
        ctx = c;
        aarch64 = a64;
    }
    void cpu_off(unsigned i) override {
        on[i] = false;
        cpu_off_index = int(i);
    }
    void system_off() override { off_called = true; }
    void system_reset() override { reset_called = true; }
};

int64_t call(FakePlatform& p, uint64_t fn, uint64_t a = 0, uint64_t b = 0, uint64_t c = 0,
             unsigned caller = 0) {
    uint64_t regs[4] = {fn, a, b, c}, x0 = 0xdead;
    REQUIRE(psci_dispatch(p, caller, regs, &x0));
    return int64_t(x0);
}
}  // namespace

TEST_CASE("psci version, features and migrate info", "[psci]") {
    FakePlatform p;
    CHECK(call(p, psci::kVersion) == 0x10001);
    CHECK(call(p, psci::kFeatures, psci::kCpuOn64) == 0);
    CHECK(call(p, psci::kFeatures, psci::kSystemReset) == 0);
    CHECK(call(p, psci::kFeatures, psci::kMigrate64) == psci::kNotSupported);
    CHECK(call(p, psci::kFeatures, 0x12345678) == psci::kNotSupported);
    CHECK(call(p, psci::kFeatures, (1ull << 32) | psci::kVersion) == psci::kNotSupported);
    CHECK(call(p, psci::kMigrateInfoType) == 2);
    CHECK(call(p, psci::kMigrate64) == psci::kNotSupported);
    CHECK(call(p, 0x8400001f) == psci::kNotSupported);  // in range, unassigned
}

TEST_CASE("psci CPU_ON, AFFINITY_INFO and CPU_OFF", "[psci]") {
    FakePlatform p;
    CHECK(call(p, psci::kAffinityInfo64, 1) == 1);  // OFF
    CHECK(call(p, psci::kCpuOn64, 7, 0x40001000, 5) == psci::kInvalidParameters);
    CHECK(call(p, psci::kCpuOn64, 1, 0x40001000, 0x123456789ull) == 0);
    CHECK(p.entry == 0x40001000);
    CHECK(p.ctx == 0x123456789ull);
    CHECK(p.aarch64);
    CHECK(call(p, psci::kCpuOn64, 1, 0x40002000, 0) == psci::kAlreadyOn);
    CHECK(call(p, psci::kAffinityInfo64, 1) == 0);  // ON
    CHECK(call(p, psci::kAffinityInfo64, 1, 1) == psci::kInvalidParameters);
    CHECK(call(p, psci::kAffinityInfo64, 9) == psci::kInvalidParameters);
    call(p, psci::kCpuOff, 0, 0, 0, 1);
    CHECK(p.cpu_off_index == 1);
    CHECK(call(p, psci::kAffinityInfo32, 1) == 1);
}

TEST_CASE("psci SMC32 calls ignore the upper argument halves", "[psci]") {
    FakePlatform p;
    CHECK(call(p, psci::kCpuOn32, (1ull << 32) | 1, 0xffffffff40000000ull, 0xaa00000001ull) == 0);
    CHECK(p.entry == 0x40000000);
    CHECK(p.ctx == 1);
    CHECK_FALSE(p.aarch64);
}

TEST_CASE("psci system calls and non-PSCI function ids", "[psci]") {
    FakePlatform p;
    call(p, psci::kSystemOff);
    CHECK(p.off_called);
    call(p, psci::kSystemReset);
    CHECK(p.reset_called);
    uint64_t x0 = 77;
    uint64_t not_psci[4] = {0x82000000, 0, 0, 0};  // SiP service
    CHECK_FALSE(psci_dispatch(p, 0, not_psci, &x0));
    uint64_t high[4] = {(1ull << 32) | psci::kVersion, 0, 0, 0};
    CHECK_FALSE(psci_dispatch(p, 0, high, &x0));
    CHECK(x0 == 77);
}

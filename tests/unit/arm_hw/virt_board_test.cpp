// The virt board with a stand-in vCPU (test only: the real one comes from
// the translator): boot state, PSCI wiring, interrupt routing from devices
// and timers through the GIC to the CPU inputs, semihosting exit.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstring>
#include <stdexcept>

#include "hw/arm/virt.h"
#include "hw/arm/virt_map.h"
#include "hw/core/address_space.h"
#include "hw/core/clock.h"

extern "C" {
#include <libfdt.h>
}

#include "temp_file.h"

using namespace emu;

namespace {
struct FakeVcpu : arm::ArmVcpu {
    arm::ArmCpuConfig cfg;
    uint64_t pc = 0, x[4] = {};
    bool on = true;
    uint64_t on_entry = 0, on_ctx = 0;
    bool irq[4] = {};
    IrqLine timers[4];
    explicit FakeVcpu(const arm::ArmCpuConfig& c) : cfg(c), on(!c.start_powered_off) {}
    unsigned index() const override { return cfg.index; }
    VcpuExit run() override { return exit::Halt{}; }
    void kick() override {}
    std::string dump_state() override { return "fake"; }
    void set_irq(int n, bool l) override { irq[n] = l; }
    void set_boot_state(uint64_t p, const uint64_t xs[4]) override {
        pc = p;
        std::memcpy(x, xs, sizeof x);
        on = true;
    }
    void reset() override {}
    void power_on(uint64_t e, uint64_t c) override {
        on = true;
        on_entry = e;
        on_ctx = c;
    }
    void power_off() override { on = false; }
    bool powered_on() const override { return on; }
    void connect_timer(arm::ArmTimerOutput w, IrqLine l) override { timers[w] = l; }
};

struct Services : MachineServices {
    EventLoop ev;
    VirtualClock clk{&ev};
    int shutdown_status = -1000;
    ShutdownCause cause{};
    int resets = 0;
    EventLoop& loop() override { return ev; }
    VirtualClock& clock() override { return clk; }
    CharBackend* serial(unsigned) override { return nullptr; }
    NetBackend* netdev(const std::string&) override { return nullptr; }
    void debug_stop(unsigned, BreakpointKind, uint64_t) override {}
    void request_shutdown(ShutdownCause c, int s) override {
        cause = c;
        shutdown_status = s;
    }
    void request_reset() override { ++resets; }
};

struct Board {
    std::vector<FakeVcpu*> cpus;
    std::vector<arm::ArmCpuModelInfo> models{{"cortex-a57", "A57"}, {"max", "all"}};
    ArmCpuBackend backend;
    Services svc;
    std::unique_ptr<Machine> m;
    Board() {
        backend.models = [this]() -> const std::vector<arm::ArmCpuModelInfo>& { return models; };
        backend.create = [this](const arm::ArmCpuConfig& c, std::string*) {
            auto v = std::make_unique<FakeVcpu>(c);
            cpus.push_back(v.get());
            return std::unique_ptr<arm::ArmVcpu>(std::move(v));
        };
    }
    void create(MachineConfig cfg) { m = create_virt_machine(cfg, svc, backend); }
    AddressSpace& mem() { return *cpus.at(0)->cfg.memory; }
    uint32_t rd32(uint64_t a) {
        uint64_t v = 0;
        CHECK(mem().load(a, 4, &v) == MemTxResult::Ok);
        return uint32_t(v);
    }
    void wr32(uint64_t a, uint32_t v) { CHECK(mem().store(a, 4, v) == MemTxResult::Ok); }
};

using test::TempFile;

MachineConfig base_config(const std::string& kernel) {
    MachineConfig c;
    c.type = "virt";
    c.ram_size = 128ull << 20;
    c.cpu_model = "cortex-a57";
    c.kernel = kernel;
    return c;
}
}  // namespace

TEST_CASE("virt boots a raw image with x0 = device tree", "[virt]") {
    TempFile k(std::vector<uint8_t>(256, 0x1f));
    Board b;
    auto cfg = base_config(k.path);
    cfg.smp.cpus = 2;
    b.create(cfg);
    REQUIRE(b.cpus.size() == 2);
    CHECK(b.cpus[0]->pc == 0x40080000);
    CHECK(b.cpus[0]->x[0] == 0x44000000);
    CHECK(b.cpus[0]->cfg.mpidr == 0);
    CHECK(b.cpus[1]->cfg.mpidr == 1);
    CHECK(b.cpus[1]->cfg.start_powered_off);
    CHECK_FALSE(b.cpus[1]->on);
    CHECK(b.cpus[0]->cfg.psci == arm::PsciConduit::Hvc);
    CHECK(b.cpus[0]->cfg.gic_sysregs == nullptr);  // GICv2 by default
    // The device tree is in guest RAM where x0 points (big-endian magic).
    uint64_t magic = 0;
    REQUIRE(b.mem().load(0x44000000, 4, &magic) == MemTxResult::Ok);
    CHECK(magic == 0xedfe0dd0);
    uint64_t code = 0;
    REQUIRE(b.mem().load(0x40080000, 4, &code) == MemTxResult::Ok);
    CHECK(code == 0x1f1f1f1f);
    // The UART and RTC answer with their PrimeCell ids.
    CHECK(b.rd32(0x09000fe0) == 0x11);
    CHECK(b.rd32(0x09010fe0) == 0x31);
}

TEST_CASE("virt PSCI starts and stops secondaries by MPIDR", "[virt]") {
    TempFile k(std::vector<uint8_t>(64, 0));
    Board b;
    auto cfg = base_config(k.path);
    cfg.smp.cpus = 3;
    b.create(cfg);
    auto* hooks = b.cpus[0]->cfg.hooks;
    uint64_t regs[4] = {0xc4000003, 2, 0x40100000, 77}, x0 = 0;
    REQUIRE(hooks->psci_call(0, regs, &x0));
    CHECK(x0 == 0);
    CHECK(b.cpus[2]->on);
    CHECK(b.cpus[2]->on_entry == 0x40100000);
    CHECK(b.cpus[2]->on_ctx == 77);
    REQUIRE(hooks->psci_call(0, regs, &x0));
    CHECK(int64_t(x0) == -4);  // ALREADY_ON
    uint64_t aff[4] = {0xc4000004, 1, 0, 0};
    REQUIRE(hooks->psci_call(0, aff, &x0));
    CHECK(x0 == 1);  // OFF
    uint64_t off[4] = {0x84000002, 0, 0, 0};
    REQUIRE(hooks->psci_call(2, off, &x0));
    CHECK_FALSE(b.cpus[2]->on);
    uint64_t sysoff[4] = {0x84000008, 0, 0, 0};
    REQUIRE(hooks->psci_call(0, sysoff, &x0));
    CHECK(b.svc.cause == ShutdownCause::GuestPoweroff);
    CHECK(b.svc.shutdown_status == 0);
    uint64_t sysreset[4] = {0x84000009, 0, 0, 0};
    REQUIRE(hooks->psci_call(0, sysreset, &x0));
    CHECK(b.svc.resets == 1);
}

TEST_CASE("virt GICv2: timer PPI and UART SPI reach the CPU's IRQ input", "[virt]") {
    TempFile k(std::vector<uint8_t>(64, 0));
    Board b;
    b.create(base_config(k.path));
    FakeVcpu& c = *b.cpus[0];
    REQUIRE(c.timers[arm::kTimerVirt].connected());
    CHECK(c.timers[arm::kTimerVirt].number() != c.timers[arm::kTimerPhys].number());
    b.wr32(0x08000000, 1);         // GICD_CTLR
    b.wr32(0x08000100, 1u << 27);  // enable INTID 27 (virtual timer)
    b.wr32(0x08010004, 0xff);      // GICC_PMR
    b.wr32(0x08010000, 1);         // GICC_CTLR
    c.timers[arm::kTimerVirt].raise();
    CHECK(c.irq[arm::kArmIrq]);
    CHECK(b.rd32(0x0801000c) == 27);  // IAR
    c.timers[arm::kTimerVirt].lower();
    b.wr32(0x08010010, 27);  // EOIR
    CHECK_FALSE(c.irq[arm::kArmIrq]);
    // PL011 TX interrupt: SPI 1 = INTID 33.
    b.wr32(0x08000104, 1u << 1);
    uint64_t t = 0;
    REQUIRE(b.mem().load(0x08000821, 1, &t) == MemTxResult::Ok);
    REQUIRE(b.mem().store(0x08000821, 1, 1) == MemTxResult::Ok);  // ITARGETSR: CPU 0
    b.wr32(0x09000038, 1u << 5);                                  // UART IMSC: TX
    b.wr32(0x09000000, 'x');                                      // DR
    CHECK(c.irq[arm::kArmIrq]);
    CHECK(b.rd32(0x0801000c) == 33);
    b.wr32(0x09000044, 1u << 5);  // UART ICR
    b.wr32(0x08010010, 33);
    CHECK_FALSE(c.irq[arm::kArmIrq]);
    // Beyond the 4 KiB GICv2 distributor there is nothing (bus error).
    uint64_t v;
    CHECK(b.mem().load(0x08000000 + 0xffe8, 4, &v) != MemTxResult::Ok);
}

TEST_CASE("virt GICv3: system registers through the CPU's provider", "[virt]") {
    TempFile k(std::vector<uint8_t>(64, 0));
    Board b;
    auto cfg = base_config(k.path);
    cfg.machine_options.set("gic-version", "3");
    cfg.smp.cpus = 2;
    b.create(cfg);
    FakeVcpu& c = *b.cpus[1];
    REQUIRE(c.cfg.gic_sysregs != nullptr);
    auto* sr = c.cfg.gic_sysregs;
    uint64_t v;
    const uint32_t sre = (3u << 14) | (12u << 7) | (12u << 3) | 5;
    REQUIRE(sr->sysreg_read(1, sre, &v));
    CHECK((v & 1) == 1);
    CHECK_FALSE(sr->sysreg_read(1, (3u << 14) | (1u << 7), &v));  // not an ICC register
    b.wr32(0x08000000, 0x12);                                     // ARE + group 1
    b.wr32(0x080a0000 + 0x20000 + 0x14, 0);                       // wake CPU 1's redistributor
    b.wr32(0x080a0000 + 0x20000 + 0x10080, ~0u);                  // group 1
    b.wr32(0x080a0000 + 0x20000 + 0x10100, 1u << 30);             // enable INTID 30
    REQUIRE(sr->sysreg_write(1, (3u << 14) | (4u << 7) | (6u << 3), 0xff));     // PMR
    REQUIRE(sr->sysreg_write(1, (3u << 14) | (12u << 7) | (12u << 3) | 7, 1));  // IGRPEN1
    c.timers[arm::kTimerPhys].raise();
    CHECK(c.irq[arm::kArmIrq]);
    CHECK_FALSE(b.cpus[0]->irq[arm::kArmIrq]);
    REQUIRE(sr->sysreg_read(1, (3u << 14) | (12u << 7) | (12u << 3), &v));  // IAR1
    CHECK(v == 30);
    CHECK(b.cpus[1]->cfg.mpidr == 1);
}

TEST_CASE("virt semihosting exit ends the emulator with the status", "[virt]") {
    TempFile k(std::vector<uint8_t>(64, 0));
    Board b;
    auto cfg = base_config(k.path);
    cfg.semihosting = true;
    b.create(cfg);
    AddressSpace& m = b.mem();
    REQUIRE(m.store(0x40001000, 8, 0x20026) == MemTxResult::Ok);
    REQUIRE(m.store(0x40001008, 8, 7) == MemTxResult::Ok);
    b.cpus[0]->cfg.hooks->semihosting_call(0, 0x20, 0x40001000);
    CHECK(b.svc.shutdown_status == 7);
    CHECK(b.cpus[0]->cfg.semihosting);
}

TEST_CASE("virt configuration errors are clear", "[virt]") {
    TempFile k(std::vector<uint8_t>(64, 0));
    auto expect = [&](MachineConfig cfg, const std::string& needle, bool with_cpu = true) {
        Board b;
        if (!with_cpu) b.backend = ArmCpuBackend{};
        try {
            b.create(cfg);
            FAIL("no error for " + needle);
        } catch (const std::runtime_error& e) {
            INFO(e.what());
            CHECK(std::string(e.what()).find(needle) != std::string::npos);
        }
    };
    auto c = base_config(k.path);
    c.cpu_model = "cortex-a9000";
    expect(c, "unable to find CPU model 'cortex-a9000'");
    c = base_config(k.path);
    c.cpu_model.clear();
    expect(c, "not supported yet: the default CPU");
    c = base_config(k.path);
    expect(c, "not supported yet: an aarch64 CPU", false);
    c = base_config(k.path);
    c.smp.cpus = 9;
    expect(c, "exceeds max CPUs supported by machine 'mach-virt' (8)");
    c = base_config(k.path);
    c.machine_options.set("gic-version", "5");
    expect(c, "Invalid gic-version");
    c = base_config(k.path);
    c.machine_options.set("bogus", "1");
    expect(c, "Property 'virt-7.2-machine.bogus' not found");
    c = base_config("");
    c.initrd = k.path;
    expect(c, "-initrd only allowed with -kernel option");
    c = base_config("/nonexistent");
    expect(c, "could not load kernel '/nonexistent'");
    c = base_config(k.path);
    c.dtb = "/nonexistent.dtb";
    expect(c, "Couldn't open dtb file /nonexistent.dtb");
    c = base_config(k.path);
    c.ram_size = 300ull << 30;
    expect(c, "RAM size too large");
}

TEST_CASE("virt -bios goes to flash and the CPU starts at 0", "[virt]") {
    TempFile fw(std::vector<uint8_t>{0xaa, 0xbb, 0xcc, 0xdd});
    Board b;
    auto cfg = base_config("");
    cfg.bios = fw.path;
    b.create(cfg);
    CHECK(b.cpus[0]->pc == 0);
    CHECK(b.rd32(0) == 0xddccbbaa);
    // Flash is read-only to the guest.
    CHECK(b.mem().store(0, 4, 0) != MemTxResult::Ok);
    uint64_t magic = 0;
    REQUIRE(b.mem().load(0x40000000, 4, &magic) == MemTxResult::Ok);
    CHECK(magic == 0xedfe0dd0);  // the tree at the base of RAM for firmware
}

TEST_CASE("virt has 32 virtio-mmio slots, -device fills the first, and fw_cfg", "[virt]") {
    TempFile k(std::vector<uint8_t>(64, 0));
    Board b;
    auto cfg = base_config(k.path);
    auto dev = KeyValueList::parse("virtio-rng-device", "driver", nullptr);
    REQUIRE(dev);
    cfg.devices.push_back(*dev);
    b.create(cfg);
    CHECK(b.rd32(0x0a000000) == 0x74726976);  // "virt"
    CHECK(b.rd32(0x0a000008) == 4);           // entropy device
    CHECK(b.rd32(0x0a000200) == 0x74726976);
    CHECK(b.rd32(0x0a000208) == 0);           // empty slot
    CHECK(b.rd32(0x0a003e00) == 0x74726976);  // slot 31
    // fw_cfg: select the signature (big-endian selector at +8), read "QEMU".
    REQUIRE(b.mem().store(0x09020008, 2, 0x0000) == MemTxResult::Ok);
    std::string sig;
    for (int i = 0; i < 4; ++i) {
        uint64_t v = 0;
        REQUIRE(b.mem().load(0x09020000, 1, &v) == MemTxResult::Ok);
        sig.push_back(char(v));
    }
    CHECK(sig == "QEMU");
}

TEST_CASE("virt refuses devices it does not have", "[virt]") {
    TempFile k(std::vector<uint8_t>(64, 0));
    Board b;
    auto cfg = base_config(k.path);
    auto dev = KeyValueList::parse("e1000", "driver", nullptr);
    REQUIRE(dev);
    cfg.devices.push_back(*dev);
    CHECK_THROWS_WITH(b.create(cfg), Catch::Contains("-device e1000"));
}

namespace {
// Whether the PCI function at bus 0 `slot` lists capability `id` (read
// through the high ECAM window).
bool has_pci_cap(Board& b, unsigned slot, uint8_t id) {
    const uint64_t cfg = 0x4010000000ull + (uint64_t(slot) << 15);
    uint64_t v = 0;
    REQUIRE(b.mem().load(cfg + 0x34, 1, &v) == MemTxResult::Ok);
    for (unsigned hops = 0; v && hops < 48; ++hops) {
        uint64_t hdr = 0;
        REQUIRE(b.mem().load(cfg + (v & 0xfc), 2, &hdr) == MemTxResult::Ok);
        if ((hdr & 0xff) == id) return true;
        v = hdr >> 8;
    }
    return false;
}

std::vector<uint8_t> guest_dtb(Board& b) {
    std::vector<uint8_t> blob(1 << 20);
    for (size_t i = 0; i < blob.size(); i += 8) {
        uint64_t v = 0;
        REQUIRE(b.mem().load(b.cpus[0]->x[0] + i, 8, &v) == MemTxResult::Ok);
        std::memcpy(&blob[i], &v, 8);
    }
    return blob;
}
}  // namespace

TEST_CASE("virt GICv2: the v2m frame turns PCI MSI-X writes into SPIs", "[virt][gicv2m]") {
    TempFile k(std::vector<uint8_t>(64, 0));
    Board b;
    auto cfg = base_config(k.path);
    auto dev = KeyValueList::parse("virtio-rng-pci", "driver", nullptr);
    REQUIRE(dev);
    cfg.devices.push_back(*dev);
    b.create(cfg);
    FakeVcpu& c = *b.cpus[0];
    // QEMU's frame: SPIs 48..111, i.e. INTIDs 80..143.
    CHECK(b.rd32(0x08020008) == (80u << 16 | 64));
    b.wr32(0x08000000, 1);                                             // GICD_CTLR
    b.wr32(0x08000100 + 96 / 32 * 4, 1u);                              // enable INTID 96
    b.wr32(0x08000c00 + 96 / 16 * 4, 2u);                              // edge
    REQUIRE(b.mem().store(0x08000800 + 96, 1, 1) == MemTxResult::Ok);  // ITARGETSR
    b.wr32(0x08010004, 0xff);
    b.wr32(0x08010000, 1);
    b.wr32(0x08020040, 96);  // what a device's MSI-X write does
    CHECK(c.irq[arm::kArmIrq]);
    CHECK(b.rd32(0x0801000c) == 96);
    b.wr32(0x08010010, 96);
    CHECK_FALSE(c.irq[arm::kArmIrq]);
    // With an MSI controller, virtio-pci functions offer MSI-X (cap 0x11).
    CHECK(has_pci_cap(b, 1, 0x11));
    // Device tree: the frame under the GIC, and msi-map on the host.
    auto blob = guest_dtb(b);
    const void* f = blob.data();
    REQUIRE(fdt_check_header(f) == 0);
    int v2m = fdt_path_offset(f, "/intc@8000000/v2m@8020000");
    REQUIRE(v2m >= 0);
    CHECK(fdt_node_check_compatible(f, v2m, "arm,gic-v2m-frame") == 0);
    CHECK(fdt_getprop(f, v2m, "msi-controller", nullptr) != nullptr);
    int len = 0;
    auto* map = static_cast<const fdt32_t*>(
        fdt_getprop(f, fdt_path_offset(f, "/pcie@10000000"), "msi-map", &len));
    REQUIRE(len == 16);
    CHECK(fdt32_to_cpu(map[1]) == fdt_get_phandle(f, v2m));
    CHECK(fdt32_to_cpu(map[3]) == 0x10000);
}

TEST_CASE("virt GICv3: its=on gives an ITS and MSI-X, its=off INTx only", "[virt][its]") {
    TempFile k(std::vector<uint8_t>(64, 0));
    for (bool its : {true, false}) {
        Board b;
        auto cfg = base_config(k.path);
        cfg.machine_options.set("gic-version", "3");
        cfg.machine_options.set("its", its ? "on" : "off");
        auto dev = KeyValueList::parse("virtio-rng-pci", "driver", nullptr);
        REQUIRE(dev);
        cfg.devices.push_back(*dev);
        b.create(cfg);
        uint64_t v = 0;
        CHECK(b.mem().load(0x08020008, 4, &v) != MemTxResult::Ok);  // no v2m frame
        // GITS_TYPER.Physical; GICD_TYPER.LPIS.
        CHECK((b.mem().load(0x08080008, 4, &v) == MemTxResult::Ok && (v & 1)) == its);
        CHECK(bool((b.rd32(0x08000004) >> 17) & 1) == its);
        CHECK(has_pci_cap(b, 1, 0x11) == its);
        auto blob = guest_dtb(b);
        const void* f = blob.data();
        CHECK((fdt_getprop(f, fdt_path_offset(f, "/pcie@10000000"), "msi-map", nullptr) !=
               nullptr) == its);
        CHECK((fdt_path_offset(f, "/intc@8000000/its@8080000") >= 0) == its);
    }
    Board b;
    auto cfg = base_config(k.path);
    cfg.machine_options.set("its", "maybe");
    CHECK_THROWS_WITH(b.create(cfg), Catch::Contains("its=maybe"));
}

TEST_CASE("virt accepts every property -M virt,help lists, at its default", "[virt]") {
    TempFile k(std::vector<uint8_t>(64, 0));
    MachineRegistry reg;
    register_virt_machine(reg, ArmCpuBackend{});
    const MachineType* t = reg.find("virt");
    REQUIRE(t);
    CHECK(t->qom_name == "virt-7.2-machine");
    REQUIRE(t->properties.size() >= 10);
    for (const auto& p : t->properties) {
        if (p.default_value.empty()) continue;  // dumpdtb: writes a file and quits
        INFO(p.name << "=" << p.default_value);
        CHECK_FALSE(p.description.empty());
        Board b;
        auto cfg = base_config(k.path);
        cfg.machine_options.set(p.name, p.default_value);
        CHECK_NOTHROW(b.create(cfg));
    }
    // A property nobody listed still names itself in the error.
    Board b;
    auto cfg = base_config(k.path);
    cfg.machine_options.set("memory-backend", "ram0");
    CHECK_THROWS_WITH(b.create(cfg), Catch::Contains("not supported yet: memory backends"));
}

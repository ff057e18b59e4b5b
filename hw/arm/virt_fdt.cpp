#include "hw/arm/virt_fdt.h"

extern "C" {
#include <libfdt.h>
}

#include <random>

#include "hw/arm/virt_map.h"

namespace emu {

namespace {
using virt::Region;

class Writer {
  public:
    explicit Writer(std::vector<uint8_t>* buf) : buf_(buf) {}
    void check(int rc) {
        if (rc < 0 && err_ == 0) err_ = rc;
    }
    void begin(const std::string& name) { check(fdt_begin_node(buf_->data(), name.c_str())); }
    void end() { check(fdt_end_node(buf_->data())); }
    void prop(const char* name, const void* data, int len) {
        check(fdt_property(buf_->data(), name, data, len));
    }
    void str(const char* name, const std::string& v) { prop(name, v.c_str(), int(v.size() + 1)); }
    // NUL-separated string list.
    void strs(const char* name, std::initializer_list<const char*> list) {
        std::string s;
        for (const char* l : list) {
            s += l;
            s.push_back('\0');
        }
        prop(name, s.data(), int(s.size()));
    }
    void empty(const char* name) { prop(name, nullptr, 0); }
    void u32(const char* name, uint32_t v) { cells(name, {v}); }
    void cells(const char* name, std::vector<uint32_t> v) {
        for (auto& c : v)
            c = cpu_to_fdt32(c);
        prop(name, v.data(), int(v.size() * 4));
    }
    // (address, size) pairs with 2 cells each.
    void reg2(std::initializer_list<std::pair<uint64_t, uint64_t>> ranges) {
        std::vector<uint32_t> v;
        for (auto [a, s] : ranges) {
            v.push_back(uint32_t(a >> 32));
            v.push_back(uint32_t(a));
            v.push_back(uint32_t(s >> 32));
            v.push_back(uint32_t(s));
        }
        cells("reg", v);
    }
    int error() const { return err_; }

  private:
    std::vector<uint8_t>* buf_;
    int err_ = 0;
};

std::string hex(uint64_t v) {
    char b[24];
    std::snprintf(b, sizeof b, "%llx", (unsigned long long)v);
    return b;
}

void random_bytes(uint8_t* p, size_t n) {
    std::random_device rd;
    for (size_t i = 0; i < n; ++i)
        p[i] = uint8_t(rd());
}

constexpr uint32_t kPhandleClock = 0x8000;
constexpr uint32_t kPhandleGic = kVirtFdtGicPhandle;
constexpr uint32_t kPhandleCpu0 = 0x8100;

// Interrupt specifier flags (GIC binding).
constexpr uint32_t kSpi = 0, kPpi = 1;
constexpr uint32_t kLevelHigh = 4;
}  // namespace

std::string arm_cpu_dt_compatible(const std::string& model) {
    if (model == "cortex-a53" || model == "cortex-a57" || model == "cortex-a72" ||
        model == "cortex-a35" || model == "cortex-a55" || model == "cortex-a76") {
        return "arm," + model;
    }
    return "arm,arm-v8";  // "max" and anything without a real part number
}

std::vector<uint8_t> build_virt_fdt(const VirtFdtConfig& cfg, std::string* err) {
    std::vector<uint8_t> buf(kVirtFdtSize);
    Writer w(&buf);
    w.check(fdt_create(buf.data(), int(buf.size())));
    w.check(fdt_finish_reservemap(buf.data()));
    const unsigned ncpu = unsigned(cfg.mpidr.size());

    w.begin("");
    w.u32("interrupt-parent", kPhandleGic);
    w.u32("#size-cells", 2);
    w.u32("#address-cells", 2);
    w.str("compatible", "linux,dummy-virt");
    w.str("model", "linux,dummy-virt");

    w.begin("psci");
    w.strs("compatible", {"arm,psci-1.0", "arm,psci-0.2", "arm,psci"});
    w.str("method", "hvc");
    w.u32("cpu_suspend", 0xc4000001);
    w.u32("cpu_off", 0x84000002);
    w.u32("cpu_on", 0xc4000003);
    w.u32("migrate", 0xc4000005);
    w.end();

    w.begin("memory@" + hex(cfg.ram_base));
    w.str("device_type", "memory");
    w.reg2({{cfg.ram_base, cfg.ram_size}});
    w.end();

    if (cfg.fw_cfg) {
        const auto& m = virt::map(Region::FwCfg);
        w.begin("fw-cfg@" + hex(m.base));
        w.empty("dma-coherent");
        w.reg2({{m.base, m.size}});
        w.str("compatible", "qemu,fw-cfg-mmio");
        w.end();
    }

    for (unsigned slot : cfg.virtio_slots) {
        uint64_t base =
            virt::map(Region::Mmio).base + uint64_t(slot) * virt::map(Region::Mmio).size;
        w.begin("virtio_mmio@" + hex(base));
        w.empty("dma-coherent");
        w.cells("interrupts", {kSpi, virt::kMmioSpi + slot, 1 /* edge rising */});
        w.reg2({{base, virt::map(Region::Mmio).size}});
        w.str("compatible", "virtio,mmio");
        w.end();
    }

    const auto& rtc = virt::map(Region::Rtc);
    w.begin("pl031@" + hex(rtc.base));
    w.str("clock-names", "apb_pclk");
    w.u32("clocks", kPhandleClock);
    w.cells("interrupts", {kSpi, virt::kRtcSpi, kLevelHigh});
    w.reg2({{rtc.base, rtc.size}});
    w.strs("compatible", {"arm,pl031", "arm,primecell"});
    w.end();

    const auto& uart = virt::map(Region::Uart);
    const std::string uart_node = "pl011@" + hex(uart.base);
    w.begin(uart_node);
    w.strs("clock-names", {"uartclk", "apb_pclk"});
    w.cells("clocks", {kPhandleClock, kPhandleClock});
    w.cells("interrupts", {kSpi, virt::kUartSpi, kLevelHigh});
    w.reg2({{uart.base, uart.size}});
    w.strs("compatible", {"arm,pl011", "arm,primecell"});
    w.end();

    const auto& dist = virt::map(Region::GicDist);
    w.begin("intc@" + hex(dist.base));
    w.u32("phandle", kPhandleGic);
    if (cfg.gic_version == 2) {
        const auto& cpu = virt::map(Region::GicCpu);
        w.reg2({{dist.base, dist.size}, {cpu.base, cpu.size}});
        w.str("compatible", "arm,cortex-a15-gic");
    } else {
        const auto& rd = virt::map(Region::GicRedist);
        w.reg2({{dist.base, dist.size}, {rd.base, rd.size}});
        w.u32("#redistributor-regions", 1);
        w.str("compatible", "arm,gic-v3");
    }
    w.empty("ranges");
    w.u32("#size-cells", 2);
    w.u32("#address-cells", 2);
    w.empty("interrupt-controller");
    w.u32("#interrupt-cells", 3);
    if (cfg.msi && cfg.gic_version == 2) {
        const auto& m = virt::map(Region::GicV2m);
        w.begin("v2m@" + hex(m.base));
        w.u32("phandle", kVirtFdtMsiPhandle);
        w.reg2({{m.base, m.size}});
        w.empty("msi-controller");
        w.str("compatible", "arm,gic-v2m-frame");
        w.end();
    } else if (cfg.msi) {
        const auto& m = virt::map(Region::GicIts);
        w.begin("its@" + hex(m.base));
        w.u32("phandle", kVirtFdtMsiPhandle);
        w.reg2({{m.base, m.size}});
        w.u32("#msi-cells", 1);
        w.empty("msi-controller");
        w.str("compatible", "arm,gic-v3-its");
        w.end();
    }
    w.end();

    if (cfg.flash) {
        const auto& fl = virt::map(Region::Flash);
        w.begin("flash@" + hex(fl.base));
        w.u32("bank-width", 4);
        w.reg2({{fl.base, virt::kFlashBankSize},
                {fl.base + virt::kFlashBankSize, virt::kFlashBankSize}});
        w.str("compatible", "cfi-flash");
        w.end();
    }

    w.begin("cpus");
    w.u32("#size-cells", 0);
    w.u32("#address-cells", 1);
    w.begin("cpu-map");
    w.begin("socket0");
    w.begin("cluster0");
    for (unsigned i = 0; i < ncpu; ++i) {
        w.begin("core" + std::to_string(i));
        w.u32("cpu", kPhandleCpu0 + i);
        w.end();
    }
    w.end();
    w.end();
    w.end();
    for (unsigned i = 0; i < ncpu; ++i) {
        w.begin("cpu@" + std::to_string(i));
        w.u32("phandle", kPhandleCpu0 + i);
        w.u32("reg", uint32_t(cfg.mpidr[i] & 0xffffff));
        // QEMU names the enable method only when there is something to enable.
        if (ncpu > 1) w.str("enable-method", "psci");
        w.str("compatible", cfg.cpu_compatible);
        w.str("device_type", "cpu");
        w.end();
    }
    w.end();

    // Timer PPIs: secure, non-secure physical, virtual, hypervisor. GICv2
    // interrupt specifiers carry the CPU mask in bits [15:8].
    uint32_t flags = kLevelHigh;
    if (cfg.gic_version == 2) flags |= ((1u << std::min(ncpu, 8u)) - 1) << 8;
    w.begin("timer");
    w.cells("interrupts", {kPpi, virt::kPpiTimerSec, flags, kPpi, virt::kPpiTimerPhys, flags, kPpi,
                           virt::kPpiTimerVirt, flags, kPpi, virt::kPpiTimerHyp, flags});
    w.empty("always-on");
    w.strs("compatible", {"arm,armv8-timer", "arm,armv7-timer"});
    w.end();

    w.begin("apb-pclk");
    w.u32("phandle", kPhandleClock);
    w.str("clock-output-names", "clk24mhz");
    w.u32("clock-frequency", virt::kApbClockHz);
    w.u32("#clock-cells", 0);
    w.str("compatible", "fixed-clock");
    w.end();

    w.begin("chosen");
    if (cfg.chosen.has_initrd) {
        // One cell when it fits, as QEMU writes them; Linux reads either.
        auto addr = [](uint64_t v) {
            return v >> 32 ? std::vector<uint32_t>{uint32_t(v >> 32), uint32_t(v)}
                           : std::vector<uint32_t>{uint32_t(v)};
        };
        w.cells("linux,initrd-end", addr(cfg.chosen.initrd_end));
        w.cells("linux,initrd-start", addr(cfg.chosen.initrd_start));
    }
    if (!cfg.chosen.bootargs.empty()) w.str("bootargs", cfg.chosen.bootargs);
    w.str("stdout-path", "/" + uart_node);
    uint8_t rng[32], kaslr[8];
    random_bytes(rng, sizeof rng);
    random_bytes(kaslr, sizeof kaslr);
    w.prop("rng-seed", rng, sizeof rng);
    w.prop("kaslr-seed", kaslr, sizeof kaslr);
    w.end();

    w.end();  // root
    w.check(fdt_finish(buf.data()));
    if (w.error() == 0) {
        // Grow totalsize to the whole buffer, like QEMU's read-write tree.
        std::vector<uint8_t> out(kVirtFdtSize);
        w.check(fdt_open_into(buf.data(), out.data(), int(out.size())));
        if (w.error() == 0) return out;
    }
    *err = std::string("device tree: ") + fdt_strerror(w.error());
    return {};
}

bool patch_user_fdt(std::vector<uint8_t>* blob, const FdtChosen& chosen, uint64_t ram_base,
                    uint64_t ram_size, std::string* err) {
    if (blob->size() < sizeof(fdt_header) || fdt_check_header(blob->data()) != 0 ||
        fdt_totalsize(blob->data()) > blob->size()) {
        *err = "not a valid device tree blob";
        return false;
    }
    std::vector<uint8_t> out(size_t(fdt_totalsize(blob->data())) + 0x10000);
    int rc = fdt_open_into(blob->data(), out.data(), int(out.size()));
    void* f = out.data();
    auto fail = [&](const char* what, int code) {
        *err = std::string(what) + ": " + fdt_strerror(code);
        return false;
    };
    if (rc < 0) return fail("cannot open the device tree", rc);
    // Structural checks before touching it (libfdt walks are bounded, but a
    // corrupt structure block is better refused outright).
    if ((rc = fdt_check_full(out.data(), out.size())) < 0) return fail("corrupt device tree", rc);
    int mem = fdt_path_offset(f, "/memory");
    if (mem < 0) return fail("couldn't set /memory/reg", mem);
    int ac = fdt_address_cells(f, 0), sc = fdt_size_cells(f, 0);
    if (ac < 1 || ac > 2 || sc < 1 || sc > 2) {
        *err = "couldn't set /memory/reg: unsupported #address-cells/#size-cells";
        return false;
    }
    std::vector<uint32_t> reg;
    if (ac == 2) reg.push_back(cpu_to_fdt32(uint32_t(ram_base >> 32)));
    reg.push_back(cpu_to_fdt32(uint32_t(ram_base)));
    if (sc == 2) reg.push_back(cpu_to_fdt32(uint32_t(ram_size >> 32)));
    reg.push_back(cpu_to_fdt32(uint32_t(ram_size)));
    if ((rc = fdt_setprop(f, mem, "reg", reg.data(), int(reg.size() * 4))) < 0) {
        return fail("couldn't set /memory/reg", rc);
    }
    int ch = fdt_path_offset(f, "/chosen");
    if (ch < 0) ch = fdt_add_subnode(f, 0, "chosen");
    if (ch < 0) return fail("couldn't create /chosen", ch);
    if (!chosen.bootargs.empty() &&
        (rc = fdt_setprop_string(f, ch, "bootargs", chosen.bootargs.c_str())) < 0) {
        return fail("couldn't set /chosen/bootargs", rc);
    }
    if (chosen.has_initrd) {
        auto set = [&](const char* name, uint64_t v) {
            return v >> 32 ? fdt_setprop_u64(f, ch, name, v)
                           : fdt_setprop_u32(f, ch, name, uint32_t(v));
        };
        if ((rc = set("linux,initrd-start", chosen.initrd_start)) < 0 ||
            (rc = set("linux,initrd-end", chosen.initrd_end)) < 0) {
            return fail("couldn't set /chosen/linux,initrd-*", rc);
        }
    }
    uint8_t rng[32], kaslr[8];
    random_bytes(rng, sizeof rng);
    random_bytes(kaslr, sizeof kaslr);
    if ((rc = fdt_setprop(f, ch, "rng-seed", rng, sizeof rng)) < 0 ||
        (rc = fdt_setprop(f, ch, "kaslr-seed", kaslr, sizeof kaslr)) < 0) {
        return fail("couldn't set /chosen seeds", rc);
    }
    fdt_pack(f);
    out.resize(fdt_totalsize(f));
    blob->swap(out);
    return true;
}

}  // namespace emu

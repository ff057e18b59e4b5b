// The pc and microvm boards. Both are KVM machines with the in-kernel
// PIC/IOAPIC/LAPIC and PIT, COM1-COM4 16550s, i8042 (reset line), CMOS RTC,
// fw_cfg, the ACPI PM block and ACPI tables; `pc` adds the PCIe ECAM window
// and the PCI host bridge hook. System reset rebuilds the KVM VM (all
// in-kernel device and vCPU state back to power-on) and reloads the kernel.
#include "hw/x86/x86_machine.h"

#include <algorithm>
#include <cinttypes>
#include <cstring>
#include <stdexcept>

#include "accel/kvm/kvm_accel.h"
#include "accel/vcpu_thread.h"
#include "hw/acpi/acpi_pm.h"
#include "hw/acpi/acpi_tables.h"
#include "hw/char/serial_16550.h"
#include "hw/misc/cmos_rtc.h"
#include "hw/misc/i8042.h"
#include "hw/misc/isa_debug_exit.h"
#include "hw/nvram/fw_cfg.h"
#include "hw/x86/boot_loader.h"
#include "hw/x86/e820.h"
#include "hw/x86/x86_debug.h"
#include "target/x86/cpu_model.h"
#include "target/x86/cpuid_topology.h"
#include "target/x86/entry_state.h"
#include "util/log.h"

namespace emu::x86 {

namespace {

PcPciHostFactory& pci_factory() {
    static PcPciHostFactory f;
    return f;
}

constexpr uint64_t k4G = 1ull << 32;
constexpr uint64_t kAcpiRomBase = 0xe0000;
constexpr uint64_t kAcpiRomSize = 0x20000;
constexpr uint64_t kEcamBase = 0xb0000000;
constexpr uint64_t kEcamSize = 0x10000000;  // 256 buses
constexpr uint64_t kMmio32Base = 0xc0000000;
constexpr uint64_t kMmio32End = 0xfec00000;
constexpr uint64_t kMinRam = 2ull << 20;

// The -M properties both boards accept; `ok` lists the values that describe
// what the board does anyway (empty: any value, no effect here).
struct X86Prop {
    MachineProperty info;
    std::vector<std::string> ok;
};

const std::vector<X86Prop>& x86_props() {
    static const std::vector<X86Prop> props = {
        {{"kernel-irqchip", "OnOffSplit", "Configure KVM in-kernel irqchip; always on", "on"},
         {"on", "true", "yes"}},
        {{"smm", "OnOffAuto", "Enable SMM; on: not supported yet", "off"}, {"off", "auto"}},
        {{"vmport", "OnOffAuto", "Enable vmport (pc & q35); on: not supported yet", "off"},
         {"off", "auto"}},
        {{"usb", "bool", "Set on/off to enable/disable usb; on: not supported yet", "off"},
         {"off"}},
        {{"hpet", "bool", "High precision event timer emulation; on: not supported yet", "off"},
         {"off"}},
        {{"pit", "OnOffAuto", "Enable i8254 PIT; always on", "on"}, {"on", "auto"}},
        {{"pic", "OnOffAuto", "Enable i8259 PIC; always on", "on"}, {"on", "auto"}},
        {{"rtc", "OnOffAuto", "Enable MC146818 RTC; always on", "on"}, {"on", "auto"}},
        {{"isa-serial", "OnOffAuto", "Enable ISA serial; always on", "on"}, {"on", "auto"}},
        {{"acpi", "OnOffAuto", "Enable ACPI; always on", "on"}, {"on", "auto"}},
        {{"graphics", "bool", "Graphics emulation; on: not supported yet", "off"}, {"off"}},
        {{"dump-guest-core", "bool", "Accepted for compatibility; no effect", ""}, {}},
        {{"mem-merge", "bool", "Accepted for compatibility; no effect", ""}, {}},
    };
    return props;
}

struct SerialPort {
    uint16_t base;
    int irq;
};
constexpr SerialPort kComPorts[] = {{0x3f8, 4}, {0x2f8, 3}, {0x3e8, 4}, {0x2e8, 3}};

// Reads as all-ones: an ECAM window with no devices behind it.
class EmptyEcam : public MmioHandler {
  public:
    uint64_t mmio_read(uint64_t, unsigned size) override {
        return size >= 8 ? ~0ull : ((1ull << (8 * size)) - 1);
    }
    void mmio_write(uint64_t, uint64_t, unsigned) override {}
};

// Device writes to the LAPIC window (MSI/MSI-X) become KVM_SIGNAL_MSI.
// CPU accesses there never get here: the in-kernel LAPIC takes them.
class MsiWindow : public MmioHandler {
  public:
    uint64_t mmio_read(uint64_t, unsigned) override { return 0; }
    void mmio_write(uint64_t offset, uint64_t value, unsigned size) override {
        if (vm && size == 4) vm->signal_msi(kMsiBase + offset, static_cast<uint32_t>(value));
    }
    static constexpr uint64_t kMsiBase = 0xfee00000;
    kvm::KvmVm* vm = nullptr;
};

// Devices keep IrqLines to this; it follows the VM across resets.
class GsiForwarder : public IrqSink {
  public:
    void set_irq(int n, bool level) override {
        if (vm) vm->set_irq(n, level);
    }
    kvm::KvmVm* vm = nullptr;
};

[[noreturn]] void fail(const std::string& msg) {
    throw std::runtime_error(msg);
}

class X86Machine : public Machine {
  public:
    X86Machine(const MachineConfig& cfg, MachineServices& services, bool is_pc)
        : cfg_(cfg), services_(services), is_pc_(is_pc) {
        open_kvm();
        check_config();
        build_memory();
        build_devices();
        prepare_boot();
        power_on();
    }

    ~X86Machine() override { drop_vm(); }

    void start() override {
        stopping_ = false;
        int step_cpu = -1;
        if (debug_) {
            std::string err;
            if (!debug_->apply(&err)) error_report("gdb: %s", err.c_str());
            step_cpu = debug_->stepping_cpu();
        }
        for (size_t i = 0; i < threads_.size(); ++i) {
            // A gdb single step runs one vCPU; the others stay stopped.
            if (step_cpu < 0 || size_t(step_cpu) == i) threads_[i]->start();
        }
    }

    DebugTarget* debug_target() override {
        if (!debug_) {
            int caps = accel_->check_extension(KVM_CAP_SET_GUEST_DEBUG2);
            if (caps <= 0 && accel_->check_extension(KVM_CAP_SET_GUEST_DEBUG) > 0) {
                // Older kernels: the flags every x86 KVM with guest debug had.
                caps = KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_SINGLESTEP | KVM_GUESTDBG_USE_SW_BP |
                       KVM_GUESTDBG_USE_HW_BP;
            }
            debug_ = std::make_unique<X86KvmDebug>(&vcpus_, memory_as_.get(),
                                                   uint32_t(std::max(caps, 0)), accel_.get());
        }
        return debug_.get();
    }

    void stop() override {
        for (auto& t : threads_)
            t->stop();
        // -d cpu: where every vCPU was when it stopped (pause, reset, exit).
        if (log_enabled(LOG_CPU)) {
            for (auto& v : vcpus_)
                log_printf("vCPU %u stopped:\n%s", v->index(), v->dump_state().c_str());
        }
    }

    void reset() override {
        drop_vm();
        for (Device* d : devices_)
            d->reset();
        if (pci_host_) pci_host_->reset();
        try {
            power_on();
        } catch (const std::exception& e) {
            // Runs from the main loop: report and end the VM, no vCPUs left.
            error_report("system reset failed: %s", e.what());
            threads_.clear();
            services_.request_shutdown(ShutdownCause::Error, 1);
        }
    }

  private:
    // Stops the vCPUs and closes the KVM VM (a reset builds a new one).
    void drop_vm() {
        stop();
        threads_.clear();
        vcpus_.clear();
        gsi_.vm = nullptr;
        msi_window_.vm = nullptr;
        vm_.reset();
    }

    void open_kvm() {
        std::string why;
        accel_ = kvm::KvmAccel::open(&why);
        if (!accel_) fail("failed to initialize kvm: " + why);
    }

    void check_config() {
        if (cfg_.ram_size < kMinRam) {
            fail("-m " + std::to_string(cfg_.ram_size >> 20) + "M: at least 2 MiB of RAM needed");
        }
        unsigned max = accel_->max_vcpus();
        if (cfg_.smp.cpus > max || cfg_.smp.maxcpus > max) {
            fail("Number of SMP CPUs requested (" + std::to_string(cfg_.smp.maxcpus) +
                 ") exceeds the maximum KVM supports (" + std::to_string(max) + ")");
        }
        if (cfg_.smp.maxcpus > cfg_.smp.cpus) {
            fail("-smp maxcpus=" + std::to_string(cfg_.smp.maxcpus) +
                 ": not supported yet: CPU hotplug (maxcpus must equal cpus)");
        }
        if (cfg_.smp.clusters > 1) fail("-smp clusters: not supported on x86");
        topo_.sockets = cfg_.smp.sockets;
        topo_.dies = cfg_.smp.dies;
        topo_.cores = cfg_.smp.cores;
        topo_.threads = cfg_.smp.threads;
        if (topo_.sockets * topo_.dies * topo_.cores * topo_.threads < cfg_.smp.cpus) {
            // -smp N alone: N sockets of one core, as QEMU's pc does.
            topo_ = X86Topology{};
            topo_.sockets = cfg_.smp.cpus;
        }
        std::string err;
        if (!resolve_cpu(cfg_.cpu_model, accel_->supported_cpuid(), &cpu_, &err)) fail(err);
        for (const auto& w : cpu_.warnings)
            warn_report("%s", w.c_str());
        check_machine_options();
    }

    // QEMU machine properties users pass for KVM guests: accepted when the
    // value describes what this board does anyway, refused otherwise.
    void check_machine_options() {
        for (const auto& [k, v] : cfg_.machine_options.items()) {
            const X86Prop* p = nullptr;
            for (const auto& c : x86_props()) {
                if (k == c.info.name) p = &c;
            }
            std::string what = "-M " + cfg_.type + "," + k + "=" + v + ": ";
            if (!p) fail(what + "not supported yet: machine property '" + k + "'");
            if (!p->ok.empty() && std::find(p->ok.begin(), p->ok.end(), v) == p->ok.end()) {
                fail(what + "not supported yet: this machine always has " + k + "=" + p->ok[0]);
            }
        }
    }

    void build_memory() {
        layout_ = make_memory_layout(cfg_.ram_size);
        system_ = MemoryRegion::container("system", ~0ull);
        io_ = MemoryRegion::container("io", 0x10000);
        ram_ = MemoryRegion::ram("pc.ram", cfg_.ram_size);
        ram_below_ = MemoryRegion::alias("ram-below-4g", ram_.get(), 0, layout_.below_4g);
        system_->add_subregion(0, ram_below_.get());
        if (layout_.above_4g) {
            ram_above_ =
                MemoryRegion::alias("ram-above-4g", ram_.get(), layout_.below_4g, layout_.above_4g);
            system_->add_subregion(k4G, ram_above_.get());
        }
        if (!cfg_.bios.empty()) {
            std::vector<uint8_t> fw;
            std::string err;
            if (!read_file(cfg_.bios, &fw, &err, 16u << 20)) fail("-bios: " + err);
            if (fw.empty() || fw.size() % 4096) {
                fail("-bios " + cfg_.bios + ": firmware size must be a non-zero multiple of 4 KiB");
            }
            bios_ = MemoryRegion::rom("pc.bios", fw.size());
            std::memcpy(bios_->host_ptr(), fw.data(), fw.size());
            system_->add_subregion(k4G - fw.size(), bios_.get(), 1);
            // The last 128 KiB also appear below 1 MiB, where real mode runs.
            uint64_t isa = std::min<uint64_t>(fw.size(), 0x20000);
            bios_isa_ = MemoryRegion::alias("isa-bios", bios_.get(), fw.size() - isa, isa);
            system_->add_subregion(0x100000 - isa, bios_isa_.get(), 1);
        } else {
            acpi_rom_ = MemoryRegion::rom("acpi-tables", kAcpiRomSize);
            system_->add_subregion(kAcpiRomBase, acpi_rom_.get(), 1);
            layout_.acpi_base = kAcpiRomBase;
            layout_.acpi_size = kAcpiRomSize;
        }
        if (is_pc_) {
            layout_.ecam_base = kEcamBase;
            layout_.ecam_size = kEcamSize;
        }
        AccessConstraints msi_c;
        msi_c.valid_min = msi_c.impl_min = 4;
        msi_c.valid_max = msi_c.impl_max = 4;
        msi_ = MemoryRegion::io("msi", 0x100000, &msi_window_, msi_c);
        system_->add_subregion(MsiWindow::kMsiBase, msi_.get());
        memory_as_ = std::make_unique<AddressSpace>("memory", system_.get());
        io_as_ = std::make_unique<AddressSpace>("I/O", io_.get());
    }

    void build_devices() {
        auto reset_fn = [this] { request_reset(); };
        for (unsigned i = 0; i < 4; ++i) {
            CharBackend* chr = services_.serial(i);
            if (!chr && i > 0) continue;
            Serial16550Config sc;
            sc.chr = chr;
            sc.irq = IrqLine(&gsi_, kComPorts[i].irq);
            sc.clock = &services_.clock();
            auto s = std::make_unique<Serial16550>("serial" + std::to_string(i), sc);
            io_->add_subregion(kComPorts[i].base, s->region());
            devices_.push_back(s.get());
            serials_.push_back(std::move(s));
        }
        i8042_ = std::make_unique<I8042>(reset_fn, IrqLine(&gsi_, 1));
        io_->add_subregion(0x60, i8042_->data_region());
        io_->add_subregion(0x64, i8042_->command_region());
        devices_.push_back(i8042_.get());
        rtc_ = std::make_unique<CmosRtc>();
        io_->add_subregion(0x70, rtc_->region());
        devices_.push_back(rtc_.get());
        fill_cmos();
        acpi_pm_ = std::make_unique<acpi::AcpiPm>(
            &services_.clock(), [this] { request_shutdown(ShutdownCause::GuestPoweroff, 0); });
        io_->add_subregion(0x600, acpi_pm_->region());
        devices_.push_back(acpi_pm_.get());

        fw_cfg_ = std::make_unique<FwCfg>(memory_as_.get());
        fw_cfg_io_ = std::make_unique<FwCfgIo>(fw_cfg_.get());
        io_->add_subregion(0x510, fw_cfg_io_->ctl_region());
        io_->add_subregion(0x514, fw_cfg_io_->dma_region());
        devices_.push_back(fw_cfg_.get());

        for (const auto& d : cfg_.devices)
            add_device(d);

        if (is_pc_) {
            if (pci_factory()) {
                PcPciHostContext ctx;
                ctx.config = &cfg_;
                ctx.services = &services_;
                ctx.system = system_.get();
                ctx.io = io_.get();
                ctx.dma = memory_as_.get();
                ctx.gsi = &gsi_;
                ctx.ecam_base = kEcamBase;
                ctx.ecam_size = kEcamSize;
                ctx.mmio32_base = kMmio32Base;
                ctx.mmio32_size = kMmio32End - kMmio32Base;
                ctx.mmio64_base = k4G + (k4G << 4);
                ctx.mmio64_size = k4G << 4;
                ctx.request_reset = [this] { request_reset(); };
                pci_host_ = pci_factory()(ctx);
            } else {
                ecam_ = MemoryRegion::io("pcie-ecam", kEcamSize, &empty_ecam_);
                system_->add_subregion(kEcamBase, ecam_.get());
            }
        }
    }

    void add_device(const KeyValueList& d) {
        std::string drv = d.get_or("driver", "");
        std::string err;
        if (drv == "isa-debug-exit") {
            if (auto u = d.first_unknown({"driver", "iobase", "iosize", "id"})) {
                fail("-device isa-debug-exit: Property '" + *u + "' not found");
            }
            uint64_t iobase = d.get_uint("iobase", &err).value_or(0x501);
            uint64_t iosize = d.get_uint("iosize", &err).value_or(2);
            if (!err.empty()) fail("-device isa-debug-exit: " + err);
            if (iosize == 0 || iosize > 8 || iobase + iosize > 0x10000) {
                fail("-device isa-debug-exit: iobase/iosize outside the I/O port space");
            }
            debug_exits_.push_back(
                std::make_unique<IsaDebugExit>(static_cast<unsigned>(iosize), [this](int status) {
                    // Like QEMU, the emulator exits at once with the status.
                    stopping_ = true;
                    services_.request_shutdown(ShutdownCause::GuestPanic, status);
                }));
            io_->add_subregion(iobase, debug_exits_.back()->region(), 1);
            return;
        }
        if (drv == "isa-serial") fail("-device isa-serial: not supported yet (use -serial)");
        if (drv == "i8042" || drv == "mc146818rtc" || drv == "fw_cfg_io") {
            fail("-device " + drv + ": this machine already has one");
        }
        // Everything else belongs on the PCI bus, which the PCI host (when
        // the pc board has one) creates from the same list.
        if (is_pc_ && pci_factory()) return;
        fail("-device " + drv + ": not supported yet on this machine" +
             std::string(is_pc_ ? "" : " (microvm has no PCI bus)"));
    }

    void fill_cmos() {
        auto set = [&](unsigned i, uint8_t v) { rtc_->set_cmos(i, v); };
        set(0x14, 0x06);  // equipment: FPU, VGA/EGA
        set(0x15, 640 & 0xff);
        set(0x16, 640 >> 8);
        uint64_t ext_kb = layout_.below_4g > 0x100000 ? (layout_.below_4g - 0x100000) >> 10 : 0;
        ext_kb = std::min<uint64_t>(ext_kb, 0xffff);
        set(0x17, static_cast<uint8_t>(ext_kb)), set(0x18, static_cast<uint8_t>(ext_kb >> 8));
        set(0x30, static_cast<uint8_t>(ext_kb)), set(0x31, static_cast<uint8_t>(ext_kb >> 8));
        uint64_t above16 =
            layout_.below_4g > (16u << 20) ? (layout_.below_4g - (16u << 20)) >> 16 : 0;
        above16 = std::min<uint64_t>(above16, 0xffff);
        set(0x34, static_cast<uint8_t>(above16)), set(0x35, static_cast<uint8_t>(above16 >> 8));
        uint64_t high = layout_.above_4g >> 16;
        set(0x5b, static_cast<uint8_t>(high)), set(0x5c, static_cast<uint8_t>(high >> 8));
        set(0x5d, static_cast<uint8_t>(high >> 16));
        set(0x5f, static_cast<uint8_t>(cfg_.smp.cpus - 1));
    }

    void prepare_boot() {
        e820_ = build_e820(layout_);
        if (!bios_) {
            acpi::AcpiConfig ac;
            for (unsigned i = 0; i < cfg_.smp.cpus; ++i)
                ac.apic_ids.push_back(topo_.apic_id(i));
            ac.has_mcfg = is_pc_;
            ac.ecam_base = kEcamBase;
            ac.ecam_end_bus = static_cast<uint8_t>((kEcamSize >> 20) - 1);
            if (pci_host_) ac.dsdt_extra_aml = pci_host_->dsdt_aml();
            acpi_ = acpi::build_acpi_tables(ac, kAcpiRomBase);
            if (acpi_.data.size() > kAcpiRomSize) fail("internal error: ACPI tables too large");
            std::memcpy(acpi_rom_->host_ptr(), acpi_.data.data(), acpi_.data.size());
        }

        // fw_cfg: what QEMU's firmware interface offers.
        fw_cfg_->add_i64(fw_cfg::kRamSize, cfg_.ram_size);
        fw_cfg_->add_i16(fw_cfg::kNbCpus, static_cast<uint16_t>(cfg_.smp.cpus));
        fw_cfg_->add_i16(fw_cfg::kMaxCpus, static_cast<uint16_t>(cfg_.smp.maxcpus));
        fw_cfg_->add_bytes(fw_cfg::kUuid, std::vector<uint8_t>(16, 0));
        std::vector<uint8_t> e820_file;
        for (const auto& e : e820_) {
            uint8_t b[20];
            std::memcpy(b, &e.addr, 8);
            std::memcpy(b + 8, &e.size, 8);
            uint32_t t = static_cast<uint32_t>(e.type);
            std::memcpy(b + 16, &t, 4);
            e820_file.insert(e820_file.end(), b, b + 20);
        }
        fw_cfg_->add_file("etc/e820", e820_file);
        if (!acpi_.data.empty()) {
            uint64_t rsdp = acpi_.rsdp_addr;
            std::vector<uint8_t> r(8);
            std::memcpy(r.data(), &rsdp, 8);
            fw_cfg_->add_file("etc/emu/rsdp-addr", r);
        }

        if (cfg_.kernel.empty()) {
            if (!bios_) {
                fail(
                    "no -kernel given: not supported yet: booting from firmware without -bios "
                    "(pass -kernel, or -bios with a firmware image)");
            }
            return;
        }
        boot_.kernel_path = cfg_.kernel;
        boot_.initrd_path = cfg_.initrd;
        boot_.cmdline = cfg_.append;
        boot_.rsdp_addr = acpi_.rsdp_addr;
        std::string err;
        if (!read_boot_files(&boot_, &err)) fail(err);
        fw_cfg_->add_i32(fw_cfg::kKernelSize, static_cast<uint32_t>(boot_.kernel.size()));
        fw_cfg_->add_bytes(fw_cfg::kKernelData, boot_.kernel);
        fw_cfg_->add_i32(fw_cfg::kCmdlineSize, static_cast<uint32_t>(boot_.cmdline.size() + 1));
        fw_cfg_->add_string(fw_cfg::kCmdlineData, boot_.cmdline);
        fw_cfg_->add_i32(fw_cfg::kInitrdSize, static_cast<uint32_t>(boot_.initrd.size()));
        if (!boot_.initrd.empty()) fw_cfg_->add_bytes(fw_cfg::kInitrdData, boot_.initrd);
    }

    void power_on() {
        std::string err;
        vm_ = accel_->create_vm(&err);
        if (!vm_) fail(err);
        if (!vm_->setup_x86_platform(&err)) fail(err);
        vm_->attach_memory(memory_as_.get());
        gsi_.vm = vm_.get();
        msi_window_.vm = vm_.get();

        EntryState entry;  // Reset: firmware at the reset vector
        if (!cfg_.kernel.empty() && !bios_) {
            LoadContext ctx(GuestMemory(memory_as_.get()), layout_, e820_);
            BootResult res;
            if (!load_kernel(boot_, ctx, &res, &err)) fail(err);
            entry = res.entry;
            fw_cfg_->add_i32(fw_cfg::kKernelAddr, static_cast<uint32_t>(res.kernel_addr));
            fw_cfg_->add_i32(fw_cfg::kInitrdAddr, static_cast<uint32_t>(res.initrd_addr));
            fw_cfg_->add_i32(fw_cfg::kCmdlineAddr, static_cast<uint32_t>(res.cmdline_addr));
            fw_cfg_->add_i32(fw_cfg::kKernelEntry, static_cast<uint32_t>(res.entry.rip));
        }

        for (unsigned i = 0; i < cfg_.smp.cpus; ++i) {
            auto v = vm_->create_vcpu(i, topo_.apic_id(i), &err);
            if (!v) fail(err);
            if (!v->set_cpuid(cpuid_for_vcpu(cpu_.cpuid, topo_, i), &err)) {
                fail("-cpu " + cpu_.model + ": " + err);
            }
            setup_msrs(*v);
            if (i == 0 && !apply_entry_state(*v, entry, &err)) fail(err);
            vcpus_.push_back(std::move(v));
        }
        for (auto& v : vcpus_) {
            threads_.push_back(std::make_unique<VcpuThread>(
                v.get(), [this](VcpuBackend& b, VcpuExit& e) { return handle_exit(b, e); }));
        }
    }

    void request_reset() {
        stopping_ = true;
        services_.request_reset();
    }

    void request_shutdown(ShutdownCause c, int status) {
        stopping_ = true;
        services_.request_shutdown(c, status);
    }

    ExitAction handle_exit(VcpuBackend& vcpu, VcpuExit& ex) {
        if (auto* p = std::get_if<exit::Pio>(&ex)) {
            for (uint32_t i = 0; i < p->count && !stopping_; ++i) {
                uint8_t* d = p->data + static_cast<size_t>(i) * p->size;
                uint64_t v = 0;
                if (p->is_write) {
                    std::memcpy(&v, d, p->size);
                    io_as_->store(p->port, p->size, v);
                } else {
                    // Nothing decodes the port: the ISA bus floats high.
                    if (io_as_->load(p->port, p->size, &v) == MemTxResult::Unassigned) v = ~0ull;
                    std::memcpy(d, &v, p->size);
                }
            }
        } else if (auto* m = std::get_if<exit::Mmio>(&ex)) {
            if (m->is_write) {
                memory_as_->store(m->addr, m->size, *m->data);
            } else if (memory_as_->load(m->addr, m->size, m->data) == MemTxResult::Unassigned) {
                *m->data = ~0ull;
            }
        } else if (auto* s = std::get_if<exit::Shutdown>(&ex)) {
            request_shutdown(ShutdownCause::GuestPoweroff, s->status);
        } else if (std::holds_alternative<exit::Reset>(ex)) {
            request_reset();
        } else if (auto* e = std::get_if<exit::Error>(&ex)) {
            uint64_t bp;
            if (debug_ && debug_->at_sw_breakpoint(vcpu.index(), &bp)) {
                // kvm_pvm fails our int3 instead of reporting it: a breakpoint hit.
                services_.debug_stop(vcpu.index(), BreakpointKind::Software, bp);
                return stopping_ ? ExitAction::Stop : ExitAction::Park;
            }
            error_report("%s", e->message.c_str());
            request_shutdown(ShutdownCause::Error, 1);
        } else if (std::holds_alternative<exit::Halt>(ex)) {
            return ExitAction::Continue;  // the in-kernel LAPIC handles HLT
        } else if (std::holds_alternative<exit::Debug>(ex)) {
            if (!debug_) return ExitAction::Continue;
            BreakpointKind why;
            uint64_t addr;
            if (!debug_->decode_exit(vcpu.index(), &why, &addr) && debug_->reinject(vcpu.index())) {
                return ExitAction::Continue;  // the guest's own int3/#DB
            }
            // The system stops the VM and tells gdb; stay out of guest code meanwhile.
            services_.debug_stop(vcpu.index(), why, addr);
            return stopping_ ? ExitAction::Stop : ExitAction::Park;
        }
        if (log_enabled(LOG_CPU) && !std::holds_alternative<exit::Kicked>(ex)) {
            log_printf("%s", vcpu.dump_state().c_str());
        }
        return stopping_ ? ExitAction::Stop : ExitAction::Continue;
    }

    MachineConfig cfg_;
    MachineServices& services_;
    bool is_pc_;
    std::unique_ptr<kvm::KvmAccel> accel_;
    ResolvedCpu cpu_;
    X86Topology topo_;
    X86MemoryLayout layout_;
    std::vector<E820Entry> e820_;
    acpi::AcpiBlob acpi_;
    BootInputs boot_;

    std::unique_ptr<MemoryRegion> system_, io_, ram_, ram_below_, ram_above_, bios_, bios_isa_,
        acpi_rom_, ecam_, msi_;
    std::unique_ptr<AddressSpace> memory_as_, io_as_;
    GsiForwarder gsi_;
    EmptyEcam empty_ecam_;
    MsiWindow msi_window_;

    std::vector<Device*> devices_;
    std::vector<std::unique_ptr<Serial16550>> serials_;
    std::unique_ptr<I8042> i8042_;
    std::unique_ptr<CmosRtc> rtc_;
    std::unique_ptr<acpi::AcpiPm> acpi_pm_;
    std::unique_ptr<FwCfg> fw_cfg_;
    std::unique_ptr<FwCfgIo> fw_cfg_io_;
    std::vector<std::unique_ptr<IsaDebugExit>> debug_exits_;
    std::unique_ptr<PcPciHost> pci_host_;

    std::unique_ptr<kvm::KvmVm> vm_;
    std::vector<std::unique_ptr<kvm::KvmVcpu>> vcpus_;
    std::vector<std::unique_ptr<VcpuThread>> threads_;
    std::unique_ptr<X86KvmDebug> debug_;
    std::atomic<bool> stopping_{false};
};

std::vector<MachineProperty> x86_machine_properties() {
    std::vector<MachineProperty> out;
    for (const auto& p : x86_props())
        out.push_back(p.info);
    return out;
}

}  // namespace

void set_pc_pci_host_factory(PcPciHostFactory f) {
    pci_factory() = std::move(f);
}

void register_x86_machines(MachineRegistry& reg) {
    reg.add({"pc",
             "Standard PC (KVM; direct kernel boot, ACPI, PCIe ECAM)",
             true,
             {"q35"},
             [](const MachineConfig& c, MachineServices& s) -> std::unique_ptr<Machine> {
                 return std::make_unique<X86Machine>(c, s, true);
             },
             "pc-q35-7.2-machine",
             x86_machine_properties()});
    reg.add({"microvm",
             "microvm (i386): no PCI, direct kernel boot",
             false,
             {},
             [](const MachineConfig& c, MachineServices& s) -> std::unique_ptr<Machine> {
                 return std::make_unique<X86Machine>(c, s, false);
             },
             "microvm-machine",
             x86_machine_properties()});
}

}  // namespace emu::x86

#include "hw/arm/virt.h"

#include <fstream>
#include <stdexcept>

#include "accel/vcpu_thread.h"
#include "hw/arm/boot.h"
#include "hw/arm/psci.h"
#include "hw/arm/semihosting.h"
#include "hw/arm/virt_fdt.h"
#include "hw/arm/virt_map.h"
#include "hw/char/pl011.h"
#include "hw/core/address_space.h"
#include "hw/core/guest_memory.h"
#include "hw/intc/gicv2.h"
#include "hw/intc/gicv2m.h"
#include "hw/intc/gicv3.h"
#include "hw/intc/gicv3_its.h"
#include "hw/nvram/fw_cfg.h"
#include "hw/pci/pci_host_ecam.h"
#include "hw/rtc/pl031.h"
#include "hw/virtio/drive_table.h"
#include "hw/virtio/virtio_devices.h"
#include "hw/virtio/virtio_mmio.h"
#include "target/arm/gdb_target.h"
#include "util/log.h"

namespace emu {

namespace {
using virt::Region;

[[noreturn]] void fail(const std::string& msg) {
    throw std::runtime_error(msg);
}

std::string accel_options_string(const KeyValueList& kv) {
    std::string s;
    for (const auto& [k, v] : kv.items()) {
        if (!s.empty()) s += ',';
        s += k + "=" + v;
    }
    return s;
}

// Forwards a GIC output to a vCPU input and wakes its thread when an
// interrupt arrives while it is parked in WFI.
class CpuIrqInput : public IrqSink {
  public:
    arm::ArmVcpu* vcpu = nullptr;
    VcpuThread* thread = nullptr;
    bool level[4] = {};
    void set_irq(int n, bool l) override {
        if (n < 0 || n > 3) return;
        level[n] = l;
        if (vcpu) vcpu->set_irq(n, l);
        if (l && thread) thread->wake();
    }
    bool any() const { return level[0] || level[1] || level[2] || level[3]; }
};

class Gicv3SysregAdapter : public arm::ArmSysregProvider {
  public:
    explicit Gicv3SysregAdapter(Gicv3* gic) : gic_(gic) {}
    bool sysreg_read(unsigned cpu, uint32_t enc, uint64_t* v) override {
        return gic_->sysreg_read(cpu, enc, v);
    }
    bool sysreg_write(unsigned cpu, uint32_t enc, uint64_t v) override {
        return gic_->sysreg_write(cpu, enc, v);
    }

  private:
    Gicv3* gic_;
};

class VirtMachine : public Machine, public arm::ArmPlatformHooks, public PsciPlatform {
  public:
    VirtMachine(const MachineConfig& cfg, MachineServices& services, const ArmCpuBackend& backend)
        : cfg_(cfg), services_(services), backend_(backend) {
        parse_options();
        build_memory();
        build_devices();
        load_images();
        if (!dumpdtb_.empty()) {
            dump_dtb();
            return;
        }
        create_cpus();
        apply_boot_state();
    }

    ~VirtMachine() override {
        threads_.clear();  // joins before the vCPUs and devices go away
        vcpus_.clear();
        virtio_.reset();  // devices before the transports they sit on
    }

    void start() override {
        if (!dumpdtb_.empty()) return;
        // A gdb single step runs one vCPU; the others stay stopped.
        int step_cpu = gdb_ ? gdb_->stepping_cpu() : -1;
        for (size_t i = 0; i < threads_.size(); ++i) {
            if (step_cpu >= 0 && size_t(step_cpu) != i) continue;
            threads_[i]->start();
            threads_[i]->wake();
        }
    }

    void stop() override {
        for (auto& t : threads_)
            t->pause();
    }

    void reset() override {
        halting_ = false;
        if (gicv2_) gicv2_->reset();
        if (gicv3_) gicv3_->reset();
        if (its_dev_) its_dev_->reset();
        uart_->reset();
        rtc_->reset();
        fw_cfg_->reset();
        mmio_bus_->reset();
        pcie_->reset();
        for (auto& v : vcpus_)
            v->reset();
        load_images();
        apply_boot_state();
    }

    DebugTarget* debug_target() override {
        for (auto& v : vcpus_) {
            if (!v->debug()) return nullptr;  // an accelerator without debug support
        }
        if (!gdb_) gdb_ = std::make_unique<arm::ArmGdbTarget>(&vcpus_);
        return gdb_.get();
    }

    // --- ArmPlatformHooks ---------------------------------------------------
    bool psci_call(unsigned cpu, const uint64_t regs[4], uint64_t* x0) override {
        return psci_dispatch(*this, cpu, regs, x0);
    }

    uint64_t semihosting_call(unsigned cpu, uint64_t op, uint64_t param) override {
        if (!semihosting_) return uint64_t(-1);
        return semihosting_->call(uint32_t(op), param);
    }

    // --- PsciPlatform -------------------------------------------------------
    unsigned cpu_count() const override { return unsigned(vcpus_.size()); }
    int cpu_by_mpidr(uint64_t mpidr) const override {
        uint64_t want = mpidr & 0xff00ffffffull;
        for (size_t i = 0; i < mpidr_.size(); ++i) {
            if ((mpidr_[i] & 0xff00ffffffull) == want) return int(i);
        }
        return -1;
    }
    bool cpu_is_on(unsigned i) const override { return vcpus_[i]->powered_on(); }
    void cpu_on(unsigned i, uint64_t entry, uint64_t ctx, bool aarch64) override {
        if (!aarch64) {
            // CPU_ON (SMC32) would start the CPU in AArch32; we have none.
            log_mask(LOG_UNIMP, "psci: not supported yet: CPU_ON into AArch32\n");
        }
        vcpus_[i]->power_on(entry, ctx);
        threads_[i]->wake();
    }
    void cpu_off(unsigned i) override { vcpus_[i]->power_off(); }
    void system_off() override {
        halt_all();
        services_.request_shutdown(ShutdownCause::GuestPoweroff, 0);
    }
    void system_reset() override {
        halt_all();
        services_.request_reset();
    }

  private:
    void parse_options() {
        for (const auto& [k, v] : cfg_.machine_options.items()) {
            if (k == "gic-version") {
                if (v == "2" || v == "3") {
                    gic_version_ = unsigned(v[0] - '0');
                } else if (v == "max") {
                    gic_version_ = 3;
                } else if (v == "host") {
                    fail("gic-version=host requires KVM");
                } else if (v == "4") {
                    fail("gic-version=4 requires virtualization enabled");
                } else {
                    fail("Invalid gic-version value '" + v +
                         "' (valid values are 2, 3, 4, host, max)");
                }
            } else if (k == "dumpdtb") {
                dumpdtb_ = v;
            } else if (k == "secure" || k == "virtualization" || k == "mte") {
                auto b = parse_bool(v);
                if (!b) fail("-M virt: " + k + "=" + v + ": expected on or off");
                if (*b) fail("-M virt: not supported yet: " + k + "=on");
            } else if (k == "highmem" || k == "highmem-ecam" || k == "highmem-mmio") {
                auto b = parse_bool(v);
                if (!b) fail("-M virt: " + k + "=" + v + ": expected on or off");
                if (k == "highmem") highmem_ = *b;
                if (k == "highmem-ecam") highmem_ecam_ = *b;
                if (k == "highmem-mmio") highmem_mmio_ = *b;
            } else if (k == "its") {
                auto b = parse_bool(v);
                if (!b) fail("-M virt: " + k + "=" + v + ": expected on or off");
                its_ = *b;
            } else if (k == "acpi" || k == "ras" || k == "highmem-redists") {
                // Accepted for compatibility: without firmware tables or a
                // second redistributor region these change nothing.
                if (!parse_bool(v) && !(k == "acpi" && v == "auto")) {
                    fail("-M virt: " + k + "=" + v + ": expected on or off");
                }
            } else if (k == "usb" || k == "graphics") {
                // meaningless without a USB controller or a display
                if (!parse_bool(v)) fail("-M virt: " + k + "=" + v + ": expected on or off");
            } else if (k == "memory-backend") {
                fail("-M virt,memory-backend=" + v + ": not supported yet: memory backends");
            } else {
                fail("Property 'virt-7.2-machine." + k + "' not found");
            }
        }
        unsigned n = cfg_.smp.cpus ? cfg_.smp.cpus : 1;
        if (gic_version_ == 2 && n > 8) {
            fail("Number of SMP CPUs requested (" + std::to_string(n) +
                 ") exceeds max CPUs supported by machine 'mach-virt' (8)");
        }
        if (gic_version_ == 3 && n > virt::kMaxRedistCpus) {
            fail("-smp " + std::to_string(n) + ": not supported yet: more than " +
                 std::to_string(virt::kMaxRedistCpus) + " CPUs (a second redistributor region)");
        }
        num_cpus_ = n;
        for (unsigned i = 0; i < n; ++i)
            mpidr_.push_back(virt::cpu_mpidr(i, gic_version_));
        ram_size_ = cfg_.ram_size ? cfg_.ram_size : (128ull << 20);
        if (ram_size_ > virt::map(Region::Mem).size) {
            fail("-m: RAM size too large for virt (at most 255 GiB)");
        }
        if (cfg_.kernel.empty() && !cfg_.initrd.empty()) {
            fail("-initrd only allowed with -kernel option");
        }
        if (cfg_.kernel.empty() && !cfg_.append.empty()) {
            fail("-append only allowed with -kernel option");
        }
        // The CPU model: validated here so every error comes before any work.
        std::string model = cfg_.cpu_model;
        if (model.empty()) {
            // QEMU's default for virt is the 32-bit cortex-a15.
            fail(
                "-M virt: not supported yet: the default CPU (cortex-a15, AArch32 only); "
                "use -cpu cortex-a57, cortex-a72, cortex-a53 or max");
        }
        auto comma = model.find(',');
        if (comma != std::string::npos) {
            fail("-cpu " + model + ": not supported yet: CPU properties");
        }
        cpu_model_ = model;
        if (backend_.models) {
            bool found = false;
            for (const auto& m : backend_.models())
                found |= m.name == model;
            if (!found) fail("unable to find CPU model '" + model + "'");
        }
    }

    // GICv2 always has the v2m frame; GICv3 has the ITS unless its=off.
    bool has_msi() const { return v2m_ != nullptr || its_dev_ != nullptr; }

    void build_memory() {
        root_ = MemoryRegion::container("system", UINT64_MAX);
        ram_ = MemoryRegion::ram("mach-virt.ram", ram_size_);
        root_->add_subregion(virt::map(Region::Mem).base, ram_.get());
        for (int b = 0; b < 2; ++b) {
            flash_[b] = MemoryRegion::rom("virt.flash" + std::to_string(b), virt::kFlashBankSize);
            root_->add_subregion(virt::map(Region::Flash).base + b * virt::kFlashBankSize,
                                 flash_[b].get());
        }
        as_ = std::make_unique<AddressSpace>("memory", root_.get());
        mem_ = std::make_unique<GuestMemory>(as_.get());
    }

    void build_devices() {
        GicCoreConfig gc;
        gc.num_cpus = num_cpus_;
        gc.num_irqs = virt::kNumIrqs;
        gc.mpidr = mpidr_;
        GicCore* core;
        if (gic_version_ == 2) {
            gicv2_ = std::make_unique<Gicv2>(gc);
            core = &gicv2_->core();
            // A GICv2 distributor decodes 4 KiB and its CPU interface 8 KiB;
            // the rest of the 64 KiB windows is unassigned (bus errors).
            gic_regions_.push_back(
                MemoryRegion::io("gic_dist", 0x1000, gicv2_->distributor(), Gicv2::constraints()));
            gic_regions_.push_back(
                MemoryRegion::io("gic_cpu", 0x2000, gicv2_->cpu_interface(), Gicv2::constraints()));
            root_->add_subregion(virt::map(Region::GicDist).base, gic_regions_[0].get());
            root_->add_subregion(virt::map(Region::GicCpu).base, gic_regions_[1].get());
            // QEMU's virt always has the GICv2m frame with GICv2 (its= is
            // about GICv3 only).
            v2m_ = std::make_unique<Gicv2m>(*core, 32 + virt::kGicV2mSpi, virt::kGicV2mSpiCount);
            gic_regions_.push_back(
                MemoryRegion::io("gicv2m", Gicv2m::kSize, v2m_.get(), Gicv2m::constraints()));
            root_->add_subregion(virt::map(Region::GicV2m).base, gic_regions_.back().get());
        } else {
            // its=on (QEMU's default): LPIs with 16 ID bits and the ITS.
            if (its_) gc.lpi_id_bits = 16;
            gicv3_ = std::make_unique<Gicv3>(gc);
            gicv3_->set_dma(as_.get());
            core = &gicv3_->core();
            sysregs_ = std::make_unique<Gicv3SysregAdapter>(gicv3_.get());
            gic_regions_.push_back(MemoryRegion::io("gicv3_dist", Gicv3::kDistSize,
                                                    gicv3_->distributor(), Gicv3::constraints()));
            gic_regions_.push_back(
                MemoryRegion::io("gicv3_redist", virt::map(Region::GicRedist).size,
                                 gicv3_->redistributors(), Gicv3::constraints()));
            root_->add_subregion(virt::map(Region::GicDist).base, gic_regions_[0].get());
            root_->add_subregion(virt::map(Region::GicRedist).base, gic_regions_[1].get());
            if (its_) {
                its_dev_ = std::make_unique<Gicv3Its>(*gicv3_, as_.get());
                gic_regions_.push_back(MemoryRegion::io("gicv3_its", Gicv3Its::kSize,
                                                        its_dev_.get(), Gicv3Its::constraints()));
                root_->add_subregion(virt::map(Region::GicIts).base, gic_regions_.back().get());
            }
        }
        gic_ = core;
        cpu_inputs_.resize(num_cpus_);
        for (unsigned i = 0; i < num_cpus_; ++i) {
            auto in = std::make_unique<CpuIrqInput>();
            core->connect_cpu(i, IrqLine(in.get(), arm::kArmIrq), IrqLine(in.get(), arm::kArmFiq));
            cpu_inputs_[i] = std::move(in);
        }

        uart_ = std::make_unique<Pl011>(
            Pl011Config{services_.serial(0), core->spi_line(virt::kUartSpi)});
        uart_region_ =
            MemoryRegion::io("pl011", Pl011::kMmioSize, uart_.get(), Pl011::constraints());
        root_->add_subregion(virt::map(Region::Uart).base, uart_region_.get());

        rtc_ =
            std::make_unique<Pl031>(Pl031Config{&services_.clock(), core->spi_line(virt::kRtcSpi)});
        rtc_region_ = MemoryRegion::io("pl031", Pl031::kMmioSize, rtc_.get(), Pl031::constraints());
        root_->add_subregion(virt::map(Region::Rtc).base, rtc_region_.get());

        fw_cfg_ = std::make_unique<FwCfg>(as_.get());
        fw_cfg_mmio_ = std::make_unique<FwCfgMmio>(fw_cfg_.get());
        root_->add_subregion(virt::map(Region::FwCfg).base, fw_cfg_mmio_->region());
        fw_cfg_->add_i16(fw_cfg::kNbCpus, uint16_t(num_cpus_));

        // All 32 virtio-mmio windows exist, as on QEMU: empty ones answer
        // with device ID 0.
        mmio_bus_ = std::make_unique<VirtioMmioBus>(
            as_.get(), virt::map(Region::Mmio).base, virt::kVirtioSlots,
            [core](unsigned slot) { return core->spi_line(virt::kMmioSpi + slot); },
            virt::map(Region::Mmio).size);
        mmio_bus_->map(root_.get());
        build_pcie(core);
        // -drive defaults to if=virtio on this board, which becomes
        // virtio-blk-pci as on QEMU; -nic defaults to virtio-net-pci.
        drives_ = DriveTable::parse(cfg_.drives, "virtio", cfg_.snapshot);
        VirtioBoardContext ctx;
        ctx.loop = &services_.loop();
        ctx.mmio = mmio_bus_.get();
        ctx.pci = &pcie_->bus();
        ctx.if_virtio_on_pci = true;
        // MSI-X writes from PCI functions reach the GICv2m frame through
        // the system address space (the DMA space of the host bridge).
        ctx.pci_msi = has_msi();
        ctx.netdev = [s = &services_](const std::string& id) { return s->netdev(id); };
        virtio_ = std::make_unique<VirtioMachineDevices>(ctx, drives_);
        for (const auto& kv : cfg_.devices) {
            if (!virtio_->add_device(kv)) {
                fail("-device " + kv.get_or("driver", "") + ": not supported yet on -M virt");
            }
        }
        virtio_->add_if_virtio_drives();
        virtio_->add_nics(cfg_.netdevs);
    }

    // QEMU's generic ECAM host: with highmem (the default) the ECAM for 256
    // buses and a 64-bit window sit above RAM; otherwise the low 16-bus ECAM.
    void build_pcie(GicCore* core) {
        EcamHostConfig pc;
        const bool high_ecam = highmem_ && highmem_ecam_;
        const auto& ecam = high_ecam ? virt::kHighPcieEcam : virt::map(Region::PcieEcam);
        pc.ecam_base = ecam.base;
        pc.ecam_size = ecam.size;
        pc.pio_base = virt::map(Region::PciePio).base;
        pc.pio_size = virt::map(Region::PciePio).size;
        pc.mmio_base = virt::map(Region::PcieMmio).base;
        pc.mmio_size = virt::map(Region::PcieMmio).size;
        if (highmem_ && highmem_mmio_) {
            pc.mmio64_base = virt::kHighPcieMmio.base;
            pc.mmio64_size = virt::kHighPcieMmio.size;
        }
        pcie_ = std::make_unique<PciHostEcamGeneric>(pc, as_.get());
        pcie_->map(root_.get());
        for (unsigned i = 0; i < 4; ++i)
            pcie_->connect_intx(i, core->spi_line(virt::kPcieSpi + i));
        if (its_dev_) {
            // The ITS needs the requester ID as DeviceID (msi-map is 1:1).
            const uint64_t doorbell = virt::map(Region::GicIts).base + Gicv3Its::kTranslater;
            pcie_->bus().set_msi_hook(
                [its = its_dev_.get(), doorbell](uint16_t rid, uint64_t addr, uint32_t data) {
                    if (addr != doorbell) return false;
                    its->translate(rid, data);
                    return true;
                });
        }
    }

    void add_pcie_fdt_node() {
        constexpr uint32_t kSpi = 0, kLevelHigh = 4;
        EcamFdtIrqs irqs;
        irqs.intc_phandle = kVirtFdtGicPhandle;
        irqs.intc_address_cells = kVirtFdtGicAddressCells;
        for (unsigned i = 0; i < 4; ++i)
            irqs.specifiers[i] = {kSpi, virt::kPcieSpi + i, kLevelHigh};
        if (has_msi()) irqs.msi_map = kVirtFdtMsiPhandle;
        pcie_->add_fdt_node(dtb_.data(), irqs);
    }

    void load_images() {
        // Firmware into the first flash bank.
        if (!cfg_.bios.empty()) {
            std::vector<uint8_t> fw;
            std::string e;
            if (!read_file_limited(cfg_.bios, virt::kFlashBankSize, &fw, &e)) {
                fail("Could not load ROM image '" + cfg_.bios + "': " + e);
            }
            std::memcpy(flash_[0]->host_ptr(), fw.data(), fw.size());
        }
        std::vector<uint8_t> user_dtb;
        if (!cfg_.dtb.empty()) {
            std::string e;
            if (!read_file_limited(cfg_.dtb, 16u << 20, &user_dtb, &e)) {
                fail("Couldn't open dtb file " + cfg_.dtb);
            }
        }
        if (!cfg_.bios.empty() && !cfg_.kernel.empty()) kernel_to_fw_cfg();
        ArmBootInput in;
        in.kernel = cfg_.kernel;
        in.initrd = cfg_.initrd;
        in.ram_base = virt::map(Region::Mem).base;
        in.ram = std::span<uint8_t>(ram_->host_ptr(), ram_size_);
        // A user tree grows a little when /chosen is patched.
        in.dtb_size = user_dtb.empty() ? kVirtFdtSize : user_dtb.size() + 0x10000;
        in.firmware = !cfg_.bios.empty();
        std::string err;
        if (!arm_load_kernel(in, &plan_, &err)) fail(err);

        FdtChosen chosen;
        chosen.bootargs = cfg_.append;
        chosen.has_initrd = plan_.has_initrd;
        chosen.initrd_start = plan_.initrd_start;
        chosen.initrd_end = plan_.initrd_start + plan_.initrd_size;
        if (user_dtb.empty()) {
            VirtFdtConfig fc;
            fc.gic_version = gic_version_;
            fc.mpidr = mpidr_;
            fc.cpu_compatible = arm_cpu_dt_compatible(cpu_model_);
            fc.ram_base = virt::map(Region::Mem).base;
            fc.ram_size = ram_size_;
            fc.chosen = chosen;
            fc.fw_cfg = true;
            fc.msi = has_msi();
            for (unsigned i = 0; i < virt::kVirtioSlots; ++i)
                fc.virtio_slots.push_back(i);
            dtb_ = build_virt_fdt(fc, &err);
            if (dtb_.empty()) fail(err);
            add_pcie_fdt_node();
        } else {
            if (!patch_user_fdt(&user_dtb, chosen, virt::map(Region::Mem).base, ram_size_, &err)) {
                fail("-dtb " + cfg_.dtb + ": " + err);
            }
            dtb_ = std::move(user_dtb);
        }
        if (plan_.place_dtb) {
            uint64_t off = plan_.dtb_addr - virt::map(Region::Mem).base;
            if (dtb_.size() > ram_size_ - off) fail("not enough RAM for the device tree");
            std::memcpy(ram_->host_ptr() + off, dtb_.data(), dtb_.size());
        }

        if (cfg_.semihosting) {
            SemihostingConfig sc;
            sc.memory = mem_.get();
            sc.cmdline = cfg_.kernel;
            if (!cfg_.append.empty()) sc.cmdline += " " + cfg_.append;
            auto [lo, hi] = arm_largest_free_gap(plan_, virt::map(Region::Mem).base, ram_size_);
            sc.heap_base = lo;
            sc.heap_limit = hi;
            sc.stack_base = hi;
            sc.stack_limit = lo;
            sc.exit = [this](int status) {
                halt_all();
                // Semihosting exit ends the emulator even with -no-shutdown,
                // as in QEMU: it is not a guest power-off.
                services_.request_shutdown(ShutdownCause::HostQuit, status);
            };
            semihosting_ = std::make_unique<Semihosting>(sc);
        }
    }

    // With firmware, QEMU hands -kernel/-initrd/-append to it through
    // fw_cfg instead of loading them (the firmware boots the kernel).
    void kernel_to_fw_cfg() {
        std::vector<uint8_t> k, rd;
        std::string e;
        if (!read_file_limited(cfg_.kernel, ram_size_, &k, &e)) {
            fail("could not load kernel '" + cfg_.kernel + "': " + e);
        }
        if (k.size() >= 2 && k[0] == 0x1f && k[1] == 0x8b) {
            std::vector<uint8_t> raw;
            if (gunzip_limited(k, ram_size_, &raw, &e)) k.swap(raw);
        }
        fw_cfg_->add_i32(fw_cfg::kKernelSize, uint32_t(k.size()));
        fw_cfg_->add_bytes(fw_cfg::kKernelData, std::move(k));
        if (!cfg_.initrd.empty()) {
            if (!read_file_limited(cfg_.initrd, ram_size_, &rd, &e)) {
                fail("could not load initrd '" + cfg_.initrd + "': " + e);
            }
            fw_cfg_->add_i32(fw_cfg::kInitrdSize, uint32_t(rd.size()));
            fw_cfg_->add_bytes(fw_cfg::kInitrdData, std::move(rd));
        }
        if (!cfg_.append.empty()) {
            fw_cfg_->add_i32(fw_cfg::kCmdlineSize, uint32_t(cfg_.append.size() + 1));
            fw_cfg_->add_string(fw_cfg::kCmdlineData, cfg_.append);
        }
    }

    void dump_dtb() {
        std::ofstream out(dumpdtb_, std::ios::binary);
        if (!out || !out.write(reinterpret_cast<const char*>(dtb_.data()), dtb_.size())) {
            fail("Failed to write dtb to " + dumpdtb_);
        }
        out.close();
        std::fprintf(stderr, "%s: info: dtb dumped to %s. Exiting.\n", program_name().c_str(),
                     dumpdtb_.c_str());
        services_.request_shutdown(ShutdownCause::HostQuit, 0);
    }

    void create_cpus() {
        if (!backend_.create) {
            fail(
                "-M virt: not supported yet: an aarch64 CPU (this binary was built without "
                "the translator)");
        }
        for (unsigned i = 0; i < num_cpus_; ++i) {
            arm::ArmCpuConfig c;
            c.model = cpu_model_;
            c.index = i;
            c.mpidr = mpidr_[i];
            c.memory = as_.get();
            c.hooks = this;
            c.gic_sysregs = sysregs_.get();
            c.psci = arm::PsciConduit::Hvc;
            c.semihosting = cfg_.semihosting;
            c.start_powered_off = i != 0;
            c.accel_options = accel_options_string(cfg_.accel.options);
            std::string err;
            auto v = backend_.create(c, &err);
            if (!v) fail(err.empty() ? "-cpu " + cpu_model_ + ": cannot create the CPU" : err);
            // Generic timer outputs to the GIC's PPIs (INTID = 16 + PPI).
            v->connect_timer(arm::kTimerPhys, gic_->ppi_line(i, 16 + virt::kPpiTimerPhys));
            v->connect_timer(arm::kTimerVirt, gic_->ppi_line(i, 16 + virt::kPpiTimerVirt));
            v->connect_timer(arm::kTimerHyp, gic_->ppi_line(i, 16 + virt::kPpiTimerHyp));
            v->connect_timer(arm::kTimerSec, gic_->ppi_line(i, 16 + virt::kPpiTimerSec));
            cpu_inputs_[i]->vcpu = v.get();
            vcpus_.push_back(std::move(v));
        }
        for (unsigned i = 0; i < num_cpus_; ++i) {
            auto t = std::make_unique<VcpuThread>(
                vcpus_[i].get(), [this, i](VcpuBackend& b, VcpuExit& e) { return on_exit(i, e); });
            cpu_inputs_[i]->thread = t.get();
            threads_.push_back(std::move(t));
        }
    }

    void apply_boot_state() {
        if (vcpus_.empty()) return;
        uint64_t x[4] = {0, 0, 0, 0};
        uint64_t pc = virt::map(Region::Flash).base;  // firmware or nothing: reset vector
        if (!cfg_.kernel.empty() && cfg_.bios.empty()) {
            pc = plan_.entry;
            if (plan_.linux_abi) x[0] = plan_.dtb_addr;
        }
        vcpus_[0]->set_boot_state(pc, x);
        for (size_t i = 1; i < vcpus_.size(); ++i)
            vcpus_[i]->power_off();
    }

    void halt_all() {
        halting_ = true;
        for (auto& v : vcpus_)
            v->kick();
    }

    ExitAction on_exit(unsigned i, VcpuExit& e) {
        if (auto* err = std::get_if<exit::Error>(&e)) {
            error_report("vCPU %u: %s", i, err->message.c_str());
            halt_all();
            services_.request_shutdown(ShutdownCause::Error, 1);
            return ExitAction::Park;
        }
        if (auto* s = std::get_if<exit::Shutdown>(&e)) {
            halt_all();
            services_.request_shutdown(ShutdownCause::GuestPoweroff, s->status);
            return ExitAction::Park;
        }
        if (std::holds_alternative<exit::Reset>(e)) {
            halt_all();
            services_.request_reset();
            return ExitAction::Park;
        }
        if (halting_) return ExitAction::Park;
        if (auto* m = std::get_if<exit::Mmio>(&e)) {
            // Accelerators that leave MMIO to the board (KVM) land here.
            MemTxResult r = m->is_write ? as_->store(m->addr, m->size, *m->data)
                                        : as_->load(m->addr, m->size, m->data);
            (void)r;
            return ExitAction::Continue;
        }
        if (std::holds_alternative<exit::Halt>(e)) {
            // An interrupt that arrived between the CPU's check and now must
            // not be lost: only park with nothing pending.
            return cpu_inputs_[i]->any() && vcpus_[i]->powered_on() ? ExitAction::Continue
                                                                    : ExitAction::Park;
        }
        if (std::holds_alternative<exit::Pio>(e)) {
            error_report("vCPU %u: port I/O on an Arm board", i);
            services_.request_shutdown(ShutdownCause::Error, 1);
            return ExitAction::Park;
        }
        if (std::holds_alternative<exit::Debug>(e)) {
            uint64_t addr = 0;
            BreakpointKind why = gdb_ ? gdb_->stop_reason(i, &addr) : BreakpointKind::Software;
            services_.debug_stop(i, why, addr);
            return ExitAction::Park;
        }
        return ExitAction::Continue;  // Kicked
    }

    MachineConfig cfg_;
    MachineServices& services_;
    ArmCpuBackend backend_;
    unsigned gic_version_ = 2;
    unsigned num_cpus_ = 1;
    uint64_t ram_size_ = 0;
    std::string cpu_model_;
    std::string dumpdtb_;
    bool highmem_ = true, highmem_ecam_ = true, highmem_mmio_ = true;
    bool its_ = true;
    std::vector<uint64_t> mpidr_;

    std::unique_ptr<MemoryRegion> root_, ram_, flash_[2];
    std::unique_ptr<AddressSpace> as_;
    std::unique_ptr<GuestMemory> mem_;
    std::unique_ptr<Gicv2> gicv2_;
    std::unique_ptr<Gicv3> gicv3_;
    std::unique_ptr<Gicv2m> v2m_;
    std::unique_ptr<Gicv3Its> its_dev_;
    GicCore* gic_ = nullptr;
    std::unique_ptr<Gicv3SysregAdapter> sysregs_;
    std::vector<std::unique_ptr<MemoryRegion>> gic_regions_;
    std::vector<std::unique_ptr<CpuIrqInput>> cpu_inputs_;
    std::unique_ptr<Pl011> uart_;
    std::unique_ptr<MemoryRegion> uart_region_;
    std::unique_ptr<Pl031> rtc_;
    std::unique_ptr<MemoryRegion> rtc_region_;
    std::unique_ptr<Semihosting> semihosting_;
    std::unique_ptr<FwCfg> fw_cfg_;
    std::unique_ptr<FwCfgMmio> fw_cfg_mmio_;
    std::unique_ptr<VirtioMmioBus> mmio_bus_;
    std::unique_ptr<PciHostEcamGeneric> pcie_;
    DriveTable drives_;
    std::unique_ptr<VirtioMachineDevices> virtio_;

    ArmBootPlan plan_;
    std::vector<uint8_t> dtb_;
    std::vector<std::unique_ptr<arm::ArmVcpu>> vcpus_;
    std::vector<std::unique_ptr<VcpuThread>> threads_;
    std::unique_ptr<arm::ArmGdbTarget> gdb_;
    std::atomic<bool> halting_{false};
};
}  // namespace

std::unique_ptr<Machine> create_virt_machine(const MachineConfig& cfg, MachineServices& services,
                                             const ArmCpuBackend& backend) {
    return std::make_unique<VirtMachine>(cfg, services, backend);
}

// Every key parse_options() accepts, for "-M virt,help"; the functional test
// checks each one listed here is accepted.
static std::vector<MachineProperty> virt_properties() {
    return {
        {"gic-version", "string", "Set GIC version. Valid values are 2, 3 and max", "2"},
        {"its", "bool", "Set on/off to enable/disable ITS instantiation", "on"},
        {"highmem", "bool",
         "Set on/off to enable/disable using physical address space above 32 bits", "on"},
        {"highmem-ecam", "bool", "Set on/off to enable/disable high address for PCI ECAM", "on"},
        {"highmem-mmio", "bool", "Set on/off to enable/disable high address for PCI MMIO", "on"},
        {"highmem-redists", "bool", "Accepted for compatibility; no effect", "on"},
        {"secure", "bool", "ARM Security Extensions (TrustZone); on: not supported yet", "off"},
        {"virtualization", "bool", "ARM Virtualization Extensions (EL2); on: not supported yet",
         "off"},
        {"mte", "bool", "ARM Memory Tagging Extension; on: not supported yet", "off"},
        {"dumpdtb", "string", "Dump current dtb to a file and quit", ""},
        {"acpi", "OnOffAuto", "Accepted for compatibility; no ACPI tables are built", "auto"},
        {"ras", "bool", "Accepted for compatibility; no effect", "off"},
        {"usb", "bool", "Accepted for compatibility; no USB controller", "off"},
        {"graphics", "bool", "Accepted for compatibility; no display device", "on"},
    };
}

void register_virt_machine(MachineRegistry& registry, ArmCpuBackend backend) {
    MachineType t;
    t.name = "virt";
    t.description = "QEMU 7.2 ARM Virtual Machine";
    t.aliases = {"virt-7.2"};
    t.qom_name = "virt-7.2-machine";
    t.properties = virt_properties();
    t.create = [backend](const MachineConfig& cfg, MachineServices& s) {
        return create_virt_machine(cfg, s, backend);
    };
    registry.add(std::move(t));
}

}  // namespace emu

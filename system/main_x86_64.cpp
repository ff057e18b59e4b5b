// emu-system-x86_64: x86-64 guests through KVM.
#include "hw/virtio/pc_pci.h"
#include "hw/virtio/virtio_devices.h"
#include "hw/x86/x86_machine.h"
#include "system/system.h"
#include "target/x86/cpu_model.h"

namespace {

// The pc board's PCI hook: the x86 PCI host with its virtio devices.
class PcPciHostAdapter : public emu::x86::PcPciHost {
  public:
    explicit PcPciHostAdapter(emu::x86::PcPciHostContext& c) {
        emu::PcPciParams p;
        p.system = c.system;
        p.io = c.io;
        p.dma = c.dma;
        p.gsi = c.gsi;
        p.loop = &c.services->loop();
        p.netdev = [svc = c.services](const std::string& id) { return svc->netdev(id); };
        p.ecam_base = c.ecam_base;
        p.ecam_size = c.ecam_size;
        p.mmio32_base = c.mmio32_base;
        p.mmio32_size = c.mmio32_size;
        p.mmio64_base = c.mmio64_base;
        p.mmio64_size = c.mmio64_size;
        pci_ = std::make_unique<emu::PcPci>(p, *c.config);
        // Reset control register: setting RST_CPU (bit 2) resets the system.
        pci_->host().set_reset_control_handler([reset = c.request_reset](uint8_t v) {
            if ((v & 0x04) && reset) reset();
        });
    }
    std::vector<uint8_t> dsdt_aml() override { return pci_->dsdt_aml(); }
    void reset() override { pci_->reset(); }

  private:
    std::unique_ptr<emu::PcPci> pci_;
};

}  // namespace

int main(int argc, char** argv) {
    emu::TargetInfo target;
    target.arch = emu::TargetArch::X86_64;
    target.binary_name = "emu-system-x86_64";
    target.accelerators = {{"kvm", "Linux KVM (the only accelerator for x86-64 guests)"}};
    emu::x86::register_x86_machines(target.machines);
    emu::x86::register_x86_devices(target.devices);
    emu::register_virtio_devices(target.devices);
    emu::x86::set_pc_pci_host_factory([](emu::x86::PcPciHostContext& c) {
        return std::unique_ptr<emu::x86::PcPciHost>(new PcPciHostAdapter(c));
    });
    for (const auto& m : emu::x86::cpu_models())
        target.cpu_models.push_back({m.name, m.description});
    return emu::system_main(argc, argv, target);
}

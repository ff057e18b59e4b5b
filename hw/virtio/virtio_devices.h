#pragma once
// The board-facing side of virtio: the -device names, factories that turn
// -device / -drive option lists into devices (every property checked, bad
// ones named), and placement on the board's virtio-mmio slots or PCI bus.
//
// A board does, in this order:
//   register_virtio_devices(target_info.devices);       // for -device help
//   DriveTable drives = DriveTable::parse(cfg.drives, "virtio", cfg.snapshot);
//   VirtioMachineDevices virtio({&loop, &mmio_bus, &pci_host.bus(), true}, drives);
//   virtio.add_if_virtio_drives();
//   for (auto& kv : cfg.devices) if (!virtio.add_device(kv)) { ...board's own... }
// and keeps `virtio` alive as long as the machine (it owns the PCI functions;
// destroy it before the PCI host, whose bus the functions sit on).
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "hw/virtio/drive_table.h"
#include "util/keyval.h"

namespace emu {

class DeviceRegistry;
class EventLoop;
class NetBackend;
class PciBus;
class VirtioDevice;
class VirtioMmioBus;
class VirtioPci;

// Adds virtio-blk-device, virtio-blk-pci, virtio-rng-device, virtio-rng-pci,
// virtio-net-device and virtio-net-pci.
void register_virtio_devices(DeviceRegistry& registry);
bool is_virtio_device_name(const std::string& name);

struct VirtioBoardContext {
    EventLoop* loop = nullptr;      // where block completions run (required for disks)
    VirtioMmioBus* mmio = nullptr;  // nullptr: the board has no virtio-mmio
    PciBus* pci = nullptr;          // nullptr: the board has no PCI
    // -drive if=virtio becomes virtio-blk-pci (QEMU's choice on virt and pc)
    // or, when false or without PCI, virtio-blk-device.
    bool if_virtio_on_pci = true;
    // Whether MSI writes reach an interrupt controller on this board; when
    // not, virtio-pci functions get no MSI-X capability (unless vectors=
    // asks) and drivers use INTx.
    bool pci_msi = true;
    // The -netdev backends by id (MachineServices::netdev); empty: no NICs.
    std::function<NetBackend*(const std::string&)> netdev;
};

// What a NIC needs besides its options: the backends, and a running count
// of NICs for QEMU's default MAC addresses (52:54:00:12:34:56, :57, ...).
struct VirtioNetEnv {
    std::function<NetBackend*(const std::string&)> netdev;
    unsigned* nic_index = nullptr;
};

// A device made from options, before placement.
struct VirtioDeviceSpec {
    std::unique_ptr<VirtioDevice> device;
    bool pci = false;
    std::string id;
    std::optional<std::string> bus;
    std::optional<uint8_t> devfn;  // addr=
    uint32_t pci_class = 0;
    std::optional<unsigned> msix_vectors;  // vectors=
};

// Builds the device named by opts' "driver" key (the -device implied key).
// Throws std::runtime_error ("-device NAME: ...") on any bad property.
VirtioDeviceSpec create_virtio_device(const KeyValueList& opts, DriveTable& drives, EventLoop* loop,
                                      const VirtioNetEnv* net = nullptr);

class VirtioMachineDevices {
  public:
    VirtioMachineDevices(const VirtioBoardContext& ctx, DriveTable& drives);
    ~VirtioMachineDevices();
    VirtioMachineDevices(const VirtioMachineDevices&) = delete;
    VirtioMachineDevices& operator=(const VirtioMachineDevices&) = delete;

    // Creates and places the device if opts names a virtio device; false
    // when it is not one of ours. Throws std::runtime_error on errors.
    bool add_device(const KeyValueList& opts);
    // A virtio-blk for each unclaimed if=virtio drive.
    void add_if_virtio_drives();
    // A NIC for each -nic (entries with nic=on): model= virtio-net-pci
    // (the default where there is PCI) or virtio-net-device.
    void add_nics(const std::vector<KeyValueList>& netdevs);
    // Places an already-built device (e.g. one a board makes itself).
    void place(VirtioDeviceSpec spec);

    const std::vector<std::unique_ptr<VirtioPci>>& pci_functions() const { return pci_; }

  private:
    VirtioBoardContext ctx_;
    DriveTable& drives_;
    unsigned nics_ = 0;
    std::vector<std::string> ids_;
    std::vector<std::unique_ptr<VirtioPci>> pci_;
};

}  // namespace emu

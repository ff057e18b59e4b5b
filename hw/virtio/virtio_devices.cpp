#include "hw/virtio/virtio_devices.h"

#include <algorithm>
#include <array>
#include <stdexcept>

#include "hw/core/machine.h"
#include "hw/pci/pci_bus.h"
#include "hw/virtio/virtio_blk.h"
#include "hw/virtio/virtio_mmio.h"
#include "hw/virtio/virtio_net.h"
#include "hw/virtio/virtio_pci.h"
#include "hw/virtio/virtio_rng.h"
#include "net/net_backend.h"

namespace emu {

namespace {

constexpr uint32_t kClassStorageScsi = 0x010000;
constexpr uint32_t kClassOther = 0x00ff00;
constexpr uint32_t kClassNetEthernet = 0x020000;

struct Kind {
    const char* name;
    bool pci;
    bool blk;
    const char* description;
    bool net = false;
};

constexpr Kind kKinds[] = {
    // Grouped by bus: -device help prints a heading where the bus changes.
    {"virtio-blk-device", false, true, "virtio block device (virtio-mmio)"},
    {"virtio-rng-device", false, false, "virtio entropy source (virtio-mmio)"},
    {"virtio-net-device", false, false, "virtio network device (virtio-mmio)", true},
    {"virtio-blk-pci", true, true, "virtio block device (PCI)"},
    {"virtio-rng-pci", true, false, "virtio entropy source (PCI)"},
    {"virtio-net-pci", true, false, "virtio network device (PCI)", true},
};

const Kind* find_kind(const std::string& name) {
    for (const Kind& k : kKinds) {
        if (name == k.name) return &k;
    }
    return nullptr;
}

// Checks and reads the -device properties of one device.
class Props {
  public:
    Props(const KeyValueList& kv, const Kind& k) : kv_(kv), k_(k) {}

    [[noreturn]] void fail(const std::string& msg) const {
        throw std::runtime_error(std::string("-device ") + k_.name + ": " + msg);
    }
    [[noreturn]] void bad_value(const std::string& key, const std::string& why) const {
        fail("Property '" + std::string(k_.name) + "." + key + "' " + why);
    }
    void check_known(std::vector<std::string_view> known) const {
        known.push_back("driver");
        if (auto bad = kv_.first_unknown(known)) {
            fail("Property '" + std::string(k_.name) + "." + *bad + "' not found");
        }
    }
    std::optional<bool> flag(const char* key) const {
        std::string err;
        auto v = kv_.get_bool(key, &err);
        if (!err.empty()) bad_value(key, "expects on or off, not '" + *kv_.get(key) + "'");
        return v;
    }
    std::optional<uint64_t> number(const char* key) const {
        std::string err;
        auto v = kv_.get_uint(key, &err);
        if (!err.empty()) bad_value(key, "expects a number, not '" + *kv_.get(key) + "'");
        return v;
    }
    std::optional<std::string> str(const char* key) const { return kv_.get(key); }

  private:
    const KeyValueList& kv_;
    const Kind& k_;
};

// Properties every virtio device takes, on either transport; returns the
// features to withdraw. Checked before a drive is claimed.
uint64_t common_props(const Props& p, const Kind& k, VirtioDeviceSpec& spec, bool* packed) {
    spec.id = p.str("id").value_or("");
    spec.bus = p.str("bus");
    if (k.pci) {
        if (auto a = p.str("addr")) {
            std::string err;
            spec.devfn = parse_pci_addr(*a, &err);
            if (!spec.devfn) p.fail(err);
        }
        if (auto v = p.number("vectors")) {
            if (*v > 128) p.bad_value("vectors", "must be at most 128");
            spec.msix_vectors = unsigned(*v);
        }
        if (auto v = p.flag("disable-legacy"); v && !*v) {
            p.fail(
                "not supported yet: legacy virtio (disable-legacy=off); devices are modern only");
        }
        if (auto v = p.flag("disable-modern"); v && *v) {
            p.fail("not supported yet: disable-modern=on (legacy virtio)");
        }
    }
    uint64_t withdraw = 0;
    *packed = p.flag("packed").value_or(false);
    if (auto v = p.flag("event_idx"); v && !*v) withdraw |= virtio::bit(virtio::kFEventIdx);
    if (auto v = p.flag("indirect_desc"); v && !*v) {
        withdraw |= virtio::bit(virtio::kFIndirectDesc);
    }
    return withdraw;
}

std::vector<std::string_view> common_keys(const Kind& k) {
    std::vector<std::string_view> keys = {"id", "bus", "event_idx", "indirect_desc", "packed"};
    if (k.pci) {
        for (const char* s : {"addr", "disable-legacy", "disable-modern", "vectors"})
            keys.push_back(s);
    }
    return keys;
}

}  // namespace

void register_virtio_devices(DeviceRegistry& registry) {
    for (const Kind& k : kKinds) {
        if (!registry.find(k.name)) {
            registry.add(DeviceTypeInfo{k.name, k.pci ? "PCI" : "virtio-bus", k.description});
        }
    }
}

bool is_virtio_device_name(const std::string& name) {
    return find_kind(name) != nullptr;
}

VirtioDeviceSpec create_virtio_device(const KeyValueList& opts, DriveTable& drives, EventLoop* loop,
                                      const VirtioNetEnv* net) {
    std::string name = opts.get_or("driver", "");
    const Kind* k = find_kind(name);
    if (!k) throw std::runtime_error("-device " + name + ": not a virtio device");
    Props p(opts, *k);
    VirtioDeviceSpec spec;
    spec.pci = k->pci;
    auto keys = common_keys(*k);
    std::string dev_name = opts.get_or("id", name);
    uint64_t withdraw = 0;
    bool packed = false;
    if (k->net) {
        for (const char* s : {"netdev", "mac"})
            keys.push_back(s);
        p.check_known(keys);
        withdraw = common_props(p, *k, spec, &packed);
        NetBackend* backend = nullptr;
        if (auto id = p.str("netdev")) {
            if (net && net->netdev) backend = net->netdev(*id);
            if (!backend) p.bad_value("netdev", "can't find value '" + *id + "'");
            if (backend->has_peer()) {
                p.bad_value("netdev", "can't take value '" + *id + "', it's in use");
            }
        }
        unsigned index = net && net->nic_index ? (*net->nic_index)++ : 0;
        std::array<uint8_t, 6> mac = VirtioNet::default_mac(index);
        if (auto m = p.str("mac"); m && !VirtioNet::parse_mac(*m, &mac)) {
            p.bad_value("mac", "expects a unicast MAC address like 52:54:00:12:34:56");
        }
        spec.device = std::make_unique<VirtioNet>(dev_name, backend, mac);
        spec.pci_class = kClassNetEthernet;
    } else if (k->blk) {
        for (const char* s : {"drive", "serial", "queue-size", "num-queues", "logical_block_size",
                              "physical_block_size"}) {
            keys.push_back(s);
        }
        p.check_known(keys);
        withdraw = common_props(p, *k, spec, &packed);
        VirtioBlkConfig cfg;
        cfg.serial = p.str("serial").value_or("");
        if (auto n = p.number("queue-size")) {
            if (*n < 4 || *n > 1024 || (*n & (*n - 1))) {
                p.bad_value("queue-size", "must be a power of 2 between 4 and 1024");
            }
            cfg.queue_size = uint16_t(*n);
        }
        if (auto n = p.number("num-queues"); n && *n != 1) {
            p.fail("not supported yet: num-queues=" + std::to_string(*n) + " (one queue only)");
        }
        for (const char* bs : {"logical_block_size", "physical_block_size"}) {
            if (auto n = p.number(bs); n && *n != 512) {
                p.fail(std::string("not supported yet: ") + bs + "=" + std::to_string(*n) +
                       " (512 only)");
            }
        }
        auto drive_id = p.str("drive");
        if (!drive_id) p.fail("drive property not set");
        DriveInfo* d = drives.find(*drive_id);
        if (!d) p.bad_value("drive", "can't find value '" + *drive_id + "'");
        if (d->claimed || d->interface != "none") {
            p.bad_value("drive", "can't take value '" + *drive_id + "', it's in use");
        }
        if (!loop) p.fail("the board gave no event loop for block completions");
        auto backend = DriveTable::open(*d, loop);
        d->claimed = true;
        spec.device = std::make_unique<VirtioBlk>(dev_name, std::move(backend), cfg);
        spec.pci_class = kClassStorageScsi;
    } else {
        for (const char* s : {"rng", "max-bytes", "period"})
            keys.push_back(s);
        p.check_known(keys);
        withdraw = common_props(p, *k, spec, &packed);
        for (const char* s : {"rng", "max-bytes", "period"}) {
            if (p.str(s)) {
                p.fail(std::string("not supported yet: ") + s +
                       "= (entropy always comes from the host's getrandom)");
            }
        }
        spec.device = std::make_unique<VirtioRng>(dev_name);
        spec.pci_class = kClassOther;
    }
    spec.device->withdraw_features(withdraw);
    if (packed) spec.device->offer_packed_ring();
    return spec;
}

VirtioMachineDevices::VirtioMachineDevices(const VirtioBoardContext& ctx, DriveTable& drives)
    : ctx_(ctx), drives_(drives) {}

VirtioMachineDevices::~VirtioMachineDevices() = default;

bool VirtioMachineDevices::add_device(const KeyValueList& opts) {
    std::string name = opts.get_or("driver", "");
    if (!is_virtio_device_name(name)) return false;
    if (auto id = opts.get("id")) {
        if (std::find(ids_.begin(), ids_.end(), *id) != ids_.end()) {
            throw std::runtime_error("-device " + name + ": Duplicate ID '" + *id + "' for device");
        }
    }
    VirtioNetEnv net{ctx_.netdev, &nics_};
    auto spec = create_virtio_device(opts, drives_, ctx_.loop, &net);
    std::string id = spec.id;
    place(std::move(spec));
    if (!id.empty()) ids_.push_back(id);
    return true;
}

void VirtioMachineDevices::add_nics(const std::vector<KeyValueList>& netdevs) {
    for (const KeyValueList& n : netdevs) {
        if (!n.has("nic") || n.get_or("type", "") == "none") continue;
        std::string model = n.get_or("model", ctx_.pci ? "virtio-net-pci" : "virtio-net-device");
        if (model == "virtio") model = ctx_.pci ? "virtio-net-pci" : "virtio-net-device";
        const Kind* k = find_kind(model);
        if (!k || !k->net) {
            throw std::runtime_error("-nic model=" + model +
                                     ": not supported yet (NIC models: virtio-net-pci, "
                                     "virtio-net-device)");
        }
        KeyValueList dev;
        dev.set("driver", model);
        dev.set("netdev", n.get_or("id", ""));
        if (auto mac = n.get("mac")) dev.set("mac", *mac);
        add_device(dev);
    }
}

void VirtioMachineDevices::add_if_virtio_drives() {
    bool pci = ctx_.pci && ctx_.if_virtio_on_pci;
    for (DriveInfo& d : drives_.drives()) {
        if (d.claimed || d.interface != "virtio") continue;
        if (!ctx_.loop) throw std::runtime_error("-drive: the board has no event loop for disks");
        VirtioDeviceSpec spec;
        spec.pci = pci;
        spec.pci_class = kClassStorageScsi;
        spec.device =
            std::make_unique<VirtioBlk>("virtio-blk-" + d.id, DriveTable::open(d, ctx_.loop));
        d.claimed = true;
        place(std::move(spec));
    }
}

void VirtioMachineDevices::place(VirtioDeviceSpec spec) {
    std::string what = spec.device->name();
    if (spec.pci) {
        if (!ctx_.pci) throw std::runtime_error(what + ": this machine has no PCI bus");
        if (spec.bus && *spec.bus != ctx_.pci->name()) {
            throw std::runtime_error(what + ": Bus '" + *spec.bus + "' not found");
        }
        auto vectors = spec.msix_vectors;
        if (!vectors && !ctx_.pci_msi) vectors = 0;
        auto fn = std::make_unique<VirtioPci>(std::move(spec.device), spec.pci_class, vectors);
        ctx_.pci->plug(*fn, spec.devfn);
        pci_.push_back(std::move(fn));
        return;
    }
    if (!ctx_.mmio) throw std::runtime_error(what + ": this machine has no virtio-mmio slots");
    if (spec.bus) {
        // QEMU names the slots' buses virtio-mmio-bus.0 .. N-1.
        const std::string prefix = "virtio-mmio-bus.";
        auto slot = spec.bus->rfind(prefix, 0) == 0
                        ? parse_uint(std::string_view(*spec.bus).substr(prefix.size()))
                        : std::nullopt;
        if (!slot || *slot >= ctx_.mmio->count()) {
            throw std::runtime_error(what + ": Bus '" + *spec.bus + "' not found");
        }
        if (ctx_.mmio->slot(unsigned(*slot)).device()) {
            throw std::runtime_error(what + ": Bus '" + *spec.bus + "' is full");
        }
        ctx_.mmio->slot(unsigned(*slot)).plug(std::move(spec.device));
        return;
    }
    ctx_.mmio->plug(std::move(spec.device));
}

}  // namespace emu

#include <catch2/catch.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <filesystem>

#include "hw/core/machine.h"
#include "hw/pci/pci_host_ecam.h"
#include "hw/virtio/virtio_devices.h"
#include "hw/virtio/virtio_mmio.h"
#include "hw/virtio/virtio_pci.h"
#include "tests/unit/virtio/guest_driver.h"
#include "util/event_loop.h"

using namespace emu;
using namespace emu::test;

namespace {

KeyValueList kv(const std::string& s, const char* implied = "driver") {
    std::string err;
    auto r = KeyValueList::parse(s, implied, &err);
    REQUIRE(r);
    return *r;
}

struct Images {
    std::string dir;
    Images() {
        char tmpl[] = "/tmp/emu-virtio-dev-XXXXXX";
        REQUIRE(mkdtemp(tmpl));
        dir = tmpl;
        for (const char* n : {"a.raw", "b.raw"}) {
            int fd = ::open((dir + "/" + n).c_str(), O_CREAT | O_RDWR, 0600);
            REQUIRE(ftruncate(fd, 1 << 20) == 0);
            ::close(fd);
        }
    }
    ~Images() {
        std::error_code ec;
        std::filesystem::remove_all(dir, ec);
    }
    std::string a() const { return dir + "/a.raw"; }
    std::string b() const { return dir + "/b.raw"; }
};

std::string parse_error(const std::vector<std::string>& drives) {
    std::vector<KeyValueList> l;
    for (auto& d : drives)
        l.push_back(kv(d, "file"));
    try {
        DriveTable::parse(l, "virtio", false);
    } catch (const std::runtime_error& e) {
        return e.what();
    }
    return "";
}

}  // namespace

TEST_CASE("virtio device names are registered", "[virtio][devices]") {
    DeviceRegistry r;
    register_virtio_devices(r);
    register_virtio_devices(r);  // idempotent
    CHECK(r.types().size() == 6);
    REQUIRE(r.find("virtio-blk-pci"));
    CHECK(r.find("virtio-blk-pci")->bus == "PCI");
    REQUIRE(r.find("virtio-rng-device"));
    CHECK(r.find("virtio-rng-device")->bus == "virtio-bus");
    CHECK(is_virtio_device_name("virtio-blk-device"));
    CHECK(is_virtio_device_name("virtio-net-pci"));
    CHECK_FALSE(is_virtio_device_name("virtio-gpu-pci"));
}

TEST_CASE("drive options are checked", "[virtio][devices]") {
    Images img;
    CHECK_THAT(parse_error({"file=" + img.a() + ",bogus=1"}),
               Catch::Contains("Invalid parameter 'bogus'"));
    CHECK_THAT(parse_error({"file=" + img.a() + ",format=vmdk"}),
               Catch::Contains("Unknown driver 'vmdk'"));
    CHECK_THAT(parse_error({"file=" + img.a() + ",cache=fast"}),
               Catch::Contains("invalid cache option 'fast'"));
    CHECK_THAT(parse_error({"file=" + img.a() + ",readonly=maybe"}), Catch::Contains("readonly"));
    CHECK_THAT(parse_error({"file=" + img.a() + ",if=usb"}), Catch::Contains("'usb'"));
    CHECK_THAT(parse_error({"if=none,id=x"}), Catch::Contains("without file="));
    CHECK_THAT(parse_error({"file=" + img.a() + ",id=x", "file=" + img.b() + ",id=x"}),
               Catch::Contains("Duplicate ID 'x'"));
    CHECK(parse_error({"file=" + img.a() + ",format=raw,cache=none,discard=unmap,aio=native"})
              .empty());

    auto t = DriveTable::parse({kv("file=" + img.a(), "file"),
                                kv("file=" + img.b() + ",if=none,id=d1,readonly=on", "file")},
                               "virtio", true);
    REQUIRE(t.drives().size() == 2);
    CHECK(t.drives()[0].id == "virtio0");
    CHECK(t.drives()[0].open.snapshot);
    CHECK(t.find("d1")->open.read_only);
    CHECK(t.find("d1")->interface == "none");
}

TEST_CASE("device properties are checked and bad ones named", "[virtio][devices]") {
    Images img;
    EventLoop loop;
    auto drives = DriveTable::parse({kv("file=" + img.a() + ",if=none,id=d1", "file"),
                                     kv("file=" + img.b() + ",if=virtio,id=v1", "file")},
                                    "virtio", false);
    auto err = [&](const std::string& s) -> std::string {
        try {
            create_virtio_device(kv(s), drives, &loop);
        } catch (const std::runtime_error& e) {
            return e.what();
        }
        return "";
    };
    CHECK_THAT(err("virtio-blk-pci,drive=d1,colour=red"),
               Catch::Contains("Property 'virtio-blk-pci.colour' not found"));
    CHECK_THAT(err("virtio-blk-device"), Catch::Contains("drive property not set"));
    CHECK_THAT(err("virtio-blk-device,drive=nope"), Catch::Contains("can't find value 'nope'"));
    CHECK_THAT(err("virtio-blk-device,drive=v1"), Catch::Contains("it's in use"));
    CHECK_THAT(err("virtio-blk-pci,drive=d1,queue-size=100"), Catch::Contains("queue-size"));
    CHECK_THAT(err("virtio-blk-pci,drive=d1,num-queues=4"), Catch::Contains("not supported yet"));
    CHECK_THAT(err("virtio-blk-pci,drive=d1,addr=40"), Catch::Contains("addr"));
    CHECK_THAT(err("virtio-blk-device,drive=d1,addr=4"),
               Catch::Contains("Property 'virtio-blk-device.addr' not found"));
    CHECK_THAT(err("virtio-rng-pci,event_idx=sometimes"), Catch::Contains("event_idx"));
    CHECK_THAT(err("virtio-rng-pci,disable-legacy=off"), Catch::Contains("not supported yet"));
    CHECK_THAT(err("virtio-rng-device,rng=rng0"), Catch::Contains("not supported yet: rng="));
    auto spec =
        create_virtio_device(kv("virtio-rng-pci,event_idx=off,addr=1f.0,id=r"), drives, &loop);
    CHECK(spec.pci);
    CHECK(spec.devfn == pci::devfn(31, 0));
    CHECK_FALSE(spec.device->host_features() & virtio::bit(virtio::kFEventIdx));
    CHECK(spec.device->host_features() & virtio::bit(virtio::kFIndirectDesc));
    auto packed = create_virtio_device(kv("virtio-rng-device,packed=on"), drives, &loop);
    CHECK(packed.device->host_features() & virtio::bit(virtio::kFRingPacked));
    CHECK_FALSE(spec.device->host_features() & virtio::bit(virtio::kFRingPacked));
    CHECK_THAT(err("virtio-rng-device,packed=2"), Catch::Contains("packed"));
    // A drive is claimed once.
    CHECK(err("virtio-blk-device,drive=d1").empty());
    CHECK_THAT(err("virtio-blk-device,drive=d1"), Catch::Contains("it's in use"));
}

TEST_CASE("devices are placed on the board's slots and bus", "[virtio][devices]") {
    Images img;
    EventLoop loop;
    GuestRam g;
    EcamHostConfig c;
    c.ecam_base = 0x4010000000ull;
    c.ecam_size = 16 << 20;
    c.mmio_base = 0x10000000;
    c.mmio_size = 0x2eff0000;
    PciHostEcamGeneric host(c, &g.as);
    VirtioMmioBus mmio(&g.as, 0x0a000000, 32, [](unsigned) { return IrqLine(); });
    auto drives = DriveTable::parse({kv("file=" + img.a() + ",if=virtio", "file"),
                                     kv("file=" + img.b() + ",if=none,id=d1", "file")},
                                    "virtio", false);
    {
        VirtioMachineDevices v({&loop, &mmio, &host.bus(), true, true, {}}, drives);
        v.add_if_virtio_drives();
        CHECK(v.add_device(kv("virtio-blk-pci,drive=d1,addr=05.0")));
        CHECK(v.add_device(kv("virtio-rng-device,bus=virtio-mmio-bus.3")));
        CHECK(v.add_device(kv("virtio-rng-device")));
        CHECK_FALSE(v.add_device(kv("pl011")));
        CHECK(v.add_device(kv("virtio-rng-device,id=r0")));
        CHECK_THROWS_WITH(v.add_device(kv("virtio-rng-device,id=r0")),
                          Catch::Contains("Duplicate ID 'r0'"));
        CHECK_THROWS_WITH(v.add_device(kv("virtio-rng-pci,bus=pcie.7")),
                          Catch::Contains("Bus 'pcie.7' not found"));
        CHECK_THROWS_WITH(v.add_device(kv("virtio-rng-device,bus=virtio-mmio-bus.3")),
                          Catch::Contains("full"));
        CHECK_THROWS_WITH(v.add_device(kv("virtio-rng-pci,addr=5")),
                          Catch::Contains("already in use"));
        // if=virtio went to the first free PCI slot (00.0 is the host bridge).
        CHECK(host.bus().config_read(pci::devfn(1, 0), 0, 4) == 0x10421af4u);
        CHECK(host.bus().config_read(pci::devfn(5, 0), 0, 4) == 0x10421af4u);
        CHECK(mmio.slot(3).mmio_read(8, 4) == virtio::kIdRng);
        CHECK(mmio.slot(0).mmio_read(8, 4) == virtio::kIdRng);
        CHECK(mmio.slot(1).mmio_read(8, 4) == virtio::kIdRng);  // r0
        CHECK(mmio.slot(2).mmio_read(8, 4) == 0);
        CHECK(v.pci_functions().size() == 2);
        CHECK(v.pci_functions()[0]->msix() != nullptr);
        CHECK(v.add_device(kv("virtio-rng-pci,vectors=0")));
        CHECK(v.pci_functions().back()->msix() == nullptr);
        CHECK(v.add_device(kv("virtio-rng-pci,vectors=5")));
        CHECK(v.pci_functions().back()->msix()->vectors() == 5);
        CHECK_THROWS_WITH(v.add_device(kv("virtio-rng-pci,vectors=500")),
                          Catch::Contains("vectors"));
    }
    CHECK(host.bus().config_read(pci::devfn(5, 0), 0, 4) == 0xffffffffu);
    // A board without MSI delivery gets INTx-only functions.
    {
        VirtioMachineDevices nomsi({&loop, &mmio, &host.bus(), true, false, {}}, drives);
        CHECK(nomsi.add_device(kv("virtio-rng-pci")));
        CHECK(nomsi.pci_functions().back()->msix() == nullptr);
    }
    // Without PCI, PCI devices are refused by name.
    VirtioMachineDevices nopci({&loop, &mmio, nullptr, false, true, {}}, drives);
    CHECK_THROWS_WITH(nopci.add_device(kv("virtio-rng-pci")), Catch::Contains("no PCI bus"));
}

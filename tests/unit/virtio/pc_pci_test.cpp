#include <catch2/catch.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "hw/core/machine.h"
#include "hw/virtio/pc_pci.h"
#include "tests/unit/virtio/guest_driver.h"
#include "util/event_loop.h"

using namespace emu;
using namespace emu::test;

namespace {

struct Gsi : IrqSink {
    bool level[24] = {};
    void set_irq(int n, bool l) override { level[n] = l; }
};

KeyValueList kv(const std::string& s, const char* implied) {
    std::string err;
    auto r = KeyValueList::parse(s, implied, &err);
    REQUIRE(r);
    return *r;
}

// Decodes an AML PkgLength at p; returns its value and sets *bytes.
size_t pkg_length(const uint8_t* p, size_t* bytes) {
    unsigned extra = p[0] >> 6;
    *bytes = 1 + extra;
    if (extra == 0) return p[0] & 0x3f;
    size_t v = p[0] & 0xf;
    for (unsigned i = 0; i < extra; ++i)
        v |= size_t(p[1 + i]) << (4 + 8 * i);
    return v;
}

}  // namespace

TEST_CASE("pc PCI: host, virtio devices from the command line, DSDT AML", "[virtio][pc]") {
    char tmpl[] = "/tmp/emu-pc-pci-XXXXXX";
    REQUIRE(mkdtemp(tmpl));
    std::string disk = std::string(tmpl) + "/d.raw";
    int fd = ::open(disk.c_str(), O_CREAT | O_RDWR, 0600);
    REQUIRE(ftruncate(fd, 1 << 20) == 0);
    ::close(fd);

    EventLoop loop;
    GuestRam g;
    auto io = MemoryRegion::container("io", 0x10000);
    AddressSpace io_as("io", io.get());
    Gsi gsi;
    MachineConfig cfg;
    cfg.drives.push_back(kv("file=" + disk + ",format=raw", "file"));
    cfg.devices.push_back(kv("virtio-rng-pci,addr=7", "driver"));
    cfg.devices.push_back(kv("isa-debug-exit", "driver"));  // the board's, skipped
    PcPciParams p;
    p.system = g.root.get();
    p.io = io.get();
    p.dma = &g.as;
    p.gsi = &gsi;
    p.loop = &loop;
    p.ecam_base = 0xb0000000;
    p.ecam_size = 256 << 20;
    p.mmio32_base = 0xc0000000;
    p.mmio32_size = 0x3ec00000;
    p.mmio64_base = 1ull << 36;
    p.mmio64_size = 1ull << 36;
    {
        PcPci pci(p, cfg);
        CHECK(PcPci::handles_device("virtio-blk-pci"));
        CHECK_FALSE(PcPci::handles_device("isa-debug-exit"));
        uint64_t v = 0;
        io_as.store(0xcf8, 4, 0x80000000u | (1u << 11));
        io_as.load(0xcfc, 4, &v);
        CHECK(v == 0x10421af4u);  // the if=virtio disk in slot 1
        g.as.load(0xb0000000 + (7u << 15), 4, &v);
        CHECK(v == 0x10441af4u);  // virtio-rng-pci at addr=7, through MMCONFIG

        // INTx of slot 7 (pin A) reaches GSI 16 + (7 mod 4).
        auto* fn = pci.host().bus().device(pci::devfn(7, 0));
        REQUIRE(fn);
        // No MSI delivery on this board yet: INTx-only functions.
        CHECK(fn->find_capability(pci::kCapIdMsix) == 0);
        fn->set_intx(true);
        CHECK(gsi.level[19]);
        fn->set_intx(false);

        auto aml = pci.dsdt_aml();
        REQUIRE(aml.size() > 100);
        CHECK(aml[0] == 0x10);  // ScopeOp
        size_t n = 0;
        CHECK(pkg_length(&aml[1], &n) == aml.size() - 1);
        std::string s(aml.begin(), aml.end());
        CHECK(s.find("\\_SB_") != std::string::npos);
        CHECK(s.find("PCI0") != std::string::npos);
        CHECK(s.find("_PRT") != std::string::npos);
        const uint8_t pnp0a08[] = {0x0c, 0x41, 0xd0, 0x0a, 0x08};
        CHECK(std::search(aml.begin(), aml.end(), pnp0a08, pnp0a08 + 5) != aml.end());
        if (const char* out = std::getenv("EMU_DUMP_PC_AML")) {
            FILE* f = std::fopen(out, "wb");
            std::fwrite(aml.data(), 1, aml.size(), f);
            std::fclose(f);
        }
    }
    MachineConfig bad;
    bad.drives.push_back(kv("file=" + disk + ",if=ide", "file"));
    CHECK_THROWS_WITH(PcPci(p, bad), Catch::Contains("not supported yet: if=ide"));
    std::error_code ec;
    std::filesystem::remove_all(tmpl, ec);
}

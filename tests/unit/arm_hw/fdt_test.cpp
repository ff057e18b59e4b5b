#include <catch2/catch.hpp>
#include <cstring>

#include "hw/arm/virt_fdt.h"
#include "hw/arm/virt_map.h"

extern "C" {
#include <libfdt.h>
}

using namespace emu;

namespace {
VirtFdtConfig config(unsigned gic, unsigned ncpu) {
    VirtFdtConfig c;
    c.gic_version = gic;
    for (unsigned i = 0; i < ncpu; ++i)
        c.mpidr.push_back(virt::cpu_mpidr(i, gic));
    c.ram_base = 0x40000000;
    c.ram_size = 1ull << 30;
    c.chosen.bootargs = "console=ttyAMA0";
    c.chosen.has_initrd = true;
    c.chosen.initrd_start = 0x48000000;
    c.chosen.initrd_end = 0x48001000;
    return c;
}

std::string prop_str(const void* f, const char* path, const char* name) {
    int off = fdt_path_offset(f, path);
    if (off < 0) return "<no node>";
    int len;
    const char* p = static_cast<const char*>(fdt_getprop(f, off, name, &len));
    return p ? std::string(p, size_t(len) - 1) : "<no prop>";
}

std::vector<uint32_t> prop_cells(const void* f, const char* path, const char* name) {
    int off = fdt_path_offset(f, path), len = 0;
    const fdt32_t* p =
        off < 0 ? nullptr : static_cast<const fdt32_t*>(fdt_getprop(f, off, name, &len));
    std::vector<uint32_t> v;
    for (int i = 0; p && i < len / 4; ++i)
        v.push_back(fdt32_to_cpu(p[i]));
    return v;
}
}  // namespace

TEST_CASE("virt device tree: GICv2, one CPU", "[fdt]") {
    std::string err;
    auto blob = build_virt_fdt(config(2, 1), &err);
    REQUIRE(!blob.empty());
    const void* f = blob.data();
    REQUIRE(fdt_check_full(f, blob.size()) == 0);
    CHECK(fdt_totalsize(f) == kVirtFdtSize);
    CHECK(prop_str(f, "/", "compatible") == "linux,dummy-virt");
    CHECK(prop_str(f, "/intc@8000000", "compatible") == "arm,cortex-a15-gic");
    CHECK(prop_cells(f, "/intc@8000000", "reg") ==
          std::vector<uint32_t>{0, 0x08000000, 0, 0x10000, 0, 0x08010000, 0, 0x10000});
    CHECK(prop_str(f, "/pl011@9000000", "compatible") ==
          std::string("arm,pl011\0arm,primecell", 23));
    CHECK(prop_cells(f, "/pl011@9000000", "interrupts") == std::vector<uint32_t>{0, 1, 4});
    CHECK(prop_cells(f, "/pl031@9010000", "interrupts") == std::vector<uint32_t>{0, 2, 4});
    CHECK(prop_cells(f, "/apb-pclk", "clock-frequency") == std::vector<uint32_t>{24000000});
    CHECK(prop_str(f, "/psci", "method") == "hvc");
    CHECK(prop_cells(f, "/psci", "cpu_on") == std::vector<uint32_t>{0xc4000003});
    CHECK(prop_cells(f, "/memory@40000000", "reg") ==
          std::vector<uint32_t>{0, 0x40000000, 0, 0x40000000});
    CHECK(prop_str(f, "/chosen", "bootargs") == "console=ttyAMA0");
    CHECK(prop_str(f, "/chosen", "stdout-path") == "/pl011@9000000");
    CHECK(prop_cells(f, "/chosen", "linux,initrd-start") == std::vector<uint32_t>{0x48000000});
    CHECK(prop_cells(f, "/chosen", "linux,initrd-end") == std::vector<uint32_t>{0x48001000});
    // GICv2 timer specifiers carry the CPU mask (one CPU: 0x1 << 8).
    auto t = prop_cells(f, "/timer", "interrupts");
    REQUIRE(t.size() == 12);
    CHECK(t[1] == 13);
    CHECK(t[4] == 14);
    CHECK(t[7] == 11);
    CHECK(t[10] == 10);
    CHECK(t[2] == 0x104);
    CHECK(prop_str(f, "/cpus/cpu@0", "compatible") == "arm,cortex-a57");
    CHECK(prop_str(f, "/cpus/cpu@0", "enable-method") == "<no prop>");
    CHECK(fdt_path_offset(f, "/virtio_mmio@a000000") < 0);  // no transports yet
}

TEST_CASE("virt device tree: GICv3, four CPUs, virtio slots", "[fdt]") {
    std::string err;
    auto c = config(3, 4);
    c.virtio_slots = {0, 31};
    c.cpu_compatible = arm_cpu_dt_compatible("max");
    auto blob = build_virt_fdt(c, &err);
    REQUIRE(!blob.empty());
    const void* f = blob.data();
    CHECK(prop_str(f, "/intc@8000000", "compatible") == "arm,gic-v3");
    CHECK(prop_cells(f, "/intc@8000000", "reg") ==
          std::vector<uint32_t>{0, 0x08000000, 0, 0x10000, 0, 0x080a0000, 0, 0xf60000});
    CHECK(prop_cells(f, "/intc@8000000", "#redistributor-regions") == std::vector<uint32_t>{1});
    CHECK(prop_str(f, "/cpus/cpu@3", "enable-method") == "psci");
    CHECK(prop_cells(f, "/cpus/cpu@3", "reg") == std::vector<uint32_t>{3});
    CHECK(prop_str(f, "/cpus/cpu@3", "compatible") == "arm,arm-v8");
    CHECK(prop_cells(f, "/timer", "interrupts")[2] == 4);  // no CPU mask on v3
    CHECK(prop_cells(f, "/virtio_mmio@a003e00", "interrupts") == std::vector<uint32_t>{0, 47, 1});
    CHECK(prop_cells(f, "/virtio_mmio@a000000", "reg") ==
          std::vector<uint32_t>{0, 0x0a000000, 0, 0x200});
}

TEST_CASE("MPIDR layout follows the GIC's target-list width", "[fdt]") {
    CHECK(virt::cpu_mpidr(9, 2) == 0x101);
    CHECK(virt::cpu_mpidr(9, 3) == 0x9);
    CHECK(virt::cpu_mpidr(17, 3) == 0x101);
}

TEST_CASE("user device tree: /memory and /chosen patched, garbage refused", "[fdt]") {
    std::string err;
    auto c = config(2, 1);
    c.chosen = FdtChosen{};
    auto blob = build_virt_fdt(c, &err);
    REQUIRE(!blob.empty());
    FdtChosen ch;
    ch.bootargs = "root=/dev/vda";
    ch.has_initrd = true;
    ch.initrd_start = 0x44000000;
    ch.initrd_end = 0x44100000;
    REQUIRE(patch_user_fdt(&blob, ch, 0x40000000, 256ull << 20, &err));
    const void* f = blob.data();
    CHECK(fdt_totalsize(f) < kVirtFdtSize);  // packed
    CHECK(prop_str(f, "/chosen", "bootargs") == "root=/dev/vda");
    CHECK(prop_cells(f, "/chosen", "linux,initrd-start") == std::vector<uint32_t>{0x44000000});
    CHECK(prop_cells(f, "/memory@40000000", "reg") ==
          std::vector<uint32_t>{0, 0x40000000, 0, 0x10000000});
    CHECK(prop_cells(f, "/chosen", "kaslr-seed").size() == 2);

    std::vector<uint8_t> junk(4096, 0xab);
    CHECK_FALSE(patch_user_fdt(&junk, ch, 0x40000000, 1 << 20, &err));
    std::vector<uint8_t> tiny(8, 0);
    CHECK_FALSE(patch_user_fdt(&tiny, ch, 0x40000000, 1 << 20, &err));
    // A header claiming more than the file holds.
    auto trunc = build_virt_fdt(config(2, 1), &err);
    trunc.resize(2048);
    CHECK_FALSE(patch_user_fdt(&trunc, ch, 0x40000000, 1 << 20, &err));
    // A valid tree with no /memory node: QEMU's error.
    std::vector<uint8_t> nomem(4096);
    REQUIRE(fdt_create_empty_tree(nomem.data(), 4096) == 0);
    CHECK_FALSE(patch_user_fdt(&nomem, ch, 0x40000000, 1 << 20, &err));
    CHECK(err.find("/memory") != std::string::npos);
}

TEST_CASE("virt device tree: MSI controller nodes as QEMU's", "[fdt]") {
    std::string err;
    auto c = config(2, 1);
    c.msi = true;
    auto blob = build_virt_fdt(c, &err);
    REQUIRE(!blob.empty());
    const void* f = blob.data();
    REQUIRE(fdt_check_full(f, blob.size()) == 0);
    const char* v2m = "/intc@8000000/v2m@8020000";
    CHECK(prop_str(f, v2m, "compatible") == "arm,gic-v2m-frame");
    CHECK(prop_cells(f, v2m, "reg") == std::vector<uint32_t>{0, 0x08020000, 0, 0x1000});
    CHECK(prop_cells(f, v2m, "phandle") == std::vector<uint32_t>{kVirtFdtMsiPhandle});
    CHECK(fdt_getprop(f, fdt_path_offset(f, v2m), "msi-controller", nullptr) != nullptr);
    c = config(3, 1);
    c.msi = true;
    blob = build_virt_fdt(c, &err);
    f = blob.data();
    const char* its = "/intc@8000000/its@8080000";
    CHECK(prop_str(f, its, "compatible") == "arm,gic-v3-its");
    CHECK(prop_cells(f, its, "reg") == std::vector<uint32_t>{0, 0x08080000, 0, 0x20000});
    CHECK(prop_cells(f, its, "#msi-cells") == std::vector<uint32_t>{1});
    // Without: no child nodes at all.
    blob = build_virt_fdt(config(2, 1), &err);
    f = blob.data();
    CHECK(fdt_first_subnode(f, fdt_path_offset(f, "/intc@8000000")) < 0);
}

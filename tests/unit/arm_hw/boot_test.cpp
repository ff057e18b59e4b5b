#include "hw/arm/boot.h"

#include <unistd.h>
#include <zlib.h>

#include <catch2/catch.hpp>
#include <cstring>
#include <fstream>

#include "temp_file.h"

using namespace emu;

namespace {
constexpr uint64_t kBase = 0x40000000;
constexpr uint64_t kMiB = 1 << 20;

using test::TempFile;

void put64(std::vector<uint8_t>& v, size_t off, uint64_t x) {
    for (int i = 0; i < 8; ++i)
        v[off + i] = uint8_t(x >> (8 * i));
}
void put32(std::vector<uint8_t>& v, size_t off, uint32_t x) {
    for (int i = 0; i < 4; ++i)
        v[off + i] = uint8_t(x >> (8 * i));
}
void put16(std::vector<uint8_t>& v, size_t off, uint16_t x) {
    for (int i = 0; i < 2; ++i)
        v[off + i] = uint8_t(x >> (8 * i));
}

std::vector<uint8_t> image(uint64_t text_offset, uint64_t image_size, size_t file_size = 4096) {
    std::vector<uint8_t> v(file_size, 0x5a);
    put64(v, 8, text_offset);
    put64(v, 16, image_size);
    std::memcpy(&v[56], "ARM\x64", 4);
    return v;
}

std::vector<uint8_t> gzip(const std::vector<uint8_t>& in) {
    z_stream zs{};
    REQUIRE(deflateInit2(&zs, 6, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY) == Z_OK);
    std::vector<uint8_t> out(deflateBound(&zs, in.size()) + 64);
    zs.next_in = const_cast<Bytef*>(in.data());
    zs.avail_in = uInt(in.size());
    zs.next_out = out.data();
    zs.avail_out = uInt(out.size());
    REQUIRE(deflate(&zs, Z_FINISH) == Z_STREAM_END);
    out.resize(zs.total_out);
    deflateEnd(&zs);
    return out;
}

// A minimal ELF64 executable with one PT_LOAD segment.
std::vector<uint8_t> elf(uint64_t paddr, uint64_t entry, size_t filesz, size_t memsz) {
    std::vector<uint8_t> v(64 + 56 + filesz, 0);
    std::memcpy(v.data(),
                "\x7f"
                "ELF",
                4);
    v[4] = 2;  // 64-bit
    v[5] = 1;  // little-endian
    v[6] = 1;
    put16(v, 16, 2);    // ET_EXEC
    put16(v, 18, 183);  // EM_AARCH64
    put64(v, 24, entry);
    put64(v, 32, 64);  // phoff
    put16(v, 54, 56);
    put16(v, 56, 1);
    size_t ph = 64;
    put32(v, ph, 1);  // PT_LOAD
    put64(v, ph + 8, 120);
    put64(v, ph + 16, paddr);
    put64(v, ph + 24, paddr);
    put64(v, ph + 32, filesz);
    put64(v, ph + 40, memsz);
    for (size_t i = 0; i < filesz; ++i)
        v[120 + i] = uint8_t(i + 1);
    return v;
}

struct Ram {
    std::vector<uint8_t> mem;
    explicit Ram(uint64_t size) : mem(size, 0xee) {}
    ArmBootInput input(const std::string& kernel, const std::string& initrd = "") {
        ArmBootInput in;
        in.kernel = kernel;
        in.initrd = initrd;
        in.ram_base = kBase;
        in.ram = std::span<uint8_t>(mem.data(), mem.size());
        in.dtb_size = kMiB;
        return in;
    }
};
}  // namespace

TEST_CASE("arm64 Image: text_offset 0 loads 2 MiB up, device tree above", "[boot]") {
    Ram ram(128 * kMiB);
    TempFile k(image(0, 0x200000));
    ArmBootPlan p;
    std::string err;
    REQUIRE(arm_load_kernel(ram.input(k.path), &p, &err));
    CHECK(p.kind == ArmBootPlan::Kind::Image);
    CHECK(p.entry == kBase + 2 * kMiB);
    CHECK(p.linux_abi);
    CHECK(std::memcmp(&ram.mem[2 * kMiB + 56], "ARM\x64", 4) == 0);
    // No initrd: the tree goes at base + min(RAM/2, 128 MiB), 2 MiB aligned.
    CHECK(p.dtb_addr == kBase + 64 * kMiB);
    CHECK_FALSE(p.has_initrd);
}

TEST_CASE("arm64 Image honours text_offset, old kernels get 0x80000", "[boot]") {
    Ram ram(64 * kMiB);
    TempFile k(image(0x80000, 0x100000));
    ArmBootPlan p;
    std::string err;
    REQUIRE(arm_load_kernel(ram.input(k.path), &p, &err));
    CHECK(p.entry == kBase + 0x80000);
    TempFile old(image(0x12345, 0));  // image_size 0: text_offset ignored
    REQUIRE(arm_load_kernel(ram.input(old.path), &p, &err));
    CHECK(p.entry == kBase + 0x80000);
}

TEST_CASE("gzip-compressed Image and initrd placement", "[boot]") {
    Ram ram(1024 * kMiB);
    auto img = image(0, 0x400000, 300000);
    TempFile k(gzip(img));
    std::vector<uint8_t> rd(5000, 0x77);
    TempFile r(rd);
    ArmBootPlan p;
    std::string err;
    REQUIRE(arm_load_kernel(ram.input(k.path, r.path), &p, &err));
    CHECK(p.entry == kBase + 2 * kMiB);
    CHECK(std::memcmp(&ram.mem[2 * kMiB], img.data(), img.size()) == 0);
    CHECK(p.has_initrd);
    CHECK(p.initrd_start == kBase + 128 * kMiB);
    CHECK(p.initrd_size == 5000);
    CHECK(ram.mem[128 * kMiB + 4999] == 0x77);
    CHECK(p.dtb_addr == kBase + 130 * kMiB);
}

TEST_CASE("raw binaries load at RAM + 0x80000 and boot like Linux", "[boot]") {
    Ram ram(128 * kMiB);
    std::vector<uint8_t> raw(1000, 0x11);
    TempFile k(raw);
    ArmBootPlan p;
    std::string err;
    REQUIRE(arm_load_kernel(ram.input(k.path), &p, &err));
    CHECK(p.kind == ArmBootPlan::Kind::Raw);
    CHECK(p.entry == kBase + 0x80000);
    CHECK(p.linux_abi);
    CHECK(ram.mem[0x80000 + 999] == 0x11);
    auto [lo, hi] = arm_largest_free_gap(p, kBase, 128 * kMiB);
    CHECK(lo == kBase + 0x80000 + 1000);
    CHECK(hi == kBase + 64 * kMiB);
}

TEST_CASE("ELF kernels: segments, entry, no device tree pointer", "[boot]") {
    Ram ram(128 * kMiB);
    TempFile k(elf(kBase + 0x80000, kBase + 0x80010, 64, 4096));
    ArmBootPlan p;
    std::string err;
    REQUIRE(arm_load_kernel(ram.input(k.path), &p, &err));
    CHECK(p.kind == ArmBootPlan::Kind::Elf);
    CHECK(p.entry == kBase + 0x80010);
    CHECK_FALSE(p.linux_abi);
    CHECK(ram.mem[0x80000] == 1);
    CHECK(ram.mem[0x80000 + 63] == 64);
    CHECK(ram.mem[0x80000 + 64] == 0);  // bss zeroed
    CHECK_FALSE(p.place_dtb);           // 1 MiB does not fit below 0x40080000
    TempFile high(elf(kBase + 16 * kMiB, kBase + 16 * kMiB, 16, 16));
    REQUIRE(arm_load_kernel(ram.input(high.path), &p, &err));
    CHECK(p.place_dtb);
    CHECK(p.dtb_addr == kBase);
}

TEST_CASE("hostile kernel, initrd and ELF files give errors", "[boot]") {
    Ram ram(16 * kMiB);
    ArmBootPlan p;
    std::string err;
    CHECK_FALSE(arm_load_kernel(ram.input("/nonexistent/kernel"), &p, &err));
    CHECK(err.find("could not load kernel '/nonexistent/kernel'") == 0);
    {
        TempFile k(elf(0x1000, 0x1000, 16, 16));  // outside RAM
        CHECK_FALSE(arm_load_kernel(ram.input(k.path), &p, &err));
        CHECK(err.find("outside RAM") != std::string::npos);
    }
    {
        auto e = elf(kBase, kBase, 16, 16);
        put64(e, 32, 1ull << 40);  // phoff beyond the file
        TempFile k(e);
        CHECK_FALSE(arm_load_kernel(ram.input(k.path), &p, &err));
    }
    {
        auto e = elf(kBase, kBase, 16, 16);
        put64(e, 64 + 32, 1ull << 62);  // filesz beyond the file
        TempFile k(e);
        CHECK_FALSE(arm_load_kernel(ram.input(k.path), &p, &err));
    }
    {
        auto e = elf(kBase, kBase, 16, 16);
        put64(e, 64 + 24, UINT64_MAX - 4);  // paddr wraps
        put64(e, 64 + 16, UINT64_MAX - 4);
        TempFile k(e);
        CHECK_FALSE(arm_load_kernel(ram.input(k.path), &p, &err));
    }
    {
        TempFile k(image(0, 64 * kMiB));  // image_size larger than RAM
        CHECK_FALSE(arm_load_kernel(ram.input(k.path), &p, &err));
    }
    {
        TempFile k(image(1ull << 40, 4096));
        CHECK_FALSE(arm_load_kernel(ram.input(k.path), &p, &err));
    }
    {
        // A gzip bomb: 32 MiB of zeros for 16 MiB of RAM.
        TempFile k(gzip(std::vector<uint8_t>(32 * kMiB, 0)));
        CHECK_FALSE(arm_load_kernel(ram.input(k.path), &p, &err));
        CHECK(err.find("too large") != std::string::npos);
    }
    {
        auto g = gzip(image(0, 4096));
        g.resize(g.size() / 2);  // truncated
        TempFile k(g);
        CHECK_FALSE(arm_load_kernel(ram.input(k.path), &p, &err));
    }
    {
        auto g = gzip(image(0, 4096));
        for (size_t i = 12; i < g.size() - 8; i += 7)
            g[i] ^= 0x5a;  // corrupt
        TempFile k(g);
        CHECK_FALSE(arm_load_kernel(ram.input(k.path), &p, &err));
    }
    {
        TempFile k(image(0, 4096));
        TempFile rd(std::vector<uint8_t>(12 * kMiB, 1));  // no room above 8 MiB
        CHECK_FALSE(arm_load_kernel(ram.input(k.path, rd.path), &p, &err));
        CHECK(err.find("could not load initrd") == 0);
    }
}

#include <catch2/catch.hpp>

#include <cstring>

#include "hw/core/address_space.h"
#include "hw/nvram/fw_cfg.h"

using namespace emu;

namespace {
struct Ram {
    std::unique_ptr<MemoryRegion> root = MemoryRegion::container("root", ~0ull);
    std::unique_ptr<MemoryRegion> ram = MemoryRegion::ram("ram", 0x10000);
    std::unique_ptr<AddressSpace> as;
    Ram() {
        root->add_subregion(0, ram.get());
        as = std::make_unique<AddressSpace>("mem", root.get());
    }
};
uint32_t be32(uint32_t v) {
    return __builtin_bswap32(v);
}
}  // namespace

TEST_CASE("fw_cfg signature, id and integers through the port transport", "[fw_cfg]") {
    Ram r;
    FwCfg fc(r.as.get());
    FwCfgIo io(&fc);
    fc.add_i16(fw_cfg::kNbCpus, 4);
    fc.add_i64(fw_cfg::kRamSize, 0x12345678abull);
    io.mmio_write(0, fw_cfg::kSignature, 2);
    std::string sig;
    for (int i = 0; i < 4; ++i)
        sig += static_cast<char>(io.mmio_read(1, 1));
    CHECK(sig == "QEMU");
    CHECK(io.mmio_read(1, 1) == 0);  // past the end
    io.mmio_write(0, fw_cfg::kId, 2);
    CHECK(io.mmio_read(1, 1) == 3);  // traditional + DMA
    io.mmio_write(0, fw_cfg::kNbCpus, 2);
    CHECK(io.mmio_read(1, 1) == 4);
    CHECK(io.mmio_read(1, 1) == 0);
    io.mmio_write(0, fw_cfg::kRamSize, 2);
    uint64_t v = 0;
    for (int i = 0; i < 8; ++i)
        v |= io.mmio_read(1, 1) << (8 * i);
    CHECK(v == 0x12345678abull);
    io.mmio_write(0, 0x1234, 2);  // unknown key reads zeros
    CHECK(io.mmio_read(1, 1) == 0);
}

TEST_CASE("fw_cfg file directory and DMA read", "[fw_cfg]") {
    Ram r;
    FwCfg fc(r.as.get());
    uint16_t k1 = fc.add_file("etc/zzz", {1, 2, 3});
    uint16_t k2 = fc.add_file("etc/aaa", {9, 8, 7, 6, 5});
    CHECK(k1 == fw_cfg::kFileFirst);
    CHECK(k2 == fw_cfg::kFileFirst + 1);
    fc.select(fw_cfg::kFileDir);
    uint32_t count = 0;
    for (int i = 0; i < 4; ++i)
        count = (count << 8) | fc.read_byte();
    CHECK(count == 2);
    uint8_t e[64];
    for (auto& b : e)
        b = fc.read_byte();
    CHECK(std::string(reinterpret_cast<char*>(e + 8)) == "etc/aaa");  // sorted by name
    CHECK(((e[4] << 8) | e[5]) == k2);
    CHECK(e[3] == 5);

    // DMA: select k2 and read 8 bytes (5 data + 3 zeros) to 0x2000.
    struct {
        uint32_t control, length;
        uint64_t address;
    } d{be32((uint32_t(k2) << 16) | fw_cfg::kDmaCtlSelect | fw_cfg::kDmaCtlRead), be32(8),
        __builtin_bswap64(0x2000)};
    std::memset(r.ram->host_ptr() + 0x2000, 0xee, 8);
    std::memcpy(r.ram->host_ptr() + 0x1000, &d, sizeof d);
    FwCfgIo io(&fc);
    io.dma_region()->handler()->mmio_write(0, 0, 4);
    io.dma_region()->handler()->mmio_write(4, be32(0x1000), 4);
    const uint8_t want[8] = {9, 8, 7, 6, 5, 0, 0, 0};
    CHECK(std::memcmp(r.ram->host_ptr() + 0x2000, want, 8) == 0);
    uint32_t ctl;
    std::memcpy(&ctl, r.ram->host_ptr() + 0x1000, 4);
    CHECK(ctl == 0);
}

TEST_CASE("fw_cfg DMA to an address outside RAM reports an error", "[fw_cfg]") {
    Ram r;
    FwCfg fc(r.as.get());
    struct {
        uint32_t control, length;
        uint64_t address;
    } d{be32((uint32_t(fw_cfg::kSignature) << 16) | fw_cfg::kDmaCtlSelect | fw_cfg::kDmaCtlRead),
        be32(4), __builtin_bswap64(0xfffffff0ull)};
    std::memcpy(r.ram->host_ptr() + 0x100, &d, sizeof d);
    fc.dma(0x100);
    uint32_t ctl;
    std::memcpy(&ctl, r.ram->host_ptr() + 0x100, 4);
    CHECK(be32(ctl) == fw_cfg::kDmaCtlError);
    fc.dma(0xfffffffffff0ull);  // unreadable descriptor: ignored, no crash
}

TEST_CASE("fw_cfg MMIO transport: big-endian selector, wide data reads", "[fw_cfg]") {
    FwCfg fc(nullptr);
    FwCfgMmio m(&fc);
    m.mmio_write(8, __builtin_bswap16(fw_cfg::kSignature), 2);
    uint64_t v = m.mmio_read(0, 4);
    CHECK(v == ('Q' | ('E' << 8) | ('M' << 16) | (uint64_t('U') << 24)));
    m.mmio_write(8, __builtin_bswap16(fw_cfg::kId), 2);
    CHECK(m.mmio_read(0, 1) == 1);  // no DMA without guest memory
}

#include <catch2/catch.hpp>

#include <elf.h>

#include <cstring>

#include "hw/core/address_space.h"
#include "hw/x86/boot_loader.h"
#include "hw/x86/e820.h"

using namespace emu;
using namespace emu::x86;

namespace {

struct Guest {
    X86MemoryLayout layout;
    std::unique_ptr<MemoryRegion> root = MemoryRegion::container("root", ~0ull);
    std::unique_ptr<MemoryRegion> ram;
    std::unique_ptr<AddressSpace> as;
    std::unique_ptr<LoadContext> ctx;
    explicit Guest(uint64_t size) {
        layout = make_memory_layout(size);
        ram = MemoryRegion::ram("ram", size);
        root->add_subregion(0, ram.get());
        as = std::make_unique<AddressSpace>("mem", root.get());
        ctx = std::make_unique<LoadContext>(GuestMemory(as.get()), layout, build_e820(layout));
    }
    template <typename T>
    T get(uint64_t a) {
        T v;
        std::memcpy(&v, ram->host_ptr() + a, sizeof v);
        return v;
    }
};

template <typename T>
void put(std::vector<uint8_t>& b, size_t off, T v) {
    std::memcpy(b.data() + off, &v, sizeof v);
}

std::vector<uint8_t> bzimage(uint16_t version = 0x020f, uint32_t init_size = 0x400000) {
    std::vector<uint8_t> b(5 * 512 + 0x2000, 0);
    b[0x1f1] = 4;  // setup_sects
    b[0x201] = 0x6a;
    std::memcpy(b.data() + 0x202, "HdrS", 4);
    put<uint16_t>(b, 0x206, version);
    b[0x211] = 0x01;  // LOADED_HIGH
    put<uint32_t>(b, 0x22c, 0x7fffffff);
    put<uint16_t>(b, 0x236, 0x3);  // XLF_KERNEL_64
    put<uint32_t>(b, 0x238, 2048);
    put<uint64_t>(b, 0x258, 0x1000000);
    put<uint32_t>(b, 0x260, init_size);
    b[5 * 512] = 0xAB;  // first byte of the protected-mode kernel
    return b;
}

}  // namespace

TEST_CASE("e820 map for a small and a large guest", "[loader]") {
    auto m = build_e820(make_memory_layout(128ull << 20));
    REQUIRE(m.size() == 4);
    CHECK(m[0].addr == 0);
    CHECK(m[0].size == 0x9fc00);
    CHECK(m[2].addr == 0x100000);
    CHECK(m[2].addr + m[2].size == 128ull << 20);
    auto l = make_memory_layout(4ull << 30);
    CHECK(l.below_4g == 0x80000000ull);
    CHECK(l.above_4g == (4ull << 30) - 0x80000000ull);
    auto big = build_e820(l);
    CHECK(big.back().addr == 1ull << 32);
    CHECK(big.back().type == E820Type::Ram);
}

TEST_CASE("bzImage: zero page, command line, initrd, long-mode entry", "[loader]") {
    Guest g(128ull << 20);
    BootInputs in;
    in.kernel_path = "bz";
    in.kernel = bzimage();
    in.cmdline = "console=ttyS0 root=/dev/vda";
    in.initrd.assign(100000, 0x5a);
    in.rsdp_addr = 0xe0000;
    BootResult r;
    std::string err;
    REQUIRE(load_kernel(in, *g.ctx, &r, &err));
    CHECK(r.format == "linux");
    CHECK(r.entry.mode == EntryMode::Long64);
    CHECK(r.entry.rip == 0x100200);
    CHECK(r.entry.rsi == kZeroPageAddr);
    CHECK(g.get<uint8_t>(0x100000) == 0xAB);
    CHECK(std::string(reinterpret_cast<char*>(g.ram->host_ptr() + kCmdlineAddr)) == in.cmdline);
    CHECK(g.get<uint32_t>(kZeroPageAddr + 0x228) == kCmdlineAddr);
    uint32_t initrd = g.get<uint32_t>(kZeroPageAddr + 0x218);
    CHECK(initrd % 4096 == 0);
    CHECK(initrd + 100000 <= 128ull << 20);
    CHECK(g.get<uint32_t>(kZeroPageAddr + 0x21c) == 100000);
    CHECK(g.get<uint8_t>(initrd) == 0x5a);
    CHECK(g.get<uint8_t>(kZeroPageAddr + 0x1e8) == 4);  // e820 entries
    CHECK(g.get<uint64_t>(kZeroPageAddr + 0x070) == 0xe0000);
    CHECK(g.get<uint8_t>(kZeroPageAddr + 0x210) == 0xff);
    CHECK(g.get<uint64_t>(kPageTableAddr) == ((kPageTableAddr + 0x1000) | 3));
}

TEST_CASE("bzImage errors: old protocol, no 64-bit entry, truncated, too little RAM", "[loader]") {
    BootResult r;
    std::string err;
    {
        Guest g(128ull << 20);
        BootInputs in;
        in.kernel = bzimage(0x0209);
        CHECK_FALSE(load_kernel(in, *g.ctx, &r, &err));
        CHECK(err.find("too old") != std::string::npos);
    }
    {
        Guest g(128ull << 20);
        BootInputs in;
        in.kernel = bzimage();
        put<uint16_t>(in.kernel, 0x236, 0);
        CHECK_FALSE(load_kernel(in, *g.ctx, &r, &err));
        CHECK(err.find("64-bit entry") != std::string::npos);
    }
    {
        Guest g(128ull << 20);
        BootInputs in;
        in.kernel = bzimage();
        in.kernel[0x1f1] = 60;  // setup larger than the file
        CHECK_FALSE(load_kernel(in, *g.ctx, &r, &err));
        CHECK(err.find("truncated") != std::string::npos);
    }
    {
        Guest g(16ull << 20);
        BootInputs in;
        in.kernel = bzimage(0x020f, 0x2000000);
        CHECK_FALSE(load_kernel(in, *g.ctx, &r, &err));
        CHECK(err.find("-m too small") != std::string::npos);
    }
    {
        Guest g(24ull << 20);
        BootInputs in;
        in.kernel = bzimage(0x020f, 0x400000);
        in.initrd.assign(6u << 20, 1);  // kernel ends at 20 MiB: 6 MiB do not fit
        CHECK_FALSE(load_kernel(in, *g.ctx, &r, &err));
        CHECK(err.find("-m too small") != std::string::npos);
    }
    {
        Guest g(128ull << 20);
        BootInputs in;
        in.kernel = bzimage();
        in.cmdline.assign(3000, 'x');
        CHECK_FALSE(load_kernel(in, *g.ctx, &r, &err));
        CHECK(err.find("at most 2048") != std::string::npos);
    }
}

TEST_CASE("Multiboot a.out kludge image", "[loader]") {
    Guest g(64ull << 20);
    std::vector<uint8_t> img(0x3000, 0x90);
    const uint32_t flags = 0x00010003;
    uint32_t hdr[8] = {0x1badb002, flags,    static_cast<uint32_t>(-(0x1badb002 + flags)),
                       0x200040,   0x200000, 0x202000,
                       0x210000,   0x200100};
    std::memcpy(img.data() + 0x40, hdr, sizeof hdr);
    BootInputs in;
    in.kernel_path = "/k";
    in.kernel = img;
    in.cmdline = "a=1";
    BootResult r;
    std::string err;
    REQUIRE(load_kernel(in, *g.ctx, &r, &err));
    CHECK(r.format == "multiboot");
    CHECK(r.entry.mode == EntryMode::Protected32);
    CHECK(r.entry.rip == 0x200100);
    CHECK(r.entry.rax == 0x2badb002);
    CHECK(g.get<uint8_t>(0x200000) == 0x90);
    CHECK(g.get<uint8_t>(0x202000) == 0);  // bss cleared
    uint32_t cmd = g.get<uint32_t>(kBootInfoAddr + 16);
    CHECK(std::string(reinterpret_cast<char*>(g.ram->host_ptr() + cmd)) == "/k a=1");
    CHECK(g.get<uint32_t>(kBootInfoAddr + 20) == 0);  // no modules

    // A header whose load address lies outside RAM is an error, not a crash.
    hdr[3] = 0xf0000040, hdr[4] = 0xf0000000, hdr[5] = 0xf0002000, hdr[6] = 0, hdr[7] = 0xf0000100;
    std::memcpy(img.data() + 0x40, hdr, sizeof hdr);
    in.kernel = img;
    CHECK_FALSE(load_kernel(in, *g.ctx, &r, &err));
    CHECK(err.find("outside guest RAM") != std::string::npos);
}

TEST_CASE("PVH ELF note, and files that are no kernel", "[loader]") {
    Guest g(64ull << 20);
    // ELF64 with one PT_LOAD at 1 MiB and a PT_NOTE with the PVH entry.
    std::vector<uint8_t> f(0x2000, 0);
    Elf64_Ehdr eh{};
    std::memcpy(eh.e_ident, ELFMAG, SELFMAG);
    eh.e_ident[EI_CLASS] = ELFCLASS64;
    eh.e_ident[EI_DATA] = ELFDATA2LSB;
    eh.e_type = ET_EXEC;
    eh.e_machine = EM_X86_64;
    eh.e_phoff = sizeof eh;
    eh.e_phentsize = sizeof(Elf64_Phdr);
    eh.e_phnum = 2;
    std::memcpy(f.data(), &eh, sizeof eh);
    Elf64_Phdr load{PT_LOAD, 5, 0x1000, 0x100000, 0x100000, 0x100, 0x200, 0x1000};
    Elf64_Phdr note{PT_NOTE, 4, 0x800, 0, 0, 20, 20, 4};
    std::memcpy(f.data() + sizeof eh, &load, sizeof load);
    std::memcpy(f.data() + sizeof eh + sizeof load, &note, sizeof note);
    uint32_t n[5] = {4, 4, 18, 0, 0x100010};
    std::memcpy(&n[3], "Xen", 4);
    std::memcpy(f.data() + 0x800, n, sizeof n);
    f[0x1000] = 0xcc;
    BootInputs in;
    in.kernel = f;
    in.cmdline = "pvh";
    BootResult r;
    std::string err;
    REQUIRE(load_kernel(in, *g.ctx, &r, &err));
    CHECK(r.format == "pvh");
    CHECK(r.entry.rip == 0x100010);
    CHECK(g.get<uint8_t>(0x100000) == 0xcc);
    CHECK(g.get<uint32_t>(kBootInfoAddr) == 0x336ec578);
    CHECK(g.get<uint32_t>(kBootInfoAddr + 48) == 4);  // memmap entries

    // The same ELF without the note is not bootable.
    std::memset(f.data() + 0x800, 0, 20);
    in.kernel = f;
    CHECK_FALSE(load_kernel(in, *g.ctx, &r, &err));
    CHECK(err.find("not a kernel") != std::string::npos);
    // A segment pointing past the end of the file is rejected.
    load.p_offset = 0x100000;
    std::memcpy(f.data() + sizeof eh, &load, sizeof load);
    in.kernel = f;
    CHECK_FALSE(load_kernel(in, *g.ctx, &r, &err));
    CHECK(err.find("malformed") != std::string::npos);
    in.kernel.assign(10, 'x');
    CHECK_FALSE(load_kernel(in, *g.ctx, &r, &err));
}

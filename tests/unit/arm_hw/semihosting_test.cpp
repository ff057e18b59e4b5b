#include "hw/arm/semihosting.h"

#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "hw/core/address_space.h"

using namespace emu;

namespace {
constexpr uint64_t kBase = 0x40000000;

struct Env {
    std::unique_ptr<MemoryRegion> root = MemoryRegion::container("root", UINT64_MAX);
    std::unique_ptr<MemoryRegion> ram = MemoryRegion::ram("ram", 1 << 20);
    std::unique_ptr<AddressSpace> as;
    std::unique_ptr<GuestMemory> mem;
    std::string console;
    int exit_status = -1000;
    std::unique_ptr<Semihosting> sh;
    char dir[64] = "/tmp/emu-semihost-XXXXXX";
    std::string old_cwd;

    Env() {
        root->add_subregion(kBase, ram.get());
        as = std::make_unique<AddressSpace>("mem", root.get());
        mem = std::make_unique<GuestMemory>(as.get());
        SemihostingConfig c;
        c.memory = mem.get();
        c.cmdline = "prog.elf arg1 arg2";
        c.heap_base = kBase + 0x1000;
        c.heap_limit = kBase + 0x80000;
        c.stack_base = kBase + 0x80000;
        c.stack_limit = kBase + 0x1000;
        c.exit = [this](int s) { exit_status = s; };
        c.console = [this](const char* d, size_t n) { console.append(d, n); };
        sh = std::make_unique<Semihosting>(c);
        REQUIRE(mkdtemp(dir));
        char buf[4096];
        old_cwd = getcwd(buf, sizeof buf);
        REQUIRE(chdir(dir) == 0);
    }
    ~Env() {
        (void)!chdir(old_cwd.c_str());
        std::string cmd = std::string("rm -rf ") + dir;
        (void)!std::system(cmd.c_str());
    }
    void put(uint64_t a, const std::string& s) { REQUIRE(mem->write(a, s.data(), s.size())); }
    void put64(uint64_t a, uint64_t v) { REQUIRE(mem->write_obj(a, v)); }
    uint64_t get64(uint64_t a) {
        uint64_t v;
        REQUIRE(mem->read_obj(a, &v));
        return v;
    }
    // Parameter block at 0x100.
    uint64_t call(uint32_t op, std::initializer_list<uint64_t> args) {
        uint64_t a = kBase + 0x100;
        for (uint64_t v : args)
            put64(a, v), a += 8;
        return sh->call(op, kBase + 0x100);
    }
};
}  // namespace

TEST_CASE("semihosting console output", "[semihosting]") {
    Env e;
    e.put(kBase + 0x1000, std::string("hello\0junk", 10));
    e.sh->call(Semihosting::kWrite0, kBase + 0x1000);
    e.put(kBase + 0x2000, "X");
    e.sh->call(Semihosting::kWriteC, kBase + 0x2000);
    CHECK(e.console == "helloX");
    // A string running off the end of RAM stops at the last readable byte.
    e.put(kBase + (1 << 20) - 3, "abc");
    e.sh->call(Semihosting::kWrite0, kBase + (1 << 20) - 3);
    CHECK(e.console == "helloXabc");
    CHECK(e.sh->call(Semihosting::kWriteC, 0x1000) == uint64_t(-1));  // not RAM
}

TEST_CASE("semihosting file I/O round trip", "[semihosting]") {
    Env e;
    e.put(kBase + 0x1000, "data.bin");
    uint64_t h = e.call(Semihosting::kOpen, {kBase + 0x1000, 6 /* w+ */, 8});
    REQUIRE(int64_t(h) > 0);
    e.put(kBase + 0x2000, "0123456789");
    CHECK(e.call(Semihosting::kWrite, {h, kBase + 0x2000, 10}) == 0);
    CHECK(e.call(Semihosting::kFlen, {h}) == 10);
    CHECK(e.call(Semihosting::kSeek, {h, 4}) == 0);
    CHECK(e.call(Semihosting::kRead, {h, kBase + 0x3000, 8}) == 2);  // 6 read, 2 not
    char buf[7] = {};
    REQUIRE(e.mem->read(kBase + 0x3000, buf, 6));
    CHECK(std::string(buf) == "456789");
    CHECK(e.call(Semihosting::kIsTty, {h}) == 0);
    CHECK(e.call(Semihosting::kClose, {h}) == 0);
    CHECK(e.call(Semihosting::kClose, {h}) == uint64_t(-1));
    CHECK(e.sh->call(Semihosting::kErrno, 0) == 9);  // EBADF
    CHECK(e.call(Semihosting::kRemove, {kBase + 0x1000, 8}) == 0);
    CHECK(e.call(Semihosting::kOpen, {kBase + 0x1000, 0, 8}) == uint64_t(-1));
    CHECK(e.sh->call(Semihosting::kErrno, 0) == 2);  // ENOENT
}

TEST_CASE("semihosting rejects hostile pointers and lengths", "[semihosting]") {
    Env e;
    // Name pointer outside RAM, absurd name length, bad mode, NUL inside.
    CHECK(e.call(Semihosting::kOpen, {0x10, 0, 4}) == uint64_t(-1));
    CHECK(e.call(Semihosting::kOpen, {kBase, 0, 1ull << 40}) == uint64_t(-1));
    CHECK(e.call(Semihosting::kOpen, {kBase, 12, 1}) == uint64_t(-1));
    e.put(kBase + 0x1000, std::string("a\0b", 3));
    CHECK(e.call(Semihosting::kOpen, {kBase + 0x1000, 0, 3}) == uint64_t(-1));
    // Parameter block itself outside RAM.
    CHECK(e.sh->call(Semihosting::kClose, 0x20) == uint64_t(-1));
    // Writes from a buffer partly outside RAM stop at the edge.
    e.put(kBase + 0x1000, "out.txt");
    uint64_t h = e.call(Semihosting::kOpen, {kBase + 0x1000, 4, 7});
    REQUIRE(int64_t(h) > 0);
    uint64_t not_written = e.call(Semihosting::kWrite, {h, kBase + (1 << 20) - 16, 1 << 30});
    CHECK(not_written == (1ull << 30));  // the first chunk already fails
    // Reads into memory that is not RAM.
    CHECK(e.call(Semihosting::kRead, {h, 0x1000, 16}) == 16);
    CHECK(e.call(Semihosting::kSeek, {h, uint64_t(-1)}) == uint64_t(-1));
    CHECK(e.call(Semihosting::kFlen, {999}) == uint64_t(-1));
    CHECK(e.sh->call(0x12345, 0) == uint64_t(-1));  // unknown call
}

TEST_CASE("semihosting :tt, feature file, command line, heap, clocks", "[semihosting]") {
    Env e;
    e.put(kBase + 0x1000, ":semihosting-features");
    uint64_t f = e.call(Semihosting::kOpen, {kBase + 0x1000, 0, 21});
    REQUIRE(int64_t(f) > 0);
    CHECK(e.call(Semihosting::kFlen, {f}) == 5);
    CHECK(e.call(Semihosting::kRead, {f, kBase + 0x2000, 16}) == 11);
    char feat[5];
    REQUIRE(e.mem->read(kBase + 0x2000, feat, 5));
    CHECK(std::string(feat, 4) == "SHFB");
    CHECK(feat[4] == 3);
    CHECK(e.call(Semihosting::kOpen, {kBase + 0x1000, 4, 21}) == uint64_t(-1));  // not writable
    // GET_CMDLINE: too small, then enough; the length field is updated.
    CHECK(e.call(Semihosting::kGetCmdline, {kBase + 0x3000, 5}) == uint64_t(-1));
    CHECK(e.call(Semihosting::kGetCmdline, {kBase + 0x3000, 64}) == 0);
    CHECK(e.get64(kBase + 0x108) == 18);
    char cl[19];
    REQUIRE(e.mem->read(kBase + 0x3000, cl, 19));
    CHECK(std::string(cl) == "prog.elf arg1 arg2");
    // HEAPINFO: the parameter points at the block's address.
    e.put64(kBase + 0x200, kBase + 0x4000);
    CHECK(e.sh->call(Semihosting::kHeapInfo, kBase + 0x200) == 0);
    CHECK(e.get64(kBase + 0x4000) == kBase + 0x1000);
    CHECK(e.get64(kBase + 0x4008) == kBase + 0x80000);
    CHECK(e.get64(kBase + 0x4018) == kBase + 0x1000);
    CHECK(e.sh->call(Semihosting::kTickFreq, 0) == 1'000'000'000);
    CHECK(e.sh->call(Semihosting::kElapsed, kBase + 0x5000) == 0);
    CHECK(e.sh->call(Semihosting::kTime, 0) > 1577836800u);
    e.put64(kBase + 0x300, uint64_t(-5));
    CHECK(e.sh->call(Semihosting::kIsError, kBase + 0x300) == 1);
    e.put64(kBase + 0x300, 5);
    CHECK(e.sh->call(Semihosting::kIsError, kBase + 0x300) == 0);
}

TEST_CASE("semihosting exit status", "[semihosting]") {
    Env e;
    CHECK_FALSE(e.sh->exited());
    e.call(Semihosting::kExitExtended, {Semihosting::kAdpStoppedApplicationExit, 42});
    CHECK(e.exit_status == 42);
    CHECK(e.sh->exited());
    e.call(Semihosting::kExit, {Semihosting::kAdpStoppedApplicationExit, 0});
    CHECK(e.exit_status == 0);
    e.call(Semihosting::kExit, {0x20023 /* RunTimeErrorUnknown */, 0});
    CHECK(e.exit_status == 1);
    e.sh->call(Semihosting::kExit, 0x10);  // unreadable block
    CHECK(e.exit_status == 1);
}

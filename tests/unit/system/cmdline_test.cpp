#include "system/cmdline.h"

#include <catch2/catch.hpp>
#include <vector>

using namespace emu;

namespace {
std::optional<CommandLine> parse(std::vector<const char*> args) {
    args.insert(args.begin(), "emu-system-aarch64");
    return parse_command_line(int(args.size()), args.data(), TargetArch::Aarch64);
}
}  // namespace

TEST_CASE("cmdline: a typical QEMU command line", "[cmdline]") {
    auto cl = parse({"-M",
                     "virt,gic-version=3",
                     "-cpu",
                     "cortex-a57",
                     "-m",
                     "1G",
                     "-smp",
                     "2",
                     "-kernel",
                     "Image",
                     "-initrd",
                     "rootfs.cpio.gz",
                     "-append",
                     "console=ttyAMA0 root=/dev/vda",
                     "-nographic",
                     "-drive",
                     "file=disk.qcow2,if=virtio",
                     "-netdev",
                     "user,id=n0",
                     "-device",
                     "virtio-net-device,netdev=n0"});
    REQUIRE(cl);
    CHECK(cl->machine.type == "virt");
    CHECK(cl->machine.machine_options.get("gic-version") == "3");
    CHECK(cl->machine.cpu_model == "cortex-a57");
    CHECK(cl->machine.ram_size == (1ull << 30));
    CHECK(cl->machine.smp.cpus == 2);
    CHECK(cl->machine.kernel == "Image");
    CHECK(cl->machine.append == "console=ttyAMA0 root=/dev/vda");
    CHECK(cl->nographic);
    CHECK(cl->serials == std::vector<std::string>{"mon:stdio"});
    REQUIRE(cl->machine.drives.size() == 1);
    CHECK(cl->machine.drives[0].get("file") == "disk.qcow2");
    REQUIRE(cl->machine.devices.size() == 1);
    CHECK(cl->machine.devices[0].get("driver") == "virtio-net-device");
    CHECK(cl->machine.netdevs[0].get("type") == "user");
}

TEST_CASE("cmdline: long aliases and double dashes", "[cmdline]") {
    auto cl = parse({"-machine", "type=virt", "--m", "size=512M", "-enable-kvm", "-no-reboot"});
    REQUIRE(cl);
    CHECK(cl->machine.type == "virt");
    CHECK(cl->machine.ram_size == (512ull << 20));
    CHECK(cl->machine.accel.name == "kvm");
    CHECK(cl->machine.no_reboot);
}

TEST_CASE("cmdline: -m without a suffix is in MiB", "[cmdline]") {
    auto cl = parse({"-m", "256"});
    REQUIRE(cl);
    CHECK(cl->machine.ram_size == (256ull << 20));
}

TEST_CASE("cmdline: -smp topology", "[cmdline]") {
    auto cl = parse({"-smp", "cpus=4,sockets=2"});
    REQUIRE(cl);
    CHECK(cl->machine.smp.cpus == 4);
    CHECK(cl->machine.smp.sockets == 2);
    CHECK(cl->machine.smp.cores == 2);
    cl = parse({"-smp", "sockets=2,cores=2,threads=2"});
    REQUIRE(cl);
    CHECK(cl->machine.smp.cpus == 8);
    cl = parse({"-smp", "2,maxcpus=4"});
    REQUIRE(cl);
    CHECK(cl->machine.smp.cpus == 2);
    CHECK(cl->machine.smp.maxcpus == 4);
}

TEST_CASE("cmdline: hostile and malformed inputs are rejected", "[cmdline]") {
    CHECK_FALSE(parse({"-m", "banana"}));
    CHECK_FALSE(parse({"-m", "0"}));
    CHECK_FALSE(parse({"-m", "-5"}));
    CHECK_FALSE(parse({"-m", "99999999999999999999G"}));
    CHECK_FALSE(parse({"-m", "1G,slots=banana"}));
    CHECK_FALSE(parse({"-m"}));             // missing argument
    CHECK_FALSE(parse({"-frobnicate"}));    // unknown option
    CHECK_FALSE(parse({"-mach", "virt"}));  // no prefix guessing
    CHECK_FALSE(parse({"-smp", "0"}));
    CHECK_FALSE(parse({"-smp", "4,sockets=3,cores=1,threads=1"}));
    CHECK_FALSE(parse({"-smp", "cpus=x"}));
    CHECK_FALSE(parse({"-smp", "2,bogus=1"}));
    CHECK_FALSE(parse({"-smp", "99999999999"}));
    CHECK_FALSE(parse({"-d", "in_asm,nonsense"}));
    CHECK_FALSE(parse({"-display", "gtk"}));
    CHECK_FALSE(parse({"-chardev", "stdio"}));  // no id
    CHECK_FALSE(parse({"-drive", "=x"}));
    CHECK_FALSE(parse({"-object", "memory-backend-ram,id=m"}));  // not supported yet
    CHECK_FALSE(parse({"disk.img"}));                            // bare image argument
    CHECK_FALSE(parse({"-semihosting-config", "enable=maybe"}));
}

TEST_CASE("cmdline: help queries", "[cmdline]") {
    CHECK(parse({"-M", "help"})->machine_help);
    CHECK(parse({"-cpu", "help"})->cpu_help);
    CHECK(parse({"-device", "help"})->device_help);
    CHECK(parse({"-d", "help"})->log_help);
}

TEST_CASE("cmdline: -nographic with an explicit serial puts the monitor on stdio", "[cmdline]") {
    auto cl = parse({"-nographic", "-serial", "file:out.txt"});
    REQUIRE(cl);
    CHECK(cl->serials == std::vector<std::string>{"file:out.txt"});
    CHECK(cl->monitors == std::vector<std::string>{"stdio"});
    cl = parse({"-nographic", "-nodefaults"});
    REQUIRE(cl);
    CHECK(cl->serials.empty());
}

TEST_CASE("cmdline: -s and -d masks", "[cmdline]") {
    auto cl = parse({"-s", "-S", "-d", "in_asm,cpu", "-D", "log.txt"});
    REQUIRE(cl);
    CHECK(cl->gdb == "tcp::1234");
    CHECK(cl->machine.gdb_wait);
    CHECK(cl->log_mask != 0);
    CHECK(cl->log_file == "log.txt");
}

TEST_CASE("cmdline: -M <type>,help asks for the board's properties", "[cmdline]") {
    auto cl = parse({"-M", "virt,help"});
    REQUIRE(cl);
    CHECK(cl->machine_props_help);
    CHECK_FALSE(cl->machine_help);
    CHECK(cl->machine.type == "virt");
    CHECK_FALSE(cl->machine.machine_options.has("help"));  // not a property to reject
    cl = parse({"-M", "help"});
    REQUIRE(cl);
    CHECK(cl->machine_help);
    CHECK_FALSE(cl->machine_props_help);
    cl = parse({"-M", "virt,gic-version=3"});
    REQUIRE(cl);
    CHECK_FALSE(cl->machine_props_help);
}

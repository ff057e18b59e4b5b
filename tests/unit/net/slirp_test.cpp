#include <arpa/inet.h>

#include <catch2/catch.hpp>
#include <cstring>
#include <vector>

#include "net/net_backend.h"
#include "util/bql.h"

using namespace emu;

namespace {

struct Nic : NetReceiver {
    std::vector<std::vector<uint8_t>> frames;
    bool room = true;
    bool can_receive() override { return room; }
    void receive(const uint8_t* f, size_t n) override { frames.emplace_back(f, f + n); }
};

const uint8_t kGuestMac[6] = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};

std::vector<uint8_t> arp_request(const char* target_ip) {
    std::vector<uint8_t> f(42, 0);
    std::memset(f.data(), 0xff, 6);
    std::memcpy(f.data() + 6, kGuestMac, 6);
    f[12] = 0x08, f[13] = 0x06;                        // ARP
    f[14] = 0, f[15] = 1, f[16] = 0x08, f[17] = 0x00;  // Ethernet / IPv4
    f[18] = 6, f[19] = 4, f[20] = 0, f[21] = 1;        // request
    std::memcpy(f.data() + 22, kGuestMac, 6);
    in_addr a;
    inet_pton(AF_INET, "10.0.2.15", &a);
    std::memcpy(f.data() + 28, &a, 4);
    inet_pton(AF_INET, target_ip, &a);
    std::memcpy(f.data() + 38, &a, 4);
    return f;
}

uint16_t ip_checksum(const uint8_t* p, size_t n) {
    uint32_t s = 0;
    for (size_t i = 0; i + 1 < n; i += 2)
        s += uint32_t(p[i] << 8 | p[i + 1]);
    while (s >> 16)
        s = (s & 0xffff) + (s >> 16);
    return uint16_t(~s);
}

std::vector<uint8_t> dhcp_discover() {
    const size_t bootp_len = 240 + 4;  // fixed part, magic cookie, options
    std::vector<uint8_t> f(14 + 20 + 8 + bootp_len + 8, 0);
    std::memset(f.data(), 0xff, 6);
    std::memcpy(f.data() + 6, kGuestMac, 6);
    f[12] = 0x08, f[13] = 0x00;
    uint8_t* ip = f.data() + 14;
    size_t ip_len = f.size() - 14;
    ip[0] = 0x45;
    ip[2] = uint8_t(ip_len >> 8), ip[3] = uint8_t(ip_len);
    ip[8] = 64, ip[9] = 17;         // TTL, UDP
    std::memset(ip + 16, 0xff, 4);  // to 255.255.255.255 from 0.0.0.0
    uint16_t cs = ip_checksum(ip, 20);
    ip[10] = uint8_t(cs >> 8), ip[11] = uint8_t(cs);
    uint8_t* udp = ip + 20;
    udp[1] = 68, udp[3] = 67;
    size_t udp_len = ip_len - 20;
    udp[4] = uint8_t(udp_len >> 8), udp[5] = uint8_t(udp_len);
    uint8_t* b = udp + 8;
    b[0] = 1, b[1] = 1, b[2] = 6;                         // BOOTREQUEST, Ethernet
    b[4] = 0x12, b[5] = 0x34;                             // xid
    std::memcpy(b + 28, kGuestMac, 6);                    // chaddr
    b[236] = 99, b[237] = 130, b[238] = 83, b[239] = 99;  // magic cookie
    b[240] = 53, b[241] = 1, b[242] = 1;                  // DHCPDISCOVER
    b[243] = 255;
    return f;
}

// The dotted IPv4 address at `off` in a frame.
std::string ipv4_at(const std::vector<uint8_t>& f, size_t off) {
    in_addr a;
    std::memcpy(&a, f.data() + off, 4);
    return inet_ntoa(a);
}

// A -netdev user backend on `loop` that delivers to `nic`.
std::unique_ptr<NetBackend> user_backend(const char* spec, EventLoop* loop, Nic* nic) {
    std::string err;
    auto kv = KeyValueList::parse(spec, "type", &err);
    auto be = kv ? create_net_backend(*kv, loop, &err) : nullptr;
    INFO(err);
    REQUIRE(be);
    be->set_receiver(nic);
    return be;
}

}  // namespace

TEST_CASE("slirp answers ARP for the gateway and DHCP with QEMU's addresses", "[net]") {
    BqlGuard lock;
    EventLoop loop;
    Nic nic;
    auto be = user_backend("user,id=n0", &loop, &nic);

    auto arp = arp_request("10.0.2.2");
    be->send(arp.data(), arp.size());
    REQUIRE(nic.frames.size() == 1);
    const auto& r = nic.frames[0];
    REQUIRE(r.size() >= 42);
    CHECK(r[12] == 0x08);
    CHECK(r[13] == 0x06);
    CHECK(r[21] == 2);  // ARP reply
    CHECK(ipv4_at(r, 28) == "10.0.2.2");

    nic.frames.clear();
    auto d = dhcp_discover();
    be->send(d.data(), d.size());
    REQUIRE(!nic.frames.empty());
    const auto& o = nic.frames.back();
    REQUIRE(o.size() > 14 + 20 + 8 + 20);
    const size_t bootp = 14 + 20 + 8;
    CHECK(o[bootp] == 2);                          // BOOTREPLY
    CHECK(ipv4_at(o, bootp + 16) == "10.0.2.15");  // yiaddr
}

TEST_CASE("slirp holds frames while the NIC is full and delivers them in order", "[net]") {
    BqlGuard lock;
    EventLoop loop;
    Nic nic;
    nic.room = false;
    auto be = user_backend("user,id=n0", &loop, &nic);
    auto a1 = arp_request("10.0.2.2");
    auto a2 = arp_request("10.0.2.3");
    be->send(a1.data(), a1.size());
    be->send(a2.data(), a2.size());
    CHECK(nic.frames.empty());
    nic.room = true;
    be->receiver_ready();
    REQUIRE(nic.frames.size() == 2);
    CHECK(ipv4_at(nic.frames[0], 28) == "10.0.2.2");
    CHECK(ipv4_at(nic.frames[1], 28) == "10.0.2.3");
}

TEST_CASE("slirp survives hostile frames", "[net]") {
    BqlGuard lock;
    EventLoop loop;
    Nic nic;
    auto be = user_backend("user,id=n0,restrict=on", &loop, &nic);
    std::vector<uint8_t> junk(100);
    for (size_t len : {0ul, 1ul, 13ul, 14ul, 20ul, 60ul, 100ul}) {
        for (size_t i = 0; i < junk.size(); ++i)
            junk[i] = uint8_t(i * 37 + len);
        junk[12] = 0x08;
        junk[13] = 0x00;  // claims IPv4
        be->send(junk.data(), len);
    }
    auto d = dhcp_discover();
    d[14 + 2] = 0xff;  // IP total length larger than the frame
    be->send(d.data(), d.size());
    SUCCEED("no crash");
    // Still working afterwards.
    auto arp = arp_request("10.0.2.2");
    nic.frames.clear();
    be->send(arp.data(), arp.size());
    CHECK(nic.frames.size() == 1);
}

TEST_CASE("netdev options are checked", "[net]") {
    EventLoop loop;
    std::string err;
    auto bad = [&](const char* spec, const char* needle) {
        err.clear();
        auto kv = KeyValueList::parse(spec, "type", &err);
        REQUIRE(kv);
        CHECK(create_net_backend(*kv, &loop, &err) == nullptr);
        INFO(spec << " -> " << err);
        CHECK(err.find(needle) != std::string::npos);
    };
    bad("user", "'id'");
    bad("user,id=n,frob=1", "frob");
    bad("user,id=n,net=10.0.2.0/99", "net");
    bad("user,id=n,host=192.168.1.1", "host");
    bad("user,id=n,hostfwd=tcp::abc-:22", "hostfwd");
    bad("user,id=n,hostfwd=sctp::2222-:22", "forwarding");
    bad("bogus,id=n", "type");
    bad("socket,id=n", "not supported yet");
    bad("tap,id=n,script=/etc/qemu-ifup", "not supported yet");
    bad("tap,id=n,fd=999999", "fd");
}

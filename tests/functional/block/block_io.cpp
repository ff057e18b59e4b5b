// emu-block-io: drives the block layer from shell tests (a small qemu-io).
//   emu-block-io [-f fmt] [-t cache] [-s] FILE CMD ARGS [; CMD ARGS ...]
// Commands:
//   write PAT OFF LEN     write LEN bytes of byte PAT at OFF
//   read PAT OFF LEN      read and check that every byte is PAT (exit 1 if not)
//   zero OFF LEN [unmap]  write-zeroes
//   discard OFF LEN
//   flush
//   size
//   crash-writer SEED N   N random writes, each followed by a flush; logs
//                         "start I OFF LEN PAT" before and "ack I" after on stdout
//   crash-verify LOG      checks the image against a crash-writer log
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "block/block_driver.h"
#include "util/keyval.h"

using namespace emu::block;

namespace {

// Decimal, 0x hex, or a size with a k/M/G suffix.
uint64_t num(const char* s) {
    if (auto v = emu::parse_size(s, 'B')) return *v;
    return std::strtoull(s, nullptr, 0);
}

int crash_verify(BlockDriver& d, const std::string& log) {
    struct W {
        uint64_t off, len;
        int pat;
        bool acked;
    };
    std::vector<W> ws;
    std::ifstream in(log);
    std::string line;
    while (std::getline(in, line)) {
        std::istringstream ls(line);
        std::string kind;
        ls >> kind;
        if (kind == "start") {
            uint64_t i, off, len;
            int pat;
            if (ls >> i >> off >> len >> pat) ws.push_back({off, len, pat, false});
        } else if (kind == "ack") {
            uint64_t i;
            if (ls >> i && i < ws.size()) ws[i].acked = true;
        }
    }
    // Per byte: the last acknowledged write's pattern (or 0), or the pattern
    // of any write after it that was not acknowledged (it may have landed).
    const uint64_t size = d.size();
    std::vector<uint8_t> acked(size, 0);
    size_t last_ack = 0;
    for (size_t i = 0; i < ws.size(); i++) {
        if (!ws[i].acked) continue;
        last_ack = i + 1;
    }
    for (size_t i = 0; i < last_ack; i++)
        for (uint64_t b = ws[i].off; b < ws[i].off + ws[i].len && b < size; b++)
            acked[b] = static_cast<uint8_t>(ws[i].pat);
    std::vector<uint8_t> buf(size);
    if (d.pread(0, buf.data(), size) < 0) {
        std::fprintf(stderr, "crash-verify: read failed\n");
        return 1;
    }
    uint64_t bad = 0;
    for (uint64_t b = 0; b < size; b++) {
        if (buf[b] == acked[b]) continue;
        bool ok = false;
        for (size_t i = last_ack; i < ws.size() && !ok; i++)
            ok = b >= ws[i].off && b < ws[i].off + ws[i].len && buf[b] == ws[i].pat;
        if (!ok) {
            if (bad++ < 5)
                std::fprintf(stderr, "crash-verify: byte %" PRIu64 " is %d, expected %d\n", b,
                             buf[b], acked[b]);
        }
    }
    std::printf("crash-verify: %zu writes logged, %zu acknowledged, %" PRIu64 " bad bytes\n",
                ws.size(), last_ack, bad);
    return bad ? 1 : 0;
}

}  // namespace

int main(int argc, char** argv) {
    OpenOptions o;
    int a = 1;
    for (; a < argc && argv[a][0] == '-'; a++) {
        std::string opt = argv[a];
        if (opt == "-f" && a + 1 < argc)
            o.format = argv[++a];
        else if (opt == "-t" && a + 1 < argc) {
            if (!parse_cache_mode(argv[++a], &o.cache)) return 2;
        } else if (opt == "-s")
            o.snapshot = true;
        else if (opt == "-r")
            o.read_only = true;
        else {
            std::fprintf(stderr, "unknown option %s\n", opt.c_str());
            return 2;
        }
    }
    if (a >= argc) {
        std::fprintf(stderr, "usage: emu-block-io [-f fmt] [-t cache] [-s] [-r] FILE CMD...\n");
        return 2;
    }
    std::string err;
    auto d = open_image(argv[a++], o, &err);
    if (!d) {
        std::fprintf(stderr, "emu-block-io: %s\n", err.c_str());
        return 1;
    }
    while (a < argc) {
        std::string cmd = argv[a++];
        auto need = [&](int n) {
            if (a + n > argc) {
                std::fprintf(stderr, "%s: missing arguments\n", cmd.c_str());
                std::exit(2);
            }
        };
        int r = 0;
        if (cmd == ";") continue;
        if (cmd == "write" || cmd == "read") {
            need(3);
            int pat = static_cast<int>(num(argv[a]));
            uint64_t off = num(argv[a + 1]), len = num(argv[a + 2]);
            a += 3;
            std::vector<uint8_t> buf(len, static_cast<uint8_t>(pat));
            if (cmd == "write") {
                r = d->pwrite(off, buf.data(), len);
            } else {
                std::fill(buf.begin(), buf.end(), static_cast<uint8_t>(~pat));
                r = d->pread(off, buf.data(), len);
                for (uint64_t i = 0; r == 0 && i < len; i++) {
                    if (buf[i] != static_cast<uint8_t>(pat)) {
                        std::fprintf(stderr,
                                     "read: byte at %" PRIu64 " is 0x%02x, expected 0x%02x\n",
                                     off + i, buf[i], pat & 0xff);
                        return 1;
                    }
                }
            }
        } else if (cmd == "zero") {
            need(2);
            uint64_t off = num(argv[a]), len = num(argv[a + 1]);
            a += 2;
            bool unmap = a < argc && std::string(argv[a]) == "unmap";
            if (unmap) a++;
            r = d->write_zeroes(off, len, unmap);
        } else if (cmd == "discard") {
            need(2);
            r = d->discard(num(argv[a]), num(argv[a + 1]));
            a += 2;
        } else if (cmd == "flush") {
            r = d->flush();
        } else if (cmd == "size") {
            std::printf("%" PRIu64 "\n", d->size());
        } else if (cmd == "crash-writer") {
            need(2);
            std::mt19937_64 rng(num(argv[a]));
            uint64_t n = num(argv[a + 1]);
            a += 2;
            const uint64_t size = d->size();
            for (uint64_t i = 0; i < n; i++) {
                uint64_t len = (rng() % 256 + 1) * 512;
                if (len > size) len = size;
                uint64_t off = (rng() % ((size - len) / 512 + 1)) * 512;
                int pat = static_cast<int>(i % 255) + 1;
                std::printf("start %" PRIu64 " %" PRIu64 " %" PRIu64 " %d\n", i, off, len, pat);
                std::fflush(stdout);
                std::vector<uint8_t> buf(len, static_cast<uint8_t>(pat));
                r = d->pwrite(off, buf.data(), len);
                if (r == 0 && rng() % 4 == 0) r = d->discard(off, len / 2);
                if (r == 0) {
                    // A discard makes the range read as zeroes or unchanged;
                    // rewrite it so the expected content stays one pattern.
                    r = d->pwrite(off, buf.data(), len);
                }
                if (r == 0) r = d->flush();
                if (r < 0) break;
                std::printf("ack %" PRIu64 "\n", i);
                std::fflush(stdout);
            }
        } else if (cmd == "crash-verify") {
            need(1);
            return crash_verify(*d, argv[a++]);
        } else {
            std::fprintf(stderr, "unknown command %s\n", cmd.c_str());
            return 2;
        }
        if (r < 0) {
            std::fprintf(stderr, "%s failed: %s\n", cmd.c_str(), std::strerror(-r));
            return 1;
        }
    }
    return 0;
}

// Without libFuzzer (e.g. GCC builds): replays files given on the command
// line, or with none, runs a deterministic mutation loop over small valid
// images so the target still runs in CI as a robustness test.
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include "block/qcow2/qcow2.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);
extern unsigned long g_fuzz_opened;

namespace {

std::vector<uint8_t> make_seed(const emu::block::qcow2::CreateOptions& co) {
    char tmpl[] = "/tmp/emu-fuzz-seed-XXXXXX";
    int fd = mkstemp(tmpl);
    if (fd < 0) return {};
    close(fd);
    std::string err;
    emu::block::qcow2::Qcow2Image::create(tmpl, co, &err);
    {
        emu::block::OpenOptions o;
        o.format = "qcow2";
        if (auto d = emu::block::open_image(tmpl, o, &err)) {
            std::vector<uint8_t> data(3 * 4096, 0x5a);
            d->pwrite(0, data.data(), data.size());
            d->pwrite(co.size / 2, data.data(), 512);
            if (auto* q = dynamic_cast<emu::block::qcow2::Qcow2Image*>(d.get()))
                q->snapshot_create("s", &err);
            d->pwrite(100, data.data(), 100);
        }
    }
    std::ifstream in(tmpl, std::ios::binary);
    std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), {});
    std::remove(tmpl);
    return bytes;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc > 1) {
        for (int i = 1; i < argc; i++) {
            std::ifstream in(argv[i], std::ios::binary);
            std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), {});
            LLVMFuzzerTestOneInput(bytes.data(), bytes.size());
        }
        return 0;
    }
    const int iters =
        std::getenv("EMU_FUZZ_ITERS") ? std::atoi(std::getenv("EMU_FUZZ_ITERS")) : 5000;
    std::vector<std::vector<uint8_t>> seeds;
    for (uint32_t bits : {9u, 12u}) {
        for (uint32_t version : {2u, 3u}) {
            emu::block::qcow2::CreateOptions co;
            co.size = 1 << 20;
            co.cluster_bits = bits;
            co.version = version;
            seeds.push_back(make_seed(co));
        }
    }
    std::mt19937 rng(12345);
    for (int i = 0; i < iters; i++) {
        std::vector<uint8_t> m = seeds[rng() % seeds.size()];
        if (m.empty()) continue;
        const int flips = 1 + static_cast<int>(rng() % 8);
        for (int f = 0; f < flips; f++) {
            const size_t pos =
                rng() % 3 == 0 ? rng() % std::min<size_t>(m.size(), 128) : rng() % m.size();
            switch (rng() % 4) {
                case 0:
                    m[pos] ^= static_cast<uint8_t>(1u << (rng() % 8));
                    break;
                case 1:
                    m[pos] = static_cast<uint8_t>(rng());
                    break;
                case 2:
                    m[pos] = 0xff;
                    break;
                default:
                    m.resize(pos + 1);
                    break;  // truncation
            }
            if (m.empty()) break;
        }
        LLVMFuzzerTestOneInput(m.data(), m.size());
    }
    std::printf("qcow2 open fuzz replay: %d mutated images (%lu opens succeeded), no crash\n",
                iters, g_fuzz_opened);
    return g_fuzz_opened ? 0 : 1;  // all rejected: the seeds are broken
}

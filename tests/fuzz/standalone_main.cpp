// Runs a libFuzzer-style target without libFuzzer: every file of the corpus
// directories given on the command line, then deterministic random and
// mutated inputs (EMU_FUZZ_RUNS of them, default 20000). Crashes and
// sanitizer reports fail the ctest; there is nothing else to check.
#include <dirent.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

static std::vector<std::string> read_corpus(const char* dir) {
    std::vector<std::string> out;
    DIR* d = opendir(dir);
    if (!d) return out;
    while (dirent* e = readdir(d)) {
        if (e->d_name[0] == '.') continue;
        std::ifstream f(std::string(dir) + "/" + e->d_name, std::ios::binary);
        std::stringstream s;
        s << f.rdbuf();
        out.push_back(s.str());
    }
    closedir(d);
    return out;
}

int main(int argc, char** argv) {
    std::vector<std::string> seeds;
    for (int i = 1; i < argc; ++i) {
        auto c = read_corpus(argv[i]);
        seeds.insert(seeds.end(), c.begin(), c.end());
    }
    for (const auto& s : seeds) {
        LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(s.data()), s.size());
    }
    long runs = 20000;
    if (const char* r = std::getenv("EMU_FUZZ_RUNS")) runs = std::atol(r);
    std::mt19937_64 rng(12345);
    std::string buf;
    for (long i = 0; i < runs; ++i) {
        if (!seeds.empty() && (i & 1)) {
            // Mutate a seed: flip, insert, delete or splice bytes.
            buf = seeds[rng() % seeds.size()];
            int edits = 1 + int(rng() % 8);
            for (int k = 0; k < edits; ++k) {
                size_t pos = buf.empty() ? 0 : rng() % (buf.size() + 1);
                switch (rng() % 4) {
                    case 0:
                        if (pos < buf.size()) buf[pos] = char(buf[pos] ^ (1 << (rng() % 8)));
                        break;
                    case 1:
                        buf.insert(pos, 1, char(rng()));
                        break;
                    case 2:
                        if (pos < buf.size()) buf.erase(pos, 1 + rng() % 4);
                        break;
                    default: {
                        const auto& other = seeds[rng() % seeds.size()];
                        if (!other.empty()) {
                            size_t from = rng() % other.size();
                            buf.insert(std::min(pos, buf.size()), other.substr(from, rng() % 16));
                        }
                    }
                }
            }
        } else {
            buf.resize(rng() % 256);
            for (auto& c : buf) c = char(rng());
        }
        LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(buf.data()), buf.size());
    }
    std::printf("%zu seeds and %ld generated inputs ran without a crash\n", seeds.size(), runs);
    return 0;
}

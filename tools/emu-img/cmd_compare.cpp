// emu-img compare. Exit status: 0 identical, 1 different, 2 error.
#include <getopt.h>

#include <cinttypes>
#include <cstdio>
#include <cstring>

#include "block/iov_util.h"
#include "tools/emu-img/img_common.h"
#include "util/log.h"

namespace emu::img {

int cmd_compare(int argc, char** argv) {
    std::string fmt1, fmt2;
    bool strict = false, quiet = false, progress = false;
    static const option longopts[] = {{"help", no_argument, nullptr, 'h'},
                                      {"force-share", no_argument, nullptr, 'U'},
                                      {nullptr, 0, nullptr, 0}};
    auto on_option = [&](int c) {
        switch (c) {
            case 'f':
                fmt1 = optarg;
                break;
            case 'F':
                fmt2 = optarg;
                break;
            case 's':
                strict = true;
                break;
            case 'q':
                quiet = true;
                break;
            case 'p':
                progress = true;
                break;
            case 'T':
            case 'U':
                break;
        }
        return kNextOption;
    };
    int rc = parse_options(argc, argv, ":hf:F:T:pqsU", longopts,
                           "usage: emu-img compare [-f fmt] [-F fmt] [-p] [-q] [-s] filename1 "
                           "filename2\n",
                           on_option);
    if (rc != kNextOption) return rc == 0 ? 0 : 2;  // 2: compare could not run
    (void)progress;
    if (argc - optind != 2) {
        usage_error("Expecting two image file names");
        return 2;
    }
    auto a = open_or_report(argv[optind], fmt1, true);
    if (!a) return 2;
    auto b = open_or_report(argv[optind + 1], fmt2, true);
    if (!b) return 2;
    const uint64_t sa = a->size(), sb = b->size();
    if (sa != sb) {
        if (strict) {
            if (!quiet) std::printf("Strict mode: Image size mismatch!\n");
            return 1;
        }
        if (!quiet) std::printf("Warning: Image size mismatch!\n");
    }
    const uint64_t common = std::min(sa, sb), total = std::max(sa, sb);
    const uint64_t chunk = 1 << 20;
    std::vector<uint8_t> ba(chunk), bb(chunk);
    for (uint64_t off = 0; off < total; off += chunk) {
        const uint64_t n = std::min(chunk, total - off);
        int r = 0;
        if (off < common) {
            const uint64_t m = std::min(n, common - off);
            r = a->pread(off, ba.data(), m);
            if (r == 0) r = b->pread(off, bb.data(), m);
            if (r < 0) {
                error_report("Error while reading offset %" PRIu64 ": %s", off, std::strerror(-r));
                return 2;
            }
            if (std::memcmp(ba.data(), bb.data(), m) != 0) {
                uint64_t i = 0;
                while (ba[i] == bb[i])
                    i++;
                if (!quiet)
                    std::printf("Content mismatch at offset %" PRIu64 "!\n",
                                (off + i) & ~uint64_t(511));
                return 1;
            }
            if (m == n) continue;
        }
        // Past the smaller image: the larger one must read as zeroes.
        const uint64_t zoff = std::max(off, common);
        const uint64_t zn = off + n - zoff;
        block::BlockDriver* big = sa > sb ? a.get() : b.get();
        r = big->pread(zoff, ba.data(), zn);
        if (r < 0) {
            error_report("Error while reading offset %" PRIu64 ": %s", zoff, std::strerror(-r));
            return 2;
        }
        if (!block::buffer_is_zero(ba.data(), zn)) {
            uint64_t i = 0;
            while (!ba[i])
                i++;
            if (!quiet)
                std::printf("Content mismatch at offset %" PRIu64 "!\n",
                            (zoff + i) & ~uint64_t(511));
            return 1;
        }
    }
    if (!quiet) std::printf("Images are identical.\n");
    return 0;
}

}  // namespace emu::img

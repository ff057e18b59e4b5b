// emu-img rebase: change the backing file. In safe mode (the default) every
// cluster the image does not allocate itself and that reads differently
// through the new backing file is first copied into the image.
#include <getopt.h>

#include <cinttypes>
#include <cstdio>
#include <cstring>

#include "block/qcow2/qcow2.h"
#include "tools/emu-img/img_common.h"
#include "util/log.h"

namespace emu::img {

int cmd_rebase(int argc, char** argv) {
    std::string fmt, backing, backing_fmt;
    bool have_b = false, unsafe = false, quiet = false, progress = false;
    static const option longopts[] = {{"help", no_argument, nullptr, 'h'},
                                      {"force-share", no_argument, nullptr, 'U'},
                                      {nullptr, 0, nullptr, 0}};
    auto on_option = [&](int c) {
        switch (c) {
            case 'f':
                fmt = optarg;
                break;
            case 'b':
                backing = optarg;
                have_b = true;
                break;
            case 'F':
                backing_fmt = optarg;
                break;
            case 'u':
                unsafe = true;
                break;
            case 'p':
                progress = true;
                break;
            case 'q':
                quiet = true;
                break;
            case 't':
            case 'T':
            case 'U':
                break;
        }
        return kNextOption;
    };
    int rc = parse_options(argc, argv, ":hf:F:b:upt:T:qU", longopts,
                           "usage: emu-img rebase [-f fmt] [-p] [-u] [-q] -b backing_file [-F "
                           "backing_fmt] filename\n",
                           on_option);
    if (rc != kNextOption) return rc;
    (void)quiet;
    if (optind != argc - 1) return usage_error("Expecting one image file name");
    if (!have_b) {
        error_report("Must specify backing file (-b) or use unsafe mode (-u)");
        return 1;
    }
    std::string file = argv[optind];
    auto d = open_or_report(file, fmt, false, !unsafe);
    if (!d) return 1;
    auto* q = dynamic_cast<block::qcow2::Qcow2Image*>(d.get());
    if (!q) {
        error_report("Could not change the backing file to '%s': Operation not supported",
                     backing.c_str());
        return 1;
    }
    std::string bpath = backing;
    if (!bpath.empty() && bpath[0] != '/' && file.find('/') != std::string::npos)
        bpath = file.substr(0, file.rfind('/') + 1) + bpath;
    std::unique_ptr<block::BlockDriver> nb;
    if (!backing.empty()) {
        nb = open_or_report(bpath, backing_fmt, true, true);
        if (!nb && !unsafe) return 1;
        if (nb && backing_fmt.empty()) backing_fmt = std::string(nb->format_name());
    }
    if (!unsafe) {
        const uint64_t size = d->size();
        const uint64_t chunk = std::max<uint64_t>(q->cluster_size(), 65536);
        std::vector<uint8_t> oldb(chunk), newb(chunk);
        double last = -1;
        for (uint64_t off = 0; off < size;) {
            block::BlockStatus st;
            int r = d->block_status(off, std::min(chunk, size - off), &st);
            if (r < 0) {
                error_report("error while reading image metadata: %s", std::strerror(-r));
                return 1;
            }
            const uint64_t n = std::min<uint64_t>(st.bytes, std::min(chunk, size - off));
            if (!(st.flags & block::BLOCK_STATUS_ALLOCATED)) {
                r = d->pread(off, oldb.data(), n);  // through the old backing chain
                std::memset(newb.data(), 0, n);
                if (r == 0 && nb && off < nb->size())
                    r = nb->pread(off, newb.data(), std::min<uint64_t>(n, nb->size() - off));
                if (r == 0 && std::memcmp(oldb.data(), newb.data(), n) != 0)
                    r = d->pwrite(off, oldb.data(), n);
                if (r < 0) {
                    error_report("error while rebasing at byte %" PRIu64 ": %s", off,
                                 std::strerror(-r));
                    return 1;
                }
            }
            off += n;
            if (progress && off * 100.0 / size - last >= 1) {
                last = off * 100.0 / size;
                std::printf("    (%.2f/100%%)\r", last);
                std::fflush(stdout);
            }
        }
        if (progress) std::printf("    (100.00/100%%)\r\n");
    }
    std::string err;
    if (q->set_backing(backing, backing.empty() ? "" : backing_fmt, &err) < 0) {
        error_report("Could not change the backing file to '%s': %s", backing.c_str(), err.c_str());
        return 1;
    }
    if (nb) q->replace_backing(std::move(nb));
    return 0;
}

}  // namespace emu::img

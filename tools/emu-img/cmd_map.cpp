// emu-img map: the allocation map of an image and its backing chain.
#include <getopt.h>

#include <cinttypes>
#include <cstdio>
#include <cstring>

#include "tools/emu-img/img_common.h"
#include "util/log.h"

namespace emu::img {

namespace {

struct Entry {
    uint64_t start, length;
    int depth;
    bool present, zero, data;
    int64_t offset;
};

bool can_merge(const Entry& a, const Entry& b) {
    return a.depth == b.depth && a.present == b.present && a.zero == b.zero && a.data == b.data &&
           ((a.offset < 0 && b.offset < 0) ||
            (a.offset >= 0 && b.offset == a.offset + static_cast<int64_t>(a.length)));
}

}  // namespace

int cmd_map(int argc, char** argv) {
    std::string fmt, output = "human";
    uint64_t start = 0, max_len = UINT64_MAX;
    static const option longopts[] = {{"help", no_argument, nullptr, 'h'},
                                      {"format", required_argument, nullptr, 'f'},
                                      {"output", required_argument, nullptr, 'o'},
                                      {"start-offset", required_argument, nullptr, 's'},
                                      {"max-length", required_argument, nullptr, 'l'},
                                      {"force-share", no_argument, nullptr, 'U'},
                                      {nullptr, 0, nullptr, 0}};
    auto on_option = [&](int c) {
        switch (c) {
            case 'f':
                fmt = optarg;
                break;
            case 'o':
                output = optarg;
                break;
            case 's':
                if (!parse_img_size(optarg, &start)) {
                    error_report(
                        "Invalid start offset specified! You may use k, M, G, T, P or E suffixes "
                        "for ");
                    return 1;
                }
                break;
            case 'l':
                if (!parse_img_size(optarg, &max_len)) {
                    error_report(
                        "Invalid length specified! You may use k, M, G, T, P or E suffixes for ");
                    return 1;
                }
                break;
            case 'U':
                break;
        }
        return kNextOption;
    };
    int rc = parse_options(argc, argv, ":f:hU", longopts,
                           "usage: emu-img map [-f fmt] [--output=ofmt] [--start-offset=offset] "
                           "[--max-length=len] filename\n",
                           on_option);
    if (rc != kNextOption) return rc;
    if (output != "human" && output != "json") {
        error_report("--output must be used with human or json as argument.");
        return 1;
    }
    if (optind != argc - 1) return usage_error("Expecting one image file name");
    auto d = open_or_report(argv[optind], fmt, true);
    if (!d) return 1;
    std::vector<std::string> names;
    for (block::BlockDriver* b = d.get(); b; b = b->backing())
        names.push_back(b->filename());
    const uint64_t end = std::min(
        d->size(), max_len > d->size() - std::min(start, d->size()) ? d->size() : start + max_len);
    std::vector<Entry> entries;
    for (uint64_t pos = start; pos < end;) {
        block::BlockStatus st;
        int r = d->block_status(pos, end - pos, &st);
        if (r < 0) {
            error_report("Could not read file metadata: %s", std::strerror(-r));
            return 1;
        }
        const uint64_t n = std::min<uint64_t>(st.bytes ? st.bytes : end - pos, end - pos);
        Entry e{pos,
                n,
                st.depth,
                (st.flags & block::BLOCK_STATUS_PRESENT) != 0,
                (st.flags & block::BLOCK_STATUS_ZERO) != 0,
                (st.flags & block::BLOCK_STATUS_DATA) != 0,
                st.host_offset};
        if (!entries.empty() && can_merge(entries.back(), e))
            entries.back().length += n;
        else
            entries.push_back(e);
        pos += n;
    }
    if (output == "json") {
        std::printf("[");
        for (size_t i = 0; i < entries.size(); i++) {
            const Entry& e = entries[i];
            std::printf("%s{ \"start\": %" PRIu64 ", \"length\": %" PRIu64
                        ", \"depth\": %d, "
                        "\"present\": %s, \"zero\": %s, \"data\": %s",
                        i ? ",\n" : "", e.start, e.length, e.depth, e.present ? "true" : "false",
                        e.zero ? "true" : "false", e.data ? "true" : "false");
            if (e.offset >= 0) std::printf(", \"offset\": %" PRId64, e.offset);
            std::printf("}");
        }
        std::printf("]\n");
        return 0;
    }
    std::printf("%-16s%-16s%-16s%s\n", "Offset", "Length", "Mapped to", "File");
    for (const Entry& e : entries) {
        if (!e.data || e.offset < 0) continue;
        const std::string& file =
            names[std::min<size_t>(static_cast<size_t>(e.depth), names.size() - 1)];
        std::printf("%#-16" PRIx64 "%#-16" PRIx64 "%#-16" PRIx64 "%s\n", e.start, e.length,
                    static_cast<uint64_t>(e.offset), file.c_str());
    }
    return 0;
}

}  // namespace emu::img

// emu-img info
#include <getopt.h>

#include <cinttypes>
#include <cstdio>
#include <ctime>

#include "block/qcow2/qcow2.h"
#include "tools/emu-img/img_common.h"
#include "tools/emu-img/snapshot_table.h"
#include "util/log.h"

namespace emu::img {

namespace {

void print_human(block::BlockDriver& d, const std::string& name) {
    std::printf("image: %s\n", name.c_str());
    std::printf("file format: %s\n", std::string(d.format_name()).c_str());
    std::printf("virtual size: %s (%" PRIu64 " bytes)\n", size_to_str(d.size()).c_str(), d.size());
    const int64_t disk = d.allocated_file_size();
    std::printf("disk size: %s\n",
                disk >= 0 ? size_to_str(static_cast<uint64_t>(disk)).c_str() : "unavailable");
    auto* q = dynamic_cast<block::qcow2::Qcow2Image*>(&d);
    if (!q) return;
    const auto& h = q->header();
    std::printf("cluster_size: %" PRIu64 "\n", q->cluster_size());
    if (!h.backing_file.empty()) {
        std::printf("backing file: %s\n", h.backing_file.c_str());
        if (!h.backing_format.empty())
            std::printf("backing file format: %s\n", h.backing_format.c_str());
    }
    auto snaps = q->snapshots();
    if (!snaps.empty()) {
        std::printf("Snapshot list:\n");
        print_snapshot_table(snaps);
    }
    if (q->dirty()) std::printf("dirty flag: true\n");
    std::printf("Format specific information:\n");
    std::printf("    compat: %s\n", h.version == 2 ? "0.10" : "1.1");
    std::printf("    compression type: %s\n",
                h.compression_type == block::qcow2::CompressionType::Zstd ? "zstd" : "zlib");
    if (h.version >= 3)
        std::printf("    lazy refcounts: %s\n",
                    h.compatible_features & block::qcow2::kCompatLazyRefcounts ? "true" : "false");
    std::printf("    refcount bits: %u\n", 1u << h.refcount_order);
    if (h.version >= 3) {
        std::printf("    corrupt: %s\n", q->corrupt() ? "true" : "false");
        std::printf("    extended l2: false\n");
    }
}

void print_json(block::BlockDriver& d, const std::string& name, bool array_item) {
    const char* ind = array_item ? "        " : "    ";
    std::printf("%s{\n", array_item ? "    " : "");
    auto* q = dynamic_cast<block::qcow2::Qcow2Image*>(&d);
    if (q) {
        auto snaps = q->snapshots();
        if (!snaps.empty()) {
            std::printf("%s\"snapshots\": [\n", ind);
            for (size_t i = 0; i < snaps.size(); i++) {
                const auto& s = snaps[i];
                std::printf("%s    {\n", ind);
                std::printf("%s        \"icount\": %" PRIu64 ",\n", ind,
                            s.icount == UINT64_MAX ? 0 : s.icount);
                std::printf("%s        \"vm-clock-nsec\": %" PRIu64 ",\n", ind,
                            s.vm_clock_nsec % uint64_t(1000000000));
                std::printf("%s        \"name\": %s,\n", ind, json_str(s.name).c_str());
                std::printf("%s        \"date-sec\": %u,\n", ind, s.date_sec);
                std::printf("%s        \"date-nsec\": %u,\n", ind, s.date_nsec);
                std::printf("%s        \"vm-clock-sec\": %" PRIu64 ",\n", ind,
                            s.vm_clock_nsec / uint64_t(1000000000));
                std::printf("%s        \"id\": %s,\n", ind, json_str(s.id).c_str());
                std::printf("%s        \"vm-state-size\": %" PRIu64 "\n", ind, s.vm_state_size);
                std::printf("%s    }%s\n", ind, i + 1 < snaps.size() ? "," : "");
            }
            std::printf("%s],\n", ind);
        }
        if (!q->header().backing_format.empty() && !q->header().backing_file.empty())
            std::printf("%s\"backing-filename-format\": %s,\n", ind,
                        json_str(q->header().backing_format).c_str());
    }
    std::printf("%s\"virtual-size\": %" PRIu64 ",\n", ind, d.size());
    std::printf("%s\"filename\": %s,\n", ind, json_str(name).c_str());
    if (q) std::printf("%s\"cluster-size\": %" PRIu64 ",\n", ind, q->cluster_size());
    std::printf("%s\"format\": \"%s\",\n", ind, std::string(d.format_name()).c_str());
    std::printf("%s\"actual-size\": %" PRId64 ",\n", ind, d.allocated_file_size());
    if (q) {
        const auto& h = q->header();
        std::printf("%s\"format-specific\": {\n", ind);
        std::printf("%s    \"type\": \"qcow2\",\n", ind);
        std::printf("%s    \"data\": {\n", ind);
        std::printf("%s        \"compat\": \"%s\",\n", ind, h.version == 2 ? "0.10" : "1.1");
        std::printf("%s        \"compression-type\": \"%s\",\n", ind,
                    h.compression_type == block::qcow2::CompressionType::Zstd ? "zstd" : "zlib");
        if (h.version >= 3)
            std::printf(
                "%s        \"lazy-refcounts\": %s,\n", ind,
                h.compatible_features & block::qcow2::kCompatLazyRefcounts ? "true" : "false");
        std::printf("%s        \"refcount-bits\": %u%s\n", ind, 1u << h.refcount_order,
                    h.version >= 3 ? "," : "");
        if (h.version >= 3) {
            std::printf("%s        \"corrupt\": %s,\n", ind, q->corrupt() ? "true" : "false");
            std::printf("%s        \"extended-l2\": false\n", ind);
        }
        std::printf("%s    }\n", ind);
        std::printf("%s},\n", ind);
        if (!h.backing_file.empty()) {
            std::string full = h.backing_file;
            if (full[0] != '/' && name.find('/') != std::string::npos)
                full = name.substr(0, name.rfind('/') + 1) + full;
            std::printf("%s\"full-backing-filename\": %s,\n", ind, json_str(full).c_str());
            std::printf("%s\"backing-filename\": %s,\n", ind, json_str(h.backing_file).c_str());
        }
    }
    std::printf("%s\"dirty-flag\": %s\n", ind, q && q->dirty() ? "true" : "false");
    std::printf("%s}", array_item ? "    " : "");
}

}  // namespace

int cmd_info(int argc, char** argv) {
    std::string fmt, output = "human";
    bool chain = false;
    static const option longopts[] = {{"help", no_argument, nullptr, 'h'},
                                      {"format", required_argument, nullptr, 'f'},
                                      {"output", required_argument, nullptr, 'o'},
                                      {"backing-chain", no_argument, nullptr, 'c'},
                                      {"force-share", no_argument, nullptr, 'U'},
                                      {"image-opts", no_argument, nullptr, 'i'},
                                      {nullptr, 0, nullptr, 0}};
    auto on_option = [&](int c) {
        switch (c) {
            case 'f':
                fmt = optarg;
                break;
            case 'o':
                output = optarg;
                break;
            case 'c':
                chain = true;
                break;
            case 'U':
                break;
            case 'i':
                error_report("not supported yet: --image-opts");
                return 1;
        }
        return kNextOption;
    };
    int rc = parse_options(
        argc, argv, ":f:hU", longopts,
        "usage: emu-img info [-f fmt] [--output=ofmt] [--backing-chain] filename\n", on_option);
    if (rc != kNextOption) return rc;
    if (output != "human" && output != "json") {
        error_report("--output must be used with human or json as argument.");
        return 1;
    }
    if (optind != argc - 1) return usage_error("Expecting one image file name");
    std::string name = argv[optind];
    // The chain is opened link by link so each image reports its own name.
    std::vector<std::pair<std::string, std::unique_ptr<block::BlockDriver>>> imgs;
    std::string cur = name, cur_fmt = fmt;
    for (int depth = 0; depth < 64; depth++) {
        auto d = open_or_report(cur, cur_fmt, true, false);
        if (!d) return 1;
        auto* q = dynamic_cast<block::qcow2::Qcow2Image*>(d.get());
        std::string next, next_fmt;
        if (q && !q->header().backing_file.empty()) {
            next = q->header().backing_file;
            if (next[0] != '/' && cur.find('/') != std::string::npos)
                next = cur.substr(0, cur.rfind('/') + 1) + next;
            next_fmt = q->header().backing_format;
        }
        imgs.emplace_back(cur, std::move(d));
        if (!chain || next.empty()) break;
        for (auto& [n, _] : imgs) {
            if (n == next) {
                error_report("Backing file loop: '%s' is its own backing file", next.c_str());
                return 1;
            }
        }
        cur = next;
        cur_fmt = next_fmt;
    }
    if (output == "json") {
        if (chain) std::printf("[\n");
        for (size_t i = 0; i < imgs.size(); i++) {
            print_json(*imgs[i].second, imgs[i].first, chain);
            std::printf("%s\n", chain && i + 1 < imgs.size() ? "," : "");
        }
        if (chain) std::printf("]\n");
    } else {
        for (size_t i = 0; i < imgs.size(); i++) {
            if (i) std::printf("\n");
            print_human(*imgs[i].second, imgs[i].first);
        }
    }
    return 0;
}

}  // namespace emu::img

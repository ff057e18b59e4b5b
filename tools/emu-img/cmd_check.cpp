// emu-img check. Exit status as qemu-img: 0 clean, 1 check not completed,
// 2 corruptions, 3 leaks only, 63 format without checks.
#include <getopt.h>

#include <cinttypes>
#include <cstdio>

#include "block/qcow2/qcow2.h"
#include "tools/emu-img/img_common.h"
#include "util/log.h"

namespace emu::img {

namespace {

void print_result(const block::qcow2::CheckResult& r, bool quiet) {
    if (quiet) return;
    for (const std::string& m : r.messages)
        std::fprintf(stderr, "%s\n", m.c_str());
    const uint64_t corrupt = r.corruptions;
    const uint64_t leaks = r.leaks;
    if (!corrupt && !leaks && !r.check_errors) {
        std::printf("No errors were found on the image.\n");
    } else {
        if (corrupt)
            std::printf("\n%" PRIu64
                        " errors were found on the image.\n"
                        "Data may be corrupted, or further writes to the image may corrupt it.\n",
                        corrupt);
        if (leaks)
            std::printf("\n%" PRIu64
                        " leaked clusters were found on the image.\n"
                        "This means waste of disk space, but no harm to data.\n",
                        leaks);
        if (r.check_errors)
            std::printf(
                "\nAn error has occurred during the check: the check is not "
                "complete and may have missed error.\n");
    }
    if (r.total_clusters && r.allocated_clusters) {
        std::printf("%" PRIu64 "/%" PRIu64
                    " = %0.2f%% allocated, %0.2f%% fragmented, %0.2f%% "
                    "compressed clusters\n",
                    r.allocated_clusters, r.total_clusters,
                    r.allocated_clusters * 100.0 / r.total_clusters,
                    r.fragmented_clusters * 100.0 / r.allocated_clusters,
                    r.compressed_clusters * 100.0 / r.allocated_clusters);
    }
    if (r.image_end_offset) std::printf("Image end offset: %" PRIu64 "\n", r.image_end_offset);
}

int status_of(const block::qcow2::CheckResult& r) {
    if (r.check_errors) return 1;
    if (r.corruptions) return 2;
    if (r.leaks) return 3;
    return 0;
}

}  // namespace

int cmd_check(int argc, char** argv) {
    std::string fmt, output = "human", repair_s;
    bool quiet = false;
    static const option longopts[] = {
        {"help", no_argument, nullptr, 'h'},         {"format", required_argument, nullptr, 'f'},
        {"repair", required_argument, nullptr, 'r'}, {"output", required_argument, nullptr, 'o'},
        {"force-share", no_argument, nullptr, 'U'},  {nullptr, 0, nullptr, 0}};
    auto on_option = [&](int c) {
        switch (c) {
            case 'f':
                fmt = optarg;
                break;
            case 'r':
                repair_s = optarg;
                break;
            case 'o':
                output = optarg;
                break;
            case 'q':
                quiet = true;
                break;
            case 'U':
            case 'T':
                break;
        }
        return kNextOption;
    };
    int rc = parse_options(argc, argv, ":f:r:hqT:U", longopts,
                           "usage: emu-img check [--output=ofmt] [-r [leaks | all]] [-f fmt] [-q] "
                           "filename\n",
                           on_option);
    if (rc != kNextOption) return rc;
    block::qcow2::RepairMode repair = block::qcow2::RepairMode::None;
    if (repair_s == "leaks")
        repair = block::qcow2::RepairMode::Leaks;
    else if (repair_s == "all")
        repair = block::qcow2::RepairMode::All;
    else if (!repair_s.empty()) {
        error_report("Invalid option for -r: %s", repair_s.c_str());
        return 1;
    }
    if (output != "human" && output != "json") {
        error_report("--output must be used with human or json as argument.");
        return 1;
    }
    if (optind != argc - 1) return usage_error("Expecting one image file name");
    std::string file = argv[optind];
    block::OpenOptions o;
    o.format = fmt;
    o.read_only = repair == block::qcow2::RepairMode::None;
    o.open_backing = false;
    o.repair_on_open = false;
    std::string err;
    auto d = block::open_image(file, o, &err);
    if (!d) {
        error_report("Could not open '%s': %s", file.c_str(), err.c_str());
        return 1;
    }
    auto* q = dynamic_cast<block::qcow2::Qcow2Image*>(d.get());
    if (!q) {
        error_report("This image format does not support checks");
        return 63;
    }
    block::qcow2::CheckResult r = q->check(repair);
    if (repair != block::qcow2::RepairMode::None && (r.leaks_fixed || r.corruptions_fixed)) {
        if (!quiet && output == "human") {
            std::printf(
                "The following inconsistencies were found and repaired:\n\n"
                "    %" PRIu64 " leaked clusters\n    %" PRIu64
                " corruptions\n\n"
                "Double checking the fixed image now...\n",
                r.leaks_fixed, r.corruptions_fixed);
        }
        r = q->check(block::qcow2::RepairMode::None);
    }
    if (repair == block::qcow2::RepairMode::All && q->dirty() && !r.corruptions && !r.check_errors)
        d.reset();  // closing a repaired image clears the dirty bit
    if (output == "json") {
        std::printf("{\n");
        std::printf("    \"image-end-offset\": %" PRIu64 ",\n", r.image_end_offset);
        std::printf("    \"total-clusters\": %" PRIu64 ",\n", r.total_clusters);
        if (r.allocated_clusters) {
            std::printf("    \"allocated-clusters\": %" PRIu64 ",\n", r.allocated_clusters);
            std::printf("    \"fragmented-clusters\": %" PRIu64 ",\n", r.fragmented_clusters);
            std::printf("    \"compressed-clusters\": %" PRIu64 ",\n", r.compressed_clusters);
        }
        if (r.corruptions) std::printf("    \"corruptions\": %" PRIu64 ",\n", r.corruptions);
        if (r.leaks) std::printf("    \"leaks\": %" PRIu64 ",\n", r.leaks);
        if (r.leaks_fixed) std::printf("    \"leaks-fixed\": %" PRIu64 ",\n", r.leaks_fixed);
        if (r.corruptions_fixed)
            std::printf("    \"corruptions-fixed\": %" PRIu64 ",\n", r.corruptions_fixed);
        std::printf("    \"check-errors\": %d,\n", r.check_errors ? 1 : 0);
        std::printf("    \"filename\": %s,\n", json_str(file).c_str());
        std::printf("    \"format\": \"qcow2\"\n}\n");
    } else {
        print_result(r, quiet);
    }
    return status_of(r);
}

}  // namespace emu::img

// emu-img resize
#include <getopt.h>

#include <cstdio>
#include <cstring>

#include "block/qcow2/qcow2.h"
#include "tools/emu-img/img_common.h"
#include "util/log.h"

namespace emu::img {

int cmd_resize(int argc, char** argv) {
    std::string fmt, prealloc = "off";
    bool shrink = false, quiet = false;
    static const option longopts[] = {{"help", no_argument, nullptr, 'h'},
                                      {"format", required_argument, nullptr, 'f'},
                                      {"preallocation", required_argument, nullptr, 'P'},
                                      {"shrink", no_argument, nullptr, 'S'},
                                      {"object", required_argument, nullptr, 'O'},
                                      {"image-opts", no_argument, nullptr, 'I'},
                                      {nullptr, 0, nullptr, 0}};
    // A size like "-1G" must not be taken for an option: stop at the file name.
    auto on_option = [&](int c) {
        switch (c) {
            case 'f':
                fmt = optarg;
                break;
            case 'P':
                prealloc = optarg;
                break;
            case 'S':
                shrink = true;
                break;
            case 'q':
                quiet = true;
                break;
            case 'O':
            case 'I':
                error_report("not supported yet: --object/--image-opts");
                return 1;
        }
        return kNextOption;
    };
    int rc =
        parse_options(argc, argv, "+:f:hq", longopts,
                      "usage: emu-img resize [-f fmt] [--preallocation=prealloc] [-q] [--shrink] "
                      "filename [+ | -]size\n",
                      on_option);
    if (rc != kNextOption) return rc;
    std::vector<std::string> pos;
    for (int i = optind; i < argc; i++) {
        if (std::string(argv[i]) == "--shrink")
            shrink = true;
        else if (std::string(argv[i]) == "-q")
            quiet = true;
        else if (std::string(argv[i]) != "--")
            pos.push_back(argv[i]);
    }
    if (pos.size() != 2) return usage_error("Expecting image file name and size");
    if (prealloc != "off") {
        error_report("not supported yet: resize --preallocation=%s", prealloc.c_str());
        return 1;
    }
    auto d = open_or_report(pos[0], fmt, false);
    if (!d) return 1;
    std::string s = pos[1];
    int rel = 0;
    if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
        rel = s[0] == '+' ? 1 : -1;
        s = s.substr(1);
    }
    uint64_t v;
    if (!parse_img_size(s, &v)) {
        error_report("Invalid image size specified. You may use k, M, G, T, P or E suffixes for");
        error_report("kilobytes, megabytes, gigabytes, terabytes, petabytes and exabytes.");
        return 1;
    }
    const uint64_t cur = d->size();
    uint64_t ns = v;
    if (rel > 0) ns = cur + v;
    if (rel < 0) {
        if (v > cur) {
            error_report("New image size must be positive");
            return 1;
        }
        ns = cur - v;
    }
    if (ns < cur && !shrink) {
        error_report("Use the --shrink option to perform a shrink operation.");
        error_report(
            "warning: Shrinking an image will delete all data beyond the shrunken "
            "image's end. Before performing such an operation, make sure there is no "
            "important data there.");
        return 1;
    }
    int r;
    std::string err;
    if (auto* q = dynamic_cast<block::qcow2::Qcow2Image*>(d.get())) {
        r = q->resize(ns, shrink, &err);
    } else {
        r = d->truncate(ns);
        if (r < 0) err = std::strerror(-r);
    }
    if (r < 0) {
        error_report("%s", err.c_str());
        return 1;
    }
    if (!quiet) std::printf("Image resized.\n");
    return 0;
}

}  // namespace emu::img

// emu-img create
#include <getopt.h>

#include <cstdio>
#include <cstring>

#include "block/block_driver.h"
#include "block/qcow2/qcow2.h"
#include "block/raw/raw_driver.h"
#include "tools/emu-img/img_common.h"
#include "util/keyval.h"
#include "util/log.h"

namespace emu::img {

namespace {

void print_create_options(const std::string& fmt) {
    std::printf("Supported options:\n");
    if (fmt == "qcow2") {
        std::printf(
            "  backing_file=<str>     - File name of a base image\n"
            "  backing_fmt=<str>      - Image format of the base image\n"
            "  cluster_size=<size>    - qcow2 cluster size\n"
            "  compat=<str>           - Compatibility level (v2 [0.10], v3 [1.1])\n"
            "  compression_type=<str> - Compression method used for image cluster compression\n"
            "  extended_l2=<bool (on/off)> - Extended L2 tables (only 'off' is supported)\n"
            "  lazy_refcounts=<bool (on/off)> - Postpone refcount updates\n"
            "  preallocation=<str>    - Preallocation mode (allowed values: off, metadata, "
            "falloc, full)\n"
            "  refcount_bits=<num>    - Width of a reference count entry in bits\n"
            "  size=<size>            - Virtual disk size\n");
    } else {
        std::printf(
            "  preallocation=<str>    - Preallocation mode (allowed values: off, falloc, "
            "full)\n"
            "  size=<size>            - Virtual disk size\n");
    }
}

}  // namespace

int cmd_create(int argc, char** argv) {
    std::string fmt = "raw", backing, backing_fmt;
    std::vector<std::string> opt_strs;
    bool quiet = false, unsafe = false;
    static const option longopts[] = {{"help", no_argument, nullptr, 'h'},
                                      {"object", required_argument, nullptr, 'O'},
                                      {nullptr, 0, nullptr, 0}};
    auto on_option = [&](int c) {
        switch (c) {
            case 'f':
                fmt = optarg;
                break;
            case 'b':
                backing = optarg;
                break;
            case 'F':
                backing_fmt = optarg;
                break;
            case 'o':
                opt_strs.push_back(optarg);
                break;
            case 'q':
                quiet = true;
                break;
            case 'u':
                unsafe = true;
                break;
            case 'O':
                error_report("not supported yet: --object");
                return 1;
        }
        return kNextOption;
    };
    int rc =
        parse_options(argc, argv, ":F:b:f:ho:qu", longopts,
                      "usage: emu-img create [-q] [-f fmt] [-b backing_file [-F backing_fmt]] [-u] "
                      "[-o options] filename [size]\n",
                      on_option);
    if (rc != kNextOption) return rc;
    if (fmt != "raw" && fmt != "qcow2") return usage_error("Unknown file format '%s'", fmt.c_str());
    for (const std::string& o : opt_strs) {
        if (o == "help" || o == "?") {
            print_create_options(fmt);
            return 0;
        }
    }
    if (optind >= argc) return usage_error("Expecting image file name");
    std::string filename = argv[optind++];
    uint64_t size = 0;
    bool have_size = false;
    if (optind < argc) {
        if (!parse_img_size(argv[optind], &size)) {
            error_report(
                "Invalid image size specified. You may use k, M, G, T, P or E suffixes "
                "for");
            error_report("kilobytes, megabytes, gigabytes, terabytes, petabytes and exabytes.");
            return 1;
        }
        have_size = true;
        optind++;
    }
    if (optind < argc) return usage_error("Unexpected argument: %s", argv[optind]);
    return create_image(fmt, filename, have_size ? &size : nullptr, opt_strs, backing, backing_fmt,
                        unsafe, quiet);
}

int create_image(const std::string& fmt, const std::string& filename, const uint64_t* size_arg,
                 const std::vector<std::string>& opt_strs, std::string backing,
                 std::string backing_fmt, bool unsafe, bool quiet) {
    uint64_t size = size_arg ? *size_arg : 0;
    bool have_size = size_arg != nullptr;
    // -o options (later ones win, as in qemu-img).
    std::string all;
    for (const std::string& o : opt_strs)
        all += (all.empty() ? "" : ",") + o;
    std::string err;
    auto kv = all.empty() ? std::optional<KeyValueList>(KeyValueList{})
                          : KeyValueList::parse(all, "", &err);
    if (!kv) {
        error_report("Invalid option list: %s", err.c_str());
        return 1;
    }
    const std::vector<std::string_view> known_qcow2 = {
        "size",          "backing_file",     "backing_fmt", "cluster_size",
        "compat",        "compression_type", "extended_l2", "lazy_refcounts",
        "preallocation", "refcount_bits",    "encryption",  "encrypt.format"};
    const std::vector<std::string_view> known_raw = {"size", "preallocation"};
    if (auto bad = kv->first_unknown(fmt == "qcow2" ? known_qcow2 : known_raw)) {
        error_report("Invalid parameter '%s'", bad->c_str());
        return 1;
    }
    if (kv->has("size")) {
        auto s = kv->get_size("size", 'B', &err);
        if (!s) {
            error_report("%s", err.c_str());
            return 1;
        }
        size = *s;
        have_size = true;
    }
    if (auto b = kv->get("backing_file")) backing = *b;
    if (auto b = kv->get("backing_fmt")) backing_fmt = *b;
    std::string prealloc = kv->get_or("preallocation", "off");

    if (fmt == "raw") {
        if (!backing.empty()) {
            error_report("Backing file not supported for file format 'raw'");
            return 1;
        }
        if (!have_size) return usage_error("Image creation needs a size parameter");
        if (!quiet) {
            std::printf("Formatting '%s', fmt=raw size=%llu%s%s\n", filename.c_str(),
                        static_cast<unsigned long long>(size),
                        prealloc != "off" ? " preallocation=" : "",
                        prealloc != "off" ? prealloc.c_str() : "");
        }
        if (block::RawDriver::create(filename, size, prealloc, &err) < 0) {
            error_report("%s: %s", filename.c_str(), err.c_str());
            return 1;
        }
        return 0;
    }

    block::qcow2::CreateOptions co;
    if (auto cs = kv->get_size("cluster_size", 'B', &err)) {
        const uint64_t v = *cs;
        if (v < 512 || v > (2u << 20) || (v & (v - 1))) {
            error_report("Cluster size must be a power of two between 512 and 2048k");
            return 1;
        }
        co.cluster_bits = static_cast<uint32_t>(__builtin_ctzll(v));
    } else if (!err.empty()) {
        error_report("%s", err.c_str());
        return 1;
    }
    std::string compat = kv->get_or("compat", "1.1");
    if (compat == "0.10" || compat == "v2")
        co.version = 2;
    else if (compat == "1.1" || compat == "v3")
        co.version = 3;
    else {
        error_report("Parameter 'compat' does not accept value '%s'", compat.c_str());
        return 1;
    }
    std::string ctype = kv->get_or("compression_type", "zlib");
    if (ctype == "zlib")
        co.compression = block::qcow2::CompressionType::Zlib;
    else if (ctype == "zstd")
        co.compression = block::qcow2::CompressionType::Zstd;
    else {
        error_report("Parameter 'compression_type' does not accept value '%s'", ctype.c_str());
        return 1;
    }
    if (auto lz = kv->get_bool("lazy_refcounts", &err))
        co.lazy_refcounts = *lz;
    else if (!err.empty()) {
        error_report("%s", err.c_str());
        return 1;
    }
    if (auto el2 = kv->get_bool("extended_l2", &err); el2 && *el2) {
        error_report("not supported yet: extended_l2=on");
        return 1;
    }
    if (kv->has("encryption") || kv->has("encrypt.format")) {
        error_report("not supported yet: encrypted qcow2 images");
        return 1;
    }
    uint32_t refcount_bits = 16;
    if (auto rb = kv->get_uint("refcount_bits", &err)) {
        if (*rb == 0 || *rb > 64 || (*rb & (*rb - 1))) {
            error_report("Refcount width must be a power of two and may not exceed 64 bits");
            return 1;
        }
        refcount_bits = static_cast<uint32_t>(*rb);
    } else if (!err.empty()) {
        error_report("%s", err.c_str());
        return 1;
    }
    co.refcount_order = static_cast<uint32_t>(__builtin_ctz(refcount_bits));
    if (prealloc != "off" && prealloc != "metadata" && prealloc != "falloc" && prealloc != "full") {
        error_report("Parameter 'preallocation' does not accept value '%s'", prealloc.c_str());
        return 1;
    }
    co.preallocation = prealloc;
    co.backing_file = backing;
    co.backing_format = backing_fmt;
    if (!backing.empty()) {
        // Relative backing names are relative to the new image's directory.
        std::string bpath = backing;
        if (bpath[0] != '/' && filename.find('/') != std::string::npos)
            bpath = filename.substr(0, filename.rfind('/') + 1) + bpath;
        if (!unsafe) {
            auto b = open_or_report(bpath, backing_fmt, true);
            if (!b) return 1;
            if (backing_fmt.empty()) co.backing_format = std::string(b->format_name());
            if (!have_size) {
                size = b->size();
                have_size = true;
            }
        } else if (!have_size) {
            error_report("Image creation needs a size parameter");
            return 1;
        }
        if (co.backing_format.empty()) {
            std::string perr;
            co.backing_format = block::probe_format(bpath, &perr);
        }
    }
    if (!have_size) return usage_error("Image creation needs a size parameter");
    co.size = size;
    if (!quiet) {
        std::printf("Formatting '%s', fmt=qcow2 cluster_size=%llu extended_l2=off",
                    filename.c_str(), 1ull << co.cluster_bits);
        if (prealloc != "off") std::printf(" preallocation=%s", prealloc.c_str());
        std::printf(" compression_type=%s size=%llu", ctype.c_str(),
                    static_cast<unsigned long long>(size));
        if (!backing.empty()) std::printf(" backing_file=%s", backing.c_str());
        if (!co.backing_format.empty() && !backing.empty())
            std::printf(" backing_fmt=%s", co.backing_format.c_str());
        if (kv->has("compat")) std::printf(" compat=%s", compat.c_str());
        std::printf(" lazy_refcounts=%s refcount_bits=%u\n", co.lazy_refcounts ? "on" : "off",
                    refcount_bits);
    }
    if (block::qcow2::Qcow2Image::create(filename, co, &err) < 0) {
        error_report("%s: %s", filename.c_str(), err.c_str());
        return 1;
    }
    return 0;
}

}  // namespace emu::img

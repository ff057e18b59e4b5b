#include "tools/emu-img/img_common.h"

#include <getopt.h>

#include <cmath>
#include <cstdarg>
#include <cstdio>

#include "util/keyval.h"
#include "util/log.h"

namespace emu::img {

std::string size_to_str(uint64_t v) {
    static const char* units[] = {"", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"};
    int i = 0;
    // Move to the next unit once the number would need four digits.
    while (i < 6 && static_cast<double>(v) >= 1000.0 * std::pow(1024.0, i))
        i++;
    char buf[64];
    std::snprintf(buf, sizeof buf, "%0.3g %sB", static_cast<double>(v) / std::pow(1024.0, i),
                  units[i]);
    return buf;
}

int parse_options(int argc, char** argv, const char* shortopts, const ::option* longopts,
                  const char* usage, const std::function<int(int c)>& on_option) {
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, shortopts, longopts, nullptr)) != -1) {
        if (c == 'h') {
            std::fputs(usage, stdout);
            return 0;
        }
        // A missing argument is always the last word, so argv[optind - 1]
        // is the option itself; getopt leaves optopt 0 for an unknown long
        // option (a short one's letter otherwise).
        if (c == ':') {
            const char* opt = argv[optind - 1];
            if (opt[0] == '-' && opt[1] == '-')
                return usage_error("option '%s' requires an argument", opt);
            return usage_error("option requires an argument -- '%c'", optopt);
        }
        if (c == '?') {
            if (optopt == 0) return usage_error("unrecognized option '%s'", argv[optind - 1]);
            return usage_error("invalid option -- '%c'", optopt);
        }
        int rc = on_option(c);
        if (rc != kNextOption) return rc;
    }
    return kNextOption;
}

bool parse_img_size(const std::string& s, uint64_t* out) {
    auto v = emu::parse_size(s, 'B');
    if (!v) return false;
    *out = *v;
    return true;
}

std::unique_ptr<block::BlockDriver> open_or_report(const std::string& path, const std::string& fmt,
                                                   bool read_only, bool open_backing,
                                                   block::CacheMode cache) {
    block::OpenOptions o;
    o.format = fmt;
    o.read_only = read_only;
    o.open_backing = open_backing;
    o.cache = cache;
    o.repair_on_open = !read_only;
    std::string err;
    auto drv = block::open_image(path, o, &err);
    if (!drv) error_report("Could not open '%s': %s", path.c_str(), err.c_str());
    return drv;
}

int usage_error(const char* fmt, ...) {
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    std::vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    error_report("%s\nTry 'emu-img --help' for more information", buf);
    return 1;
}

std::string json_str(const std::string& s) {
    std::string o = "\"";
    for (unsigned char c : s) {
        if (c == '"' || c == '\\') {
            o += '\\';
            o += static_cast<char>(c);
        } else if (c < 0x20) {
            char b[8];
            std::snprintf(b, sizeof b, "\\u%04x", c);
            o += b;
        } else {
            o += static_cast<char>(c);
        }
    }
    return o + "\"";
}

}  // namespace emu::img

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>

#include "block/block_driver.h"
#include "block/image_open_internal.h"
#include "block/raw/raw_driver.h"

namespace emu::block {

bool parse_cache_mode(std::string_view s, CacheMode* out) {
    if (s == "writeback")
        *out = CacheMode::Writeback;
    else if (s == "none" || s == "off")
        *out = CacheMode::None;
    else if (s == "writethrough")
        *out = CacheMode::Writethrough;
    else if (s == "directsync")
        *out = CacheMode::DirectSync;
    else if (s == "unsafe")
        *out = CacheMode::Unsafe;
    else
        return false;
    return true;
}

std::string probe_format(const std::string& path, std::string* err) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        *err = "Could not open '" + path + "': " + std::strerror(errno);
        return "";
    }
    uint8_t buf[512];
    ssize_t n = ::pread(fd, buf, sizeof buf, 0);
    ::close(fd);
    if (n < 0) {
        *err = "Could not read '" + path + "': " + std::strerror(errno);
        return "";
    }
    if (qcow2_probe(buf, static_cast<size_t>(n))) return "qcow2";
    return "raw";
}

std::unique_ptr<BlockDriver> open_image_in_chain(const std::string& path, const OpenOptions& opts,
                                                 ChainContext& chain, std::string* err) {
    char real[PATH_MAX];
    std::string canon = realpath(path.c_str(), real) ? std::string(real) : path;
    for (const std::string& s : chain.seen) {
        if (s == canon) {
            *err = "Backing file loop: '" + path + "' is its own backing file (chain: ";
            for (size_t i = 0; i < chain.seen.size(); i++) {
                *err += (i ? " -> " : "") + chain.seen[i];
            }
            *err += " -> " + canon + ")";
            return nullptr;
        }
    }
    if (chain.seen.size() >= ChainContext::kMaxDepth) {
        *err = "Backing chain of '" + chain.seen.front() + "' is deeper than " +
               std::to_string(ChainContext::kMaxDepth) + " images";
        return nullptr;
    }
    chain.seen.push_back(canon);
    std::string fmt = opts.format;
    if (fmt.empty()) {
        fmt = probe_format(path, err);
        if (fmt.empty()) return nullptr;
    }
    if (fmt == "raw") return RawDriver::open(path, opts, err);
    if (fmt == "qcow2") return qcow2_open(path, opts, chain, err);
    *err = "Unknown driver '" + fmt + "' (supported: raw, qcow2)";
    return nullptr;
}

std::unique_ptr<BlockDriver> open_image(const std::string& path, const OpenOptions& opts,
                                        std::string* err) {
    if (opts.snapshot) {
        // Open the image read-only to learn format and size, then put a
        // temporary qcow2 overlay in front of it; the overlay file is
        // unlinked at once so nothing is left behind, even after a crash.
        OpenOptions base = opts;
        base.snapshot = false;
        base.read_only = true;
        ChainContext c0;
        auto drv = open_image_in_chain(path, base, c0, err);
        if (!drv) return nullptr;
        std::string overlay =
            create_snapshot_overlay(path, std::string(drv->format_name()), drv->size(), err);
        if (overlay.empty()) return nullptr;
        drv.reset();
        OpenOptions o = opts;
        o.snapshot = false;
        o.read_only = false;
        o.format = "qcow2";
        o.cache = CacheMode::Unsafe;
        ChainContext c;
        auto top = open_image_in_chain(overlay, o, c, err);
        ::unlink(overlay.c_str());
        return top;
    }
    ChainContext chain;
    return open_image_in_chain(path, opts, chain, err);
}

}  // namespace emu::block

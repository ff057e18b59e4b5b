#include "block/drive.h"

namespace emu::block {

bool parse_drive(const KeyValueList& kv, bool global_snapshot, DriveConfig* out, std::string* err) {
    static const std::vector<std::string_view> known = {
        "file",         "format",         "if",        "id",
        "cache",        "readonly",       "read-only", "snapshot",
        "discard",      "serial",         "index",     "media",
        "aio",          "werror",         "rerror",    "detect-zeroes",
        "cache.direct", "cache.no-flush", "unit",      "bus"};
    if (auto bad = kv.first_unknown(known)) {
        *err = "-drive: invalid parameter '" + *bad + "'";
        return false;
    }
    DriveConfig c;
    c.file = kv.get_or("file", "");
    c.format = kv.get_or("format", "");
    c.interface = kv.get_or("if", "");
    c.id = kv.get_or("id", "");
    c.serial = kv.get_or("serial", "");
    c.media = kv.get_or("media", "disk");
    if (c.file.empty()) {
        *err = "-drive: file= is required (empty drives are not supported yet)";
        return false;
    }
    if (!c.format.empty() && c.format != "raw" && c.format != "qcow2") {
        *err = "-drive file=" + c.file + ": unknown driver '" + c.format + "' (raw, qcow2)";
        return false;
    }
    static const char* ifs[] = {"none", "virtio", "ide", "scsi", "sd", "pflash", "mtd", "floppy"};
    if (!c.interface.empty()) {
        bool ok = false;
        for (const char* i : ifs)
            ok |= c.interface == i;
        if (!ok) {
            *err = "-drive if=" + c.interface + ": unsupported bus type";
            return false;
        }
    }
    if (c.media != "disk" && c.media != "cdrom") {
        *err = "-drive media=" + c.media + ": invalid media";
        return false;
    }
    if (auto idx = kv.get("index")) {
        auto v = parse_uint(*idx);
        if (!v || *v > 1024) {
            *err = "-drive index=" + *idx + ": invalid index";
            return false;
        }
        c.index = static_cast<int>(*v);
    }
    const std::string cache = kv.get_or("cache", "writeback");
    if (!parse_cache_mode(cache, &c.open.cache)) {
        *err = "-drive cache=" + cache + ": invalid cache option";
        return false;
    }
    // cache.direct / cache.no-flush refine the mode, as in QEMU.
    std::string e;
    auto direct = kv.get_bool("cache.direct", &e);
    if (!e.empty()) return *err = "-drive " + e, false;
    auto no_flush = kv.get_bool("cache.no-flush", &e);
    if (!e.empty()) return *err = "-drive " + e, false;
    if (no_flush && *no_flush)
        c.open.cache = CacheMode::Unsafe;
    else if (direct) {
        const bool wt =
            c.open.cache == CacheMode::Writethrough || c.open.cache == CacheMode::DirectSync;
        c.open.cache = *direct ? (wt ? CacheMode::DirectSync : CacheMode::None)
                               : (wt ? CacheMode::Writethrough : CacheMode::Writeback);
    }
    for (const char* key : {"readonly", "read-only"}) {
        auto ro = kv.get_bool(key, &e);
        if (!e.empty()) return *err = "-drive " + e, false;
        if (ro) c.open.read_only = *ro;
    }
    auto snap = kv.get_bool("snapshot", &e);
    if (!e.empty()) return *err = "-drive " + e, false;
    c.open.snapshot = snap ? *snap : global_snapshot;
    if (c.media == "cdrom") c.open.read_only = true;
    if (c.open.read_only) c.open.snapshot = false;  // nothing to protect
    const std::string discard = kv.get_or("discard", "ignore");
    if (discard == "ignore" || discard == "off")
        c.open.discard_unmap = false;
    else if (discard == "unmap" || discard == "on")
        c.open.discard_unmap = true;
    else {
        *err = "-drive discard=" + discard + ": invalid discard option";
        return false;
    }
    const std::string dz = kv.get_or("detect-zeroes", "off");
    if (dz != "off") {
        *err = "-drive detect-zeroes=" + dz + ": not supported yet";
        return false;
    }
    c.open.format = c.format;
    *out = std::move(c);
    return true;
}

std::unique_ptr<BlockDriver> open_drive(const DriveConfig& cfg, std::string* err) {
    std::string e;
    auto d = open_image(cfg.file, cfg.open, &e);
    if (!d) *err = "-drive file=" + cfg.file + ": " + e;
    return d;
}

}  // namespace emu::block

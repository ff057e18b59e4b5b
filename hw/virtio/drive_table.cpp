#include "hw/virtio/drive_table.h"

#include <algorithm>
#include <stdexcept>

namespace emu {

namespace {

[[noreturn]] void fail(const std::string& msg) {
    throw std::runtime_error("-drive: " + msg);
}

template <typename T>
T checked(std::optional<T> v, const std::string& err) {
    if (!err.empty()) fail(err);
    return *v;
}

}  // namespace

DriveTable DriveTable::parse(const std::vector<KeyValueList>& list, const std::string& default_if,
                             bool snapshot_all) {
    DriveTable t;
    static const std::vector<std::string_view> known = {
        "file",     "format",  "if",    "id",  "index",  "cache", "readonly",
        "snapshot", "discard", "media", "aio", "werror", "rerror"};
    for (const KeyValueList& kv : list) {
        if (auto bad = kv.first_unknown(known)) {
            fail("Invalid parameter '" + *bad + "'");
        }
        DriveInfo d;
        std::string err;
        d.file = kv.get_or("file", "");
        if (d.file.empty()) fail("not supported yet: a drive without file= (empty drive)");
        d.interface = kv.get_or("if", default_if);
        static const std::vector<std::string> ifs = {"none", "virtio", "ide",    "scsi",
                                                     "sd",   "pflash", "floppy", "mtd"};
        if (std::find(ifs.begin(), ifs.end(), d.interface) == ifs.end()) {
            fail("unsupported bus type '" + d.interface + "'");
        }
        d.open.format = kv.get_or("format", "");
        if (!d.open.format.empty() && d.open.format != "raw" && d.open.format != "qcow2") {
            fail("Unknown driver '" + d.open.format + "' (supported: raw, qcow2)");
        }
        if (auto c = kv.get("cache")) {
            if (!block::parse_cache_mode(*c, &d.open.cache)) {
                fail("invalid cache option '" + *c +
                     "' (writeback, none, writethrough, directsync, unsafe)");
            }
        }
        if (kv.has("readonly")) d.open.read_only = checked(kv.get_bool("readonly", &err), err);
        d.open.snapshot = snapshot_all;
        if (kv.has("snapshot")) d.open.snapshot = checked(kv.get_bool("snapshot", &err), err);
        if (auto v = kv.get("discard")) {
            if (*v == "ignore" || *v == "off") {
                d.open.discard_unmap = false;
            } else if (*v == "unmap" || *v == "on") {
                d.open.discard_unmap = true;
            } else {
                fail("Invalid discard option '" + *v + "' (ignore, unmap)");
            }
        }
        if (auto v = kv.get("media"); v && *v != "disk") {
            fail("not supported yet: media=" + *v);
        }
        if (auto v = kv.get("aio"); v && *v != "threads") {
            if (*v != "native" && *v != "io_uring") fail("invalid aio option '" + *v + "'");
            // Other engines are accepted; requests always go to worker threads.
        }
        for (const char* k : {"werror", "rerror"}) {
            if (auto v = kv.get(k); v && *v != "report" && *v != "enospc") {
                fail(std::string("not supported yet: ") + k + "=" + *v +
                     " (errors are always reported to the guest)");
            }
        }
        if (kv.has("index")) d.index = int(checked(kv.get_uint("index", &err), err) & 0xffff);
        d.id = kv.get_or("id", "");
        if (d.id.empty()) {
            int n = 0;
            for (const DriveInfo& o : t.drives_)
                n += o.interface == d.interface;
            d.id = d.interface + std::to_string(d.index >= 0 ? d.index : n);
        }
        if (t.find(d.id)) fail("Duplicate ID '" + d.id + "' for drive");
        t.drives_.push_back(std::move(d));
    }
    return t;
}

DriveInfo* DriveTable::find(const std::string& id) {
    for (DriveInfo& d : drives_) {
        if (d.id == id) return &d;
    }
    return nullptr;
}

std::unique_ptr<block::BlockBackend> DriveTable::open(const DriveInfo& d, EventLoop* loop) {
    std::string err;
    auto drv = block::open_image(d.file, d.open, &err);
    if (!drv) throw std::runtime_error("-drive id=" + d.id + ": " + err);
    return std::make_unique<block::BlockBackend>(std::move(drv), loop);
}

}  // namespace emu

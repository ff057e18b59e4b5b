#pragma once
// -drive: the block side of QEMU's option (file=, format=, if=, id=,
// cache=, readonly=, snapshot=, discard=, serial=, index=, media=). The
// system layer hands over the parsed key/value list; boards pick drives by
// interface and devices open them (usually wrapped in a BlockBackend).
#include <memory>
#include <string>

#include "block/block_driver.h"
#include "util/keyval.h"

namespace emu::block {

struct DriveConfig {
    std::string id;
    std::string file;
    std::string format;     // empty: probe (QEMU warns; we probe silently for raw/qcow2)
    std::string interface;  // "virtio", "none", ... ; empty: the board's default
    std::string serial;
    std::string media = "disk";
    int index = -1;
    OpenOptions open;  // read_only, snapshot, cache, discard
};

// Validates a -drive option list. `global_snapshot` is -snapshot.
bool parse_drive(const KeyValueList& kv, bool global_snapshot, DriveConfig* out, std::string* err);

// Opens the drive's image (and backing chain, or snapshot overlay).
std::unique_ptr<BlockDriver> open_drive(const DriveConfig& cfg, std::string* err);

}  // namespace emu::block

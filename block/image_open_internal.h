#pragma once
// Shared between open_image() and the drivers that open backing files.
#include <memory>
#include <string>
#include <vector>

#include "block/block_driver.h"

namespace emu::block {

// The files opened so far in one backing chain (canonical paths), so that a
// loop (a.qcow2 -> b.qcow2 -> a.qcow2) is an error instead of a hang.
struct ChainContext {
    std::vector<std::string> seen;
    static constexpr size_t kMaxDepth = 64;
};

std::unique_ptr<BlockDriver> open_image_in_chain(const std::string& path, const OpenOptions& opts,
                                                 ChainContext& chain, std::string* err);

// Drivers (defined in their own folders).
std::unique_ptr<BlockDriver> qcow2_open(const std::string& path, const OpenOptions& opts,
                                        ChainContext& chain, std::string* err);
bool qcow2_probe(const uint8_t* buf, size_t len);

// Creates the temporary overlay for snapshot=on; returns its path.
std::string create_snapshot_overlay(const std::string& base_path, const std::string& base_format,
                                    uint64_t size, std::string* err);

}  // namespace emu::block

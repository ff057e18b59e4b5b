#pragma once
// The machine's -drive options, parsed and checked once: which image, which
// format and cache mode, which interface. Devices claim drives by id
// (-device ...,drive=ID) or, for if=virtio, are created for them. Opening
// the image happens when a device claims the drive.
//
// Lives in hw/virtio because virtio-blk is its only consumer so far; it
// knows nothing of virtio and can move to hw/block when another disk
// frontend arrives.
#include <memory>
#include <string>
#include <vector>

#include "block/block_backend.h"
#include "util/keyval.h"

namespace emu {

class EventLoop;

struct DriveInfo {
    std::string id;  // id= (or "<if><index>" when not given)
    std::string file;
    std::string interface;  // if=: virtio, none, ide, scsi, sd, pflash, ...
    int index = -1;         // index= (-1: not given)
    block::OpenOptions open;
    bool claimed = false;
};

class DriveTable {
  public:
    DriveTable() = default;
    // Parses every -drive (in order). default_if is the board's default
    // interface ("virtio" on virt, "ide" on pc). snapshot_all is -snapshot.
    // Throws std::runtime_error naming the option at fault.
    static DriveTable parse(const std::vector<KeyValueList>& drives, const std::string& default_if,
                            bool snapshot_all);

    DriveInfo* find(const std::string& id);
    std::vector<DriveInfo>& drives() { return drives_; }

    // Opens the drive's image behind an asynchronous backend whose
    // completions run on `loop`. Throws std::runtime_error with the block
    // layer's message.
    static std::unique_ptr<block::BlockBackend> open(const DriveInfo& d, EventLoop* loop);

  private:
    std::vector<DriveInfo> drives_;
};

}  // namespace emu

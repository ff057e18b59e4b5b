#pragma once
// The snapshot table as qemu-img prints it (info and snapshot -l).
#include <vector>

#include "block/qcow2/qcow2.h"

namespace emu::img {
void print_snapshot_table(const std::vector<block::qcow2::SnapshotInfo>& snaps);
}

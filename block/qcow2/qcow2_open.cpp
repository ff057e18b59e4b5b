// Temporary: replaced by the qcow2 driver.
#include "block/image_open_internal.h"

namespace emu::block {

bool qcow2_probe(const uint8_t* buf, size_t len) {
    return len >= 8 && buf[0] == 'Q' && buf[1] == 'F' && buf[2] == 'I' && buf[3] == 0xfb;
}

std::unique_ptr<BlockDriver> qcow2_open(const std::string& path, const OpenOptions&, ChainContext&,
                                        std::string* err) {
    *err = "'" + path + "': not supported yet: qcow2";
    return nullptr;
}

std::string create_snapshot_overlay(const std::string&, const std::string&, uint64_t,
                                    std::string* err) {
    *err = "not supported yet: snapshot=on";
    return "";
}

}  // namespace emu::block

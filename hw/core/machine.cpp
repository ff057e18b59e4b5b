#include "hw/core/machine.h"

namespace emu {

const MachineType* MachineRegistry::find(const std::string& name) const {
    for (const auto& t : types_) {
        if (t.name == name) return &t;
        for (const auto& a : t.aliases) {
            if (a == name) return &t;
        }
    }
    return nullptr;
}

const MachineType* MachineRegistry::default_type() const {
    for (const auto& t : types_) {
        if (t.is_default) return &t;
    }
    return nullptr;
}

const DeviceTypeInfo* DeviceRegistry::find(const std::string& name) const {
    for (const auto& t : types_) {
        if (t.name == name) return &t;
    }
    return nullptr;
}

}  // namespace emu

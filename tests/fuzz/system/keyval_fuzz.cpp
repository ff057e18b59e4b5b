// Sub-option parsing must never crash or misbehave on any input.
#include <cstdlib>
#include <string>

#include "util/keyval.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string s(reinterpret_cast<const char*>(data), size);
    std::string err;
    auto kv = emu::KeyValueList::parse(s, "type", &err);
    if (kv) {
        for (const auto& [k, v] : kv->items()) {
            if (k.empty()) std::abort();  // the parser promises named keys
            kv->get_bool(k, &err);
            kv->get_uint(k, &err);
            kv->get_size(k, 'M', &err);
        }
    }
    emu::parse_size(s, 'B');
    emu::parse_uint(s);
    return 0;
}

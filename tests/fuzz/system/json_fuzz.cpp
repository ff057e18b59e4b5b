// The JSON parser: no crash, bounded recursion, and whatever parses must
// print and re-parse to the same text.
#include <cstdlib>
#include <string>

#include "util/json.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string s(reinterpret_cast<const char*>(data), size);
    std::string err;
    auto v = emu::Json::parse(s, &err);
    if (v) {
        std::string once = v->dump();
        auto again = emu::Json::parse(once, &err);
        if (!again || again->dump() != once) std::abort();
    } else if (err.empty()) {
        std::abort();  // a failure always says why
    }
    return 0;
}

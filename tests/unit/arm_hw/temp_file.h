#pragma once
// A file with the given bytes for the loader tests, removed at scope exit.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

namespace emu::test {

struct TempFile {
    std::string path;
    explicit TempFile(const std::vector<uint8_t>& data) {
        char tmpl[] = "/tmp/emu-arm-hw-XXXXXX";
        int fd = mkstemp(tmpl);
        REQUIRE(fd >= 0);
        REQUIRE(write(fd, data.data(), data.size()) == ssize_t(data.size()));
        close(fd);
        path = tmpl;
    }
    ~TempFile() { unlink(path.c_str()); }
    TempFile(const TempFile&) = delete;
    TempFile& operator=(const TempFile&) = delete;
};

}  // namespace emu::test

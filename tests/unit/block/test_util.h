#pragma once
// Helpers for block tests: a scratch directory removed at the end.
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>

namespace emu::block::test {

struct TempDir {
    std::string path;
    TempDir() {
        char tmpl[] = "/tmp/emu-block-test-XXXXXX";
        char* p = mkdtemp(tmpl);
        path = p ? p : "/tmp";
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path, ec);
    }
    std::string file(const std::string& name) const { return path + "/" + name; }
};

}  // namespace emu::block::test
